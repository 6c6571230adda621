/*
 * The recorder: code memsup places inside the traced program, through
 * which the redirected allocator entry points pass (docs/design/inject.md).
 *
 * Freestanding: no libc, no globals of its own (its code region is
 * read-only in the program), no lock. Everything it writes lives in the
 * data region that memsup maps too (recorder/shared.h). It runs on the
 * program's threads, in any context an allocator can be called from,
 * and must never harm the program: every walk is bounded, every wait
 * for memsup goes through a trap memsup answers, and whatever it cannot
 * do on its own it asks memsup to do with a trap.
 */
#include "recorder/shared.h"

/* Everything here is reached pc-relative: nothing to relocate. */
#pragma GCC visibility push(hidden)

extern const struct rec_code_header rec_header;
void rec_trap_rule(struct rec_frame *f);
void rec_trap_unwind(struct rec_frame *f);
void rec_trap_full(struct rec_frame *f);
int rec_alloc_pre(struct rec_frame *f);
void rec_alloc_post(struct rec_frame *f);
void rec_tail(struct rec_frame *f);

/* recorder/entry.S builds the frame: 168 bytes below the return address */
_Static_assert(sizeof(struct rec_frame) <= 168, "rec_frame outgrew entry.S");

#define REC_MAX_DEPTH 256
/* How far above the entry's stack pointer a walk may read. */
#define REC_STACK_WINDOW (64ULL << 20)
/* A call in flight farther than this from rsp is on another stack. */
#define REC_SAME_STACK (1ULL << 20)

enum frame_mode {
	MODE_PLAIN,		/* record as its own entry */
	MODE_AS_NEW,		/* the block of the operator new in flight */
};

static inline struct rec_control *control(void)
{
	return (struct rec_control *)*(volatile const uint64_t *)&rec_header.data;
}

static inline uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint64_t word(uint64_t addr)
{
	return *(const volatile uint64_t *)addr;
}

/*
 * The thread's state: a block of the data region whose address the
 * thread keeps in its TCB at %fs:0x38, one of the two words glibc
 * leaves unused there (tcbhead_t.unused_vgetcpu_cache). A new thread
 * has 0 there; a thread reusing a cached stack inherits its previous
 * owner's block, which is then free. Malloc itself needs TLS, so %fs is
 * set whenever an allocator can run.
 */
static struct rec_tstate *tstate(struct rec_control *c)
{
	uint64_t p, base = (uint64_t)c + c->tstate_off, idx;

	__asm__ volatile("mov %%fs:0x38, %0" : "=r"(p));
	if (p >= base && p < base + c->tstate_cap * sizeof(struct rec_tstate) &&
	    (p - base) % sizeof(struct rec_tstate) == 0)
		return (struct rec_tstate *)p;
	if (p)
		return 0;	/* someone else's word: leave it alone */
	/* memsup detached: a call that was in flight returns without one
	 * (a later attach's recorder gives the thread its state) */
	if (__atomic_load_n(&c->detached, __ATOMIC_ACQUIRE))
		return 0;
	idx = __atomic_fetch_add(&c->tstate_used, 1, __ATOMIC_RELAXED);
	if (idx >= c->tstate_cap)
		return 0;
	p = base + idx * sizeof(struct rec_tstate);
	__asm__ volatile("mov %0, %%fs:0x38" : : "r"(p) : "memory");
	return (struct rec_tstate *)p;
}

/*
 * Whether a call entering with its return address at SLOT is inside an
 * allocation-class call in flight on this thread (one call, one event).
 * A call in flight is over when the stack rose above its slot (longjmp),
 * when its slot holds another return address, or when the thread runs
 * on another stack. A call at its very slot is a new one (a longjmp back
 * to its caller, which called again from the same place), except under
 * an operator new, which tail-jumps: its allocator may do so too.
 */
static int busy(struct rec_tstate *t, uint64_t slot)
{
	uint64_t b = t->busy_slot;

	if (!b)
		return 0;
	if (slot > b || (slot == b && t->new_slot != b) ||
	    b - slot > REC_SAME_STACK || word(b) != t->busy_ret) {
		t->busy_slot = 0;
		t->new_slot = 0;
		return 0;
	}
	return 1;
}

static uint64_t rule_hash(uint64_t pc, uint64_t cap)
{
	return ((pc * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* The rule for PC into *R; 0, or -1 when memsup has none yet. */
static int rule_find(struct rec_control *c, uint64_t pc, struct rec_rule *r)
{
	struct rec_rule *v = (struct rec_rule *)((char *)c + c->rules_off);
	uint64_t cap = c->rules_cap, i, n, p;

	for (i = rule_hash(pc, cap), n = 0; n < cap; i = (i + 1) & (cap - 1),
	     n++) {
		p = load(&v[i].pc);
		if (!p)
			return -1;
		if (p != pc)
			continue;
		*r = v[i];
		/* memsup empties the table on dlclose: read it whole */
		if (load(&v[i].pc) != pc || r->kind == REC_RULE_NONE)
			return -1;
		return 0;
	}
	return -1;
}

static int rule_get(struct rec_control *c, struct rec_frame *f, uint64_t pc,
		    struct rec_rule *r)
{
	if (rule_find(c, pc, r) == 0)
		return 0;
	f->missing_pc = pc;
	rec_trap_rule(f);
	return rule_find(c, pc, r);
}

/* The word at ADDR as memsup's unwinder sees it: the true return
 * address where memsup's trampoline stands. */
static int ra_word(struct rec_control *c, uint64_t addr, uint64_t *v)
{
	unsigned i, n;

	*v = word(addr);
	if (*v != c->trampoline)
		return 0;
	n = __atomic_load_n(&c->nfixups, __ATOMIC_ACQUIRE);
	for (i = 0; i < n && i < REC_MAX_FIXUPS; i++) {
		if (load(&c->fixups[i].slot) == addr) {
			*v = c->fixups[i].value;
			if (load(&c->fixups[i].slot) == addr)
				return 0;
		}
	}
	return -1;
}

/* Whether the return address at ADDR is still WANT, as ra_word() reads it
 * (a test's return trampolined since counts as its true address). */
static inline int ra_is(struct rec_control *c, uint64_t addr, uint64_t want)
{
	uint64_t v = word(addr);

	if (v == want)
		return 1;
	return v == c->trampoline && ra_word(c, addr, &v) == 0 && v == want;
}

static inline int in_window(uint64_t at, uint64_t lo, uint64_t hi)
{
	return at >= lo && at + 8 <= hi && !(at & 7);
}

/*
 * The memo of a thread's walks (struct rec_tstate): a walk is a function
 * of the entry's stack pointer and rbp, of the rules, and of the stack
 * words it reads. Each state a walk went through is kept with the
 * addresses its step read; a later walk that reaches a state with the
 * same pc and stack pointer takes the next step by checking that those
 * words still hold the next state's pc (and saved rbp), without a rule
 * lookup. What it gives is what the walk by rules gives, word for word.
 *
 * The memo is the thread's, but a signal handler may walk while the
 * thread walks: a walk takes the memo by writing its stack pointer in
 * memo_sp; a walk that finds it taken, from lower on the same stack or
 * from another stack, is a handler's and walks by rules alone. A taker
 * longjmp'd away is known as settle() knows a filler: the stack rose
 * above it.
 */
struct memo_walk {
	struct rec_tstate *t;
	const struct rec_memo_state *old;	/* a kept walk, or NULL */
	uint32_t old_len, ja;			/* next candidate in old */
	struct rec_memo_state *out;		/* this walk's */
	uint32_t len;				/* states written to out */
	uint32_t old_buf, out_buf;		/* their memo[] numbers */
	int recording;
};

/* What an event says of its stack besides the pcs (REC_EVF_STACK or
 * REC_EVF_MEMO in flags, the id or serial in aux), or nothing. */
struct stack_tag {
	uint32_t flags, aux;
};

static void memo_begin(struct rec_control *c, struct rec_tstate *t,
		       uint64_t lo, uint64_t gen, struct memo_walk *m)
{
	uint64_t taken = t->memo_sp;
	unsigned i;

	if (taken) {
		if (lo <= taken || lo - taken > REC_SAME_STACK)
			return;		/* a handler's walk */
		for (i = 0; i <= REC_MEMO_WALKS; i++)
			t->memo_len[i] = 0;
	}
	t->memo_sp = lo;
	__asm__ volatile("" ::: "memory");
	m->t = t;
	if (!t->memo_lru_ok) {
		for (i = 0; i <= REC_MEMO_WALKS; i++) {
			t->memo_lru[i] = (uint8_t)i;
			t->memo_len[i] = 0;
		}
		t->memo_lru_ok = 1;
	}
	for (i = 0; i <= REC_MEMO_WALKS; i++) {
		if (t->memo_lru[i] > REC_MEMO_WALKS) {
			/* not the recorder's: start again next time */
			t->memo_lru_ok = 0;
			return;
		}
	}
	/* the rules changed (a dlclose): no walk kept before holds */
	if (t->memo_gen != gen) {
		for (i = 0; i <= REC_MEMO_WALKS; i++)
			t->memo_len[i] = 0;
		t->memo_gen = gen;
	}
	m->out_buf = t->memo_lru[REC_MEMO_WALKS];
	m->out = t->memo[m->out_buf];
	m->recording = 1;
	/* the last walk, which a walk by rules may join further on */
	if (t->memo_len[t->memo_lru[0]] &&
	    t->memo_len[t->memo_lru[0]] <= REC_MEMO_STATES) {
		m->old_buf = t->memo_lru[0];
		m->old = t->memo[m->old_buf];
		m->old_len = t->memo_len[m->old_buf];
	}
}

/* The walk reached state PC, SP, RBP (the step from it not taken yet). */
static struct rec_memo_state *memo_state(struct memo_walk *m, uint64_t pc,
					 uint64_t sp, uint64_t rbp, int rbp_ok)
{
	struct rec_memo_state *st;

	if (!m->recording || m->len >= REC_MEMO_STATES) {
		m->recording = 0;
		return 0;
	}
	st = &m->out[m->len++];
	st->pc = pc;
	st->sp = sp;
	st->rbp = rbp;
	st->ra_at = 0;
	st->rbp_at = 0;
	st->flags = rbp_ok ? REC_MEMO_RBP_OK : 0;
	return st;
}

/* The tag of memo buffer B for an event whose pcs are B's replayed whole:
 * memsup's id for them if it answered B's serial, else the serial. */
static void memo_tag(struct rec_tstate *t, uint32_t b, struct stack_tag *tag)
{
	uint32_t serial = t->memo_serial[b];
	uint64_t ack = __atomic_load_n(&t->memo_ack[b], __ATOMIC_ACQUIRE);

	if (!tag || !serial)
		return;
	if ((uint32_t)(ack >> 32) == serial && (uint32_t)ack) {
		tag->flags = REC_EVF_STACK;
		tag->aux = (uint32_t)ack;
	} else {
		tag->flags = REC_EVF_MEMO | b << REC_EVF_MEMO_SHIFT;
		tag->aux = serial;
	}
}

/*
 * The words that decide whether a walk starting in the first state of
 * memo O (LEN states, a whole walk) is that walk again, into CHK: every
 * return address read, and every saved rbp read that a later step's CFA
 * depends on (in code that keeps no frame pointer rbp is a variable like
 * any other, different from call to call, and reads of it decide
 * nothing). *RBP0 says whether the walk's first rbp matters too. Their
 * count, or 0 when the words do not decide it alone (a CFA from an rbp
 * that a step lost).
 */
static uint32_t memo_checks(const struct rec_memo_state *o, uint32_t len,
			    struct rec_memo_check *chk, uint8_t *rbp0)
{
	uint64_t needed = 0;	/* bit k: state k's rbp is used */
	uint32_t k, n = 0;
	int need = 0, ok = 1;

	if (len > 64)
		return 0;
	for (k = len - 1; k-- > 0;) {
		const struct rec_memo_state *st = &o[k];

		/* state k's rbp goes on to state k + 1 unless k's step
		 * reads another or loses it */
		if (st->rbp_at || (st->flags & REC_MEMO_RBP_LOST))
			need = 0;
		if (st->flags & REC_MEMO_CFA_RBP)
			need = 1;
		if (need)
			needed |= 1ULL << k;
	}
	for (k = 0; k + 1 < len; k++) {
		const struct rec_memo_state *st = &o[k], *nx = st + 1;

		if (!st->ra_at || ((st->flags & REC_MEMO_CFA_RBP) && !ok) ||
		    n + 2 > 2 * REC_MEMO_STATES)
			return 0;
		chk[n].at = st->ra_at | REC_CHK_RA;
		chk[n++].want = nx->pc;
		if (st->rbp_at && (needed & (1ULL << (k + 1)))) {
			chk[n].at = st->rbp_at;
			chk[n++].want = nx->rbp;
		}
		if (st->flags & REC_MEMO_RBP_LOST)
			ok = 0;
	}
	*rbp0 = (uint8_t)(needed & 1);
	return n;
}

/* Whether every word of CHK[0..N) still holds what it held. */
static int checks_hold(struct rec_control *c, const struct rec_memo_check *chk,
		       uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t at = chk[i].at & ~REC_CHK_RA;

		if (word(at) == chk[i].want)
			continue;
		if (!(chk[i].at & REC_CHK_RA) || !ra_is(c, at, chk[i].want))
			return 0;
	}
	return 1;
}

static void memo_end(struct rec_control *c, struct memo_walk *m, uint64_t gen,
		     int ok)
{
	struct rec_tstate *t = m->t;

	if (!t)
		return;
	if (ok && m->len) {
		uint32_t w = m->out_buf, e, serial = 0, i;

		/* a memo that holds the whole walk can name its pcs (the
		 * first time it is replayed whole) */
		if (m->recording && (m->out[m->len - 1].flags &
				     (REC_MEMO_STOP | REC_MEMO_DROP))) {
			serial = ++t->memo_next;
			if (!serial)
				serial = t->memo_next = 1;
		}
		t->memo_serial[w] = serial;
		t->memo_nchk[w] = 0;
		t->memo_len[w] = m->len;
		t->memo_gen = gen;
		/* this walk's is the last now; the least used one kept is
		 * written next */
		e = t->memo_lru[REC_MEMO_WALKS - 1];
		for (i = REC_MEMO_WALKS - 1; i > 0; i--)
			t->memo_lru[i] = t->memo_lru[i - 1];
		t->memo_lru[0] = (uint8_t)w;
		t->memo_lru[REC_MEMO_WALKS] = (uint8_t)e;
	}
	__asm__ volatile("" ::: "memory");
	t->memo_sp = 0;
}

static unsigned replay(struct rec_control *c, const struct rec_memo_state *o,
		       unsigned len, uint64_t *pcs, unsigned max, unsigned *n,
		       uint64_t *rbp, int *rbp_ok, unsigned *own_rbp);

/*
 * The kept walks that start where this walk starts (PC, SP; its first
 * rbp RBP), the most recently used first: the first whose words all
 * still hold is this walk, whole, and ends as it ended. Returns its
 * count, with the pcs in PCS (from 1 on) and TAG; -1 if none holds
 * whole, M's old then the most recent of them (else the last walk) for
 * the walk by rules to join.
 */
static int memo_whole(struct rec_control *c, struct memo_walk *m,
		      uint64_t pc, uint64_t sp, uint64_t rbp, uint64_t *pcs,
		      unsigned max, struct stack_tag *tag)
{
	struct rec_tstate *t = m->t;
	const struct rec_memo_state *o;
	unsigned i, j, n, b, len;
	uint32_t end, nchk;
	int first = -1, listed;

	for (i = 0; i < REC_MEMO_WALKS; i++) {
		b = t->memo_lru[i];
		len = t->memo_len[b];
		o = t->memo[b];
		if (!len || len > REC_MEMO_STATES || o[0].pc != pc ||
		    o[0].sp != sp)
			continue;
		if (first < 0)
			first = (int)i;
		nchk = t->memo_nchk[b];
		end = o[len - 1].flags & (REC_MEMO_STOP | REC_MEMO_DROP);
		if (end && !nchk) {
			nchk = memo_checks(o, len, t->memo_chk[b],
					   &t->memo_rbp0[b]);
			if (!nchk)
				nchk = ~0u;
			t->memo_nchk[b] = nchk;
		}
		listed = nchk + 1 > 1 && (!t->memo_rbp0[b] || o[0].rbp == rbp);
		if (listed) {
			/* the words that decide it, alone */
			if (!checks_hold(c, t->memo_chk[b], nchk))
				continue;
			n = len;
		} else {
			uint64_t r = rbp;
			unsigned k, own;
			int ok = 1;

			n = 1;
			k = replay(c, o, len, pcs, max, &n, &r, &ok, &own);
			/* how it ended, when it ended here, is how this one
			 * ends (a middle state's rule did not end it) */
			if (!(k + 1 == len && end) && n < max)
				continue;
			if (k + 1 != len)
				end = 0;
		}
		if ((end & REC_MEMO_DROP) && n)
			n--;
		t->replayed++;
		if (end)
			memo_tag(t, b, tag);
		if (listed && (!tag || tag->flags != REC_EVF_STACK))
			for (j = 1; j < n; j++)
				pcs[j] = o[j].pc;
		/* the first to try next time */
		for (j = i; j > 0; j--)
			t->memo_lru[j] = t->memo_lru[j - 1];
		t->memo_lru[0] = (uint8_t)b;
		return (int)n;
	}
	if (first >= 0) {
		m->old_buf = t->memo_lru[first];
		m->old = t->memo[m->old_buf];
		m->old_len = t->memo_len[m->old_buf];
	}
	return -1;
}

/*
 * The last walk again from its first state O[0], which is this walk's
 * but maybe for rbp: while each step's words still hold what they held,
 * the next state is this walk's too, and its pc goes to PCS[*N] on (at
 * most MAX in all). Returns the index of the state reached, with *RBP
 * and *RBP_OK this walk's there; the states below *OWN_RBP have this
 * walk's first rbp, the others the memo's.
 */
static unsigned replay(struct rec_control *c, const struct rec_memo_state *o,
		       unsigned len, uint64_t *pcs, unsigned max, unsigned *n,
		       uint64_t *rbp, int *rbp_ok, unsigned *own_rbp)
{
	unsigned k, cnt = *n;
	uint64_t r = *rbp;
	int ok = *rbp_ok, same = r == o[0].rbp;

	*own_rbp = same ? 0 : REC_MEMO_STATES;
	for (k = 0; k + 1 < len && cnt < max; k++) {
		const struct rec_memo_state *st = &o[k], *nx = st + 1;

		if (!st->ra_at ||
		    ((st->flags & REC_MEMO_CFA_RBP) && !(same && ok)))
			break;
		/* the memo's words lie in the window of the walk that made
		 * it, whose first stack pointer is this walk's: no check */
		if (!ra_is(c, st->ra_at, nx->pc))
			break;
		if (st->rbp_at) {
			if (word(st->rbp_at) != nx->rbp)
				break;
			if (!same)
				*own_rbp = k + 1;
			same = 1;
			r = nx->rbp;
		}
		if (st->flags & REC_MEMO_RBP_LOST)
			ok = 0;
		pcs[cnt++] = nx->pc;
	}
	*n = cnt;
	*rbp = r;
	*rbp_ok = ok;
	return k;
}

/*
 * The stack of the call F entered, as supervisor/unwind.c's rules walk
 * gives it from the same registers: PCS[0] the return address into the
 * caller, and so on, at most MAX. With SKIP_TO, the frames up to the
 * one whose return address is at SKIP_TO are left out (the operator new
 * that this allocation is part of). Returns the count, or -1 when
 * memsup must unwind it (a frame its rules cannot describe). T, when
 * not NULL, lends its memo.
 */
static int walk(struct rec_control *c, struct rec_frame *f,
		struct rec_tstate *t, uint64_t *pcs, unsigned max,
		uint64_t skip_to, unsigned *skipped, struct stack_tag *tag)
{
	uint64_t lo = f->entry_rsp, hi = lo + REC_STACK_WINDOW;
	uint64_t pc, sp, rbp = f->rbp, cfa, ra_at, prev_ip, prev_sp;
	uint64_t gen = load(&c->rules_gen);
	int rbp_ok = 1, collecting = !skip_to || skip_to == lo;
	unsigned n = 0, guard = 0, walked = 1;
	uint64_t exact = 0;
	struct rec_rule r;
	struct memo_walk m;
	struct rec_memo_state *st;

	if (ra_word(c, lo, &pc) < 0)
		return -1;
	if (!pc)
		return 0;
	m.t = 0;
	m.old = 0;
	m.old_len = m.ja = m.len = 0;
	m.old_buf = m.out_buf = 0;
	m.out = 0;
	m.recording = 0;
	if (t && !skip_to) {
		memo_begin(c, t, lo, gen, &m);
		t->walks++;
	}
	sp = lo + 8;
	prev_ip = pc - 1;
	prev_sp = sp;
	if (collecting)
		pcs[n++] = pc;
	st = 0;
	if (m.recording) {
		int whole = memo_whole(c, &m, pc, sp, rbp, pcs, max, tag);

		if (whole >= 0) {
			memo_end(c, &m, gen, 1);
			return whole;
		}
	}
	if (m.old && m.old[0].pc == pc && m.old[0].sp == sp) {
		/* a kept walk that starts here but does not hold whole
		 * (memo_whole() took those that do): this walk follows it
		 * as far as it holds */
		uint64_t rbp0 = rbp;
		unsigned own, k = replay(c, m.old, m.old_len, pcs, max,
					 &n, &rbp, &rbp_ok, &own);

		if (k) {
			prev_ip = m.old[k - 1].pc;
			prev_sp = m.old[k - 1].sp;
			pc = m.old[k].pc;
			sp = m.old[k].sp;
			walked += k;
		}
		if (k + 1 == m.old_len || n >= max) {
			/* all of it, the walk going on past its end: the memo
			 * stays as it is, the rules take the walk from there */
			m.recording = 0;
		} else {
			/* part of it: this walk's memo starts with that part
			 * and goes on from state k by rules */
			for (unsigned i = 0; i <= k; i++) {
				m.out[i] = m.old[i];
				if (i < own)
					m.out[i].rbp = rbp0;
			}
			m.len = k + 1;
			st = &m.out[k];
			st->ra_at = 0;
			st->rbp_at = 0;
			st->flags &= REC_MEMO_RBP_OK;
			m.ja = k + 1;
		}
	} else {
		st = memo_state(&m, pc, sp, rbp, rbp_ok);
	}
	for (;;) {
		/* a state the last walk went through: follow it while the
		 * words it read still hold the same */
		while (st && m.old && m.ja < m.old_len &&
		       m.old[m.ja].sp < sp)
			m.ja++;
		if (st && m.old && m.ja < m.old_len && !exact &&
		    m.old[m.ja].sp == sp && m.old[m.ja].pc == pc) {
			const struct rec_memo_state *o = &m.old[m.ja];
			int rbp_same = rbp == o->rbp;

			for (; m.ja + 1 < m.old_len && n < max; o++, m.ja++) {
				const struct rec_memo_state *nx = o + 1;

				if (!o->ra_at || ((o->flags & REC_MEMO_CFA_RBP) &&
						  !(rbp_same && rbp_ok)))
					break;
				if (!in_window(o->ra_at, lo, hi) ||
				    !ra_is(c, o->ra_at, nx->pc))
					break;
				if (o->rbp_at && (!in_window(o->rbp_at, lo, hi) ||
						  word(o->rbp_at) != nx->rbp))
					break;
				st->ra_at = o->ra_at;
				st->rbp_at = o->rbp_at;
				st->flags |= o->flags & (REC_MEMO_CFA_RBP |
							 REC_MEMO_RBP_LOST);
				if (o->rbp_at) {
					rbp = nx->rbp;
					rbp_same = 1;
				}
				if (o->flags & REC_MEMO_RBP_LOST)
					rbp_ok = 0;
				prev_ip = pc;
				prev_sp = sp;
				pc = nx->pc;
				sp = nx->sp;
				pcs[n++] = pc;
				walked++;
				st = memo_state(&m, pc, sp, rbp, rbp_ok);
				if (!st)
					break;
			}
			m.ja++;
		}
		if (++guard > 4096)
			goto slow;
		if (rule_get(c, f, pc | exact, &r) < 0)
			goto slow;
		if (r.kind == REC_RULE_NOCODE) {
			if (st)
				st->flags |= REC_MEMO_DROP;
			if (n)
				n--;
			break;
		}
		if ((collecting && n >= max) || r.kind == REC_RULE_END) {
			if (st)
				st->flags |= REC_MEMO_STOP;
			break;
		}
		if (r.kind == REC_RULE_SIGNAL) {
			/* the interrupted code: its rip, rsp and rbp */
			if (!in_window(sp + REC_SIGFRAME_RIP, lo, hi))
				goto slow;
			pc = word(sp + REC_SIGFRAME_RIP);
			rbp = word(sp + REC_SIGFRAME_RBP);
			sp = word(sp + REC_SIGFRAME_RSP);
			rbp_ok = 1;
			exact = REC_PC_EXACT;
			/* it may have run on another stack (sigaltstack) */
			lo = sp;
			hi = lo + REC_STACK_WINDOW;
			m.recording = 0;
			st = 0;
			if (!pc)
				break;
			if (collecting)
				pcs[n++] = pc;
			walked++;
			prev_ip = pc;
			prev_sp = sp;
			continue;
		}
		if (r.kind == REC_RULE_SLOW ||
		    (r.kind == REC_RULE_CFA_RBP && !rbp_ok))
			goto slow;
		cfa = (r.kind == REC_RULE_CFA_RSP ? sp : rbp) +
		      (uint64_t)(int64_t)r.cfa_off;
		ra_at = cfa + (uint64_t)(int64_t)r.ra_off;
		if (!in_window(ra_at, lo, hi))
			goto slow;
		if (ra_word(c, ra_at, &pc) < 0)
			goto slow;
		if (st) {
			st->ra_at = ra_at;
			if (r.kind == REC_RULE_CFA_RBP)
				st->flags |= REC_MEMO_CFA_RBP;
			if (r.rbp == REC_RBP_LOST)
				st->flags |= REC_MEMO_RBP_LOST;
		}
		if (r.rbp == REC_RBP_SAVED) {
			uint64_t at = cfa + (uint64_t)(int64_t)r.rbp_off;

			if (!in_window(at, lo, hi))
				goto slow;
			rbp = word(at);
			if (st)
				st->rbp_at = at;
		}
		if (r.rbp == REC_RBP_LOST)
			rbp_ok = 0;
		sp = cfa;
		exact = 0;
		if (!pc || (pc == prev_ip && sp == prev_sp)) {
			if (st)
				st->ra_at = 0;
			break;
		}
		if (!collecting && ra_at == skip_to) {
			collecting = 1;
			*skipped = walked;
			n = 0;
		}
		walked++;
		if (collecting)
			pcs[n++] = pc;
		prev_ip = pc;
		prev_sp = sp;
		st = memo_state(&m, pc, sp, rbp, rbp_ok);
	}
	if (!collecting)
		goto slow;
	memo_end(c, &m, gen, 1);
	return (int)n;
slow:
	memo_end(c, &m, gen, 0);
	return -1;
}

static unsigned stack_of(struct rec_control *c, struct rec_frame *f,
			 struct rec_tstate *t, uint64_t *pcs, uint64_t skip_to,
			 struct stack_tag *tag)
{
	unsigned max = c->depth, skipped = skip_to && skip_to != f->entry_rsp;
	int n;

	if (!max)
		return 0;
	if (max > REC_MAX_DEPTH)
		max = REC_MAX_DEPTH;
	n = walk(c, f, t, pcs, max, skip_to, &skipped, tag);
	if (n >= 0)
		return (unsigned)n;
	tag->flags = 0;
	/* memsup unwinds it from the registers in F, into PCS, leaving
	 * out the frames of an operator new in flight */
	f->npcs = 0;
	f->pcs_addr = (uint64_t)pcs;
	f->missing_pc = skipped;
	rec_trap_unwind(f);
	return f->npcs <= max ? (unsigned)f->npcs : 0;
}

/* N words from SRC to DST (the compiler's memcpy is not ours to call) */
static void copy_words(uint64_t *dst, const uint64_t *src, unsigned long n)
{
	while (n--)
		*dst++ = *src++;
}

/*
 * The outermost test of this thread whose frame was abandoned (longjmp,
 * or an exception caught below it), as memsup's breakpoint engine finds
 * it at each allocator entry: the stack rose above its return slot on
 * the slot's own stack (the mapping memsup found it in: a coroutine's
 * stack or an alternate signal stack above it abandons nothing), or the
 * slot no longer holds what it held while the test ran. 0 if none.
 */
static uint64_t abandoned(struct rec_control *c, uint64_t sp, uint32_t *tidp)
{
	uint64_t found = 0, slot;
	uint32_t tid, i, n = c->nfixups;

	*tidp = 0;
	if (!c->tid_off)
		return 0;
	__asm__ volatile("movl %%fs:(%1), %0" : "=r"(tid)
			 : "r"((uint64_t)c->tid_off));
	*tidp = tid;
	for (i = 0; i < n && i < REC_MAX_FIXUPS; i++) {
		slot = load(&c->fixups[i].slot);
		if (!slot || c->fixups[i].tid != tid || slot <= found)
			continue;
		if ((slot < sp && sp < c->fixups[i].stack_end) ||
		    word(slot) != c->fixups[i].expect)
			found = slot;
	}
	return found;
}

/*
 * Appends an event. The slot is reserved by sequence number; a writer
 * that finds the ring full traps, and memsup drains it at that stop.
 * Frees reserve before the block is released and allocations after it
 * is returned, so that a block's free always precedes, in the ring, the
 * next allocation at its address by any thread.
 */
static void yield(void)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "0"(24L /* sched_yield */)
			 : "rcx", "r11", "memory");
	(void)ret;
}

/* Wakes memsup's drainer if it sleeps (futex(2), FUTEX_WAKE). */
static void wake_drainer(struct rec_control *c)
{
	long ret;

	if (!__atomic_load_n(&c->drainer_sleeps, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&c->drainer_sleeps, 0, __ATOMIC_RELAXED);
	__asm__ volatile("syscall" : "=a"(ret)
			 : "0"(202L /* futex */), "D"(&c->drainer_sleeps),
			   "S"(1L /* FUTEX_WAKE */), "d"(1L)
			 : "rcx", "r11", "memory");
	(void)ret;
}

/*
 * Waits until the drainer moves tail from TAIL, 1 ms at most (futex(2),
 * FUTEX_WAIT on tail's low half): a writer blocked here leaves the CPUs
 * to the drainer, where a spinning one would compete with it.
 */
static void wait_for_room(struct rec_control *c, uint64_t tail)
{
	struct { long sec, nsec; } ts = { 0, 1000000 };
	long ret;

	__atomic_store_n(&c->writers_wait, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->tail, __ATOMIC_SEQ_CST) != tail)
		return;
	register void *r10 __asm__("r10") = &ts;
	__asm__ volatile("syscall" : "=a"(ret)
			 : "0"(202L /* futex */), "D"(&c->tail),
			   "S"(0L /* FUTEX_WAIT */), "d"((uint32_t)tail),
			   "r"(r10)
			 : "rcx", "r11", "memory");
	(void)ret;
}

static struct rec_event *slot_of(struct rec_control *c, uint64_t seq)
{
	return (struct rec_event *)((char *)c + c->ring_off +
				    (seq & (c->ring_slots - 1)) * c->event_size);
}

/*
 * Whether the ring's oldest slot, sequence number TAIL, is still empty
 * and claimed by this thread at a level below D: by a call that this
 * signal handler interrupted (or that a longjmp left while a handler
 * runs deeper still). That call goes on only once the handler returns:
 * the handler waiting for room would wait for ever.
 */
static int own_tail(struct rec_control *c, const struct rec_tstate *t,
		    uint32_t d, uint64_t tail)
{
	uint32_t k;

	for (k = 0; k < d && k < REC_MAX_NEST; k++)
		if (t->wseq[k] == tail + 1)
			return load(&slot_of(c, tail)->ready) != tail + 1;
	return 0;
}

/*
 * The ring has no room: memsup's drainer thread empties rings as the
 * program runs; wake it, give it the CPU a while (it may share ours),
 * wait for it to move the tail, and now and then stop for memsup to
 * drain at the trap. -1: give up this event
 * (memsup is
 * gone, the wait is endless, or this thread itself holds the oldest
 * slot, below this signal handler).
 */
static int wait_room(struct rec_control *c, struct rec_frame *f,
		     const struct rec_tstate *t, uint32_t d, uint64_t tail,
		     unsigned *spins)
{
	if (own_tail(c, t, d, tail)) {
		__atomic_fetch_add(&c->dropped, 1, __ATOMIC_RELAXED);
		return -1;
	}
	if (__atomic_load_n(&c->detached, __ATOMIC_ACQUIRE) ||
	    ++*spins > 1000000)
		return -1;
	if (*spins == 1) {
		__atomic_fetch_add(&c->full_waits, 1, __ATOMIC_RELAXED);
		wake_drainer(c);
	}
	if (*spins <= 2) {
		yield();
		return 0;
	}
	/* blocked until the drainer makes room; if it cannot (an event
	 * only the event loop may apply, an empty slot), a stop lets
	 * memsup's loop drain */
	if (*spins % 16) {
		wait_for_room(c, tail);
		return 0;
	}
	rec_trap_full(f);
	return 0;
}

/*
 * Appends an event. The slot is reserved by sequence number once the
 * ring has room for it; a writer that finds the ring full traps, and
 * memsup drains it at that stop. Frees reserve before the block is
 * released and allocations after it is returned, so that a block's free
 * always precedes, in the ring, the next allocation at its address by
 * any thread.
 *
 * A signal handler that longjmps out leaves the call it interrupted
 * unfinished: a slot it had reserved would stay empty and hold every
 * later event back. So each reservation is claimed in the thread's
 * state first (settle() and memsup read the claims), one level per
 * handler that interrupts a filler. Each step is ordered so that a
 * handler running between any two of them finds the state whole: the
 * level's stack before the level is taken (and again after, in case a
 * handler used that level meanwhile); room in the ring before any
 * number is taken (a call longjmp'd away while it waits holds none);
 * before the number is taken, a claim on every number from the head on
 * (memsup's orphan() leaves those alone, and only those); then the
 * number itself.
 */
static void emit(struct rec_control *c, struct rec_frame *f,
		 struct rec_tstate *t, unsigned kind, unsigned entry,
		 const uint64_t *args, uint64_t result, const uint64_t *pcs,
		 unsigned npcs, const struct stack_tag *tag)
{
	uint32_t tid, d = t->wdepth;
	uint64_t lost = abandoned(c, f->entry_rsp, &tid), seq, tail, head;
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	struct rec_event *ev;
	unsigned spins = 0;

	if (d >= REC_MAX_NEST) {
		__atomic_fetch_add(&c->lost, 1, __ATOMIC_RELAXED);
		return;
	}
	t->wsp[d] = sp;
	__asm__ volatile("" ::: "memory");
	t->wdepth = d + 1;
	__asm__ volatile("" ::: "memory");
	t->wsp[d] = sp;
	for (;;) {
		tail = load(&c->tail);
		head = __atomic_load_n(&c->head, __ATOMIC_RELAXED);
		if (head - tail < c->ring_slots)
			break;
		if (wait_room(c, f, t, d, tail, &spins) < 0)
			goto out;
	}
	__atomic_store_n(&t->wseq[d], REC_RESERVING | (head + 1),
			 __ATOMIC_RELAXED);
	/* (seq_cst: the claim is seen before the number is taken) */
	seq = __atomic_fetch_add(&c->head, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&t->wseq[d], seq + 1, __ATOMIC_RELEASE);
	tail = load(&c->tail);
	if (seq - tail == c->ring_slots / 4)
		wake_drainer(c);
	/* other threads took the room meanwhile */
	while (seq - tail >= c->ring_slots) {
		if (wait_room(c, f, t, d, tail, &spins) < 0)
			goto out;
		tail = load(&c->tail);
		/* memsup passed the slot (a hole) while this call was
		 * suspended under a handler: it is no longer ours */
		if ((int64_t)(tail - seq) > 0)
			goto out;
	}
	ev = slot_of(c, seq);
	/* the slot a few events on, for the write: memsup's drainer read
	 * it last, so the write would wait for the line (with the stores
	 * after it) while the drainer's copy is taken away */
	if (c->prefetch)
		__asm__ volatile("prefetchw (%0)" : :
				 "r"(slot_of(c, seq + c->prefetch)));
	ev->entry = (uint8_t)entry;
	if (lost) {
		ev->flags = REC_EVF_ABANDONED;
		ev->aux = tid;
	} else if (tag && tag->flags) {
		ev->flags = (uint8_t)tag->flags;
		ev->aux = tag->aux;
		if (tag->flags & REC_EVF_STACK)
			npcs = 0;
	} else {
		ev->flags = 0;
	}
	ev->kind = (uint8_t)kind;
	ev->npcs = (uint8_t)npcs;
	ev->thread = (uint64_t)t;
	ev->result = result;
	copy_words(ev->args, args, c->entries[entry].nargs > REC_EV_ARGS_LINE ?
		   6 : REC_EV_ARGS_LINE);
	if (lost)
		ev->abandoned = lost;
	copy_words(ev->pcs, pcs, npcs);
	__atomic_store_n(&ev->ready, seq + 1, __ATOMIC_RELEASE);
out:
	__atomic_store_n(&t->wseq[d], 0, __ATOMIC_RELEASE);
	__asm__ volatile("" ::: "memory");
	t->wdepth = d;
}

/*
 * The thread's next call, from higher on the stack than a filler that
 * never finished, knows that filler was longjmp'd away: its slot becomes
 * a hole memsup passes over. (A handler running over a filler is below
 * it on the stack.) A claim made before its number was known names no
 * slot: memsup's orphan() makes that one a hole once nothing claims it,
 * as it does a slot a ring or more ahead of the oldest (its place in the
 * ring still holds an older one). A slot already filled, or filled again
 * a ring later, is left alone.
 */
static void settle(struct rec_control *c, struct rec_tstate *t, uint64_t sp)
{
	uint32_t d = t->wdepth;
	uint64_t seq1;
	struct rec_event *ev;

	while (d > 0 && d <= REC_MAX_NEST && sp > t->wsp[d - 1] &&
	       sp - t->wsp[d - 1] <= REC_SAME_STACK) {
		d--;
		seq1 = t->wseq[d];
		if (seq1 && !(seq1 & REC_RESERVING) &&
		    seq1 - 1 - load(&c->tail) < c->ring_slots) {
			ev = slot_of(c, seq1 - 1);
			if ((int64_t)(load(&ev->ready) - seq1) < 0) {
				ev->kind = REC_EV_HOLE;
				ev->npcs = 0;
				ev->flags = 0;
				__atomic_store_n(&ev->ready, seq1,
						 __ATOMIC_RELEASE);
			}
		}
		__atomic_store_n(&t->wseq[d], 0, __ATOMIC_RELEASE);
		t->wdepth = d;
	}
	if (d > REC_MAX_NEST)
		t->wdepth = 0;
}

int rec_alloc_pre(struct rec_frame *f)
{
	struct rec_control *c = control();
	const struct rec_entry *e = &c->entries[f->entry];
	uint64_t slot = f->entry_rsp;
	struct rec_tstate *t;

	f->target = e->target;
	if (!c->enabled || c->detached)
		return 0;
	t = tstate(c);
	if (!t) {
		__atomic_fetch_add(&c->lost, 1, __ATOMIC_RELAXED);
		return 0;
	}
	settle(c, t, slot);
	if (busy(t, slot)) {
		/* the allocation inside operator new records the new */
		if (t->new_slot && (e->kind == REC_ALLOC ||
				    e->kind == REC_POSIX_MEMALIGN)) {
			f->mode = MODE_AS_NEW;
			f->thread = (uint64_t)t;
			return 1;
		}
		return 0;
	}
	t->busy_slot = slot;
	t->busy_ret = word(slot);
	t->new_slot = 0;
	f->mode = MODE_PLAIN;
	f->thread = (uint64_t)t;
	if (e->kind == REC_REALLOC && f->args[0]) {
		uint64_t pcs[1] = { 0 };

		emit(c, f, t, REC_EV_REALLOC_FREE, (unsigned)f->entry, f->args,
		     0, pcs, 0, 0);
	}
	return 1;
}

void rec_alloc_post(struct rec_frame *f)
{
	struct rec_control *c = control();
	const struct rec_entry *e = &c->entries[f->entry];
	struct rec_tstate *t = (struct rec_tstate *)f->thread;
	uint64_t pcs[REC_MAX_DEPTH], args[6], result = f->result;
	unsigned n, entry = (unsigned)f->entry, kind = REC_EV_ALLOC;
	struct stack_tag tag = { 0, 0 };

	/* memsup detached while the call ran: its state is forgotten */
	if (__atomic_load_n(&c->detached, __ATOMIC_ACQUIRE))
		return;
	if (e->kind == REC_POSIX_MEMALIGN)
		result = (uint32_t)result == 0 ? word(f->args[0]) : 0;
	if (f->mode == MODE_AS_NEW) {
		if (!result)
			return;		/* new retries or throws */
		entry = t->new_entry;
		copy_words(args, f->args, 6);
		args[0] = t->new_args[0];
		args[1] = t->new_args[1];
		n = stack_of(c, f, t, pcs, t->new_slot, &tag);
		emit(c, f, t, REC_EV_ALLOC, entry, args, result, pcs, n, &tag);
		/* operator new returns the block now: nothing else of it
		 * is an event */
		t->new_slot = 0;
		t->busy_slot = 0;
		return;
	}
	if (e->kind == REC_REALLOC)
		kind = REC_EV_REALLOC;
	n = stack_of(c, f, t, pcs, 0, &tag);
	emit(c, f, t, kind, entry, f->args, result, pcs, n, &tag);
	t->busy_slot = 0;
}

void rec_tail(struct rec_frame *f)
{
	struct rec_control *c = control();
	const struct rec_entry *e = &c->entries[f->entry];
	uint64_t slot = f->entry_rsp, pcs[1] = { 0 }, ptr;
	struct rec_tstate *t;

	f->target = e->target;
	if (!c->enabled || c->detached)
		return;
	t = tstate(c);
	if (!t) {
		__atomic_fetch_add(&c->lost, 1, __ATOMIC_RELAXED);
		return;
	}
	settle(c, t, slot);
	if (e->kind == REC_NEW) {
		if (busy(t, slot)) {
			/* new[] tail-jumping to new: the outer one counts */
			if (t->new_slot && slot == t->new_slot)
				t->new_args[0] = f->args[0];
			return;
		}
		t->busy_slot = slot;
		t->busy_ret = word(slot);
		t->new_slot = slot;
		t->new_entry = (uint32_t)f->entry;
		t->new_args[0] = f->args[0];
		t->new_args[1] = f->args[1];
		return;
	}
	/*
	 * Free-class: nothing inside an allocation in flight counts, nor
	 * the free() that operator delete or a custom free makes of the
	 * same block, nor one delete variant calling another; the same
	 * entry again is a new call. The block is the entry's block_arg
	 * (a policy free may take it second, its first argument a pool).
	 */
	ptr = f->args[e->block_arg < 6 ? e->block_arg : 0];
	if (busy(t, slot))
		return;
	if (t->free_ptr && ptr == t->free_ptr &&
	    slot <= t->free_slot && t->free_slot - slot <= REC_SAME_STACK &&
	    f->entry != t->free_entry && word(t->free_slot) == t->free_ret)
		return;
	t->free_ptr = 0;
	if (!ptr)
		return;
	emit(c, f, t, REC_EV_FREE, (unsigned)f->entry, f->args, 0, pcs, 0,
	     0);
	if (e->kind == REC_FREE_OUTER) {
		t->free_slot = slot;
		t->free_ret = word(slot);
		t->free_ptr = ptr;
		t->free_entry = f->entry;
	}
}
