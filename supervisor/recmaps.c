/*
 * The recorder's mappings in a traced process (recmaps.h).
 *
 * A thread can run a recorder's code again only from where it stands
 * (rip), by returning (a return address on a stack), or by a sigreturn
 * (a signal frame's saved rip, on the stack the handler runs on): the
 * entries' jumps are gone once memsup detached, and nothing else of the
 * program holds an address in the code. So a recorder no thread can
 * reach that way is unused for good. The stack of a thread is read from
 * its rsp to the end of the mapping that holds it. The one case that
 * read misses, a handler running on another stack (sigaltstack) over a
 * thread that was inside the real allocator the recorder called, is the
 * thread state's: the recorder marks that call in flight (busy_slot)
 * from its start to its return.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "recorder/shared.h"
#include "supervisor/recmaps.h"
#include "supervisor/remote.h"
#include "supervisor/tracee.h"
#include "supervisor/xmalloc.h"

#define NAME "/memfd:memsup-recorder"
/* A thread whose stack holds more than this above rsp keeps the recorder. */
#define STACK_MAX (8u << 20)
#define CHUNK (64u << 10)

struct map {
	uint64_t lo, hi, off;
	char prot[5];
	int rec;			/* one of the recorder's */
};

/* PID's mappings, sorted by address as the kernel lists them; NULL on
 * failure. */
static struct map *maps_read(pid_t pid, size_t *n)
{
	char path[64], line[512], name[256];
	unsigned long long lo, hi, off;
	struct map *v = NULL;
	size_t cap = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return NULL;
	*n = 0;
	while (fgets(line, sizeof(line), fp)) {
		char prot[5];

		name[0] = 0;
		if (sscanf(line, "%llx-%llx %4s %llx %*s %*s %255[^\n]", &lo,
			   &hi, prot, &off, name) < 4)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[*n].lo = lo;
		v[*n].hi = hi;
		v[*n].off = off;
		memcpy(v[*n].prot, prot, sizeof(prot));
		v[*n].rec = !strncmp(name, NAME, sizeof(NAME) - 1);
		(*n)++;
	}
	fclose(fp);
	if (!v)
		v = xcalloc(1, sizeof(*v));
	return v;
}

static const struct map *map_at(const struct map *v, size_t n, uint64_t a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a >= v[i].lo && a < v[i].hi)
			return &v[i];
	return NULL;
}

/* Whether the code mapping M holds BLOB (recmaps.h). */
static int same_code(const struct remote *mem, const struct map *m,
		     const uint8_t *blob, size_t blob_len, uint64_t code_size,
		     uint64_t *data)
{
	const struct rec_code_header *want = (const void *)blob;
	struct rec_code_header *got;
	const uint32_t traps[3] = { want->off_trap_rule, want->off_trap_unwind,
				    want->off_trap_full };
	uint8_t *buf;
	int same;
	unsigned i;

	if (m->hi - m->lo != code_size || m->off != 0 ||
	    strcmp(m->prot, "r-xs") || blob_len < sizeof(*want))
		return 0;
	buf = xmalloc(blob_len);
	if (remote_read(mem, m->lo, buf, blob_len) < 0) {
		free(buf);
		return 0;
	}
	got = (struct rec_code_header *)buf;
	*data = got->data;
	got->data = want->data;
	for (i = 0; i < 3; i++)
		if (traps[i] < blob_len && buf[traps[i]] == 0x90)
			buf[traps[i]] = blob[traps[i]];
	same = !memcmp(buf, blob, blob_len);
	free(buf);
	return same;
}

int recmaps_find(pid_t pid, const struct remote *mem, const uint8_t *blob,
		 size_t blob_len, uint64_t code_size, uint64_t skip,
		 struct rec_set *sets, int max, unsigned *others)
{
	struct map *v;
	const struct map *d;
	size_t n, i;
	uint64_t data;
	int nsets = 0, k;
	uint64_t magic;

	*others = 0;
	v = maps_read(pid, &n);
	if (!v)
		return -1;
	for (i = 0; i < n; i++) {
		if (!v[i].rec)
			continue;
		if (!strcmp(v[i].prot, "rw-s"))
			continue;	/* a data region: found from its code */
		if (!same_code(mem, &v[i], blob, blob_len, code_size, &data) ||
		    !(d = map_at(v, n, data)) || d->lo != data || !d->rec ||
		    strcmp(d->prot, "rw-s") ||
		    remote_read(mem, data, &magic, sizeof(magic)) < 0 ||
		    magic != REC_MAGIC) {
			(*others)++;
			continue;
		}
		if (data == skip)
			continue;
		for (k = 0; k < nsets && sets[k].data != data; k++)
			;
		if (k == nsets) {
			if (nsets == max) {
				(*others)++;
				continue;
			}
			memset(&sets[k], 0, sizeof(sets[k]));
			sets[k].data = data;
			sets[k].data_size = d->hi - d->lo;
			sets[k].code_size = code_size;
			nsets++;
		}
		if (sets[k].ncode == RECMAPS_MAX_CODE) {
			(*others)++;
			continue;
		}
		sets[k].code[sets[k].ncode++] = v[i].lo;
	}
	/* a data region no code region of ours names: someone else's */
	for (i = 0; i < n; i++) {
		if (!v[i].rec || strcmp(v[i].prot, "rw-s"))
			continue;
		for (k = 0; k < nsets && sets[k].data != v[i].lo; k++)
			;
		if (k == nsets && v[i].lo != skip)
			(*others)++;
	}
	free(v);
	return nsets;
}

static const struct tracee *thread_of(const struct process *proc, pid_t tid)
{
	const struct tracee *t;

	for (t = proc->threads; t; t = t->pnext)
		if (t->tid == tid)
			return t;
	return NULL;
}

int recmaps_all_stopped(const struct process *proc)
{
	char path[64], buf[512], *p;
	struct dirent *de;
	DIR *dir;
	FILE *fp;
	int ok = 1;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)proc->pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (ok && (de = readdir(dir))) {
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (!thread_of(proc, tid)) {
			ok = 0;
			break;
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat",
			 (int)proc->pid, (int)tid);
		fp = fopen(path, "re");
		if (!fp || !fgets(buf, sizeof(buf), fp))
			ok = 0;
		/* "tid (comm) S ...": comm may hold ')' */
		else if (!(p = strrchr(buf, ')')) || p[1] != ' ' || p[2] != 't')
			ok = 0;
		if (fp)
			fclose(fp);
	}
	closedir(dir);
	return ok;
}

static int in_code(const struct rec_set *set, uint64_t a)
{
	unsigned i;

	for (i = 0; i < set->ncode; i++)
		if (a >= set->code[i] && a < set->code[i] + set->code_size)
			return 1;
	return 0;
}

/* Whether a word of the stack above RSP is an address in SET's code. */
static int stack_holds_code(const struct process *proc, const struct map *v,
			    size_t n, const struct rec_set *set, uint64_t rsp)
{
	const struct map *m = map_at(v, n, rsp);
	uint64_t a = rsp & ~7ULL, *buf, len, i;
	int found = 0;

	if (!m || m->hi - a > STACK_MAX)
		return 1;
	buf = xmalloc(CHUNK);
	while (a < m->hi && !found) {
		len = m->hi - a < CHUNK ? m->hi - a : CHUNK;
		if (remote_read(&proc->as->mem, a, buf, len) < 0) {
			found = 1;
			break;
		}
		for (i = 0; i < len / 8 && !found; i++)
			found = in_code(set, buf[i]);
		a += len;
	}
	free(buf);
	return found;
}

/*
 * Whether an entry SET's control block C names still jumps into SET's
 * code (jmp rel32): what a memsup that never detached (killed) leaves.
 */
static int entry_jumps_in(const struct process *proc,
			  const struct rec_set *set, const struct rec_control *c)
{
	uint8_t b[5];
	int32_t rel;
	uint32_t i;

	for (i = 0; i < c->nentries && i < REC_MAX_ENTRIES; i++) {
		if (remote_read(&proc->as->mem, c->entries[i].fn, b,
				sizeof(b)) < 0)
			continue;	/* unmapped (dlclose): nothing jumps */
		memcpy(&rel, b + 1, sizeof(rel));
		if (b[0] == 0xe9 &&
		    in_code(set, c->entries[i].fn + 5 + (int64_t)rel))
			return 1;
	}
	return 0;
}

/*
 * SET's thread states, from its control block; NULL when unreadable, or
 * when the block does not say that its memsup detached cleanly
 * (REC_DETACHED: every entry restored) or an entry still jumps in.
 */
static struct rec_tstate *states_read(const struct process *proc,
				      const struct rec_set *set, uint64_t *n)
{
	struct rec_control *c = xmalloc(sizeof(*c));
	struct rec_tstate *ts;

	if (remote_read(&proc->as->mem, set->data, c, sizeof(*c)) < 0 ||
	    c->magic != REC_MAGIC || c->detached != REC_DETACHED ||
	    c->tstate_off > set->data_size ||
	    c->tstate_cap > (set->data_size - c->tstate_off) / sizeof(*ts) ||
	    entry_jumps_in(proc, set, c)) {
		free(c);
		return NULL;
	}
	*n = c->tstate_used < c->tstate_cap ? c->tstate_used : c->tstate_cap;
	ts = xcalloc(*n ? *n : 1, sizeof(*ts));
	if (*n && remote_read(&proc->as->mem, set->data + c->tstate_off, ts,
			      *n * sizeof(*ts)) < 0) {
		free(ts);
		ts = NULL;
	}
	free(c);
	return ts;
}

/*
 * Whether thread state TS has an allocation call in flight from the
 * recorder's frame: its return slot holds what it held when the call
 * began, a return address into the code lies in the frame below it
 * (entry.S: the frame, then the call to the real allocator), and that
 * word is not below the stack pointer of a thread on the same stack
 * (there it would be what a returned call left). RSPS: the threads'.
 */
#define BELOW_SLOT 512
static int state_busy(const struct process *proc, const struct map *v,
		      size_t nmaps, const struct rec_set *set,
		      const struct rec_tstate *ts, const uint64_t *rsps,
		      size_t nrsps)
{
	uint64_t w, frame[BELOW_SLOT / 8], base, at = 0;
	const struct map *m;
	size_t i;

	if (!ts->busy_slot || (ts->busy_slot & 7) ||
	    ts->busy_slot < BELOW_SLOT ||
	    remote_read(&proc->as->mem, ts->busy_slot, &w, sizeof(w)) < 0 ||
	    w != ts->busy_ret)
		return 0;
	base = ts->busy_slot - BELOW_SLOT;
	if (remote_read(&proc->as->mem, base, frame, sizeof(frame)) < 0)
		return 0;
	for (i = BELOW_SLOT / 8; i-- > 0 && !at;)
		if (in_code(set, frame[i]))
			at = base + i * 8;
	if (!at || !(m = map_at(v, nmaps, at)))
		return 0;
	for (i = 0; i < nrsps; i++)
		if (map_at(v, nmaps, rsps[i]) == m && rsps[i] > at)
			return 0;
	return 1;
}

int recmaps_in_use(const struct process *proc, const struct rec_set *set,
		   pid_t *who)
{
	struct user_regs_struct regs;
	const struct tracee *t;
	struct rec_tstate *ts = NULL;
	struct map *v;
	uint64_t *rsps, n = 0, i;
	size_t nmaps, nt = 0;
	int used = 0;

	*who = 0;
	v = maps_read(proc->pid, &nmaps);
	if (!v)
		return 1;
	rsps = xcalloc(proc->nthreads + 1, sizeof(*rsps));
	for (t = proc->threads; t && !used; t = t->pnext) {
		*who = t->tid;
		used = ptrace(PTRACE_GETREGS, t->tid, 0L, &regs) < 0 ||
		       in_code(set, regs.rip) ||
		       stack_holds_code(proc, v, nmaps, set, regs.rsp);
		if (nt <= proc->nthreads)
			rsps[nt++] = regs.rsp;
	}
	if (!used) {
		*who = 0;
		ts = states_read(proc, set, &n);
		used = !ts;
		for (i = 0; i < n && !used; i++)
			used = state_busy(proc, v, nmaps, set, &ts[i], rsps, nt);
	}
	free(ts);
	free(rsps);
	free(v);
	return used;
}

void recmaps_forget_threads(const struct process *proc,
			    const struct rec_set *set)
{
	uint64_t word;
	static const uint64_t zero;
	struct user_regs_struct regs;
	const struct tracee *t;

	for (t = proc->threads; t; t = t->pnext) {
		if (ptrace(PTRACE_GETREGS, t->tid, 0L, &regs) < 0 ||
		    !regs.fs_base ||
		    remote_read(&proc->as->mem, regs.fs_base + 0x38, &word,
				sizeof(word)) < 0 ||
		    word < set->data || word >= set->data + set->data_size)
			continue;
		remote_write(&proc->as->mem, regs.fs_base + 0x38, &zero,
			     sizeof(zero));
	}
}
