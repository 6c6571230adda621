/*
 * memsup's HTML report: the script of the page (report_html.c puts it
 * inline, after the run's JSON). No library, no request: everything is
 * drawn from the embedded document with the DOM.
 *
 * Two views, chosen by <body data-view>:
 *   run      one run: the table of tests, and for the selected test its
 *            figures, failures, an icicle of the blocks live at its high
 *            watermark, one of its leaks, and the histogram of sizes;
 *   compare  several runs: per test bars of the first run against the
 *            last, and with three runs or more one line per test.
 * When done, <body data-render-ms> holds the milliseconds from the
 * start of navigation to the finished page (the e2e tests read it).
 */
(function () {
	'use strict';

	var data = JSON.parse(document.getElementById('memsup-data').textContent);
	var main = document.getElementById('main');

	function esc(s) {
		return String(s === null || s === undefined ? '' : s)
			.replace(/[&<>"']/g, function (c) {
				return { '&': '&amp;', '<': '&lt;', '>': '&gt;',
					 '"': '&quot;', "'": '&#39;' }[c];
			});
	}

	/* Sizes as the terminal prints them: 117.2KiB. */
	function size(n) {
		var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
		var v = Number(n), i = 0;

		while (v >= 1024 && i < units.length - 1) {
			v /= 1024;
			i++;
		}
		return v.toFixed(1) + units[i];
	}

	function count(n, one, many) {
		return n + ' ' + (n === 1 ? one : many);
	}

	function pct(part, whole) {
		return whole ? (part * 100 / whole).toFixed(1) + '%' : '-';
	}

	function baseName(p) {
		var i = p ? p.lastIndexOf('/') : -1;

		return i < 0 ? p : p.slice(i + 1);
	}

	/* A frame as the terminal names it. */
	function frameName(f) {
		if (f.function)
			return f.function;
		if (f.object && f.offset)
			return baseName(f.object) + '+' + f.offset;
		return '?? (' + (f.address || '?') + ')';
	}

	function frameWhere(f) {
		if (f.file)
			return f.file + (f.line ? ':' + f.line : '');
		if (f.object)
			return f.object + (f.offset ? '+' + f.offset : '');
		return f.address || '';
	}

	/* A hue per name, stable across renders; two palettes. */
	function color(name, cool) {
		var h = 0, i;

		for (i = 0; i < name.length; i++)
			h = (h * 31 + name.charCodeAt(i)) >>> 0;
		if (cool)
			return 'hsl(' + (190 + h % 50) + ',62%,' + (72 + (h >> 8) % 14) + '%)';
		return 'hsl(' + (h % 55) + ',85%,' + (66 + (h >> 8) % 16) + '%)';
	}

	var tip = document.createElement('div');
	tip.id = 'tip';
	tip.setAttribute('role', 'tooltip');
	document.body.appendChild(tip);

	function showTip(el, x, y) {
		tip.innerHTML = '<strong>' + esc(el.getAttribute('data-fn')) +
			'</strong><br>' + esc(el.getAttribute('data-loc')) +
			'<br>' + esc(el.getAttribute('data-size'));
		tip.style.display = 'block';
		var w = tip.offsetWidth, h = tip.offsetHeight;
		var vx = window.innerWidth, vy = window.innerHeight;
		tip.style.left = Math.max(0, Math.min(x + 14, vx - w - 4)) + window.scrollX + 'px';
		tip.style.top = Math.max(0, (y + 16 + h > vy ? y - h - 8 : y + 16)) + window.scrollY + 'px';
	}

	function hideTip() {
		tip.style.display = 'none';
	}

	document.addEventListener('mousemove', function (ev) {
		var el = ev.target.closest ? ev.target.closest('.fr') : null;

		if (el)
			showTip(el, ev.clientX, ev.clientY);
		else
			hideTip();
	});
	document.addEventListener('focusin', function (ev) {
		var el = ev.target.closest ? ev.target.closest('.fr') : null;
		var r;

		if (!el)
			return hideTip();
		r = el.getBoundingClientRect();
		showTip(el, r.left, r.bottom);
	});

	/* ---- the flame graph (icicle: the outermost frame on top) ---- */

	function buildTree(sites, rootName) {
		var root = { name: rootName, frame: null, bytes: 0, blocks: 0,
			     kids: new Map() };

		sites.forEach(function (s) {
			var node = root, st = s.stack || [], k, f, key, c;

			if (!s.bytes)
				return;
			root.bytes += s.bytes;
			root.blocks += s.blocks;
			for (k = st.length - 1; k >= 0; k--) {
				/* one box per function under the same caller,
				 * whatever line it called from, as flame graphs do */
				f = st[k];
				key = frameName(f);
				c = node.kids.get(key);
				if (!c) {
					c = { name: key, frame: f, locs: [], bytes: 0,
					      blocks: 0, kids: new Map() };
					node.kids.set(key, c);
				}
				if (c.locs.indexOf(frameWhere(f)) < 0)
					c.locs.push(frameWhere(f));
				c.bytes += s.bytes;
				c.blocks += s.blocks;
				node = c;
			}
		});
		return root;
	}

	/* Frames narrower than this share of the graph are not drawn (the
	 * text list below the graph has every stack). */
	var MIN_WIDTH = 0.0005;

	function flameHTML(root, cool, label) {
		var out = [], depth = 0;

		function walk(n, x, d) {
			var w = n.bytes / root.bytes, kids, cx = x;
			var fn = n.frame ? n.name : label;
			var loc = n.frame ? n.locs.join(', ') :
				count(root.blocks, 'block', 'blocks') + ' in all';

			if (w < MIN_WIDTH)
				return;
			if (d > depth)
				depth = d;
			out.push('<div class="fr' + (n.frame ? '' : ' root') +
				 '" tabindex="-1" style="left:' + (x * 100).toFixed(4) +
				 '%;width:' + (w * 100).toFixed(4) + '%;top:' +
				 (d * 1.5) + 'em;background:' +
				 (n.frame ? color(n.name, cool) : '') +
				 '" data-fn="' + esc(fn) + '" data-loc="' + esc(loc) +
				 '" data-bytes="' + n.bytes + '" data-size="' +
				 esc(size(n.bytes) + ' (' + n.bytes + ' bytes, ' +
				     pct(n.bytes, root.bytes) + ') in ' +
				     count(n.blocks, 'block', 'blocks')) +
				 '" aria-label="' + esc(fn + ', ' + size(n.bytes)) +
				 '">' + esc(fn) + '</div>');
			kids = Array.from(n.kids.values());
			kids.sort(function (a, b) { return b.bytes - a.bytes; });
			kids.forEach(function (c) {
				walk(c, cx, d + 1);
				cx += c.bytes / root.bytes;
			});
		}
		walk(root, 0, 0);
		return '<div class="flame" style="height:' + ((depth + 1) * 1.5) +
			'em">' + out.join('') + '</div>';
	}

	function stacksText(sites, verb) {
		var out = [];

		sites.forEach(function (s) {
			var frames = (s.stack || []).map(function (f) {
				return '        ' + esc(frameName(f)) +
					(f.file ? ' at ' + esc(frameWhere(f)) :
					 f.object ? ' (' + esc(frameWhere(f)) + ')' : '') +
					(f.inlined ? ' (inlined)' : '');
			});
			out.push('    - ' + size(s.bytes) + ' in ' +
				 count(s.blocks, 'block', 'blocks') + ' ' + verb +
				 ' here' + (s.kind ? ' (' + esc(s.kind) + ')' : '') +
				 (s.filtered ? ' (filtered)' : '') + ':\n' +
				 frames.join('\n'));
		});
		return out.join('\n');
	}

	function flameSection(id, title, sites, cool, label, verb, none) {
		var total = 0, root;

		sites = sites || [];
		sites.forEach(function (s) { total += s.bytes; });
		if (!total)
			return '<section class="graph" id="' + id + '"><h3>' + title +
				'</h3><p class="none">' + none + '</p></section>';
		root = buildTree(sites, label);
		var filtered = sites.filter(function (s) { return s.filtered; }).length;
		return '<section class="graph" id="' + id + '"><h3>' + title +
			' <span class="sub">' + size(total) + ' from ' +
			count(sites.length, 'call stack', 'call stacks') +
			(filtered ? ', ' + filtered + ' of them matched by a leak filter' : '') +
			'</span></h3>' + flameHTML(root, cool, label) +
			'<details><summary>Call stacks as text</summary><pre>' +
			stacksText(sites, verb) + '</pre></details></section>';
	}

	/* The sizes of the blocks live at the high watermark, by power of 2:
	 * each call stack's blocks counted at their average size. */
	function histogram(sites) {
		var bins = {}, lo = Infinity, hi = -Infinity, most = 0, out = [], b;

		(sites || []).forEach(function (s) {
			var avg, k;

			if (!s.blocks || !s.bytes)
				return;
			avg = Math.max(1, Math.floor(s.bytes / s.blocks));
			k = Math.floor(Math.log2(avg));
			bins[k] = (bins[k] || 0) + s.blocks;
			lo = Math.min(lo, k);
			hi = Math.max(hi, k);
		});
		if (lo === Infinity)
			return '<p class="none">No block was live at the high watermark.</p>';
		for (b = lo; b <= hi; b++)
			most = Math.max(most, bins[b] || 0);
		for (b = lo; b <= hi; b++) {
			var n = bins[b] || 0;
			out.push('<div class="hrow"><span class="hlabel">' +
				 size(Math.pow(2, b)) + ' to ' +
				 size(Math.pow(2, b + 1) - 1) +
				 '</span><span class="hbar"><span style="width:' +
				 (n * 100 / most).toFixed(1) + '%"></span></span>' +
				 '<span class="hcount">' + count(n, 'block', 'blocks') +
				 '</span></div>');
		}
		return '<div class="hist">' + out.join('') + '</div>';
	}

	/* ---- the run view ---- */

	function runView() {
		var scopes = data.scopes || [];
		var kinds = ['definite', 'indirect', 'possible', 'reachable'];
		var hasKinds = scopes.some(function (s) {
			return s.metrics && s.metrics.leaked_by_kind;
		});
		var rank = { failed: 0, unfinished: 1, passed: 2 };
		var cols = [
			{ key: 'status', title: 'Status' },
			{ key: 'name', title: 'Test' },
			{ key: 'classname', title: 'Class' },
			{ key: 'peak', title: 'Peak', num: 1, get: function (m) { return m.peak_bytes; }, sz: 1 },
			{ key: 'allocations', title: 'Allocations', num: 1, get: function (m) { return m.allocations; } },
			{ key: 'allocated', title: 'Allocated', num: 1, get: function (m) { return m.allocated_bytes; }, sz: 1 },
			{ key: 'leaked', title: 'Leaked', num: 1, get: function (m) { return m.leaked_bytes; }, sz: 1 }
		];
		var sortKey = 'status', sortDir = 1, selected = -1, shown = [];
		var counts = { passed: 0, failed: 0, unfinished: 0 };

		if (hasKinds)
			kinds.forEach(function (k) {
				cols.push({ key: 'leaked_' + k, title: k.charAt(0).toUpperCase() + k.slice(1),
					    num: 1, sz: 1, get: function (m) {
						    var v = m.leaked_by_kind && m.leaked_by_kind[k];
						    return v ? v.bytes : 0;
					    } });
			});
		cols.push({ key: 'fds', title: 'Fds left open', num: 1, get: function (m) { return m.fds_leaked; } });
		scopes.forEach(function (s) {
			counts[s.status] = (counts[s.status] || 0) + 1;
		});

		function value(s, c) {
			if (c.get)
				return c.get(s.metrics || {}) || 0;
			if (c.key === 'status')
				return rank[s.status] === undefined ? 3 : rank[s.status];
			return s[c.key] || '';
		}

		function facts() {
			var rows = [
				['Program', data.program],
				['Command', (data.argv || []).join(' ')],
				['Policy', data.policy || '(none)'],
				['memsup', data.memsup_version],
				['Started', data.started ? data.started.replace('T', ' ').replace('Z', ' UTC') : '-'],
				['Duration', data.time !== undefined ? data.time.toFixed(2) + ' s' : '-'],
				['Tests', scopes.length + ': ' + counts.passed + ' passed, ' +
				 counts.failed + ' failed, ' + counts.unfinished + ' unfinished'],
				['Exit status', 'memsup ' + data.exit_status + ', program ' +
				 (data.program_exit_status === null ? '-' : data.program_exit_status)]
			];
			return '<dl class="facts">' + rows.map(function (r) {
				return '<div><dt>' + esc(r[0]) + '</dt><dd>' + esc(r[1]) + '</dd></div>';
			}).join('') + '</dl>';
		}

		main.innerHTML =
			'<header><h1>memsup: ' + esc(baseName(data.program || 'run')) + '</h1>' +
			facts() + '</header>' +
			'<section id="tests" aria-label="Tests"><div class="controls">' +
			'<label>Filter <input id="filter" type="search" placeholder="test, class or file" autocomplete="off"></label> ' +
			'<label>Status <select id="status"><option value="">all</option>' +
			'<option value="failed">failed</option><option value="unfinished">unfinished</option>' +
			'<option value="bad">failed or unfinished</option><option value="passed">passed</option></select></label> ' +
			'<span id="shown" aria-live="polite"></span></div>' +
			'<div class="tablewrap"><table id="table"><thead><tr>' +
			cols.map(function (c) {
				return '<th scope="col" data-key="' + c.key + '"' + (c.num ? ' class="num"' : '') +
					'><button type="button">' + esc(c.title) + '</button></th>';
			}).join('') + '</tr></thead><tbody id="rows"></tbody></table></div>' +
			'<p class="help">Select a test with a click, or move with the arrow keys and press Enter.</p>' +
			'</section><section id="detail" aria-live="polite"></section>';

		var tbody = document.getElementById('rows');
		var filter = document.getElementById('filter');
		var status = document.getElementById('status');

		function rowHTML(i) {
			var s = scopes[i], m = s.metrics || {};

			return '<tr tabindex="0" data-i="' + i + '" class="st-' + esc(s.status) + '"' +
				(i === selected ? ' aria-selected="true"' : ' aria-selected="false"') + '>' +
				cols.map(function (c) {
					if (c.key === 'status')
						return '<td><span class="badge ' + esc(s.status) + '">' +
							esc(String(s.status).toUpperCase()) + '</span></td>';
					if (c.key === 'name')
						return '<td class="name">' + esc(s.name) + '</td>';
					if (c.key === 'classname')
						return '<td>' + esc(s.classname) + '</td>';
					var v = c.get(m) || 0;
					return '<td class="num" data-v="' + v + '"' +
						(c.sz ? ' title="' + v + ' bytes">' + size(v) : '>' + v) + '</td>';
				}).join('') + '</tr>';
		}

		function render() {
			var q = filter.value.toLowerCase(), st = status.value;
			var c = cols.filter(function (x) { return x.key === sortKey; })[0];
			var idx = [], i;

			for (i = 0; i < scopes.length; i++) {
				var s = scopes[i];
				if (st === 'bad' ? s.status === 'passed' : st && s.status !== st)
					continue;
				if (q && ((s.name || '') + ' ' + (s.classname || '') + ' ' +
					  (s.file || '')).toLowerCase().indexOf(q) < 0)
					continue;
				idx.push(i);
			}
			idx.sort(function (a, b) {
				var va = value(scopes[a], c), vb = value(scopes[b], c);

				if (va < vb)
					return -sortDir;
				if (va > vb)
					return sortDir;
				/* ties: failures first, then the order tests ran */
				if (c.key !== 'status') {
					va = value(scopes[a], cols[0]);
					vb = value(scopes[b], cols[0]);
					if (va !== vb)
						return va - vb;
				}
				return a - b;
			});
			shown = idx;
			tbody.innerHTML = idx.map(rowHTML).join('');
			document.getElementById('shown').textContent =
				idx.length + ' of ' + count(scopes.length, 'test', 'tests') + ' shown';
			Array.prototype.forEach.call(document.querySelectorAll('#table th'), function (th) {
				var k = th.getAttribute('data-key');
				th.setAttribute('aria-sort', k === sortKey ?
						(sortDir > 0 ? 'ascending' : 'descending') : 'none');
			});
		}

		function detail(i) {
			var s = scopes[i], m = s.metrics || {}, parts = [];
			var where = [s.classname, s.file ? s.file + (s.line ? ':' + s.line : '') : null,
				     s.pid ? 'pid ' + s.pid : null,
				     s.time !== undefined ? s.time.toFixed(3) + ' s' : null,
				     s.executable ? baseName(s.executable) : null]
				.filter(function (x) { return x; });
			var figs = [
				['Peak', size(m.peak_bytes) + ' (' + m.peak_bytes + ' bytes)'],
				['Allocated', size(m.allocated_bytes) + ' (' + m.allocated_bytes + ' bytes)'],
				['Allocations', m.allocations],
				['Frees', m.frees],
				['Leaked', size(m.leaked_bytes) + ' in ' + count(m.leaked_blocks, 'block', 'blocks')],
				['Fds left open', m.fds_leaked]
			];

			if (m.leaked_by_kind)
				kinds.forEach(function (k) {
					var v = m.leaked_by_kind[k];
					if (v)
						figs.push(['Leaked, ' + k, size(v.bytes) + ' in ' +
							   count(v.blocks, 'block', 'blocks')]);
				});
			if (s.repeats && s.repeats.peak_bytes)
				figs.push(['Peak per run', s.repeats.peak_bytes.map(size).join(', ')]);
			parts.push('<h2><span class="badge ' + esc(s.status) + '">' +
				   esc(String(s.status).toUpperCase()) + '</span> ' + esc(s.name) + '</h2>');
			parts.push('<p class="where">' + esc(where.join(' · ')) + '</p>');
			if (s.reason)
				parts.push('<p class="reason">' + esc(s.reason) + '</p>');
			parts.push('<dl class="figures">' + figs.map(function (f) {
				return '<div><dt>' + esc(f[0]) + '</dt><dd>' + esc(f[1]) + '</dd></div>';
			}).join('') + '</dl>');
			if (s.failures && s.failures.length)
				parts.push('<section class="failures"><h3>Failures</h3>' +
					   s.failures.map(function (f) {
						   return '<div class="failure"><code>' + esc(f.check) +
							   '</code> <pre>' + esc(f.message) + '</pre></div>';
					   }).join('') + '</section>');
			parts.push(flameSection('flame-peak', 'Live at the high watermark',
						s.peak_allocations, false, s.name + ' (peak)',
						'allocated', 'No block was live at the high watermark.'));
			parts.push(flameSection('flame-leaks', 'Leaks', s.leaks, true,
						s.name + ' (leaked)', 'leaked',
						s.status === 'unfinished' ? 'Not judged: the test did not finish.' :
						'Nothing leaked.'));
			parts.push('<section class="graph" id="sizes"><h3>Allocation sizes ' +
				   '<span class="sub">blocks live at the high watermark</span></h3>' +
				   histogram(s.peak_allocations) + '</section>');
			if (s.fds && s.fds.length)
				parts.push('<section><h3>Descriptors left open</h3><ul>' +
					   s.fds.map(function (f) {
						   return '<li>' + f.fd + ' → ' + esc(f.target) + '</li>';
					   }).join('') + '</ul></section>');
			document.getElementById('detail').innerHTML = parts.join('');
		}

		function select(i, focus) {
			var old = tbody.querySelector('tr[aria-selected="true"]'), row;

			if (old)
				old.setAttribute('aria-selected', 'false');
			selected = i;
			row = tbody.querySelector('tr[data-i="' + i + '"]');
			if (row) {
				row.setAttribute('aria-selected', 'true');
				if (focus)
					row.focus();
				else
					row.parentNode.parentNode.parentNode.scrollTop =
						row.offsetTop - 40;
			}
			detail(i);
			try {
				history.replaceState(null, '', '#test=' + encodeURIComponent(scopes[i].name));
			} catch (e) {
				/* a file: URL may refuse; the page works without */
			}
		}

		document.querySelector('#table thead').addEventListener('click', function (ev) {
			var th = ev.target.closest('th'), k;

			if (!th)
				return;
			k = th.getAttribute('data-key');
			if (k === sortKey) {
				sortDir = -sortDir;
			} else {
				sortKey = k;
				/* figures biggest first, names alphabetically */
				sortDir = cols.filter(function (c) { return c.key === k; })[0].num ? -1 : 1;
			}
			render();
		});
		tbody.addEventListener('click', function (ev) {
			var tr = ev.target.closest('tr');

			if (tr)
				select(Number(tr.getAttribute('data-i')), true);
		});
		tbody.addEventListener('keydown', function (ev) {
			var tr = ev.target.closest('tr'), pos, next;

			if (!tr)
				return;
			pos = shown.indexOf(Number(tr.getAttribute('data-i')));
			if (ev.key === 'Enter' || ev.key === ' ') {
				select(shown[pos], true);
			} else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp' ||
				   ev.key === 'Home' || ev.key === 'End') {
				next = ev.key === 'ArrowDown' ? Math.min(pos + 1, shown.length - 1) :
					ev.key === 'ArrowUp' ? Math.max(pos - 1, 0) :
					ev.key === 'Home' ? 0 : shown.length - 1;
				select(shown[next], true);
			} else {
				return;
			}
			ev.preventDefault();
		});
		filter.addEventListener('input', render);
		status.addEventListener('change', render);

		render();
		var want = /^#test=(.*)$/.exec(location.hash), first = shown.length ? shown[0] : -1, i;
		if (want) {
			var name = decodeURIComponent(want[1]);
			for (i = 0; i < scopes.length; i++)
				if (scopes[i].name === name) {
					first = i;
					break;
				}
		}
		if (first >= 0)
			select(first, false);
		else
			document.getElementById('detail').innerHTML =
				'<p class="none">No test was supervised in this run.</p>';
	}

	/* ---- the compare view ---- */

	function compareView() {
		var runs = data.runs, rows = data.rows, n = runs.length;
		var metric = data.metric, isSize = metric !== 'allocations';
		var fmt = function (v, sz) {
			return v === null || v === undefined ? '-' :
				sz ? size(v) : (Math.round(v * 10) / 10).toString();
		};
		var out = [];

		out.push('<header><h1>memsup compare: ' + esc(metric) +
			 (data.stat ? ' (' + esc(data.stat) + ' over repeats)' : '') +
			 '</h1><ol class="runs">' + runs.map(function (r) {
				 return '<li>' + esc(r) + '</li>';
			 }).join('') + '</ol>' +
			 (data.fail_on && data.fail_on.length ?
			  '<p>Thresholds (first run against the last): ' +
			  data.fail_on.map(esc).join(', ') + '</p>' : '') + '</header>');

		/* the table */
		out.push('<section aria-label="Table"><div class="tablewrap"><table id="table"><thead><tr>' +
			 '<th scope="col">Test</th>' + runs.map(function (r, i) {
				 return '<th scope="col" class="num">' + (i ? 'run ' + (i + 1) : 'base') + '</th>';
			 }).join('') + '<th scope="col" class="num">Change</th></tr></thead><tbody>' +
			 rows.map(function (r) {
				 return '<tr tabindex="0" class="' + (r.over && r.over.length ? 'over' : '') + '">' +
					 '<td class="name">' + esc(r.test) + '</td>' +
					 r.values.map(function (v) {
						 return '<td class="num" data-v="' + (v === null ? '' : v) + '">' +
							 fmt(v, isSize) + '</td>';
					 }).join('') + '<td class="num">' + esc(r.change) +
					 (r.over && r.over.length ? ' <span class="badge failed">over ' +
					  r.over.map(esc).join(', ') + '</span>' : '') + '</td></tr>';
			 }).join('') + '</tbody></table></div></section>');

		/* bars: the first run against the last, for peak and allocations */
		['peak', 'allocations'].concat(metric === 'peak' || metric === 'allocations' ? [] : [metric])
			.forEach(function (mk) {
				var most = 0, sz = mk !== 'allocations';

				rows.forEach(function (r) {
					var a = r.by[mk][0], b = r.by[mk][n - 1];
					most = Math.max(most, a || 0, b || 0);
				});
				out.push('<section class="graph bars" id="bars-' + mk + '"><h3>' + esc(mk) +
					 ': ' + esc(runs[0]) + ' against ' + esc(runs[n - 1]) + '</h3>' +
					 '<p class="legend"><span class="key base"></span> base <span class="key new"></span> new</p>' +
					 rows.map(function (r) {
						 var a = r.by[mk][0], b = r.by[mk][n - 1];
						 var bad = r.over_fields && r.over_fields.indexOf(mk) >= 0;
						 return '<div class="brow' + (bad ? ' over' : '') + '"><span class="bname">' +
							 esc(r.test) + (bad ? ' ▲' : '') + '</span><span class="bpair">' +
							 '<span class="bar base" style="width:' +
							 (most ? (a || 0) * 100 / most : 0).toFixed(2) + '%" title="' +
							 esc(fmt(a, sz)) + '"></span><span class="bar new" style="width:' +
							 (most ? (b || 0) * 100 / most : 0).toFixed(2) + '%" title="' +
							 esc(fmt(b, sz)) + '"></span></span><span class="bval">' +
							 esc(fmt(a, sz)) + ' → ' + esc(fmt(b, sz)) + '</span></div>';
					 }).join('') + '</section>');
			});

		/* three runs or more: one line per test across the runs, as a
		 * percentage of its first value, so that small and big tests
		 * share the scale */
		if (n >= 3) {
			var W = 760, H = 340, L = 56, R = 170, T = 14, B = 36, lo = 100, hi = 100;
			var lines = [], rel = [];

			rows.forEach(function (r) {
				var ref = null;
				rel.push(r.values.map(function (v) {
					if (v === null)
						return null;
					if (ref === null)
						ref = v;
					var p = ref ? v * 100 / ref : (v ? 200 : 100);
					lo = Math.min(lo, p);
					hi = Math.max(hi, p);
					return p;
				}));
			});
			if (hi === lo)
				hi = lo + 1;
			var X = function (i) { return L + i * (W - L - R) / (n - 1); };
			var Y = function (p) { return T + (H - T - B) * (hi - p) / (hi - lo); };
			var labelled = rows.length <= 12;
			rows.forEach(function (r, k) {
				var pts = [], last = null;
				rel[k].forEach(function (p, i) {
					if (p !== null) {
						pts.push(X(i).toFixed(1) + ',' + Y(p).toFixed(1));
						last = [X(i), Y(p)];
					}
				});
				if (!pts.length)
					return;
				var bad = r.over && r.over.length;
				lines.push('<g class="line' + (bad ? ' over' : '') + '"><title>' + esc(r.test) + ': ' +
					   r.values.map(function (v) { return fmt(v, isSize); }).join(' → ') +
					   '</title><polyline points="' + pts.join(' ') + '" style="stroke:' +
					   (bad ? '' : color(r.test, k % 2)) + '"></polyline>' +
					   (labelled || bad ? '<text x="' + (last[0] + 6).toFixed(1) + '" y="' +
					    (last[1] + 4).toFixed(1) + '">' + esc(r.test) + '</text>' : '') + '</g>');
			});
			var axis = runs.map(function (r, i) {
				return '<text class="tick" x="' + X(i).toFixed(1) + '" y="' + (H - 12) +
					'" text-anchor="middle">' + esc(i ? 'run ' + (i + 1) : 'base') + '</text>';
			}).join('') + [lo, 100, hi].filter(function (p, i, a) {
				return a.indexOf(p) === i;
			}).map(function (p) {
				return '<text class="tick" x="' + (L - 6) + '" y="' + (Y(p) + 4).toFixed(1) +
					'" text-anchor="end">' + p.toFixed(0) + '%</text>' +
					'<line class="grid" x1="' + L + '" x2="' + (W - R) + '" y1="' + Y(p).toFixed(1) +
					'" y2="' + Y(p).toFixed(1) + '"></line>';
			}).join('');
			out.push('<section class="graph" id="sweep"><h3>' + esc(metric) +
				 ' across the runs <span class="sub">percent of each test\'s first value; ' +
				 'thresholds exceeded in red</span></h3>' +
				 '<svg viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="' + esc(metric) +
				 ' of each test across the runs">' + axis + lines.join('') + '</svg></section>');
		}
		main.innerHTML = out.join('');
	}

	if (document.body.getAttribute('data-view') === 'compare')
		compareView();
	else
		runView();
	document.body.setAttribute('data-render-ms', performance.now().toFixed(1));
})();
