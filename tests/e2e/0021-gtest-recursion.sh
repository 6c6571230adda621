#!/bin/sh
# gtest-like and recursion (docs/discovery.md): GoogleTest-shaped tests found
# by their demangled *_Test::TestBody names and shown as Suite.Name, an
# exception thrown out of a test (unfinished, the program goes on), a
# recursive boundary measured once, a longjmp out of a boundary, and
# repeated calls numbered name[i]. Figures from the samples' comments.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/gtest-like/gtest-like
require_sample samples/recursion/recursion

J=$WORK/gtest.json
run_memsup --policy samples/gtest-like/policy.yaml --json "$J" \
	samples/gtest-like/gtest-like
expect_status 1		# Parser.Leaks breaks limit_leaks
expect_stdout "caught: parser failed
gtest-like: done"
match_json "$J" '[.scopes[] | {name, classname, status, checks: [.failures[].check]}]' \
	'[{"name": "Vector.Grows", "classname": "Vector", "status": "passed", "checks": []},
	  {"name": "Parser.Leaks", "classname": "Parser", "status": "failed", "checks": ["limit_leaks"]},
	  {"name": "Parser.Throws", "classname": "Parser", "status": "unfinished", "checks": []}]'
# vector<int> growing to 64 ints: buffers of 4, 8, ..., 256 bytes; the
# peak is the last two (256 + 128) while elements are moved.
match_metrics "$J" '.name == "Vector.Grows"' "$(metrics_json 7 7 508 384 0 0)"
match_metrics "$J" '.name == "Parser.Leaks"' "$(metrics_json 1 0 200 200 200 1)"
match_metrics "$J" '.name == "Parser.Throws"' "$(metrics_json 2 0 182 182 182 2)"
match_json "$J" '[.scopes[] | select(.name == "Parser.Throws") | .reason | test("abandoned")]' '[true]'
match_json "$J" '[.scopes[] | select(.name == "Parser.Leaks") | .leaks[0].stack[0] | {function, line}]' \
	"[{\"function\": \"Parser_Leaks_Test::TestBody()\", \"line\": $(grep -n 'leaked = new char' samples/gtest-like/gtest-like.cc | cut -d: -f1)}]"
expect_pids_gone "$J"

# recursion.c: walk(5) mallocs 64 at each of 6 levels, all live at the
# deepest; escape() mallocs 77 and longjmps; repeat(i) 100 * (i + 1),
# limited to 150.
J=$WORK/recursion.json
run_memsup --policy samples/recursion/policy.yaml --json "$J" \
	samples/recursion/recursion
expect_status 1
match_json "$J" '[.scopes[] | {name, status, checks: [.failures[].check]}]' \
	'[{"name": "walk", "status": "passed", "checks": []},
	  {"name": "escape", "status": "unfinished", "checks": []},
	  {"name": "repeat[0]", "status": "passed", "checks": []},
	  {"name": "repeat[1]", "status": "failed", "checks": ["limit_memory"]},
	  {"name": "repeat[2]", "status": "failed", "checks": ["limit_memory"]}]'
match_metrics "$J" '.name == "walk"' "$(metrics_json 6 6 384 384 0 0)"
match_metrics "$J" '.name == "escape"' "$(metrics_json 1 0 77 77 77 1)"
for i in 0 1 2; do
	b=$((100 * (i + 1)))
	match_metrics "$J" ".name == \"repeat[$i]\"" "$(metrics_json 1 1 $b $b 0 0)"
done
expect_pids_gone "$J"
# The lines printed as the calls finish: nothing registered repeat() to
# run more than once, so its first call prints "repeat" and the later
# ones their number (docs/reports.md); the files say repeat[0].
live=$(sed -n 's/^memsup: [A-Z]* *\(repeat[^ ]*\).*/\1/p' "$WORK/stderr" | tr '\n' ' ')
[ "$live" = "repeat repeat[1] repeat[2] " ] ||
	{ show_run; fail "the lines printed as repeat's calls finish: $live"; }

# list-tests: the gtest names, without running the program.
run_memsup list-tests --policy samples/gtest-like/policy.yaml \
	samples/gtest-like/gtest-like
expect_status 0
grep -q '^Parser.Throws' "$WORK/stdout" || { show_run; fail "list-tests does not list Parser.Throws"; }
exit 0
