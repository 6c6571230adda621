#!/bin/sh
# A GoogleTest suite built against Debian's libgtest-dev
# (samples/gtest/gtest_sample.cc, GT_* in expect.sh): a test's scope is
# its whole life as testing::TestInfo::Run drives it, so fixtures that
# free in TearDown or their destructor leak nothing; tests are named from
# gtest's registration, typed and parameterised ones included, and
# memsup's JUnit names are gtest's own --gtest_output=xml names.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3
require_sample samples/gtest/gtest-sample

GT=samples/gtest/gtest-sample
printf 'discover: gtest\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\n' >"$WORK/gtest.yaml"

run_memsup --json "$WORK/gtest.json" --junit-xml "$WORK/memsup.xml" \
	--policy "$WORK/gtest.yaml" $GT
expect_status 1		# Plain.Leaks leaks; gtest itself passes
J=$WORK/gtest.json
match_json "$J" '.scopes | length' $GT_TESTS
match_json "$J" '[.scopes[] | select(.status != "passed") | [.name, .status, .metrics.leaked_bytes]]' \
	"[[\"Plain.Leaks\", \"failed\", $GT_LEAK]]"
match_json "$J" '[.scopes[] | select(.name != "Plain.Leaks") | .metrics.leaked_bytes] | add' 0
match_json "$J" '[.scopes[] | .name] | sort' \
	'["Buffer.HandsToDestructor", "Buffer.HandsToTearDown", "Plain.Leaks", "Small/Param.Sizes/0", "Small/Param.Sizes/1", "Small/Param.Sizes/2", "TypedBuf/0.Holds", "TypedBuf/1.Holds"]'

# The same binary's own XML, and memsup's, name the same tests.
$GT --gtest_output="xml:$WORK/gtest.xml" >/dev/null 2>&1 ||
	hard_error "$GT fails on its own"
pairs()
{
	python3 -c 'import sys, xml.etree.ElementTree as ET
for c, n in sorted((t.get("classname"), t.get("name"))
		   for t in ET.parse(sys.argv[1]).getroot().iter("testcase")):
	print(c + "\t" + n)' "$1"
}
pairs "$WORK/gtest.xml" >"$WORK/gtest.names" || hard_error "cannot read gtest's XML"
pairs "$WORK/memsup.xml" >"$WORK/memsup.names" || fail "cannot read memsup's JUnit XML"
[ "$(wc -l <"$WORK/gtest.names")" -eq $GT_TESTS ] || hard_error "gtest did not write $GT_TESTS tests"
diff -u "$WORK/gtest.names" "$WORK/memsup.names" >&2 ||
	fail "memsup's JUnit names differ from gtest's"

# scope: function narrows each scope to TestBody: what the Buffer bodies
# leave to TearDown or the destructor is a leak of that call.
printf 'discover: gtest\nscope: function\nleak_kinds: all\ndefaults:\n  limit_leaks: 0 B\n' >"$WORK/fn.yaml"
run_memsup --json "$WORK/fn.json" --policy "$WORK/fn.yaml" $GT
expect_status 1
match_json "$WORK/fn.json" '[.scopes[] | select(.name | startswith("Buffer.")) | [.name, .metrics.leaked_bytes]] | sort' \
	"[[\"Buffer.HandsToDestructor\", $GT_BODY], [\"Buffer.HandsToTearDown\", $GT_BODY]]"

# list-tests says that gtest's names are learned at run time.
run_memsup list-tests --policy "$WORK/gtest.yaml" $GT
expect_status 0
grep -q "^testing::TestInfo::Run	_ZN7testing8TestInfo3RunEv	0x[0-9a-f]*	[^	]*	gtest-runtime	" "$WORK/stdout" ||
	{ show_run; fail "list-tests does not show the run-time runner"; }
exit 0
