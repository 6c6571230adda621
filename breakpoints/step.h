/*
 * Emulation of the instruction under a breakpoint (uprobes' "emulate"
 * half of XOL, arch/x86/kernel/uprobes.c branch_setup_xol_ops()).
 *
 * When a thread stops on the int3 at a function's entry, the supervisor
 * must run the displaced first instruction before letting the thread go
 * on. Restoring the byte and single-stepping costs a PTRACE_SINGLESTEP
 * round trip (~35 us here) and opens a window in which another thread
 * runs through the unarmed entry unseen (docs/supervisor.md). The first instructions
 * of allocator entry points are few and simple (glibc 2.36: push %r12,
 * test %rdi,%rdi, mov %rsi,%rax, cmpb $0,x(%rip); libstdc++: endbr64), so
 * they are executed here on the saved registers instead: the thread then
 * continues at the next instruction with the int3 still in place.
 *
 * A pure module: no ptrace, no allocation, no global state. Memory goes
 * through struct step_mem, which the caller backs with the tracee's memory
 * (or a buffer, in tests).
 *
 * Supported (x86-64, 64-bit mode only; anything else makes step_decode()
 * return -1 and the caller single-steps):
 *   push r64                   50+r, REX.B for r8-r15
 *   nop, endbr64               90, 66 90, 0f 1f /0 (any addressing form,
 *                              66/2e prefixes), f3 0f 1e fa
 *   ALU r/m32|64, r            01 09 21 29 31 39 85 (add or and sub xor
 *                              cmp test), register form (mod = 11) only
 *   ALU r, r/m32|64            03 0b 23 2b 33 3b, register form only
 *   ALU r/m32|64, imm          81 /0 /1 /4 /5 /6 /7 id, 83 ... ib, register
 *                              form, and cmp against a rip-relative memory
 *                              operand (80 /7 ib, 81 /7 id, 83 /7 ib)
 *   mov r/m32|64, r            89 /r, 8b /r, register form only
 *   mov $imm, r                b8+r id (32-bit, zero-extended),
 *                              REX.W b8+r iq, REX.W c7 /0 id (mod = 11)
 * 32-bit results are zero-extended into the 64-bit register, as the CPU
 * does. Flags are computed exactly as the CPU sets them; where the SDM
 * leaves a flag undefined (AF after a logical operation) it is left as is.
 */
#ifndef MEMSUP_STEP_H
#define MEMSUP_STEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

/* The longest x86 instruction; the caller keeps this many original bytes. */
#define STEP_MAX_INSN 16

/* eflags bits that step_emulate() may change. */
#define STEP_CF 0x0001u
#define STEP_PF 0x0004u
#define STEP_AF 0x0010u
#define STEP_ZF 0x0040u
#define STEP_SF 0x0080u
#define STEP_OF 0x0800u
#define STEP_ARITH_FLAGS (STEP_CF | STEP_PF | STEP_AF | STEP_ZF | STEP_SF | \
			  STEP_OF)

/*
 * A decoded instruction: plain data, copied freely (struct breakpoint
 * embeds one). Only len is meant for callers; the rest is step.c's.
 */
struct step_insn {
	uint8_t len;		/* bytes, 1..STEP_MAX_INSN */
	uint8_t op;		/* what to do, private to step.c */
	uint8_t width;		/* operand size in bits: 8, 32 or 64 */
	uint8_t dst;		/* register number 0-15 (rax rcx ... r15) */
	uint8_t src;		/* register number, if !has_imm */
	uint8_t has_imm;	/* the source operand is imm */
	uint8_t rip_mem;	/* the destination is the memory operand
				 * disp(%rip), read only (cmp) */
	int32_t disp;		/* rip_mem: relative to the next insn */
	uint64_t imm;		/* extended to width and masked already */
};

/*
 * Decodes the instruction at the start of CODE (LEN bytes available: the
 * original bytes, never the int3). Returns 0 when step_emulate() can
 * execute it, -1 when it cannot (unsupported or truncated); INSN is then
 * zeroed.
 */
int step_decode(const uint8_t *code, size_t len, struct step_insn *insn);

/* Accessors for the traced memory: 0, or -1 when the access failed. */
struct step_mem {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
	void *ctx;
};

/*
 * Executes INSN as if at regs->rip (the instruction's address, not the
 * address after the int3): updates the registers, eflags, rip and memory
 * (through MEM; only push writes, only a rip-relative cmp reads). Returns
 * 0, or -1 when a memory access failed: REGS are then unchanged, and no
 * memory was written.
 */
int step_emulate(const struct step_insn *insn, struct user_regs_struct *regs,
		 const struct step_mem *mem);

/*
 * A one-line AT&T-syntax description of INSN for diagnostics, such as
 * "push %r12" or "cmpb $0x0,0x140201(%rip)", written to BUF (LEN bytes,
 * truncated as snprintf does). Returns BUF.
 */
const char *step_describe(const struct step_insn *insn, char *buf,
			  size_t len);

#endif
