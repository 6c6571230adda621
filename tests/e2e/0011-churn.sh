#!/bin/sh
# churn: N malloc+free pairs of mixed sizes from 8 frames deep: every event
# counted, exactly (samples/churn, churn_allocated in expect.sh).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/churn/churn

for n in 1 13 20000; do
	J=$WORK/churn.$n.json
	run_memsup --json "$J" samples/churn/churn $n
	expect_status 0
	expect_stdout "churn: pairs $n"
	# One block live at a time: the peak is the biggest size used.
	match_metrics "$J" '.name == "churn"' "$(metrics_json $n $n \
		$(churn_allocated $n) $(churn_peak $n) 0 0)"
	expect_pids_gone "$J"
done

# -v ends with what supervising cost memsup itself (the bench reads it).
run_memsup -v samples/churn/churn 100
expect_status 0
grep -Eq '^memsup: own use: [0-9]+\.[0-9]{6} s user, [0-9]+\.[0-9]{6} s system, peak RSS [1-9][0-9]* KiB$' \
	"$WORK/stderr" || { show_run; fail "no 'own use' line at the end of memsup -v"; }

# The in-process recorder keeps a thread's last walks and replays one
# whole when a stack starts where it started: with the pairs alternating
# between two call sites, every walk but the first from each site is a
# replay (a memo of one walk would replay none of them).
for sites in 1 2; do
	J=$WORK/churn.sites.$sites.json
	run_memsup -v --json "$J" samples/churn/churn 20000 0 $sites
	expect_status 0
	expect_stdout "churn: pairs 20000"
	match_metrics "$J" '.name == "churn"' "$(metrics_json 20000 20000 \
		$(churn_allocated 20000) $(churn_peak 20000) 0 0)"
	if [ $sites = 2 ]; then
		# each site's blocks under its own stack, whether the event
		# carried the pcs or the id memsup gave them earlier
		chain="churn_f6 churn_f5 churn_f4 churn_f3 churn_f2 churn_f1 churn_run churn_deeper main"
		match_json "$J" '[.scopes[0].top_allocations[] | {blocks, bytes,
			stack: (.stack | map(.function) | join(" "))}] | sort_by(.stack)' \
			"[{\"blocks\": 10000, \"bytes\": $(churn_allocated_parity 20000 0), \"stack\": \"churn_pair $chain\"},
			  {\"blocks\": 10000, \"bytes\": $(churn_allocated_parity 20000 1), \"stack\": \"churn_pair_b $chain\"}]"
	fi
	line=$(grep 'stacks walked in process' "$WORK/stderr")
	want="20000 stacks walked in process ($((20000 - sites)) replayed whole"
	case $line in
	*"$want"*) ;;
	*) show_run; fail "churn with $sites call sites: want '$want', got '$line'" ;;
	esac
done

# DEPTH more frames (churn_deeper) change no figure, and the stack holds
# them, each engine walking it: 8 frames + DEPTH + 1 + main.
for engine in inject breakpoint; do
	J=$WORK/churn.deep.$engine.json
	run_memsup --engine=$engine --stack-depth 32 --json "$J" \
		samples/churn/churn 500 4
	expect_status 0
	match_metrics "$J" '.name == "churn"' "$(metrics_json 500 500 \
		$(churn_allocated 500) $(churn_peak 500) 0 0)"
	match_json "$J" '[.scopes[0].top_allocations[] | .stack | map(.function)
		| join(" ")] | unique' '["churn_pair churn_f6 churn_f5 churn_f4 churn_f3 churn_f2 churn_f1 churn_run churn_deeper churn_deeper churn_deeper churn_deeper churn_deeper main"]'
done
exit 0
