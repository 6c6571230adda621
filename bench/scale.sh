#!/bin/sh
# scale.sh: memsup's reports on a large GoogleTest suite (make bench-scale).
#
# Generates with bench/gen-suite.py a suite of SCALE_TESTS tests (1000),
# each leaking one block from each of SCALE_STACKS distinct call stacks
# (400) SCALE_DEPTH frames deep (10) over SCALE_UNITS compilation units
# (50), builds it, and runs it under memsup with --json and --junit-xml
# and a policy every test fails. Measures: the run's time (memsup's
# closing line, which covers the reports), the time the reports took and
# the symbolising cost per distinct pc (memsup -v), the sizes of the files;
# then the same run with MEMSUP_SYMBOLS=per-pc (libdwfl's symbol search
# and dwarf_getscopes() for each pc, as memsup looked pcs up before its
# indexes). Checks: reports <= 10% of the run, JSON <= 20 MB, JUnit <=
# 10 MB, and the figures of every test. Writes build/bench/scale.md.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd) || exit 99
cd "$TOP" || exit 99
T=${SCALE_TESTS:-1000} S=${SCALE_STACKS:-400} D=${SCALE_DEPTH:-10} U=${SCALE_UNITS:-50}
OUT=build/bench/scale
MD=build/bench/scale.md
command -v jq >/dev/null || { echo "scale.sh: jq is needed" >&2; exit 99; }
[ -e /usr/include/gtest/gtest.h ] || { echo "scale.sh: libgtest-dev is needed" >&2; exit 99; }

python3 bench/gen-suite.py "$OUT" "$T" "$S" "$D" "$U" || exit 99
make -s -C "$OUT" -j2 suite || exit 99

# run NAME [ENV=...]: one memsup run; sets total, reports, per_pc, pcs
run()
{
	name=$1
	shift
	env "$@" ./memsup -q -v --policy "$OUT/policy.yaml" \
		--json "$OUT/$name.json" --junit-xml "$OUT/$name.xml" \
		"$OUT/suite" >/dev/null 2>"$OUT/$name.err"
	total=$(sed -n 's/^memsup: [0-9]* tests: .*(\([0-9.]*\) s)$/\1/p' "$OUT/$name.err")
	line=$(grep '^memsup: reports written in' "$OUT/$name.err")
	reports=$(echo "$line" | sed 's/.*written in \([0-9.]*\) s.*/\1/')
	pcs=$(echo "$line" | sed 's/.*symbols: \([0-9]*\) distinct pcs.*/\1/')
	symtime=$(echo "$line" | sed 's/.*resolved in \([0-9.]*\) s.*/\1/')
	per_pc=$(echo "$line" | sed 's/.*(\([0-9.]*\) us each).*/\1/')
	[ -n "$total" ] && [ -n "$per_pc" ] ||
		{ cat "$OUT/$name.err" >&2; echo "scale.sh: no figures from memsup" >&2; exit 1; }
}

bad=0
run indexed
i_total=$total i_reports=$reports i_pcs=$pcs i_sym=$symtime i_per_pc=$per_pc
json=$(stat -c %s "$OUT/indexed.json") xml=$(stat -c %s "$OUT/indexed.xml")
run per-pc MEMSUP_SYMBOLS=per-pc
p_total=$total p_reports=$reports p_pcs=$pcs p_sym=$symtime p_per_pc=$per_pc

# Every test failed with exactly S leaking stacks of one block each.
got=$(jq -c "[.scopes[] | select(.status == \"failed\" and
	(.leaks | length) + .omitted_stacks.leaks == $S and
	([.leaks[].stack | length] | all(. == $D)))] | length" "$OUT/indexed.json")
[ "$got" = "$T" ] || { echo "scale.sh: $got of $T tests have the expected leaks" >&2; bad=1; }
cmp -s "$OUT/indexed.json" "$OUT/per-pc.json" >/dev/null 2>&1 || {
	a=$(jq -c '[.scopes[].leaks[].stack[] | [.function, .file, .line]]' "$OUT/indexed.json" | md5sum)
	b=$(jq -c '[.scopes[].leaks[].stack[] | [.function, .file, .line]]' "$OUT/per-pc.json" | md5sum)
	[ "$a" = "$b" ] || { echo "scale.sh: the two lookups symbolise differently" >&2; bad=1; }
}
share=$(awk "BEGIN { printf \"%.1f\", 100 * $i_reports / $i_total }")
awk "BEGIN { exit !($share <= 10) }" || { echo "scale.sh: reports took $share% of the run" >&2; bad=1; }
[ "$json" -le 20000000 ] || { echo "scale.sh: JSON is $json bytes" >&2; bad=1; }
[ "$xml" -le 10000000 ] || { echo "scale.sh: JUnit is $xml bytes" >&2; bad=1; }

{
	echo "Suite: $T GoogleTest tests, each leaking from $S distinct stacks $D frames deep over $U compilation units ($(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ))."
	echo
	echo "| lookup | run (closing line) | reports | share | distinct pcs | symbolising | per pc |"
	echo "|---|---|---|---|---|---|---|"
	echo "| indexed (default) | $i_total s | $i_reports s | $share% | $i_pcs | $i_sym s | $i_per_pc µs |"
	echo "| per pc (MEMSUP_SYMBOLS=per-pc) | $p_total s | $p_reports s | $(awk "BEGIN { printf \"%.1f\", 100 * $p_reports / $p_total }")% | $p_pcs | $p_sym s | $p_per_pc µs |"
	echo
	echo "JSON: $json bytes; JUnit XML: $xml bytes."
} >"$MD"
cat "$MD"
exit $bad
