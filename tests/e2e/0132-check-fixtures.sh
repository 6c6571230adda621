#!/bin/sh
# A Check test's scope holds its checked fixtures (samples/check-fixture,
# FX_* in expect.sh): memory a test hands to its fixture's teardown is not
# a leak, in fork and no-fork mode; Check's own work between the fixtures
# and the test is not counted. `scope: function`, for the whole policy or
# one test, narrows a scope to the test function's call.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-fixture/check-fixture

FX=samples/check-fixture/check-fixture
printf 'discover: check\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\n' >"$WORK/test.yaml"

for mode in yes no; do
	CK_FORK=$mode run_memsup --json "$WORK/$mode.json" --policy "$WORK/test.yaml" $FX
	expect_status 1		# test_keep leaks
	J=$WORK/$mode.json
	match_json "$J" '[.scopes[] | [.name, .classname, .status]] | sort' \
		'[["test_keep", "Owned", "failed"], ["test_layers", "Layered", "passed"], ["test_replace", "Owned", "passed"]]'
	match_metrics "$J" '.name == "test_replace"' "$(metrics_json \
		$FX_REPLACE_ALLOCATIONS $FX_REPLACE_FREES $FX_REPLACE_ALLOCATED \
		$FX_REPLACE_PEAK 0 0)"
	match_metrics "$J" '.name == "test_keep"' "$(metrics_json \
		$FX_KEEP_ALLOCATIONS $FX_KEEP_FREES $FX_KEEP_ALLOCATED \
		$FX_KEEP_PEAK $FX_KEEP_LEAKED 1)"
	match_metrics "$J" '.name == "test_layers"' "$(metrics_json \
		$FX_LAYERS_ALLOCATIONS $FX_LAYERS_FREES $FX_LAYERS_ALLOCATED \
		$FX_LAYERS_PEAK 0 0)"
done

# scope: function for the whole policy: the call only.
printf 'discover: check\nscope: function\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\n' >"$WORK/fn.yaml"
run_memsup --json "$WORK/fn.json" --policy "$WORK/fn.yaml" $FX
expect_status 1
match_json "$WORK/fn.json" '[.scopes[] | select(.name == "test_replace") | [.status, .metrics.allocations, .metrics.leaked_bytes]]' \
	"[[\"failed\", 1, $FX_REPLACE_FN_LEAKED]]"

# scope: function for one test: the others keep their fixtures.
cat >"$WORK/one.yaml" <<'YAML'
discover: check
leak_kinds: all
defaults:
  limit_leaks: 0 B
tests:
  test_replace:
    scope: function
YAML
run_memsup --json "$WORK/one.json" --policy "$WORK/one.yaml" $FX
expect_status 1
match_json "$WORK/one.json" '[.scopes[] | [.name, .status, .metrics.leaked_bytes]] | sort' \
	"[[\"test_keep\", \"failed\", $FX_KEEP_LEAKED], [\"test_layers\", \"passed\", 0], [\"test_replace\", \"failed\", $FX_REPLACE_FN_LEAKED]]"

# Only one test named (discover: none): the other tests' fixtures leave no
# result, and the named test keeps its fixtures, in both modes.
printf 'discover: none\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\ntests:\n  test_replace: {}\n' >"$WORK/named.yaml"
for mode in yes no; do
	CK_FORK=$mode run_memsup --json "$WORK/named-$mode.json" --policy "$WORK/named.yaml" $FX
	expect_status 0
	match_json "$WORK/named-$mode.json" '[.scopes[] | .name]' '["test_replace"]'
	match_metrics "$WORK/named-$mode.json" '.name == "test_replace"' "$(metrics_json \
		$FX_REPLACE_ALLOCATIONS $FX_REPLACE_FREES $FX_REPLACE_ALLOCATED \
		$FX_REPLACE_PEAK 0 0)"
done
exit 0
