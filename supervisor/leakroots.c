#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <time.h>

#include "supervisor/leakroots.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

#define CHUNK (1u << 20)		/* root memory read at once */
#define WIN_SHIFT 16			/* block windows of 64 KiB */
#define WIN_SIZE (1u << WIN_SHIFT)
#define WIN_SLOTS 256			/* 16 MiB of cache at most */
#define PAGE 4096u

struct mapping {
	uint64_t start, end;
	char perms[5];
	int anon;			/* no path */
	int special;			/* [heap], [stack], [vdso], ... */
	char *path;			/* NULL when anonymous */
};

struct region {
	uint64_t start, end;
};

struct window {
	uint64_t start, len;		/* len 0: empty */
	uint8_t *data;
};

struct ctx {
	pid_t pid;
	struct leakscan *ls;
	struct mapping *maps;
	size_t nmaps;
	struct region *roots;
	size_t nroots, aroots;
	struct window *win;		/* WIN_SLOTS, data allocated lazily */
	uint64_t syscalls;
	int gone;			/* ESRCH: the process is gone */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- reading ---- */

/* Up to LEN bytes at ADDR: how many were read before a fault (0 on a
 * fault at ADDR); -1 when the process is gone. */
static ssize_t read_some(struct ctx *c, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	c->syscalls++;
	n = process_vm_readv(c->pid, &local, 1, &remote, 1, 0);
	if (n >= 0)
		return n;
	if (errno == ESRCH) {
		c->gone = 1;
		return -1;
	}
	return 0;
}

/*
 * LEN bytes at ADDR; a page that cannot be read (a guard page, memory
 * unmapped behind our back) reads as zeros. 0, or -1 when gone.
 */
static int read_all(struct ctx *c, uint64_t addr, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read_some(c, addr + got, buf + got, len - got);
		size_t skip;

		if (n < 0)
			return -1;
		got += (size_t)n;
		if (got >= len)
			break;
		/* A fault at addr + got: zero up to the next page. */
		skip = PAGE - ((addr + got) & (PAGE - 1));
		if (skip > len - got)
			skip = len - got;
		memset(buf + got, 0, skip);
		got += skip;
	}
	return 0;
}

static int read_spans(void *arg, struct leakscan_span *sp, size_t n)
{
	struct ctx *c = arg;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t a = sp[i].addr, len = sp[i].len;
		struct window *w;

		if (len > WIN_SIZE / 2) {
			if (read_all(c, a, sp[i].buf, (size_t)len) < 0)
				return -1;
			continue;
		}
		w = &c->win[(a >> WIN_SHIFT) % WIN_SLOTS];
		if (!(w->len && a >= w->start && a + len <= w->start + w->len)) {
			ssize_t got;

			if (!w->data)
				w->data = xmalloc(WIN_SIZE);
			w->start = a & ~(uint64_t)(PAGE - 1);
			got = read_some(c, w->start, w->data, WIN_SIZE);
			if (got < 0)
				return -1;
			w->len = (uint64_t)got;
		}
		if (w->len && a >= w->start && a + len <= w->start + w->len) {
			memcpy(sp[i].buf, w->data + (a - w->start), (size_t)len);
			continue;
		}
		if (read_all(c, a, sp[i].buf, (size_t)len) < 0)
			return -1;
	}
	return 0;
}

/* ---- the maps ---- */

static void maps_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nmaps; i++)
		free(c->maps[i].path);
	free(c->maps);
	c->maps = NULL;
	c->nmaps = 0;
}

static int maps_read(struct ctx *c)
{
	char path[64], *line = NULL;
	size_t cap = 0, amaps = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)c->pid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (getline(&line, &cap, fp) > 0) {
		struct mapping m;
		unsigned long long s, e;
		char *name;
		int off = 0;

		memset(&m, 0, sizeof(m));
		if (sscanf(line, "%llx-%llx %4s %*s %*s %*s %n", &s, &e,
			   m.perms, &off) < 3 || !off)
			continue;
		name = line + off;
		name[strcspn(name, "\n")] = 0;
		m.start = s;
		m.end = e;
		if (!*name)
			m.anon = 1;
		else if (*name == '[')
			m.special = 1;
		else
			m.path = xstrdup(name);
		if (*name == '[') {
			/* "[stack]" and thread stacks are found by their
			 * stack pointers; keep the name for -v. */
			m.path = xstrdup(name);
		}
		c->maps = xgrow(c->maps, &amaps, c->nmaps + 1, sizeof(*c->maps));
		c->maps[c->nmaps++] = m;
	}
	free(line);
	fclose(fp);
	return c->nmaps ? 0 : -1;
}

static struct mapping *map_of(struct ctx *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->maps[mid].end <= addr)
			lo = mid + 1;
		else if (c->maps[mid].start > addr)
			hi = mid;
		else
			return &c->maps[mid];
	}
	return NULL;
}

static int readable_writable(const struct mapping *m)
{
	return m->perms[0] == 'r' && m->perms[1] == 'w' && m->perms[3] == 'p';
}

/* Whether a live block lies in [start, end). */
static int holds_block(const struct leakscan *ls, uint64_t start,
		       uint64_t end)
{
	size_t lo = 0, hi = ls->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ls->b[mid].addr < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ls->n && ls->b[lo].addr < end;
}

static void add_root(struct ctx *c, uint64_t start, uint64_t end)
{
	start = (start + 7) & ~(uint64_t)7;
	if (end <= start)
		return;
	c->roots = xgrow(c->roots, &c->aroots, c->nroots + 1,
			 sizeof(*c->roots));
	c->roots[c->nroots].start = start;
	c->roots[c->nroots].end = end;
	c->nroots++;
}

/* The writable segments of the loaded objects (see leakroots.h). */
static void add_segments(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nmaps; i++) {
		const struct mapping *m = &c->maps[i];
		const struct mapping *next = i + 1 < c->nmaps ? m + 1 : NULL;

		if (!m->path || m->special)
			continue;
		if (readable_writable(m)) {
			add_root(c, m->start, m->end);
			continue;
		}
		/* RELRO: read-only now, just before the object's rw-p. */
		if (m->perms[0] == 'r' && m->perms[1] == '-' &&
		    m->perms[2] == '-' && next && next->path &&
		    !next->special && next->start == m->end &&
		    readable_writable(next) && !strcmp(next->path, m->path))
			add_root(c, m->start, m->end);
	}
	/* .bss past the file: anonymous, right after an object's rw-p. */
	for (i = 1; i < c->nmaps; i++) {
		const struct mapping *m = &c->maps[i], *prev = m - 1;

		if (m->anon && readable_writable(m) && prev->path &&
		    !prev->special && readable_writable(prev) &&
		    prev->end == m->start && !holds_block(c->ls, m->start, m->end))
			add_root(c, m->start, m->end);
	}
}

static int by_start(const void *x, const void *y)
{
	const struct region *a = x, *b = y;

	return (a->start > b->start) - (a->start < b->start);
}

/* Sorts the roots and merges overlaps, so that nothing is read twice. */
static void merge_roots(struct ctx *c)
{
	size_t i, k = 0;

	qsort(c->roots, c->nroots, sizeof(*c->roots), by_start);
	for (i = 0; i < c->nroots; i++) {
		if (k && c->roots[i].start <= c->roots[k - 1].end) {
			if (c->roots[i].end > c->roots[k - 1].end)
				c->roots[k - 1].end = c->roots[i].end;
			continue;
		}
		c->roots[k++] = c->roots[i];
	}
	c->nroots = k;
}

static int scan_roots(struct ctx *c)
{
	uint8_t *buf = xmalloc(CHUNK);
	size_t i;
	int ret = 0;

	for (i = 0; i < c->nroots && !ret; i++) {
		uint64_t at;

		for (at = c->roots[i].start; at < c->roots[i].end; at += CHUNK) {
			size_t len = CHUNK;

			if (c->roots[i].end - at < len)
				len = (size_t)(c->roots[i].end - at);
			if (read_all(c, at, buf, len) < 0) {
				ret = -1;
				break;
			}
			leakscan_root(c->ls, (const uint64_t *)(void *)buf,
				      len / 8);
		}
	}
	free(buf);
	return ret;
}

/* ---- threads ---- */

struct thread_roots {
	uint64_t sp, tp;		/* stack and thread pointers */
	const struct mapping *stack;
};

static int collect_live(const struct block *b, void *arg)
{
	leakscan_add(arg, b->addr, b->size);
	return 0;
}

static void add_threads(struct ctx *c, const pid_t *tids, size_t n,
			pid_t returning, struct leakroots_stats *st)
{
	struct thread_roots *tr = xcalloc(n ? n : 1, sizeof(*tr));
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct user_regs_struct regs;

		if (ptrace(PTRACE_GETREGS, tids[i], 0L, &regs) < 0) {
			/* Running, or gone: its registers cannot be read. */
			verbose_msg("leak scan of process %d: thread %d is "
				    "not stopped, its registers and stack are "
				    "not roots", (int)c->pid, (int)tids[i]);
			st->skipped++;
			continue;
		}
		st->threads++;
		if (tids[i] == returning) {
			const uint64_t kept[] = {
				regs.rbx, regs.rbp, regs.r12, regs.r13,
				regs.r14, regs.r15,
			};

			leakscan_root(c->ls, kept, sizeof(kept) / 8);
		} else {
			leakscan_root(c->ls, (const uint64_t *)(void *)&regs,
				      sizeof(regs) / 8);
		}
		tr[i].sp = regs.rsp;
		tr[i].tp = regs.fs_base;
		tr[i].stack = map_of(c, regs.rsp);
		if (tr[i].stack)
			add_root(c, regs.rsp, tr[i].stack->end);
	}
	/* The main thread's TLS: the mapping of its thread pointer, when it
	 * is nobody's stack (a thread's TLS is at the top of its stack). */
	for (i = 0; i < n; i++) {
		const struct mapping *m;
		int is_stack = 0;

		if (!tr[i].tp || !(m = map_of(c, tr[i].tp)))
			continue;
		for (j = 0; j < n; j++)
			is_stack |= tr[j].stack == m;
		if (is_stack || !readable_writable(m) ||
		    (m->special && strcmp(m->path, "[stack]")) ||
		    holds_block(c->ls, m->start, m->end))
			continue;
		add_root(c, m->start, m->end);
	}
	free(tr);
}

struct leakscan *leakroots_scan(pid_t pid, const pid_t *tids, size_t n,
				pid_t returning, const struct blocks *live,
				struct leakroots_stats *st)
{
	struct leakroots_stats dummy;
	struct leakscan *ls = xmalloc(sizeof(*ls));
	struct ctx c;
	double t0 = now();
	size_t i;
	int ok;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.pid = pid;
	c.ls = ls;
	leakscan_init(ls, LEAKSCAN_GLIBC_CHUNKS);
	blocks_foreach(live, collect_live, ls);
	leakscan_sort(ls);
	st->blocks = ls->n;
	st->block_bytes = live->bytes;
	if (!ls->n)
		return ls;
	if (maps_read(&c) < 0) {
		leakroots_free(ls);
		return NULL;
	}
	c.win = xcalloc(WIN_SLOTS, sizeof(*c.win));
	add_threads(&c, tids, n, returning, st);
	add_segments(&c);
	merge_roots(&c);
	ok = scan_roots(&c) == 0 && leakscan_finish(ls, read_spans, &c) == 0 &&
	     !c.gone;
	st->root_bytes = ls->root_bytes;
	st->heap_bytes = ls->heap_bytes;
	st->syscalls = c.syscalls;
	for (i = 0; i < WIN_SLOTS; i++)
		free(c.win[i].data);
	free(c.win);
	free(c.roots);
	maps_free(&c);
	st->seconds = now() - t0;
	if (!ok) {
		leakroots_free(ls);
		return NULL;
	}
	return ls;
}

void leakroots_free(struct leakscan *ls)
{
	if (!ls)
		return;
	leakscan_release(ls);
	free(ls);
}
