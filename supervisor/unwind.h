/*
 * Remote stack unwinding: libunwind-ptrace behind a tiny interface.
 *
 * One struct unwinder per process image (address space). It is not shared
 * between processes: a forked child gets its own (libunwind's caches hold
 * the parent's pid), and an exec needs a new one (the image changed).
 *
 * Speed is the point (docs/performance.md). A 10-frame unwind with libunwind's stock
 * _UPT accessors costs ~1.6 ms (PTRACE_PEEKDATA per word, proc info found
 * anew for every frame). Here registers come from the regs the caller
 * already has and stack memory from a few process_vm_readv calls of whole
 * pages per unwind. Frames go through a cache of per-return-address
 * rules taken from .eh_frame with libdw (CFA = rsp or rbp + k, return
 * address and rbp at CFA + k); a stack with a frame of any other shape
 * (a signal frame, a CFA expression, no CFI) is unwound by libunwind,
 * whose own register-state cache is global. docs/design/stacks.md has the
 * measurements.
 */
#ifndef MEMSUP_UNWIND_H
#define MEMSUP_UNWIND_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct unwinder;

enum unwind_mode {
	UNWIND_RULES,		/* cached CFI rules, libunwind for the rest */
	UNWIND_LIBUNWIND,	/* libunwind for every frame */
	UNWIND_CHECK,		/* both; warn where they differ (testing) */
};

/*
 * An unwinder for the address space of process PID (any live thread of
 * it; its /proc/PID/maps is read on unwind-info cache misses). NULL with
 * a message when libunwind cannot set up (ESRCH: the process is gone).
 * Free with unwinder_free().
 */
struct unwinder *unwinder_new(pid_t pid, enum unwind_mode mode);
void unwinder_free(struct unwinder *uw);

/*
 * An unwinder for PID, a child just forked from the process PARENT
 * unwinds: same mappings, so it starts with the parent's cached rules.
 */
struct unwinder *unwinder_fork(const struct unwinder *parent, pid_t pid);

/*
 * The mode MEMSUP_UNWIND names: "rules" (or unset), "libunwind" or
 * "check". -1 for anything else.
 */
int unwind_mode_parse(const char *name);

/*
 * The mappings changed (dlopen, dlclose, munmap of code): forget every
 * cached unwind table and register-state record.
 */
void unwinder_flush(struct unwinder *uw);

/*
 * Unwinds thread TID, stopped, whose registers are REGS (as
 * PTRACE_GETREGS gave them; unwinder_unwind() makes no ptrace call).
 *
 * REGS are those of a breakpoint on a function's first instruction,
 * before its prologue ran: [rsp] is the return address and the
 * callee-saved registers are the caller's. rip is not used (entry or
 * entry + 1 straight from the int3 trap: either is fine). That frame, the
 * intercepted function itself, is skipped without consulting its unwind
 * info: PCS[0] is the return address into its caller, PCS[1] the
 * return address into the caller's caller, and so on outwards, at most
 * MAX of them. Every pc written is a return address (look up pc - 1 to
 * find the call), except the frame a signal interrupted, whose pc is the
 * interrupted instruction itself.
 *
 * Returns the number of pcs written: fewer than the real depth when a
 * frame has no unwind information or the stack is unreadable, 0 when
 * nothing could be unwound. Never fails otherwise.
 */
/*
 * Stack words memsup itself changed: the return addresses it replaced by
 * its trampoline (see docs/supervisor.md). The unwinder reads VALUE at
 * SLOT instead, so that stacks show the true callers. FX is borrowed for
 * the next unwinder_unwind() calls, until set again (NULL, 0 to clear).
 */
struct unwind_fixup {
	uint64_t slot;
	uint64_t value;
};
void unwinder_set_fixups(struct unwinder *uw, const struct unwind_fixup *fx,
			 unsigned n);

unsigned unwinder_unwind(struct unwinder *uw, pid_t tid,
			 const struct user_regs_struct *regs, uint64_t *pcs,
			 unsigned max);

/*
 * One copy of the stack for a whole stop. Between unwinder_begin() and
 * unwinder_end(), while thread TID stays stopped and nothing writes its
 * stack, unwinder_peek() reads words of it (as they are in memory,
 * without fixups) through the pages the unwinder keeps, and an
 * unwinder_unwind() of TID at SP unwinds from the same pages: the stop
 * costs one process_vm_readv where it cost one per word read. Outside
 * them, unwinder_peek() is -1 and unwinder_unwind() reads for itself.
 */
void unwinder_begin(struct unwinder *uw, pid_t tid, uint64_t sp);
void unwinder_end(struct unwinder *uw);
int unwinder_peek(struct unwinder *uw, uint64_t addr, uint64_t *val);

/*
 * The rule the rules tier uses to step from the frame returning to PC
 * to its caller (docs/design/stacks.md), for the in-process recorder,
 * which walks stacks with the same rules. Outside UNWIND_RULES every pc
 * is UNWIND_RULE_SLOW: those modes unwind every stack in memsup.
 */
enum unwind_rule_kind {
	UNWIND_RULE_SLOW,	/* only libunwind can step this frame */
	UNWIND_RULE_NOCODE,	/* the pc is in no mapped ELF object */
	UNWIND_RULE_END,	/* the outermost frame */
	UNWIND_RULE_CFA_RSP,	/* CFA = rsp + cfa_off */
	UNWIND_RULE_CFA_RBP,	/* CFA = rbp + cfa_off */
	UNWIND_RULE_SIGNAL,	/* a signal frame: rip, rsp and rbp of the
				 * interrupted code in the ucontext at CFA +
				 * 168, 160, 120 */
};

/* In a rule's pc: the pc a signal interrupted, looked up as it is (a
 * return address is looked up at pc - 1). */
#define UNWIND_PC_EXACT (1ULL << 63)

enum unwind_rbp_rule {
	UNWIND_RBP_SAME,	/* the caller's rbp is this frame's */
	UNWIND_RBP_SAVED,	/* at CFA + rbp_off */
	UNWIND_RBP_LOST,	/* undefined */
};

struct unwind_rule {
	int32_t cfa_off;
	int32_t ra_off;		/* the return address is at CFA + ra_off */
	int32_t rbp_off;
	uint8_t kind;		/* enum unwind_rule_kind */
	uint8_t rbp;		/* enum unwind_rbp_rule */
};

void unwinder_rule(struct unwinder *uw, uint64_t pc, struct unwind_rule *out);

/* Counters, for -v and the benchmark. */
struct unwind_stats {
	uint64_t unwinds;		/* unwinder_unwind() calls */
	uint64_t frames;		/* pcs returned */
	uint64_t reads;			/* process_vm_readv calls */
	uint64_t read_failures;		/* words that could not be read */
	uint64_t proc_info_misses;	/* libunwind's unwind-info lookups */
	uint64_t by_rules;		/* unwinds done from cached rules alone */
	uint64_t rule_misses;		/* rules computed from CFI */
	uint64_t mismatches;		/* UNWIND_CHECK: stacks that differed
					 * (the first 10 warned about) */
};
void unwinder_stats(const struct unwinder *uw, struct unwind_stats *out);
pid_t unwinder_pid(const struct unwinder *uw);

#endif
