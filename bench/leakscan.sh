#!/bin/bash
# bench/leakscan.sh: what the leak scan costs.
#
#   bench/leakscan.sh                 (bench/run.sh runs it at its end)
#   BENCH_LEAKSCAN_GB=1 bench/leakscan.sh
#
# 1. Milliseconds per scan against the size of the live heap: the workload
#    build/bench/liveheap MB (1 KiB blocks, each pointing to the next and to
#    an earlier one; a tenth lost) under memsup without a policy, the scan
#    made at exit; the figure is the scan's own time, from memsup -v. 10 MB
#    and 100 MB always; 1 GB with BENCH_LEAKSCAN_GB=1 (the run itself takes
#    about a minute: a million allocation events).
# 2. A Check suite's total time with the scan and without it
#    (MEMSUP_LEAK_SCAN=0): samples/check-suite under its policy.
# Runs: BENCH_RUNS (default 3), medians. Output: build/bench/leakscan.md.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
OUT=build/bench
RUNS=${BENCH_RUNS:-3}
MEMSUP=./memsup

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$MEMSUP" ] || die "no ./memsup; run 'make memsup samples' first"
make -s -f bench/bench.mk "$OUT/liveheap" || die "cannot build liveheap"
mkdir -p "$OUT/tmp"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

SIZES="10 100"
[ "${BENCH_LEAKSCAN_GB:-0}" = 1 ] && SIZES="$SIZES 1024"
{
	echo "| live heap | blocks | scan (ms, median of $RUNS) | ms per MB | bytes read | reads |"
	echo "|---|---|---|---|---|---|"
} >"$OUT/leakscan.md"
for mb in $SIZES; do
	for r in $(seq "$RUNS"); do
		"$MEMSUP" -v "$OUT/liveheap" "$mb" 2>&1 >/dev/null |
			sed -n 's/.*leak scan of process [0-9]*: \([0-9]*\) blocks.* bytes of roots, \([0-9]*\) bytes of blocks read in \([0-9]*\) reads.* \([0-9.]*\) ms$/\4 \1 \2 \3/p' |
			tail -n 1
	done >"$OUT/tmp/leakscan-$mb.txt"
	[ -s "$OUT/tmp/leakscan-$mb.txt" ] || die "no scan figures for $mb MB"
	ms=$(cut -d' ' -f1 "$OUT/tmp/leakscan-$mb.txt" | median)
	read -r _ blocks bytes reads <"$OUT/tmp/leakscan-$mb.txt"
	echo "| $mb MB | $blocks | $ms | $(awk -v m="$ms" -v s="$mb" 'BEGIN { printf "%.2f", m / s }') | $bytes | $reads |" >>"$OUT/leakscan.md"
done

# The Check suite, with and without the scan.
if [ -x samples/check-suite/check-suite ]; then
	suite_time()
	{
		for r in $(seq "$RUNS"); do
			s=$(date +%s.%N)
			MEMSUP_LEAK_SCAN=$1 "$MEMSUP" -q \
				--policy samples/check-suite/limits.yaml \
				samples/check-suite/check-suite >/dev/null 2>&1
			e=$(date +%s.%N)
			awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
		done | median
	}
	on=$(suite_time 1)
	off=$(suite_time 0)
	{
		echo
		echo "samples/check-suite under its policy (every test forked by Check, scans at each leaking test's close): ${on} s with the scan, ${off} s without (MEMSUP_LEAK_SCAN=0), medians of $RUNS."
	} >>"$OUT/leakscan.md"
fi
cat "$OUT/leakscan.md"
