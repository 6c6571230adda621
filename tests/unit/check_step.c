/*
 * step_decode(), step_emulate(), step_describe(): tables of encodings with
 * their exact length and register, flag and memory effects; refusals; the
 * real first instructions of this machine's allocators; and a differential
 * test that runs random instructions on the CPU and compares every
 * register and flag with the emulation.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <check.h>

#include "breakpoints/step.h"
#include "suites.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
       R8, R9, R10, R11, R12, R13, R14, R15, NREGS };

#define CF STEP_CF
#define PF STEP_PF
#define AF STEP_AF
#define ZF STEP_ZF
#define SF STEP_SF
#define OF STEP_OF
#define ALL STEP_ARITH_FLAGS
#define BASE_FLAGS 0x202ULL		/* IF and the always-one bit 1 */

static unsigned long long *reg(struct user_regs_struct *r, unsigned n)
{
	static const size_t off[NREGS] = {
		offsetof(struct user_regs_struct, rax),
		offsetof(struct user_regs_struct, rcx),
		offsetof(struct user_regs_struct, rdx),
		offsetof(struct user_regs_struct, rbx),
		offsetof(struct user_regs_struct, rsp),
		offsetof(struct user_regs_struct, rbp),
		offsetof(struct user_regs_struct, rsi),
		offsetof(struct user_regs_struct, rdi),
		offsetof(struct user_regs_struct, r8),
		offsetof(struct user_regs_struct, r9),
		offsetof(struct user_regs_struct, r10),
		offsetof(struct user_regs_struct, r11),
		offsetof(struct user_regs_struct, r12),
		offsetof(struct user_regs_struct, r13),
		offsetof(struct user_regs_struct, r14),
		offsetof(struct user_regs_struct, r15),
	};

	return (unsigned long long *)((char *)r + off[n]);
}

/* A fake address space: one window of bytes, and a switch to fail. */
#define MEM_BASE 0x7f00ULL
#define MEM_SIZE 0x200

struct fake_mem {
	uint8_t bytes[MEM_SIZE];
	int fail;
	unsigned reads, writes;
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;

	m->reads++;
	if (m->fail || addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE ||
	    len > MEM_SIZE - (addr - MEM_BASE))
		return -1;
	memcpy(buf, m->bytes + (addr - MEM_BASE), len);
	return 0;
}

static int fake_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fake_mem *m = ctx;

	m->writes++;
	if (m->fail || addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE ||
	    len > MEM_SIZE - (addr - MEM_BASE))
		return -1;
	memcpy(m->bytes + (addr - MEM_BASE), buf, len);
	return 0;
}

/* Every register distinct, so that a write to the wrong one shows. */
static void regs_init(struct user_regs_struct *r)
{
	unsigned n;

	memset(r, 0, sizeof(*r));
	for (n = 0; n < NREGS; n++)
		*reg(r, n) = 0x1111111111111111ULL * (n + 1) ^
			     0x8000000000000000ULL;
	r->rsp = MEM_BASE + 0x100;
	r->rip = 0x400000;
	r->eflags = BASE_FLAGS;
	r->cs = 0x33;
	r->ss = 0x2b;
}

/* ---- decoding: lengths and refusals ---- */

static const struct decode_case {
	const char *what;
	uint8_t code[STEP_MAX_INSN];
	size_t n;		/* bytes available */
	int len;		/* expected length, or -1: refused */
	const char *text;	/* step_describe(), or NULL */
} decode_cases[] = {
	{ "push %rax", { 0x50 }, 1, 1, "push %rax" },
	{ "push %rbp", { 0x55 }, 1, 1, "push %rbp" },
	{ "push %rbx", { 0x53 }, 16, 1, "push %rbx" },
	{ "push %rsp", { 0x54 }, 1, 1, "push %rsp" },
	{ "push %r12", { 0x41, 0x54, 0x55 }, 3, 2, "push %r12" },
	{ "push %r15", { 0x41, 0x57 }, 2, 2, "push %r15" },
	{ "push %r8", { 0x41, 0x50 }, 2, 2, "push %r8" },
	{ "rex.w push %rbx", { 0x48, 0x53 }, 2, 2, "push %rbx" },
	{ "endbr64", { 0xf3, 0x0f, 0x1e, 0xfa, 0x41, 0x54 }, 16, 4, "endbr64" },
	{ "nop", { 0x90 }, 1, 1, "nop" },
	{ "xchg %ax,%ax", { 0x66, 0x90 }, 2, 2, "nop (2 bytes)" },
	{ "rex.w nop", { 0x48, 0x90 }, 2, 2, NULL },
	{ "nopl (%rax)", { 0x0f, 0x1f, 0x00 }, 3, 3, "nop (3 bytes)" },
	{ "nopl 0x0(%rax)", { 0x0f, 0x1f, 0x40, 0x00 }, 4, 4, NULL },
	{ "nopl 0x0(%rax,%rax,1)", { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5, 5,
	  NULL },
	{ "nopw 0x0(%rax,%rax,1)", { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 6,
	  6, NULL },
	{ "nopl 0x0(%rax)", { 0x0f, 0x1f, 0x80, 0, 0, 0, 0 }, 7, 7, NULL },
	{ "nopl 0x0(%rax,%rax,1) d32",
	  { 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 8, 8, NULL },
	{ "nopw 0x0(%rax,%rax,1) d32",
	  { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 9, 9, NULL },
	{ "nopw %cs:0x0(%rax,%rax,1)",
	  { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 10, 10, NULL },
	{ "data16 nopw %cs:0x0(%rax,%rax,1)",
	  { 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 11, 11,
	  NULL },
	{ "nopl 0x0(%rip)", { 0x0f, 0x1f, 0x05, 0, 0, 0, 0 }, 7, 7, NULL },
	{ "nopl 0x0(,%rax,1)", { 0x0f, 0x1f, 0x04, 0x05, 0, 0, 0, 0 }, 8, 8,
	  NULL },
	{ "nop %eax", { 0x0f, 0x1f, 0xc0 }, 3, 3, NULL },
	{ "test %rdi,%rdi", { 0x48, 0x85, 0xff }, 3, 3, "test %rdi,%rdi" },
	{ "test %edi,%edi", { 0x85, 0xff }, 2, 2, "test %edi,%edi" },
	{ "test %r12,%r12", { 0x4d, 0x85, 0xe4 }, 3, 3, "test %r12,%r12" },
	{ "test %rsi,%rdi", { 0x48, 0x85, 0xf7 }, 3, 3, "test %rsi,%rdi" },
	{ "mov %rsi,%rax", { 0x48, 0x89, 0xf0, 0x48 }, 4, 3,
	  "mov %rsi,%rax" },
	{ "mov %rdi,%rax", { 0x48, 0x89, 0xf8 }, 3, 3, "mov %rdi,%rax" },
	{ "mov %edi,%eax", { 0x89, 0xf8 }, 2, 2, "mov %edi,%eax" },
	{ "mov %rdi,%r12 (89)", { 0x49, 0x89, 0xfc }, 3, 3, "mov %rdi,%r12" },
	{ "mov %rdi,%r12 (8b)", { 0x4c, 0x8b, 0xe7 }, 3, 3, "mov %rdi,%r12" },
	{ "mov %r8d,%r9d (8b)", { 0x45, 0x8b, 0xc8 }, 3, 3, "mov %r8d,%r9d" },
	{ "sub $0x18,%rsp", { 0x48, 0x83, 0xec, 0x18 }, 4, 4,
	  "sub $0x18,%rsp" },
	{ "sub $0x1000,%rsp", { 0x48, 0x81, 0xec, 0x00, 0x10, 0, 0 }, 7, 7,
	  "sub $0x1000,%rsp" },
	{ "add $0x8,%rsp", { 0x48, 0x83, 0xc4, 0x08 }, 4, 4, "add $0x8,%rsp" },
	{ "add $-1,%eax", { 0x83, 0xc0, 0xff }, 3, 3, "add $0xffffffff,%eax" },
	{ "add $-8,%rax", { 0x48, 0x83, 0xc0, 0xf8 }, 4, 4,
	  "add $0xfffffffffffffff8,%rax" },
	{ "sub $0x1,%r13", { 0x49, 0x83, 0xed, 0x01 }, 4, 4, "sub $0x1,%r13" },
	{ "cmp $0x7,%rdx", { 0x48, 0x83, 0xfa, 0x07 }, 4, 4, "cmp $0x7,%rdx" },
	{ "and $-16,%rsp", { 0x48, 0x83, 0xe4, 0xf0 }, 4, 4,
	  "and $0xfffffffffffffff0,%rsp" },
	{ "or $0x1,%ecx", { 0x83, 0xc9, 0x01 }, 3, 3, "or $0x1,%ecx" },
	{ "xor $0x55,%esi", { 0x81, 0xf6, 0x55, 0, 0, 0 }, 6, 6,
	  "xor $0x55,%esi" },
	{ "xor %eax,%eax", { 0x31, 0xc0 }, 2, 2, "xor %eax,%eax" },
	{ "xor %r8d,%r8d", { 0x45, 0x31, 0xc0 }, 3, 3, "xor %r8d,%r8d" },
	{ "add %rsi,%rdi", { 0x48, 0x01, 0xf7 }, 3, 3, "add %rsi,%rdi" },
	{ "sub %rdx,%rax (2b)", { 0x48, 0x2b, 0xc2 }, 3, 3, "sub %rdx,%rax" },
	{ "cmp %rsi,%rdi", { 0x48, 0x39, 0xf7 }, 3, 3, "cmp %rsi,%rdi" },
	{ "mov $0x2a,%eax", { 0xb8, 0x2a, 0, 0, 0 }, 5, 5, "mov $0x2a,%eax" },
	{ "mov $0x2a,%r10d", { 0x41, 0xba, 0x2a, 0, 0, 0 }, 6, 6,
	  "mov $0x2a,%r10d" },
	{ "movabs $imm64,%rax",
	  { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 10,
	  "mov $0x807060504030201,%rax" },
	{ "mov $-1,%rax", { 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff }, 7, 7,
	  "mov $0xffffffffffffffff,%rax" },
	{ "cmpb $0x0,0x140201(%rip)",
	  { 0x80, 0x3d, 0x01, 0x02, 0x14, 0x00, 0x00, 0x41, 0x54 }, 16, 7,
	  "cmpb $0x0,0x140201(%rip)" },
	{ "cmpb $0x1,-0x10(%rip)",
	  { 0x80, 0x3d, 0xf0, 0xff, 0xff, 0xff, 0x01 }, 7, 7,
	  "cmpb $0x1,-0x10(%rip)" },
	{ "cmpl $0x0,0x10(%rip)",
	  { 0x83, 0x3d, 0x10, 0, 0, 0, 0x00 }, 7, 7, "cmpl $0x0,0x10(%rip)" },
	{ "cmpq $0x100,0x10(%rip)",
	  { 0x48, 0x81, 0x3d, 0x10, 0, 0, 0, 0x00, 0x01, 0, 0 }, 11, 11,
	  "cmpq $0x100,0x10(%rip)" },

	/* refused: control flow, memory operands, other sizes, junk */
	{ "int3", { 0xcc }, 1, -1, NULL },
	{ "call rel32", { 0xe8, 0, 0, 0, 0 }, 5, -1, NULL },
	{ "jmp rel32", { 0xe9, 0, 0, 0, 0 }, 5, -1, NULL },
	{ "jmp rel8", { 0xeb, 0x00 }, 2, -1, NULL },
	{ "jmp *0x0(%rip)", { 0xff, 0x25, 0, 0, 0, 0 }, 6, -1, NULL },
	{ "je rel32", { 0x0f, 0x84, 0xbf, 0, 0, 0 }, 6, -1, NULL },
	{ "ret", { 0xc3 }, 1, -1, NULL },
	{ "mov (%rdi),%rax", { 0x48, 0x8b, 0x07 }, 3, -1, NULL },
	{ "mov %rax,0x8(%rsp)", { 0x48, 0x89, 0x44, 0x24, 0x08 }, 5, -1,
	  NULL },
	{ "mov %fs:0x28,%rax",
	  { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0 }, 9, -1, NULL },
	{ "mul %rdx", { 0x48, 0xf7, 0xe2 }, 3, -1, NULL },
	{ "lea 0x0(%rip),%rax", { 0x48, 0x8d, 0x05, 0, 0, 0, 0 }, 7, -1,
	  NULL },
	{ "cmpb $0x0,0x10(%rdi)", { 0x80, 0x7f, 0x10, 0x00 }, 4, -1, NULL },
	{ "cmpb $0x0,(%rip) with SIB", { 0x80, 0x3c, 0x25, 0, 0, 0, 0, 0 }, 8,
	  -1, NULL },
	{ "subb $0x0,0x0(%rip)", { 0x80, 0x2d, 0, 0, 0, 0, 0 }, 7, -1, NULL },
	{ "cmp $0x1,%al", { 0x80, 0xf8, 0x01 }, 3, -1, NULL },
	{ "test %al,%al", { 0x84, 0xc0 }, 2, -1, NULL },
	{ "test %ax,%ax", { 0x66, 0x85, 0xc0 }, 3, -1, NULL },
	{ "push %ax", { 0x66, 0x50 }, 2, -1, NULL },
	{ "adc %rsi,%rdi", { 0x48, 0x11, 0xf7 }, 3, -1, NULL },
	{ "sbb $0x1,%rax", { 0x48, 0x83, 0xd8, 0x01 }, 4, -1, NULL },
	{ "xchg %eax,%r8d", { 0x41, 0x90 }, 2, -1, NULL },
	{ "pause", { 0xf3, 0x90 }, 2, -1, NULL },
	{ "endbr32", { 0xf3, 0x0f, 0x1e, 0xfb }, 4, -1, NULL },
	{ "rex endbr64", { 0xf3, 0x48, 0x0f, 0x1e, 0xfa }, 5, -1, NULL },
	{ "nopl /1", { 0x0f, 0x1f, 0x48, 0x00 }, 4, -1, NULL },
	{ "lock prefix", { 0xf0, 0x48, 0x83, 0x00, 0x01 }, 5, -1, NULL },
	{ "cs push", { 0x2e, 0x55 }, 2, -1, NULL },
	{ "mov r/m with 66", { 0x66, 0x89, 0xf8 }, 3, -1, NULL },
	{ "mov $imm,(%rax)", { 0xc7, 0x00, 0, 0, 0, 0 }, 6, -1, NULL },
	{ "c7 /1", { 0xc7, 0xc8, 0, 0, 0, 0 }, 6, -1, NULL },

	/* truncated input */
	{ "nothing", { 0x90 }, 0, -1, NULL },
	{ "lone REX", { 0x41 }, 1, -1, NULL },
	{ "lone prefix", { 0x66 }, 1, -1, NULL },
	{ "prefixes only", { 0x66, 0x66, 0x66 }, 3, -1, NULL },
	{ "endbr64 cut", { 0xf3, 0x0f, 0x1e }, 3, -1, NULL },
	{ "test without ModRM", { 0x48, 0x85 }, 2, -1, NULL },
	{ "sub without imm", { 0x48, 0x83, 0xec }, 3, -1, NULL },
	{ "sub imm32 cut", { 0x48, 0x81, 0xec, 0x00, 0x10, 0x00 }, 6, -1,
	  NULL },
	{ "cmpb disp cut", { 0x80, 0x3d, 0x01, 0x02 }, 4, -1, NULL },
	{ "cmpb imm cut", { 0x80, 0x3d, 0x01, 0x02, 0x14, 0x00 }, 6, -1,
	  NULL },
	{ "nopl d32 cut", { 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0 }, 7, -1, NULL },
	{ "nopl SIB cut", { 0x0f, 0x1f, 0x44 }, 3, -1, NULL },
	{ "movabs cut", { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7 }, 9, -1, NULL },
};

START_TEST(decode_table)
{
	const struct decode_case *c = &decode_cases[_i];
	struct step_insn insn;
	char text[64];
	int rc;

	memset(&insn, 0xa5, sizeof(insn));
	rc = step_decode(c->code, c->n, &insn);
	if (c->len < 0) {
		ck_assert_msg(rc == -1, "%s: accepted, length %u", c->what,
			      insn.len);
		ck_assert_msg(insn.len == 0, "%s: refused but length %u",
			      c->what, insn.len);
		return;
	}
	ck_assert_msg(rc == 0, "%s: refused", c->what);
	ck_assert_msg(insn.len == c->len, "%s: length %u, expected %d",
		      c->what, insn.len, c->len);
	step_describe(&insn, text, sizeof(text));
	if (c->text)
		ck_assert_str_eq(text, c->text);
	else
		ck_assert_msg(strncmp(text, "nop", 3) == 0, "%s: \"%s\"",
			      c->what, text);
}
END_TEST

START_TEST(decode_never_reads_past_len)
{
	/* Every prefix of every accepted encoding is refused, and decoding
	 * it from an exactly sized heap block stays inside (ASan). */
	size_t i, n;

	for (i = 0; i < N(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];

		if (c->len < 0)
			continue;
		for (n = 0; n < (size_t)c->len; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			struct step_insn insn;

			memcpy(copy, c->code, n);
			ck_assert_msg(step_decode(copy, n, &insn) == -1,
				      "%s: accepted with %zu bytes", c->what,
				      n);
			free(copy);
		}
	}
}
END_TEST

START_TEST(describe_truncates)
{
	struct step_insn insn;
	static const uint8_t code[] = { 0x41, 0x54 };
	char buf[6];

	ck_assert_int_eq(step_decode(code, sizeof(code), &insn), 0);
	ck_assert_ptr_eq(step_describe(&insn, buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, "push ");
	memset(&insn, 0, sizeof(insn));
	ck_assert_str_eq(step_describe(&insn, buf, sizeof(buf)), "(not ");
}
END_TEST

/* ---- emulation: exact effects ---- */

struct reg_val {
	int reg;		/* -1 ends the list */
	uint64_t val;
};

static const struct emu_case {
	const char *what;
	uint8_t code[STEP_MAX_INSN];
	size_t n;
	uint64_t rip;		/* 0: 0x400000 */
	unsigned long long flags_in;	/* arithmetic flags set before */
	struct reg_val in[3];
	uint64_t mem_in_addr;	/* 0: none */
	uint64_t mem_in;	/* little-endian, 8 bytes */
	struct reg_val out[3];	/* registers changed (besides rip) */
	unsigned long long flags_out;	/* arithmetic flags after */
	uint64_t mem_out_addr;	/* 0: no write expected */
	uint64_t mem_out;
} emu_cases[] = {
	{ "push %r12", { 0x41, 0x54 }, 2, 0, ALL,
	  { { R12, 0x0123456789abcdefULL }, { RSP, 0x8000 }, { -1, 0 } },
	  0, 0,
	  { { RSP, 0x7ff8 }, { -1, 0 } }, ALL,
	  0x7ff8, 0x0123456789abcdefULL },
	{ "push %rbp", { 0x55 }, 1, 0, 0,
	  { { RBP, 0x7ffd12345678ULL }, { RSP, 0x7f10 }, { -1, 0 } }, 0, 0,
	  { { RSP, 0x7f08 }, { -1, 0 } }, 0, 0x7f08, 0x7ffd12345678ULL },
	{ "push %rsp stores the old value", { 0x54 }, 1, 0, 0,
	  { { RSP, 0x8010 }, { -1, 0 } }, 0, 0,
	  { { RSP, 0x8008 }, { -1, 0 } }, 0, 0x8008, 0x8010 },
	{ "push %r15", { 0x41, 0x57 }, 2, 0, CF,
	  { { R15, 0xfffffffffffffffeULL }, { RSP, 0x8000 }, { -1, 0 } },
	  0, 0, { { RSP, 0x7ff8 }, { -1, 0 } }, CF, 0x7ff8,
	  0xfffffffffffffffeULL },
	{ "endbr64", { 0xf3, 0x0f, 0x1e, 0xfa }, 4, 0, ZF | CF,
	  { { -1, 0 } }, 0, 0, { { -1, 0 } }, ZF | CF, 0, 0 },
	{ "nop", { 0x90 }, 1, 0, ALL, { { -1, 0 } }, 0, 0, { { -1, 0 } }, ALL,
	  0, 0 },
	{ "nopw %cs:0x0(%rax,%rax,1)",
	  { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 10, 0, 0,
	  { { RAX, 0 }, { -1, 0 } }, 0, 0, { { -1, 0 } }, 0, 0, 0 },

	/* test: ZF SF PF from the result, CF OF cleared, AF kept */
	{ "test %rdi,%rdi: zero", { 0x48, 0x85, 0xff }, 3, 0, CF | OF | SF,
	  { { RDI, 0 }, { -1, 0 } }, 0, 0, { { -1, 0 } }, ZF | PF, 0, 0 },
	{ "test %rdi,%rdi: pointer", { 0x48, 0x85, 0xff }, 3, 0, ZF | AF,
	  { { RDI, 0x55555555a2c1ULL }, { -1, 0 } }, 0, 0, { { -1, 0 } },
	  AF, 0, 0 },
	{ "test %rdi,%rdi: negative", { 0x48, 0x85, 0xff }, 3, 0, 0,
	  { { RDI, 0x8000000000000000ULL }, { -1, 0 } }, 0, 0, { { -1, 0 } },
	  SF | PF, 0, 0 },
	{ "test %edi,%edi: upper half ignored", { 0x85, 0xff }, 2, 0, 0,
	  { { RDI, 0xffffffff00000000ULL }, { -1, 0 } }, 0, 0, { { -1, 0 } },
	  ZF | PF, 0, 0 },
	{ "test %edi,%edi: bit 31", { 0x85, 0xff }, 2, 0, 0,
	  { { RDI, 0x80000003 }, { -1, 0 } }, 0, 0, { { -1, 0 } },
	  SF | PF, 0, 0 },
	{ "test %rsi,%rdi", { 0x48, 0x85, 0xf7 }, 3, 0, 0,
	  { { RSI, 0xf0 }, { RDI, 0x1f }, { -1, 0 } }, 0, 0, { { -1, 0 } },
	  0, 0, 0 },

	/* mov */
	{ "mov %rsi,%rax", { 0x48, 0x89, 0xf0 }, 3, 0, ALL,
	  { { RSI, 0xdeadbeefcafef00dULL }, { -1, 0 } }, 0, 0,
	  { { RAX, 0xdeadbeefcafef00dULL }, { -1, 0 } }, ALL, 0, 0 },
	{ "mov %edi,%eax zero-extends", { 0x89, 0xf8 }, 2, 0, 0,
	  { { RDI, 0xdeadbeefcafef00dULL }, { -1, 0 } }, 0, 0,
	  { { RAX, 0xcafef00dULL }, { -1, 0 } }, 0, 0, 0 },
	{ "mov %rdi,%r12 (8b)", { 0x4c, 0x8b, 0xe7 }, 3, 0, 0,
	  { { RDI, 42 }, { -1, 0 } }, 0, 0, { { R12, 42 }, { -1, 0 } }, 0, 0,
	  0 },
	{ "mov %r8d,%r9d", { 0x45, 0x8b, 0xc8 }, 3, 0, 0,
	  { { R8, 0x1ffffffffULL }, { -1, 0 } }, 0, 0,
	  { { R9, 0xffffffffULL }, { -1, 0 } }, 0, 0, 0 },
	{ "mov $0x2a,%eax", { 0xb8, 0x2a, 0, 0, 0 }, 5, 0, 0,
	  { { -1, 0 } }, 0, 0, { { RAX, 42 }, { -1, 0 } }, 0, 0, 0 },
	{ "mov $-1,%rax", { 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff }, 7, 0,
	  0, { { -1, 0 } }, 0, 0, { { RAX, ~0ULL }, { -1, 0 } }, 0, 0, 0 },
	{ "mov $-1,%eax", { 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff }, 6, 0,
	  0, { { -1, 0 } }, 0, 0, { { RAX, 0xffffffffULL }, { -1, 0 } }, 0,
	  0, 0 },
	{ "movabs", { 0x49, 0xbb, 1, 2, 3, 4, 5, 6, 7, 0x88 }, 10, 0, 0,
	  { { -1, 0 } }, 0, 0, { { R11, 0x8807060504030201ULL }, { -1, 0 } },
	  0, 0, 0 },

	/* sub, add: full flags */
	{ "sub $0x18,%rsp", { 0x48, 0x83, 0xec, 0x18 }, 4, 0, 0,
	  { { RSP, 0x7ffc0000eff0ULL }, { -1, 0 } }, 0, 0,
	  { { RSP, 0x7ffc0000efd8ULL }, { -1, 0 } }, AF | PF, 0, 0 },
	{ "sub $0x1000,%rsp", { 0x48, 0x81, 0xec, 0x00, 0x10, 0, 0 }, 7, 0,
	  ALL, { { RSP, 0x7ffc0000eff0ULL }, { -1, 0 } }, 0, 0,
	  { { RSP, 0x7ffc0000dff0ULL }, { -1, 0 } }, PF, 0, 0 },
	{ "sub $0x1,%rax: borrow", { 0x48, 0x83, 0xe8, 0x01 }, 4, 0, 0,
	  { { RAX, 0 }, { -1, 0 } }, 0, 0, { { RAX, ~0ULL }, { -1, 0 } },
	  CF | AF | SF | PF, 0, 0 },
	{ "sub $0x1,%rax: overflow", { 0x48, 0x83, 0xe8, 0x01 }, 4, 0, 0,
	  { { RAX, 0x8000000000000000ULL }, { -1, 0 } }, 0, 0,
	  { { RAX, 0x7fffffffffffffffULL }, { -1, 0 } }, OF | AF | PF, 0, 0 },
	{ "sub $0x10,%rax: equal", { 0x48, 0x83, 0xe8, 0x10 }, 4, 0, CF | SF,
	  { { RAX, 0x10 }, { -1, 0 } }, 0, 0, { { RAX, 0 }, { -1, 0 } },
	  ZF | PF, 0, 0 },
	{ "add $0x8,%rsp", { 0x48, 0x83, 0xc4, 0x08 }, 4, 0, 0,
	  { { RSP, 0x7ff8 }, { -1, 0 } }, 0, 0, { { RSP, 0x8000 }, { -1, 0 } },
	  AF | PF, 0, 0 },
	{ "add $0x1,%eax: overflow, zero-extends", { 0x83, 0xc0, 0x01 }, 3, 0,
	  0, { { RAX, 0xdead7fffffffULL }, { -1, 0 } }, 0, 0,
	  { { RAX, 0x80000000ULL }, { -1, 0 } }, OF | SF | AF | PF, 0, 0 },
	{ "add $-1,%rax: carry to zero", { 0x48, 0x83, 0xc0, 0xff }, 4, 0, 0,
	  { { RAX, 1 }, { -1, 0 } }, 0, 0, { { RAX, 0 }, { -1, 0 } },
	  CF | ZF | AF | PF, 0, 0 },
	{ "add $0x7fffffff,%r14", { 0x49, 0x81, 0xc6, 0xff, 0xff, 0xff, 0x7f },
	  7, 0, 0, { { R14, 1 }, { -1, 0 } }, 0, 0,
	  { { R14, 0x80000000ULL }, { -1, 0 } }, AF | PF, 0, 0 },
	{ "sub $-0x80,%rdx", { 0x48, 0x83, 0xea, 0x80 }, 4, 0, 0,
	  { { RDX, 0x10 }, { -1, 0 } }, 0, 0, { { RDX, 0x90 }, { -1, 0 } },
	  CF | PF, 0, 0 },
	{ "cmp %rsi,%rdi: below", { 0x48, 0x39, 0xf7 }, 3, 0, 0,
	  { { RSI, 5 }, { RDI, 3 }, { -1, 0 } }, 0, 0, { { -1, 0 } },
	  CF | SF | AF, 0, 0 },
	{ "xor %eax,%eax", { 0x31, 0xc0 }, 2, 0, CF | OF | SF | AF,
	  { { RAX, 0xffffffffffffffffULL }, { -1, 0 } }, 0, 0,
	  { { RAX, 0 }, { -1, 0 } }, ZF | PF | AF, 0, 0 },
	{ "and $-16,%rsp", { 0x48, 0x83, 0xe4, 0xf0 }, 4, 0, CF | OF,
	  { { RSP, 0x7fffffffe128ULL }, { -1, 0 } }, 0, 0,
	  { { RSP, 0x7fffffffe120ULL }, { -1, 0 } }, 0, 0, 0 },

	/* cmp against memory at rip + len + disp */
	{ "cmpb $0x0,disp(%rip): zero",
	  { 0x80, 0x3d, 0x79, 0, 0, 0, 0x00 }, 7, 0x7f00, CF | SF | OF | AF,
	  { { -1, 0 } }, 0x7f80, 0, { { -1, 0 } }, ZF | PF, 0, 0 },
	{ "cmpb $0x0,disp(%rip): one",
	  { 0x80, 0x3d, 0x79, 0, 0, 0, 0x00 }, 7, 0x7f00, ZF,
	  { { -1, 0 } }, 0x7f80, 0xff01, { { -1, 0 } }, 0, 0, 0 },
	{ "cmpb $0x1,-disp(%rip): 0x80 overflows",
	  { 0x80, 0x3d, 0x79, 0xff, 0xff, 0xff, 0x01 }, 7, 0x8000, 0,
	  { { -1, 0 } }, 0x7f80, 0x80, { { -1, 0 } }, OF | AF, 0, 0 },
	{ "cmpb $0x1,disp(%rip): borrow",
	  { 0x80, 0x3d, 0x79, 0, 0, 0, 0x01 }, 7, 0x7f00, 0,
	  { { -1, 0 } }, 0x7f80, 0, { { -1, 0 } }, CF | AF | SF | PF, 0, 0 },
	{ "cmpl $0x0,disp(%rip)", { 0x83, 0x3d, 0x79, 0, 0, 0, 0x00 }, 7,
	  0x7f00, 0, { { -1, 0 } }, 0x7f80, 0xffffffff00000000ULL,
	  { { -1, 0 } }, ZF | PF, 0, 0 },
	{ "cmpq $0x100,disp(%rip)",
	  { 0x48, 0x81, 0x3d, 0x75, 0, 0, 0, 0x00, 0x01, 0, 0 }, 11, 0x7f00,
	  0, { { -1, 0 } }, 0x7f80, 0x8000000000000000ULL, { { -1, 0 } },
	  OF | PF, 0, 0 },
};

static void check_regs(const char *what, const struct user_regs_struct *got,
		       const struct user_regs_struct *want)
{
	struct user_regs_struct g = *got, w = *want;
	unsigned n;

	for (n = 0; n < NREGS; n++)
		ck_assert_msg(*reg(&g, n) == *reg(&w, n),
			      "%s: register %u is %#llx, expected %#llx", what,
			      n, *reg(&g, n), *reg(&w, n));
	ck_assert_msg(g.rip == w.rip, "%s: rip %#llx, expected %#llx", what,
		      g.rip, w.rip);
	ck_assert_msg(g.eflags == w.eflags, "%s: eflags %#llx, expected %#llx",
		      what, g.eflags, w.eflags);
	ck_assert_msg(memcmp(&g, &w, sizeof(g)) == 0, "%s: other registers",
		      what);
}

START_TEST(emulate_table)
{
	const struct emu_case *c = &emu_cases[_i];
	struct fake_mem m;
	struct step_mem mem = { fake_read, fake_write, &m };
	struct user_regs_struct regs, want;
	struct step_insn insn;
	const struct reg_val *rv;

	memset(&m, 0xee, sizeof(m.bytes));
	m.fail = 0;
	m.reads = m.writes = 0;
	regs_init(&regs);
	if (c->rip)
		regs.rip = c->rip;
	regs.eflags |= c->flags_in;
	for (rv = c->in; rv->reg >= 0; rv++)
		*reg(&regs, (unsigned)rv->reg) = rv->val;
	if (c->mem_in_addr)
		memcpy(m.bytes + (c->mem_in_addr - MEM_BASE), &c->mem_in, 8);

	want = regs;
	want.rip = regs.rip + c->n;
	want.eflags = (regs.eflags & ~(unsigned long long)ALL) | c->flags_out;
	for (rv = c->out; rv->reg >= 0; rv++)
		*reg(&want, (unsigned)rv->reg) = rv->val;

	ck_assert_msg(step_decode(c->code, c->n, &insn) == 0, "%s: refused",
		      c->what);
	ck_assert_int_eq(insn.len, c->n);
	ck_assert_msg(step_emulate(&insn, &regs, &mem) == 0, "%s: failed",
		      c->what);
	check_regs(c->what, &regs, &want);

	if (c->mem_out_addr) {
		uint64_t v;

		ck_assert_uint_eq(m.writes, 1);
		memcpy(&v, m.bytes + (c->mem_out_addr - MEM_BASE), 8);
		ck_assert_msg(v == c->mem_out, "%s: stored %#llx", c->what,
			      (unsigned long long)v);
	} else {
		ck_assert_uint_eq(m.writes, 0);
	}
	ck_assert_uint_eq(m.reads, c->mem_in_addr ? 1 : 0);

	/* A failing memory access leaves the registers alone. */
	if (c->mem_in_addr || c->mem_out_addr) {
		struct user_regs_struct before;

		regs_init(&regs);
		if (c->rip)
			regs.rip = c->rip;
		for (rv = c->in; rv->reg >= 0; rv++)
			*reg(&regs, (unsigned)rv->reg) = rv->val;
		before = regs;
		m.fail = 1;
		ck_assert_int_eq(step_emulate(&insn, &regs, &mem), -1);
		ck_assert_msg(memcmp(&regs, &before, sizeof(regs)) == 0,
			      "%s: registers changed on failure", c->what);
	}
}
END_TEST

START_TEST(emulate_rip_relative_address)
{
	/* glibc 2.36 posix_memalign: cmpb $0x0,0x140201(%rip) at 0x9a280
	 * reads 0x1da488 (objdump's comment) with bias 0. */
	static const uint8_t code[] = { 0x80, 0x3d, 0x01, 0x02, 0x14, 0x00,
					0x00 };
	struct step_insn insn;
	struct user_regs_struct regs;
	struct step_mem mem = { fake_read, fake_write, NULL };
	struct fake_mem m;

	memset(&m, 0, sizeof(m));
	mem.ctx = &m;
	regs_init(&regs);
	/* Place the fake window on the target: rip = target - 7 - disp. */
	regs.rip = MEM_BASE + 0x10 - 7 - 0x140201;
	m.bytes[0x10] = 1;
	ck_assert_int_eq(step_decode(code, sizeof(code), &insn), 0);
	ck_assert_int_eq(step_emulate(&insn, &regs, &mem), 0);
	ck_assert_uint_eq(m.reads, 1);
	ck_assert_uint_eq(regs.eflags & ZF, 0);
	m.bytes[0x10] = 0;
	regs.rip = MEM_BASE + 0x10 - 7 - 0x140201;
	ck_assert_int_eq(step_emulate(&insn, &regs, &mem), 0);
	ck_assert_uint_eq(regs.eflags & ZF, ZF);
	ck_assert_uint_eq(regs.rip, MEM_BASE + 0x10 - 0x140201);
	/* One byte past the window is not read: 1 byte only. */
	regs.rip = MEM_BASE + MEM_SIZE - 1 - 7 - 0x140201;
	ck_assert_int_eq(step_emulate(&insn, &regs, &mem), 0);
}
END_TEST

/* ---- the allocators of this machine ---- */

static const struct real_fn {
	const char *lib;
	const char *name;
} real_fns[] = {
	{ "libc.so.6", "malloc" },
	{ "libc.so.6", "free" },
	{ "libc.so.6", "calloc" },
	{ "libc.so.6", "realloc" },
	{ "libc.so.6", "reallocarray" },
	{ "libc.so.6", "posix_memalign" },
	{ "libc.so.6", "aligned_alloc" },
	{ "libc.so.6", "memalign" },
	{ "libc.so.6", "valloc" },
	{ "libc.so.6", "pvalloc" },
	{ "libstdc++.so.6", "_Znwm" },
	{ "libstdc++.so.6", "_Znam" },
	{ "libstdc++.so.6", "_ZnwmRKSt9nothrow_t" },
	{ "libstdc++.so.6", "_ZnwmSt11align_val_t" },
	{ "libstdc++.so.6", "_ZdlPv" },
	{ "libstdc++.so.6", "_ZdlPvm" },
	{ "libstdc++.so.6", "_ZdaPv" },
	{ "libstdc++.so.6", "_ZdlPvSt11align_val_t" },
};

START_TEST(real_allocators_decode)
{
	/*
	 * dlsym() on the library's own handle finds its definition, not a
	 * sanitizer's interceptor. Which instructions these are is a fact
	 * of glibc 2.36 and GCC 12's libstdc++ (step.h); a newer library
	 * may start otherwise, and this test then says which.
	 */
	const struct real_fn *f = &real_fns[_i];
	void *h = dlopen(f->lib, RTLD_NOW | RTLD_NOLOAD);
	struct step_insn insn;
	uint8_t code[STEP_MAX_INSN];
	void *sym;
	int rc;

	if (!h)
		h = dlopen(f->lib, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "real_allocators_decode: %s: %s, skipped\n",
			f->lib, dlerror());
		return;
	}
	sym = dlsym(h, f->name);
	ck_assert_msg(sym != NULL, "%s: %s", f->name, dlerror());
	memcpy(code, sym, sizeof(code));
	rc = step_decode(code, sizeof(code), &insn);
	ck_assert_msg(rc == 0,
		      "%s in %s starts with %02x %02x %02x %02x %02x %02x %02x,"
		      " which step_decode() refuses", f->name, f->lib, code[0],
		      code[1], code[2], code[3], code[4], code[5], code[6]);
	dlclose(h);
}
END_TEST

/* ---- differential: the CPU is the reference ---- */

/*
 * A snippet that loads all registers but %rsp from a struct cpu,
 * sets eflags, runs one instruction and stores them all back:
 *
 *	endbr64; push %rbx %rbp %r12-%r15; push %rdi
 *	push flags(%rdi); popfq; mov r(%rdi),%r ...; mov rdi(%rdi),%rdi
 *	<insn, nop-padded>
 *	pushfq; push %rdi; mov 16(%rsp),%rdi; pop rdi(%rdi); pop flags(%rdi)
 *	mov %r,r(%rdi) ...; add $8,%rsp; pop %r15-%r12 %rbp %rbx; ret
 */
struct cpu {
	uint64_t r[NREGS];
	uint64_t flags;
	uint8_t data[16];	/* what the rip-relative cmp reads */
};

#define CPU_FLAGS_OFF (8 * NREGS)

struct jit {
	uint8_t *page;
	size_t size;
	size_t insn_off;	/* where the instruction under test goes */
	size_t code_len;
	size_t data_off;	/* a copy of struct cpu.data, in the page */
};

static size_t emit(uint8_t *p, size_t at, const uint8_t *b, size_t n)
{
	memcpy(p + at, b, n);
	return at + n;
}

/* mov disp32(%rdi),%reg (load) or mov %reg,disp32(%rdi) (store). */
static size_t emit_mov_rdi(uint8_t *p, size_t at, unsigned r, int store)
{
	uint8_t b[7];
	uint32_t off = 8 * r;

	b[0] = (uint8_t)(0x48 | (r >= 8 ? 0x4 : 0));
	b[1] = store ? 0x89 : 0x8b;
	b[2] = (uint8_t)(0x80 | (r & 7) << 3 | 7);
	memcpy(b + 3, &off, 4);
	return emit(p, at, b, sizeof(b));
}

static void jit_build(struct jit *j)
{
	static const uint8_t prologue[] = {
		0xf3, 0x0f, 0x1e, 0xfa,
		0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,
		0x57,
		0xff, 0xb7, CPU_FLAGS_OFF, 0, 0, 0,	/* push flags(%rdi) */
		0x9d,					/* popfq */
	};
	static const uint8_t load_rdi[] = { 0x48, 0x8b, 0xbf, 8 * RDI, 0, 0, 0 };
	static const uint8_t after[] = {
		0x9c, 0x57,				/* pushfq; push %rdi */
		0x48, 0x8b, 0x7c, 0x24, 0x10,		/* mov 16(%rsp),%rdi */
		0x8f, 0x87, 8 * RDI, 0, 0, 0,		/* pop rdi(%rdi) */
		0x8f, 0x87, CPU_FLAGS_OFF, 0, 0, 0,	/* pop flags(%rdi) */
	};
	static const uint8_t epilogue[] = {
		0x48, 0x83, 0xc4, 0x08,
		0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b,
		0xc3,
	};
	size_t at = 0;
	unsigned r;

	j->size = (size_t)sysconf(_SC_PAGESIZE);
	j->page = mmap(NULL, j->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(j->page != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(j->page, 0xcc, j->size);
	at = emit(j->page, at, prologue, sizeof(prologue));
	for (r = 0; r < NREGS; r++)
		if (r != RSP && r != RDI)
			at = emit_mov_rdi(j->page, at, r, 0);
	at = emit(j->page, at, load_rdi, sizeof(load_rdi));
	j->insn_off = at;
	memset(j->page + at, 0x90, STEP_MAX_INSN);
	at += STEP_MAX_INSN;
	at = emit(j->page, at, after, sizeof(after));
	for (r = 0; r < NREGS; r++)
		if (r != RSP && r != RDI)
			at = emit_mov_rdi(j->page, at, r, 1);
	at = emit(j->page, at, epilogue, sizeof(epilogue));
	j->code_len = at;
	j->data_off = (at + 63) & ~(size_t)63;
}

/* Clang 17+ checks indirect calls in C against a type hash placed before
 * the callee (-fsanitize=function); generated code has none. */
#if defined(__clang__) && __clang_major__ >= 17
__attribute__((no_sanitize("function")))
#endif
static void jit_run(struct jit *j, const uint8_t *insn, size_t n,
		    struct cpu *c)
{
	void (*fn)(struct cpu *);
	void *entry = j->page;

	ck_assert_int_eq(mprotect(j->page, j->size, PROT_READ | PROT_WRITE), 0);
	memset(j->page + j->insn_off, 0x90, STEP_MAX_INSN);
	memcpy(j->page + j->insn_off, insn, n);
	memcpy(j->page + j->data_off, c->data, sizeof(c->data));
	ck_assert_int_eq(mprotect(j->page, j->size, PROT_READ | PROT_EXEC), 0);
	memcpy(&fn, &entry, sizeof(fn));
	fn(c);
}

/* The emulator reads the same page as the CPU, through step_mem. */
static int page_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct jit *j = ctx;
	uint64_t base = (uint64_t)(uintptr_t)j->page;

	if (addr < base || addr - base > j->size ||
	    len > j->size - (addr - base))
		return -1;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

static int page_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	(void)addr;
	(void)buf;
	(void)len;
	return -1;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible across runs and compilers */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Operands with the edge cases over-represented. */
static uint64_t rnd_operand(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
		~0ULL - 1, 0x0f, 0x10, 0xf0,
	};

	switch (rnd() % 4) {
	case 0:
		return edges[rnd() % N(edges)];
	case 1:
		return rnd() & 0xff;
	case 2:
		return edges[rnd() % N(edges)] + (rnd() % 5) - 2;
	default:
		return rnd();
	}
}

/* A register for an operand: any but %rsp, which the snippet needs. */
static unsigned rnd_reg(void)
{
	unsigned r;

	do
		r = (unsigned)(rnd() % NREGS);
	while (r == RSP);
	return r;
}

/*
 * A random instruction of a supported form; *LOGICAL is set when AF is
 * undefined after it. Returns the length of the encoding.
 */
static size_t rnd_insn(uint8_t *b, int *logical, int64_t data_disp)
{
	static const uint8_t two_op[] = { 0x01, 0x09, 0x21, 0x29, 0x31, 0x39,
					  0x85, 0x03, 0x0b, 0x23, 0x2b, 0x33,
					  0x3b, 0x89, 0x8b };
	static const uint8_t digits[] = { 0, 1, 4, 5, 6, 7 };
	unsigned rex = 0x40 | (rnd() & 1 ? 0x8 : 0);
	unsigned dst = rnd_reg(), src = rnd_reg(), form = (unsigned)(rnd() % 8);
	size_t n = 0;
	uint8_t op;

	*logical = 0;
	if (form < 4) {
		op = two_op[rnd() % N(two_op)];
		rex |= (src >= 8 ? 0x4 : 0) | (dst >= 8 ? 0x1 : 0);
		if (rex != 0x40 || rnd() & 1)
			b[n++] = (uint8_t)rex;
		b[n++] = op;
		b[n++] = (uint8_t)(0xc0 | (src & 7) << 3 | (dst & 7));
		*logical = op == 0x85 || (op >> 3) == 1 || (op >> 3) == 4 ||
			   (op >> 3) == 6;
	} else if (form < 7) {
		unsigned digit = digits[rnd() % N(digits)];
		int wide = rnd() & 1;

		rex |= dst >= 8 ? 0x1 : 0;
		if (rex != 0x40)
			b[n++] = (uint8_t)rex;
		b[n++] = wide ? 0x81 : 0x83;
		b[n++] = (uint8_t)(0xc0 | digit << 3 | (dst & 7));
		if (wide) {
			uint32_t imm = (uint32_t)rnd_operand();

			memcpy(b + n, &imm, 4);
			n += 4;
		} else {
			b[n++] = (uint8_t)rnd_operand();
		}
		*logical = digit == 1 || digit == 4 || digit == 6;
	} else {
		/* cmp $imm, disp32(%rip) on the data, 8, 32 or 64 bits */
		unsigned kind = (unsigned)(rnd() % 3);
		size_t imm_len = kind == 2 ? 4 : 1;
		int32_t disp;

		if (kind != 0 && rnd() & 1)
			b[n++] = 0x48;
		b[n++] = kind == 0 ? 0x80 : kind == 1 ? 0x83 : 0x81;
		b[n++] = 0x3d;
		disp = (int32_t)(data_disp - (int64_t)(n + 4 + imm_len));
		memcpy(b + n, &disp, 4);
		n += 4;
		if (imm_len == 4) {
			uint32_t imm = (uint32_t)rnd_operand();

			memcpy(b + n, &imm, 4);
			n += 4;
		} else {
			b[n++] = (uint8_t)rnd_operand();
		}
	}
	return n;
}

START_TEST(differential_vs_cpu)
{
	struct jit j;
	struct step_mem mem = { page_read, page_write, &j };
	unsigned iter, r, forms = 0;

	jit_build(&j);
	for (iter = 0; iter < 20000; iter++) {
		struct cpu c;
		struct user_regs_struct regs, before;
		struct step_insn insn;
		uint8_t code[STEP_MAX_INSN];
		unsigned long long mask = ALL;
		int logical;
		size_t n;
		char text[64];

		memset(&c, 0, sizeof(c));
		for (r = 0; r < NREGS; r++)
			c.r[r] = rnd_operand();
		for (r = 0; r < sizeof(c.data); r++)
			c.data[r] = (uint8_t)rnd_operand();
		c.flags = BASE_FLAGS | (rnd() & ALL);

		n = rnd_insn(code, &logical,
			     (int64_t)j.data_off - (int64_t)j.insn_off);
		ck_assert_msg(step_decode(code, n, &insn) == 0 &&
			      insn.len == n, "refused %02x %02x %02x %02x",
			      code[0], code[1], code[2], code[3]);
		if (logical)
			mask &= ~(unsigned long long)AF;

		regs_init(&regs);
		for (r = 0; r < NREGS; r++)
			if (r != RSP)
				*reg(&regs, r) = c.r[r];
		regs.eflags = c.flags;
		regs.rip = (uint64_t)(uintptr_t)(j.page + j.insn_off);
		before = regs;

		jit_run(&j, code, n, &c);
		ck_assert_int_eq(step_emulate(&insn, &regs, &mem), 0);

		step_describe(&insn, text, sizeof(text));
		for (r = 0; r < NREGS; r++) {
			if (r == RSP)
				continue;
			ck_assert_msg(*reg(&regs, r) == c.r[r],
				      "%s: register %u: emulated %#llx, CPU "
				      "%#llx (was %#llx)", text, r,
				      *reg(&regs, r),
				      (unsigned long long)c.r[r],
				      *reg(&before, r));
		}
		ck_assert_msg((regs.eflags & mask) == (c.flags & mask),
			      "%s: eflags emulated %#llx, CPU %#llx (was "
			      "%#llx, operands %#llx %#llx)", text,
			      regs.eflags & mask,
			      (unsigned long long)(c.flags & mask),
			      before.eflags, *reg(&before, insn.dst),
			      *reg(&before, insn.src));
		ck_assert_uint_eq(regs.rsp, before.rsp);
		ck_assert_uint_eq(regs.rip, before.rip + n);
		forms++;
	}
	ck_assert_uint_eq(forms, 20000);
	munmap(j.page, j.size);
}
END_TEST

START_TEST(differential_table_vs_cpu)
{
	/* The hand-written flag expectations hold on this CPU too: run
	 * each register-only case of emu_cases natively. */
	const struct emu_case *c = &emu_cases[_i];
	const struct reg_val *rv;
	struct jit j;
	struct cpu cpu;
	struct user_regs_struct regs;
	struct step_insn insn;
	unsigned long long mask = ALL;
	char text[64];
	unsigned r;

	for (rv = c->in; rv->reg >= 0; rv++)
		if (rv->reg == RSP)
			return;
	for (rv = c->out; rv->reg >= 0; rv++)
		if (rv->reg == RSP)
			return;
	if (c->mem_in_addr || c->mem_out_addr || c->code[0] == 0x54)
		return;

	/* AF is undefined after a logical operation. */
	ck_assert_int_eq(step_decode(c->code, c->n, &insn), 0);
	step_describe(&insn, text, sizeof(text));
	if (!strncmp(text, "test", 4) || !strncmp(text, "xor", 3) ||
	    !strncmp(text, "and", 3) || !strncmp(text, "or", 2))
		mask &= ~(unsigned long long)AF;

	jit_build(&j);
	regs_init(&regs);
	regs.eflags |= c->flags_in;
	for (rv = c->in; rv->reg >= 0; rv++)
		*reg(&regs, (unsigned)rv->reg) = rv->val;
	memset(&cpu, 0, sizeof(cpu));
	for (r = 0; r < NREGS; r++)
		cpu.r[r] = *reg(&regs, r);
	cpu.flags = regs.eflags;
	jit_run(&j, c->code, c->n, &cpu);
	ck_assert_msg((cpu.flags & mask) == (c->flags_out & mask),
		      "%s: the CPU sets %#llx, the table says %#llx", c->what,
		      (unsigned long long)(cpu.flags & mask),
		      c->flags_out & mask);
	for (rv = c->out; rv->reg >= 0; rv++)
		ck_assert_msg(cpu.r[rv->reg] == rv->val,
			      "%s: the CPU leaves %#llx", c->what,
			      (unsigned long long)cpu.r[rv->reg]);
	munmap(j.page, j.size);
}
END_TEST

Suite *make_step_suite(void)
{
	Suite *s = suite_create("step");
	TCase *tc = tcase_create("decode");

	tcase_add_loop_test(tc, decode_table, 0, N(decode_cases));
	tcase_add_test(tc, decode_never_reads_past_len);
	tcase_add_test(tc, describe_truncates);
	tcase_add_loop_test(tc, real_allocators_decode, 0, N(real_fns));
	suite_add_tcase(s, tc);

	tc = tcase_create("emulate");
	tcase_add_loop_test(tc, emulate_table, 0, N(emu_cases));
	tcase_add_test(tc, emulate_rip_relative_address);
	suite_add_tcase(s, tc);

	tc = tcase_create("differential");
	tcase_add_test(tc, differential_vs_cpu);
	tcase_add_loop_test(tc, differential_table_vs_cpu, 0, N(emu_cases));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
