#!/bin/sh
# The leak check of a running process: memsup --pid, and at detach
# (--timeout) the blocks the whole-program scope saw allocated are
# classified while every thread is stopped. samples/leaks/hold builds the
# tree of samples/leaks/tree once it is traced, writes its kinds on fd 3,
# and sleeps; it must run on unharmed after the detach.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3
require_sample samples/leaks/hold

H=samples/leaks/hold
$H >"$WORK/hold.out" 3>"$WORK/hold.kinds" 2>"$WORK/hold.err" </dev/null &
pid=$!
AT_EXIT='kill -9 $pid 2>/dev/null'

i=0
until grep -qx ready "$WORK/hold.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "$H did not say ready within 5 s"
	sleep 0.05
done

J=$WORK/hold.json
run_memsup --pid "$pid" --json "$J" --timeout 3
expect_status 0
grep -qx built "$WORK/hold.out" || fail "$H did not build its tree while traced"
kill -0 "$pid" 2>/dev/null || fail "process $pid is gone after the detach"

want=$(python3 - "$WORK/hold.kinds" <<'PY'
import json, sys
k = {}
for line in open(sys.argv[1]):
    kind, b, n = line.split()
    k[kind] = {"bytes": int(b), "blocks": int(n)}
print(json.dumps(k, sort_keys=True))
PY
) || hard_error "no kinds from $H"
match_json "$J" '.scopes | length' 1
match_json "$J" '.scopes[0].metrics.leaked_by_kind' "$want"
exit 0
