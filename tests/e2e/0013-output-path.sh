#!/bin/sh
# An output path that cannot be written is a usage error, found before the
# program runs (the man page: exit 2, nothing is run); and the JSON document is
# written atomically: no temporary file is left beside it.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/basic/basic

run_memsup --json "$WORK/no-such-dir/out.json" samples/basic/basic
expect_status 2
[ -s "$WORK/stderr" ] || fail "no message for an unwritable --json path"
[ -s "$WORK/stdout" ] && fail "the program ran although --json cannot be written"

mkdir "$WORK/out"
run_memsup --json "$WORK/out/basic.json" samples/basic/basic
expect_status 0
expect_json "$WORK/out/basic.json"
left=$(ls -A "$WORK/out")
[ "$left" = basic.json ] || fail "files left beside the JSON: $left"
exit 0
