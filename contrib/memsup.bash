# bash completion for memsup: options, their values and subcommands.
#
# Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/memsup, where bash-completion
# loads it on first use; or source it from ~/.bashrc:
#
#     . /path/to/memsup/contrib/memsup.bash
#
# The options are read from `memsup --help` (and `memsup SUBCOMMAND
# --help`) the first time they are needed, so the list is always that of
# the memsup on PATH.

# _memsup_options [SUBCOMMAND]: the options of memsup's help text: those
# starting a line of its option table ("  -q, --quiet ..."), and for a
# subcommand those of its usage lines ("[--metric M]").
_memsup_options()
{
	local usage=
	[ $# -gt 0 ] &&
		usage='/usage:\|^  *memsup /{ s/[^[]*\[\(--[a-zA-Z0-9-]*\)[^[]*/\1\n/g; s/\n$//; /^--/p; }'
	"${_memsup_cmd:-memsup}" "$@" --help 2>/dev/null |
		sed -n -e 's/^ *\(-[a-zA-Z]\), \(--[a-zA-Z0-9-]*=\?\).*/\1\n\2/p' \
			-e 's/^ *\(--[a-zA-Z0-9-]*=\?\).*/\1/p' \
			-e 's/^ *\(-[a-zA-Z]\) .*/\1/p' -e "$usage" |
		sort -u
}

_memsup_subcommands()
{
	"${_memsup_cmd:-memsup}" --help 2>/dev/null |
		sed -n 's/^\(usage:\)\? *memsup \([a-z][a-z-]*\) .*/\2/p' | sort -u
}

_memsup_files()
{
	# FILES matching the glob $1, and directories to walk into.
	local IFS=$'\n' cur=$2
	COMPREPLY+=($(compgen -d -S / -- "$cur"))
	if [ -n "$1" ]; then
		COMPREPLY+=($(compgen -f -X "!$1" -- "$cur"))
	else
		COMPREPLY+=($(compgen -f -- "$cur"))
	fi
	compopt -o nospace -o filenames 2>/dev/null
}

# The values of an option OPT, completing CUR. Returns 1 when OPT takes
# no value.
_memsup_value()
{
	local opt=$1 cur=$2
	case $opt in
	--policy) _memsup_files '*.@(yaml|yml)' "$cur" ;;
	--baseline) _memsup_files '*.json' "$cur" ;;
	--json|--junit-xml|--html|--collapsed|--csv|-o) _memsup_files '' "$cur" ;;
	--junit-family) COMPREPLY=($(compgen -W 'xunit2 xunit1' -- "$cur")) ;;
	--color) COMPREPLY=($(compgen -W 'auto always never' -- "$cur")) ;;
	--engine) COMPREPLY=($(compgen -W 'inject breakpoint' -- "$cur")) ;;
	--metric) COMPREPLY=($(compgen -W 'peak allocated allocations leaked' -- "$cur")) ;;
	--stat) COMPREPLY=($(compgen -W 'min max mean median stddev' -- "$cur")) ;;
	--sort) COMPREPLY=($(compgen -W 'name value change' -- "$cur")) ;;
	--fail-on)
		COMPREPLY=($(compgen -W 'peak: allocated: allocations: leaked:' -- "$cur"))
		compopt -o nospace 2>/dev/null ;;
	--pid) COMPREPLY=($(compgen -W "$(cd /proc 2>/dev/null && printf '%s\n' [0-9]*)" -- "$cur")) ;;
	--timeout|--stack-depth|--most-allocations|--error-exitcode|\
	--ck-timeout-multiplier|--repeat)
		COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}

_memsup()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= sub= i w opts
	COMPREPLY=()
	shopt -s extglob
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
	_memsup_cmd=${COMP_WORDS[0]}

	# --opt=value
	if [[ $cur == --*=* ]]; then
		_memsup_value "${cur%%=*}" "${cur#*=}"
		return 0
	fi
	# Where the words so far end: a subcommand, or the program to run
	# (after which the program's own arguments follow).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ $i = 1 ] && [[ $w != -* ]] &&
		   _memsup_subcommands | grep -qx -- "$w"; then
			sub=$w
			continue
		fi
		if [ -n "$sub" ]; then
			continue
		fi
		case $w in
		--*=*) ;;
		-*) _memsup_value "$w" "" >/dev/null 2>&1 && ((i++)) ;;
		*)
			# the program: complete its arguments as files
			COMPREPLY=()
			_memsup_files '' "$cur"
			return 0 ;;
		esac
	done
	COMPREPLY=()
	if [ -n "$prev" ] && [[ $prev == -* ]] && _memsup_value "$prev" "$cur"; then
		return 0
	fi
	if [[ $cur == -* ]]; then
		opts=$(_memsup_options $sub)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null
		return 0
	fi
	case $sub in
	compare|report|merge) _memsup_files '*.json' "$cur" ;;
	check-policy) _memsup_files '*.@(yaml|yml)' "$cur" ;;
	list-tests) _memsup_files '' "$cur" ;;
	'')
		if [ "$COMP_CWORD" = 1 ]; then
			COMPREPLY=($(compgen -W "$(_memsup_subcommands)" -- "$cur"))
		fi
		# the program to run
		local IFS=$'\n'
		COMPREPLY+=($(compgen -c -- "$cur" | head -n 200))
		_memsup_files '' "$cur" ;;
	esac
	return 0
}
complete -F _memsup memsup
