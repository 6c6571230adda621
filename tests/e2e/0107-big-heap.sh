#!/bin/sh
# Many live blocks (docs/performance.md, issues 6 and 7): memsup's memory stays
# bounded: its peak RSS (with the program's, /usr/bin/time -v's "Maximum
# resident set size" is the largest process of the run) stays under
# N * 64 bytes + 200 MiB, and the figures stay exact (bigheap.c: N+1 / N+1 /
# 24N / 24N / 0). N is 200,000 by default (about 10 s); E2E_SLOW=1 runs the
# issue's 10 million (about 6 minutes on the project's 2-core machines:
# each allocation is one ptrace stop; peak RSS 791 MB there), E2E_BIG_N=N
# any other N.
. "${0%/*}/lib.sh"
require_memsup
[ -x /usr/bin/time ] || skip "/usr/bin/time (GNU time) is not installed"
B=samples/faults/bigheap
require_sample $B

if [ "${E2E_SLOW:-0}" = 1 ]; then
	N=10000000
	E2E_TIMEOUT=1800
else
	N=${E2E_BIG_N:-200000}
fi

SAVED=$MEMSUP MEMSUP=/usr/bin/time
run_memsup -v -o "$WORK/time.txt" "$SAVED" -q --json "$WORK/big.json" $B $N
MEMSUP=$SAVED
expect_status 0
expect_stdout "live $N
bigheap: done"
match_metrics "$WORK/big.json" 'true' "$(metrics_json $((N + 1)) $((N + 1)) \
	$((24 * N)) $((24 * N)) 0 0)"
expect_pids_gone "$WORK/big.json"
# Under check-valgrind the RSS is valgrind's, not memsup's: figures only.
[ -n "${MEMSUP_VALGRIND:-}" ] && exit 0
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$WORK/time.txt")
[ -n "$rss_kb" ] || hard_error "no maximum RSS in /usr/bin/time's output"
limit_kb=$(((N * 64 + 200 * 1024 * 1024) / 1024))
[ "$rss_kb" -lt "$limit_kb" ] ||
	fail "peak RSS ${rss_kb} KiB for $N live blocks, over the bound of ${limit_kb} KiB (N * 64 B + 200 MiB)"
echo "$N live blocks: peak RSS ${rss_kb} KiB (bound ${limit_kb} KiB)"
exit 0
