#!/bin/sh
# leak_kinds: what a library keeps on purpose is reported, not judged.
# samples/reachable: per-thread error state in a __thread pointer (the main
# thread's and a worker's that is blocked when the test returns) and a
# function-local static cache are reachable; a map dropped with its ten
# children is one definite group holding the children's bytes, and one
# indirect group. The sample writes the figures on fd 3.
#   policy.yaml      limit_leaks 0 B, default kinds: only the map fails
#   policy-all.yaml  leak_kinds lists reachable: the error state fails too;
#                    test_cache keeps [definite] and passes
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/reachable/reachable samples/reachable/policy.yaml \
	samples/reachable/policy-all.yaml

P=samples/reachable/reachable
J=$WORK/default.json
run_memsup --policy samples/reachable/policy.yaml --json "$J" \
	--junit-xml "$WORK/default.xml" "$P" 3>"$WORK/expected"
expect_status 1

# fig TEST KIND: "BYTES BLOCKS" (or BYTES for "held") from fd 3
fig()
{
	sed -n "s/^$1 $2 //p" "$WORK/expected"
}
[ -n "$(fig test_tree_leak held)" ] || hard_error "$P wrote no figures on fd 3"
set -- $(fig test_error_state reachable); err_bytes=$1 err_blocks=$2
set -- $(fig test_cache reachable); cache_bytes=$1 cache_blocks=$2
set -- $(fig test_tree_leak definite); map_bytes=$1 map_blocks=$2
set -- $(fig test_tree_leak indirect); kids_bytes=$1 kids_blocks=$2
held=$(fig test_tree_leak held)

match_json "$J" '[.scopes[] | [.name, .status]]' \
	'[["test_error_state", "passed"], ["test_cache", "passed"],
	  ["test_tree_leak", "failed"]]'
match_json "$J" '.scopes[0].metrics.leaked_by_kind.reachable' \
	"{\"bytes\": $err_bytes, \"blocks\": $err_blocks}"
match_json "$J" '[.scopes[0].leaks[].kind] | unique' '["reachable"]'
match_json "$J" '[.scopes[0].leaks[] | .judged]' '[false, false, false, false]'
match_json "$J" '.scopes[1].metrics.leaked_by_kind.reachable' \
	"{\"bytes\": $cache_bytes, \"blocks\": $cache_blocks}"
match_json "$J" '.scopes[2].metrics.leaked_by_kind' \
	"{\"definite\": {\"bytes\": $map_bytes, \"blocks\": $map_blocks},
	  \"indirect\": {\"bytes\": $kids_bytes, \"blocks\": $kids_blocks},
	  \"possible\": {\"bytes\": 0, \"blocks\": 0},
	  \"reachable\": {\"bytes\": 0, \"blocks\": 0}}"
match_json "$J" '[.scopes[2].leaks[] | [.kind, .bytes, .blocks, .indirect_bytes]]' \
	"[[\"definite\", $map_bytes, $map_blocks, $held],
	  [\"indirect\", $kids_bytes, $kids_blocks, null]]"
# v1's figures keep their meaning: every block live at the close
match_json "$J" '.scopes[2].metrics | [.leaked_bytes, .leaked_blocks]' \
	"[$((map_bytes + kids_bytes)), $((map_blocks + kids_blocks))]"
match_json "$J" '.scopes[2].failures[0].value' "$kids_bytes"

total=$((map_bytes + held))
line="    - ${total}.0B (${map_bytes}.0B direct, ${held}.0B indirect) in 1 block definitely lost here:"
grep -qxF "$line" "$WORK/stderr" ||
	{ show_run; fail "the terminal does not say: $line"; }
grep -qF "definitely lost here:" "$WORK/default.xml" &&
	grep -qF "${kids_bytes}.0B in ${kids_blocks} blocks indirectly lost here:" \
		"$WORK/default.xml" ||
	fail "the JUnit failure text does not name the kinds"

# the breakpoint engine: the same verdicts and kinds
run_memsup --engine=breakpoint --policy samples/reachable/policy.yaml \
	--json "$WORK/bp.json" "$P" 3>/dev/null
expect_status 1
match_json "$WORK/bp.json" '[.scopes[] | [.name, .status, .metrics.leaked_by_kind]]' \
	"$(jq -c '[.scopes[] | [.name, .status, .metrics.leaked_by_kind]]' "$J")"

J=$WORK/all.json
run_memsup --policy samples/reachable/policy-all.yaml --json "$J" "$P" 3>/dev/null
expect_status 1
match_json "$J" '[.scopes[] | [.name, .status]]' \
	'[["test_error_state", "failed"], ["test_cache", "passed"],
	  ["test_tree_leak", "failed"]]'
match_json "$J" '[.scopes[0].leaks[] | has("judged")] | any' 'false'
grep -qF "still reachable here:" "$WORK/stderr" ||
	{ show_run; fail "the terminal does not call the error state reachable"; }
exit 0
