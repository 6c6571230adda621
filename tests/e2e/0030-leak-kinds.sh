#!/bin/sh
# Leak kinds against valgrind: samples/leaks/{tree,cycle,cases} build the
# shapes of valgrind's own memcheck tests (a tree with cut branches, rings
# lost apart and joined, the nine start/interior pointer chains) and write
# on fd 3 the bytes and blocks of each kind they leave at exit, from their
# own constants. memsup's whole-program scope (no policy) must report
# exactly those in metrics.leaked_by_kind, with either engine, and
# valgrind's LEAK SUMMARY
# (--leak-check=full --show-leak-kinds=all --run-libc-freeres=no) the same
# on the same binary; the JSON leak groups say their kind, and a definite
# group the indirect bytes it holds.
. "${0%/*}/lib.sh"
require_memsup
require_prog valgrind python3
require_sample samples/leaks/tree samples/leaks/cycle samples/leaks/cases

# kinds_json FILE: the "KIND BYTES BLOCKS" lines of FILE as a JSON object.
kinds_json()
{
	python3 - "$1" <<'PY'
import json, sys
k = {}
for line in open(sys.argv[1]):
    kind, b, n = line.split()
    k[kind] = {"bytes": int(b), "blocks": int(n)}
if sorted(k) != ["definite", "indirect", "possible", "reachable"]:
    sys.exit("bad expectations: %r" % k)
print(json.dumps(k, sort_keys=True))
PY
}

# vg_kinds LOG: valgrind's LEAK SUMMARY as the same JSON object.
vg_kinds()
{
	python3 - "$1" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read().replace(",", "")
names = {"definitely lost": "definite", "indirectly lost": "indirect",
         "possibly lost": "possible", "still reachable": "reachable"}
k = {}
for what, kind in names.items():
    m = re.search(what + r": (\d+) bytes in (\d+) blocks", t)
    if not m:
        sys.exit("no '%s' in the leak summary of %s" % (what, sys.argv[1]))
    k[kind] = {"bytes": int(m.group(1)), "blocks": int(m.group(2))}
m = re.search(r"suppressed: (\d+) bytes", t)
if m and int(m.group(1)):
    sys.exit("valgrind suppressed leaks in %s" % sys.argv[1])
print(json.dumps(k, sort_keys=True))
PY
}

for s in tree cycle cases; do
	P=samples/leaks/$s
	J=$WORK/$s.json
	run_memsup --all-stacks --json "$J" "$P" 3>"$WORK/$s.expected"
	expect_status 0
	want=$(kinds_json "$WORK/$s.expected") ||
		hard_error "$P wrote no expectations on fd 3"
	match_json "$J" '.scopes | length' 1
	match_json "$J" '.scopes[0].metrics.leaked_by_kind' "$want"
	# every block live at exit, whatever its kind
	match_json "$J" '.scopes[0].metrics | [.leaked_bytes, .leaked_blocks]' \
		"$(echo "$want" | jq -c '[([.[].bytes] | add), ([.[].blocks] | add)]')"
	# the groups add up to the kinds
	match_json "$J" '[.scopes[0].leaks | group_by(.kind)[]
		| {key: .[0].kind, value: {bytes: (map(.bytes) | add),
		   blocks: (map(.blocks) | add)}}] | from_entries
		| with_entries(select(.value.blocks > 0))' \
		"$(echo "$want" | jq -c 'with_entries(select(.value.blocks > 0))')"

	# the breakpoint engine classifies the same blocks the same way
	run_memsup --all-stacks --engine=breakpoint --json "$WORK/$s-bp.json" "$P" 3>/dev/null
	expect_status 0
	match_json "$WORK/$s-bp.json" '.scopes[0].metrics.leaked_by_kind' "$want"

	valgrind --leak-check=full --show-leak-kinds=all \
		--run-libc-freeres=no --log-file="$WORK/$s.vg" "$P" \
		3>/dev/null >/dev/null 2>&1
	got=$(vg_kinds "$WORK/$s.vg") || hard_error "valgrind failed on $P"
	[ "$got" = "$want" ] || fail "$s: valgrind's leak summary
	expected: $want
	valgrind: $got"
done

# The tree: d alone and c holding f and g are the two definite groups
# (each its own call site); the terminal says it valgrind's way.
J=$WORK/tree.json
match_json "$J" '[.scopes[0].leaks[] | select(.kind == "definite")
	| [.bytes, .blocks, .indirect_bytes]] | sort' '[[16, 1, 0], [16, 1, 32]]'
match_json "$J" '[.scopes[0].leaks[] | select(.kind != "definite")
	| has("indirect_bytes")] | any' 'false'
run_memsup samples/leaks/tree 3>/dev/null
grep -q '^    - 48.0B (16.0B direct, 32.0B indirect) in 1 block definitely lost here:$' \
	"$WORK/stderr" || { show_run; fail "no definite group with its indirect bytes on the terminal"; }
grep -q '^memsup:     still reachable: 48 bytes in 3 blocks$' "$WORK/stderr" ||
	{ show_run; fail "no leak summary by kind on the terminal"; }
exit 0
