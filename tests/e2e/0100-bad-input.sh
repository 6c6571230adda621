#!/bin/sh
# Bad input (docs/supervisor.md): malformed policies through the real binary
# (check-policy and a run: exit 2, file:line:column, nothing run); a policy
# naming tests the program lacks (a warning, the run goes on); an unknown
# option; a program that is missing, a directory, not executable, 32-bit;
# a script (its interpreter is supervised); a wrapper script whose program
# does not exist (the shell's 127 passes through).
. "${0%/*}/lib.sh"
require_memsup
F=samples/faults/faults
require_sample $F samples/faults/hello32 samples/faults/script \
	samples/faults/missing-wrapper tests/unit/policies/broken.yaml

MARK=$WORK/ran		# faults marker $MARK creates it: the program ran

# bad_policy FILE LOC...: check-policy FILE and a run with --policy FILE
# both exit 2, name every FILE:LINE:COL given, and run nothing.
bad_policy()
{
	bp_file=$1
	shift
	run_memsup check-policy "$bp_file"
	expect_status 2
	for bp_loc in "$@"; do
		expect_stderr "^$bp_file:$bp_loc: "
	done
	run_memsup --policy "$bp_file" --json "$WORK/bad.json" $F marker "$MARK"
	expect_status 2
	for bp_loc in "$@"; do
		expect_stderr "^$bp_file:$bp_loc: "
	done
	expect_no_program_run "$MARK"
	[ -e "$WORK/bad.json" ] && fail "a JSON report for a run that never was"
	return 0
}

# The foundation's malformed policy: four mistakes, each with its place and
# what to do (a suggestion or what is expected).
P=tests/unit/policies/broken.yaml
bad_policy $P 3:3 6:19 7:3 10:5
expect_stderr "unknown key 'limit_memroy'.*did you mean 'limit_memory'" \
	"invalid size '10 XB'.*expected" "duplicate test 'test_money_create'" \
	"allocator without 'alloc'"

# A few more, inline: a YAML syntax error, a tab, an unknown version, a
# size_arg out of range, a filter with no field, an empty file, bad UTF-8.
printf 'tests:\n  foo: [\n' >"$WORK/syntax.yaml"
bad_policy "$WORK/syntax.yaml" '[0-9]+:[0-9]+'
printf 'tests:\n\tfoo:\n' >"$WORK/tab.yaml"
bad_policy "$WORK/tab.yaml" 2:1
expect_stderr 'tab'
printf 'version: 2\n' >"$WORK/version.yaml"
bad_policy "$WORK/version.yaml" 1:10
expect_stderr "version '2'.*expected 1"
printf 'allocators:\n  - alloc: a\n    size_arg: 7\n' >"$WORK/sizearg.yaml"
bad_policy "$WORK/sizearg.yaml" 3:15
expect_stderr "size_arg '7'.*1 to 6"
printf 'leak_filters:\n  - {}\n' >"$WORK/filter.yaml"
bad_policy "$WORK/filter.yaml" 2:5
expect_stderr 'no field.*function, file, object or stack'
printf 'tests:\n  foo:\n    limit_leaks: -1 MB\n' >"$WORK/negative.yaml"
bad_policy "$WORK/negative.yaml" 3:18
expect_stderr 'negative'
: >"$WORK/empty.yaml"
bad_policy "$WORK/empty.yaml" '[0-9]+:[0-9]+'
printf 'tests:\n  caf\303\251_\377:\n' >"$WORK/utf8.yaml"
bad_policy "$WORK/utf8.yaml" '[0-9]+:[0-9]+'
expect_stderr 'UTF-8'
# A policy that does not exist: a usage error too, naming the file.
run_memsup --policy "$WORK/no-such.yaml" $F marker "$MARK"
expect_status 2
expect_stderr "no-such\.yaml"
expect_no_program_run "$MARK"

# A policy naming a test the program does not have: a warning that names
# it, and the run goes on with the tests that exist.
printf 'tests:\n  no_such_test: {}\n  fault_test: {}\n' >"$WORK/missing.yaml"
run_memsup --policy "$WORK/missing.yaml" --json "$WORK/missing.json" $F ok
expect_status 0
expect_stderr 'warning' 'no_such_test'
J=$WORK/missing.json
match_json "$J" '[.scopes[] | {name, status}]' '[{"name": "fault_test", "status": "passed"}]'
match_metrics "$J" '.name == "fault_test"' "$(metrics_json 3 1 600 600 500 2)"
expect_pids_gone "$J"

# An unknown option: usage error, nothing run, the option named, --help
# suggested.
run_memsup --no-such-option $F marker "$MARK"
expect_status 2
expect_stderr 'no-such-option' 'help'
expect_no_program_run "$MARK"

# A program that is not there, a directory, a file without execute
# permission: exit 3 with the reason; nothing left behind.
run_memsup --json "$WORK/x.json" samples/faults/no-such-program
expect_status 3
expect_stderr "samples/faults/no-such-program" 'no such file|not found'
run_memsup --json "$WORK/x.json" samples/faults
expect_status 3
expect_stderr 'samples/faults' 'directory'
cp $F "$WORK/noexec"
chmod 644 "$WORK/noexec"
if [ "$(id -u)" = 0 ] || [ ! -x "$WORK/noexec" ]; then
	run_memsup --json "$WORK/x.json" "$WORK/noexec" marker "$MARK"
	expect_status 3
	expect_stderr 'noexec' 'permission' 'chmod'
	expect_no_program_run "$MARK"
fi

# A 32-bit program (built with gcc -m32, or a bare i386 ELF): refused before
# it runs, saying it is 32-bit.
file_class=$(od -A n -t u1 -j 4 -N 1 samples/faults/hello32 | tr -d ' ')
[ "$file_class" = 1 ] || hard_error "samples/faults/hello32 is not a 32-bit ELF"
run_memsup --json "$WORK/h32.json" samples/faults/hello32
expect_status 3
expect_stderr 'hello32' '32-bit' 'x86-64'
[ -s "$WORK/stdout" ] && { show_run; fail "the 32-bit program ran"; }

# A script with a shebang: it runs, and its interpreter is what is
# supervised (one scope, the shell's executable); its status passes through.
run_memsup --json "$WORK/script.json" samples/faults/script
expect_status 4
expect_stdout "script: running"
J=$WORK/script.json
sh_exe=$(readlink -f /bin/sh)
match_json "$J" '[.exit_status, .program_exit_status]' '[4, 4]'
match_json "$J" '[.scopes[] | {executable, status}]' \
	"[{\"executable\": \"$sh_exe\", \"status\": \"passed\"}]"
expect_pids_gone "$J"

# A wrapper script whose real program does not exist: the exec fails in
# the shell, which says so on stderr and exits 127; memsup passes that
# status through and reports the shell.
run_memsup --json "$WORK/wrapper.json" samples/faults/missing-wrapper
expect_status 127
expect_stderr 'no-such-program' 'not found'
J=$WORK/wrapper.json
match_json "$J" '[.exit_status, .program_exit_status]' '[127, 127]'
match_json "$J" '[.scopes[] | {executable, status}]' \
	"[{\"executable\": \"$sh_exe\", \"status\": \"passed\"}]"
expect_pids_gone "$J"
exit 0
