#!/bin/sh
# The examples in README.md and docs/ that can be run are what memsup
# prints today: each "<!-- run: ARGS -->" example is run and every line it
# shows must be printed (tests/e2e/docs-examples.py).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite samples/stacks/stacks
python3 tests/e2e/docs-examples.py "$MEMSUP" README.md docs/*.md \
	>"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "a documented example differs from what memsup prints"; }
cat "$WORK/out"
exit 0
