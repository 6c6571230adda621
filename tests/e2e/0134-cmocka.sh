#!/bin/sh
# A cmocka group whose test array is local to main, with group and
# per-test setup and teardown (samples/cmocka/cmocka_sample.c, CM_* in
# expect.sh): every test is learned when _cmocka_run_group_tests runs,
# named as cmocka prints it, with its own setup and teardown inside its
# scope and the group's outside every test.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/cmocka/cmocka-sample

CM=samples/cmocka/cmocka-sample
printf 'discover: cmocka\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\n' >"$WORK/cmocka.yaml"

run_memsup --json "$WORK/cmocka.json" --policy "$WORK/cmocka.yaml" $CM
expect_status 1		# test_leaks leaks; cmocka itself passes
J=$WORK/cmocka.json
# The names cmocka printed, in order, are memsup's.
sed -n 's/^\[ RUN      \] //p' "$WORK/stdout" >"$WORK/cmocka.names"
[ "$(wc -l <"$WORK/cmocka.names")" -eq 3 ] || { show_run; hard_error "cmocka did not run 3 tests"; }
jq -r '.scopes[].name' "$J" >"$WORK/memsup.names"
diff -u "$WORK/cmocka.names" "$WORK/memsup.names" >&2 ||
	fail "memsup's test names differ from cmocka's"
match_json "$J" '[.scopes[] | .classname] | unique' '["fixtures"]'
match_metrics "$J" '.name == "test_hands_to_teardown"' "$(metrics_json \
	$CM_HANDS_ALLOCATIONS $CM_HANDS_FREES $CM_HANDS_ALLOCATED \
	$CM_HANDS_PEAK 0 0)"
match_metrics "$J" '.name == "test_leaks"' "$(metrics_json 1 0 $CM_LEAK \
	$CM_LEAK $CM_LEAK 1)"
match_metrics "$J" '.name == "test_clean"' "$(metrics_json 1 1 $CM_CLEAN \
	$CM_CLEAN 0 0)"

# scope: function: the test's call alone leaves its block to the teardown.
printf 'discover: cmocka\nscope: function\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\n' >"$WORK/fn.yaml"
run_memsup --json "$WORK/fn.json" --policy "$WORK/fn.yaml" $CM
expect_status 1
match_json "$WORK/fn.json" '[.scopes[] | select(.name == "test_hands_to_teardown") | [.status, .metrics.leaked_bytes]]' \
	"[[\"failed\", $CM_BODY]]"

# list-tests: cmocka's tests are named at run time.
run_memsup list-tests --policy "$WORK/cmocka.yaml" $CM
expect_status 0
grep -q "^_cmocka_run_group_tests	_cmocka_run_group_tests	0x0	-	cmocka-runtime	" "$WORK/stdout" ||
	{ show_run; fail "list-tests does not show cmocka's runner"; }
exit 0
