/*
 * What the recorder inside the traced program and memsup share
 * (docs/design/inject.md).
 *
 * One memfd per process holds two regions. The code region (mapped
 * read-execute in the program, read-write in memsup) is the recorder's
 * code followed by the stubs memsup writes for each redirected entry
 * point. The data region (read-write on both sides) starts with struct
 * rec_control and holds the entry table, the unwind rules, the
 * per-thread states and the ring of events.
 *
 * Both sides compile this header: the recorder freestanding, memsup
 * with libc. Only fixed-width types, no pointers (addresses are the
 * program's, as uint64_t).
 */
#ifndef MEMSUP_RECORDER_SHARED_H
#define MEMSUP_RECORDER_SHARED_H

#include <stdint.h>

#define REC_MAGIC 0x6d656d7375707231ULL		/* "memsupr1" */

/* The code region starts with this header, written by the linker. */
struct rec_code_header {
	uint64_t magic;
	uint64_t data;			/* the data region's address (memsup
					 * writes it at placement) */
	uint32_t code_size;		/* of the recorder's own code */
	uint32_t off_common_alloc;	/* the stubs jump here, r11 = entry */
	uint32_t off_common_tail;	/* entries that tail-jump (free,
					 * operator new/delete) */
	uint32_t off_trap_rule;		/* int3: a rule is missing */
	uint32_t off_trap_unwind;	/* int3: unwind this stack for me */
	uint32_t off_trap_full;		/* int3: the ring is full */
	uint32_t off_syscall;		/* syscall; int3: for memsup */
	uint32_t pad;
};

/* How an entry point is recorded. */
enum rec_entry_kind {
	REC_ALLOC,		/* returns the block: called from a frame of
				 * the recorder's, recorded at its return */
	REC_POSIX_MEMALIGN,	/* REC_ALLOC whose block is *arg1 */
	REC_REALLOC,		/* REC_ALLOC, frees its arg1 first */
	REC_NEW,		/* operator new: tail-jumps; the allocator
				 * it calls records the block as the new's */
	REC_FREE,		/* free(): recorded at entry, tail-jumps */
	REC_FREE_OUTER,		/* operator delete, a custom free: REC_FREE
				 * whose inner free of the block is its own */
};

struct rec_entry {
	uint64_t fn;		/* the function (its first byte) */
	uint64_t target;	/* the relocated copy: calling it calls fn */
	uint16_t kind;		/* enum rec_entry_kind */
	uint8_t block_arg;	/* free-class: the argument holding the
				 * block, 0-based (a policy free's free_arg
				 * - 1; 0 for the others) */
	uint8_t nargs;		/* the arguments memsup reads: 4, or 6 for
				 * a policy's allocator (REC_EV_ARGS_LINE) */
	uint32_t id;		/* memsup's own number (enum bp_fn) */
};

#define REC_MAX_ENTRIES 128

/* An unwind rule (memsup's struct cfi_rule, packed), by return address. */
enum rec_rule_kind {
	REC_RULE_NONE = 0,	/* empty slot */
	REC_RULE_SLOW,		/* memsup must unwind this stack */
	REC_RULE_NOCODE,	/* not code: the stack ends before it */
	REC_RULE_END,		/* the outermost frame */
	REC_RULE_CFA_RSP,
	REC_RULE_CFA_RBP,
	REC_RULE_SIGNAL,	/* the kernel's signal frame (unwind.h) */
};

/* A rule's pc with this bit: a pc a signal interrupted, looked up as is */
#define REC_PC_EXACT (1ULL << 63)
/* x86-64 rt_sigframe: where the ucontext keeps rbp, rsp and rip */
#define REC_SIGFRAME_RBP 120
#define REC_SIGFRAME_RSP 160
#define REC_SIGFRAME_RIP 168

enum rec_rbp_rule {
	REC_RBP_SAME,
	REC_RBP_SAVED,
	REC_RBP_LOST,
};

struct rec_rule {
	uint64_t pc;		/* written last; 0 = empty */
	int32_t cfa_off;
	int32_t ra_off;
	int32_t rbp_off;
	uint8_t kind;		/* enum rec_rule_kind */
	uint8_t rbp;		/* enum rec_rbp_rule */
	uint16_t pad;
};

/* A return address memsup replaced by its trampoline (a test's). */
struct rec_fixup {
	uint64_t slot;		/* written last; 0 = free */
	uint64_t value;		/* the true return address */
	uint64_t expect;	/* what the slot holds while the test runs */
	uint64_t tid;
	uint64_t stack_end;	/* the end of the mapping holding the slot
				 * (its stack): a stack pointer above the slot
				 * abandons it only below this; ~0 unknown */
};

#define REC_MAX_FIXUPS 256

#define REC_MAX_NEST 4

/*
 * A state of a stack walk and the step taken from it: the frame's pc,
 * the stack pointer and rbp there, and where the step read the caller's
 * return address (ra_at) and saved rbp (rbp_at, 0: none). The next
 * state's pc and rbp are what those words held.
 */
struct rec_memo_state {
	uint64_t pc, sp, rbp;
	uint64_t ra_at, rbp_at;
	uint32_t flags;		/* REC_MEMO_* */
	uint32_t pad;
};

#define REC_MEMO_STATES 32
/* A word a memo's replay checks: the word at `at` must hold `want`; with
 * REC_CHK_RA in at, it is a return address, which memsup's trampoline
 * may stand for (recorder.c: ra_is()). */
struct rec_memo_check {
	uint64_t at, want;
};
#define REC_CHK_RA 1ULL
#define REC_MEMO_WALKS 6	/* walks kept; one more buffer is written */
#define REC_MEMO_RBP_OK 1u	/* rbp is known in this state */
#define REC_MEMO_CFA_RBP 2u	/* the step's CFA is rbp-based */
#define REC_MEMO_RBP_LOST 4u	/* the step loses rbp */
#define REC_MEMO_STOP 8u	/* the walk ended here, this pc its last
				 * (its rule ends the stack, or the depth
				 * was reached) */
#define REC_MEMO_DROP 16u	/* the walk ended here, without this pc
				 * (not code) */

/*
 * A claim with this bit is made before the sequence number is known:
 * the rest is the ring's head + 1 just before it was taken, so the
 * number, if taken, is at or above the rest - 1.
 */
#define REC_RESERVING (1ULL << 63)

/* One thread's in-flight intercepted call, found through %fs:0x38. */
struct rec_tstate {
	uint64_t busy_slot;	/* return slot of the outermost call in
				 * progress, 0 if none */
	uint64_t busy_ret;	/* what that slot held at entry */
	uint64_t new_slot;	/* operator new in progress: its slot */
	uint64_t new_args[2];	/* its rdi, rsi */
	uint32_t new_entry;	/* its entry number */
	uint32_t pad;
	uint64_t free_slot;	/* REC_FREE_OUTER call in progress */
	uint64_t free_ret;
	uint64_t free_ptr;	/* its block, 0 if none */
	uint64_t free_entry;
	/*
	 * The ring slots this thread reserved and has not filled yet, one
	 * per level of signal handlers that interrupted a filler: sequence
	 * number + 1, REC_RESERVING | (head + 1) between asking and knowing
	 * it, 0 free; and the stack of the call filling each.
	 */
	uint32_t wdepth;
	uint32_t pad2;
	uint64_t wseq[REC_MAX_NEST];
	uint64_t wsp[REC_MAX_NEST];
	/*
	 * The thread's last REC_MEMO_WALKS stack walks, as the states they
	 * went through and the words each step read (recorder.c: walk()),
	 * and the one being written by the walk in progress. A later walk
	 * that starts where one of them started replays it whole while its
	 * words still hold what they held, instead of looking rules up: a
	 * loop allocating from a few places in turn (malloc here, calloc
	 * there; an interpreter making its values) replays each of them. A
	 * walk that reaches a state of the last one further on follows it
	 * the same way. memo_sp is the stack pointer of a walk using the
	 * memo (0: none), so that a signal handler's walk leaves it alone.
	 */
	uint64_t walks;		/* stack walks that could use the memo */
	uint64_t replayed;	/* ... that replayed a kept walk whole */
	uint64_t memo_gen;	/* rec_control.rules_gen of every memo kept */
	uint64_t memo_sp;
	/* memo[] by use: memo_lru[0] the walk kept or replayed last, ...,
	 * memo_lru[REC_MEMO_WALKS] the buffer the next walk writes;
	 * memo_lru_ok 0 until the recorder first set it (zeroed memory) */
	uint8_t memo_lru[REC_MEMO_WALKS + 1];
	uint8_t memo_lru_ok;
	uint32_t memo_len[REC_MEMO_WALKS + 1];	/* states in each */
	/*
	 * A memo that holds a whole walk gets a serial of the thread's. The
	 * first walk that replays it whole sends the serial with the pcs
	 * (REC_EVF_MEMO); memsup answers in memo_ack with the stack id it
	 * gave them (serial << 32 | id), and the walks that replay it whole
	 * while the answer is its serial's send the id alone (REC_EVF_STACK).
	 * memo_ack has a cache line of its own: memsup writes it, from
	 * another CPU, and the thread writes the fields around it.
	 */
	uint32_t memo_serial[REC_MEMO_WALKS + 1];	/* 0: none */
	uint32_t memo_next;	/* the last serial given */
	/*
	 * The first time a walk starts where a memo of a whole walk started,
	 * the words that decide whether it is that walk again are listed
	 * (recorder.c: memo_checks()): each return address, and each saved
	 * rbp that a later frame's CFA depends on. A walk that starts there
	 * (with the memo's first rbp, if a CFA depends on it: memo_rbp0)
	 * checks the list alone. memo_nchk: 0 not made yet, ~0 none (the
	 * words alone do not decide it).
	 */
	uint32_t memo_nchk[REC_MEMO_WALKS + 1];
	uint8_t memo_rbp0[REC_MEMO_WALKS + 1];
	uint64_t memo_ack[REC_MEMO_WALKS + 1] __attribute__((aligned(64)));
	struct rec_memo_check memo_chk[REC_MEMO_WALKS + 1][2 * REC_MEMO_STATES]
		__attribute__((aligned(64)));
	struct rec_memo_state memo[REC_MEMO_WALKS + 1][REC_MEMO_STATES];
};

/* An event in the ring. */
enum rec_event_kind {
	REC_EV_ALLOC = 1,	/* args, result, stack */
	REC_EV_FREE,		/* args[entry's block_arg] freed */
	REC_EV_REALLOC_FREE,	/* a realloc begins: args[0] may go */
	REC_EV_REALLOC,		/* ... and ends: args, result, stack */
	REC_EV_HOLE,		/* a slot whose writer was longjmp'd away */
};

#define REC_EVF_ABANDONED 1u	/* abandoned holds a slot, aux the
				 * thread's kernel id */
#define REC_EVF_STACK 2u	/* aux is memsup's id of the stack, whose
				 * pcs are not written */
#define REC_EVF_MEMO 4u		/* the pcs are a walk memo's: aux is its
				 * serial, bits 4-6 its buffer */
#define REC_EVF_MEMO_BUF(f) (((f) >> 4) & 7u)
#define REC_EVF_MEMO_SHIFT 4

/*
 * The fields every event fills come first, in its first cache line: a
 * free is one line from the writer's CPU to the drainer's. args[4] and
 * args[5] are written only for an entry whose nargs says so, abandoned
 * only with REC_EVF_ABANDONED; the stack follows.
 */
#define REC_EV_ARGS_LINE 4

struct rec_event {
	uint64_t ready;		/* its sequence number + 1, set last */
	uint8_t entry;		/* index in rec_control.entries */
	uint8_t flags;		/* REC_EVF_* */
	uint8_t kind;		/* enum rec_event_kind */
	uint8_t npcs;
	uint32_t aux;		/* see REC_EVF_* */
	uint64_t thread;	/* the thread's rec_tstate address */
	uint64_t result;
	uint64_t args[6];
	uint64_t abandoned;	/* a test's return slot found abandoned */
	uint64_t pcs[];		/* rec_control.depth of them */
};

/* What the recorder passes to memsup at a trap (address in rdi). */
struct rec_frame {
	uint64_t args[6];	/* rdi rsi rdx rcx r8 r9 at entry */
	uint64_t rbx, rbp, r12, r13, r14, r15;	/* the caller's */
	uint64_t entry_rsp;	/* rsp at entry: the return slot */
	uint64_t entry;		/* entry number */
	uint64_t target;	/* where the stub goes on */
	uint64_t result;
	uint64_t mode;		/* recorder.c's */
	uint64_t npcs;		/* trap_unwind: memsup's answer */
	uint64_t pcs_addr;	/* trap_unwind: where to write the pcs */
	uint64_t missing_pc;	/* trap_rule: the return address */
	uint64_t thread;	/* recorder.c: the thread's state, from
				 * rec_alloc_pre() to rec_alloc_post() */
};

#define REC_DETACHED 1
#define REC_DETACHED_KEEP 2

struct rec_control {
	uint64_t magic;
	uint32_t enabled;	/* a scope is open: record */
	uint32_t detached;	/* memsup is gone: pass everything through
				 * (REC_DETACHED; REC_DETACHED_KEEP: an
				 * entry may still jump here, so a later
				 * memsup never unmaps this recorder) */
	uint32_t depth;		/* frames per stack, 0: none */
	uint32_t event_size;	/* bytes per ring slot */
	uint64_t trampoline;	/* memsup's return trampoline address */

	uint64_t ring_off;	/* from the data region's start */
	uint64_t ring_slots;	/* a power of two */
	/* each on a cache line of its own: writers move head, memsup tail,
	 * and every walk reads the fields around them */
	uint64_t head __attribute__((aligned(64)));	/* next sequence
					 * number to reserve */
	uint64_t tail __attribute__((aligned(64)));	/* memsup: first
					 * not yet drained */
	uint32_t drainer_sleeps;	/* a futex: memsup's drainer waits on
					 * it; a writer that fills a quarter
					 * of the ring wakes it */
	uint32_t writers_wait;		/* writers wait on tail's low 32 bits
					 * (a futex) for room in the ring; the
					 * drainer wakes them when it moves
					 * tail */
	uint64_t rules_off __attribute__((aligned(64)));
	uint64_t rules_cap;	/* a power of two */

	uint64_t tstate_off;
	uint64_t tstate_cap;
	uint64_t tstate_used;	/* bump allocation */

	uint64_t rules_gen;	/* bumped when rules are taken away */
	uint64_t lost;		/* events not recorded (no thread state) */
	uint64_t full_waits;	/* events whose writer found the ring full */

	uint32_t nentries;
	uint32_t tid_off;	/* struct pthread's tid, from %fs; 0: unknown */
	uint32_t nfixups;	/* fixups[] in use are below this */
	uint32_t dropped;	/* events a signal handler could not record:
				 * the call it interrupted held the ring's
				 * oldest slot, and the ring was full */
	uint32_t prefetch;	/* slots ahead whose line a writer asks for
				 * (prefetchw) as it fills its own; 0: none,
				 * the CPU has no prefetchw */
	uint32_t pad;
	struct rec_entry entries[REC_MAX_ENTRIES];
	struct rec_fixup fixups[REC_MAX_FIXUPS];
};

#endif
