#!/bin/sh
# Policy keys (samples/manyfns: 120 functions many_000 ... many_119, each
# one malloc(8) and its free): `functions` names function boundaries,
# exactly or by glob, and refuses a glob matching more than 100 functions,
# saying how many; a `tests` glob selects among discovered tests only;
# check-policy warns about a key an earlier glob shadows.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/manyfns/manyfns

MANY=samples/manyfns/manyfns
MANY_FUNCTIONS=120
MANY_BYTES=8

# A glob over all of them: refused before anything runs (exit 2).
printf 'discover: none\nfunctions:\n  "many_*": {}\n' >"$WORK/all.yaml"
run_memsup --policy "$WORK/all.yaml" $MANY
expect_status 2
[ -s "$WORK/stdout" ] && fail "the program ran"
grep -q "policy functions glob 'many_\*' (line 3) matches $MANY_FUNCTIONS functions in .*manyfns, more than 100: refused" \
	"$WORK/stderr" || { show_run; fail "the refusal does not say how many"; }
run_memsup list-tests --policy "$WORK/all.yaml" $MANY
expect_status 2

# Ten of them by glob, one more by name with its own limit.
cat >"$WORK/ten.yaml" <<'YAML'
discover: none
functions:
  "many_00*":
    max_allocations: 1
  many_119:
    max_allocations: 0
YAML
run_memsup --json "$WORK/ten.json" --policy "$WORK/ten.yaml" $MANY
expect_status 1		# many_119 makes one allocation, its limit is 0
expect_stdout "manyfns: done"
J=$WORK/ten.json
match_json "$J" '[.scopes[] | .name] | sort' \
	'["many_000", "many_001", "many_002", "many_003", "many_004", "many_005", "many_006", "many_007", "many_008", "many_009", "many_119"]'
match_json "$J" '[.scopes[] | select(.status == "failed") | .name]' '["many_119"]'
match_metrics "$J" '.name == "many_004"' "$(metrics_json 1 1 $MANY_BYTES \
	$MANY_BYTES 0 0)"

# A tests glob is not a function boundary: nothing to supervise.
printf 'discover: none\ntests:\n  "many_00*": {}\n' >"$WORK/tests.yaml"
run_memsup --policy "$WORK/tests.yaml" $MANY
expect_status 3
grep -q "policy test 'many_00\*' matches no test or function" "$WORK/stderr" ||
	{ show_run; fail "no word about the tests glob"; }
# ... while an exact tests key names one function.
printf 'discover: none\ntests:\n  many_003: {}\n' >"$WORK/exact.yaml"
run_memsup --json "$WORK/exact.json" --policy "$WORK/exact.yaml" $MANY
expect_status 0
match_json "$WORK/exact.json" '[.scopes[] | .name]' '["many_003"]'

# check-policy: the second glob can never apply.
cat >"$WORK/shadow.yaml" <<'YAML'
functions:
  "many_*":
    max_allocations: 10
  "many_00*":
    max_allocations: 1
  many_005:
    max_allocations: 2
YAML
run_memsup check-policy "$WORK/shadow.yaml"
expect_status 0
grep -q "^$WORK/shadow.yaml:4:3: warning: 'many_00\*' in 'functions' is shadowed by 'many_\*' (line 2)" \
	"$WORK/stderr" || { show_run; fail "no shadowing warning"; }
n=$(grep -c "shadowed" "$WORK/stderr")
[ "$n" = 1 ] || { show_run; fail "an exact key is never shadowed; got $n warnings"; }
exit 0
