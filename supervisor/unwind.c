/*
 * Remote unwinding in two tiers.
 *
 * Rules. Almost every frame of compiled C and C++ has the same shape at a
 * call: CFA = rsp + k or rbp + k, the return address at CFA - 8, rbp
 * either untouched or saved at CFA + k. For each return address we ask
 * libdw's .eh_frame reader (dwarf_cfi_addrframe) once for the caller's
 * row, keep it in that shape in a hash table, and walk the stack copy
 * with it: a lookup and one or two loads per frame, no syscall. A frame
 * whose row has any other shape (a signal frame, a CFA or register
 * expression, no CFI at all) sends the whole stack to libunwind. Either
 * way the stack ends before the first pc in no mapped ELF object.
 *
 * libunwind-ptrace with our own accessors (unw_accessors_t):
 *
 *   access_reg      the regs the caller passed in (no PTRACE_PEEKUSER)
 *   access_mem      the cache of whole pages both tiers read through,
 *                   kept for one stop (unwinder_begin() to
 *                   unwinder_end()) or one unwind, and filled with one
 *                   process_vm_readv of several pages at a time (no
 *                   PTRACE_PEEKDATA per word)
 *   find_proc_info  _UPT_find_proc_info, which maps the ELF files named in
 *                   /proc/PID/maps and searches .eh_frame_hdr; called only
 *                   on a miss of libunwind's register-state cache, as the
 *                   address space caches globally (UNW_CACHE_GLOBAL)
 *
 * The breakpoint sits on the intercepted function's first instruction, so
 * its frame is trivial: nothing has been pushed but the return address.
 * Neither tier steps out of it (that would need the function's CFI,
 * which a custom allocator may lack, and libunwind misreads rip =
 * entry + 1 when the first instruction is one byte long): we read the
 * return address at [rsp] and start in the caller, with rsp + 8 and the
 * untouched callee-saved registers, looking its row up at return
 * address - 1 so that it is that of the call instruction (a call to a
 * noreturn function may be the last instruction of its function, and its
 * return address then belongs to the next function).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <libunwind-ptrace.h>

#include "supervisor/ehcheck.h"
#include "supervisor/msg.h"
#include "supervisor/remote.h"
#include "supervisor/unwind.h"
#include "supervisor/xmalloc.h"

#define PAGE_SIZE_ 4096u
#define PAGE_MASK_ (~(uint64_t)(PAGE_SIZE_ - 1))
/* Pages cached during one stop or unwind. */
#define CACHE_PAGES 32u
/* Pages read at once from the stack, outwards from the missing one. */
#define STACK_READ_PAGES 4u
/* Addresses from sp - STACK_BELOW to sp + STACK_ABOVE count as stack. */
#define STACK_BELOW 4096u
#define STACK_ABOVE (8u << 20)

#define UNWINDER_MAGIC 0x6d656d73756e7764ULL	/* "memsunwd" */

/* DWARF register numbers on x86-64 */
#define DWARF_RBP 6
#define DWARF_RSP 7

enum rule_kind {
	RULE_SLOW,		/* libunwind must step this frame */
	RULE_NOCODE,		/* the pc is in no mapped ELF object */
	RULE_END,		/* the return address is undefined: outermost */
	RULE_CFA_RSP,		/* CFA = rsp + cfa_off */
	RULE_CFA_RBP,		/* CFA = rbp + cfa_off */
	RULE_SIGNAL,		/* the kernel's signal frame: the interrupted
				 * registers are in the ucontext at CFA */
};

/*
 * A rule's key: a return address (its call is at pc - 1), or with
 * PC_EXACT the pc a signal interrupted, which is looked up as it is.
 * User addresses never have bit 63 set.
 */
#define PC_EXACT UNWIND_PC_EXACT

/*
 * x86-64 Linux's rt_sigframe: the handler returns to the restorer with
 * rsp at the ucontext; its uc_mcontext.gregs (REG_RBP, REG_RSP,
 * REG_RIP) are at these offsets from it.
 */
#define SIGFRAME_RBP 120
#define SIGFRAME_RSP 160
#define SIGFRAME_RIP 168

enum rbp_rule {
	RBP_SAME,		/* the caller's rbp is this frame's */
	RBP_SAVED,		/* at CFA + rbp_off */
	RBP_LOST,		/* undefined: a later CFA cannot use it */
};

/* How to step from the frame returning to PC to its caller. */
struct cfi_rule {
	uint64_t pc;		/* a return address; 0: an empty slot */
	int32_t cfa_off;
	int32_t ra_off;		/* the return address is at CFA + ra_off */
	int32_t rbp_off;
	uint8_t kind;		/* enum rule_kind */
	uint8_t rbp;		/* enum rbp_rule */
};

/*
 * Rules by return address, and the modules they come from. Shared by a
 * process and the children it forks, whose mappings are the same, until
 * one of them maps or unmaps code (unwinder_flush): a Check suite that
 * forks every test computes a rule once, not once per test.
 */
struct rule_table {
	unsigned refs;
	/* open addressing, a power of two, at most half full */
	struct cfi_rule *rules;
	size_t cap, n;
	Dwfl *dwfl;			/* made at the first rule miss */
	int dwfl_ok;			/* its last scan succeeded */
	int dwfl_rescanned;		/* maps read again since made */
};

struct unwinder {
	/* First, so that an accessor can tell us from a _UPT context. */
	uint64_t magic;
	pid_t pid;
	unw_addr_space_t as;
	void *upt;			/* _UPT_create(pid) */
	struct remote mem;		/* /proc/PID/mem fallback */
	enum unwind_mode mode;

	struct rule_table *rt;

	/* The snapshot: from unwinder_begin() to unwinder_end() */
	pid_t tid;
	uint64_t sp;
	int open;

	/* Valid during one unwinder_unwind() */
	const struct user_regs_struct *regs;
	uint64_t caller_sp, caller_ip;

	/* The page cache: a page is valid when its epoch is the current one,
	 * so starting an unwind empties it in O(1). */
	uint64_t epoch;
	uint64_t page_addr[CACHE_PAGES];
	uint64_t page_epoch[CACHE_PAGES];
	unsigned victim, last;
	const struct unwind_fixup *fx;	/* words to read as changed back */
	unsigned nfx;
	struct unwind_stats stats;
	unsigned char page[CACHE_PAGES][PAGE_SIZE_];
};

/*
 * The context _UPT_find_proc_info() passes to our access_mem while it
 * searches the unwind tables: libunwind hands the accessors the find
 * function's arg, which must be the _UPT context. memsup unwinds on one
 * thread, one unwinder at a time; thread-local all the same.
 */
static _Thread_local struct unwinder *upt_owner;

static struct unwinder *arg_unwinder(void *arg)
{
	struct unwinder *uw = arg;

	if (upt_owner && arg == upt_owner->upt)
		return upt_owner;
	if (uw && uw->magic == UNWINDER_MAGIC)
		return uw;
	return NULL;
}

static int cache_lookup(struct unwinder *uw, uint64_t page)
{
	unsigned i;

	if (uw->page_epoch[uw->last] == uw->epoch &&
	    uw->page_addr[uw->last] == page)
		return (int)uw->last;
	for (i = 0; i < CACHE_PAGES; i++) {
		if (uw->page_epoch[i] == uw->epoch &&
		    uw->page_addr[i] == page) {
			uw->last = i;
			return (int)i;
		}
	}
	return -1;
}

/*
 * Reads COUNT pages from PAGE on into cache slots, in one
 * process_vm_readv. One remote iovec per page: the kernel transfers
 * whole iovecs only, so a read running off the end of the stack mapping
 * still returns the pages before it. Returns the slot of PAGE, or -1.
 */
static int cache_fill(struct unwinder *uw, uint64_t page, unsigned count)
{
	struct iovec local[STACK_READ_PAGES], remote[STACK_READ_PAGES];
	unsigned slot[STACK_READ_PAGES] = { 0 };
	unsigned i, got;
	ssize_t n;

	for (i = 0; i < count; i++) {
		slot[i] = uw->victim;
		uw->victim = (uw->victim + 1) % CACHE_PAGES;
		local[i].iov_base = uw->page[slot[i]];
		local[i].iov_len = PAGE_SIZE_;
		remote[i].iov_base = (void *)(uintptr_t)(page + i * PAGE_SIZE_);
		remote[i].iov_len = PAGE_SIZE_;
	}
	uw->stats.reads++;
	n = process_vm_readv(uw->tid, local, count, remote, count, 0);
	got = n > 0 ? (unsigned)(n / PAGE_SIZE_) : 0;
	if (got > count)
		got = count;
	for (i = 0; i < got; i++) {
		uw->page_addr[slot[i]] = page + i * PAGE_SIZE_;
		uw->page_epoch[slot[i]] = uw->epoch;
	}
	/* The slots not filled may hold a page of this epoch; drop them. */
	for (; i < count; i++)
		uw->page_epoch[slot[i]] = 0;
	if (!got)
		return -1;
	uw->last = slot[0];
	return (int)slot[0];
}

static int stack_addr(const struct unwinder *uw, uint64_t addr)
{
	return addr + STACK_BELOW >= uw->sp && addr - uw->sp < STACK_ABOVE;
}

/* LEN bytes at ADDR of the stopped process; 0 or -1. */
static int mem_read(struct unwinder *uw, uint64_t addr, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t page;
	size_t off, chunk;
	int s;

	while (len) {
		page = addr & PAGE_MASK_;
		off = addr - page;
		chunk = PAGE_SIZE_ - off < len ? PAGE_SIZE_ - off : len;
		s = cache_lookup(uw, page);
		if (s < 0)
			s = cache_fill(uw, page, stack_addr(uw, addr) ?
						 STACK_READ_PAGES : 1);
		if (s < 0) {
			/* A page the process itself may not read (a guard
			 * page, text without read permission):
			 * /proc/PID/mem reads it as the tracer. */
			if (remote_read(&uw->mem, addr, p, chunk) < 0) {
				uw->stats.read_failures++;
				return -1;
			}
		} else {
			memcpy(p, uw->page[s] + off, chunk);
		}
		p += chunk;
		addr += chunk;
		len -= chunk;
	}
	return 0;
}

void unwinder_set_fixups(struct unwinder *uw, const struct unwind_fixup *fx,
			 unsigned n)
{
	uw->fx = fx;
	uw->nfx = n;
}

/* The stack word at ADDR as the program will see it. */
static int read_word(struct unwinder *uw, uint64_t addr, uint64_t *val)
{
	unsigned i;

	if (mem_read(uw, addr, val, sizeof(*val)) < 0)
		return -1;
	for (i = 0; i < uw->nfx; i++)
		if (uw->fx[i].slot == addr)
			*val = uw->fx[i].value;
	return 0;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val,
		      int write, void *arg)
{
	struct unwinder *uw = arg_unwinder(arg);
	uint64_t v;

	if (!uw)	/* not ours: cannot happen, but stay correct */
		return _UPT_access_mem(as, addr, val, write, arg);
	if (write)
		return -UNW_EINVAL;
	if (read_word(uw, addr, &v) < 0)
		return -UNW_EINVAL;
	*val = v;
	return 0;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val,
		      int write, void *arg)
{
	struct unwinder *uw = arg_unwinder(arg);
	const struct user_regs_struct *r;

	if (!uw || !uw->regs)
		return -UNW_EBADREG;
	if (write)
		return -UNW_EREADONLYREG;
	r = uw->regs;
	switch (reg) {
	case UNW_X86_64_RAX: *val = r->rax; break;
	case UNW_X86_64_RDX: *val = r->rdx; break;
	case UNW_X86_64_RCX: *val = r->rcx; break;
	case UNW_X86_64_RBX: *val = r->rbx; break;
	case UNW_X86_64_RSI: *val = r->rsi; break;
	case UNW_X86_64_RDI: *val = r->rdi; break;
	case UNW_X86_64_RBP: *val = r->rbp; break;
	case UNW_X86_64_R8: *val = r->r8; break;
	case UNW_X86_64_R9: *val = r->r9; break;
	case UNW_X86_64_R10: *val = r->r10; break;
	case UNW_X86_64_R11: *val = r->r11; break;
	case UNW_X86_64_R12: *val = r->r12; break;
	case UNW_X86_64_R13: *val = r->r13; break;
	case UNW_X86_64_R14: *val = r->r14; break;
	case UNW_X86_64_R15: *val = r->r15; break;
	/* the caller's frame, not the breakpoint's: see the top comment */
	case UNW_X86_64_RSP: *val = uw->caller_sp; break;
	case UNW_X86_64_RIP: *val = uw->caller_ip; break;
	default:
		return -UNW_EBADREG;
	}
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg,
			unw_fpreg_t *val, int write, void *arg)
{
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip,
			  unw_proc_info_t *pi, int need_unwind_info, void *arg)
{
	struct unwinder *uw = arg_unwinder(arg);
	struct unwinder *saved = upt_owner;
	int ret;

	if (!uw)
		return -UNW_ENOINFO;
	uw->stats.proc_info_misses++;
	/* A damaged .eh_frame_hdr ends the stack, never memsup. */
	if (!ehcheck_ok(uw->pid, ip))
		return -UNW_ENOINFO;
	upt_owner = uw;
	ret = _UPT_find_proc_info(as, ip, pi, need_unwind_info, uw->upt);
	upt_owner = saved;
	return ret;
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi,
			    void *arg)
{
	struct unwinder *uw = arg_unwinder(arg);

	if (uw)
		_UPT_put_unwind_info(as, pi, uw->upt);
}

/*
 * Code registered with _U_dyn_register() (JITs) is found through a list in
 * the target; libunwind-ptrace does not implement the lookup on x86_64
 * either (its get_list_addr() is a stub), so say "none" without a call.
 */
static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr,
				  void *arg)
{
	return -UNW_ENOINFO;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t ip, char *buf,
			 size_t len, unw_word_t *off, void *arg)
{
	struct unwinder *uw = arg_unwinder(arg);
	struct unwinder *saved = upt_owner;
	int ret;

	if (!uw)
		return -UNW_ENOINFO;
	upt_owner = uw;
	ret = _UPT_get_proc_name(as, ip, buf, len, off, uw->upt);
	upt_owner = saved;
	return ret;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

/* ---------------------------------------------------------------- rules */

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* (Re)reads the modules from /proc/PID/maps into RT. */
static int dwfl_scan(struct rule_table *rt, pid_t pid)
{
	int ret;

	if (!rt->dwfl) {
		rt->dwfl = dwfl_begin(&proc_callbacks);
		if (!rt->dwfl)
			return -1;
	}
	dwfl_report_begin(rt->dwfl);
	ret = dwfl_linux_proc_report(rt->dwfl, pid);
	if (dwfl_report_end(rt->dwfl, NULL, NULL) != 0)
		ret = -1;
	return ret == 0 ? 0 : -1;
}

/* A table with one reference, the caller's. */
static struct rule_table *table_new(void)
{
	struct rule_table *rt = xcalloc(1, sizeof(*rt));

	rt->refs = 1;
	return rt;
}

static void table_put(struct rule_table *rt)
{
	if (!rt || --rt->refs)
		return;
	if (rt->dwfl)
		dwfl_end(rt->dwfl);
	free(rt->rules);
	free(rt);
}

enum reg_shape { REG_SAME, REG_UNDEFINED, REG_AT_CFA, REG_CFA, REG_OTHER };

/*
 * The rule for DWARF register REGNO in FRAME, reduced to the shapes the
 * walk knows: unchanged, undefined, saved at CFA + *OFF, or the CFA itself.
 */
static enum reg_shape reg_shape(Dwarf_Frame *frame, int regno, int64_t *off)
{
	Dwarf_Op mem[3], *ops;
	size_t nops;

	if (dwarf_frame_register(frame, regno, mem, &ops, &nops) != 0)
		return REG_OTHER;
	if (!nops)	/* libdw.h: ops_mem for undefined, NULL for same */
		return ops ? REG_UNDEFINED : REG_SAME;
	if (ops[0].atom != DW_OP_call_frame_cfa)
		return REG_OTHER;
	*off = 0;
	if (nops >= 2 && ops[1].atom == DW_OP_plus_uconst) {
		*off = (int64_t)ops[1].number;
		ops++;
		nops--;
	}
	if (nops == 1)
		return REG_AT_CFA;
	if (nops == 2 && ops[1].atom == DW_OP_stack_value && !*off)
		return REG_CFA;
	return REG_OTHER;
}

static int fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* The caller's row for the call that returns to PC, from .eh_frame. */
static void rule_compute(struct unwinder *uw, uint64_t key, struct cfi_rule *r)
{
	uint64_t pc = key & ~PC_EXACT, at = key & PC_EXACT ? pc : pc - 1;
	struct rule_table *rt = uw->rt;
	Dwarf_Frame *frame = NULL;
	Dwfl_Module *mod = NULL;
	Dwarf_CFI *cfi;
	Dwarf_Addr bias;
	Dwarf_Op *ops;
	size_t nops;
	int64_t off, cfa_off;
	bool signal;
	int ra;

	memset(r, 0, sizeof(*r));
	r->pc = key;
	r->kind = RULE_SLOW;
	uw->stats.rule_misses++;
	if (!rt->dwfl)
		rt->dwfl_ok = dwfl_scan(rt, uw->pid) == 0;
	if (rt->dwfl_ok)
		mod = dwfl_addrmodule(rt->dwfl, at);
	if (!mod && !rt->dwfl_rescanned) {
		/* mapped since the last scan without a flush */
		rt->dwfl_rescanned = 1;
		rt->dwfl_ok = dwfl_scan(rt, uw->pid) == 0;
		if (rt->dwfl_ok)
			mod = dwfl_addrmodule(rt->dwfl, at);
	}
	if (!mod) {
		/* Without the process's modules, no pc is known bad. */
		if (rt->dwfl_ok)
			r->kind = RULE_NOCODE;
		return;
	}
	/* a mapping that is no ELF object (memsup's own recorder) */
	if (!dwfl_module_getelf(mod, &bias)) {
		r->kind = RULE_NOCODE;
		return;
	}
	cfi = dwfl_module_eh_cfi(mod, &bias);
	if (!cfi || dwarf_cfi_addrframe(cfi, at - bias, &frame) != 0)
		return;
	ra = dwarf_frame_info(frame, NULL, NULL, &signal);
	if (ra < 0)
		goto out;
	if (signal) {
		r->kind = RULE_SIGNAL;
		goto out;
	}
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1 ||
	    ops[0].atom != DW_OP_bregx ||
	    (ops[0].number != DWARF_RSP && ops[0].number != DWARF_RBP))
		goto out;
	cfa_off = (int64_t)ops[0].number2;
	if (!fits32(cfa_off) || reg_shape(frame, DWARF_RSP, &off) != REG_CFA)
		goto out;
	switch (reg_shape(frame, DWARF_RBP, &off)) {
	case REG_SAME:
		r->rbp = RBP_SAME;
		break;
	case REG_UNDEFINED:
		r->rbp = RBP_LOST;
		break;
	case REG_AT_CFA:
		if (!fits32(off))
			goto out;
		r->rbp = RBP_SAVED;
		r->rbp_off = (int32_t)off;
		break;
	default:
		goto out;
	}
	switch (reg_shape(frame, ra, &off)) {
	case REG_UNDEFINED:
		r->kind = RULE_END;
		break;
	case REG_AT_CFA:
		if (!fits32(off))
			goto out;
		r->ra_off = (int32_t)off;
		r->cfa_off = (int32_t)cfa_off;
		r->kind = ops[0].number == DWARF_RSP ? RULE_CFA_RSP :
						       RULE_CFA_RBP;
		break;
	default:
		break;
	}
out:
	free(frame);
}

static size_t rule_hash(uint64_t pc, size_t cap)
{
	return (size_t)((pc * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* The slot of PC in V: its own, or the empty one it would take. */
static struct cfi_rule *rule_slot(struct cfi_rule *v, size_t cap, uint64_t pc)
{
	size_t i;

	for (i = rule_hash(pc, cap); v[i].pc && v[i].pc != pc;
	     i = (i + 1) & (cap - 1))
		;
	return &v[i];
}

static void rules_grow(struct rule_table *rt)
{
	struct cfi_rule *old = rt->rules;
	size_t cap = rt->cap, i;

	rt->cap = cap ? cap * 2 : 1024;
	rt->rules = xcalloc(rt->cap, sizeof(*rt->rules));
	for (i = 0; i < cap; i++)
		if (old[i].pc)
			*rule_slot(rt->rules, rt->cap, old[i].pc) = old[i];
	free(old);
}

static const struct cfi_rule *rule_get(struct unwinder *uw, uint64_t pc)
{
	struct rule_table *rt = uw->rt;
	struct cfi_rule *r;

	if (rt->cap) {
		r = rule_slot(rt->rules, rt->cap, pc);
		if (r->pc)
			return r;
	}
	if ((rt->n + 1) * 2 > rt->cap)
		rules_grow(rt);
	r = rule_slot(rt->rules, rt->cap, pc);
	rule_compute(uw, pc, r);
	rt->n++;
	return r;
}

/*
 * Walks from the frame returning to RET (sp and rbp its caller's at the
 * call) with the rules alone; PCS[*NP - 1] is RET. 0 when done, -1 when a
 * frame needs libunwind. Stops as the libunwind walk does (at an
 * undefined or zero return address, or a frame that did not move), and
 * before the first pc in no mapped ELF object. Every pc is looked up
 * once: its rule tells both whether it is code and how to step.
 */
static int walk_rules(struct unwinder *uw, uint64_t ret, uint64_t sp,
		      uint64_t rbp, uint64_t *pcs, unsigned *np, unsigned max)
{
	const struct cfi_rule *r;
	uint64_t cfa, pc = ret, prev_ip = ret - 1, prev_sp = sp, exact = 0;
	int rbp_ok = 1;
	unsigned n = *np;

	for (;;) {
		r = rule_get(uw, pc | exact);	/* pc is pcs[n - 1] */
		if (r->kind == RULE_NOCODE) {
			n--;
			break;
		}
		if (n >= max || r->kind == RULE_END)
			break;
		if (r->kind == RULE_SIGNAL) {
			/* on to the interrupted code, registers and all */
			if (read_word(uw, sp + SIGFRAME_RIP, &pc) < 0 ||
			    read_word(uw, sp + SIGFRAME_RBP, &rbp) < 0 ||
			    read_word(uw, sp + SIGFRAME_RSP, &sp) < 0)
				return -1;
			rbp_ok = 1;
			exact = PC_EXACT;
			if (!pc)
				break;
			pcs[n++] = pc;
			prev_ip = pc;
			prev_sp = sp;
			continue;
		}
		if (r->kind == RULE_SLOW ||
		    (r->kind == RULE_CFA_RBP && !rbp_ok))
			return -1;
		cfa = (r->kind == RULE_CFA_RSP ? sp : rbp) +
		      (uint64_t)(int64_t)r->cfa_off;
		if (read_word(uw, cfa + (uint64_t)(int64_t)r->ra_off, &pc) < 0)
			return -1;
		if (r->rbp == RBP_SAVED &&
		    read_word(uw, cfa + (uint64_t)(int64_t)r->rbp_off,
			      &rbp) < 0)
			return -1;
		if (r->rbp == RBP_LOST)
			rbp_ok = 0;
		sp = cfa;
		exact = 0;
		if (!pc || (pc == prev_ip && sp == prev_sp))
			break;
		pcs[n++] = pc;
		prev_ip = pc;
		prev_sp = sp;
	}
	*np = n;
	return 0;
}

/*
 * PCS up to the first that lies in no mapped ELF object, for libunwind's
 * stacks: without CFI for a frame, libunwind guesses from the frame
 * pointer and the stack, and the guess can be a stack address or any
 * data word. Code outside every object (JIT code) ends the stack too, as
 * a frame libunwind could not step through anyway.
 */
static unsigned code_only(struct unwinder *uw, const uint64_t *pcs,
			  unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (rule_get(uw, pcs[i])->kind == RULE_NOCODE)
			return i;
	return n;
}

/* ------------------------------------------------------------- unwinder */

int unwind_mode_parse(const char *name)
{
	if (!name || !*name || !strcmp(name, "rules"))
		return UNWIND_RULES;
	if (!strcmp(name, "libunwind"))
		return UNWIND_LIBUNWIND;
	if (!strcmp(name, "check"))
		return UNWIND_CHECK;
	return -1;
}

/* An unwinder for PID whose rules are RT's (a reference taken). */
static struct unwinder *unwinder_make(pid_t pid, enum unwind_mode mode,
				      struct rule_table *rt)
{
	struct unwinder *uw = xcalloc(1, sizeof(*uw));

	uw->magic = UNWINDER_MAGIC;
	uw->pid = pid;
	uw->mode = mode;
	uw->epoch = 1;
	uw->mem.memfd = -1;
	/* Only a fallback: an unreadable /proc/PID/mem is not fatal. */
	remote_open(&uw->mem, pid);
	uw->as = unw_create_addr_space(&accessors, 0);
	if (!uw->as) {
		error_msg("unwind: cannot create a libunwind address space");
		goto fail;
	}
	unw_set_caching_policy(uw->as, UNW_CACHE_GLOBAL);
	uw->upt = _UPT_create(pid);
	if (!uw->upt) {
		error_msg("unwind: _UPT_create(%d) failed", (int)pid);
		goto fail_as;
	}
	uw->rt = rt;
	rt->refs++;
	return uw;

fail_as:
	unw_destroy_addr_space(uw->as);
fail:
	remote_close(&uw->mem);
	free(uw);
	return NULL;
}

struct unwinder *unwinder_new(pid_t pid, enum unwind_mode mode)
{
	struct rule_table *rt = table_new();
	struct unwinder *uw = unwinder_make(pid, mode, rt);

	table_put(rt);		/* the unwinder's reference is the one left */
	return uw;
}

struct unwinder *unwinder_fork(const struct unwinder *parent, pid_t pid)
{
	return unwinder_make(pid, parent->mode, parent->rt);
}

void unwinder_free(struct unwinder *uw)
{
	if (!uw)
		return;
	_UPT_destroy(uw->upt);
	unw_destroy_addr_space(uw->as);
	remote_close(&uw->mem);
	table_put(uw->rt);
	uw->magic = 0;
	free(uw);
}

void unwinder_flush(struct unwinder *uw)
{
	void *upt;

	unw_flush_cache(uw->as, 0, 0);
	ehcheck_forget();
	/* The _UPT context keeps the last ELF image and its table mapped. */
	upt = _UPT_create(uw->pid);
	if (upt) {
		_UPT_destroy(uw->upt);
		uw->upt = upt;
	}
	/* Its own mappings from now on: a table of its own. */
	table_put(uw->rt);
	uw->rt = table_new();
}

/* From the frame returning to uw->caller_ip + 1, as unwinder_unwind()
 * set up; *NP pcs are in PCS already. Ends before the first pc in no
 * mapped ELF object, as walk_rules() does. */
static void walk_libunwind(struct unwinder *uw, uint64_t *pcs, unsigned *np,
			   unsigned max)
{
	unw_cursor_t cursor;
	unw_word_t ip, sp, prev_ip, prev_sp;
	unsigned n = *np;

	if (unw_init_remote(&cursor, uw->as, uw) < 0)
		return;
	prev_ip = uw->caller_ip;
	prev_sp = uw->caller_sp;
	/*
	 * A frame in an object whose unwind table is damaged ends the stack
	 * here: libunwind's guess for a frame without unwind information
	 * reads values it never set.
	 */
	while (n < max && ehcheck_ok(uw->pid, prev_ip - 1) &&
	       unw_step(&cursor) > 0) {
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 ||
		    unw_get_reg(&cursor, UNW_REG_SP, &sp) < 0 || !ip)
			break;
		/* a frame that did not move: garbage CFI or a loop */
		if (ip == prev_ip && sp == prev_sp)
			break;
		pcs[n++] = ip;
		prev_ip = ip;
		prev_sp = sp;
	}
	*np = code_only(uw, pcs, n);
}

/* UNWIND_CHECK: the rules' stack against libunwind's, which wins. */
static void check_walks(struct unwinder *uw, uint64_t ret, uint64_t *pcs,
			unsigned *np, unsigned max)
{
	uint64_t mine[256];
	unsigned n1 = *np, i;

	if (max > 256)
		max = 256;
	memcpy(mine, pcs, n1 * sizeof(*pcs));
	if (walk_rules(uw, ret, uw->caller_sp, uw->regs->rbp, mine, &n1,
		       max) < 0)
		n1 = 0;		/* not comparable */
	else
		uw->stats.by_rules++;
	walk_libunwind(uw, pcs, np, max);
	if (!n1 || (n1 == *np && !memcmp(mine, pcs, n1 * sizeof(*pcs))))
		return;
	if (++uw->stats.mismatches > 10)
		return;		/* -v counts them all */
	for (i = 0; i < n1 && i < *np && mine[i] == pcs[i]; i++)
		;
	warning_msg("unwind: process %d thread %d: the CFI rules give %u "
		    "frames, libunwind %u; frame %u is %#llx, not %#llx",
		    (int)uw->pid, (int)uw->tid, n1, *np, i,
		    i < n1 ? (unsigned long long)mine[i] : 0ULL,
		    i < *np ? (unsigned long long)pcs[i] : 0ULL);
}

void unwinder_begin(struct unwinder *uw, pid_t tid, uint64_t sp)
{
	uw->tid = tid;
	uw->sp = sp;
	if (++uw->epoch == 0)
		uw->epoch = 1;
	uw->open = 1;
}

void unwinder_end(struct unwinder *uw)
{
	uw->open = 0;
}

int unwinder_peek(struct unwinder *uw, uint64_t addr, uint64_t *val)
{
	if (!uw->open)
		return -1;
	return mem_read(uw, addr, val, sizeof(*val));
}

unsigned unwinder_unwind(struct unwinder *uw, pid_t tid,
			 const struct user_regs_struct *regs, uint64_t *pcs,
			 unsigned max)
{
	uint64_t ret;
	unsigned n = 0;
	int own = !uw->open || uw->tid != tid || uw->sp != regs->rsp;

	if (!max)
		return 0;
	uw->stats.unwinds++;
	if (own)
		unwinder_begin(uw, tid, regs->rsp);
	uw->regs = regs;

	/* Frame 0 is the breakpoint's: its caller is at [rsp]. */
	if (mem_read(uw, regs->rsp, &ret, sizeof(ret)) < 0 || !ret)
		goto out;
	pcs[n++] = ret;
	uw->caller_sp = regs->rsp + 8;
	uw->caller_ip = ret - 1;

	switch (uw->mode) {
	case UNWIND_RULES:
		if (walk_rules(uw, ret, uw->caller_sp, regs->rbp, pcs, &n,
			       max) == 0) {
			uw->stats.by_rules++;
			break;
		}
		n = 1;
		walk_libunwind(uw, pcs, &n, max);
		break;
	case UNWIND_LIBUNWIND:
		walk_libunwind(uw, pcs, &n, max);
		break;
	case UNWIND_CHECK:
		check_walks(uw, ret, pcs, &n, max);
		break;
	}
out:
	uw->regs = NULL;
	if (own)
		unwinder_end(uw);
	uw->stats.frames += n;
	return n;
}

void unwinder_rule(struct unwinder *uw, uint64_t pc, struct unwind_rule *out)
{
	const struct cfi_rule *r;

	memset(out, 0, sizeof(*out));
	out->kind = UNWIND_RULE_SLOW;
	if (uw->mode != UNWIND_RULES)
		return;
	r = rule_get(uw, pc);
	switch (r->kind) {
	case RULE_NOCODE:
		out->kind = UNWIND_RULE_NOCODE;
		break;
	case RULE_END:
		out->kind = UNWIND_RULE_END;
		break;
	case RULE_SIGNAL:
		out->kind = UNWIND_RULE_SIGNAL;
		break;
	case RULE_CFA_RSP:
	case RULE_CFA_RBP:
		out->kind = r->kind == RULE_CFA_RSP ? UNWIND_RULE_CFA_RSP :
						      UNWIND_RULE_CFA_RBP;
		out->cfa_off = r->cfa_off;
		out->ra_off = r->ra_off;
		out->rbp_off = r->rbp_off;
		out->rbp = r->rbp == RBP_SAVED ? UNWIND_RBP_SAVED :
			   r->rbp == RBP_LOST ? UNWIND_RBP_LOST :
						UNWIND_RBP_SAME;
		break;
	}
}

void unwinder_stats(const struct unwinder *uw, struct unwind_stats *out)
{
	*out = uw->stats;
}

pid_t unwinder_pid(const struct unwinder *uw)
{
	return uw->pid;
}
