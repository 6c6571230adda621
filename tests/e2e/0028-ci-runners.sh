#!/bin/sh
# One wrapper line for a whole CTest or meson suite: each test's JSON goes
# to its own file through %n (the program's basename), with the leaks each
# program makes (LEAK_A, LEAK_B bytes).
. "${0%/*}/lib.sh"
require_memsup
require_prog cmake ctest meson ninja cc
LEAK_A=100 LEAK_B=300
P=$WORK/proj
mkdir -p "$P" "$WORK/ctest-out" "$WORK/meson-out"
for t in a b; do
	eval "n=\$LEAK_$(echo $t | tr a-z A-Z)"
	cat >"$P/$t.c" <<C
#include <stdlib.h>
static void *volatile keep;
__attribute__((noinline)) void *leak_$t(void) { return malloc($n); }
int main(void) { keep = leak_$t(); keep = 0; return 0; }
C
done
cat >"$P/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.13)
project(memsup_ci C)
enable_testing()
add_executable(prog_a a.c)
add_executable(prog_b b.c)
add_test(NAME a COMMAND prog_a)
add_test(NAME b COMMAND prog_b)
CMAKE
cat >"$P/meson.build" <<'MESON'
project('memsup_ci', 'c')
test('a', executable('prog_a', 'a.c'))
test('b', executable('prog_b', 'b.c'))
MESON

# check_out DIR: prog_a.json and prog_b.json with their leaks
check_out() {
	for t in a b; do
		eval "n=\$LEAK_$(echo $t | tr a-z A-Z)"
		f=$1/prog_$t.json
		[ -s "$f" ] || { ls -la "$1" >&2; fail "no $f"; }
		match_json "$f" "[.scopes[0].leaks[] | select(.stack[0].function == \"leak_$t\") | .bytes]" "[$n]"
	done
}

# CTest: the emulator is the wrapper (the property CMake puts before
# every test's command).
cmake -S "$P" -B "$WORK/cbuild" -DCMAKE_BUILD_TYPE=Debug \
	"-DCMAKE_CROSSCOMPILING_EMULATOR=$MEMSUP;--json;$WORK/ctest-out/%n.json" \
	>"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log"; hard_error "cmake failed"; }
cmake --build "$WORK/cbuild" >>"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log"; hard_error "build failed"; }
(cd "$WORK/cbuild" && ctest --output-on-failure) >"$WORK/ctest.log" 2>&1 ||
	{ cat "$WORK/ctest.log"; fail "ctest failed under memsup"; }
check_out "$WORK/ctest-out"

# meson test --wrapper
(cd "$P" && meson setup "$WORK/mbuild" >"$WORK/meson.log" 2>&1) ||
	{ cat "$WORK/meson.log"; hard_error "meson setup failed"; }
ninja -C "$WORK/mbuild" >>"$WORK/meson.log" 2>&1 || { cat "$WORK/meson.log"; hard_error "ninja failed"; }
(cd "$WORK/mbuild" && meson test --wrapper "$MEMSUP --json $WORK/meson-out/%n.json") \
	>"$WORK/mtest.log" 2>&1 || { cat "$WORK/mtest.log"; fail "meson test failed under memsup"; }
check_out "$WORK/meson-out"

# The same through MEMSUP_OPTIONS, the wrapper being memsup alone.
rm -f "$WORK/meson-out"/*.json
(cd "$WORK/mbuild" && MEMSUP_OPTIONS="--json $WORK/meson-out/%n.json" \
	meson test --wrapper "$MEMSUP") >"$WORK/mtest.log" 2>&1 ||
	{ cat "$WORK/mtest.log"; fail "meson test failed with MEMSUP_OPTIONS"; }
check_out "$WORK/meson-out"
exit 0
