#!/bin/sh
# The program's signal dispositions are its own: memsup ignores SIGPIPE and
# catches SIGINT, SIGTERM, SIGHUP and SIGALRM, and none of that reaches the
# program. "memsup PROG | head -1" ends as "PROG | head -1" does (PROG
# dies of SIGPIPE: 141); a program that raises SIGPIPE dies of it; a
# SIGINT that the shell ignores for a background job ("cmd &") is ignored
# in the program as natively. And a SIGALRM that someone sends memsup is
# not taken for its --timeout. samples/harm/signals.c.
. "${0%/*}/lib.sh"
require_memsup
S=samples/harm/signals
require_sample $S

# A pipe closed by its reader.
{ $S write; echo $? >"$WORK/native.st"; } | head -1 >/dev/null
{ "$MEMSUP" -q -- $S write 2>"$WORK/stderr"; echo $? >"$WORK/memsup.st"; } | head -1 >/dev/null
native=$(cat "$WORK/native.st")
[ "$native" = 141 ] || hard_error "natively '$S write | head -1' ends with $native, not 141"
[ "$(cat "$WORK/memsup.st")" = "$native" ] ||
	fail "memsup $S write | head -1: exit $(cat "$WORK/memsup.st"), natively $native ($(cat "$WORK/stderr"))"
grep -q EPIPE "$WORK/stderr" && fail "the program saw EPIPE: SIGPIPE was ignored in it"

# raise(SIGPIPE).
$S raise-pipe >/dev/null
native=$?
run_memsup -q -- $S raise-pipe
expect_status "$native"
[ "$native" = 141 ] || hard_error "natively '$S raise-pipe' ends with $native, not 141"

# The dispositions, natively and under memsup, in the foreground and in a
# background job (where sh ignores SIGINT and SIGQUIT).
$S dispositions >"$WORK/native.fg"
run_memsup -q -- $S dispositions
expect_status 0
cmp -s "$WORK/native.fg" "$WORK/stdout" ||
	{ diff -u "$WORK/native.fg" "$WORK/stdout" >&2; fail "foreground: the program's dispositions differ under memsup"; }
$S dispositions >"$WORK/native.bg" &
wait $!
"$MEMSUP" -q -- $S dispositions >"$WORK/memsup.bg" 2>"$WORK/stderr" &
wait $!
cmp -s "$WORK/native.bg" "$WORK/memsup.bg" ||
	{ diff -u "$WORK/native.bg" "$WORK/memsup.bg" >&2; fail "background: the program's dispositions differ under memsup"; }
grep -qx 'INT ign' "$WORK/native.bg" || echo "note: this sh does not ignore SIGINT in background jobs" >&2

# An outside SIGALRM is not --timeout: the program finishes (exit 0).
F=samples/faults/faults
require_sample $F
run_memsup_bg --timeout 60 -- $F forever
wait_for "$WORK/stdout" '^ready$'
kill -ALRM "$MEMSUP_PID"
sleep 0.3
kill -0 "$MEMSUP_PID" 2>/dev/null || { wait_memsup 5; show_run; fail "an outside SIGALRM ended memsup (exit $RC)"; }
grep -q 'timeout' "$WORK/stderr" && { show_run; fail "an outside SIGALRM was taken for --timeout"; }
kill -TERM "$MEMSUP_PID"
wait_memsup 30
exit 0
