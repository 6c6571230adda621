/*
 * Moving the first instructions of a function elsewhere (the in-process
 * engine's detour, docs/design/inject.md).
 *
 * To redirect a function with a 5-byte "jmp rel32" written over its
 * entry, the whole instructions that the jump covers are copied to a
 * code page of memsup's, followed by a jump back to the first byte after
 * them: calling the copy is calling the original function. Copied code
 * runs at another address, so an instruction whose meaning depends on
 * where it is must be rewritten:
 *
 *   disp32(%rip) operands       the displacement is adjusted
 *   jmp rel8/rel32, jcc rel8/rel32
 *                               re-targeted as rel32 forms
 *
 * Anything this module cannot move safely is refused, and the caller
 * keeps a breakpoint on that function instead: call (its return address
 * would be the copy's), loop/jrcxz, ret or an indirect jump before the
 * fifth byte (the function is shorter than the jump), a branch into the
 * copied bytes, VEX/EVEX/3DNow! encodings, and any length the decoder
 * does not know.
 *
 * A pure module: no I/O, no allocation.
 */
#ifndef MEMSUP_RELOCATE_H
#define MEMSUP_RELOCATE_H

#include <stddef.h>
#include <stdint.h>

/* The bytes a detour overwrites: e9 rel32. */
#define RELOC_JMP_LEN 5
/* Room for the copy of at most RELOC_JMP_LEN + 14 bytes of whole
 * instructions, each growing by 4 at most (rel8 to rel32), plus the jump
 * back. */
#define RELOC_MAX_OUT 64

/*
 * The length of the instruction at CODE (AVAIL bytes readable), or 0 if
 * it is unknown. *RIP_DISP_AT is set to the offset of a disp32(%rip)
 * operand's displacement, or 0 if it has none.
 */
size_t reloc_insn_length(const uint8_t *code, size_t avail,
			 size_t *rip_disp_at);

/*
 * Relocates the instructions at the start of CODE (AVAIL bytes, read
 * from address SRC) that cover at least RELOC_JMP_LEN bytes, for
 * execution at DST, and appends "jmp SRC + covered". OUT receives the
 * code (at most RELOC_MAX_OUT bytes), *OUT_LEN its length, *COVERED the
 * bytes of CODE taken. Returns 0, or -1 with a reason in *WHY (static
 * text) when the instructions cannot be moved.
 */
int reloc_prologue(const uint8_t *code, size_t avail, uint64_t src,
		   uint64_t dst, uint8_t *out, size_t *out_len,
		   size_t *covered, const char **why);

/* Writes "jmp TO" (e9 rel32) for an instruction at AT into OUT; 0, or -1
 * when TO is out of rel32 range. */
int reloc_jmp32(uint8_t out[RELOC_JMP_LEN], uint64_t at, uint64_t to);

#endif
