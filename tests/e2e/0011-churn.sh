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
exit 0
