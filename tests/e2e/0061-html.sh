#!/bin/sh
# --html FILE and memsup report RUN.json --html FILE, drawn by Debian's
# headless chromium: the Check sample's page and a generated run of 1,000
# tests. In the DOM after the page's script ran: a row per test with its
# name and exact figures, the flame graphs (high watermark, leaks) of the
# test named in the URL with a box per function of its stacks and their
# bytes (tests/e2e/html-check.py), drawn within 2 s of navigation. The
# page loads nothing from outside itself. Screenshots go to build/.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite
# The browser is one of the test tools (make deps installs it): this test
# never skips.
command -v chromium >/dev/null 2>&1 ||
	hard_error "chromium is not installed (make deps installs it)"

# chromium URL OUT ARGS...: headless, no profile, no network of its own.
browse() {
	br_url=$1 br_out=$2
	shift 2
	br_profile=$(mktemp -d "$WORK/profile.XXXXXX")
	timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$br_profile" "$@" "$br_url" \
		>"$br_out" 2>"$WORK/chromium.err" </dev/null ||
		{ tail -5 "$WORK/chromium.err" >&2; fail "chromium failed on $br_url"; }
	rm -rf "$br_profile"
}

J=$WORK/run.json P=$WORK/run.html
run_memsup --policy samples/check-suite/limits.yaml --json "$J" --html "$P" \
	samples/check-suite/check-suite
expect_status 1
[ -s "$P" ] || { show_run; fail "no HTML written to $P"; }

# Self-contained: no element loads a file or an address.
if grep -Eio '<(script|link|img|iframe|object|embed)[^>]*(src|href)=' "$P"; then
	fail "the page loads something from outside itself"
fi
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$P" ||
	fail "the page does not forbid outside requests"

for t in test_leak test_fail test_peak; do
	browse "file://$P#test=$t" "$WORK/$t.dom" --dump-dom
	python3 tests/e2e/html-check.py "$WORK/$t.dom" "$J" "$t" 2000 ||
		fail "the HTML page of the Check sample, $t selected (DOM in $WORK/$t.dom)"
done
# The failure message of the selected test is on the page.
msg=$(jq -r '.scopes[] | select(.name == "test_peak") | .failures[0].message' "$J")
grep -qF "$msg" "$WORK/test_peak.dom" || fail "test_peak's failure message is not on the page"

# The same page from the saved run.
P2=$WORK/again.html
run_memsup report "$J" --html "$P2"
expect_status 0
cmp -s "$P" "$P2" || fail "memsup report gives another page than --html"

mkdir -p build
browse "file://$P#test=test_leak" "$WORK/shot.out" --window-size=1280,1500 \
	--screenshot="$TOP/build/html-check-suite.png"
[ -s build/html-check-suite.png ] || fail "no screenshot in build/html-check-suite.png"

# 1,000 tests.
G=$WORK/gen.json GP=$WORK/gen.html
python3 tests/e2e/gen-run.py 1000 "$J" >"$G" || hard_error "gen-run.py failed"
run_memsup report "$G" --html "$GP"
expect_status 0
pick=$(jq -r '.scopes[505].name' "$G")
browse "file://$GP#test=$pick" "$WORK/gen.dom" --dump-dom
python3 tests/e2e/html-check.py "$WORK/gen.dom" "$G" "$pick" 2000 ||
	fail "the HTML page of 1,000 tests (DOM in $WORK/gen.dom)"
browse "file://$GP#test=$pick" "$WORK/shot.out" --window-size=1280,1500 \
	--screenshot="$TOP/build/html-1000.png"
[ -s build/html-1000.png ] || fail "no screenshot in build/html-1000.png"
exit 0
