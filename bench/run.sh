#!/bin/bash
# bench/run.sh: memsup (both engines) beside native, valgrind, heaptrack and
# ltrace, and the breakpoint engine's event path beside the bare cost of a
# ptrace stop.
#
#   make bench                        (builds memsup and the samples first)
#   BENCH_RUNS=5 BENCH_QUICK=0 bench/run.sh
#
# Knobs (environment):
#   BENCH_RUNS=N        runs per tool and workload, median reported (5)
#   BENCH_QUICK=1       small workloads, for a smoke test (about 2 minutes)
#   BENCH_ONLY="a b"    only these workloads (names as in the table)
#   BENCH_MICRO=0       skip the event-path microbenchmark and the RSS test
#   BENCH_NO_INSTALL=1  never apt-get missing tools (root installs them)
#   BENCH_PAIRS=N       compute: N more runs of native and memsup back to
#                       back, for its target (10; 0: none)
#   BENCH_SLOW_CAP=S    a tool gets no more runs on a workload after one
#                       run longer than S seconds (30)
#   BENCH_LEAKSCAN=0    skip the leak-scan cost (bench/leakscan.sh, run at
#                       the end; BENCH_LEAKSCAN_GB=1 adds its 1 GB heap)
#
# For each workload, one run of every tool in turn, the order rotated from
# run to run, BENCH_RUNS times; medians. Events (allocations + frees of the
# whole program, every process) are counted once with memsup --json.
# Output: build/bench/results.json and build/bench/results.md; a summary on
# stdout. docs/performance.md keeps the latest table by hand.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
OUT=build/bench
TMP=$OUT/tmp
RUNS=${BENCH_RUNS:-5}
QUICK=${BENCH_QUICK:-0}
MICRO=${BENCH_MICRO:-1}
MEMSUP=$ROOT/memsup
LTRACE_CAP=60		# seconds: ltrace runs longer than this are skipped
SLOW_CAP=${BENCH_SLOW_CAP:-30}	# seconds: after a run this long, no more runs
			# of that tool on that workload (valgrind on compute)
TOOLS="native memsup memsup-bp valgrind heaptrack ltrace"

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$MEMSUP" ] || die "no ./memsup; run 'make memsup samples' first"
command -v jq >/dev/null || die "jq is needed ('make deps' installs it)"
[ "$RUNS" -ge 1 ] 2>/dev/null || die "BENCH_RUNS must be a positive number"
mkdir -p "$TMP" || exit 1

# Tools by command and Debian package, installed as the Makefile's deps
# target does: only when missing, only as root.
BENCH_TOOLS="valgrind:valgrind heaptrack:heaptrack ltrace:ltrace"
missing=
for t in $BENCH_TOOLS; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && [ "${BENCH_NO_INSTALL:-0}" != 1 ]; then
		echo "bench: installing$missing"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq $missing >/dev/null ||
			echo "bench: could not install$missing" >&2
	else
		echo "bench: not installed:$missing (their columns say so)" >&2
	fi
fi
have() { command -v "$1" >/dev/null 2>&1; }

make -s -f bench/bench.mk bench-build || die "cannot build the workloads"
make -s -f bench/bench.mk bench-unwind 2>/dev/null ||
	echo "bench: no unwind-bench (needs build/obj from 'make memsup')" >&2

# ---------------------------------------------------------------- workloads
# name | what | policy | ltrace: "" same command, "skip:why", "alt:CMD" |
# environment | command
B=$OUT
if [ "$QUICK" = 1 ]; then
	CHURN_N=100000 CHURN_LT=2000 SCALE=0.25 LEAKY_N=2000 CXX_N=1000 THR_N=500
	EV_N=10000 RSS_N=100000 PC_N=5000 HEAVY_N=100000 JQ_N=20000 CA_N=150000
else
	CHURN_N=1000000 CHURN_LT=10000 SCALE=1 LEAKY_N=10000 CXX_N=4000 THR_N=2500
	EV_N=50000 RSS_N=1000000 PC_N=20000 HEAVY_N=1000000 JQ_N=200000 CA_N=1500000
fi
printf 'version: 1\ndiscover: check\n' >"$TMP/check.yaml"
printf '[range(0;%s)] | map({a: ., b: (.|tostring)}) | length\n' "$JQ_N" \
	>"$TMP/jq.filter"
WORKLOADS=(
"alloc-churn|$CHURN_N malloc/free pairs, mixed sizes, 16-frame stacks (samples/churn N 4, -O0)||alt:samples/churn/churn $CHURN_LT 4||samples/churn/churn $CHURN_N 4"
"compute|about 1 s of arithmetic, 300 allocations||||$B/compute $SCALE"
"leaky|$LEAKY_N records, 1 in 100 leaked, one 64 KiB buffer leaked||||$B/leaky $LEAKY_N"
"check-suite|Check suite, 1,000,000 malloc/free pairs in an unchecked fixture (samples/check-suite, -O0), policy discover: check|$TMP/check.yaml|skip:ltrace would stop on all 2,000,000 setup events (> ${LTRACE_CAP} s)|CK_TIMEOUT_MULTIPLIER=10|samples/check-suite/check-suite"
"check-heavy|Check suite whose unchecked fixture builds a catalogue of $HEAVY_N records (one malloc each) and frees it, outside every test; 8 small tests (bench/workloads/checkheavy.c), policy discover: check|$TMP/check.yaml|skip:ltrace would stop on all $((2 * HEAVY_N)) setup events|CK_TIMEOUT_MULTIPLIER=10|$B/checkheavy $HEAVY_N"
"check-alloc|Check test making $CA_N allocations inside it, a quarter calloc, each freed at once but for a window of 64 (bench/workloads/checkalloc.c), policy discover: check|$TMP/check.yaml|skip:ltrace would stop on all $((2 * CA_N)) events|CK_TIMEOUT_MULTIPLIER=10|$B/checkalloc $CA_N"
"cxx|C++: std::map<long,string> of $CXX_N, unique_ptr vector, vector growth||||$B/cxx $CXX_N"
"threads|4 threads x $THR_N malloc/free pairs with arithmetic between||||$B/threads $THR_N"
"jq|Debian's jq: $JQ_N numbers mapped to objects holding each as a string, then counted (a real allocation-heavy program)||skip:ltrace would stop on every event||jq -n -f $TMP/jq.filter"
)

# Sets T (seconds, 6 decimals) and RC for one run of "$@".
run_timed() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 </dev/null
	RC=$?
	t1=$EPOCHREALTIME
	T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
}

# The command line of TOOL on workload CMD (policy POL), or "" if none.
tool_cmd() {
	local tool=$1 cmd=$2 pol=$3 popt=
	[ -n "$pol" ] && popt="--policy $pol"
	case $tool in
	native|native-alt) echo "$cmd" ;;
	memsup) echo "$MEMSUP -q $popt $cmd" ;;
	memsup-bp) echo "$MEMSUP -q --engine=breakpoint --pin $popt $cmd" ;;
	valgrind) have valgrind && echo "valgrind -q --leak-check=full $cmd" ;;
	heaptrack) have heaptrack && echo "heaptrack -o $TMP/heaptrack $cmd" ;;
	ltrace)
		# same CPU, as the breakpoint engine with --pin
		have ltrace && echo "timeout $LTRACE_CAP taskset -c 0 ltrace -o /dev/null -e malloc+free+calloc+realloc $cmd" ;;
	esac
}

# Allocation events of the whole program: every scope of a policy-less
# memsup run (no stacks: only the counts matter here).
count_events() {
	local json=$TMP/events.json
	rm -f "$json"
	env $2 "$MEMSUP" -q --stack-depth 0 --json "$json" $1 \
		>/dev/null 2>&1 </dev/null
	[ -s "$json" ] || { echo null; return; }
	jq -c '{events: ([.scopes[].metrics | .allocations + .frees] | add),
		allocations: ([.scopes[].metrics.allocations] | add),
		frees: ([.scopes[].metrics.frees] | add),
		leaked_blocks: ([.scopes[].metrics.leaked_blocks] | add),
		leaked_bytes: ([.scopes[].metrics.leaked_bytes] | add),
		processes: (.scopes | length)}' "$json"
}

RAW=$TMP/runs.jsonl
WL=$TMP/workloads.jsonl
: >"$RAW"
: >"$WL"
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $RUNS runs per tool$([ "$QUICK" = 1 ] && echo ', quick sizes'); load average $LOAD0"

for w in "${WORKLOADS[@]}"; do
	IFS='|' read -r name desc pol lt envs cmd <<<"$w"
	if [ -n "${BENCH_ONLY:-}" ] && ! [[ " $BENCH_ONLY " == *" $name "* ]]; then
		continue
	fi
	bin=${cmd%% *}
	case $bin in */*) ;; *) bin=$(command -v "$bin" || echo "$bin") ;; esac
	if [ ! -x "$bin" ]; then
		echo "bench: $name: $bin not built, skipped" >&2
		jq -nc --arg n "$name" --arg d "$desc" --arg c "$cmd" \
			'{name: $n, what: $d, command: $c, missing: true}' >>"$WL"
		continue
	fi
	altcmd=
	case $lt in alt:*) altcmd=${lt#alt:} ;; esac
	ev=$(count_events "$cmd" "$envs")
	evalt=null
	[ -n "$altcmd" ] && evalt=$(count_events "$altcmd" "$envs")
	# What memsup itself stops on with the policy (events in tests).
	inscope=null
	if [ -n "$pol" ]; then
		rm -f "$TMP/policy.json"
		env $envs "$MEMSUP" -q --policy "$pol" --json "$TMP/policy.json" \
			$cmd >/dev/null 2>&1 </dev/null
		[ -s "$TMP/policy.json" ] && inscope=$(jq -c \
			'{scopes: (.scopes | length), events: ([.scopes[].metrics | .allocations + .frees] | add)}' \
			"$TMP/policy.json")
	fi
	# memsup's own CPU time (all its threads, not the program's) and
	# peak RSS, as it reports them with -v
	own=null
	popt=
	[ -n "$pol" ] && popt="--policy $pol"
	ownline=$(env $envs "$MEMSUP" -v $popt $cmd 2>&1 >/dev/null </dev/null |
		sed -n 's/^memsup: own use: //p' | tail -1)
	[ -n "$ownline" ] && own=$(awk '{ printf "{\"user_s\": %s, \"system_s\": %s, \"rss_kib\": %s}", $1, $4, $9 }' <<<"$ownline")
	printf '%s: %s events' "$name" "$(jq -r '.events // "?"' <<<"$ev")"

	tools=$TOOLS
	[ -n "$altcmd" ] && tools="$tools native-alt"
	set -- $tools
	ntools=$#
	skip_lt=
	case $lt in skip:*) skip_lt=${lt#skip:} ;; esac
	slow=" "
	for ((r = 0; r < RUNS; r++)); do
		for ((i = 0; i < ntools; i++)); do
			set -- $tools
			shift $(((r + i) % ntools))
			tool=$1
			c=$cmd
			case $tool in
			native-alt) c=$altcmd ;;
			ltrace|memsup-bp) [ -n "$altcmd" ] && c=$altcmd ;;
			esac
			[ "$tool" = ltrace ] && [ -n "$skip_lt" ] && continue
			[[ "$slow" == *" $tool "* ]] && continue
			full=$(tool_cmd "$tool" "$c" "$pol")
			[ -n "$full" ] || continue
			run_timed env $envs $full
			rm -f "$TMP"/heaptrack*
			if [ "$tool" = ltrace ] && [ "$RC" = 124 ]; then
				skip_lt="one run took more than $LTRACE_CAP s"
				continue
			fi
			jq -nc --arg w "$name" --arg t "$tool" --argjson s "$T" \
				--argjson rc "$RC" '{workload: $w, tool: $t, s: $s, rc: $rc}' >>"$RAW"
			awk -v t="$T" -v c="$SLOW_CAP" 'BEGIN { exit !(t > c) }' &&
				slow="$slow$tool "
		done
		printf ' .'
	done
	echo
	jq -nc --arg n "$name" --arg d "$desc" --arg c "$cmd" --arg a "$altcmd" \
		--arg p "$pol" --arg e "$envs" --arg sl "$skip_lt" \
		--argjson ev "$ev" --argjson evalt "$evalt" --argjson in "$inscope" \
		--argjson own "$own" \
		'{name: $n, what: $d, command: $c, policy: (if $p == "" then null else "discover: check" end),
		  env: (if $e == "" then null else $e end),
		  ltrace_command: (if $a == "" then null else $a end),
		  ltrace_skipped: (if $sl == "" then null else $sl end),
		  counts: $ev, counts_ltrace: $evalt, memsup_policy_scopes: $in,
		  memsup_own: (if $own then $own + {cpu_us_per_event:
			(if $ev.events and $ev.events > 0 then
			 (($own.user_s + $own.system_s) / $ev.events * 1e6 * 1000 | round / 1000)
			 else null end)} else null end)}' >>"$WL"
done

# ------------------------------------------ compute: memsup beside native
# memsup adds its start-up to a compute-bound program and nothing per
# instruction; the machine's own run-to-run noise is larger than that. So
# compute also runs as BENCH_PAIRS pairs, native and memsup back to back
# (which one first alternates), and its target is the median of the pairs'
# ratios.
PAIRS=${BENCH_PAIRS:-10}
if [ "$PAIRS" -gt 0 ] 2>/dev/null &&
   { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" compute "* ]]; }; then
	ccmd="$B/compute $SCALE"
	printf 'compute, %s pairs native/memsup' "$PAIRS"
	for ((p = 0; p < PAIRS; p++)); do
		if ((p % 2)); then order="memsup native"; else order="native memsup"; fi
		for tool in $order; do
			run_timed $(tool_cmd "$tool" "$ccmd" "")
			jq -nc --arg t "$tool" --argjson s "$T" --argjson rc "$RC" \
				--argjson p "$p" \
				'{workload: "compute", tool: ("pair-" + $t), pair: $p, s: $s, rc: $rc}' >>"$RAW"
		done
		printf ' .'
	done
	echo
fi

# ---------------------------------------------------- event path, memory
MICRO_JSON=null
if [ "$MICRO" = 1 ]; then
	echo "bench: event path"
	pc=$("$B/ptrace-cost" "$PC_N") || pc=null
	uw=null
	if [ -x "$B/unwind-bench" ]; then
		uwout=$("$B/unwind-bench" 2000 16 ours 2>&1)
		uw=$(awk '/^unwinder_unwind/ { for (i = 1; i <= NF; i++) {
				if ($i == "frames") f = $(i - 1);
				if ($i == "median") m = $(i + 1) } }
			/per unwind:/ { r = $3 }
			END { if (m != "") printf "{\"frames\": %s, \"median_us\": %s, \"reads_per_unwind\": %s}", f, m, r; else print "null" }' <<<"$uwout")
	fi
	# memsup on N events from a 12-deep loop (17 frames): per-event cost
	# from N against 0, with stacks (16) and without (0).
	EVR=$TMP/events-runs.jsonl
	: >"$EVR"
	variants="nat:keep nat:pair 16:keep 0:keep 16:pair 0:pair"
	for ((r = 0; r < RUNS; r++)); do
		for v in $variants; do
			for n in "$EV_N" 0; do
				d=${v%%:*} mode=${v#*:}
				if [ "$d" = nat ]; then
					run_timed "$B/events" "$mode" "$n" 12
				else
					run_timed "$MEMSUP" -q --stack-depth "$d" "$B/events" "$mode" "$n" 12
				fi
				jq -nc --arg v "$v" --argjson n "$n" --argjson s "$T" \
					'{v: $v, n: $n, s: $s}' >>"$EVR"
			done
		done
		printf ' .'
	done
	echo
	# Syscalls memsup makes per malloc/free pair (strace -c on memsup).
	sc=null
	if have strace; then
		for d in 16 0; do
			for n in 10000 0; do
				strace -c -o "$TMP/strace.$d.$n" "$MEMSUP" -q --stack-depth "$d" \
					"$B/events" pair "$n" 12 >/dev/null 2>&1
			done
		done
		sc=$(for d in 16 0; do
			awk -v d="$d" 'FNR == NR && $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ { a[$NF] = $4; next }
				$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ { b[$NF] = $4 }
				END { printf "{\"depth\": %s", d
				      for (k in a) { x = (a[k] - b[k]) / 10000; if (x >= 0.01) printf ", \"%s\": %.2f", k, x }
				      print "}" }' "$TMP/strace.$d.10000" "$TMP/strace.$d.0"
		done | jq -sc .)
	fi
	# memsup's peak RSS with RSS_N live blocks (one interned stack).
	rss=null
	if [ -x /usr/bin/time ]; then
		for n in "$RSS_N" 0; do
			/usr/bin/time -f '%M %e' -o "$TMP/rss.$n" "$MEMSUP" -q \
				"$B/events" keep "$n" 12 >/dev/null 2>&1
		done
		rss=$(jq -nc --argjson n "$RSS_N" \
			--argjson a "$(cut -d' ' -f1 "$TMP/rss.$RSS_N")" \
			--argjson b "$(cut -d' ' -f1 "$TMP/rss.0")" \
			--argjson s "$(cut -d' ' -f2 "$TMP/rss.$RSS_N")" \
			'{live_blocks: $n, peak_rss_kib: $a, peak_rss_kib_empty: $b, seconds: $s,
			  bytes_per_block: ((($a - $b) * 1024 / $n) * 10 | round / 10)}')
	fi
	MICRO_JSON=$(jq -sc --argjson pc "$pc" --argjson uw "$uw" --argjson sc "$sc" \
		--argjson rss "$rss" --argjson n "$EV_N" '
		def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
			else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def t($v; $k): [.[] | select(.v == $v and .n == $k) | .s] | med;
		def per($v; $nat): ((t($v; $n) - t($v; 0)) - (t($nat; $n) - t($nat; 0))) / $n * 1e6;
		(per("16:keep"; "nat:keep")) as $m16 | (per("0:keep"; "nat:keep")) as $m0 |
		(per("16:pair"; "nat:pair")) as $p16 | (per("0:pair"; "nat:pair")) as $p0 |
		($pc.same_cpu_us.median) as $stop |
		{events_n: $n, stack_loop_depth: 12, ptrace_stop: $pc, unwind_bench: $uw,
		 malloc_us_stack16: $m16, malloc_us_stack0: $m0,
		 pair_us_stack16: $p16, pair_us_stack0: $p0,
		 free_us_from_stack16: ($p16 - $m16), free_us_from_stack0: ($p0 - $m0),
		 malloc_target_us: (if $stop then 4 * $stop else null end),
		 free_target_us: (if $stop then 1.5 * $stop else null end),
		 malloc_ratio_to_two_stops: (if $stop then $m16 / (2 * $stop) else null end),
		 free_ratio_to_one_stop: (if $stop then ($p16 - $m16) / $stop else null end),
		 syscalls_per_pair: $sc, rss: $rss}' "$EVR")
fi

# ---------------------------------------------------------------- results
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
jq -s --arg date "$START" --arg cpu "$cpu" --arg nproc "$(nproc)" \
	--arg kernel "$(uname -r)" --arg load0 "$LOAD0" \
	--arg load1 "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson runs "$RUNS" \
	--argjson quick "$QUICK" --slurpfile wl "$WL" --argjson micro "$MICRO_JSON" \
	--arg tools "$TOOLS" '
	def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r(n): . * n | round / n;
	. as $all |
	{machine: {nproc: ($nproc | tonumber), cpu: $cpu, kernel: $kernel,
		   loadavg_start: $load0, loadavg_end: $load1},
	 date: $date, runs: $runs, quick: ($quick == 1),
	 workloads: [$wl[] | . as $w |
	   ([$all[] | select(.workload == $w.name and .tool == "native") | .s] | med) as $nat |
	   ([$all[] | select(.workload == $w.name and .tool == "native-alt") | .s] | med) as $natalt |
	   ([$all[] | select(.workload == $w.name and .tool == "pair-native")] |
	    map({key: (.pair | tostring), value: .s}) | from_entries) as $pn |
	   ([$all[] | select(.workload == $w.name and .tool == "pair-memsup")] |
	    map({key: (.pair | tostring), value: .s}) | from_entries) as $pm |
	   ([$pn | keys[] | select($pm[.] != null and $pn[.] > 0) | $pm[.] / $pn[.]]) as $pr |
	   $w + {native_s: $nat,
	     native_runs_s: [$all[] | select(.workload == $w.name and .tool == "native") | .s | r(10000)],
	     pairs: (if ($pr | length) > 0 then {n: ($pr | length),
		ratio_median: ($pr | med | r(1000)), ratio_min: ($pr | min | r(1000)),
		ratio_max: ($pr | max | r(1000)),
		native_s: [$pn[]] | map(r(1000)), memsup_s: [$pm[]] | map(r(1000))} else null end),
	     tools: ([$tools | splits(" ")] | map(. as $t |
	     [$all[] | select(.workload == $w.name and .tool == $t)] as $rs |
	     ($w.ltrace_command and ($t == "ltrace" or $t == "memsup-bp")) as $alt |
	     (if $alt then $natalt else $nat end) as $base |
	     (if $alt then $w.counts_ltrace.events else $w.counts.events end) as $ev |
	     {key: $t, value: (if ($rs | length) == 0 then
		{status: (if $t == "ltrace" and $w.ltrace_skipped then "skipped: " + $w.ltrace_skipped else "not installed" end)}
	      else ([$rs[].s] | med) as $m |
		{median_s: ($m | r(10000)), runs_s: [$rs[].s | r(10000)],
		 exit_status: [$rs[].rc] | unique,
		 slowdown: ($m / $base | r(100)),
		 us_per_event: (if $ev and $ev > 0 then (($m - $base) / $ev * 1e6 | r(100)) else null end),
		 command: (if $alt then $w.ltrace_command else null end)}
	      end)}) | from_entries)}],
	 micro: $micro}' "$RAW" >"$OUT/results.json" || die "cannot write results.json"

# Markdown: one row a workload; a cell: median seconds, slowdown, µs/event.
jq -r '
	def f(n): . * n | round / n | tostring;
	def cell: if .median_s == null then .status
		else "\(.median_s | f(100)) s · \(.slowdown | f(10))×" +
		     (if .us_per_event == null then "" else " · \(.us_per_event | f(10)) µs" end) +
		     (if .command then " ¹" else "" end) +
		     (if (.exit_status | length) > 1 then " ²" else "" end) +
		     (if (.runs_s | length) < $runs then " ³" else "" end) end;
	"Machine: \(.machine.nproc) CPUs, \(.machine.cpu), Linux \(.machine.kernel); \(.date); medians of \(.runs) runs\(if .quick then " (BENCH_QUICK)" else "" end); load average \(.machine.loadavg_start) at start, \(.machine.loadavg_end) at end.",
	"",
	"Each cell: median wall time · slowdown against native · µs per allocation event ((tool − native) / events; events = allocations + frees of the whole program, counted by memsup).",
	"",
	"| workload | events | native | memsup | memsup --engine=breakpoint --pin | valgrind memcheck | heaptrack | ltrace (same CPU) |",
	"|---|---|---|---|---|---|---|---|",
	(.workloads[] | select(.missing | not) |
	 "| \(.name) | \(.counts.events // "?") | \(.native_s | f(1000)) s | \(.tools.memsup | cell) | \(.tools["memsup-bp"] | cell) | \(.tools.valgrind | cell) | \(.tools.heaptrack | cell) | \(.tools.ltrace | cell) |"),
	"",
	(.workloads[] | select(.ltrace_command) | "¹ \(.name): ltrace and the breakpoint engine ran `\(.ltrace_command | sub(".*/"; ""))` (\(.counts_ltrace.events) events) against its own native time; the other tools ran `\(.command | sub(".*/"; ""))`."),
	(.workloads[] | select(.memsup_policy_scopes) | "\(.name): with its policy memsup stops only inside tests: \(.memsup_policy_scopes.events) events in \(.memsup_policy_scopes.scopes) scopes."),
	(.workloads[] | select(.name == "leaky") | "leaky: memsup counted \(.counts.leaked_blocks) leaked blocks, \(.counts.leaked_bytes) bytes (expected 2·N/100 + 1 blocks, N/100·104 + 65536 bytes)."),
	(if [.workloads[].tools // {} | .[] | .exit_status // [] | length > 1] | any then "² exit status differed between runs." else empty end),
	(if [.workloads[].tools // {} | .[] | .runs_s // [] | length < $runs] | any then "³ fewer runs: after one run longer than \($cap) s a tool gets no more runs on that workload (median of those it had)." else empty end),
	"",
	(.workloads[] | "- **\(.name)**: \(.what); `\(.command)`"),
	"",
	"memsup'"'"'s own cost (one run with -v: CPU time of all its threads, not the program'"'"'s; its peak RSS, the shared ring included):",
	"",
	"| workload | events | memsup CPU | µs per event | memsup peak RSS |",
	"|---|---|---|---|---|",
	(.workloads[] | select(.memsup_own) |
	 "| \(.name) | \(.counts.events // "?") | \((.memsup_own.user_s + .memsup_own.system_s) | f(1000)) s | \(.memsup_own.cpu_us_per_event // "-") | \(.memsup_own.rss_kib / 1024 | f(10)) MiB |"),
	"",
	"Targets of the in-process engine (this run):",
	"",
	"| target | measured | met |",
	"|---|---|---|",
	(def w($n): [.workloads[] | select(.name == $n and (.missing | not))][0];
	 def row($what; $v; $ok): "| \($what) | \($v) | \(if $ok == null then "n/a" elif $ok then "yes" else "no" end) |";
	 def ratio($a; $b): if $a and $b and $b > 0 then $a / $b else null end;
	 (w("alloc-churn").tools.memsup.us_per_event) as $ce |
	 row("alloc-churn, 16-frame stacks: ≤ 0.15 µs per event"; "\($ce // "-") µs"; (if $ce then $ce <= 0.15 else null end)),
	 (ratio(w("jq").tools.memsup.median_s; w("jq").tools.heaptrack.median_s)) as $jq |
	 row("jq: ≤ 0.7 × heaptrack'"'"'s time"; "\(if $jq then ($jq | f(100)) else "-" end) ×"; (if $jq then $jq <= 0.7 else null end)),
	 (ratio(w("check-alloc").tools.memsup.median_s; w("check-alloc").tools.valgrind.median_s)) as $ca |
	 row("Check test with 1.5 M allocations: ≤ 0.1 × memcheck'"'"'s time"; "\(if $ca then ($ca | f(1000)) else "-" end) ×"; (if $ca then $ca <= 0.1 else null end)),
	 def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	 def paired($a; $b): if ($a | length) > 0 and ($b | length) > 0 then [range(0; [($a | length), ($b | length)] | min) as $i | select($b[$i] > 0) | $a[$i] / $b[$i]] | med else null end;
	 (w("compute").tools.memsup.slowdown) as $cp |
	 (w("compute").pairs) as $pp |
	 (if $pp then $pp.ratio_median else paired(w("compute").tools.memsup.runs_s // []; w("compute").native_runs_s // []) end) as $cpp |
	 row("compute-bound: ≤ 1.02 × native"; "\(if $cpp then ($cpp | f(1000)) else "-" end) × (" + (if $pp then "median of \($pp.n) back-to-back pairs, \($pp.ratio_min)–\($pp.ratio_max) ×; native alone \($pp.native_s | min)–\($pp.native_s | max) s" else "median of the rounds'"'"' ratios" end) + "; the table'"'"'s medians \($cp // "-") ×)"; (if $cpp then $cpp <= 1.02 else null end)),
	 (ratio(w("threads").tools.memsup.median_s; w("threads").tools.heaptrack.median_s)) as $th |
	 row("threads: ≤ heaptrack'"'"'s time"; "\(if $th then ($th | f(100)) else "-" end) × heaptrack'"'"'s"; (if $th then $th <= 1 else null end))),
	(if .micro then .micro as $m | (
	 "",
	 "Event path (`bench/ptrace-cost.c`, `build/bench/events`, \($m.events_n) events from a loop 12 calls deep, 17 frames):",
	 "",
	 "| what | µs | target | ratio |",
	 "|---|---|---|---|",
	 "| bare ptrace stop, same CPU (int3, waitpid, GETREGS, SETREGS, CONT) | \($m.ptrace_stop.same_cpu_us.median) (p10 \($m.ptrace_stop.same_cpu_us.p10), p90 \($m.ptrace_stop.same_cpu_us.p90)) | | |",
	 "| bare ptrace stop, different CPUs | \($m.ptrace_stop.cross_cpu_us.median // "n/a") (p10 \($m.ptrace_stop.cross_cpu_us.p10 // "-"), p90 \($m.ptrace_stop.cross_cpu_us.p90 // "-")) | | |",
	 "| memsup malloc event, 16-frame stack | \($m.malloc_us_stack16 | f(10)) | ≤ \($m.malloc_target_us | f(10)) (2 × two stops) | \($m.malloc_ratio_to_two_stops | f(100)) × two stops |",
	 "| memsup malloc event, no stack (--stack-depth 0) | \($m.malloc_us_stack0 | f(10)) | | |",
	 "| memsup free event | \($m.free_us_from_stack16 | f(10)) (\($m.free_us_from_stack0 | f(10)) at depth 0) | ≤ \($m.free_target_us | f(10)) (1.5 × one stop) | \($m.free_ratio_to_one_stop | f(100)) × one stop |",
	 "| memsup malloc+free pair, 16-frame stack | \($m.pair_us_stack16 | f(10)) | ≤ 60 | |",
	 (if $m.unwind_bench then "| one unwind alone (unwind-bench, \($m.unwind_bench.frames) frames, \($m.unwind_bench.reads_per_unwind) process_vm_readv) | \($m.unwind_bench.median_us) | | |" else empty end),
	 (if $m.syscalls_per_pair then "", "memsup syscalls per malloc/free pair (strace -c on memsup, 10,000 pairs minus 0):", "",
	   ($m.syscalls_per_pair[] | "- stack depth \(.depth): " + ([to_entries[] | select(.key != "depth") | "\(.key) \(.value)"] | join(", "))) else empty end),
	 (if $m.rss then "", "memsup peak RSS with \($m.rss.live_blocks) live blocks (one stack): \($m.rss.peak_rss_kib) KiB, against \($m.rss.peak_rss_kib_empty) KiB with none: \($m.rss.bytes_per_block) bytes per live block (target ≤ 64); that run took \($m.rss.seconds) s." else empty end))
	 else empty end)
' --argjson runs "$RUNS" --argjson cap "$SLOW_CAP" "$OUT/results.json" >"$OUT/results.md" || die "cannot write results.md"

cat "$OUT/results.md"
echo
echo "bench: wrote $OUT/results.json and $OUT/results.md"

if [ "${BENCH_LEAKSCAN:-1}" = 1 ]; then
	echo
	bench/leakscan.sh || echo "bench: the leak-scan benchmark failed" >&2
fi
