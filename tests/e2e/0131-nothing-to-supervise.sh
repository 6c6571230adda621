#!/bin/sh
# A policy run that finds nothing to supervise is a supervision failure
# (exit 3) that says why, unless --allow-no-tests: a stripped Check suite, a
# suite of another framework, a key that names nothing. With `discover:
# none` and no tests, the policy's defaults and `program` limits judge the
# whole-program scope (samples/basic, BASIC_* in expect.sh). Discovery's
# warnings about programs other than the one on the command line wait for
# -v (or for the reasons of an empty run).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite \
	samples/check-suite/check-suite-stripped samples/basic/basic

STRIPPED=samples/check-suite/check-suite-stripped
cat >"$WORK/check.yaml" <<'YAML'
discover: check
defaults:
  limit_leaks: 0 B
YAML

# Stripped: exit 3 with the reason; the program still ran to its end (its
# output passes through) and the reports are written.
run_memsup --junit-xml "$WORK/stripped.xml" --policy "$WORK/check.yaml" $STRIPPED
expect_status 3
grep -q "Running suite(s): check-suite" "$WORK/stdout" || { show_run; fail "the suite's output is lost"; }
grep -q "^memsup: nothing to supervise: the policy '$WORK/check.yaml' found no test boundary in any program the run executed" \
	"$WORK/stderr" || { show_run; fail "no 'nothing to supervise' error"; }
grep -q "^  '$(abspath $STRIPPED)' is stripped: its Check tests cannot be discovered without a .symtab" \
	"$WORK/stderr" || { show_run; fail "the reason (stripped) is not given"; }
grep -q "^hint: .*--allow-no-tests" "$WORK/stderr" || fail "no hint"
[ -s "$WORK/stripped.xml" ] || fail "the JUnit file was not written"
grep -q 'tests="0"' "$WORK/stripped.xml" || fail "the JUnit file has tests"

# --allow-no-tests: the program's own status (one of its tests fails).
run_memsup --allow-no-tests --policy "$WORK/check.yaml" $STRIPPED
expect_status 1
grep -q "nothing to supervise" "$WORK/stderr" && fail "--allow-no-tests still refuses"

# The wrong framework.
printf 'discover: gtest\ndefaults: {limit_leaks: 0 B}\n' >"$WORK/gtest.yaml"
run_memsup --policy "$WORK/gtest.yaml" samples/check-suite/check-suite
expect_status 3
grep -q "^  no GoogleTest test found in '$(abspath samples/check-suite/check-suite)'" \
	"$WORK/stderr" || { show_run; fail "the reason (no GoogleTest test) is not given"; }

# A key that names nothing.
printf 'discover: none\ntests:\n  no_such_function: {}\n' >"$WORK/key.yaml"
run_memsup --policy "$WORK/key.yaml" samples/basic/basic
expect_status 3
grep -q "^  policy test 'no_such_function' matches no test or function in $(abspath samples/basic/basic)" \
	"$WORK/stderr" || { show_run; fail "the reason (no key matched) is not given"; }

# discover: none, defaults only: the whole program is judged by them.
printf 'discover: none\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\n' >"$WORK/defaults.yaml"
run_memsup --json "$WORK/defaults.json" --policy "$WORK/defaults.yaml" samples/basic/basic
expect_status 1
match_json "$WORK/defaults.json" '[.scopes[] | [.name, .status, (.failures | map(.check))]]' \
	'[["basic", "failed", ["limit_leaks"]]]'
match_metrics "$WORK/defaults.json" '.name == "basic"' "$(metrics_json \
	$BASIC_ALLOCATIONS $BASIC_FREES $BASIC_ALLOCATED $BASIC_PEAK \
	$BASIC_LEAKED_BYTES $BASIC_LEAKED_BLOCKS)"

# program: a limit one byte under the peak fails, at the peak passes.
printf 'discover: none\nprogram:\n  limit_memory: %s B\n' $((BASIC_PEAK - 1)) >"$WORK/under.yaml"
run_memsup --json "$WORK/under.json" --policy "$WORK/under.yaml" samples/basic/basic
expect_status 1
match_json "$WORK/under.json" '[.scopes[] | .failures[] | [.check, .limit, .value]]' \
	"[[\"limit_memory\", $((BASIC_PEAK - 1)), $BASIC_PEAK]]"
printf 'discover: none\nprogram:\n  limit_memory: %s B\n' $BASIC_PEAK >"$WORK/at.yaml"
run_memsup --json "$WORK/at.json" --policy "$WORK/at.yaml" samples/basic/basic
expect_status 0
match_json "$WORK/at.json" '[.scopes[] | [.name, .status]]' '[["basic", "passed"]]'
# program overrides defaults for the whole-program scope.
printf 'discover: none\ndefaults: {limit_memory: 1 B}\nprogram: {limit_memory: %s B}\n' \
	$BASIC_PEAK >"$WORK/over.yaml"
run_memsup --policy "$WORK/over.yaml" samples/basic/basic
expect_status 0

# A wrapper script running a stripped system tool, then the suite: the
# tool's and the shell's discovery warnings only with -v.
cat >"$WORK/wrapper" <<EOF2
#!/bin/sh
/bin/true
exec $TOP/samples/check-suite/check-suite
EOF2
chmod +x "$WORK/wrapper"
run_memsup --policy "$WORK/check.yaml" "$WORK/wrapper"
expect_status 1
grep -q "stripped" "$WORK/stderr" && { show_run; fail "warnings about other programs without -v"; }
grep -q "PASSED *test_clean" "$WORK/stderr" || { show_run; fail "the suite was not supervised"; }
run_memsup -v --policy "$WORK/check.yaml" "$WORK/wrapper"
expect_status 1
grep -q "^memsup: warning: '$(readlink -f /bin/true)' is stripped" "$WORK/stderr" || {
	show_run; fail "-v does not show the warning about /bin/true"; }
exit 0
