#!/bin/sh
# A policy free that takes its block as a later argument (free_arg: 2) and
# releases it itself, through another policy free and then free(): one
# call, one event, under both engines. samples/boxfree/boxfree.c prints
# the figures it expects from its own constants; a block counted twice
# would show as an unknown free. A NULL first argument with a block second
# is a free all the same; a NULL block is none.
. "${0%/*}/lib.sh"
require_memsup
require_prog jq
require_sample samples/boxfree/boxfree samples/boxfree/policy.yaml

for engine in inject breakpoint; do
	run_memsup --engine=$engine --policy samples/boxfree/policy.yaml \
		--json "$WORK/box.$engine.json" samples/boxfree/boxfree
	expect_status 0
	read -r _ name _ alloc _ frees _ allocated _ peak _ leaked _ blocks \
		<"$WORK/stdout"
	[ "$name" = box_work ] || { show_run; fail "the program printed no expected figures"; }
	match_json "$WORK/box.$engine.json" \
		'[.scopes[] | select(.name == "box_work")][0].status' '"passed"'
	# and no unknown free
	match_metrics "$WORK/box.$engine.json" '.name == "box_work"' \
		"$(metrics_json "$alloc" "$frees" "$allocated" "$peak" "$leaked" \
		  "$blocks" 0)"
	grep -q misdescribed "$WORK/stderr" &&
		{ show_run; fail "$engine: a right description was called misdescribed"; }
done
exit 0
