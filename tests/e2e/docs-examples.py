#!/usr/bin/python3
"""docs-examples.py MEMSUP FILE...: runs the examples of the docs.

An example is a comment line "<!-- run: ARGS -->" followed, after any
text, by an indented (4 spaces) or fenced block: memsup is run with ARGS
(split as a shell would, no expansion) from the repository top, and every
line of the block but "..." must be a line of what it printed (stdout
and stderr), in the same order. Tabs may be shown as two spaces; a time
"(0.09 s)" and a hex address match any. Exits 1 when an example differs,
printing what differs.
"""
import re
import shlex
import subprocess
import sys


def norm(line):
    line = line.replace("\t", "  ").rstrip()
    line = re.sub(r"\(\d+\.\d+ s\)", "(T s)", line)
    return re.sub(r"0x[0-9a-f]+", "0xADDR", line)


def examples(path):
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"\s*<!-- run: (.*) -->\s*$", lines[i])
        i += 1
        if not m:
            continue
        start = i
        while i < len(lines) and not lines[i].startswith("    ") and \
                not lines[i].startswith("```"):
            i += 1
        block = []
        if i < len(lines) and lines[i].startswith("```"):
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
        else:
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i]):
                if not lines[i] and (i + 1 >= len(lines) or not lines[i + 1].startswith("    ")):
                    break
                block.append(lines[i][4:])
                i += 1
        yield start, m.group(1), [b for b in block if b.strip()]


memsup, bad, n = sys.argv[1], 0, 0
for path in sys.argv[2:]:
    for line, args, block in examples(path):
        n += 1
        r = subprocess.run([memsup] + shlex.split(args), capture_output=True,
                           text=True, errors="replace", timeout=120)
        got = [norm(x) for x in (r.stdout + r.stderr).split("\n")]
        at = 0
        for want in block:
            if want.strip() == "...":
                continue
            w = norm(want)
            try:
                at = got.index(w, at) + 1
            except ValueError:
                print(f"{path}:{line}: memsup {args}: not printed (in this order):\n  {want}",
                      file=sys.stderr)
                bad = 1
                break
if not n:
    print("docs-examples.py: no example found", file=sys.stderr)
    bad = 1
print(f"{n} examples run")
sys.exit(bad)
