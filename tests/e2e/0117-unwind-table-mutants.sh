#!/bin/sh
# A damaged unwind table never crashes memsup: MUTANTS copies of
# samples/basic/basic whose .eh_frame_hdr (or the program header pointing
# at it) is damaged (tests/e2e/mutate-eh-frame-hdr.py) and which still run
# natively are run under memsup, with stacks unwound by libunwind (which
# reads that table; memsup checks it first) and with the default
# unwinder. memsup must exit as the program does, pass its output
# through, and say that the table is damaged when it is.
#
# MUTANTS defaults to 48 (make check); make check-harm runs 300.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3
B=samples/basic/basic
require_sample $B
N=${MUTANTS:-48}

$B >"$WORK/native.out" 2>/dev/null
native=$?
ran=0 i=0
while [ $i -lt "$N" ]; do
	M=$WORK/mutant
	python3 tests/e2e/mutate-eh-frame-hdr.py $B "$M" $i || hard_error "cannot write mutant $i"
	chmod +x "$M"
	i=$((i + 1))
	"$M" >"$WORK/m.out" 2>/dev/null
	[ $? = "$native" ] && cmp -s "$WORK/m.out" "$WORK/native.out" || continue
	ran=$((ran + 1))
	for unwind in libunwind rules; do
		MEMSUP_UNWIND=$unwind run_memsup --engine=breakpoint -q "$M"
		[ "$RC" = "$native" ] || { show_run; fail "mutant $((i - 1)), MEMSUP_UNWIND=$unwind: memsup exit $RC, natively $native"; }
		cmp -s "$WORK/stdout" "$WORK/native.out" || { show_run; fail "mutant $((i - 1)): output differs under memsup"; }
		if [ $unwind = libunwind ] && [ $(((i - 1) % 6)) = 2 ]; then
			expect_stderr 'unwind table.*damaged'
		fi
	done
	# The default engine too (it unwinds with the same tables).
	run_memsup -q "$M"
	[ "$RC" = "$native" ] || { show_run; fail "mutant $((i - 1)), default engine: memsup exit $RC, natively $native"; }
done
[ $ran -gt $((N / 2)) ] || hard_error "only $ran of $N mutants ran natively"
echo "$ran of $N mutants ran natively; memsup never crashed"
exit 0
