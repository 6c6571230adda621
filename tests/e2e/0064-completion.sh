#!/bin/sh
# Bash completion (contrib/memsup.bash): every long option of main.c's
# table is offered after "memsup --" (so --help lists them all), the
# subcommands and their options, the values of options that take a fixed
# set, policy files; `make install` puts the file where bash-completion
# finds it.
. "${0%/*}/lib.sh"
require_memsup
command -v bash >/dev/null 2>&1 || hard_error "bash is not installed"

# complete WORDS...: the candidates for the last word, one per line.
complete_words() {
	PATH="$TOP:$PATH" bash -c '
		. contrib/memsup.bash
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_memsup
		printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}

# Every long option main.c accepts and its usage() text shows (an option
# kept only for old scripts is left out of both).
sed -n '/^static void usage/,/^}/p' supervisor/main.c >"$WORK/usage.c"
sed -n '/longopts\[\] = {/,/^	};/s/.*{ "\([a-z-]*\)", \([a-z_]*\).*/\1/p' supervisor/main.c |
while read -r opt; do
	grep -q -- "--$opt[ =]" "$WORK/usage.c" && echo "$opt"
done >"$WORK/longopts"
[ "$(wc -l <"$WORK/longopts")" -ge 20 ] || hard_error "cannot read the options of supervisor/main.c"
complete_words memsup -- >"$WORK/offered"
while read -r opt; do
	grep -qx -- "--$opt=\?" "$WORK/offered" ||
		fail "'memsup --<TAB>' does not offer --$opt"
done <"$WORK/longopts"

[ "$(complete_words memsup --jun)" = "--junit-family=
--junit-xml" ] || fail "memsup --jun<TAB>: $(complete_words memsup --jun)"
complete_words memsup comp | grep -qx compare || fail "memsup comp<TAB> does not offer compare"
complete_words memsup rep | grep -qx report || fail "memsup rep<TAB> does not offer report"
[ "$(complete_words memsup compare --metric '' | tr '\n' ' ')" = "peak allocated allocations leaked " ] ||
	fail "memsup compare --metric <TAB>"
[ "$(complete_words memsup compare x.json --stat m | tr '\n' ' ')" = "min max mean median " ] ||
	fail "memsup compare --stat m<TAB>"
[ "$(complete_words memsup compare --sort=c)" = change ] || fail "memsup compare --sort=c<TAB>"
[ "$(complete_words memsup report a.json -- | tr '\n' ' ')" = "--collapsed --html " ] ||
	fail "memsup report --<TAB>: $(complete_words memsup report a.json --)"
[ "$(complete_words memsup --color=n)" = never ] || fail "memsup --color=n<TAB>"
[ "$(complete_words memsup --policy samples/check-suite/lim)" = samples/check-suite/limits.yaml ] ||
	fail "memsup --policy <TAB> does not offer the policy file"
# After the program, its own arguments: no memsup options.
complete_words memsup --repeat 2 samples/basic/basic --he | grep -q -- --help &&
	fail "memsup options offered after the program's name"

# make install puts it where bash-completion looks.
make -s install DESTDIR="$WORK/inst" PREFIX=/usr >"$WORK/install.log" 2>&1 ||
	{ cat "$WORK/install.log" >&2; fail "make install failed"; }
cmp -s contrib/memsup.bash "$WORK/inst/usr/share/bash-completion/completions/memsup" ||
	fail "make install did not install the completion"
exit 0
