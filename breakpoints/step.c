/*
 * Emulation of the first instruction of a function (step.h).
 *
 * The decoder accepts a deliberately small subset of x86-64 and refuses
 * everything else: a refused instruction costs one single-step, a wrongly
 * emulated one corrupts the traced program. Flag results follow the Intel
 * SDM, vol. 2, for each instruction, and are checked against the CPU by
 * tests/unit/check_step.c.
 */
#include <stdio.h>
#include <string.h>

#include "breakpoints/step.h"

enum step_op {
	OP_NONE,
	OP_NOP,			/* 90, 0f 1f /0 */
	OP_ENDBR64,		/* f3 0f 1e fa: a nop without CET */
	OP_PUSH,		/* push src */
	OP_MOV,			/* dst = src */
	OP_MOV_IMM,		/* dst = imm */
	OP_ADD,
	OP_OR,
	OP_AND,
	OP_SUB,
	OP_XOR,
	OP_CMP,			/* OP_SUB, result dropped */
	OP_TEST,		/* OP_AND, result dropped */
};

/* The ALU operations by the /digit of 81 and 83, and by bits 5:3 of the
 * two-operand opcodes 01, 03, 09, ...: adc and sbb (2, 3) are refused. */
static const uint8_t alu_ops[8] = {
	OP_ADD, OP_OR, OP_NONE, OP_NONE, OP_AND, OP_SUB, OP_XOR, OP_CMP,
};

static const char *const mnemonics[] = {
	[OP_NOP] = "nop",
	[OP_ENDBR64] = "endbr64",
	[OP_PUSH] = "push",
	[OP_MOV] = "mov",
	[OP_MOV_IMM] = "mov",
	[OP_ADD] = "add",
	[OP_OR] = "or",
	[OP_AND] = "and",
	[OP_SUB] = "sub",
	[OP_XOR] = "xor",
	[OP_CMP] = "cmp",
	[OP_TEST] = "test",
};

#define REX_W 0x8
#define REX_R 0x4
#define REX_X 0x2
#define REX_B 0x1

#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m) ((m) & 7)

/* The bytes of a ModRM operand after the ModRM byte itself (SIB and
 * displacement), for the 64-bit addressing forms. */
static size_t modrm_extra(const uint8_t *p, size_t avail, uint8_t modrm)
{
	unsigned mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);
	size_t n = 0;

	if (mod == 3)
		return 0;
	if (rm == 4) {
		/* SIB; base 101 with mod 00 means disp32 and no base. */
		if (avail < 1)
			return (size_t)-1;
		n = 1;
		if (mod == 0 && (p[0] & 7) == 5)
			return n + 4;
	} else if (mod == 0 && rm == 5) {
		return 4;		/* disp32(%rip) */
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return n;
}

static uint64_t sext8(uint8_t v)
{
	return (uint64_t)(int64_t)(int8_t)v;
}

static uint64_t sext32(uint32_t v)
{
	return (uint64_t)(int64_t)(int32_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t width_mask(unsigned width)
{
	return width == 64 ? ~(uint64_t)0 : ((uint64_t)1 << width) - 1;
}

/* The decoder proper; step_decode() zeroes INSN when this fails. */
static int decode(const uint8_t *code, size_t len, struct step_insn *insn)
{
	size_t i = 0, extra;
	int opsize = 0, cs = 0, rep = 0;
	unsigned rex = 0, width;
	uint8_t op, modrm;

	/* Legacy prefixes: only those that the supported forms use. */
	for (;; i++) {
		if (i >= len || i >= STEP_MAX_INSN)
			return -1;
		if (code[i] == 0x66)
			opsize = 1;
		else if (code[i] == 0x2e)
			cs = 1;
		else if (code[i] == 0xf3)
			rep = 1;
		else
			break;
	}
	/* REX counts only right before the opcode. */
	if ((code[i] & 0xf0) == 0x40) {
		rex = code[i++];
		if (i >= len)
			return -1;
	}
	width = rex & REX_W ? 64 : 32;
	op = code[i++];

	if (rep) {
		/* f3 0f 1e fa, endbr64; nothing else with a rep prefix. */
		if (op != 0x0f || opsize || cs || rex || len - i < 2 ||
		    code[i] != 0x1e || code[i + 1] != 0xfa)
			return -1;
		insn->op = OP_ENDBR64;
		insn->len = (uint8_t)(i + 2);
		return 0;
	}

	if (op == 0x0f) {
		/* 0f 1f /0: nopw/nopl, the operand is never accessed. */
		if (i + 2 > len || code[i] != 0x1f)
			return -1;
		modrm = code[i + 1];
		if (MODRM_REG(modrm) != 0)
			return -1;
		i += 2;
		extra = modrm_extra(code + i, len - i, modrm);
		if (extra == (size_t)-1 || i + extra > len ||
		    i + extra > STEP_MAX_INSN)
			return -1;
		insn->op = OP_NOP;
		insn->len = (uint8_t)(i + extra);
		return 0;
	}

	/* Everything below is 32- or 64-bit; 66 and 2e only make nops. */
	if (op == 0x90) {
		/* 41 90 is xchg %eax,%r8d, not a nop. */
		if (cs || (rex & REX_B))
			return -1;
		insn->op = OP_NOP;
		insn->len = (uint8_t)i;
		return 0;
	}
	if (opsize || cs)
		return -1;

	if (op >= 0x50 && op <= 0x57) {
		/* push r64: 64-bit whatever REX.W says. */
		insn->op = OP_PUSH;
		insn->width = 64;
		insn->src = (uint8_t)((op & 7) | (rex & REX_B ? 8 : 0));
		insn->len = (uint8_t)i;
		return 0;
	}

	if (op >= 0xb8 && op <= 0xbf) {
		/* mov $imm32, r32 (zero-extended), REX.W: mov $imm64, r64. */
		size_t n = width == 64 ? 8 : 4;

		if (i + n > len)
			return -1;
		insn->op = OP_MOV_IMM;
		insn->width = (uint8_t)width;
		insn->dst = (uint8_t)((op & 7) | (rex & REX_B ? 8 : 0));
		insn->has_imm = 1;
		insn->imm = n == 8 ? get64(code + i) : get32(code + i);
		insn->len = (uint8_t)(i + n);
		return 0;
	}

	/* The rest has a ModRM byte. */
	if (i >= len)
		return -1;
	modrm = code[i++];
	insn->width = (uint8_t)width;

	if (MODRM_MOD(modrm) != 3) {
		/*
		 * Memory operands: only cmp $imm, disp32(%rip), as in
		 * glibc 2.36's posix_memalign, memalign and valloc (the
		 * __malloc_initialized test). REX.B and REX.X do not
		 * apply to RIP-relative addressing.
		 */
		size_t n;

		if (MODRM_MOD(modrm) != 0 || MODRM_RM(modrm) != 5 ||
		    MODRM_REG(modrm) != 7)
			return -1;
		if (op == 0x80) {
			width = 8;
			n = 1;
		} else if (op == 0x83) {
			n = 1;
		} else if (op == 0x81) {
			n = 4;
		} else {
			return -1;
		}
		if (i + 4 + n > len)
			return -1;
		insn->op = OP_CMP;
		insn->width = (uint8_t)width;
		insn->rip_mem = 1;
		insn->disp = (int32_t)get32(code + i);
		insn->has_imm = 1;
		insn->imm = n == 1 ? sext8(code[i + 4]) :
				     sext32(get32(code + i + 4));
		insn->imm &= width_mask(width);
		insn->len = (uint8_t)(i + 4 + n);
		return 0;
	}

	/* Register forms: r/m is a register. */
	insn->dst = (uint8_t)(MODRM_RM(modrm) | (rex & REX_B ? 8 : 0));
	insn->src = (uint8_t)(MODRM_REG(modrm) | (rex & REX_R ? 8 : 0));

	switch (op) {
	case 0x01: case 0x09: case 0x21: case 0x29: case 0x31: case 0x39:
		/* op r, r/m */
		insn->op = alu_ops[op >> 3];
		break;
	case 0x03: case 0x0b: case 0x23: case 0x2b: case 0x33: case 0x3b: {
		/* op r/m, r */
		uint8_t t = insn->dst;

		insn->op = alu_ops[op >> 3];
		insn->dst = insn->src;
		insn->src = t;
		break;
	}
	case 0x85:
		insn->op = OP_TEST;
		break;
	case 0x89:
		insn->op = OP_MOV;
		break;
	case 0x8b: {
		uint8_t t = insn->dst;

		insn->op = OP_MOV;
		insn->dst = insn->src;
		insn->src = t;
		break;
	}
	case 0x81:
	case 0x83: {
		size_t n = op == 0x83 ? 1 : 4;

		if (i + n > len)
			return -1;
		insn->op = alu_ops[MODRM_REG(modrm)];
		insn->src = 0;
		insn->has_imm = 1;
		insn->imm = n == 1 ? sext8(code[i]) : sext32(get32(code + i));
		insn->imm &= width_mask(width);
		i += n;
		break;
	}
	case 0xc7:
		/* mov $imm32, r/m: sign-extended with REX.W. */
		if (MODRM_REG(modrm) != 0 || i + 4 > len)
			return -1;
		insn->op = OP_MOV_IMM;
		insn->src = 0;
		insn->has_imm = 1;
		insn->imm = sext32(get32(code + i)) & width_mask(width);
		i += 4;
		break;
	default:
		return -1;
	}
	if (insn->op == OP_NONE)
		return -1;
	insn->len = (uint8_t)i;
	return 0;
}

int step_decode(const uint8_t *code, size_t len, struct step_insn *insn)
{
	memset(insn, 0, sizeof(*insn));
	if (len > STEP_MAX_INSN)
		len = STEP_MAX_INSN;
	if (decode(code, len, insn) < 0) {
		memset(insn, 0, sizeof(*insn));
		return -1;
	}
	return 0;
}

/* The register numbered N in ModRM order (rax rcx rdx rbx rsp rbp rsi rdi
 * r8 ... r15) in the layout of ptrace's PTRACE_GETREGS. */
static unsigned long long *reg_ptr(struct user_regs_struct *regs, unsigned n)
{
	switch (n & 15) {
	case 0: return &regs->rax;
	case 1: return &regs->rcx;
	case 2: return &regs->rdx;
	case 3: return &regs->rbx;
	case 4: return &regs->rsp;
	case 5: return &regs->rbp;
	case 6: return &regs->rsi;
	case 7: return &regs->rdi;
	case 8: return &regs->r8;
	case 9: return &regs->r9;
	case 10: return &regs->r10;
	case 11: return &regs->r11;
	case 12: return &regs->r12;
	case 13: return &regs->r13;
	case 14: return &regs->r14;
	default: return &regs->r15;
	}
}

/* PF: set when the low byte of the result has an even number of ones. */
static unsigned parity_flag(uint64_t res)
{
	return __builtin_parity((unsigned)(res & 0xff)) ? 0 : STEP_PF;
}

/*
 * A op B in WIDTH bits; *FLAGS gets the new arithmetic flags (AF kept for
 * the logical operations, where the SDM leaves it undefined).
 */
static uint64_t alu(unsigned op, unsigned width, uint64_t a, uint64_t b,
		    unsigned long long *flags)
{
	uint64_t mask = width_mask(width), sign = (uint64_t)1 << (width - 1);
	uint64_t res;
	unsigned long long f = *flags & ~(unsigned long long)STEP_ARITH_FLAGS;

	a &= mask;
	b &= mask;
	switch (op) {
	case OP_ADD:
		res = (a + b) & mask;
		if (res < a)
			f |= STEP_CF;
		if ((a ^ res) & (b ^ res) & sign)
			f |= STEP_OF;
		f |= (a ^ b ^ res) & STEP_AF;
		break;
	case OP_SUB:
	case OP_CMP:
		res = (a - b) & mask;
		if (a < b)
			f |= STEP_CF;
		if ((a ^ b) & (a ^ res) & sign)
			f |= STEP_OF;
		f |= (a ^ b ^ res) & STEP_AF;
		break;
	case OP_OR:
		res = a | b;
		f |= *flags & STEP_AF;
		break;
	case OP_XOR:
		res = a ^ b;
		f |= *flags & STEP_AF;
		break;
	default:	/* OP_AND, OP_TEST */
		res = a & b;
		f |= *flags & STEP_AF;
		break;
	}
	if (res == 0)
		f |= STEP_ZF;
	if (res & sign)
		f |= STEP_SF;
	f |= parity_flag(res);
	*flags = f;
	return res;
}

int step_emulate(const struct step_insn *insn, struct user_regs_struct *regs,
		 const struct step_mem *mem)
{
	uint64_t next = regs->rip + insn->len;
	uint64_t a, b, res;
	unsigned long long flags;

	switch (insn->op) {
	case OP_NOP:
	case OP_ENDBR64:
		break;
	case OP_PUSH: {
		/* push %rsp stores the value from before the decrement. */
		uint64_t val = *reg_ptr(regs, insn->src);
		uint64_t sp = regs->rsp - 8;

		if (mem->write(mem->ctx, sp, &val, sizeof(val)) < 0)
			return -1;
		regs->rsp = sp;
		break;
	}
	case OP_MOV:
	case OP_MOV_IMM:
		b = insn->has_imm ? insn->imm : *reg_ptr(regs, insn->src);
		/* A 32-bit destination clears bits 63:32. */
		*reg_ptr(regs, insn->dst) = b & width_mask(insn->width);
		break;
	case OP_ADD:
	case OP_OR:
	case OP_AND:
	case OP_SUB:
	case OP_XOR:
	case OP_CMP:
	case OP_TEST:
		if (insn->rip_mem) {
			uint64_t addr = next + (uint64_t)(int64_t)insn->disp;
			uint8_t buf[8] = { 0 };

			/* RIP-relative: from the end of the instruction. */
			if (mem->read(mem->ctx, addr, buf, insn->width / 8) < 0)
				return -1;
			a = get64(buf);
		} else {
			a = *reg_ptr(regs, insn->dst);
		}
		b = insn->has_imm ? insn->imm : *reg_ptr(regs, insn->src);
		flags = regs->eflags;
		res = alu(insn->op, insn->width, a, b, &flags);
		regs->eflags = flags;
		if (insn->op != OP_CMP && insn->op != OP_TEST)
			*reg_ptr(regs, insn->dst) = res;
		break;
	default:
		return -1;
	}
	regs->rip = next;
	return 0;
}

static const char *reg_name(unsigned n, unsigned width)
{
	static const char *const r64[16] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	static const char *const r32[16] = {
		"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
		"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
	};

	return width == 64 ? r64[n & 15] : r32[n & 15];
}

const char *step_describe(const struct step_insn *insn, char *buf,
			  size_t len)
{
	const char *mn = insn->op < sizeof(mnemonics) / sizeof(mnemonics[0]) ?
			 mnemonics[insn->op] : NULL;
	char src[32];

	if (!len)
		return buf;
	if (!mn) {
		snprintf(buf, len, "(not emulated)");
		return buf;
	}
	switch (insn->op) {
	case OP_NOP:
		if (insn->len == 1)
			snprintf(buf, len, "nop");
		else
			snprintf(buf, len, "nop (%u bytes)", insn->len);
		return buf;
	case OP_ENDBR64:
		snprintf(buf, len, "%s", mn);
		return buf;
	case OP_PUSH:
		snprintf(buf, len, "push %%%s", reg_name(insn->src, 64));
		return buf;
	default:
		break;
	}
	if (insn->has_imm)
		snprintf(src, sizeof(src), "$0x%llx",
			 (unsigned long long)insn->imm);
	else
		snprintf(src, sizeof(src), "%%%s",
			 reg_name(insn->src, insn->width));
	if (insn->rip_mem)
		snprintf(buf, len, "%s%c %s,%s0x%llx(%%rip)", mn,
			 insn->width == 8 ? 'b' : insn->width == 32 ? 'l' : 'q',
			 src, insn->disp < 0 ? "-" : "",
			 insn->disp < 0 ? -(long long)insn->disp :
					  (long long)insn->disp);
	else
		snprintf(buf, len, "%s %s,%%%s", mn, src,
			 reg_name(insn->dst, insn->width));
	return buf;
}
