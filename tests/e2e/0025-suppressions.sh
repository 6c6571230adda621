#!/bin/sh
# Suppression files as leak filters: a valgrind .supp (hand-written, and
# one valgrind itself generated) and a LeakSanitizer file filter exactly
# the leaks they name; bad files are policy errors; --gen-filters output
# pasted into a policy filters exactly the leaks it was printed for.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite samples/stacks/stacks
J=$WORK/s.json

# filtered FILE: "function filtered" per leak of test_leak and test_fd
filtered() {
	jq -r '.scopes[] | select(.name == "test_leak" or .name == "test_fd") |
		.leaks[] | "\(.stack[0].function) \(.filtered)"' "$1" | sort
}

cat >"$WORK/app.supp" <<'SUPP'
# valgrind's format: the allocator's frame first, as valgrind writes it
{
   node_leak
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:make_node
   fun:test_leak_*
   ...
}
{
   not_a_leak
   Memcheck:Cond
   fun:make_label
}
{
   by_object_and_source
   Memcheck:Leak
   src:cache.c:14
   obj:*/check-suite
}
SUPP
cat >"$WORK/lsan.supp" <<'SUPP'
# LeakSanitizer's format
leak:open_log
race:make_label
SUPP
cat >"$WORK/p.yaml" <<'YAML'
discover: check
defaults:
  limit_leaks: 0 B
leak_kinds: all
suppressions:
  - app.supp
  - lsan.supp
YAML
run_memsup --policy "$WORK/p.yaml" --json "$J" --all-stacks samples/check-suite/check-suite
filtered "$J" >"$WORK/got"
printf '%s\n' '__fopen_internal true' 'cache_intern true' 'make_label false' 'make_node true' >"$WORK/want"
diff -u "$WORK/want" "$WORK/got" || fail "the suppression files filtered other leaks than they name"
match_json "$J" '[.scopes[] | select(.name == "test_leak") | .failures[].value]' "[$(sed -n 's/^#define LABEL_BLOCKS[[:space:]]*//p' samples/check-suite/suite.h) * $(sed -n 's/^#define LABEL_SIZE[[:space:]]*//p' samples/check-suite/suite.h)]"

run_memsup check-policy "$WORK/p.yaml"
expect_status 0
grep -q '^suppressions: 3 leak entries (2 other entries ignored)$' "$WORK/stdout" ||
	{ show_run; fail "check-policy does not count the suppressions"; }

# A suppression file valgrind generated itself for the same program.
if command -v valgrind >/dev/null 2>&1; then
	CK_FORK=no valgrind --leak-check=full --gen-suppressions=all \
		--log-file="$WORK/vg.log" samples/check-suite/check-suite >/dev/null 2>&1
	awk '/^\{/,/^\}/' "$WORK/vg.log" >"$WORK/vg.supp"
	grep -q 'fun:make_node' "$WORK/vg.supp" || hard_error "valgrind reported no leak of make_node"
	printf 'discover: check\ndefaults:\n  limit_leaks: 0 B\nleak_kinds: all\nsuppressions: [vg.supp]\n' >"$WORK/vg.yaml"
	CK_FORK=no run_memsup --policy "$WORK/vg.yaml" --json "$J" --all-stacks samples/check-suite/check-suite
	# valgrind reports the definitely lost blocks (make_node, make_label);
	# the cache and the FILE stay reachable, so it names neither
	filtered "$J" >"$WORK/got"
	printf '%s\n' '__fopen_internal false' 'cache_intern false' 'make_label true' 'make_node true' >"$WORK/want"
	diff -u "$WORK/want" "$WORK/got" || fail "valgrind's own suppressions filtered other leaks"
fi

# Bad files: the policy is refused, naming the file and line.
printf '{\n   x\n   Memcheck:Leak\n   fun:a\n' >"$WORK/open.supp"
printf 'suppressions: [open.supp]\n' >"$WORK/bad.yaml"
run_memsup --policy "$WORK/bad.yaml" samples/basic/basic
expect_status 2
expect_stderr 'open\.supp' 'not closed'
printf '{\n   x\n   Memcheck:Leak\n   bogus:a\n}\n' >"$WORK/frame.supp"
printf 'suppressions: [frame.supp]\n' >"$WORK/bad.yaml"
run_memsup --policy "$WORK/bad.yaml" samples/basic/basic
expect_status 2
expect_stderr 'frame\.supp:4' 'fun:'
printf 'suppressions: [missing.supp]\n' >"$WORK/bad.yaml"
run_memsup --policy "$WORK/bad.yaml" samples/basic/basic
expect_status 2
expect_stderr 'missing\.supp' 'cannot read'

# --gen-filters: one entry per leaking stack; pasting every other entry
# filters exactly those leaks (samples/stacks: 9 stacks, one block each).
P=samples/stacks/policy.yaml
run_memsup --gen-filters --all-stacks --policy "$P" --json "$J" samples/stacks/stacks
expect_status 1
sed -n '/^memsup: leak filters for the 9 leaking call stacks/,/^$/p' "$WORK/stderr" |
	grep '^- stack: ' >"$WORK/entries"
[ "$(wc -l <"$WORK/entries")" = 9 ] || { show_run; fail "--gen-filters printed $(wc -l <"$WORK/entries") entries for 9 stacks"; }
sed -n '/^memsup: leak filters/,/^$/p' "$WORK/stderr" | grep -B1 '^- stack: ' |
	grep '^# ' | sed 's/.*: \([0-9]*\) B in.*/\1/' >"$WORK/entry-bytes"
{
	echo "discover: none"
	echo "tests:"
	echo "  run_test:"
	echo "    limit_leaks: 0 B"
	echo "    leak_filters:"
	awk 'NR % 2 == 1' "$WORK/entries" | sed 's/^/      /'
} >"$WORK/gen.yaml"
want=$(awk 'NR % 2 == 1' "$WORK/entry-bytes" | sort -n | jq -s -c .)
run_memsup --policy "$WORK/gen.yaml" --json "$J" --all-stacks samples/stacks/stacks
match_json "$J" '[.scopes[0].leaks[] | select(.filtered) | .bytes] | sort' "$want"
match_json "$J" '[.scopes[0].leaks[] | select(.filtered | not)] | length' 4
exit 0
