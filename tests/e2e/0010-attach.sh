#!/bin/sh
# attach: memsup --pid attaches to a running process, supervises it, and at
# --timeout removes every breakpoint and detaches, leaving the process to
# finish on its own, unharmed (docs/supervisor.md); when the process exits while
# attached, memsup exits with its status. samples/attach/attach.c.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3
require_sample samples/attach/attach

A=samples/attach/attach
ITER=80		# at 100 ms each: 8 s, well past memsup's 2 s
# The checksum depends only on the iteration count: compute it natively,
# without sleeping.
native=$($A $ITER 0 | sed -n 's/^checksum //p')
[ -n "$native" ] || hard_error "$A gave no checksum natively"

$A $ITER >"$WORK/attach.out" 2>"$WORK/attach.err" </dev/null &
pid=$!
AT_EXIT='kill -9 $pid 2>/dev/null'	# if the test stops half-way

# wait_ready FILE: the sample has written "ready" (its ptracer is set).
wait_ready()
{
	i=0
	until grep -qx ready "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "$A did not say ready within 5 s"
		sleep 0.05
	done
}
wait_ready "$WORK/attach.out"

# The code that holds breakpoints: every executable mapping of the process
# (its own text, libc's malloc & co.), read from /proc/PID/mem.
text_digest()
{
	python3 - "$pid" <<'PY'
import hashlib, sys
pid = sys.argv[1]
h = hashlib.sha256()
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        f = line.split()
        # memsup-recorder: the in-process engine's code, mapped while attached and left
        # while a thread may be inside it (docs/design/inject.md)
        if "x" not in f[1] or len(f) < 6 or f[5].startswith("[") or "memsup-recorder" in f[5]:
            continue
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        mem.seek(lo)
        h.update(f[5].encode() + mem.read(hi - lo))
print(h.hexdigest())
PY
}
before=$(text_digest) || hard_error "cannot read the text of process $pid"

run_memsup --pid "$pid" --json "$WORK/attach.json" --timeout 2
# A clean detach from a process that is still running: exit status 0.
expect_status 0
kill -0 "$pid" 2>/dev/null ||
	fail "process $pid is gone after memsup detached: $(cat "$WORK/attach.err")"
expect_untraced "$pid"
after=$(text_digest) || fail "cannot read the text of process $pid after memsup"
[ "$before" = "$after" ] ||
	fail "the code of process $pid differs after memsup detached (an int3 left?)"

J=$WORK/attach.json
match_json "$J" '.exit_status' 0
match_json "$J" "[.scopes[] | select(.pid == $pid and .metrics.allocations > 0)] | length > 0" true
match_json "$J" "[.scopes[] | select(.pid == $pid) | .name] | unique" '["attach"]'

# The process goes on to the end on its own, with the right checksum.
wait "$pid"
prc=$?
AT_EXIT=
[ $prc = 0 ] || fail "process $pid exited with status $prc after the detach"
printf 'ready\nchecksum %s\n' "$native" >"$WORK/attach.expected"
if ! cmp -s "$WORK/attach.expected" "$WORK/attach.out"; then
	diff -u "$WORK/attach.expected" "$WORK/attach.out" >&2
	fail "process $pid computed a different checksum under memsup"
fi

# The process ends while memsup is attached (15 iterations, 1.5 s, exit
# status 7; --timeout 60 does not come): memsup exits when it does, with its
# status, and reports it.
short=$($A 15 0 7 | sed -n 's/^checksum //p')
$A 15 100000 7 >"$WORK/short.out" 2>&1 </dev/null &
pid=$!
AT_EXIT='kill -9 $pid 2>/dev/null'
wait_ready "$WORK/short.out"
start=$(date +%s)
run_memsup --pid "$pid" --json "$WORK/short.json" --timeout 60
expect_status 7
[ $(($(date +%s) - start)) -lt 30 ] ||
	fail "memsup did not exit when process $pid did"
wait "$pid"
prc=$?
AT_EXIT=
[ $prc = 7 ] || fail "process $pid exited with $prc, not 7, under memsup"
printf 'ready\nchecksum %s\n' "$short" >"$WORK/short.expected"
cmp -s "$WORK/short.expected" "$WORK/short.out" ||
	fail "process $pid computed a different checksum under memsup"
J=$WORK/short.json
match_json "$J" '[.exit_status, .program_exit_status]' '[7, 7]'
match_json "$J" "[.scopes[] | select(.pid == $pid and .metrics.allocations > 0)] | length > 0" true
exit 0
