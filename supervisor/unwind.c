/*
 * libunwind-ptrace with our own accessors (unw_accessors_t):
 *
 *   access_reg      the regs the caller passed in (no PTRACE_PEEKUSER)
 *   access_mem      a per-unwind cache of whole pages, filled with one
 *                   process_vm_readv of several pages at a time (no
 *                   PTRACE_PEEKDATA per word)
 *   find_proc_info  _UPT_find_proc_info, which maps the ELF files named in
 *                   /proc/PID/maps and searches .eh_frame_hdr; called only
 *                   on a miss of libunwind's register-state cache, as the
 *                   address space caches globally (UNW_CACHE_GLOBAL)
 *
 * The breakpoint sits on the intercepted function's first instruction, so
 * its frame is trivial: nothing has been pushed but the return address.
 * We do not ask libunwind to step out of it (it would need the function's
 * CFI, which a custom allocator may lack, and it misreads rip = entry + 1
 * when the first instruction is one byte long): we read the return
 * address at [rsp] and start libunwind in the caller, with rsp + 8 and
 * the untouched callee-saved registers, at return address - 1 so that the
 * caller's unwind row is that of the call instruction (a call to a
 * noreturn function may be the last instruction of its function, and its
 * return address then belongs to the next function).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <libunwind-ptrace.h>

#include "supervisor/msg.h"
#include "supervisor/remote.h"
#include "supervisor/unwind.h"
#include "supervisor/xmalloc.h"

#define PAGE_SIZE_ 4096u
#define PAGE_MASK_ (~(uint64_t)(PAGE_SIZE_ - 1))
/* Pages cached during one unwind. */
#define CACHE_PAGES 32u
/* Pages read at once from the stack, outwards from the missing one. */
#define STACK_READ_PAGES 4u
/* Addresses from sp - STACK_BELOW to sp + STACK_ABOVE count as stack. */
#define STACK_BELOW 4096u
#define STACK_ABOVE (8u << 20)

#define UNWINDER_MAGIC 0x6d656d73756e7764ULL	/* "memsunwd" */

struct unwinder {
	/* First, so that an accessor can tell us from a _UPT context. */
	uint64_t magic;
	pid_t pid;
	unw_addr_space_t as;
	void *upt;			/* _UPT_create(pid) */
	struct remote mem;		/* /proc/PID/mem fallback */

	/* Valid during one unwinder_unwind() */
	const struct user_regs_struct *regs;
	uint64_t sp, caller_sp, caller_ip;
	pid_t tid;

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
	unsigned slot[STACK_READ_PAGES];
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

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val,
		      int write, void *arg)
{
	struct unwinder *uw = arg_unwinder(arg);
	unsigned i;

	if (!uw)	/* not ours: cannot happen, but stay correct */
		return _UPT_access_mem(as, addr, val, write, arg);
	if (write)
		return -UNW_EINVAL;
	if (mem_read(uw, addr, val, sizeof(*val)) < 0)
		return -UNW_EINVAL;
	for (i = 0; i < uw->nfx; i++)
		if (uw->fx[i].slot == addr)
			*val = uw->fx[i].value;
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

struct unwinder *unwinder_new(pid_t pid)
{
	struct unwinder *uw = xcalloc(1, sizeof(*uw));

	uw->magic = UNWINDER_MAGIC;
	uw->pid = pid;
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
	return uw;

fail_as:
	unw_destroy_addr_space(uw->as);
fail:
	remote_close(&uw->mem);
	free(uw);
	return NULL;
}

void unwinder_free(struct unwinder *uw)
{
	if (!uw)
		return;
	_UPT_destroy(uw->upt);
	unw_destroy_addr_space(uw->as);
	remote_close(&uw->mem);
	uw->magic = 0;
	free(uw);
}

void unwinder_flush(struct unwinder *uw)
{
	void *upt;

	unw_flush_cache(uw->as, 0, 0);
	/* The _UPT context keeps the last ELF image and its table mapped. */
	upt = _UPT_create(uw->pid);
	if (upt) {
		_UPT_destroy(uw->upt);
		uw->upt = upt;
	}
}

unsigned unwinder_unwind(struct unwinder *uw, pid_t tid,
			 const struct user_regs_struct *regs, uint64_t *pcs,
			 unsigned max)
{
	unw_cursor_t cursor;
	unw_word_t ip, sp, prev_ip, prev_sp;
	uint64_t ret;
	unsigned n = 0;

	if (!max)
		return 0;
	uw->stats.unwinds++;
	uw->tid = tid;
	uw->regs = regs;
	uw->sp = regs->rsp;
	if (++uw->epoch == 0)
		uw->epoch = 1;

	/* Frame 0 is the breakpoint's: its caller is at [rsp]. */
	if (mem_read(uw, regs->rsp, &ret, sizeof(ret)) < 0 || !ret)
		goto out;
	pcs[n++] = ret;
	uw->caller_sp = regs->rsp + 8;
	uw->caller_ip = ret - 1;

	if (unw_init_remote(&cursor, uw->as, uw) < 0)
		goto out;
	prev_ip = uw->caller_ip;
	prev_sp = uw->caller_sp;
	while (n < max && unw_step(&cursor) > 0) {
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
out:
	uw->regs = NULL;
	uw->stats.frames += n;
	return n;
}

void unwinder_stats(const struct unwinder *uw, struct unwind_stats *out)
{
	*out = uw->stats;
}
