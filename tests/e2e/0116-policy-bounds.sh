#!/bin/sh
# The policy reader is bounded: a file larger than 16 MiB (/dev/zero, which
# never ends, included) is refused at once with exit 2 and a message that
# says why; a large policy loads in time linear in its size: 200000 test
# keys (about 2.5 MB) and a duplicate at the end, found and reported, in
# well under the time limit (the earlier quadratic reader took minutes).
. "${0%/*}/lib.sh"
require_memsup
require_prog python3

run_memsup check-policy /dev/zero
expect_status 2
expect_stderr '/dev/zero' '16 MiB'

python3 - "$WORK/big.yaml" "$WORK/huge.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("version: 1\ntests:\n")
    for i in range(200000):
        f.write("  t%d: {max_allocations: %d}\n" % (i, i))
    f.write("  t7: {}\n")
with open(sys.argv[2], "w") as f:
    f.write("version: 1\ntests:\n")
    line = "  t: {}  # " + "x" * 1000 + "\n"
    while f.tell() <= 16 * 1024 * 1024:
        f.write(line)
PY
start=$(date +%s)
run_memsup check-policy "$WORK/big.yaml"
end=$(date +%s)
expect_status 2
expect_stderr "duplicate test 't7'; first defined at line 10, column 3"
# (under valgrind, check-valgrind, time says nothing)
[ -n "${MEMSUP_VALGRIND:-}" ] || [ $((end - start)) -le 30 ] || fail "200000 test keys took $((end - start)) s to check"

run_memsup check-policy "$WORK/huge.yaml"
expect_status 2
expect_stderr 'larger than 16 MiB'
exit 0
