#!/bin/sh
# reports and gates (the man page): memsup compare and --baseline with
# --fail-on thresholds and their exit statuses, -q, --color, the JUnit
# families, and stderr written in whole lines.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/basic/basic
require_sample samples/check-suite/check-suite

B=$WORK/base.json
run_memsup --json "$B" samples/basic/basic
expect_status 0
peak=$(json_get "$B" '.scopes[0].metrics.peak_bytes')

# The same run compared with itself: no change, exit 0.
run_memsup compare "$B" "$B" --fail-on peak:0%
expect_status 0
grep -q '^basic ' "$WORK/stdout" || { show_run; fail "compare lists no row for basic"; }

# A baseline whose peak was 20% lower: the new run grew by 25%.
L=$WORK/lower.json
jq ".scopes[0].metrics.peak_bytes = $((peak * 100 / 125))" "$B" >"$L" ||
	hard_error "jq failed"
run_memsup compare "$L" "$B" --fail-on peak:10%
expect_status 1
run_memsup compare "$L" "$B" --fail-on peak:30%
expect_status 0
run_memsup compare "$L" "$B" --fail-on "peak:$((peak - peak * 100 / 125 - 1))"
expect_status 1
run_memsup compare "$L" "$B" --fail-on "peak:$((peak - peak * 100 / 125))"
expect_status 0

# The same gate during a run: a failed gate is a failed check.
run_memsup --baseline "$L" --fail-on peak:10% samples/basic/basic
expect_status 1
run_memsup --baseline "$L" --fail-on peak:10% --error-exitcode 7 samples/basic/basic
expect_status 7
run_memsup --baseline "$B" --fail-on peak:10% samples/basic/basic
expect_status 0

# Bad gates are usage errors before anything runs.
run_memsup --fail-on peak:10% samples/basic/basic
expect_status 2
expect_stderr 'baseline'
run_memsup --baseline "$B" --fail-on bogus:10% samples/basic/basic
expect_status 2
run_memsup --baseline "$WORK/missing.json" --fail-on peak:10% samples/basic/basic
expect_status 2
run_memsup compare "$B" "$WORK/missing.json"
expect_status 2

# -q: the verdict lines (with their reasons) and the closing summary only.
P=samples/check-suite/limits.yaml
run_memsup -q --policy "$P" samples/check-suite/check-suite
expect_status 1
grep -v '^memsup: \(PASSED [^ ]*\|\(FAILED\|UNFINISHED\) [^ ]* - .*\)$' "$WORK/stderr" |
	grep -v '^memsup: 9 tests: 3 passed, 5 failed, 1 unfinished (' >"$WORK/extra"
[ -s "$WORK/extra" ] && { cat "$WORK/extra"; fail "-q printed more than verdicts and the summary"; }

# Colour: never without a terminal, always when asked, never with NO_COLOR.
esc=$(printf '\033')
run_memsup --policy "$P" samples/check-suite/check-suite
grep -q "$esc" "$WORK/stderr" && fail "colour on a file without --color=always"
run_memsup --color=always --policy "$P" samples/check-suite/check-suite
grep -q "$esc\[" "$WORK/stderr" || fail "no colour with --color=always"
NO_COLOR=1 run_memsup --policy "$P" samples/check-suite/check-suite
grep -q "$esc" "$WORK/stderr" && fail "colour despite NO_COLOR"
run_memsup --color=sometimes samples/basic/basic
expect_status 2

# JUnit families: xunit2 (the default) has no file/line, xunit1 has both.
X2=$WORK/x2.xml X1=$WORK/x1.xml
run_memsup --policy "$P" --junit-xml "$X2" samples/check-suite/check-suite
run_memsup --policy "$P" --junit-xml "$X1" --junit-family=xunit1 \
	samples/check-suite/check-suite
grep -q '<testcase[^>]* file=' "$X2" && fail "xunit2 testcase has a file attribute"
grep -q '<testcase name="test_clean"[^>]* file="samples/check-suite/suite.c" line="21"' "$X1" ||
	grep -q '<testcase[^>]*name="test_clean"[^>]*line="21"' "$X1" ||
	{ grep test_clean "$X1"; fail "xunit1 testcase lacks file/line"; }
run_memsup --junit-family=xunit3 samples/basic/basic
expect_status 2

# The terminal report goes out in whole lines, never a piece of a line
# per write(2), so that the program's own output cannot land inside one:
# every write memsup makes to stderr ends a line (strace on memsup
# alone; the program it traces is not followed).
if command -v strace >/dev/null 2>&1; then
	W=$WORK/writes.log
	strace -s 65536 -e trace=write -o "$W" "$MEMSUP" \
		--policy samples/check-suite/limits.yaml \
		samples/check-suite/check-suite >/dev/null 2>&1
	grep '^write(2, ' "$W" >"$WORK/stderr-writes" ||
		fail "strace saw no write of memsup to stderr"
	if grep -v '\\n"\.*, [0-9]*) *= ' "$WORK/stderr-writes" >"$WORK/pieces"; then
		head -5 "$WORK/pieces"
		fail "memsup wrote $(wc -l <"$WORK/pieces") pieces of lines to stderr"
	fi
fi
exit 0
