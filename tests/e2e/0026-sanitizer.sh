#!/bin/sh
# A program built with AddressSanitizer: memsup warns that LeakSanitizer's
# check at exit cannot run under ptrace and says what to set; with
# ASAN_OPTIONS=detect_leaks=0 there is no warning, the program exits 0
# and memsup reports the leak (LEAK_SIZE bytes from leak_it) itself.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/sanitized/sanitized
S=samples/sanitized/sanitized
LEAK=$(sed -n 's/^#define LEAK_SIZE[[:space:]]*//p' $S.c)
readelf -d $S | grep -q 'NEEDED.*libasan' || hard_error "$S is not linked with libasan"

unset ASAN_OPTIONS LSAN_OPTIONS
run_memsup $S
expect_stderr 'warning: .*AddressSanitizer' 'ptrace' 'ASAN_OPTIONS=detect_leaks=0'

ASAN_OPTIONS=detect_leaks=0 run_memsup --json "$WORK/s.json" $S
expect_status 0
expect_stdout "sanitized: done"
grep -q 'AddressSanitizer' "$WORK/stderr" && { show_run; fail "a warning although detect_leaks=0"; }
match_json "$WORK/s.json" '[.scopes[0].leaks[] | select(.stack[0].function == "leak_it") | .bytes]' "[$LEAK]"

# Another option list that keeps detect_leaks=1 still gets the warning.
ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 run_memsup $S
expect_stderr 'ASAN_OPTIONS=detect_leaks=0'
exit 0
