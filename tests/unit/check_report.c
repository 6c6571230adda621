/*
 * The report writers and compare: a synthetic run (a limit_memory
 * failure, leaks with stacks from a fake symbolizer, an unfinished scope,
 * names with <&"'\x01\xff and C++ templates) in, the exact text out,
 * against the files in report-data/. The default JUnit XML is validated
 * with xmllint against tests/junit/junit-10.xsd (the Jenkins xUnit
 * plugin's JUnit schema, MIT, its notice in the file).
 *
 * MEMSUP_UPDATE_EXPECTED=1 rewrites the expected files from the output
 * (then read the diff before committing it). A mismatch leaves the output
 * next to the expected file as NAME.actual.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "supervisor/compare.h"
#include "supervisor/report.h"
#include "supervisor/xmalloc.h"
#include "suites.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DATA "report-data/"

/* ---- the fake symbolizer: stack id -> frames ---- */

#define LIBCHECK "/usr/lib/x86_64-linux-gnu/libcheck.so.0.0.0"

static const struct sym_frame stack1[] = {
	{ "make_buffer", "/src/money/check_money.c", 17, "/abs/tests/check_money",
	  0x1136, 0x401136, 0, 0, 0 },
	{ "test_memory_exceed_fn", "/src/money/check_money.c", 45,
	  "/abs/tests/check_money", 0x1200, 0x401200, 0, 0, 0 },
	{ "srunner_run_tagged", NULL, 0, LIBCHECK, 0x6a1b, 0x7f0000006a1b, 0, 0, 0 },
};

static const struct sym_frame stack2[] = {
	{ "std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>",
	  "/usr/include/c++/12/bits/vector.tcc", 445, "/abs/tests/check_money",
	  0x2000, 0x402000, 1, 0, 0 },
	{ "Money::add(int)", "/src/money/money.cc", 30, "/abs/tests/check_money",
	  0x2100, 0x402100, 0, 0, 0 },
	{ "test_memory_exceed_fn", "/src/money/check_money.c", 47,
	  "/abs/tests/check_money", 0x1210, 0x401210, 0, 0, 0 },
};

static const struct sym_frame stack3[] = {
	{ NULL, NULL, 0, NULL, 0, 0xdeadbeef, 0, 0, 0 },
	{ "make_node", "/src/money/list.c", 9, "/abs/tests/check_money",
	  0x1300, 0x401300, 0, 0, 0 },
};

static const struct sym_frame stack4[] = {
	{ "regcomp", NULL, 0, "/lib/x86_64-linux-gnu/libc.so.6", 0xdb0a0,
	  0x7f00000db0a0, 0, 0, 0 },
	{ "weird\x01<fn>&\"'", "/src/we&ird.c", 3, "/abs/tests/check_money",
	  0x1400, 0x401400, 0, 0, 0 },
};

static const struct {
	const struct sym_frame *v;
	unsigned n;
} stacks[] = {
	{ NULL, 0 },
	{ stack1, N(stack1) },
	{ stack2, N(stack2) },
	{ stack3, N(stack3) },
	{ stack4, N(stack4) },
};

static unsigned fake_symbolize(const void *ctx, uint32_t stack,
			       struct sym_frame *out, unsigned max)
{
	unsigned i, n;

	if (stack >= N(stacks))
		return 0;
	n = stacks[stack].n < max ? stacks[stack].n : max;
	for (i = 0; i < n; i++)
		out[i] = stacks[stack].v[i];
	return n;
}

/* ---- the synthetic run ---- */

static char arg0[] = "./check_money", arg1[] = "--arg with space",
	    arg2[] = "it's";
static char *argv_run[] = { arg0, arg1, arg2, NULL };

static const struct run_info run = {
	.symbolize = fake_symbolize,
	.sym_ctx = NULL,
	.most_allocations = 5,
	.program = "./check_money",
	.argv = argv_run,
	.policy = "limits.yaml",
	.exit_status = 1,
	.program_status = 0,
	.seconds = 2.3456,
};

static struct site *sites(size_t n, const struct site *v)
{
	struct site *s = xcalloc(n, sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	return s;
}

static struct scope *scope_make(const char *name, const char *classname,
				const char *file, unsigned line,
				const char *exe, double start, double end)
{
	struct scope *sc = xcalloc(1, sizeof(*sc));

	sc->name = xstrdup(name);
	sc->classname = classname ? xstrdup(classname) : NULL;
	sc->file = file ? xstrdup(file) : NULL;
	sc->line = line;
	sc->executable = xstrdup(exe);
	sc->command = xstrdup("./check_money");
	sc->pid = 1234;
	sc->start = start;
	sc->end = end;
	return sc;
}

/* Four scopes in two executables; free with run_free(). */
static struct scope *run_make(void)
{
	static const struct site peak[] = {
		{ 1, 0, 100000, 25, 0, 0, 0 },
		{ 2, 0, 20000, 500, 0, 0, 0 },
	};
	/* A definite group holding 200 B, a filtered indirect one, a
	 * reachable one that leak_kinds leaves unjudged. */
	static const struct site leaks[] = {
		{ 3, 0, 4096, 4, LEAK_DEFINITE, 0, 200 },
		{ 4, 1, 16, 1, LEAK_INDIRECT, 0, 0 },
		{ 1, 0, 8, 1, LEAK_REACHABLE, 1, 0 },
	};
	struct scope *a, *b, *c, *d;
	int i;

	a = scope_make("test_memory_exceed", "Core", "check_money.c", 42,
		       "/abs/tests/check_money", 10.0, 10.0125);
	a->status = SCOPE_FAILED;
	a->m = (struct scope_metrics){ .allocations = 525, .allocated = 120000,
				       .frees = 2, .peak = 120000 };
	a->peak_sites = sites(N(peak), peak);
	a->npeak_sites = N(peak);
	for (i = 0; i < 25; i++)
		site_table_add(&a->allocs, 1, 4000);
	for (i = 0; i < 500; i++)
		site_table_add(&a->allocs, 2, 40);
	scope_add_failure(a, "limit_memory", 102400, 120000,
			  "Test was limited to 100.0KiB but allocated 117.2KiB");

	b = scope_make("test_leak", "Core", "check_money.c", 60,
		       "/abs/tests/check_money", 10.02, 10.5);
	b->status = SCOPE_FAILED;
	b->m = (struct scope_metrics){ .allocations = 7, .allocated = 4200,
				       .frees = 1, .unknown_frees = 2,
				       .peak = 4120, .leaked_bytes = 4120,
				       .leaked_blocks = 6,
				       .kind_bytes = { 4096, 16, 0, 8, 0 },
				       .kind_blocks = { 4, 1, 0, 1, 0 } };
	b->leaks = sites(N(leaks), leaks);
	b->nleaks = N(leaks);
	b->peak_sites = sites(N(leaks), leaks);
	b->npeak_sites = N(leaks);
	site_table_add(&b->allocs, 3, 4096);
	b->fds_leaked = xcalloc(1, sizeof(*b->fds_leaked));
	b->fds_leaked[0].fd = 5;
	b->fds_leaked[0].target = xstrdup("/tmp/f<1>.txt");
	b->nfds_leaked = 1;
	scope_add_failure(b, "limit_leaks", 1024, 4096,
			  "Test was limited to 1.0KiB of leaked memory per "
			  "call stack but leaked 4.0KiB from one (1 call "
			  "stack over the limit)");
	scope_add_failure(b, "limit_fds", 0, 1,
			  "Test was limited to 0 file descriptors left open "
			  "but left 1 open");

	c = scope_make("test_crash", "Core", "check_money.c", 80,
		       "/abs/tests/check_money", 10.5, 10.75);
	c->status = SCOPE_UNFINISHED;
	c->reason = xstrdup("killed by signal 11 (SIGSEGV) inside the test");
	c->m = (struct scope_metrics){ .allocations = 1, .allocated = 64,
				       .peak = 64 };

	d = scope_make("weird<&\"'\x01\xff>", "ns::Tmpl<int, std::allocator<int> >",
		       NULL, 0, "/abs/other/gtest_x", 11.0, 11.001);
	d->status = SCOPE_PASSED;

	a->next = b;
	b->next = c;
	c->next = d;
	return a;
}

static void run_free(struct scope *sc)
{
	while (sc) {
		struct scope *next = sc->next;

		scope_free(sc);
		sc = next;
	}
}

/* ---- expected files ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = 0;
	fclose(fp);
	return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
	FILE *fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "cannot write %s", path);
	fwrite(buf, 1, len, fp);
	fclose(fp);
}

/* BUF (LEN bytes) is exactly the content of report-data/NAME. */
static void expect_file(const char *name, const char *buf, size_t len)
{
	char path[256], actual[300];
	char *want;
	size_t wlen = 0;
	const char *update = getenv("MEMSUP_UPDATE_EXPECTED");

	snprintf(path, sizeof(path), DATA "%s", name);
	snprintf(actual, sizeof(actual), "%s.actual", path);
	if (update && !strcmp(update, "1"))
		spit(path, buf, len);
	want = slurp(path, &wlen);
	if (want && wlen == len && !memcmp(want, buf, len)) {
		unlink(actual);
		free(want);
		return;
	}
	spit(actual, buf, len);
	free(want);
	ck_abort_msg("output differs from tests/unit/%s: see diff -u "
		     "tests/unit/%s tests/unit/%s", path, path, actual);
}

struct out {
	char *buf;
	size_t len;
	FILE *fp;
};

static FILE *out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->fp = open_memstream(&o->buf, &o->len);
	ck_assert(o->fp != NULL);
	return o->fp;
}

static void out_expect(struct out *o, const char *name)
{
	fclose(o->fp);
	expect_file(name, o->buf, o->len);
	free(o->buf);
}

/* ---- JUnit ---- */

static int have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

static const char *xsd_path(void)
{
	/* run from tests/unit */
	return "../junit/junit-10.xsd";
}

/* 0 when xmllint accepts the file (against XSD if not NULL). */
static int xmllint(const char *file, const char *xsd)
{
	char cmd[8192];

	if (xsd)
		snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' "
			 ">/dev/null 2>&1", xsd, file);
	else
		snprintf(cmd, sizeof(cmd), "xmllint --noout '%s' >/dev/null "
			 "2>&1", file);
	return system(cmd);
}

START_TEST(junit_xunit2_exact)
{
	struct scope *scopes = run_make();
	struct out o;

	report_junit(out_open(&o), &run, scopes, 0);
	out_expect(&o, "junit-xunit2.xml");
	run_free(scopes);
}
END_TEST

START_TEST(junit_xunit1_exact)
{
	struct scope *scopes = run_make();
	struct out o;

	report_junit(out_open(&o), &run, scopes, 1);
	out_expect(&o, "junit-xunit1.xml");
	run_free(scopes);
}
END_TEST

START_TEST(junit_empty_run)
{
	struct run_info ri = run;
	struct out o;

	ri.policy = NULL;
	ri.program_status = -1;
	ri.argv = NULL;
	report_junit(out_open(&o), &ri, NULL, 0);
	out_expect(&o, "junit-empty.xml");
}
END_TEST

static void validate(int xunit1, const struct scope *scopes)
{
	char tmp[] = "/tmp/memsup-junit-XXXXXX";
	const char *xsd = xsd_path();
	int fd;
	FILE *fp;

	fd = mkstemp(tmp);
	ck_assert(fd >= 0);
	fp = fdopen(fd, "w");
	report_junit(fp, &run, scopes, xunit1);
	fclose(fp);
	/* Well-formed in both families; valid against the schema in the
	 * default one. */
	ck_assert_msg(xmllint(tmp, NULL) == 0, "not well-formed XML (xunit%d)",
		      xunit1 ? 1 : 2);
	if (!xunit1)
		ck_assert_msg(xmllint(tmp, xsd) == 0, "%s does not validate "
			      "the xunit2 output (kept in %s)", xsd, tmp);
	else
		ck_assert_msg(xmllint(tmp, xsd) != 0, "xunit1 has file/line: "
			      "junit-10.xsd should reject it");
	unlink(tmp);
}

START_TEST(junit_validates)
{
	struct scope *scopes = run_make();

	if (!have_xmllint() || access(xsd_path(), R_OK) != 0) {
		fprintf(stderr, "check_report: skipping schema validation: "
			"no xmllint or no %s\n",
			xsd_path());
		run_free(scopes);
		return;
	}
	validate(0, scopes);
	validate(1, scopes);
	validate(0, NULL);
	run_free(scopes);
}
END_TEST

/* Every byte value and broken UTF-8 stays well-formed XML. */
START_TEST(junit_escapes_every_byte)
{
	struct scope *sc = scope_make("x", "c", NULL, 0, "/e", 0, 0);
	char name[300];
	char tmp[] = "/tmp/memsup-junit-XXXXXX";
	static const char *const broken[] = {
		"\xc0\xaf",		/* overlong */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"\xe2\x82",		/* truncated */
		"\xef\xbf\xbe\xef\xbf\xbf",	/* U+FFFE, U+FFFF */
		"]]>",
	};
	size_t i, k = 0;
	FILE *fp;
	int fd;

	for (i = 1; i < 256; i++)
		name[k++] = (char)i;
	for (i = 0; i < N(broken); i++) {
		memcpy(name + k, broken[i], strlen(broken[i]));
		k += strlen(broken[i]);
	}
	name[k] = 0;
	free(sc->name);
	sc->name = xstrdup(name);
	sc->status = SCOPE_UNFINISHED;
	sc->reason = xstrdup(name);
	if (!have_xmllint()) {
		scope_free(sc);
		return;
	}
	fd = mkstemp(tmp);
	ck_assert(fd >= 0);
	fp = fdopen(fd, "w");
	report_junit(fp, &run, sc, 0);
	fclose(fp);
	ck_assert_msg(xmllint(tmp, NULL) == 0, "not well-formed: %s", tmp);
	unlink(tmp);
	scope_free(sc);
}
END_TEST

/* ---- the terminal ---- */

START_TEST(term_report_exact)
{
	struct scope *scopes = run_make();
	struct out o;

	report_term_report(out_open(&o), &run, scopes, 0);
	out_expect(&o, "term-report.txt");
	report_term_report(out_open(&o), &run, scopes, REPORT_TERM_VERBOSE);
	out_expect(&o, "term-report-verbose.txt");
	report_term_report(out_open(&o), &run, scopes, REPORT_TERM_COLOR);
	out_expect(&o, "term-report-color.txt");
	report_term_report(out_open(&o), &run, scopes, REPORT_TERM_QUIET);
	out_expect(&o, "term-report-quiet.txt");
	run_free(scopes);
}
END_TEST

START_TEST(term_lines_exact)
{
	struct scope *scopes = run_make(), *sc;
	struct out o;
	FILE *fp = out_open(&o);

	for (sc = scopes; sc; sc = sc->next)
		report_term_line(fp, sc, 0);
	for (sc = scopes; sc; sc = sc->next)
		report_term_line(fp, sc, 1);
	for (sc = scopes; sc; sc = sc->next)
		report_term_test(fp, sc, REPORT_TERM_COLOR);
	out_expect(&o, "term-lines.txt");
	run_free(scopes);
}
END_TEST

START_TEST(term_all_passed)
{
	struct scope *sc = scope_make("test_ok", "Core", "c.c", 1, "/e", 0, 1);
	struct run_info ri = run;
	struct out o;
	FILE *fp;

	sc->status = SCOPE_PASSED;
	ri.seconds = 0.5;
	fp = out_open(&o);
	report_term_report(fp, &ri, sc, 0);
	report_term_report(fp, &ri, sc, REPORT_TERM_COLOR);
	report_term_report(fp, &ri, NULL, 0);
	fclose(fp);
	ck_assert_str_eq(o.buf,
			 "memsup: 1 test: 1 passed, 0 failed (0.50 s)\n"
			 "\033[32mmemsup: 1 test: 1 passed, 0 failed "
			 "(0.50 s)\033[0m\n"
			 "memsup: 0 tests: 0 passed, 0 failed (0.50 s)\n");
	free(o.buf);
	scope_free(sc);
}
END_TEST

START_TEST(term_summary_exact)
{
	struct scope *sc = scope_make("check_money", "check_money", NULL, 0,
				      "/abs/tests/check_money", 0, 1);
	/* A definite group and one the scan could not classify. */
	static const struct site leaks[] = {
		{ 3, 0, 4096, 4, LEAK_DEFINITE, 0, 0 },
		{ 4, 1, 16, 1, LEAK_UNSCANNED, 0, 0 },
	};
	struct run_info ri = run;
	struct out o;

	sc->is_program = 1;
	sc->status = SCOPE_PASSED;
	sc->m = (struct scope_metrics){ .allocations = 10, .allocated = 8000,
				       .frees = 5, .unknown_frees = 1,
				       .peak = 6000, .leaked_bytes = 4112,
				       .leaked_blocks = 5,
				       .kind_bytes = { 4096, 0, 0, 0, 16 },
				       .kind_blocks = { 4, 0, 0, 0, 1 } };
	sc->leaks = sites(N(leaks), leaks);
	sc->nleaks = N(leaks);
	ri.most_allocations = 1;
	report_term_summary(out_open(&o), &ri, sc);
	out_expect(&o, "term-summary.txt");
	scope_free(sc);
}
END_TEST

/* ---- compare ---- */

static const struct fail_on_ok {
	const char *spec;
	enum compare_field field;
	int percent;
	double pct;
	uint64_t abs;
} fail_on_ok[] = {
	{ "peak:10%", COMPARE_PEAK, 1, 10, 0 },
	{ "peak:5MiB", COMPARE_PEAK, 0, 0, 5 << 20 },
	{ "peak:5 MB", COMPARE_PEAK, 0, 0, 5 << 20 },
	{ "allocated:0", COMPARE_ALLOCATED, 0, 0, 0 },
	{ "allocated:12.5%", COMPARE_ALLOCATED, 1, 12.5, 0 },
	{ "allocations:100", COMPARE_ALLOCATIONS, 0, 0, 100 },
	{ "allocations:0%", COMPARE_ALLOCATIONS, 1, 0, 0 },
	{ "leaked:0", COMPARE_LEAKED, 0, 0, 0 },
	{ "leaked:1KB", COMPARE_LEAKED, 0, 0, 1024 },
};

START_TEST(fail_on_parses)
{
	const struct fail_on_ok *c = &fail_on_ok[_i];
	struct fail_on f;
	const char *why = NULL;

	ck_assert_msg(compare_parse_fail_on(c->spec, &f, &why) == 0,
		      "%s: %s", c->spec, why);
	ck_assert_int_eq(f.field, c->field);
	ck_assert_int_eq(f.th.percent, c->percent);
	ck_assert(f.th.pct == c->pct);
	ck_assert_uint_eq(f.th.abs, c->abs);
	ck_assert_ptr_eq(f.spec, c->spec);
}
END_TEST

static const struct fail_on_bad {
	const char *spec, *why;
} fail_on_bad[] = {
	{ "peak", "expected FIELD:THRESHOLD, such as peak:10% or "
		  "allocations:100" },
	{ "time:10%", "unknown field; expected peak, allocated, allocations "
		      "or leaked" },
	{ ":10%", "unknown field; expected peak, allocated, allocations or "
		  "leaked" },
	{ "Peak:10%", "unknown field; expected peak, allocated, allocations "
		      "or leaked" },
	{ "peak:", "empty value" },
	{ "peak:-10%", "a threshold cannot be negative" },
	{ "peak:ten", "expected a number" },
	{ "allocations:5MiB", "allocations is a count: expected a "
			      "percentage such as '10%' or a whole number "
			      "such as '100'" },
	{ "allocations:100B", "allocations is a count: expected a "
			      "percentage such as '10%' or a whole number "
			      "such as '100'" },
};

START_TEST(fail_on_rejects)
{
	const struct fail_on_bad *c = &fail_on_bad[_i];
	struct fail_on f;
	const char *why = NULL;

	ck_assert_msg(compare_parse_fail_on(c->spec, &f, &why) < 0, "%s",
		      c->spec);
	ck_assert_str_eq(why, c->why);
}
END_TEST

static const struct exceed_case {
	const char *th;
	uint64_t base, new;
	int over;
} exceed_cases[] = {
	{ "10%", 1000, 1100, 0 },	/* exactly +10% is allowed */
	{ "10%", 1000, 1101, 1 },
	{ "10%", 1000, 900, 0 },
	{ "10%", 0, 0, 0 },
	{ "10%", 0, 1, 1 },		/* any growth from 0 */
	{ "0%", 5, 5, 0 },
	{ "0%", 5, 6, 1 },
	{ "12.5%", 800, 900, 0 },
	{ "12.5%", 800, 901, 1 },
	{ "5MiB", 1 << 20, 6 << 20, 0 },
	{ "5MiB", 1 << 20, (6 << 20) + 1, 1 },
	{ "100", 50, 150, 0 },
	{ "100", 50, 151, 1 },
	{ "0", 7, 7, 0 },
	{ "0", 7, 8, 1 },
	{ "0", UINT64_MAX, 0, 0 },
	{ "0", 0, UINT64_MAX, 1 },
	{ "100%", UINT64_MAX / 2, UINT64_MAX - 1, 0 },
};

START_TEST(thresholds_exceeded)
{
	const struct exceed_case *c = &exceed_cases[_i];
	struct threshold th;
	const char *why;

	ck_assert(units_parse_threshold(c->th, &th, &why) == 0);
	ck_assert_msg(compare_exceeds(&th, c->base, c->new) == c->over,
		      "%s: %llu -> %llu", c->th, (unsigned long long)c->base,
		      (unsigned long long)c->new);
}
END_TEST

static int fail_on_list(struct fail_on *f, const char *const *specs,
			size_t n)
{
	const char *why;
	size_t i;

	for (i = 0; i < n; i++)
		if (compare_parse_fail_on(specs[i], &f[i], &why) < 0)
			return -1;
	return 0;
}

START_TEST(compare_table_exact)
{
	static const char *const specs[] = {
		"peak:10%", "allocations:2", "leaked:0", "allocated:50%",
	};
	struct fail_on f[N(specs)];
	struct out o;
	FILE *fp;

	ck_assert(fail_on_list(f, specs, N(specs)) == 0);
	fp = out_open(&o);
	ck_assert_int_eq(compare_files(DATA "base.json", DATA "new.json", f,
				       N(f), fp), 1);
	ck_assert_int_eq(compare_files(DATA "base.json", DATA "new.json", f,
				       0, fp), 0);
	ck_assert_int_eq(compare_files(DATA "base.json", DATA "base.json", f,
				       N(f), fp), 0);
	out_expect(&o, "compare.txt");
}
END_TEST

static const struct bad_input {
	const char *file;
	const char *message;
} bad_inputs[] = {
	{ DATA "no-such-file.json",
	  "memsup: compare: cannot read 'report-data/no-such-file.json': No "
	  "such file or directory\n" },
	{ DATA "bad-syntax.json",
	  "memsup: compare: 'report-data/bad-syntax.json' is not valid JSON at "
	  "line 3, column 15: unexpected character\n" },
	{ DATA "bad-truncated.json",
	  "memsup: compare: 'report-data/bad-truncated.json' is not valid JSON: "
	  "the file ends before the document does\n" },
	{ DATA "bad-no-scopes.json",
	  "memsup: compare: 'report-data/bad-no-scopes.json' is not memsup "
	  "JSON: no \"scopes\" array at the top level\n"
	  "hint: write it with memsup --json FILE\n" },
	{ DATA "bad-metric.json",
	  "memsup: compare: 'report-data/bad-metric.json': scopes[1] "
	  "(test_b): metrics has no \"leaked_bytes\"\n" },
	{ DATA "bad-negative.json",
	  "memsup: compare: 'report-data/bad-negative.json': scopes[0] "
	  "(test_a): metrics.peak_bytes is not a whole number of 0 or more\n" },
	{ DATA "bad-trailing.json",
	  "memsup: compare: 'report-data/bad-trailing.json' is not valid JSON at "
	  "line 2, column 1: text after the document\n" },
};

/* Runs FN with stderr captured into *ERR (caller frees). */
static int with_stderr(char **err, int (*fn)(const void *), const void *arg)
{
	char tmp[] = "/tmp/memsup-stderr-XXXXXX";
	int fd = mkstemp(tmp), saved, ret;
	size_t len;

	ck_assert(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	*err = slurp(tmp, &len);
	unlink(tmp);
	return ret;
}

static int compare_bad(const void *arg)
{
	const struct bad_input *c = arg;
	int r1, r2;

	r1 = compare_files(c->file, DATA "new.json", NULL, 0, stdout);
	r2 = compare_files(DATA "base.json", c->file, NULL, 0, stdout);
	return r1 == 2 && r2 == 2 ? 2 : -1;
}

START_TEST(compare_bad_input)
{
	const struct bad_input *c = &bad_inputs[_i];
	char *err = NULL, *want;

	ck_assert_int_eq(with_stderr(&err, compare_bad, c), 2);
	want = xasprintf("%s%s", c->message, c->message);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
}
END_TEST

static const struct argv_case {
	const char *args[6];
	int status;
	const char *err;
} argv_cases[] = {
	{ { "compare" }, 2,
	  "memsup: compare: expected two or more JSON files, oldest first\n"
	  "memsup: usage: memsup compare RUN.json... [--metric M] [--stat S] "
	  "[--sort K] [--csv FILE] [--html FILE] [--fail-on "
	  "FIELD:THRESHOLD]...\n" },
	{ { "compare", DATA "base.json" }, 2,
	  "memsup: compare: expected two or more JSON files, oldest first\n"
	  "memsup: usage: memsup compare RUN.json... [--metric M] [--stat S] "
	  "[--sort K] [--csv FILE] [--html FILE] [--fail-on "
	  "FIELD:THRESHOLD]...\n" },
	{ { "compare", "a", "b", "c" }, 2,
	  "memsup: compare: cannot read 'a': No such file or directory\n" },
	{ { "compare", "a", "b", "--fail-on" }, 2,
	  "memsup: compare: option '--fail-on' needs FIELD:THRESHOLD\n"
	  "memsup: usage: memsup compare RUN.json... [--metric M] [--stat S] "
	  "[--sort K] [--csv FILE] [--html FILE] [--fail-on "
	  "FIELD:THRESHOLD]...\n" },
	{ { "compare", "a", "b", "--fail-on", "peak:x" }, 2,
	  "memsup: compare: invalid value 'peak:x' for --fail-on: expected "
	  "a number\n" },
	{ { "compare", "a", "b", "--bogus" }, 2,
	  "memsup: compare: unknown option '--bogus'\n"
	  "memsup: usage: memsup compare RUN.json... [--metric M] [--stat S] "
	  "[--sort K] [--csv FILE] [--html FILE] [--fail-on "
	  "FIELD:THRESHOLD]...\n" },
	{ { "compare", DATA "base.json", DATA "base.json",
	    "--fail-on=peak:0" }, 0, "" },
	{ { "compare", DATA "base.json", DATA "new.json", DATA "base.json",
	    "--sort=change" }, 0, "" },
	{ { "compare", DATA "base.json", DATA "new.json", "--stat", "mode" }, 2,
	  "memsup: compare: invalid value 'mode' for --stat: expected min, "
	  "max, mean, median or stddev\n" },
};

static int run_argv(const void *arg)
{
	const struct argv_case *c = arg;
	char *argv[7];
	int argc = 0, ret;
	FILE *saved = stdout;

	while (argc < 6 && c->args[argc]) {
		argv[argc] = (char *)c->args[argc];
		argc++;
	}
	argv[argc] = NULL;
	/* The table goes to stdout: keep it out of the test log. */
	stdout = fopen("/dev/null", "w");
	ret = compare_main(argc, argv);
	fclose(stdout);
	stdout = saved;
	return ret;
}

START_TEST(compare_argv)
{
	const struct argv_case *c = &argv_cases[_i];
	char *err = NULL;

	ck_assert_int_eq(with_stderr(&err, run_argv, c), c->status);
	ck_assert_str_eq(err, c->err);
	free(err);
}
END_TEST

START_TEST(compare_gate_scopes)
{
	static const char *const specs[] = { "peak:10%", "leaked:0" };
	static const char *const bad[] = { "peak:lots" };
	struct scope *scopes = run_make();
	struct out o;
	FILE *fp;
	char *err = NULL;
	size_t len;
	int fd, saved;
	char tmp[] = "/tmp/memsup-stderr-XXXXXX";

	fp = out_open(&o);
	ck_assert_int_eq(compare_gate(DATA "gate-base.json", scopes, specs,
				      N(specs), fp), 1);
	ck_assert_int_eq(compare_gate(DATA "gate-base.json", scopes, specs,
				      0, fp), 0);
	out_expect(&o, "gate.txt");

	fd = mkstemp(tmp);
	ck_assert(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	ck_assert_int_eq(compare_gate(DATA "gate-base.json", scopes, bad, 1,
				      stdout), -1);
	ck_assert_int_eq(compare_gate(DATA "bad-metric.json", scopes, specs,
				      1, stdout), -1);
	ck_assert_int_eq(compare_check_baseline(DATA "bad-syntax.json"), -1);
	ck_assert_int_eq(compare_check_baseline(DATA "gate-base.json"), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	err = slurp(tmp, &len);
	unlink(tmp);
	ck_assert_str_eq(err,
			 "memsup: invalid value 'peak:lots' for --fail-on: "
			 "expected a number\n"
			 "memsup: compare: 'report-data/bad-metric.json': "
			 "scopes[1] (test_b): metrics has no "
			 "\"leaked_bytes\"\n"
			 "memsup: compare: 'report-data/bad-syntax.json' is "
			 "not valid JSON at line 3, column 15: unexpected "
			 "character\n");
	free(err);
	run_free(scopes);
}
END_TEST

Suite *make_report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_test(tc, junit_xunit2_exact);
	tcase_add_test(tc, junit_xunit1_exact);
	tcase_add_test(tc, junit_empty_run);
	tcase_add_test(tc, junit_validates);
	tcase_add_test(tc, junit_escapes_every_byte);
	tcase_add_test(tc, term_report_exact);
	tcase_add_test(tc, term_lines_exact);
	tcase_add_test(tc, term_all_passed);
	tcase_add_test(tc, term_summary_exact);
	tcase_add_loop_test(tc, fail_on_parses, 0, N(fail_on_ok));
	tcase_add_loop_test(tc, fail_on_rejects, 0, N(fail_on_bad));
	tcase_add_loop_test(tc, thresholds_exceeded, 0, N(exceed_cases));
	tcase_add_test(tc, compare_table_exact);
	tcase_add_loop_test(tc, compare_bad_input, 0, N(bad_inputs));
	tcase_add_loop_test(tc, compare_argv, 0, N(argv_cases));
	tcase_add_test(tc, compare_gate_scopes);
	suite_add_tcase(s, tc);
	return s;
}
