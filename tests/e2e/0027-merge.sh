#!/bin/sh
# memsup merge: the --json files of two shards of a Check suite (one
# TCase each, CK_RUN_CASE) merge into the document of the single run:
# the same scopes with the same figures, verdicts, failures and stacks,
# the same exit statuses; memsup compare finds no difference.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite
P=samples/check-suite/limits.yaml
S=samples/check-suite/check-suite

for c in Core Limits; do
	CK_RUN_CASE=$c run_memsup -q --all-stacks --policy $P --json "$WORK/$c.json" $S
done
run_memsup -q --all-stacks --policy $P --json "$WORK/single.json" $S
expect_status 1
run_memsup merge "$WORK/Core.json" "$WORK/Limits.json" -o "$WORK/merged.json"
expect_status 0
expect_json "$WORK/merged.json"

# What differs between any two runs: pids, times, addresses (ASLR).
norm='{exit_status, program_exit_status, program, policy,
	scopes: [.scopes[] | del(.pid, .time) |
		 (.. | objects | select(has("address"))) |= del(.address)]
		| sort_by(.name)}'
jq -S "$norm" "$WORK/single.json" >"$WORK/single.norm"
jq -S "$norm" "$WORK/merged.json" >"$WORK/merged.norm"
diff -u "$WORK/single.norm" "$WORK/merged.norm" ||
	fail "the merged shards differ from the single run"
match_json "$WORK/merged.json" '.merged_from | length' 2

run_memsup compare "$WORK/single.json" "$WORK/merged.json" \
	--fail-on peak:0% --fail-on allocations:0 --fail-on leaked:0
expect_status 0

# Bad input is a usage error.
run_memsup merge "$WORK/Core.json" -o
expect_status 2
echo '{"a": 1}' >"$WORK/other.json"
run_memsup merge "$WORK/other.json" -o "$WORK/x.json"
expect_status 2
expect_stderr 'other\.json' 'not a memsup'
run_memsup merge "$WORK/missing.json" -o "$WORK/x.json"
expect_status 2
[ -e "$WORK/x.json" ] && fail "merge wrote a file from bad input"
exit 0
