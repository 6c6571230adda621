#!/usr/bin/python3
"""compare-expect.py METRIC STAT SORT FAIL_PCT RUN.json...: print the CSV
that `memsup compare --metric METRIC --stat STAT --sort SORT --csv` must
write for the runs (STAT "-" for none), computed here from the JSON files
by the rules of docs/reports.md, then a last line "over N": the figures of
METRIC over FAIL_PCT percent ("-" for no gate) from the first run to the
last. Tests are matched by name (the runs given have one executable and
unique names)."""
import json
import math
import statistics
import sys

KEYS = {'peak': 'peak_bytes', 'allocated': 'allocated_bytes',
        'allocations': 'allocations', 'leaked': 'leaked_bytes'}


def value(scope, metric, stat):
    key = KEYS[metric]
    if stat == '-':
        return float(scope['metrics'][key])
    series = (scope.get('repeats') or {}).get(key) or [scope['metrics'][key]]
    series = [float(x) for x in series]
    if stat == 'min':
        return min(series)
    if stat == 'max':
        return max(series)
    if stat == 'mean':
        return sum(series) / len(series)
    if stat == 'median':
        return statistics.median(series)
    return statistics.stdev(series) if len(series) > 1 else 0.0


def raw(v):
    if v == math.floor(v):
        return '%.0f' % v
    s = '%.3f' % v
    return s.rstrip('0').rstrip('.')


def main():
    metric, stat, sort, fail = sys.argv[1:5]
    paths = sys.argv[5:]
    runs = []
    for p in paths:
        with open(p, encoding='utf-8') as f:
            runs.append({s['name']: s for s in json.load(f)['scopes']})
    names = []
    for r in runs:
        names += [n for n in r if n not in names]
    rows = []
    for n in names:
        vals = [value(r[n], metric, stat) if n in r else None for r in runs]
        a, b = vals[0], vals[-1]
        change = None
        if a is not None and b is not None:
            change = 0.0 if a == b else math.inf if a == 0 else (b - a) * 100 / a
        rows.append((n, vals, change))
    if sort == 'name':
        rows.sort(key=lambda r: r[0])
    elif sort == 'value':
        rows.sort(key=lambda r: (r[1][-1] is None, -(r[1][-1] or 0), r[0]))
    else:
        rows.sort(key=lambda r: (r[2] is None, -(r[2] if r[2] is not None else 0), r[0]))
    print('test,' + ','.join(paths) + ',delta,change_percent')
    over = 0
    for n, vals, change in rows:
        cells = [raw(v) if v is not None else '' for v in vals]
        if change is None:
            tail = ','
        else:
            tail = raw(vals[-1] - vals[0]) + ',' + (raw(change) if vals[0] else '')
            if fail != '-' and vals[-1] > vals[0] and \
                    (vals[-1] - vals[0]) * 100 > vals[0] * float(fail):
                over += 1
        print(n + ',' + ','.join(cells) + ',' + tail)
    print('over %d' % over)


if __name__ == '__main__':
    main()
