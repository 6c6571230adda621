#!/bin/sh
# run.sh: run the end-to-end tests from the repository top.
#
#   tests/e2e/run.sh [NNNN ...]      all tests, or those whose names start so
#
# A test exits 0 (pass), 1 (fail), 77 (skip) or 99 (hard error, counted as a
# failure). Each test's output is shown when it does not pass. The last line
# is "N passed, N failed" (", N skipped" when some were), alone on its line;
# the exit status is 1 when any test failed.

TOP=$(cd "$(dirname "$0")/../.." && pwd) || exit 99
cd "$TOP" || exit 99

# One test may not take longer than this (each memsup run inside has its own
# limit, E2E_TIMEOUT in lib.sh).
TEST_TIMEOUT=${TEST_TIMEOUT:-600}

passed=0 failed=0 skipped=0 failures=
log=$(mktemp "${TMPDIR:-/tmp}/memsup-e2e-run.XXXXXX") || exit 99
trap 'rm -f "$log"' EXIT

for t in tests/e2e/[0-9][0-9][0-9][0-9]-*.sh; do
	name=${t##*/}
	name=${name%.sh}
	if [ $# -gt 0 ]; then
		want=
		for p in "$@"; do
			case $name in "$p"*) want=1;; esac
		done
		[ -n "$want" ] || continue
	fi
	timeout -k 10 "$TEST_TIMEOUT" sh "$t" >"$log" 2>&1 </dev/null
	rc=$?
	case $rc in
	0)
		passed=$((passed + 1))
		echo "PASS: $name"
		;;
	77)
		skipped=$((skipped + 1))
		echo "SKIP: $name ($(tail -n 1 "$log"))"
		;;
	*)
		failed=$((failed + 1))
		failures="$failures $name"
		[ $rc = 124 ] && echo "$name: timed out after ${TEST_TIMEOUT}s" >>"$log"
		echo "FAIL: $name (exit status $rc)"
		sed 's/^/    /' "$log"
		;;
	esac
done

[ -n "$failures" ] && echo "failed:$failures"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
