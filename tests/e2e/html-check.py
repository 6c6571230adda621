#!/usr/bin/python3
"""html-check.py DOM RUN.json TEST [MAX_MS]: check the DOM chromium dumped
from memsup's HTML report of RUN.json, with TEST selected.

- the table has one row per scope of RUN.json, with its name, and in its
  cells exactly the JSON's peak, allocations, allocated, leaked and fds;
- the flame graph of TEST's high watermark has a box for each function of
  each stack of its peak_allocations, with the bytes of the stacks through
  it, and the graph of its leaks the same for its leaks;
- the page was drawn within MAX_MS milliseconds (2000 by default) of the
  start of navigation.
Prints what differs and exits 1; exits 0 when all holds.
"""
import json
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows = []          # [{'name': str, 'v': [data-v...]}]
        self.frames = {}        # graph id -> [(fn, bytes)]
        self.render_ms = None
        self.graph = None
        self.row = None
        self.in_name = False
        self.depth = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'body':
            self.render_ms = a.get('data-render-ms')
        if tag == 'section' and a.get('id', '').startswith('flame-'):
            self.graph = a['id']
            self.frames[self.graph] = []
        if tag == 'div' and 'fr' in a.get('class', '').split() and self.graph:
            self.frames[self.graph].append((a.get('data-fn'),
                                            int(a.get('data-bytes'))))
        if tag == 'tr' and 'data-i' in a:
            self.row = {'name': '', 'v': []}
            self.rows.append(self.row)
        if tag == 'td' and self.row is not None:
            if a.get('class') == 'name':
                self.in_name = True
            if 'data-v' in a:
                self.row['v'].append(int(a['data-v']))

    def handle_endtag(self, tag):
        if tag == 'td':
            self.in_name = False
        if tag == 'tr':
            self.row = None
        if tag == 'section':
            self.graph = None

    def handle_data(self, d):
        if self.in_name and self.row is not None:
            self.row['name'] += d


def frame_name(f):
    """As the page names a frame: function, object+offset, or address."""
    if f.get('function'):
        return f['function']
    if f.get('object') and f.get('offset'):
        return f['object'].rsplit('/', 1)[-1] + '+' + f['offset']
    return '?? (%s)' % f.get('address', '?')


def expected_frames(sites):
    """(function, bytes) of every box: per caller path, per function."""
    boxes = {}
    for s in sites:
        if not s['bytes']:
            continue
        path = ()
        for f in reversed(s['stack']):
            fn = frame_name(f)
            path = path + (fn,)
            boxes[path] = boxes.get(path, 0) + s['bytes']
    return sorted((p[-1], b) for p, b in boxes.items())


def main():
    dom_path, run_path, test = sys.argv[1:4]
    max_ms = float(sys.argv[4]) if len(sys.argv) > 4 else 2000.0
    dom = Dom()
    with open(dom_path, encoding='utf-8') as f:
        dom.feed(f.read())
    with open(run_path, encoding='utf-8') as f:
        run = json.load(f)
    bad = []
    scopes = run['scopes']
    if len(dom.rows) != len(scopes):
        bad.append('%d rows in the table, %d scopes in the JSON'
                   % (len(dom.rows), len(scopes)))
    want = sorted((s['name'], (m['peak_bytes'], m['allocations'],
                               m['allocated_bytes'], m['leaked_bytes'],
                               m['fds_leaked']))
                  for s in scopes for m in [s['metrics']])
    got = sorted((r['name'], tuple(r['v'][:4] + r['v'][-1:])) for r in dom.rows)
    for w, g in zip(want, got):
        if w != g:
            bad.append('row: expected %r, got %r' % (w, g))
            if len(bad) > 10:
                break
    sc = [s for s in scopes if s['name'] == test]
    if len(sc) != 1:
        bad.append('no single scope named %s in %s' % (test, run_path))
    else:
        for gid, key in (('flame-peak', 'peak_allocations'),
                         ('flame-leaks', 'leaks')):
            want_f = expected_frames(sc[0].get(key) or [])
            got_f = sorted(f for f in dom.frames.get(gid, [])
                           if not f[0].startswith(test + ' ('))
            if not want_f:
                continue
            if want_f != got_f:
                bad.append('%s of %s: expected boxes %r, got %r'
                           % (gid, test, want_f, got_f))
    if dom.render_ms is None:
        bad.append('the page did not finish drawing (no data-render-ms)')
    elif float(dom.render_ms) >= max_ms:
        bad.append('drawn in %s ms, not under %g ms' % (dom.render_ms, max_ms))
    for b in bad:
        print('html-check: ' + b, file=sys.stderr)
    if not bad:
        print('html-check: %d rows, %s drawn in %s ms'
              % (len(dom.rows), test, dom.render_ms))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
