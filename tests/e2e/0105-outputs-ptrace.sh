#!/bin/sh
# Outputs that cannot be written, and ptrace refused (the man page, issue
# 7): a --json path in a directory that does not exist or is read-only is
# exit 2 before the program runs (it would create a marker file); so is a
# full device (/dev/full); memsup under a tracer (strace -f) cannot trace:
# exit 3, the message names the tracer, nothing runs.
# samples/faults/faults.c.
. "${0%/*}/lib.sh"
require_memsup
F=samples/faults/faults
require_sample $F
MARK=$WORK/ran

# A directory that does not exist.
run_memsup --json "$WORK/no-such-dir/out.json" $F marker "$MARK"
expect_status 2
expect_stderr 'no-such-dir/out\.json' 'no such file|does not exist' 'director'
expect_no_program_run "$MARK"
if has_junit; then
	run_memsup --json "$WORK/ok.json" --junit-xml "$WORK/no-such-dir/out.xml" $F marker "$MARK"
	expect_status 2
	expect_stderr 'no-such-dir/out\.xml'
	expect_no_program_run "$MARK"
	[ -e "$WORK/ok.json" ] && fail "a JSON report for a run that never was"
fi

# A read-only directory. root writes through mode bits, so as root the
# directory is a read-only tmpfs in a private mount namespace (unshare -m);
# otherwise a mode 555 directory.
mkdir "$WORK/ro"
if [ "$(id -u)" != 0 ]; then
	chmod 555 "$WORK/ro"
	run_memsup --json "$WORK/ro/out.json" $F marker "$MARK"
elif command -v unshare >/dev/null 2>&1 &&
    unshare -m sh -c 'mount -t tmpfs -o ro,size=64k memsup-ro "$1"' sh "$WORK/ro" 2>/dev/null; then
	# run_memsup with unshare as the "memsup": a wrapper that mounts, then
	# execs memsup (same pid, same exit status)
	cat >"$WORK/ro-memsup" <<-EOS
	#!/bin/sh
	mount -t tmpfs -o ro,size=64k memsup-ro "$WORK/ro" || exit 99
	exec "$MEMSUP" "\$@"
	EOS
	chmod +x "$WORK/ro-memsup"
	SAVED=$MEMSUP MEMSUP="unshare"
	run_memsup -m "$WORK/ro-memsup" --json "$WORK/ro/out.json" $F marker "$MARK"
	MEMSUP=$SAVED
else
	skip_ro=1
fi
if [ -z "${skip_ro:-}" ]; then
	expect_status 2
	expect_stderr 'ro/out\.json' 'read-only|permission'
	expect_no_program_run "$MARK"
fi

# A full device: /dev/full takes the open but no byte, which an empty
# write shows before anything runs: exit 2, the message says why, the
# program does not run. (A disk that fills up during the run is the same
# exit 2 at the end: a CI job must not pass without its report.)
run_memsup --json /dev/full $F marker "$MARK"
expect_status 2
expect_stderr '/dev/full' 'no space|full'
expect_no_program_run "$MARK"

# memsup under strace -f: the program memsup starts is already traced by
# strace, so memsup's PTRACE_SEIZE is refused. Exit 3, the message says a
# tracer is in the way; the program does not run; nothing is left behind.
if command -v strace >/dev/null 2>&1; then
	SAVED=$MEMSUP MEMSUP=strace
	run_memsup -f -o /dev/null "$SAVED" --json "$WORK/traced.json" $F marker "$MARK"
	MEMSUP=$SAVED
	expect_status 3
	expect_stderr 'tracer|traced' 'strace|outside'
	expect_no_program_run "$MARK"
	[ -e "$WORK/traced.json" ] && fail "a JSON report for a run that never was"
	# no process of the sample is left (it was stopped before its exec, as
	# memsup's own child: look for any process whose cmdline is ours)
	sleep 0.2
	for p in /proc/[0-9]*; do
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "marker $MARK"; then
			fail "process ${p#/proc/} is left behind: $(tr '\0' ' ' <"$p/cmdline")"
		fi
	done
fi
exit 0
