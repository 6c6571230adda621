#!/bin/sh
# memsup compare over three runs: --metric, --stat over repeats, --sort,
# --csv, --fail-on (the first run against the last) and --html. The rows,
# their values and their order are computed from the three JSON files by
# tests/e2e/compare-expect.py, not copied from memsup's output. Two runs
# without the new options keep the two-run table (0022-reports.sh).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite
command -v chromium >/dev/null 2>&1 ||
	hard_error "chromium is not installed (make deps installs it)"

J1=$WORK/1.json J2=$WORK/2.json J3=$WORK/3.json
run_memsup --policy samples/check-suite/limits.yaml --json "$J1" \
	samples/check-suite/check-suite
expect_status 1
# Later runs: each test's figures scaled by its own factor, one test gone
# from the last run, one new test in the last two, and a series of three
# repeats per test whose spread differs by test.
jq '.scopes |= (to_entries | map(.value.metrics.peak_bytes =
	(.value.metrics.peak_bytes * (.key + 2) / 2 | floor)) | map(.value))' \
	"$J1" >"$J2" || hard_error "jq failed"
jq '.scopes |= (to_entries | map(.value.metrics.peak_bytes =
	(.value.metrics.peak_bytes * (10 - .key) / 3 | floor)) | map(.value))
    | del(.scopes[3])' "$J1" >"$J3" || hard_error "jq failed"
for f in "$J2" "$J3"; do
	jq '.scopes += [.scopes[0] | .name = "test_added" | .metrics.peak_bytes = 4096]' \
		"$f" >"$f.tmp" && mv "$f.tmp" "$f" || hard_error "jq failed"
done
for f in "$J1" "$J2" "$J3"; do
	jq '.scopes |= (to_entries | map(.value.repeats = {
		peak_bytes: [.value.metrics.peak_bytes, .value.metrics.peak_bytes + 8 * .key,
			     .value.metrics.peak_bytes + 3 * .key * .key],
		allocated_bytes: [.value.metrics.allocated_bytes],
		allocations: [.value.metrics.allocations, .value.metrics.allocations + .key] })
	  | map(.value))' "$f" >"$f.tmp" && mv "$f.tmp" "$f" || hard_error "jq failed"
done

# check METRIC STAT SORT FAIL_PCT: the CSV and the table's order.
check() {
	ck_args="--metric $1 --sort $3"
	[ "$2" = - ] || ck_args="$ck_args --stat $2"
	[ "$4" = - ] || ck_args="$ck_args --fail-on $1:$4%"
	python3 tests/e2e/compare-expect.py "$@" "$J1" "$J2" "$J3" >"$WORK/expect" ||
		hard_error "compare-expect.py failed"
	over=$(sed -n 's/^over //p' "$WORK/expect")
	sed '$d' "$WORK/expect" >"$WORK/expect.csv"
	# shellcheck disable=SC2086
	run_memsup compare $ck_args --csv "$WORK/got.csv" "$J1" "$J2" "$J3"
	if [ "$over" -gt 0 ]; then expect_status 1; else expect_status 0; fi
	cmp -s "$WORK/expect.csv" "$WORK/got.csv" || {
		diff -u "$WORK/expect.csv" "$WORK/got.csv" >&2
		fail "compare $ck_args: the CSV differs from the one computed from the runs"
	}
	# The table lists the tests in the CSV's order.
	sed '1d; s/,.*//' "$WORK/expect.csv" >"$WORK/order.expect"
	awk 'f && /^memsup compare:/ { exit } f { print $1 } /^test / { f = 1 }' \
		"$WORK/stdout" >"$WORK/order.got"
	cmp -s "$WORK/order.expect" "$WORK/order.got" || {
		diff -u "$WORK/order.expect" "$WORK/order.got" >&2
		fail "compare $ck_args: the table's rows are not in the expected order"
	}
	if [ "$over" -gt 0 ]; then
		[ "$(grep -c "over --fail-on $1:$4%\$" "$WORK/stdout")" = "$over" ] ||
			fail "compare $ck_args: expected $over lines over the threshold"
	fi
}

check peak - change -
check peak - change 50
check peak - value -
check peak max name -
check peak median change -
check peak stddev change -
check peak mean value 150
check allocations mean change -
check allocations min name 10

# The page: a bar per test and run, a line per test across the three runs.
H=$WORK/c.html
run_memsup compare --sort change --html "$H" "$J1" "$J2" "$J3"
expect_status 0
timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$WORK/profile" --dump-dom "file://$H" >"$WORK/c.dom" \
	2>/dev/null </dev/null || fail "chromium failed on $H"
ntests=$(($(wc -l <"$WORK/expect.csv") - 1))
# The drawing only, not the page's script that follows it.
sed -i '/<script id="memsup-data"/,$d' "$WORK/c.dom"
[ "$(grep -o '<polyline' "$WORK/c.dom" | wc -l)" = "$ntests" ] ||
	fail "the compare page does not draw one line per test ($ntests)"
[ "$(grep -o 'class="brow' "$WORK/c.dom" | wc -l)" = $((2 * ntests)) ] ||
	fail "the compare page does not draw peak and allocations bars for $ntests tests"
grep -q 'data-render-ms="[0-9.]*"' "$WORK/c.dom" ||
	fail "the compare page did not finish drawing"

# Bad uses.
run_memsup compare "$J1"
expect_status 2
expect_stderr 'two or more'
run_memsup compare --metric bogus "$J1" "$J2"
expect_status 2
expect_stderr "invalid value 'bogus' for --metric"
run_memsup compare --stat average "$J1" "$J2"
expect_status 2
expect_stderr "invalid value 'average' for --stat"
run_memsup compare --sort size "$J1" "$J2"
expect_status 2
run_memsup compare --csv "$WORK/no/dir/x.csv" "$J1" "$J2" "$J3"
expect_status 2
expect_stderr 'cannot write'
jq '.scopes[0].repeats.peak_bytes = ["x"]' "$J1" >"$WORK/badrep.json"
run_memsup compare --stat min "$WORK/badrep.json" "$J2"
expect_status 2
expect_stderr 'repeats.peak_bytes\[0\] is not a whole number'
exit 0
