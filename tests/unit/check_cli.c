/*
 * Output-name placeholders and MEMSUP_OPTIONS splitting: strings in,
 * strings out.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/envopts.h"
#include "supervisor/outname.h"
#include "suites.h"

static const struct {
	const char *pattern, *program, *want;
} names[] = {
	{ "out.json", "./t", "out.json" },
	{ "%n.json", "build/unit_tests", "unit_tests.json" },
	{ "r-%p-%n.xml", "/usr/bin/ls", "r-4242-ls.xml" },
	{ "100%%", "x", "100%" },
	{ "%n", NULL, "memsup" },
	{ "%q", "x", NULL },
	{ "a%", "x", NULL },
};

START_TEST(outname_table)
{
	const char *why = NULL;
	char *got = outname_expand(names[_i].pattern, 4242, names[_i].program,
				   &why);

	if (!names[_i].want) {
		ck_assert_ptr_null(got);
		ck_assert_ptr_nonnull(why);
		return;
	}
	ck_assert_str_eq(got, names[_i].want);
	free(got);
}
END_TEST

static const struct {
	const char *value;
	const char *want;	/* words joined by '|', NULL: an error */
} envs[] = {
	{ "", "memsup|A|B" },
	{ "-q", "memsup|-q|A|B" },
	{ "  --json 'a b.json'\t-v ", "memsup|--json|a b.json|-v|A|B" },
	{ "--json \"x\\\"y\" --policy=p\\ q", "memsup|--json|x\"y|--policy=p q|A|B" },
	{ "--json 'open", NULL },
	{ "prog", NULL },
	{ "-q -- prog", NULL },
};

START_TEST(envopts_table)
{
	char a0[] = "memsup", a1[] = "A", a2[] = "B";
	char *argv[] = { a0, a1, a2, NULL };
	const char *why = NULL;
	char buf[256] = "";
	char **v;
	int n, i;

	v = envopts_merge(envs[_i].value, 3, argv, &n, &why);
	if (!envs[_i].want) {
		ck_assert_ptr_null(v);
		ck_assert_ptr_nonnull(why);
		return;
	}
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, "|");
		strcat(buf, v[i]);
	}
	ck_assert_ptr_null(v[n]);
	ck_assert_str_eq(buf, envs[_i].want);
	/* the words from the value are the vector's own; argv's are not */
	for (i = 1; i < n - 2; i++)
		free(v[i]);
	free(v);
}
END_TEST

Suite *make_cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, outname_table, 0,
			    sizeof(names) / sizeof(names[0]));
	tcase_add_loop_test(tc, envopts_table, 0,
			    sizeof(envs) / sizeof(envs[0]));
	suite_add_tcase(s, tc);
	return s;
}
