#!/bin/sh
# Report files never harm what is around them: a symbolic link as the
# report's name is refused (exit 2, nothing run) and neither the link nor
# what it points to is written; a report is created with mode 0666 less the
# umask; --json and --junit-xml naming one file (by any spelling) is exit 2;
# an unwritable device (/dev/full) is exit 2 before the program runs; and a
# memsup killed while the program runs leaves no "*.tmp.*" file behind.
# samples/faults/faults.c (marker PATH: creates PATH; forever: sleeps).
. "${0%/*}/lib.sh"
require_memsup
F=samples/faults/faults
require_sample $F
MARK=$WORK/ran
D=$WORK/out
mkdir "$D"

# A link to a file memsup must not write (as root, /etc/passwd would be
# one), a dangling link (that would create its target), for both outputs.
echo precious >"$WORK/target"
ln -s "$WORK/target" "$D/r.xml"
ln -s "$WORK/nowhere" "$D/r.json"
for opt in "--json $D/r.xml" "--json $D/r.json"; do
	# shellcheck disable=SC2086
	run_memsup $opt $F marker "$MARK"
	expect_status 2
	expect_stderr 'symbolic link' 'r\.(xml|json)'
	expect_no_program_run "$MARK"
done
if has_junit; then
	run_memsup --junit-xml "$D/r.xml" $F marker "$MARK"
	expect_status 2
	expect_stderr 'symbolic link'
	expect_no_program_run "$MARK"
fi
[ "$(cat "$WORK/target")" = precious ] || fail "memsup wrote through a symbolic link"
[ -e "$WORK/nowhere" ] && fail "memsup created the target of a dangling link"
[ -L "$D/r.xml" ] && [ -L "$D/r.json" ] || fail "memsup replaced a link it refused"
ls "$D" | grep -q '\.tmp\.' && fail "temporary files left: $(ls "$D")"

# Mode 0666 less the umask, whatever it is.
for mask in 022 002 077; do
	rm -f "$D/m.json"
	(umask $mask && exec "$MEMSUP" --json "$D/m.json" $F marker "$MARK") \
	    >"$WORK/stdout" 2>"$WORK/stderr" </dev/null
	RC=$?
	expect_status 0
	rm -f "$MARK"
	want=$(printf '%o' $((0666 & ~0$mask)))
	got=$(stat -c %a "$D/m.json")
	[ "$got" = "$want" ] || fail "umask $mask: report mode $got, want $want"
done

# One file for both reports, by the same name or another spelling of it.
if has_junit; then
	for second in "$D/same" "$D/../out/same" "$D/./same"; do
		run_memsup --json "$D/same" --junit-xml "$second" $F marker "$MARK"
		expect_status 2
		expect_stderr 'same file'
		expect_no_program_run "$MARK"
	done
	[ -e "$D/same" ] && fail "a report written although the run was refused"
	# /dev/null twice is fine: nothing is lost.
	run_memsup --json /dev/null --junit-xml /dev/null $F marker "$MARK"
	expect_status 0
	rm -f "$MARK"
fi

# A full device: checked before the program runs.
run_memsup --json /dev/full $F marker "$MARK"
expect_status 2
expect_stderr '/dev/full' 'no space|full'
expect_no_program_run "$MARK"

# memsup killed (SIGKILL, which it cannot catch, and SIGUSR1) while the
# program runs: no temporary file is left in the report's directory.
for sig in KILL USR1; do
	run_memsup_bg --json "$D/k.json" $F forever
	wait_for "$WORK/stdout" '^ready$'
	kill -$sig "$MEMSUP_PID"
	wait "$MEMSUP_PID" 2>/dev/null
	left=$(ls "$D" | grep '\.tmp\.')
	[ -z "$left" ] || fail "SIG$sig: temporary files left: $left"
	[ -e "$D/k.json" ] && fail "SIG$sig: a report for a run that was killed"
done
exit 0
