/*
 * Moving the first instructions of a function (relocate.h).
 *
 * The length decoder follows the opcode maps of the Intel SDM, vol. 2,
 * appendix A, for 64-bit mode: legacy prefixes, REX, the one-byte map
 * and the 0f, 0f 38 and 0f 3a maps. VEX, EVEX and 3DNow! encodings are
 * refused: no allocator entry this engine has met starts with one.
 */
#include <string.h>

#include "breakpoints/relocate.h"

enum imm_kind {
	IMM_NONE,
	IMM_8,
	IMM_16,
	IMM_Z,			/* 32 bits, 16 with a 66 prefix */
	IMM_V,			/* IMM_Z, 64 bits with REX.W (b8+r) */
	IMM_ENTER,		/* 16 + 8 */
};

enum op_class {
	OPC_PLAIN,
	OPC_BAD,		/* refused */
	OPC_JCC8,		/* 70-7f */
	OPC_JMP8,		/* eb */
	OPC_JMP32,		/* e9 */
	OPC_JCC32,		/* 0f 80-8f */
	OPC_CALL,		/* e8, and ff /2 /3 */
	OPC_END,		/* ret, jmp indirect, int3, hlt, ud2 */
};

struct insn {
	size_t len;
	size_t opcode_at;	/* offset of the (last) opcode byte */
	size_t rip_disp_at;	/* 0: no disp32(%rip) */
	enum op_class cls;
	uint8_t op;		/* the opcode byte at opcode_at */
};

static int is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e:
	case 0x64: case 0x65: case 0x66: case 0x67:
	case 0xf0: case 0xf2: case 0xf3:
		return 1;
	}
	return 0;
}

/* Whether a one-byte opcode takes ModRM. */
static int one_byte_modrm(uint8_t op)
{
	if (op < 0x40)
		return (op & 7) < 4;
	switch (op) {
	case 0x62: case 0x63: case 0x69: case 0x6b:
	case 0xc0: case 0xc1: case 0xc4: case 0xc5: case 0xc6: case 0xc7:
	case 0xd0: case 0xd1: case 0xd2: case 0xd3:
	case 0xf6: case 0xf7: case 0xfe: case 0xff:
		return 1;
	}
	return (op >= 0x80 && op <= 0x8f) || (op >= 0xd8 && op <= 0xdf);
}

static enum imm_kind one_byte_imm(uint8_t op, uint8_t modrm)
{
	if (op < 0x40 && (op & 7) == 4)
		return IMM_8;
	if (op < 0x40 && (op & 7) == 5)
		return IMM_Z;
	switch (op) {
	case 0x68: case 0x69: case 0x81: case 0xa9: case 0xc7:
		return IMM_Z;
	case 0x6a: case 0x6b: case 0x80: case 0x83: case 0xa8: case 0xc0:
	case 0xc1: case 0xc6: case 0xcd: case 0xe4: case 0xe5: case 0xe6:
	case 0xe7:
		return IMM_8;
	case 0xc2: case 0xca:
		return IMM_16;
	case 0xc8:
		return IMM_ENTER;
	case 0xf6:
		return ((modrm >> 3) & 7) < 2 ? IMM_8 : IMM_NONE;
	case 0xf7:
		return ((modrm >> 3) & 7) < 2 ? IMM_Z : IMM_NONE;
	}
	if (op >= 0xb0 && op <= 0xb7)
		return IMM_8;
	if (op >= 0xb8 && op <= 0xbf)
		return IMM_V;
	return IMM_NONE;
}

static enum op_class one_byte_class(uint8_t op, uint8_t modrm)
{
	if (op >= 0x70 && op <= 0x7f)
		return OPC_JCC8;
	switch (op) {
	case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e:
	case 0x1f: case 0x27: case 0x2f: case 0x37: case 0x3f: case 0x60:
	case 0x61: case 0x62: case 0x82: case 0x9a: case 0xa0: case 0xa1:
	case 0xa2: case 0xa3: case 0xc4: case 0xc5: case 0xce: case 0xd4:
	case 0xd5: case 0xd6: case 0xe0: case 0xe1: case 0xe2: case 0xe3:
	case 0xea:
		return OPC_BAD;
	case 0xeb:
		return OPC_JMP8;
	case 0xe9:
		return OPC_JMP32;
	case 0xe8:
		return OPC_CALL;
	case 0xc2: case 0xc3: case 0xca: case 0xcb: case 0xcc: case 0xcf:
	case 0xf4:
		return OPC_END;
	case 0xff:
		switch ((modrm >> 3) & 7) {
		case 2: case 3:
			return OPC_CALL;
		case 4: case 5:
			return OPC_END;
		}
		break;
	}
	return OPC_PLAIN;
}

/* 0f xx: -1 refused, else whether it takes ModRM; *IMM8 set for the
 * ones with an imm8. */
static int two_byte_modrm(uint8_t op, int *imm8)
{
	*imm8 = 0;
	if (op == 0x0f || op == 0x04 || op == 0x0a || op == 0x0c ||
	    (op >= 0x24 && op <= 0x27) || op == 0x39 ||
	    (op >= 0x3b && op <= 0x3f) || op == 0xa6 || op == 0xa7)
		return -1;
	if ((op >= 0x05 && op <= 0x0b) || op == 0x0e ||
	    (op >= 0x30 && op <= 0x37) || op == 0x77 ||
	    (op >= 0x80 && op <= 0x8f) || (op >= 0xa0 && op <= 0xa2) ||
	    (op >= 0xa8 && op <= 0xaa) || (op >= 0xc8 && op <= 0xcf))
		return 0;
	if ((op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac ||
	    op == 0xba || op == 0xc2 || (op >= 0xc4 && op <= 0xc6))
		*imm8 = 1;
	return 1;
}

/* Decodes one instruction; 0, or -1 when unknown or truncated. */
static int decode(const uint8_t *p, size_t avail, struct insn *in)
{
	size_t i = 0, need;
	int opsize16 = 0, rex_w = 0, has_modrm, imm8 = 0;
	enum imm_kind imm = IMM_NONE;
	uint8_t op, modrm = 0;

	memset(in, 0, sizeof(*in));
	while (i < avail && is_legacy_prefix(p[i])) {
		if (p[i] == 0x66)
			opsize16 = 1;
		if (++i > 14)
			return -1;
	}
	if (i < avail && (p[i] & 0xf0) == 0x40)
		rex_w = (p[i++] & 8) != 0;
	if (i >= avail)
		return -1;
	op = p[i];
	if (op == 0x0f) {
		if (++i >= avail)
			return -1;
		op = p[i];
		if (op == 0x38 || op == 0x3a) {
			imm8 = op == 0x3a;
			if (++i >= avail)
				return -1;
			op = p[i];
			has_modrm = 1;
		} else {
			has_modrm = two_byte_modrm(op, &imm8);
			if (has_modrm < 0)
				return -1;
			if (op >= 0x80 && op <= 0x8f)
				in->cls = OPC_JCC32;
			else if (op == 0x0b)
				in->cls = OPC_END;	/* ud2 */
		}
		in->opcode_at = i;
		in->op = op;
		i++;
		if (has_modrm) {
			if (i >= avail)
				return -1;
			modrm = p[i++];
		}
		if (imm8)
			imm = IMM_8;
		if (in->cls == OPC_JCC32)
			imm = IMM_Z;		/* rel32, even with 66 here */
		opsize16 = in->cls == OPC_JCC32 ? 0 : opsize16;
	} else {
		in->opcode_at = i;
		in->op = op;
		i++;
		has_modrm = one_byte_modrm(op);
		if (has_modrm) {
			if (i >= avail)
				return -1;
			modrm = p[i++];
		}
		in->cls = one_byte_class(op, modrm);
		if (in->cls == OPC_BAD)
			return -1;
		imm = one_byte_imm(op, modrm);
		if (in->cls == OPC_JCC8 || in->cls == OPC_JMP8)
			imm = IMM_8;
		if (in->cls == OPC_JMP32 || op == 0xe8) {
			imm = IMM_Z;
			opsize16 = 0;	/* rel32 in 64-bit mode */
		}
	}
	if (has_modrm && (modrm >> 6) != 3) {
		unsigned mod = modrm >> 6, rm = modrm & 7;

		if (rm == 4) {
			if (i >= avail)
				return -1;
			if (mod == 0 && (p[i] & 7) == 5)
				i += 4;
			i++;
		} else if (mod == 0 && rm == 5) {
			in->rip_disp_at = i;
			i += 4;
		}
		if (mod == 1)
			i += 1;
		else if (mod == 2)
			i += 4;
	}
	switch (imm) {
	case IMM_NONE:
		need = 0;
		break;
	case IMM_8:
		need = 1;
		break;
	case IMM_16:
		need = 2;
		break;
	case IMM_Z:
		need = opsize16 ? 2 : 4;
		break;
	case IMM_V:
		need = rex_w ? 8 : opsize16 ? 2 : 4;
		break;
	case IMM_ENTER:
		need = 3;
		break;
	default:
		return -1;
	}
	i += need;
	if (i > avail || i > 15)
		return -1;
	in->len = i;
	return 0;
}

size_t reloc_insn_length(const uint8_t *code, size_t avail,
			 size_t *rip_disp_at)
{
	struct insn in;

	if (decode(code, avail, &in) < 0)
		return 0;
	if (rip_disp_at)
		*rip_disp_at = in.rip_disp_at;
	return in.len;
}

static int fits_rel32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static int32_t get32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

int reloc_jmp32(uint8_t out[RELOC_JMP_LEN], uint64_t at, uint64_t to)
{
	int64_t rel = (int64_t)(to - (at + RELOC_JMP_LEN));

	if (!fits_rel32(rel))
		return -1;
	out[0] = 0xe9;
	put32(out + 1, (int32_t)rel);
	return 0;
}

int reloc_prologue(const uint8_t *code, size_t avail, uint64_t src,
		   uint64_t dst, uint8_t *out, size_t *out_len,
		   size_t *covered, const char **why)
{
	size_t in_off = 0, o = 0, ntargets = 0, i;
	uint64_t targets[RELOC_JMP_LEN];
	struct insn in;

	*why = NULL;
	while (in_off < RELOC_JMP_LEN) {
		uint64_t at = dst + o, target;
		const uint8_t *p = code + in_off;
		int64_t rel;

		if (decode(p, avail - in_off, &in) < 0) {
			*why = "an instruction memsup cannot decode";
			return -1;
		}
		if (o + in.len + 4 + RELOC_JMP_LEN > RELOC_MAX_OUT) {
			*why = "too long a prologue";
			return -1;
		}
		switch (in.cls) {
		case OPC_CALL:
			*why = "a call among the first instructions";
			return -1;
		case OPC_END:
			if (in_off + in.len < RELOC_JMP_LEN) {
				*why = "the function is shorter than a jump";
				return -1;
			}
			memcpy(out + o, p, in.len);
			o += in.len;
			break;
		case OPC_JMP8:
		case OPC_JCC8:
			rel = (int8_t)p[in.len - 1];
			target = src + in_off + in.len + (uint64_t)rel;
			targets[ntargets++] = target;
			if (in.cls == OPC_JMP8) {
				if (reloc_jmp32(out + o, at, target) < 0)
					goto range;
				o += RELOC_JMP_LEN;
			} else {
				rel = (int64_t)(target - (at + 6));
				if (!fits_rel32(rel))
					goto range;
				out[o] = 0x0f;
				out[o + 1] = (uint8_t)(0x80 | (in.op & 0x0f));
				put32(out + o + 2, (int32_t)rel);
				o += 6;
			}
			break;
		case OPC_JMP32:
		case OPC_JCC32:
			rel = get32(p + in.len - 4);
			target = src + in_off + in.len + (uint64_t)rel;
			targets[ntargets++] = target;
			memcpy(out + o, p, in.len);
			rel = (int64_t)(target - (at + in.len));
			if (!fits_rel32(rel))
				goto range;
			put32(out + o + in.len - 4, (int32_t)rel);
			o += in.len;
			break;
		default:
			memcpy(out + o, p, in.len);
			if (in.rip_disp_at) {
				/* disp32 is relative to the end of the insn */
				target = src + in_off + in.len +
					 (uint64_t)(int64_t)get32(p + in.rip_disp_at);
				rel = (int64_t)(target - (at + in.len));
				if (!fits_rel32(rel))
					goto range;
				put32(out + o + in.rip_disp_at, (int32_t)rel);
			}
			o += in.len;
			break;
		}
		in_off += in.len;
	}
	/* A branch back into the bytes the jump overwrites would land in
	 * the middle of it. */
	for (i = 0; i < ntargets; i++) {
		if (targets[i] > src && targets[i] < src + in_off) {
			*why = "a branch into the first instructions";
			return -1;
		}
	}
	if (reloc_jmp32(out + o, dst + o, src + in_off) < 0)
		goto range;
	o += RELOC_JMP_LEN;
	*out_len = o;
	*covered = in_off;
	return 0;
range:
	*why = "the copy is out of rel32 range of the function";
	return -1;
}
