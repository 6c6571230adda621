#!/bin/sh
# Symbolising through memsup's indexes (each object's symbol table sorted
# once, each compilation unit's functions indexed once) names every frame
# exactly as the lookup per pc (MEMSUP_SYMBOLS=per-pc: libdwfl's symbol
# search and dwarf_getscopes for each pc) does: function, file, line and
# inlined calls, over C, C++, static, threaded, dlopen'd and split code.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/cxx/cxx samples/basic/basic samples/static/basic-static \
	samples/threads/threads samples/dlopen/dlopen samples/stacks/stacks \
	samples/check-suite/check-suite
frames='[.scopes[] | (.leaks, .peak_allocations, .top_allocations)[] |
	[.stack[] | [.function, .file, .line, .inlined]]]'
n=0
for p in samples/cxx/cxx samples/basic/basic samples/static/basic-static \
	samples/threads/threads samples/dlopen/dlopen \
	"--policy samples/stacks/policy.yaml samples/stacks/stacks" \
	"--policy samples/check-suite/limits.yaml samples/check-suite/check-suite"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	run_memsup --all-stacks --full-stacks --json "$WORK/i$n.json" $p
	# shellcheck disable=SC2086
	MEMSUP_SYMBOLS=per-pc run_memsup --all-stacks --full-stacks --json "$WORK/p$n.json" $p
	jq -c "$frames" "$WORK/i$n.json" >"$WORK/i$n.frames"
	jq -c "$frames" "$WORK/p$n.json" >"$WORK/p$n.frames"
	[ "$(jq length "$WORK/i$n.frames")" -gt 0 ] || fail "$p: no stacks"
	cmp -s "$WORK/i$n.frames" "$WORK/p$n.frames" ||
		fail "$p: the indexed lookup names frames differently from the per-pc one"
done
exit 0
