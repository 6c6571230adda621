# lib.sh: sourced by every tests/e2e/NNNN-topic.sh.
#
# A test runs from the repository top (run.sh does cd there; lib.sh does it
# again so that a test can be run alone: sh tests/e2e/0001-basic.sh).
# Exit status of a test: 0 pass, 1 fail, 77 skip, 99 hard error (the test
# itself could not run: a sample missing, a tool broken).
#
# Helpers:
#   run_memsup ARGS...        run ./memsup ARGS, recording stdout, stderr and
#                             the exit status ($RC, $WORK/stdout, $WORK/stderr)
#   expect_status N           memsup's exit status was N
#   expect_stdout TEXT        the program's stdout passed through exactly
#   match_json FILE EXPR VAL  jq EXPR on FILE gives exactly the JSON value VAL
#                             (every JSON file a test reads is validated
#                             against docs/memsup.schema.json first)
#   match_metrics FILE FILTER OBJ
#                             the one scope selected by the jq FILTER has
#                             exactly the metrics in OBJ (the keys given)
#   expect_pids_gone FILE     no process of the run (its scopes' pids) is left
#   run_memsup_bg ARGS...     start memsup in the background (MEMSUP_PID);
#                             wait_memsup [SECONDS] then sets $RC
#   wait_traced PID [SECONDS] [WHAT]
#                             until the background memsup traces PID
#   expect_untraced PID [WHAT] PID is alive and traced by no one
#   fail MSG / skip MSG / hard_error MSG
#
# Failures print what was expected, what came, and where memsup's own output
# is kept ($WORK is not removed after a failure).

set -u

ME=${0##*/}
TOP=$(cd "$(dirname "$0")/../.." && pwd) || exit 99
cd "$TOP" || exit 99
MEMSUP=${MEMSUP:-$TOP/memsup}
# How long memsup may take for one run before the test gives up on it.
E2E_TIMEOUT=${E2E_TIMEOUT:-120}

# The samples' figures are measured in this environment: no preloads, no
# extra library path (either would change what the C library allocates).
unset LD_PRELOAD LD_LIBRARY_PATH GLIBC_TUNABLES MALLOC_CHECK_ MALLOC_PERTURB_
export LC_ALL=C

# shellcheck source=tests/e2e/expect.sh
. "$TOP/tests/e2e/expect.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/memsup-e2e.${ME%.sh}.XXXXXX") || exit 99
RC=
KEEP_WORK=${KEEP_WORK:-0}

# AT_EXIT: shell commands a test wants run when it ends, however it ends
# (for instance killing a process it started).
AT_EXIT=

cleanup()
{
	rc=$?
	eval "$AT_EXIT"
	# Every memsup JSON document the test left validates against the
	# schema, whether or not the test read it.
	if [ "$rc" = 0 ]; then
		find "$WORK" -name '*.json' -type f >"$WORK/.json-files" 2>/dev/null
		while IFS= read -r cj; do
			jq -e 'type == "object" and has("memsup_version")' \
				"$cj" >/dev/null 2>&1 || continue
			(validate_json "$cj") || { rc=1; break; }
		done <"$WORK/.json-files"
	fi
	if [ "$rc" = 0 ] || [ "$rc" = 77 ] || [ -z "$(ls -A "$WORK")" ]; then
		[ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"
	else
		echo "$ME: outputs kept in $WORK" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT

fail()
{
	echo "FAIL: $ME: $*" >&2
	exit 1
}

skip()
{
	echo "SKIP: $ME: $*" >&2
	exit 77
}

hard_error()
{
	echo "ERROR: $ME: $*" >&2
	exit 99
}

# Print memsup's recorded output, to go with a failure message.
show_run()
{
	echo "--- memsup exit status: $RC" >&2
	echo "--- memsup stderr ($WORK/stderr):" >&2
	sed -n '1,40p' "$WORK/stderr" >&2
	echo "--- program stdout ($WORK/stdout):" >&2
	sed -n '1,20p' "$WORK/stdout" >&2
	echo "---" >&2
}

require_prog()
{
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"
	done
}

require_memsup()
{
	[ -x "$MEMSUP" ] || hard_error "$MEMSUP is not built (make memsup)"
	require_prog jq
}

require_sample()
{
	for s in "$@"; do
		[ -e "$s" ] || hard_error "$s is not built (make samples)"
	done
}

# run_memsup ARGS...: run memsup with ARGS (its stdin from /dev/null).
# Sets RC; stdout and stderr are in $WORK/stdout and $WORK/stderr.
run_memsup()
{
	: >"$WORK/stdout"
	: >"$WORK/stderr"
	timeout -k 10 "$E2E_TIMEOUT" "$MEMSUP" "$@" \
		>"$WORK/stdout" 2>"$WORK/stderr" </dev/null
	RC=$?
	echo "$RC" >"$WORK/status"
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		show_run
		fail "memsup $* did not finish within ${E2E_TIMEOUT}s"
	fi
	return 0
}

expect_status()
{
	if [ "$RC" != "$1" ]; then
		show_run
		fail "memsup exit status: expected $1, got $RC"
	fi
}

# expect_stdout TEXT: the program's stdout was exactly TEXT plus a newline.
expect_stdout()
{
	printf '%s\n' "$1" >"$WORK/stdout.expected"
	if ! cmp -s "$WORK/stdout.expected" "$WORK/stdout"; then
		show_run
		diff -u "$WORK/stdout.expected" "$WORK/stdout" >&2
		fail "the program's stdout did not pass through untouched"
	fi
}

# expect_json FILE: memsup wrote FILE and it is one JSON document.
expect_json()
{
	if [ ! -s "$1" ]; then
		show_run
		fail "memsup wrote no JSON to $1"
	fi
	if ! jq -e 'type == "object"' "$1" >/dev/null 2>"$WORK/jq.err"; then
		show_run
		cat "$WORK/jq.err" >&2
		fail "$1 is not a JSON object"
	fi
	validate_json "$1"
}

# validate_json FILE: FILE validates against docs/memsup.schema.json
# (python3-jsonschema); each content is checked once per test.
validate_json()
{
	vj_sum=$(cksum <"$1")
	grep -qxF "$vj_sum" "$WORK/.validated" 2>/dev/null && return 0
	if ! python3 "$TOP/tests/e2e/validate-json.py" \
	    "$TOP/docs/memsup.schema.json" "$1" 2>"$WORK/schema.err"; then
		show_run
		cat "$WORK/schema.err" >&2
		fail "$1 does not validate against docs/memsup.schema.json"
	fi
	echo "$vj_sum" >>"$WORK/.validated"
}

# match_json FILE EXPR EXPECTED: jq EXPR (one value) on FILE equals the JSON
# value EXPECTED exactly (compared after normalising both with jq -S -c).
match_json()
{
	# sh has no local variables: each helper's own prefix (mj_, mm_)
	mj_file=$1 mj_expr=$2 mj_expected=$3
	expect_json "$mj_file"
	mj_exp=$(jq -n -S -c "$mj_expected" 2>&1) ||
		hard_error "bad expected value in the test: $mj_expected: $mj_exp"
	mj_got=$(jq -S -c "$mj_expr" "$mj_file" 2>&1) || {
		show_run
		fail "jq '$mj_expr' on $mj_file failed: $mj_got"
	}
	if [ "$mj_got" != "$mj_exp" ]; then
		show_run
		fail "$mj_file: $mj_expr
	expected: $mj_exp
	actual:   $mj_got"
	fi
}

# match_metrics FILE FILTER EXPECTED: exactly one scope satisfies the jq
# boolean FILTER (for instance '.name == "basic"'), and its metrics have the
# values of the JSON object EXPECTED for each key EXPECTED names.
match_metrics()
{
	mm_file=$1 mm_filter=$2 mm_expected=$3
	match_json "$mm_file" "[.scopes[] | select($mm_filter)] | length" 1
	match_json "$mm_file" \
		"[.scopes[] | select($mm_filter)][0].metrics as \$m
		 | $mm_expected | with_entries(.value = \$m[.key])" \
		"$mm_expected"
}

# json_get FILE EXPR: print jq -r EXPR.
json_get()
{
	validate_json "$1"
	jq -r "$2" "$1"
}

# expect_pids_gone FILE: every process the run supervised has ended: no
# /proc/PID left that is still the scope's executable (a pid reused since by
# an unrelated process does not count).
expect_pids_gone()
{
	json_get "$1" '.scopes[] | "\(.pid) \(.executable)"' | sort -u |
	while read -r pid exe; do
		case $pid in ''|*[!0-9]*) fail "scope with pid '$pid' in $1";; esac
		if [ -d "/proc/$pid" ]; then
			cur=$(readlink "/proc/$pid/exe" 2>/dev/null)
			state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
			if [ "$cur" = "$exe" ] || [ -z "$cur" ]; then
				fail "process $pid ($exe) is still there after memsup exited: $state"
			fi
		fi
	done || exit 1
}

# metrics_json ALLOCS FREES ALLOCATED PEAK LEAKED_BYTES LEAKED_BLOCKS [UNKNOWN]
# prints the metrics object a test expects, for match_metrics.
metrics_json()
{
	printf '{"allocations": %s, "frees": %s, "allocated_bytes": %s, "peak_bytes": %s, "leaked_bytes": %s, "leaked_blocks": %s, "unknown_frees": %s, "fds_leaked": %s}' \
		"$1" "$2" "$3" "$4" "$5" "$6" "${7:-0}" "${8:-0}"
}

# A pid-less summary of a scope (for messages).
abspath()
{
	readlink -f "$1"
}

# --- Helpers for the fault matrix (tests/e2e/0100-*.sh) ---

# expect_stderr WORD...: memsup's stderr names every WORD (grep -i -E, one
# pattern each): what happened and what to do, without tying the test to the
# exact wording.
expect_stderr()
{
	for es_w in "$@"; do
		if ! grep -qiE -- "$es_w" "$WORK/stderr"; then
			show_run
			fail "memsup's stderr does not say /$es_w/"
		fi
	done
}

# expect_no_program_run MARKER: the program did not run: its stdout is
# empty and MARKER (a file it would have made) does not exist.
expect_no_program_run()
{
	if [ -s "$WORK/stdout" ] || [ -e "$1" ]; then
		show_run
		fail "the program ran although memsup refused"
	fi
}

# wait_for FILE REGEX [SECONDS]: until a line of FILE matches the grep -E
# REGEX (default 10 s); fails after that.
wait_for()
{
	wf_i=0
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		wf_i=$((wf_i + 1))
		[ $wf_i -le $((${3:-10} * 20)) ] ||
			fail "$1 did not show /$2/ within ${3:-10} s"
		sleep 0.05
	done
}

# run_memsup_bg ARGS...: start memsup ARGS in the background, as run_memsup
# does (same files); MEMSUP_PID is its pid. wait_memsup then sets RC.
run_memsup_bg()
{
	: >"$WORK/stdout"
	: >"$WORK/stderr"
	"$MEMSUP" "$@" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null &
	MEMSUP_PID=$!
	AT_EXIT="kill -9 $MEMSUP_PID 2>/dev/null; $AT_EXIT"
}

# tracer_of PID: the TracerPid of process PID (empty when it is gone).
tracer_of()
{
	sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null
}

# wait_traced PID [SECONDS] [WHAT]: until the background memsup (MEMSUP_PID)
# traces process PID (default 10 s). Fails, with memsup's output and WHAT
# (say "cycle 3") before the message, when memsup ends first, when PID
# ends first, or when the time is up.
wait_traced()
{
	wt_i=0 wt_what=${3:+$3: }
	until [ "$(tracer_of "$1")" = "$MEMSUP_PID" ]; do
		wt_i=$((wt_i + 1))
		if ! kill -0 "$1" 2>/dev/null ||
		    [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)" = Z ]; then
			show_run
			fail "${wt_what}process $1 ended before memsup (pid $MEMSUP_PID) attached to it"
		fi
		if ! kill -0 "$MEMSUP_PID" 2>/dev/null ||
		    [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$MEMSUP_PID/status" 2>/dev/null)" = Z ]; then
			show_run
			fail "${wt_what}memsup (pid $MEMSUP_PID) ended before it attached to process $1"
		fi
		if [ $wt_i -gt $((${2:-10} * 20)) ]; then
			show_run
			fail "${wt_what}memsup (pid $MEMSUP_PID) did not attach to process $1 within ${2:-10} s (its TracerPid: $(tracer_of "$1"))"
		fi
		sleep 0.05
	done
}

# expect_untraced PID [WHAT]: process PID is there and traced by no one
# (after a detach); WHAT goes before the failure message.
expect_untraced()
{
	eu_what=${2:+$2: }
	kill -0 "$1" 2>/dev/null || fail "${eu_what}process $1 is gone after the detach"
	eu_tracer=$(tracer_of "$1")
	[ "$eu_tracer" = 0 ] ||
		fail "${eu_what}process $1 still traced by ${eu_tracer:-?} after memsup detached"
}

# wait_memsup [SECONDS]: wait for the background memsup (default
# E2E_TIMEOUT), kill it and fail if it does not end; sets RC.
wait_memsup()
{
	wm_i=0
	while kill -0 "$MEMSUP_PID" 2>/dev/null &&
	    [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$MEMSUP_PID/status" 2>/dev/null)" != Z ]; do
		wm_i=$((wm_i + 1))
		if [ $wm_i -gt $((${1:-$E2E_TIMEOUT} * 10)) ]; then
			kill -9 "$MEMSUP_PID" 2>/dev/null
			wait "$MEMSUP_PID" 2>/dev/null
			RC=hung
			show_run
			fail "memsup (pid $MEMSUP_PID) did not finish within ${1:-$E2E_TIMEOUT}s"
		fi
		sleep 0.1
	done
	wait "$MEMSUP_PID"
	RC=$?
	echo "$RC" >"$WORK/status"
}

# libc_entries PID OUT: write to OUT "name address" for each of libc's
# allocator entries in process PID, found through libc's dynamic symbols
# (not through memsup), for entry_bytes.
libc_entries()
{
	python3 - "$1" "$2" <<'PY'
import os, subprocess, sys
pid, out = sys.argv[1:3]
names = ["malloc", "free", "calloc", "realloc", "reallocarray",
         "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc"]
libc = base = None
for line in open(f"/proc/{pid}/maps"):
    f = line.split()
    if len(f) >= 6 and os.path.basename(f[5]).startswith("libc.so") and int(f[2], 16) == 0:
        libc, base = f[5], int(f[0].split("-")[0], 16)
        break
if not libc:
    sys.exit("no libc mapping in process " + pid)
syms = {}
for line in subprocess.run(["readelf", "-W", "--dyn-syms", libc], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    f = line.split()
    # Num: Value Size Type Bind Vis Ndx Name[@version]
    if len(f) >= 8 and f[3] == "FUNC" and f[6] != "UND":
        syms.setdefault(f[7].split("@")[0], int(f[1], 16))
with open(out, "w") as o:
    for n in names:
        if n in syms:
            o.write(f"{n} {base + syms[n]:#x}\n")
PY
}

# entry_bytes PID ENTRIES OUT: write to OUT "name address bytes" for each
# entry of ENTRIES (libc_entries), its first 16 bytes read from
# /proc/PID/mem: what memsup's jumps cover must be as it was.
entry_bytes()
{
	python3 - "$1" "$2" "$3" <<'PY'
import sys
pid, entries, out = sys.argv[1:4]
with open(f"/proc/{pid}/mem", "rb", 0) as mem, open(out, "w") as o:
    for line in open(entries):
        name, addr = line.split()
        mem.seek(int(addr, 16))
        o.write(f"{name} {addr} {mem.read(16).hex()}\n")
PY
}

# text_dump PID FILE: write to FILE the bytes of every executable,
# file-backed mapping of process PID (its own text, libc's malloc and free,
# ld.so), read from /proc/PID/mem, each preceded by a header line naming
# its address range and file: two dumps compare with cmp, and a difference
# (an int3 left behind) can be located.
text_dump()
{
	python3 - "$1" "$2" <<'PY'
import sys
pid, out = sys.argv[1], sys.argv[2]
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem, \
     open(out, "wb") as o:
    for line in maps:
        f = line.split()
        # memsup-recorder: the in-process engine's code, mapped while attached and left
        # while a thread may be inside it (docs/design/inject.md)
        if "x" not in f[1] or len(f) < 6 or f[5].startswith("[") or "memsup-recorder" in f[5]:
            continue
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        mem.seek(lo)
        o.write(f"\n=== {f[0]} {f[5]}\n".encode())
        o.write(mem.read(hi - lo))
PY
}

# text_diff A B: print where two text_dump files differ (mapping, offset,
# bytes), at most 10 places.
text_diff()
{
	python3 - "$1" "$2" <<'PY'
import sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
def split(d):
    out, parts = [], d.split(b"\n=== ")
    for p in parts[1:]:
        head, _, body = p.partition(b"\n")
        out.append((head.decode(), body))
    return out
n = 0
for (ha, ba), (hb, bb) in zip(split(a), split(b)):
    for i in range(min(len(ba), len(bb))):
        if ba[i] != bb[i] and n < 10:
            lo = int(ha.split("-")[0], 16)
            print(f"{ha.split()[1]} at {lo + i:#x}: {ba[i]:#04x} before, {bb[i]:#04x} after")
            n += 1
PY
}

# JUnit XML, where this memsup has --junit-xml (being added): junit_opt
# FILE prints the options to pass ("" without --junit-xml), expect_junit
# FILE checks that FILE is well-formed XML (xmllint) and valid against the
# Jenkins schema in tests/junit/junit-10.xsd;
# expect_junit FILE N also checks that exactly N testcases are <error>s.
has_junit()
{
	"$MEMSUP" --help 2>&1 | grep -q -- --junit-xml
}

junit_opt()
{
	if has_junit; then
		printf '%s\n' "--junit-xml=$1"
	fi
}

expect_junit()
{
	has_junit || return 0
	command -v xmllint >/dev/null 2>&1 || return 0
	[ -s "$1" ] || { show_run; fail "memsup wrote no JUnit XML to $1"; }
	xmllint --noout "$1" 2>"$WORK/xmllint.err" ||
		{ show_run; cat "$WORK/xmllint.err" >&2; fail "$1 is not well-formed XML"; }
	for ej_xsd in "$TOP/tests/junit/junit-10.xsd"; do
		[ -f "$ej_xsd" ] || continue
		xmllint --noout --schema "$ej_xsd" "$1" 2>"$WORK/xmllint.err" ||
			{ show_run; cat "$WORK/xmllint.err" >&2; fail "$1 does not validate against $ej_xsd"; }
		break
	done
	# expect_junit FILE N: N testcases are errors (N unfinished scopes)
	if [ $# -gt 1 ]; then
		ej_n=$(xmllint --xpath 'count(//testcase/error)' "$1" 2>/dev/null)
		[ "$ej_n" = "$2" ] ||
			{ show_run; fail "$1: $2 testcases with <error> expected, found $ej_n"; }
	fi
}
