#!/bin/sh
# What a CI job relies on: %p, %n and %% in output file names, options
# from MEMSUP_OPTIONS (before the command line's), -h, -q keeping one line
# per failure with its reason, and exact bytes in a message whenever
# rounding would print the limit and the value alike.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/basic/basic samples/check-suite/check-suite
H=samples/check-suite/suite.h
c() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$H"; }
PEAK_BLOCKS=$(c PEAK_BLOCKS) PEAK_SIZE=$(c PEAK_SIZE)
[ -n "$PEAK_SIZE" ] || hard_error "cannot read the constants of $H"

# %n is the program's basename, %p memsup's pid, %% a percent sign.
mkdir "$WORK/out"
run_memsup_bg --json "$WORK/out/%n-%p-100%%.json" samples/basic/basic
wait_memsup
expect_status 0
expect_json "$WORK/out/basic-$MEMSUP_PID-100%.json"
left=$(ls -A "$WORK/out")
[ "$left" = "basic-$MEMSUP_PID-100%.json" ] || fail "files in the output directory: $left"

# An unknown placeholder is a usage error before anything runs.
run_memsup --junit-xml "$WORK/out/%q.xml" samples/basic/basic
expect_status 2
expect_stderr '%q\.xml' 'placeholder'
[ -s "$WORK/stdout" ] && fail "the program ran although --junit-xml was bad"
run_memsup --json "$WORK/out/x%" samples/basic/basic
expect_status 2
expect_stderr '%%'

# MEMSUP_OPTIONS: read before the command line, quotes group words, and
# the command line's own options win.
MEMSUP_OPTIONS="--json '$WORK/out/env %n.json' --error-exitcode 5" \
	run_memsup --policy samples/check-suite/limits.yaml \
	samples/check-suite/check-suite
expect_status 5
expect_json "$WORK/out/env check-suite.json"
MEMSUP_OPTIONS="--error-exitcode 5" run_memsup --error-exitcode 7 \
	--policy samples/check-suite/limits.yaml samples/check-suite/check-suite
expect_status 7
MEMSUP_OPTIONS="--json '$WORK/out/unclosed.json" run_memsup samples/basic/basic
expect_status 2
expect_stderr 'MEMSUP_OPTIONS' 'quote'
MEMSUP_OPTIONS="samples/basic/basic" run_memsup samples/basic/basic
expect_status 2
expect_stderr 'MEMSUP_OPTIONS' 'option'

# -h is --help.
run_memsup -h
expect_status 0
grep -q '^usage: memsup' "$WORK/stdout" || fail "-h printed no usage"

# -q: one line per failed check with its reason, one per unfinished test
# with why, PASSED lines, the closing line; nothing else.
run_memsup -q --policy samples/check-suite/limits.yaml samples/check-suite/check-suite
expect_status 1
grep -c '^memsup: FAILED test_[a-z]*\(\[[0-9]\]\)\{0,1\} - Test was limited to ' "$WORK/stderr" >"$WORK/n"
[ "$(cat "$WORK/n")" = 5 ] || { show_run; fail "-q: expected 5 FAILED lines with their reason"; }
grep -q '^memsup: UNFINISHED test_fail - .*exited with status 1' "$WORK/stderr" ||
	{ show_run; fail "-q: no reason on the UNFINISHED line"; }
grep -v '^memsup: \(PASSED\|FAILED\|UNFINISHED\) ' "$WORK/stderr" |
	grep -v '^memsup: 9 tests: 3 passed, 5 failed, 1 unfinished (' >"$WORK/extra"
[ -s "$WORK/extra" ] && { cat "$WORK/extra"; fail "-q printed more than verdicts and the summary"; }

# Exact bytes when the rounded figures print alike: test_peak holds
# PEAK_BLOCKS x PEAK_SIZE at once; a limit 10 bytes lower rounds alike.
peak=$((PEAK_BLOCKS * PEAK_SIZE))
limit=$((peak - 10))
group() { printf '%s' "$1" | rev | sed 's/\([0-9]\{3\}\)/\1,/g; s/,$//' | rev; }
cat >"$WORK/close.yaml" <<YAML
discover: check
tests:
  test_peak:
    limit_memory: $limit B
YAML
run_memsup -q --policy "$WORK/close.yaml" samples/check-suite/check-suite
r_limit=$(awk "BEGIN { printf \"%.1fKiB\", $limit / 1024 }")
r_peak=$(awk "BEGIN { printf \"%.1fKiB\", $peak / 1024 }")
[ "$r_limit" = "$r_peak" ] || hard_error "the figures do not round alike: $r_limit, $r_peak"
want="Test was limited to $r_limit ($(group $limit) B) but allocated $r_peak ($(group $peak) B)"
grep -qF "memsup: FAILED test_peak - $want" "$WORK/stderr" ||
	{ show_run; fail "no exact bytes: expected '$want'"; }
exit 0
