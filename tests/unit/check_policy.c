/*
 * The policy loader: malformed policies with the exact line, column and
 * message of every error; well-formed ones with the exact normalised
 * text of policy_print(); matching and merging of limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config/policy.h"
#include "suites.h"

#define MAX_ERRORS 16

struct expected_error {
	unsigned line, column;
	const char *msg;
};

static const struct bad_case {
	const char *name;
	const char *text;
	struct expected_error errors[MAX_ERRORS];	/* ends at msg NULL */
} bad_cases[] = {
	{ "unknown top-level key, suggested",
	  "test:\n  foo:\n",
	  { { 1, 1, "unknown key 'test' at the top level; did you mean "
		    "'tests'?" } } },
	{ "unknown top-level key, listed",
	  "version: 1\ncolour: red\n",
	  { { 2, 1, "unknown key 'colour' at the top level; expected "
		    "version, discover, stack_depth, defaults, tests, "
		    "leak_filters, allocators, suppressions, leak_kinds, program, "
		    "scope or functions" } } },
	{ "leak kind misspelt",
	  "leak_kinds: [definite, reachible]\n",
	  { { 1, 24, "unknown leak kind 'reachible' in 'leak_kinds'; did "
		     "you mean 'reachable'?" } } },
	{ "leak kind unknown, listed",
	  "tests:\n  foo:\n    leak_kinds: [lost]\n",
	  { { 3, 18, "unknown leak kind 'lost' in 'leak_kinds' in test "
		     "'foo'; expected definite, indirect, possible or "
		     "reachable" } } },
	{ "leak kinds as a mapping",
	  "leak_kinds: {definite: 1}\n",
	  { { 1, 13, "expected a list of leak kinds such as [definite, "
		     "indirect, possible] for 'leak_kinds', found a "
		     "mapping" } } },
	{ "unknown limit key in a test, suggested",
	  "tests:\n  foo:\n    limit_memroy: 1 MB\n",
	  { { 3, 5, "unknown key 'limit_memroy' in test 'foo'; did you "
		    "mean 'limit_memory'?" } } },
	{ "unknown key in defaults, listed",
	  "defaults:\n  leak_filters: []\n",
	  { { 2, 3, "unknown key 'leak_filters' in 'defaults'; expected "
		    "limit_memory, limit_leaks, max_allocations, "
		    "max_allocated or limit_fds" } } },
	{ "tests is a sequence",
	  "tests:\n  - foo\n",
	  { { 2, 3, "expected a mapping of test names for 'tests', found "
		    "a sequence" } } },
	{ "defaults is a scalar",
	  "defaults: 10 MB\n",
	  { { 1, 11, "expected a mapping for 'defaults', found a "
		     "scalar" } } },
	{ "test entry is a sequence",
	  "tests:\n  foo: [1, 2]\n",
	  { { 2, 8, "expected a mapping of limits for test 'foo', found a "
		    "sequence" } } },
	{ "test entry is a scalar",
	  "tests:\n  foo: 10 MB\n",
	  { { 2, 8, "expected a mapping of limits for test 'foo', found a "
		    "scalar" } } },
	{ "duplicate test key",
	  "tests:\n  foo:\n    limit_leaks: 0\n  bar:\n  foo:\n",
	  { { 5, 3, "duplicate test 'foo'; first defined at line 2, "
		    "column 3" } } },
	{ "duplicate test key in flow style",
	  "tests: {a: {limit_memory: 1 MB}, a: {}}\n",
	  { { 1, 34, "duplicate test 'a'; first defined at line 1, "
		     "column 9" } } },
	{ "duplicate top-level key",
	  "version: 1\nversion: 1\n",
	  { { 2, 1, "duplicate key 'version' at the top level; first "
		    "defined at line 1, column 1" } } },
	{ "duplicate limit key",
	  "defaults:\n  limit_fds: 1\n  limit_fds: 2\n",
	  { { 3, 3, "duplicate key 'limit_fds' in 'defaults'; first "
		    "defined at line 2, column 3" } } },
	{ "filter with no field",
	  "leak_filters:\n  - {}\n",
	  { { 2, 5, "leak filter has no field; expected at least one of "
		    "function, file, object or stack" } } },
	{ "filter that is null, in a test",
	  "tests:\n  foo:\n    leak_filters:\n      -\n",
	  { { 4, 8, "leak filter in test 'foo' has no field; expected at "
		    "least one of function, file, object or stack" } } },
	{ "filter with an unknown field",
	  "leak_filters:\n  - functoin: regcomp\n",
	  { { 2, 5, "unknown key 'functoin' in a leak filter; did you mean "
		    "'function'?" } } },
	{ "filter field is a sequence",
	  "leak_filters:\n  - function: [a, b]\n",
	  { { 2, 15, "expected a glob for 'function' in a leak filter, "
		     "found a sequence" } } },
	{ "filter that is a scalar",
	  "leak_filters:\n  - regcomp\n",
	  { { 2, 5, "expected a mapping of function, file or object for a "
		    "leak filter, found a scalar" } } },
	{ "leak_filters is a mapping",
	  "leak_filters:\n  function: regcomp\n",
	  { { 2, 3, "expected a sequence of filters for 'leak_filters', "
		    "found a mapping" } } },
	{ "allocator without alloc",
	  "allocators:\n  - size_arg: 2\n    free: pool_free\n",
	  { { 2, 5, "allocator without 'alloc'; expected the name of the "
		    "function that returns the new block" } } },
	{ "size_arg 0",
	  "allocators:\n  - alloc: a\n    size_arg: 0\n",
	  { { 3, 15, "invalid size_arg '0' in an allocator; expected an "
		     "integer from 1 to 6" } } },
	{ "size_arg 7",
	  "allocators:\n  - {alloc: a, size_arg: 7}\n",
	  { { 2, 26, "invalid size_arg '7' in an allocator; expected an "
		     "integer from 1 to 6" } } },
	{ "size_arg not a number",
	  "allocators:\n  - alloc: a\n    size_arg: second\n",
	  { { 3, 15, "invalid size_arg 'second' in an allocator; expected "
		     "an integer from 1 to 6" } } },
	{ "fixed size and size_arg together",
	  "allocators:\n  - {alloc: a, size: 64, size_arg: 2}\n",
	  { { 2, 22, "allocator 'a' has both 'size' and 'size_arg'; a fixed "
		     "size takes no size argument: keep one" } } },
	{ "count_arg without size_arg",
	  "allocators:\n  - {alloc: a, count_arg: 1}\n",
	  { { 2, 5, "allocator 'a' has 'count_arg' without 'size_arg'; a "
		    "calloc-shaped allocator needs both (count_arg: 1, "
		    "size_arg: 2 for calloc)" } } },
	{ "count_arg equal to size_arg",
	  "allocators:\n  - {alloc: a, count_arg: 2, size_arg: 2}\n",
	  { { 2, 5, "allocator 'a' has count_arg and size_arg both 2; they "
		    "are two different arguments" } } },
	{ "free_arg without free",
	  "allocators:\n  - {alloc: a, free_arg: 2}\n",
	  { { 2, 5, "allocator 'a' has 'free_arg' but no 'free'; name the "
		    "function that frees its blocks" } } },
	{ "free_arg 0",
	  "allocators:\n  - {alloc: a, free: f, free_arg: 0}\n",
	  { { 2, 35, "invalid free_arg '0' in an allocator; expected an "
		     "integer from 1 to 6" } } },
	{ "a size that is not one",
	  "allocators:\n  - {alloc: a, size: big}\n",
	  { { 2, 22, "invalid size 'big' for 'size' in an allocator: "
		     "expected a number; or 'none' for blocks of no size" } } },
	{ "program limits are limits",
	  "program:\n  limit_memory: lots\n  limit_leak: 0\n",
	  { { 2, 17, "invalid size 'lots' for 'limit_memory' in 'program': "
		     "expected a number" },
	    { 3, 3, "unknown key 'limit_leak' in 'program'; did you mean "
		    "'limit_leaks'?" } } },
	{ "an unknown scope",
	  "tests:\n  t: {scope: call}\n",
	  { { 2, 14, "unknown scope 'call' in test 't'; expected test (the "
		     "test with its fixtures) or function (the call only)" } } },
	{ "a duplicate function",
	  "functions:\n  f: {}\n  f: {}\n",
	  { { 3, 3, "duplicate function 'f'; first defined at line 2, "
		    "column 3" } } },
	{ "allocator that is a scalar",
	  "allocators:\n  - pool_alloc\n",
	  { { 2, 5, "expected a mapping of alloc, size_arg and free for an "
		    "allocator, found a scalar" } } },
	{ "allocators is a mapping",
	  "allocators:\n  alloc: pool_alloc\n",
	  { { 2, 3, "expected a sequence of allocators for 'allocators', "
		    "found a mapping" } } },
	{ "duplicate allocator",
	  "allocators:\n  - alloc: a\n  - alloc: a\n",
	  { { 3, 5, "duplicate allocator 'a'; first defined at line 2" } } },
	{ "unknown version",
	  "version: 2\n",
	  { { 1, 10, "unsupported policy version '2'; expected 1" } } },
	{ "version 1.0",
	  "version: 1.0\n",
	  { { 1, 10, "unsupported policy version '1.0'; expected 1" } } },
	{ "unknown discover mode, suggested",
	  "discover: gtests\n",
	  { { 1, 11, "unknown discover mode 'gtests'; did you mean "
		     "'gtest'?" } } },
	{ "unknown discover mode, listed",
	  "discover: junit\n",
	  { { 1, 11, "unknown discover mode 'junit'; expected auto, check, "
		     "gtest, cmocka or none" } } },
	{ "discover is a sequence",
	  "discover: [check]\n",
	  { { 1, 11, "expected auto, check, gtest, cmocka or none for "
		     "'discover', found a sequence" } } },
	{ "stack_depth 0",
	  "stack_depth: 0\n",
	  { { 1, 14, "invalid stack_depth '0'; expected an integer from 1 "
		     "to 256" } } },
	{ "stack_depth 257",
	  "stack_depth: 257\n",
	  { { 1, 14, "invalid stack_depth '257'; expected an integer from "
		     "1 to 256" } } },
	{ "negative size",
	  "tests:\n  foo:\n    limit_leaks: -1 MB\n",
	  { { 3, 18, "invalid size '-1 MB' for 'limit_leaks' in test 'foo': "
		     "a size cannot be negative" } } },
	{ "size overflow",
	  "defaults:\n  max_allocated: 16 EiB\n",
	  { { 2, 18, "invalid size '16 EiB' for 'max_allocated' in "
		     "'defaults': too large; the largest size is "
		     "18446744073709551615 bytes (16 EiB - 1)" } } },
	{ "size with an unknown unit",
	  "defaults:\n  limit_memory: 10 XB\n",
	  { { 2, 17, "invalid size '10 XB' for 'limit_memory' in "
		     "'defaults': unknown unit; expected B, KB, MB, GB, TB, "
		     "PB, EB or KiB, MiB, GiB, TiB, PiB, EiB" } } },
	{ "bare size with decimals",
	  "defaults:\n  limit_memory: 1.5\n",
	  { { 2, 17, "invalid size '1.5' for 'limit_memory' in 'defaults': "
		     "a number without a unit is bytes and cannot have "
		     "decimals" } } },
	{ "size that is empty",
	  "defaults:\n  limit_memory:\n",
	  { { 2, 16, "expected a size such as '10 MB' or '4096' for "
		     "'limit_memory' in 'defaults', found nothing" } } },
	{ "size that is an empty string",
	  "defaults:\n  limit_memory: ''\n",
	  { { 2, 17, "empty value for 'limit_memory' in 'defaults'; "
		     "expected a size such as '10 MB' or '4096'" } } },
	{ "count with a suffix",
	  "tests:\n  parse_config:\n    max_allocations: 5k\n",
	  { { 3, 22, "invalid count '5k' for 'max_allocations' in test "
		     "'parse_config'; expected a non-negative integer such "
		     "as '5000'" } } },
	{ "negative count",
	  "defaults:\n  limit_fds: -1\n",
	  { { 2, 14, "invalid count '-1' for 'limit_fds' in 'defaults'; "
		     "expected a non-negative integer such as '5000'" } } },
	{ "count that overflows",
	  "defaults:\n  limit_fds: 18446744073709551616\n",
	  { { 2, 14, "invalid count '18446744073709551616' for 'limit_fds' "
		     "in 'defaults'; expected a non-negative integer such "
		     "as '5000'" } } },
	{ "syntax error: unclosed flow sequence",
	  "tests:\n  foo: [\n",
	  { { 3, 1, "invalid YAML: did not find expected node content "
		    "(while parsing a flow node at line 3, column 1)" } } },
	{ "syntax error: tab indentation",
	  "tests:\n\tfoo:\n",
	  { { 2, 1, "invalid YAML: found character that cannot start any "
		    "token (while scanning for the next token at line 2, "
		    "column 1); indent with spaces, YAML does not allow "
		    "tabs" } } },
	{ "syntax error: bad indentation",
	  "tests:\n  foo:\n    limit_fds: 1\n   limit_leaks: 0\n",
	  { { 4, 4, "invalid YAML: did not find expected key (while parsing "
		    "a block mapping at line 2, column 3)" } } },
	{ "syntax error: undefined alias",
	  "defaults: *limits\n",
	  { { 1, 11, "invalid YAML: found undefined alias" } } },
	{ "empty file",
	  "",
	  { { 1, 1, "empty policy; expected a mapping with keys such as "
		    "'defaults' and 'tests'" } } },
	{ "only comments",
	  "# nothing yet\n\n",
	  { { 1, 1, "empty policy; expected a mapping with keys such as "
		    "'defaults' and 'tests'" } } },
	{ "top level is a sequence",
	  "- tests\n",
	  { { 1, 1, "expected a mapping at the top of the policy, found a "
		    "sequence" } } },
	{ "two documents",
	  "version: 1\n---\nversion: 1\n",
	  { { 2, 1, "a second YAML document; a policy is one document" } } },
	{ "invalid UTF-8",
	  "tests:\n  caf\xc3\xa9_\xff:\n",
	  { { 2, 8, "invalid UTF-8 at byte offset 15 (byte 0xff); a policy "
		    "must be UTF-8 text" } } },
	{ "overlong UTF-8",
	  "a: \xc0\xaf\n",
	  { { 1, 4, "invalid UTF-8 at byte offset 3 (byte 0xc0); a policy "
		    "must be UTF-8 text" } } },
	{ "control character",
	  "tests:\n  a\x01:\n",
	  { { 2, 4, "invalid YAML: control characters are not allowed "
		    "(character 0x1)" } } },
	{ "NUL in a test name",
	  "tests:\n  \"a\\0b\":\n",
	  { { 2, 3, "NUL character in test name 'a\\x00b'" } } },
	{ "empty test name",
	  "tests:\n  \"\":\n",
	  { { 2, 3, "expected a test name in 'tests', found an empty "
		    "string" } } },
	{ "key that is a sequence",
	  "? [a]\n: 1\n",
	  { { 1, 3, "expected a key name at the top level, found a "
		    "sequence" } } },
	{ "long value is cut in the message",
	  "discover: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaa\n",
	  { { 1, 11, "unknown discover mode 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'; expected auto, "
		     "check, gtest, cmocka or none" } } },
	{ "errors inside an anchor are found at the anchor",
	  "defaults: &d {limit_memry: 1 MB}\ntests:\n  a: *d\n",
	  { { 1, 15, "unknown key 'limit_memry' in 'defaults'; did you mean "
		     "'limit_memory'?" },
	    { 1, 15, "unknown key 'limit_memry' in test 'a'; did you mean "
		     "'limit_memory'?" } } },
	{ "several errors, all reported in file order",
	  "version: 2\n"
	  "discover: chek\n"
	  "stack_depth: deep\n"
	  "defaults:\n"
	  "  limit_memory: 10 XB\n"
	  "  limit_memroy: 5\n"
	  "  limit_fds: 5k\n"
	  "tests:\n"
	  "  foo:\n"
	  "    leak_filters:\n"
	  "      - {}\n"
	  "      - function: x\n"
	  "        function: y\n"
	  "  foo: {}\n"
	  "  bar: [1]\n"
	  "allocators:\n"
	  "  - size_arg: 7\n",
	  { { 1, 10, "unsupported policy version '2'; expected 1" },
	    { 2, 11, "unknown discover mode 'chek'; did you mean 'check'?" },
	    { 3, 14, "invalid stack_depth 'deep'; expected an integer from 1 "
		     "to 256" },
	    { 5, 17, "invalid size '10 XB' for 'limit_memory' in "
		     "'defaults': unknown unit; expected B, KB, MB, GB, TB, "
		     "PB, EB or KiB, MiB, GiB, TiB, PiB, EiB" },
	    { 6, 3, "unknown key 'limit_memroy' in 'defaults'; did you mean "
		    "'limit_memory'?" },
	    { 7, 14, "invalid count '5k' for 'limit_fds' in 'defaults'; "
		     "expected a non-negative integer such as '5000'" },
	    { 11, 9, "leak filter in test 'foo' has no field; expected at "
		     "least one of function, file, object or stack" },
	    { 13, 9, "duplicate key 'function' in a leak filter in test "
		     "'foo'; first defined at line 12, column 9" },
	    { 14, 3, "duplicate test 'foo'; first defined at line 9, "
		     "column 3" },
	    { 15, 8, "expected a mapping of limits for test 'bar', found a "
		     "sequence" },
	    { 17, 5, "allocator without 'alloc'; expected the name of the "
		     "function that returns the new block" },
	    { 17, 15, "invalid size_arg '7' in an allocator; expected an "
		      "integer from 1 to 6" } } },
	{ "several errors, the rest",
	  "tests:\n"
	  "  foo: {}\n"
	  "  foo: {}\n"
	  "  bar: [1]\n"
	  "allocators:\n"
	  "  - size_arg: 7\n"
	  "    frees: x\n",
	  { { 3, 3, "duplicate test 'foo'; first defined at line 2, "
		    "column 3" },
	    { 4, 8, "expected a mapping of limits for test 'bar', found a "
		    "sequence" },
	    { 6, 5, "allocator without 'alloc'; expected the name of the "
		    "function that returns the new block" },
	    { 6, 15, "invalid size_arg '7' in an allocator; expected an "
		     "integer from 1 to 6" },
	    { 7, 5, "unknown key 'frees' in an allocator; did you mean "
		    "'free'?" } } },
};

START_TEST(policy_rejects)
{
	const struct bad_case *c = &bad_cases[_i];
	struct policy_diag diag;
	struct policy *pol;
	size_t n = 0, i;

	while (n < MAX_ERRORS && c->errors[n].msg)
		n++;
	pol = policy_load_string("t.yaml", c->text, strlen(c->text), &diag);
	ck_assert_msg(pol == NULL, "%s: loaded", c->name);
	for (i = 0; i < diag.nerrors && i < n; i++) {
		const struct policy_error *e = &diag.errors[i];
		const struct expected_error *x = &c->errors[i];

		ck_assert_msg(e->line == x->line && e->column == x->column &&
			      !strcmp(e->msg, x->msg),
			      "%s: error %zu:\n got  %u:%u: %s\n want %u:%u: %s",
			      c->name, i, e->line, e->column, e->msg, x->line,
			      x->column, x->msg);
	}
	ck_assert_msg(diag.nerrors == n, "%s: %zu errors, want %zu (next: %s)",
		      c->name, diag.nerrors, n,
		      diag.nerrors > n ? diag.errors[n].msg : "none");
	policy_diag_release(&diag);
}
END_TEST

static const struct good_case {
	const char *name;
	const char *text;
	const char *printed;
} good_cases[] = {
	{ "the example of docs/policy.md",
	  "version: 1                      # optional\n"
	  "discover: check                 # auto (default) | check | ...\n"
	  "stack_depth: 16\n"
	  "defaults:\n"
	  "  limit_memory: 10 MB\n"
	  "  limit_leaks: 0 B\n"
	  "tests:\n"
	  "  test_money_create:\n"
	  "    limit_memory: 24 MB\n"
	  "  \"test_cache_*\":\n"
	  "    limit_leaks: 1 KB\n"
	  "    leak_filters:\n"
	  "      - function: \"regcomp\"\n"
	  "  parse_config:\n"
	  "    max_allocations: 5000\n"
	  "leak_filters:\n"
	  "  - object: \"libfontconfig.so*\"\n"
	  "allocators:\n"
	  "  - alloc: pool_alloc\n"
	  "    size_arg: 2\n"
	  "    free: pool_free\n",
	  "version: 1\n"
	  "discover: check\n"
	  "stack_depth: 16\n"
	  "defaults: limit_memory=10485760 limit_leaks=0\n"
	  "test test_money_create: limit_memory=25165824 limit_leaks=0\n"
	  "test \"test_cache_*\" (glob): limit_memory=10485760 "
	  "limit_leaks=1024 leak_filters=[function=regcomp]\n"
	  "test parse_config: limit_memory=10485760 limit_leaks=0 "
	  "max_allocations=5000\n"
	  "leak_filter: object=libfontconfig.so*\n"
	  "allocator: alloc=pool_alloc size_arg=2 free=pool_free\n" },
	{ "every default",
	  "tests:\n  test_foo:\n",
	  "version: 1\n"
	  "discover: auto\n"
	  "stack_depth: 16\n"
	  "defaults: unlimited\n"
	  "test test_foo: unlimited\n" },
	{ "null sections",
	  "defaults:\ntests:\nleak_filters:\nallocators: ~\n",
	  NULL },
	{ "every limit, every size spelling",
	  "defaults:\n"
	  "  limit_memory: 4096\n"
	  "  limit_leaks: \"512 B\"\n"
	  "  max_allocations: 5000\n"
	  "  max_allocated: 1.5GB\n"
	  "  limit_fds: 0\n"
	  "tests:\n"
	  "  a: {limit_memory: 100kb, max_allocated: 2 MiB}\n"
	  "  b:\n"
	  "    limit_fds: 3\n"
	  "    limit_leaks: 0.5 KiB\n"
	  "    max_allocated: 15 EiB\n",
	  "version: 1\n"
	  "discover: auto\n"
	  "stack_depth: 16\n"
	  "defaults: limit_memory=4096 limit_leaks=512 max_allocations=5000 "
	  "max_allocated=1610612736 limit_fds=0\n"
	  "test a: limit_memory=102400 limit_leaks=512 max_allocations=5000 "
	  "max_allocated=2097152 limit_fds=0\n"
	  "test b: limit_memory=4096 limit_leaks=512 max_allocations=5000 "
	  "max_allocated=17293822569102704640 limit_fds=3\n" },
	{ "globs, C++ names, quoting",
	  "discover: gtest\n"
	  "stack_depth: 256\n"
	  "tests:\n"
	  "  Parser_Handles_Empty_Test::TestBody: {limit_leaks: 0}\n"
	  "  \"test_?\": {limit_fds: 1}\n"
	  "  \"test_[ab]*\":\n"
	  "  \"odd name, with \\\"quotes\\\"\":\n"
	  "    leak_filters:\n"
	  "      - {function: \"std::*\", file: \"*/src/*.cc\"}\n"
	  "      - object: \"lib z.so\"\n"
	  "leak_filters:\n"
	  "  - function: \"re[gx]comp\"\n"
	  "    object: libc.so*\n"
	  "allocators:\n"
	  "  - alloc: xmalloc\n",
	  "version: 1\n"
	  "discover: gtest\n"
	  "stack_depth: 256\n"
	  "defaults: unlimited\n"
	  "test Parser_Handles_Empty_Test::TestBody: limit_leaks=0\n"
	  "test \"test_?\" (glob): limit_fds=1\n"
	  "test \"test_[ab]*\" (glob): unlimited\n"
	  "test \"odd name, with \\\"quotes\\\"\": unlimited "
	  "leak_filters=[function=std::* file=*/src/*.cc, "
	  "object=\"lib z.so\"]\n"
	  "leak_filter: function=\"re[gx]comp\" object=libc.so*\n"
	  "allocator: alloc=xmalloc size_arg=1\n" },
	{ "anchors and aliases",
	  "defaults: &d {limit_memory: 1 MB}\n"
	  "discover: none\n"
	  "tests:\n"
	  "  a: *d\n"
	  "  b: &e\n"
	  "    limit_leaks: 5 B\n"
	  "  c: *e\n",
	  "version: 1\n"
	  "discover: none\n"
	  "stack_depth: 16\n"
	  "defaults: limit_memory=1048576\n"
	  "test a: limit_memory=1048576\n"
	  "test b: limit_memory=1048576 limit_leaks=5\n"
	  "test c: limit_memory=1048576 limit_leaks=5\n" },
	{ "leak kinds, global and per test",
	  "leak_kinds: [definite, indirect]\n"
	  "defaults:\n  limit_leaks: 0 B\n"
	  "tests:\n"
	  "  t_all: {leak_kinds: all}\n"
	  "  t_one: {leak_kinds: reachable}\n"
	  "  t_none: {leak_kinds: []}\n"
	  "  t_plain: {limit_fds: 0}\n",
	  "version: 1\n"
	  "discover: auto\n"
	  "stack_depth: 16\n"
	  "defaults: limit_leaks=0 leak_kinds=[definite,indirect]\n"
	  "test t_all: limit_leaks=0 "
	  "leak_kinds=[definite,indirect,possible,reachable]\n"
	  "test t_one: limit_leaks=0 leak_kinds=[reachable]\n"
	  "test t_none: limit_leaks=0 leak_kinds=[]\n"
	  "test t_plain: limit_leaks=0 limit_fds=0 "
	  "leak_kinds=[definite,indirect]\n" },
	{ "flow style, explicit document, comments",
	  "--- # a policy\n"
	  "{discover: cmocka, tests: {t: {max_allocations: 0}}}\n"
	  "...\n",
	  "version: 1\n"
	  "discover: cmocka\n"
	  "stack_depth: 16\n"
	  "defaults: unlimited\n"
	  "test t: max_allocations=0\n" },
	{ "allocator shapes and program limits",
	  "discover: none\n"
	  "program: {limit_memory: 1 GB, max_allocations: 10}\n"
	  "allocators:\n"
	  "  - {alloc: cork_new, size: 64, free: cork_free, free_arg: 2}\n"
	  "  - {alloc: counted, size: none}\n"
	  "  - {alloc: xcalloc, count_arg: 1, size_arg: 2, free: xfree}\n",
	  "version: 1\n"
	  "discover: none\n"
	  "stack_depth: 16\n"
	  "defaults: unlimited\n"
	  "program: limit_memory=1073741824 max_allocations=10\n"
	  "allocator: alloc=cork_new size=64 free=cork_free free_arg=2\n"
	  "allocator: alloc=counted size=none\n"
	  "allocator: alloc=xcalloc count_arg=1 size_arg=2 free=xfree\n" },
	{ "functions and scopes",
	  "scope: function\n"
	  "tests:\n"
	  "  t: {scope: test}\n"
	  "functions:\n"
	  "  \"parse_*\": {max_allocations: 5, scope: function}\n"
	  "  exact_one: {}\n",
	  "version: 1\n"
	  "discover: auto\n"
	  "stack_depth: 16\n"
	  "scope: function\n"
	  "defaults: unlimited\n"
	  "test t: unlimited scope=test\n"
	  "function \"parse_*\" (glob): max_allocations=5 scope=function\n"
	  "function exact_one: unlimited\n" },
	{ "a UTF-8 byte order mark and a non-ASCII test name",
	  "\xef\xbb\xbftests:\n  caf\xc3\xa9: {limit_fds: 1}\n",
	  "version: 1\n"
	  "discover: auto\n"
	  "stack_depth: 16\n"
	  "defaults: unlimited\n"
	  "test caf\xc3\xa9: limit_fds=1\n" },
};

START_TEST(policy_loads)
{
	const struct good_case *c = &good_cases[_i];
	struct policy_diag diag;
	struct policy *pol;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	pol = policy_load_string("t.yaml", c->text, strlen(c->text), &diag);
	ck_assert_msg(pol != NULL, "%s: %u:%u: %s", c->name,
		      diag.nerrors ? diag.errors[0].line : 0,
		      diag.nerrors ? diag.errors[0].column : 0,
		      diag.nerrors ? diag.errors[0].msg : "?");
	ck_assert_uint_eq(diag.nerrors, 0);
	fp = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(fp);
	policy_print(fp, pol);
	fclose(fp);
	if (c->printed)
		ck_assert_msg(!strcmp(out, c->printed),
			      "%s:\n got:\n%s\n want:\n%s", c->name, out,
			      c->printed);
	free(out);
	policy_free(pol);
	policy_diag_release(&diag);
}
END_TEST

static struct policy *load(const char *text)
{
	struct policy_diag diag;
	struct policy *pol;

	pol = policy_load_string(NULL, text, strlen(text), &diag);
	ck_assert_msg(pol != NULL, "%s", diag.nerrors ? diag.errors[0].msg :
		      "?");
	policy_diag_release(&diag);
	return pol;
}

START_TEST(policy_match_exact_beats_glob)
{
	struct policy *pol = load(
		"tests:\n"
		"  \"test_*\": {limit_fds: 1}\n"
		"  \"test_c*\": {limit_fds: 2}\n"
		"  test_cache: {limit_fds: 3}\n"
		"  \"t?st_x\": {limit_fds: 4}\n"
		"  \"*::TestBody\": {limit_fds: 5}\n");
	const struct test_entry *te;

	ck_assert_str_eq(pol->path, "<string>");
	te = policy_match(pol, "test_cache");
	ck_assert_ptr_nonnull(te);
	ck_assert_str_eq(te->pattern, "test_cache");
	ck_assert_int_eq(te->is_glob, 0);
	ck_assert_uint_eq(te->line, 4);
	ck_assert_uint_eq(te->column, 3);
	/* first glob in file order, though "test_c*" is more specific */
	te = policy_match(pol, "test_cachex");
	ck_assert_str_eq(te->pattern, "test_*");
	ck_assert_int_eq(te->is_glob, 1);
	te = policy_match(pol, "tast_x");
	ck_assert_str_eq(te->pattern, "t?st_x");
	te = policy_match(pol, "Foo_Bar_Test::TestBody");
	ck_assert_str_eq(te->pattern, "*::TestBody");
	ck_assert_ptr_null(policy_match(pol, "parse_config"));
	ck_assert_ptr_null(policy_match(pol, ""));
	policy_free(pol);
}
END_TEST

START_TEST(policy_limits_merge)
{
	struct policy *pol = load(
		"defaults: {limit_memory: 10 MB, limit_leaks: 0}\n"
		"tests:\n"
		"  a: {limit_memory: 24 MB, limit_fds: 2}\n"
		"  b:\n");
	struct limits l;

	policy_limits_for(pol, NULL, &l);
	ck_assert_uint_eq(l.set, LIMIT_MEMORY | LIMIT_LEAKS);
	ck_assert_uint_eq(l.memory, 10485760);
	ck_assert_uint_eq(l.leaks, 0);

	policy_limits_for(pol, policy_match(pol, "a"), &l);
	ck_assert_uint_eq(l.set, LIMIT_MEMORY | LIMIT_LEAKS | LIMIT_FDS);
	ck_assert_uint_eq(l.memory, 25165824);
	ck_assert_uint_eq(l.leaks, 0);
	ck_assert_uint_eq(l.fds, 2);
	/* the entry keeps only what it sets */
	ck_assert_uint_eq(pol->tests[0].limits.set, LIMIT_MEMORY | LIMIT_FDS);

	policy_limits_for(pol, policy_match(pol, "b"), &l);
	ck_assert_uint_eq(l.set, LIMIT_MEMORY | LIMIT_LEAKS);
	ck_assert_uint_eq(l.memory, 10485760);
	policy_free(pol);
}
END_TEST

START_TEST(policy_fields)
{
	struct policy *pol = load(
		"leak_filters:\n"
		"  - function: f\n"
		"    file: \"*.c\"\n"
		"allocators:\n"
		"  - alloc: pool_alloc\n"
		"  - {alloc: arena_alloc, size_arg: 6, free: arena_free}\n");

	ck_assert_uint_eq(pol->version, 1);
	ck_assert_int_eq(pol->discover, DISCOVER_AUTO);
	ck_assert_uint_eq(pol->stack_depth, POLICY_DEFAULT_STACK_DEPTH);
	ck_assert_uint_eq(pol->ntests, 0);
	ck_assert_uint_eq(pol->nfilters, 1);
	ck_assert_str_eq(pol->filters[0].function, "f");
	ck_assert_str_eq(pol->filters[0].file, "*.c");
	ck_assert_ptr_null(pol->filters[0].object);
	ck_assert_uint_eq(pol->filters[0].line, 2);
	ck_assert_uint_eq(pol->nallocators, 2);
	ck_assert_str_eq(pol->allocators[0].alloc, "pool_alloc");
	ck_assert_uint_eq(pol->allocators[0].size_arg, 1);
	ck_assert_ptr_null(pol->allocators[0].free);
	ck_assert_uint_eq(pol->allocators[0].line, 5);
	ck_assert_str_eq(pol->allocators[1].alloc, "arena_alloc");
	ck_assert_uint_eq(pol->allocators[1].size_arg, 6);
	ck_assert_str_eq(pol->allocators[1].free, "arena_free");
	policy_free(pol);
}
END_TEST

START_TEST(policy_discover_names)
{
	static const char *const names[] = {
		"auto", "check", "gtest", "cmocka", "none",
	};
	char text[64];
	int i;

	for (i = DISCOVER_AUTO; i <= DISCOVER_NONE; i++) {
		struct policy *pol;

		ck_assert_str_eq(discover_mode_name((enum discover_mode)i),
				 names[i]);
		snprintf(text, sizeof(text), "discover: %s\n", names[i]);
		pol = load(text);
		ck_assert_int_eq(pol->discover, i);
		policy_free(pol);
	}
	ck_assert_str_eq(discover_mode_name((enum discover_mode)99),
			 "unknown");
}
END_TEST

START_TEST(policy_file_loads)
{
	struct policy_diag diag;
	struct policy *pol;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	pol = policy_load_file("policies/example.yaml", &diag);
	ck_assert_msg(pol != NULL, "%s", diag.nerrors ? diag.errors[0].msg :
		      "?");
	ck_assert_str_eq(pol->path, "policies/example.yaml");
	fp = open_memstream(&out, &len);
	policy_print(fp, pol);
	fclose(fp);
	ck_assert_str_eq(out,
		"version: 1\n"
		"discover: check\n"
		"stack_depth: 16\n"
		"defaults: limit_memory=10485760 limit_leaks=0\n"
		"test test_money_create: limit_memory=25165824 "
		"limit_leaks=0\n"
		"test \"test_cache_*\" (glob): limit_memory=10485760 "
		"limit_leaks=1024 leak_filters=[function=regcomp]\n"
		"test parse_config: limit_memory=10485760 limit_leaks=0 "
		"max_allocations=5000\n"
		"leak_filter: object=libfontconfig.so*\n"
		"allocator: alloc=pool_alloc size_arg=2 free=pool_free\n");
	free(out);
	policy_free(pol);
	policy_diag_release(&diag);
}
END_TEST

START_TEST(policy_file_errors_print)
{
	struct policy_diag diag;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	ck_assert_ptr_null(policy_load_file("policies/broken.yaml", &diag));
	fp = open_memstream(&out, &len);
	policy_diag_print(fp, "policies/broken.yaml", &diag);
	fclose(fp);
	ck_assert_str_eq(out,
		"policies/broken.yaml:3:3: error: unknown key 'limit_memroy' "
		"in 'defaults'; did you mean 'limit_memory'?\n"
		"policies/broken.yaml:6:19: error: invalid size '10 XB' for "
		"'limit_memory' in test 'test_money_create': unknown unit; "
		"expected B, KB, MB, GB, TB, PB, EB or KiB, MiB, GiB, TiB, "
		"PiB, EiB\n"
		"policies/broken.yaml:7:3: error: duplicate test "
		"'test_money_create'; first defined at line 5, column 3\n"
		"policies/broken.yaml:10:5: error: allocator without 'alloc'; "
		"expected the name of the function that returns the new "
		"block\n");
	free(out);
	policy_diag_release(&diag);
}
END_TEST

START_TEST(policy_file_missing)
{
	struct policy_diag diag;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	ck_assert_ptr_null(policy_load_file("policies/missing.yaml", &diag));
	ck_assert_uint_eq(diag.nerrors, 1);
	ck_assert_uint_eq(diag.errors[0].line, 0);
	ck_assert_str_eq(diag.errors[0].msg, "could not open policy "
			 "'policies/missing.yaml': No such file or directory");
	fp = open_memstream(&out, &len);
	policy_diag_print(fp, "policies/missing.yaml", &diag);
	fclose(fp);
	ck_assert_str_eq(out, "policies/missing.yaml: error: could not open "
			 "policy 'policies/missing.yaml': No such file or "
			 "directory\n");
	free(out);
	policy_diag_release(&diag);
}
END_TEST

START_TEST(policy_file_directory)
{
	struct policy_diag diag;

	ck_assert_ptr_null(policy_load_file("policies", &diag));
	ck_assert_uint_eq(diag.nerrors, 1);
	ck_assert_str_eq(diag.errors[0].msg, "could not read policy "
			 "'policies': Is a directory");
	policy_diag_release(&diag);
}
END_TEST

/* Without a diag, errors are dropped and nothing leaks. */
START_TEST(policy_null_diag)
{
	static const char text[] = "tests: [\n";

	ck_assert_ptr_null(policy_load_string("x", text, sizeof(text) - 1,
					      NULL));
	ck_assert_ptr_null(policy_load_file("policies/missing.yaml", NULL));
	policy_free(NULL);
	policy_diag_release(NULL);
}
END_TEST

/* The length bounds the text: no NUL needed, none read past. */
START_TEST(policy_length_bounds_text)
{
	static const char text[] = "discover: check\nthis is not yaml: [";
	struct policy_diag diag;
	struct policy *pol;

	pol = policy_load_string("x", text, strlen("discover: check\n"),
				 &diag);
	ck_assert_ptr_nonnull(pol);
	ck_assert_int_eq(pol->discover, DISCOVER_CHECK);
	policy_free(pol);
	policy_diag_release(&diag);
}
END_TEST

/* Past POLICY_MAX_BYTES: refused, whatever the text; at it: read. */
START_TEST(policy_size_bound)
{
	size_t len = POLICY_MAX_BYTES + 1;
	char *text = malloc(len);
	struct policy_diag diag;
	struct policy *pol;

	ck_assert_ptr_nonnull(text);
	memset(text, '#', len);
	pol = policy_load_string("big", text, len, &diag);
	ck_assert_ptr_null(pol);
	ck_assert_uint_eq(diag.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(diag.errors[0].msg, "16 MiB"));
	policy_diag_release(&diag);
	/* A comment of exactly the bound is an empty policy: an error of
	 * its own, not the size's. */
	pol = policy_load_string("big", text, len - 1, &diag);
	ck_assert_ptr_null(pol);
	ck_assert_ptr_null(strstr(diag.errors[0].msg, "16 MiB"));
	policy_diag_release(&diag);
	free(text);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *make_policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_loop_test(tc, policy_rejects, 0, N(bad_cases));
	tcase_add_loop_test(tc, policy_loads, 0, N(good_cases));
	tcase_add_test(tc, policy_match_exact_beats_glob);
	tcase_add_test(tc, policy_limits_merge);
	tcase_add_test(tc, policy_fields);
	tcase_add_test(tc, policy_discover_names);
	tcase_add_test(tc, policy_file_loads);
	tcase_add_test(tc, policy_file_errors_print);
	tcase_add_test(tc, policy_file_missing);
	tcase_add_test(tc, policy_file_directory);
	tcase_add_test(tc, policy_null_diag);
	tcase_add_test(tc, policy_length_bounds_text);
	tcase_add_test(tc, policy_size_bound);
	suite_add_tcase(s, tc);
	return s;
}
