#!/usr/bin/python3
"""gen-run.py N RUN.json: print a memsup JSON run of N tests made from the
scopes of RUN.json, for the HTML report's size test. Test i is scope
i % len(scopes) renamed "gen_NNNN_<name>" with every byte figure and
stack multiplied by i + 1, so that each row differs."""
import copy
import json
import sys

n = int(sys.argv[1])
with open(sys.argv[2], encoding='utf-8') as f:
    run = json.load(f)
src = run['scopes']
out = []
for i in range(n):
    s = copy.deepcopy(src[i % len(src)])
    k = i + 1
    s['name'] = 'gen_%04d_%s' % (i, s['name'])
    m = s['metrics']
    for key in ('peak_bytes', 'allocated_bytes', 'leaked_bytes'):
        m[key] *= k
    m['allocations'] += i
    for key in ('leaks', 'peak_allocations', 'top_allocations'):
        for site in s.get(key) or []:
            site['bytes'] *= k
    out.append(s)
run['scopes'] = out
json.dump(run, sys.stdout, indent=1)
