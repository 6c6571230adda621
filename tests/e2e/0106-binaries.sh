#!/bin/sh
# Binaries without the usual help (docs/supervisor.md): a stripped one (only .dynsym: memsup counts exactly through the C library's
# .dynsym, a policy names a function the binary exports, and list-tests
# says that it cannot discover Check tests there); code without unwind
# tables or frame pointers (the unwinder stops cleanly, figures exact).
# samples/faults/exported.c, nounwind.c. The static binary has its own
# test, 0006 (and 0016 for its stacks).
. "${0%/*}/lib.sh"
require_memsup
E=samples/faults/exported
ES=samples/faults/exported-stripped
NU=samples/faults/nounwind
require_sample $E $ES $NU

# The stripped copy really is stripped: no .symtab.
if command -v readelf >/dev/null 2>&1; then
	readelf -S $ES | grep -q '\.symtab' && hard_error "$ES has a .symtab"
	readelf --dyn-syms $ES | grep -q ' exported_test$' ||
		hard_error "$ES does not export exported_test"
fi

# Whole program, stripped and not: the same exact figures
# (exported.c: 4 / 2 / 4156 / 4096 / 40 in 2).
for b in $E $ES; do
	run_memsup --json "$WORK/whole.json" $b
	expect_status 0
	expect_stdout "exported: done"
	match_json "$WORK/whole.json" '[.scopes[] | .status]' '["passed"]'
	match_metrics "$WORK/whole.json" 'true' "$(metrics_json 4 2 4156 4096 40 2)"
	expect_pids_gone "$WORK/whole.json"
done

# A policy naming the exported function: found in .dynsym, measured
# exactly (3 / 1 / 60 / 60 / 40 in 2), main's 4096 outside it.
run_memsup --policy samples/faults/exported.yaml --json "$WORK/test.json" $ES
expect_status 0
J=$WORK/test.json
match_json "$J" '[.scopes[] | {name, status}]' '[{"name": "exported_test", "status": "passed"}]'
match_metrics "$J" '.name == "exported_test"' "$(metrics_json 3 1 60 60 40 2)"
expect_pids_gone "$J"
run_memsup list-tests --policy samples/faults/exported.yaml $ES
expect_status 0
grep -q '^exported_test[[:space:]]' "$WORK/stdout" ||
	{ show_run; fail "list-tests does not list exported_test in $ES"; }

# No unwind tables, no frame pointer, -O2 (nounwind.c: 200 / 100 / 7200 /
# 4824 / 4800 in 100): no crash, exact figures, and the leak's stack is
# short and clean: it starts at level3 (the allocator's caller) and stops
# within --stack-depth.
for depth in 16 64; do
	run_memsup --stack-depth $depth --json "$WORK/nounwind.json" $NU
	expect_status 0
	expect_stdout "nounwind: done"
	J=$WORK/nounwind.json
	match_json "$J" '[.scopes[] | .status]' '["passed"]'
	match_metrics "$J" 'true' "$(metrics_json 200 100 7200 4824 4800 100)"
	match_json "$J" '.scopes[0].leaks | map({bytes, blocks})' '[{"bytes": 4800, "blocks": 100}]'
	match_json "$J" ".scopes[0].leaks[0].stack | [(length >= 1 and length <= $depth), .[0].function]" \
		'[true, "level3"]'
	expect_pids_gone "$J"
done

# list-tests on the stripped binary without a policy: nothing to list, and
# it says why (no symbol table: Check tests cannot be discovered; name the
# functions in a policy).
run_memsup list-tests $ES
expect_status 0
expect_stderr 'stripped|symtab|symbol table' 'discover|Check'
exit 0
