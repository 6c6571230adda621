/*
 * discover_*(): Check tests of the unit runner itself (its own START_TEST
 * probes, found in /proc/self/exe and compared with their run-time
 * addresses), policy matching and its warnings, and programs built here
 * at test time: non-PIE, stripped, two static functions of one name, a
 * GoogleTest-shaped C++ program (skipped without c++). discover_print()
 * is checked on a struct built by hand: struct in, exact text out.
 */
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "breakpoints/discover.h"
#include "config/policy.h"
#include "suites.h"

/* ---- probes: Check tests that no TCase runs, for discovery only ---- */

START_TEST(discover_probe)
{
}
END_TEST

START_TEST(discover_glob_a)
{
}
END_TEST

START_TEST(discover_glob_b)
{
}
END_TEST

START_TEST(discover_plain)
{
}
END_TEST


/* A function that only a policy key makes a boundary. */
void discover_target(void);
__attribute__((noinline, used)) void discover_target(void)
{
	__asm__ volatile("" ::: "memory");
}

/* A static CMUnitTest-shaped array, as cmocka_unit_test(f) fills it. */
struct cm_test {
	const char *name;
	void (*fn)(void **state);
	void (*setup)(void **state);
	void (*teardown)(void **state);
	void *state;
};

__attribute__((noinline, used)) static void cm_probe_one(void **state)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline, used)) static void cm_probe_two(void **state)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((used)) static const struct cm_test cm_probes[] = {
	{ "cm_probe_one", cm_probe_one, NULL, NULL, NULL },
	{ "cm_probe_two", cm_probe_two, NULL, NULL, NULL },
};

/* ---- helpers ---- */

/* The executable's load bias: the first object dl_iterate_phdr reports. */
static int bias_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	*(uint64_t *)arg = info->dlpi_addr;
	return 1;
}

static uint64_t self_bias(void)
{
	uint64_t bias = 0;

	dl_iterate_phdr(bias_cb, &bias);
	return bias;
}

static struct policy *policy(const char *yaml)
{
	struct policy_diag diag;
	struct policy *pol = policy_load_string("test.yaml", yaml,
						strlen(yaml), &diag);

	if (!pol)
		policy_diag_print(stderr, "test.yaml", &diag);
	policy_diag_release(&diag);
	ck_assert_ptr_nonnull(pol);
	return pol;
}

static void discover_ok(const char *path, const struct policy *pol,
			struct boundaries *b)
{
	ck_assert_int_eq(discover_boundaries(path, pol, b), 0);
}

/* The only boundary called NAME; fails when there are none or several. */
static const struct boundary *find(const struct boundaries *b,
				   const char *name)
{
	const struct boundary *found = NULL;
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (strcmp(b->v[i].name, name))
			continue;
		ck_assert_msg(!found, "two boundaries named '%s'", name);
		found = &b->v[i];
	}
	ck_assert_msg(found != NULL, "no boundary named '%s'", name);
	return found;
}

static size_t count(const struct boundaries *b, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++)
		n += !strcmp(b->v[i].name, name);
	return n;
}

/* ---- Check tests of the runner itself ---- */

START_TEST(check_self)
{
	const TTest *const probes[] = {
		discover_probe, discover_glob_a, discover_glob_b, discover_plain,
	};
	struct boundaries b;
	uint64_t bias = self_bias();
	size_t i;

	discover_ok("/proc/self/exe", NULL, &b);
	ck_assert_uint_eq(b.nwarn, 0);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const TTest *tt = probes[i];
		const struct boundary *bd = find(&b, tt->name);
		char sym[64];

		snprintf(sym, sizeof(sym), "%s_fn", tt->name);
		ck_assert_str_eq(bd->symbol, sym);
		ck_assert_uint_eq(bd->vaddr + bias, (uintptr_t)tt->fn);
		ck_assert_uint_eq(bd->ttest_vaddr + bias, (uintptr_t)tt);
		ck_assert_str_eq(bd->file, tt->file);
		ck_assert_uint_eq(bd->line, (unsigned)tt->line);
		ck_assert_int_eq(bd->origin, DISCOVERED_CHECK);
		ck_assert_ptr_null(bd->entry);
		ck_assert_ptr_null(bd->classname);
		ck_assert_uint_eq(bd->limits.set, 0);
	}
	/* The real tests of this file are there too, and this one. */
	ck_assert_uint_eq(find(&b, "check_self")->vaddr + bias,
			  (uintptr_t)check_self_fn);
	/* Sorted by file, then line. */
	ck_assert_uint_lt(find(&b, "discover_probe")->line,
			  find(&b, "discover_glob_a")->line);
	ck_assert_uint_lt(find(&b, "discover_probe") - b.v,
			  find(&b, "discover_glob_a") - b.v);
	/* Not discovered: plain functions and cmocka-shaped arrays. */
	ck_assert_uint_eq(count(&b, "discover_target"), 0);
	ck_assert_uint_eq(count(&b, "cm_probe_one"), 0);
	boundaries_release(&b);
}
END_TEST

START_TEST(classname_from_tcase)
{
	struct boundaries b;
	uint64_t bias = self_bias();

	discover_ok("/proc/self/exe", NULL, &b);
	ck_assert_uint_eq(find(&b, "discover_probe")->runs, 0);
	ck_assert_int_eq(discover_set_tcase(
		&b, (uintptr_t)discover_probe - bias, "Core", 0, 1), 1);
	ck_assert_str_eq(find(&b, "discover_probe")->classname, "Core");
	ck_assert_uint_eq(find(&b, "discover_probe")->runs, 1);
	/* a loop test, 2..5: three more runs */
	ck_assert_int_eq(discover_set_tcase(
		&b, (uintptr_t)discover_probe - bias, "Again", 2, 5), 1);
	ck_assert_str_eq(find(&b, "discover_probe")->classname, "Again");
	ck_assert_uint_eq(find(&b, "discover_probe")->runs, 4);
	/* an empty or reversed range runs nothing */
	ck_assert_int_eq(discover_set_tcase(
		&b, (uintptr_t)discover_probe - bias, "Again", 3, 3), 1);
	ck_assert_int_eq(discover_set_tcase(
		&b, (uintptr_t)discover_probe - bias, "Again", 5, 2), 1);
	ck_assert_uint_eq(find(&b, "discover_probe")->runs, 4);
	ck_assert_ptr_null(find(&b, "discover_plain")->classname);
	ck_assert_uint_eq(find(&b, "discover_plain")->runs, 0);
	ck_assert_int_eq(discover_set_tcase(&b, 0, "x", 0, 1), 0);
	ck_assert_int_eq(discover_set_tcase(&b, 1, "x", 0, 1), 0);
	boundaries_release(&b);
}
END_TEST

/* ---- policy keys ---- */

static const char keys_yaml[] =
	"defaults:\n"
	"  limit_memory: 1 MB\n"
	"tests:\n"
	"  \"discover_glob_*\":\n"		/* first glob */
	"    max_allocations: 1\n"
	"  \"discover_*\":\n"			/* a later glob, never first */
	"    max_allocations: 2\n"
	"  discover_probe:\n"			/* exact name beats globs */
	"    max_allocations: 3\n"
	"  discover_glob_b_fn:\n"		/* exact symbol beats globs */
	"    max_allocations: 4\n"
	"  discover_target:\n"			/* any function */
	"    limit_fds: 5\n"
	"  no_such_function_xyz: {}\n"
	"  \"zz_nothing_*\": {}\n";

START_TEST(policy_precedence)
{
	struct policy *pol = policy(keys_yaml);
	const struct boundary *bd;
	struct boundaries b;

	discover_ok("/proc/self/exe", pol, &b);

	bd = find(&b, "discover_probe");
	ck_assert_ptr_eq(bd->entry, &pol->tests[2]);
	ck_assert_uint_eq(bd->limits.allocations, 3);
	ck_assert_uint_eq(bd->limits.set, LIMIT_MEMORY | LIMIT_ALLOCATIONS);
	ck_assert_uint_eq(bd->limits.memory, 1048576);

	bd = find(&b, "discover_glob_a");
	ck_assert_ptr_eq(bd->entry, &pol->tests[0]);
	ck_assert_uint_eq(bd->limits.allocations, 1);

	bd = find(&b, "discover_glob_b");
	ck_assert_ptr_eq(bd->entry, &pol->tests[3]);
	ck_assert_uint_eq(bd->limits.allocations, 4);
	ck_assert_int_eq(bd->origin, DISCOVERED_CHECK);

	bd = find(&b, "discover_plain");
	ck_assert_ptr_eq(bd->entry, &pol->tests[1]);

	/* A discovered test no key names gets the defaults. */
	bd = find(&b, "classname_from_tcase");
	ck_assert_ptr_null(bd->entry);
	ck_assert_uint_eq(bd->limits.set, LIMIT_MEMORY);

	/* A plain function, with its file:line from DWARF. */
	bd = find(&b, "discover_target");
	ck_assert_int_eq(bd->origin, FROM_POLICY);
	ck_assert_str_eq(bd->symbol, "discover_target");
	ck_assert_uint_eq(bd->vaddr + self_bias(), (uintptr_t)discover_target);
	ck_assert_ptr_eq(bd->entry, &pol->tests[4]);
	ck_assert_uint_eq(bd->limits.fds, 5);
	ck_assert_ptr_nonnull(bd->file);
	ck_assert_msg(strstr(bd->file, "check_discover.c") != NULL, "%s",
		      bd->file);
	ck_assert_uint_gt(bd->line, 0);
	ck_assert_uint_eq(bd->ttest_vaddr, 0);

	ck_assert_uint_eq(b.nwarn, 2);
	ck_assert_str_eq(b.warn[0], "policy test 'no_such_function_xyz' "
				    "matches no test or function in "
				    "/proc/self/exe");
	ck_assert_str_eq(b.warn[1], "policy test 'zz_nothing_*' matches no "
				    "test or function in /proc/self/exe");
	boundaries_release(&b);
	policy_free(pol);
}
END_TEST

/* discover: none keeps only what keys name, tests included. */
START_TEST(policy_mode_none)
{
	struct policy *pol = policy("discover: none\n"
				    "tests:\n"
				    "  discover_probe: {}\n"
				    "  discover_glob_a_fn: {}\n");
	const struct boundary *bd;
	struct boundaries b;

	discover_ok("/proc/self/exe", pol, &b);
	ck_assert_uint_eq(b.n, 2);
	bd = find(&b, "discover_probe");
	ck_assert_int_eq(bd->origin, FROM_POLICY);
	ck_assert_str_eq(bd->file, discover_probe_ttest.file);
	ck_assert_uint_ne(bd->ttest_vaddr, 0);
	bd = find(&b, "discover_glob_a");
	ck_assert_str_eq(bd->symbol, "discover_glob_a_fn");
	ck_assert_uint_eq(bd->limits.set, 0);
	ck_assert_uint_eq(b.nwarn, 0);
	boundaries_release(&b);
	policy_free(pol);
}
END_TEST

/*
 * A tests glob selects among discovered tests only; functions are named
 * under functions, exact or by glob, and a glob matching more than
 * DISCOVER_GLOB_MAX functions is refused with its count.
 */
START_TEST(policy_functions_keys)
{
	struct policy *pol = policy("discover: none\n"
				    "tests:\n"
				    "  \"discover_targ*\": {}\n"
				    "functions:\n"
				    "  \"discover_targ*\": {limit_fds: 2}\n"
				    "  \"*\": {}\n");
	const struct boundary *bd;
	struct boundaries b;
	char head[160];

	discover_ok("/proc/self/exe", pol, &b);
	bd = find(&b, "discover_target");
	ck_assert_int_eq(bd->origin, FROM_POLICY);
	ck_assert_ptr_eq(bd->entry, &pol->functions[0]);
	ck_assert_uint_eq(bd->limits.fds, 2);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_uint_eq(b.nrefused, 1);
	ck_assert_uint_eq(b.nwarn, 2);
	snprintf(head, sizeof(head), "policy functions glob '*' (line 6) "
		 "matches ");
	ck_assert_msg(!strncmp(b.warn[0], head, strlen(head)) &&
		      strstr(b.warn[0], " functions in /proc/self/exe, more "
			     "than 100: refused; name the functions or narrow "
			     "the glob"), "%s", b.warn[0]);
	ck_assert_str_eq(b.warn[1], "policy test 'discover_targ*' matches no "
				    "test or function in /proc/self/exe");
	boundaries_release(&b);
	policy_free(pol);
}
END_TEST

START_TEST(cmocka_static_array)
{
	struct policy *pol = policy("discover: cmocka\n");
	struct boundaries b;
	const struct boundary *bd;

	discover_ok("/proc/self/exe", pol, &b);
	ck_assert_uint_eq(b.n, 2);
	bd = find(&b, "cm_probe_one");
	ck_assert_int_eq(bd->origin, DISCOVERED_CMOCKA);
	ck_assert_uint_eq(bd->vaddr + self_bias(), (uintptr_t)cm_probe_one);
	bd = find(&b, "cm_probe_two");
	ck_assert_uint_eq(bd->vaddr + self_bias(), (uintptr_t)cm_probe_two);
	ck_assert_uint_eq(b.nwarn, 0);
	ck_assert_ptr_eq(cm_probes[0].fn, cm_probe_one);
	boundaries_release(&b);
	policy_free(pol);

	/* Explicit gtest in a C program: found nothing, says so. */
	pol = policy("discover: gtest\n");
	discover_ok("/proc/self/exe", pol, &b);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(b.nwarn, 1);
	ck_assert_str_eq(b.warn[0],
			 "no GoogleTest test found in '/proc/self/exe'");
	boundaries_release(&b);
	policy_free(pol);
}
END_TEST

/* ---- programs built at test time ---- */

struct build {
	char dir[64];
	char path[128];
};

static const char fixture_a[] =
	"#include <check.h>\n"
	"START_TEST(alpha)\n"
	"{\n"
	"}\n"
	"END_TEST\n"
	"START_TEST(beta)\n"
	"{\n"
	"}\n"
	"END_TEST\n"
	"__attribute__((noinline)) static int helper(int x) { return x + 1; }\n"
	"int call_a(int x);\n"
	"int call_a(int x) { return helper(x); }\n"
	"int call_b(int x);\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	const TTest *t[] = { alpha, beta };\n"
	"	return t[argc & 1]->line + call_a(argc) + call_b(argc);\n"
	"}\n";

static const char fixture_b[] =
	"__attribute__((noinline)) static int helper(int x) { return x + 2; }\n"
	"int call_b(int x);\n"
	"int call_b(int x) { return helper(x); }\n";

static const char fixture_gtest[] =
	"namespace testing { struct Test { virtual ~Test() {}\n"
	"	virtual void TestBody() = 0; }; }\n"
	"#define TEST(a, b) struct a##_##b##_Test : testing::Test {\\\n"
	"	void TestBody() override; }; \\\n"
	"	a##_##b##_Test a##_##b##_inst; void a##_##b##_Test::TestBody()\n"
	"TEST(Parser, Empty) { }\n"
	"TEST(Parser, Handles_Empty) { }\n"
	"namespace ns { TEST(Net, Up) { } }\n"
	"int helper(int x);\n"
	"int helper(int x) { return x + 1; }\n"
	"int main() { return helper(0); }\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Runs CMD in B's directory; 0, or -1 (the caller skips). */
static int run_in(const struct build *b, const char *cmd)
{
	char full[768];

	snprintf(full, sizeof(full), "cd %s && %s >/dev/null 2>&1", b->dir,
		 cmd);
	if (system(full) != 0) {
		fprintf(stderr, "discover: cannot run '%s', skipped\n", cmd);
		return -1;
	}
	return 0;
}

static void build_init(struct build *b)
{
	snprintf(b->dir, sizeof(b->dir), "/tmp/memsup-discover-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(b->dir));
}

static void build_clean(struct build *b)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The C fixture, built with FLAGS into B->path ("prog"). */
static void build_c(struct build *b, const char *flags)
{
	char cmd[256];

	build_init(b);
	write_file(b->dir, "a.c", fixture_a);
	write_file(b->dir, "b.c", fixture_b);
	snprintf(cmd, sizeof(cmd), "cc -O0 -g %s -o prog a.c b.c", flags);
	ck_assert_int_eq(run_in(b, cmd), 0);
	snprintf(b->path, sizeof(b->path), "%s/prog", b->dir);
}

static void check_fixture_tests(const struct boundaries *bs)
{
	const struct boundary *bd;

	bd = find(bs, "alpha");
	ck_assert_str_eq(bd->symbol, "alpha_fn");
	ck_assert_str_eq(bd->file, "a.c");
	ck_assert_uint_eq(bd->line, 2);
	bd = find(bs, "beta");
	ck_assert_str_eq(bd->symbol, "beta_fn");
	ck_assert_uint_eq(bd->line, 6);
	ck_assert_ptr_eq(bs->v, find(bs, "alpha"));
}

START_TEST(built_pie_and_not)
{
	static const char *const flags[] = { "-fPIE -pie", "-fno-PIE -no-pie" };
	struct build b;
	struct boundaries bs;

	build_c(&b, flags[_i]);
	discover_ok(b.path, NULL, &bs);
	ck_assert_uint_eq(bs.n, 2);
	check_fixture_tests(&bs);
	boundaries_release(&bs);
	build_clean(&b);
}
END_TEST

START_TEST(built_same_name_twice)
{
	struct policy *pol = policy("tests:\n"
				    "  helper:\n"
				    "    max_allocations: 7\n");
	struct build b;
	struct boundaries bs;
	size_t i, n = 0;
	int seen_a = 0, seen_b = 0;

	build_c(&b, "");
	discover_ok(b.path, pol, &bs);
	for (i = 0; i < bs.n; i++) {
		const struct boundary *bd = &bs.v[i];

		if (strcmp(bd->name, "helper"))
			continue;
		n++;
		ck_assert_int_eq(bd->origin, FROM_POLICY);
		ck_assert_uint_eq(bd->limits.allocations, 7);
		ck_assert_ptr_nonnull(bd->file);
		seen_a += strstr(bd->file, "/a.c") != NULL;
		seen_b += strstr(bd->file, "/b.c") != NULL;
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(seen_a, 1);
	ck_assert_int_eq(seen_b, 1);
	ck_assert_uint_eq(bs.nwarn, 0);
	boundaries_release(&bs);
	build_clean(&b);
	policy_free(pol);
}
END_TEST

START_TEST(built_stripped)
{
	struct policy *check = policy("discover: check\n"
				      "tests:\n"
				      "  alpha: {}\n");
	struct build b;
	struct boundaries bs;
	char want[256];

	build_c(&b, "-s");
	discover_ok(b.path, NULL, &bs);		/* auto: none, and why */
	ck_assert_uint_eq(bs.n, 0);
	ck_assert_uint_eq(bs.nwarn, 1);
	snprintf(want, sizeof(want), "'%s' is stripped: no test can be "
		 "discovered without a .symtab; name its exported functions "
		 "in a policy's tests", b.path);
	ck_assert_str_eq(bs.warn[0], want);
	boundaries_release(&bs);

	discover_ok(b.path, check, &bs);
	ck_assert_uint_eq(bs.n, 0);
	ck_assert_uint_eq(bs.nwarn, 2);
	snprintf(want, sizeof(want), "'%s' is stripped: its Check tests "
		 "cannot be discovered without a .symtab", b.path);
	ck_assert_str_eq(bs.warn[0], want);
	snprintf(want, sizeof(want), "policy test 'alpha' matches no test "
		 "or function in %s", b.path);
	ck_assert_str_eq(bs.warn[1], want);
	boundaries_release(&bs);
	build_clean(&b);
	policy_free(check);
}
END_TEST

START_TEST(built_gtest)
{
	struct policy *pol = policy("discover: none\n"
				    "tests:\n"
				    "  Parser.Handles_Empty: {}\n"
				    "  \"ns::Net_Up_Test::TestBody\": {}\n"
				    "  \"helper(int)\": {}\n");
	const struct boundary *bd;
	struct build b;
	struct boundaries bs;

	build_init(&b);
	write_file(b.dir, "t.cc", fixture_gtest);
	if (run_in(&b, "c++ -O0 -g -o prog t.cc") < 0) {
		build_clean(&b);
		policy_free(pol);
		return;
	}
	snprintf(b.path, sizeof(b.path), "%s/prog", b.dir);

	discover_ok(b.path, NULL, &bs);
	ck_assert_uint_eq(bs.n, 3);
	bd = find(&bs, "Parser.Empty");
	ck_assert_str_eq(bd->symbol, "_ZN17Parser_Empty_Test8TestBodyEv");
	ck_assert_str_eq(bd->classname, "Parser");
	ck_assert_int_eq(bd->origin, DISCOVERED_GTEST);
	ck_assert_ptr_nonnull(strstr(bd->file, "t.cc"));
	ck_assert_uint_eq(bd->line, 6);
	/* Two '_' in the class name: kept as the demangled name. */
	bd = find(&bs, "Parser_Handles_Empty_Test::TestBody");
	ck_assert_ptr_null(bd->classname);
	bd = find(&bs, "Net.Up");
	ck_assert_str_eq(bd->symbol, "_ZN2ns11Net_Up_Test8TestBodyEv");
	boundaries_release(&bs);

	discover_ok(b.path, pol, &bs);
	ck_assert_uint_eq(bs.n, 3);
	ck_assert_int_eq(find(&bs, "Parser_Handles_Empty_Test::TestBody")
				 ->origin, FROM_POLICY);
	ck_assert_ptr_eq(find(&bs, "Net.Up")->entry, &pol->tests[1]);
	bd = find(&bs, "helper");
	ck_assert_str_eq(bd->symbol, "_Z6helperi");
	ck_assert_ptr_eq(bd->entry, &pol->tests[2]);
	ck_assert_uint_eq(bs.nwarn, 0);
	boundaries_release(&bs);
	build_clean(&b);
	policy_free(pol);
}
END_TEST

/* ---- bad input ---- */

START_TEST(bad_paths)
{
	struct boundaries b;
	char path[] = "/tmp/memsup-discover-notelf-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	close(fd);
	ck_assert_int_eq(discover_boundaries(path, NULL, &b), -1);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_int_eq(discover_boundaries("/nonexistent/prog", NULL, &b),
			 -1);
	ck_assert_uint_eq(b.n, 0);
	unlink(path);
}
END_TEST

/* ---- list-tests output ---- */

START_TEST(print_format)
{
	struct boundary v[2];
	struct boundaries b = { .v = v, .n = 2 };
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	memset(v, 0, sizeof(v));
	v[0].name = (char *)"test_peak";
	v[0].symbol = (char *)"test_peak_fn";
	v[0].vaddr = 0x288f;
	v[0].file = (char *)"samples/check-suite/suite.c";
	v[0].line = 58;
	v[0].origin = DISCOVERED_CHECK;
	v[0].limits.set = LIMIT_MEMORY | LIMIT_LEAKS | LIMIT_ALLOCATIONS |
			  LIMIT_ALLOCATED | LIMIT_FDS;
	v[0].limits.memory = 102400;
	v[0].limits.leaks = 0;
	v[0].limits.allocations = 100;
	v[0].limits.allocated = 120000;
	v[0].limits.fds = 2;
	v[1].name = (char *)"ns::parse";
	v[1].symbol = (char *)"_ZN2ns5parseEv";
	v[1].vaddr = 0x401136;
	v[1].origin = FROM_POLICY;

	ck_assert_ptr_nonnull(fp);
	discover_print(fp, &b);
	fclose(fp);
	ck_assert_str_eq(text,
		"test_peak\ttest_peak_fn\t0x288f\t"
		"samples/check-suite/suite.c:58\tcheck\t"
		"limit_memory=100.0KiB limit_leaks=0.0B max_allocations=100 "
		"max_allocated=117.2KiB limit_fds=2\n"
		"ns::parse\t_ZN2ns5parseEv\t0x401136\t-\tpolicy\tunlimited\n");
	free(text);
	ck_assert_str_eq(boundary_origin_name(DISCOVERED_GTEST), "gtest");
	ck_assert_str_eq(boundary_origin_name(DISCOVERED_CMOCKA), "cmocka");
}
END_TEST

Suite *make_discover_suite(void)
{
	Suite *s = suite_create("discover");
	TCase *tc = tcase_create("self");

	tcase_add_test(tc, check_self);
	tcase_add_test(tc, classname_from_tcase);
	tcase_add_test(tc, policy_precedence);
	tcase_add_test(tc, policy_mode_none);
	tcase_add_test(tc, policy_functions_keys);
	tcase_add_test(tc, cmocka_static_array);
	tcase_add_test(tc, bad_paths);
	tcase_add_test(tc, print_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("built");
	tcase_add_loop_test(tc, built_pie_and_not, 0, 2);
	tcase_add_test(tc, built_same_name_twice);
	tcase_add_test(tc, built_stripped);
	tcase_add_test(tc, built_gtest);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
