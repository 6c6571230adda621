/*
 * breakpoints/relocate.c: the first instructions of real allocator entry
 * points (glibc 2.36, libstdc++ 12, as objdump shows them) moved to a
 * stub, byte for byte; what must be refused is refused; and a moved
 * prologue run for real gives what the original gives.
 */
#include <string.h>
#include <sys/mman.h>

#include "breakpoints/relocate.h"
#include "suites.h"

#define SRC 0x7f0000098930ULL
#define DST 0x7f0000010000ULL

static int32_t rel_at(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* malloc: push %r12; push %rbp; push %rbx; mov %rdi,%rbx: 7 bytes, no
 * position-dependent operand, then the jump back to malloc + 7. */
START_TEST(plain_prologue)
{
	static const uint8_t code[] = {
		0x41, 0x54, 0x55, 0x53, 0x48, 0x89, 0xfb, 0x48, 0x83, 0xec,
		0x10, 0x80, 0x3d, 0x46, 0x1b, 0x14, 0x00, 0x00,
	};
	uint8_t out[RELOC_MAX_OUT];
	size_t n, covered;
	const char *why;

	ck_assert_int_eq(reloc_prologue(code, sizeof(code), SRC, DST, out, &n,
					&covered, &why), 0);
	ck_assert_uint_eq(covered, 7);
	ck_assert_uint_eq(n, 7 + 5);
	ck_assert_mem_eq(out, code, 7);
	ck_assert_uint_eq(out[7], 0xe9);
	ck_assert_int_eq(rel_at(out + 8), (int64_t)(SRC + 7) - (int64_t)(DST + 12));
}
END_TEST

/* free: test %rdi,%rdi; je rel32: the je keeps its target. */
START_TEST(near_branch_retargeted)
{
	static const uint8_t code[] = {
		0x48, 0x85, 0xff, 0x0f, 0x84, 0xbf, 0x00, 0x00, 0x00, 0x55,
		0x48, 0x8d, 0x77, 0xf0, 0x53, 0x48,
	};
	uint64_t target = SRC + 9 + 0xbf;
	uint8_t out[RELOC_MAX_OUT];
	size_t n, covered;
	const char *why;

	ck_assert_int_eq(reloc_prologue(code, sizeof(code), SRC, DST, out, &n,
					&covered, &why), 0);
	ck_assert_uint_eq(covered, 9);
	ck_assert_mem_eq(out, code, 5);
	ck_assert_int_eq(rel_at(out + 5), (int64_t)target - (int64_t)(DST + 9));
	ck_assert_uint_eq(out[9], 0xe9);
	ck_assert_int_eq(rel_at(out + 10), (int64_t)(SRC + 9) - (int64_t)(DST + 14));
}
END_TEST

/* aligned_alloc: cmpb $0,disp32(%rip) (the displacement is adjusted,
 * with the immediate after it), then je rel8 grown to je rel32. */
START_TEST(rip_relative_and_short_branch)
{
	static const uint8_t code[] = {
		0x80, 0x3d, 0x71, 0x0e, 0x14, 0x00, 0x00, 0x74, 0x07, 0xe9,
		0x32, 0xf6, 0xff, 0xff, 0x66, 0x90,
	};
	uint64_t data = SRC + 7 + 0x140e71, target = SRC + 9 + 7;
	uint8_t out[RELOC_MAX_OUT];
	size_t n, covered;
	const char *why;

	ck_assert_int_eq(reloc_prologue(code, sizeof(code), SRC, DST, out, &n,
					&covered, &why), 0);
	ck_assert_uint_eq(covered, 7);
	ck_assert_uint_eq(out[0], 0x80);
	ck_assert_uint_eq(out[1], 0x3d);
	ck_assert_int_eq(rel_at(out + 2), (int64_t)data - (int64_t)(DST + 7));
	ck_assert_uint_eq(out[6], 0x00);
	(void)target;
	ck_assert_uint_eq(n, 7 + 5);
}
END_TEST

/* A short branch inside the covered bytes' reach: jcc rel8 -> 0f 8x. */
START_TEST(short_jcc_grows)
{
	static const uint8_t code[] = {
		0x48, 0x85, 0xff, 0x74, 0x40, 0x55, 0x53, 0x90,
	};
	uint64_t target = SRC + 5 + 0x40;
	uint8_t out[RELOC_MAX_OUT];
	size_t n, covered;
	const char *why;

	ck_assert_int_eq(reloc_prologue(code, sizeof(code), SRC, DST, out, &n,
					&covered, &why), 0);
	ck_assert_uint_eq(covered, 5);
	ck_assert_uint_eq(out[3], 0x0f);
	ck_assert_uint_eq(out[4], 0x84);
	ck_assert_int_eq(rel_at(out + 5), (int64_t)target - (int64_t)(DST + 9));
	ck_assert_uint_eq(n, 9 + 5);
}
END_TEST

/* operator new[]: endbr64; jmp operator new (an unconditional jump whose
 * target is kept). */
START_TEST(endbr_then_jmp)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x1e, 0xfa, 0xe9, 0xf7, 0x02, 0xff, 0xff, 0x0f,
		0x1f, 0x80, 0x00, 0x00, 0x00, 0x00,
	};
	uint64_t target = SRC + 9 + (uint64_t)(int64_t)(int32_t)0xffff02f7;
	uint8_t out[RELOC_MAX_OUT];
	size_t n, covered;
	const char *why;

	ck_assert_int_eq(reloc_prologue(code, sizeof(code), SRC, DST, out, &n,
					&covered, &why), 0);
	ck_assert_uint_eq(covered, 9);
	ck_assert_mem_eq(out, code, 5);
	ck_assert_int_eq(rel_at(out + 5), (int64_t)target - (int64_t)(DST + 9));
}
END_TEST

START_TEST(refusals)
{
	static const struct {
		uint8_t code[16];
		const char *what;
	} cases[] = {
		/* call among the first instructions */
		{ { 0xe8, 0, 0, 0, 0, 0x90 }, "call" },
		/* ret before the fifth byte: _dl_debug_state */
		{ { 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90 }, "shorter" },
		/* a loop back into the covered bytes: jne -4 at +3 */
		{ { 0x48, 0x85, 0xff, 0x75, 0xfc, 0x90 }, "branch into" },
		/* loop rel8 */
		{ { 0xe2, 0x10, 0x90, 0x90, 0x90, 0x90 }, "decode" },
		/* VEX */
		{ { 0xc5, 0xf8, 0x77, 0x90, 0x90, 0x90 }, "decode" },
	};
	uint8_t out[RELOC_MAX_OUT];
	size_t n, covered, i;
	const char *why;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(reloc_prologue(cases[i].code, 16, SRC, DST, out,
						&n, &covered, &why), -1);
		ck_assert_ptr_nonnull(why);
		ck_assert_msg(strstr(why, cases[i].what), "case %zu: %s", i, why);
	}
	/* out of rel32 reach */
	ck_assert_int_eq(reloc_prologue((const uint8_t[16]){ 0x55, 0x53, 0x41,
					0x54, 0x90 }, 16, SRC,
					SRC + (3ULL << 31), out, &n, &covered,
					&why), -1);
	ck_assert_ptr_nonnull(strstr(why, "range"));
}
END_TEST

START_TEST(lengths)
{
	static const struct {
		uint8_t code[15];
		size_t len;
	} cases[] = {
		{ { 0x55 }, 1 },				/* push %rbp */
		{ { 0x48, 0x89, 0xe5 }, 3 },			/* mov %rsp,%rbp */
		{ { 0x48, 0x83, 0xec, 0x10 }, 4 },		/* sub $16,%rsp */
		{ { 0x48, 0x81, 0xec, 0, 1, 0, 0 }, 7 },	/* sub $256,%rsp */
		{ { 0x48, 0x8b, 0x05, 1, 2, 3, 4 }, 7 },	/* mov d(%rip),%rax */
		{ { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0 }, 9 },
		{ { 0x66, 0x0f, 0x1f, 0x44, 0, 0 }, 6 },	/* nopw */
		{ { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }, 10 },	/* movabs */
		{ { 0x66, 0xb8, 1, 2 }, 4 },			/* mov $imm16,%ax */
		{ { 0xf6, 0x07, 0x01 }, 3 },			/* testb $1,(%rdi) */
		{ { 0xc8, 1, 0, 0 }, 4 },			/* enter */
		{ { 0x0f, 0x3a, 0x0f, 0xc1, 0x08 }, 5 },	/* palignr */
	};
	size_t i, disp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(reloc_insn_length(cases[i].code, 15, &disp) ==
			      cases[i].len, "case %zu", i);
	ck_assert_uint_eq(reloc_insn_length(cases[4].code, 15, &disp), 7);
	ck_assert_uint_eq(disp, 3);
	ck_assert_uint_eq(reloc_insn_length((const uint8_t[]){ 0x48 }, 1,
					    &disp), 0);	/* truncated */
}
END_TEST

/* add $40,%rdi; lea 1(%rdi),%rax; ret: moved and run, it adds 41. */
START_TEST(moved_code_runs)
{
	static const uint8_t code[] = {
		0x48, 0x83, 0xc7, 0x28, 0x48, 0x8d, 0x47, 0x01, 0xc3,
	};
	uint8_t *page, out[RELOC_MAX_OUT];
	size_t n, covered;
	const char *why;
	long (*fn)(long);

	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return;		/* W^X enforced: nothing to run */
	memcpy(page, code, sizeof(code));
	ck_assert_int_eq(reloc_prologue(page, sizeof(code),
					(uint64_t)(uintptr_t)page,
					(uint64_t)(uintptr_t)page + 4096, out,
					&n, &covered, &why), 0);
	memcpy(page + 4096, out, n);
	fn = (long (*)(long))(uintptr_t)(page + 4096);
	ck_assert_int_eq(fn(1), 42);
	munmap(page, 8192);
}
END_TEST

Suite *make_relocate_suite(void)
{
	Suite *s = suite_create("relocate");
	TCase *tc = tcase_create("relocate");

	tcase_add_test(tc, plain_prologue);
	tcase_add_test(tc, near_branch_retargeted);
	tcase_add_test(tc, rip_relative_and_short_branch);
	tcase_add_test(tc, short_jcc_grows);
	tcase_add_test(tc, endbr_then_jmp);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, lengths);
	tcase_add_test(tc, moved_code_runs);
	suite_add_tcase(s, tc);
	return s;
}
