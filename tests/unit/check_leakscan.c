/*
 * supervisor/leakscan.c: the marking of the leak scan over a simulated
 * address space (blocks laid out in a local array at a fake base). The
 * cases are the classic ones: start and interior pointers from roots and
 * from blocks, chains, trees, cycles joined in either order, and the
 * corner cases of the lookup (zero-sized blocks, block ends, batches).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "supervisor/leakscan.h"

#define BASE 0x10000000ULL
#define WORDS (1u << 19)		/* 4 MiB of fake heap */

struct fake {
	uint64_t *mem;			/* WORDS words at BASE */
	struct leakscan ls;
	int fail;			/* reads fail */
	unsigned calls;
};

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->mem = calloc(WORDS, 8);
	leakscan_init(&f->ls, LEAKSCAN_GLIBC_CHUNKS);
	return f;
}

static void fake_free(struct fake *f)
{
	leakscan_release(&f->ls);
	free(f->mem);
	free(f);
}

static int fake_read(void *arg, struct leakscan_span *sp, size_t n)
{
	struct fake *f = arg;
	size_t i;

	f->calls++;
	if (f->fail)
		return -1;
	for (i = 0; i < n; i++) {
		ck_assert_uint_ge(sp[i].addr, BASE);
		ck_assert_uint_le(sp[i].addr + sp[i].len, BASE + WORDS * 8ULL);
		memcpy(sp[i].buf, (const uint8_t *)f->mem + (sp[i].addr - BASE),
		       sp[i].len);
	}
	return 0;
}

/* Block number K of the fake heap: 64 bytes apart, SIZE bytes. */
static uint64_t at(unsigned k)
{
	return BASE + 64ULL * k;
}

static void put(struct fake *f, uint64_t addr, uint64_t value)
{
	f->mem[(addr - BASE) / 8] = value;
}

static void run(struct fake *f, const uint64_t *roots, size_t n)
{
	leakscan_sort(&f->ls);
	leakscan_root(&f->ls, roots, n);
	ck_assert_int_eq(leakscan_finish(&f->ls, fake_read, f), 0);
}

static enum leak_kind kind(struct fake *f, uint64_t addr, uint64_t *ind)
{
	return leakscan_kind(&f->ls, addr, ind);
}

/*
 * The nine pointer chains of a root p, heap blocks AAA and BBB (16 bytes
 * each), start (--->) or interior (-?->) pointers:
 *   1 p ---> A            A reachable
 *   2 p ---> A ---> B     both reachable
 *   3        A            A definite
 *   4        A ---> B     A definite holding B's 16, B indirect
 *   5 p -?-> A            A possible
 *   6 p ---> A -?-> B     A reachable, B possible
 *   7 p -?-> A ---> B     both possible
 *   8 p -?-> A -?-> B     both possible
 *   9        A -?-> B     A definite, B indirect
 */
START_TEST(nine_cases)
{
	static const struct {
		int root;		/* 0 none, 1 start, 2 interior */
		int link;		/* 0 none, 1 start, 2 interior */
		enum leak_kind a, b;	/* b: LEAK_NKINDS when no B */
		uint64_t a_indirect;
	} c[] = {
		{ 1, 0, LEAK_REACHABLE, LEAK_NKINDS, 0 },
		{ 1, 1, LEAK_REACHABLE, LEAK_REACHABLE, 0 },
		{ 0, 0, LEAK_DEFINITE, LEAK_NKINDS, 0 },
		{ 0, 1, LEAK_DEFINITE, LEAK_INDIRECT, 16 },
		{ 2, 0, LEAK_POSSIBLE, LEAK_NKINDS, 0 },
		{ 1, 2, LEAK_REACHABLE, LEAK_POSSIBLE, 0 },
		{ 2, 1, LEAK_POSSIBLE, LEAK_POSSIBLE, 0 },
		{ 2, 2, LEAK_POSSIBLE, LEAK_POSSIBLE, 0 },
		{ 0, 2, LEAK_DEFINITE, LEAK_INDIRECT, 16 },
	};
	struct fake *f = fake_new();
	uint64_t roots[9], ind;
	size_t i, nroots = 0;

	for (i = 0; i < 9; i++) {
		uint64_t a = at(2 * (unsigned)i), b = at(2 * (unsigned)i + 1);

		leakscan_add(&f->ls, a, 16);
		if (c[i].b != LEAK_NKINDS)
			leakscan_add(&f->ls, b, 16);
		if (c[i].link)
			put(f, a, c[i].link == 1 ? b : b + 8);
		if (c[i].root)
			roots[nroots++] = c[i].root == 1 ? a : a + 8;
	}
	run(f, roots, nroots);
	for (i = 0; i < 9; i++) {
		ck_assert_msg(kind(f, at(2 * (unsigned)i), &ind) == c[i].a,
			      "case %zu: A is %s", i + 1,
			      leak_kind_name(kind(f, at(2 * (unsigned)i), NULL)));
		ck_assert_uint_eq(ind, c[i].a_indirect);
		if (c[i].b != LEAK_NKINDS)
			ck_assert_msg(kind(f, at(2 * (unsigned)i + 1), NULL) ==
				      c[i].b, "case %zu: B is %s", i + 1,
				      leak_kind_name(kind(f, at(2 * (unsigned)i
								+ 1), NULL)));
	}
	fake_free(f);
}
END_TEST

/* A tree A(B(D, E), C(F, G)) rooted at A; B->D and A->C cut: D alone is
 * definite, C definite holding F and G. */
START_TEST(tree)
{
	struct fake *f = fake_new();
	enum { A, B, C, D, E, F, G, N };
	uint64_t root = at(A), ind;
	unsigned k;

	for (k = 0; k < N; k++)
		leakscan_add(&f->ls, at(k), 16);
	put(f, at(A), at(B));
	put(f, at(B) + 8, at(E));
	put(f, at(C), at(F));
	put(f, at(C) + 8, at(G));
	run(f, &root, 1);
	ck_assert_int_eq(kind(f, at(A), NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, at(B), NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, at(E), NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, at(D), &ind), LEAK_DEFINITE);
	ck_assert_uint_eq(ind, 0);
	ck_assert_int_eq(kind(f, at(C), &ind), LEAK_DEFINITE);
	ck_assert_uint_eq(ind, 32);
	ck_assert_int_eq(kind(f, at(F), NULL), LEAK_INDIRECT);
	ck_assert_int_eq(kind(f, at(G), NULL), LEAK_INDIRECT);
	fake_free(f);
}
END_TEST

/* a -> c -> b -> a, three times over: alone, pointing to an earlier
 * cycle (the earlier leader joins the later clique), and pointed to by a
 * later one. */
static void cycle(struct fake *f, unsigned k)
{
	leakscan_add(&f->ls, at(k), 16);
	leakscan_add(&f->ls, at(k + 1), 16);
	leakscan_add(&f->ls, at(k + 2), 16);
	put(f, at(k), at(k + 2));
	put(f, at(k + 2), at(k + 1));
	put(f, at(k + 1), at(k));
}

START_TEST(cycles)
{
	struct fake *f = fake_new();
	uint64_t ind;

	cycle(f, 0);			/* alone */
	cycle(f, 3);			/* its leader is swallowed by ... */
	cycle(f, 6);			/* ... this one, later */
	put(f, at(6) + 8, at(3));
	cycle(f, 9);			/* points to a later cycle */
	cycle(f, 12);
	put(f, at(9) + 8, at(12));
	run(f, NULL, 0);
	ck_assert_int_eq(kind(f, at(0), &ind), LEAK_DEFINITE);
	ck_assert_uint_eq(ind, 32);
	ck_assert_int_eq(kind(f, at(1), NULL), LEAK_INDIRECT);
	ck_assert_int_eq(kind(f, at(2), NULL), LEAK_INDIRECT);
	ck_assert_int_eq(kind(f, at(3), NULL), LEAK_INDIRECT);
	ck_assert_int_eq(kind(f, at(6), &ind), LEAK_DEFINITE);
	ck_assert_uint_eq(ind, 80);
	ck_assert_int_eq(kind(f, at(9), &ind), LEAK_DEFINITE);
	ck_assert_uint_eq(ind, 80);
	ck_assert_int_eq(kind(f, at(12), NULL), LEAK_INDIRECT);
	fake_free(f);
}
END_TEST

/* A block reached first through an interior pointer is possible, and so
 * is what it points to; a start pointer found later lifts both. */
START_TEST(possible_then_reachable)
{
	struct fake *f = fake_new();
	uint64_t roots[2];

	leakscan_add(&f->ls, at(0), 32);
	leakscan_add(&f->ls, at(1), 32);
	leakscan_add(&f->ls, at(2), 32);
	put(f, at(0), at(1));
	put(f, at(2), at(0));
	roots[0] = at(0) + 8;
	leakscan_sort(&f->ls);
	leakscan_root(&f->ls, roots, 1);
	ck_assert_int_eq(leakscan_mark(&f->ls, fake_read, f), 0);
	ck_assert_int_eq(kind(f, at(0), NULL), LEAK_POSSIBLE);
	ck_assert_int_eq(kind(f, at(1), NULL), LEAK_POSSIBLE);
	roots[1] = at(0);
	leakscan_root(&f->ls, roots + 1, 1);
	ck_assert_int_eq(leakscan_finish(&f->ls, fake_read, f), 0);
	ck_assert_int_eq(kind(f, at(0), NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, at(1), NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, at(2), NULL), LEAK_DEFINITE);
	fake_free(f);
}
END_TEST

/* Ends and corners: the byte past a block is not in it, a zero-sized
 * block is found by its address, unaligned words are not pointers. */
START_TEST(lookup_edges)
{
	struct fake *f = fake_new();

	leakscan_add(&f->ls, at(3), 0);
	leakscan_add(&f->ls, at(1), 40);
	leakscan_add(&f->ls, at(2), 64);
	leakscan_sort(&f->ls);
	ck_assert_int_eq(leakscan_lookup(&f->ls, at(1)), 0);
	ck_assert_int_eq(leakscan_lookup(&f->ls, at(1) + 39), 0);
	ck_assert_int_eq(leakscan_lookup(&f->ls, at(1) + 40), -1);
	ck_assert_int_eq(leakscan_lookup(&f->ls, at(2) + 63), 1);
	ck_assert_int_eq(leakscan_lookup(&f->ls, at(3)), 2);
	ck_assert_int_eq(leakscan_lookup(&f->ls, at(3) + 1), -1);
	ck_assert_int_eq(leakscan_lookup(&f->ls, at(0)), -1);
	ck_assert_int_eq(leakscan_lookup(&f->ls, 0), -1);
	ck_assert_int_eq(leakscan_lookup(&f->ls, UINT64_MAX), -1);
	ck_assert_int_eq(leakscan_kind(&f->ls, at(1) + 8, NULL),
			 LEAK_UNSCANNED);
	fake_free(f);
}
END_TEST

/* The lookup's megabyte buckets: a 3 MiB block found from a megabyte
 * where no block starts, and from before the first block of the next. */
START_TEST(lookup_across_megabytes)
{
	struct leakscan ls;
	const uint64_t x = 0x40000000ULL, mb = 1ULL << 20;

	leakscan_init(&ls, 0);
	leakscan_add(&ls, x + 3 * mb + 64, 16);
	leakscan_add(&ls, x, 3 * mb);
	leakscan_add(&ls, x + 9 * mb, 8);
	leakscan_sort(&ls);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 16), 0);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 2 * mb + 8), 0);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 3 * mb - 8), 0);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 3 * mb + 8), -1);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 3 * mb + 64), 1);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 3 * mb + 80), -1);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 5 * mb), -1);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 9 * mb + 7), 2);
	ck_assert_int_eq(leakscan_lookup(&ls, x + 9 * mb + 8), -1);
	leakscan_release(&ls);
}
END_TEST

START_TEST(zero_sized_and_unaligned)
{
	struct fake *f = fake_new();
	uint64_t root = at(0);

	leakscan_add(&f->ls, at(0), 20);	/* words at 0 and 8 only */
	leakscan_add(&f->ls, at(1), 0);
	leakscan_add(&f->ls, at(2), 8);
	put(f, at(0), at(1));
	put(f, at(0) + 16, at(2));		/* beyond the last whole word */
	run(f, &root, 1);
	ck_assert_int_eq(kind(f, at(1), NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, at(2), NULL), LEAK_DEFINITE);
	fake_free(f);
}
END_TEST

/* glibc's chunk header in a block's last word: ignored from a root,
 * followed from a block. */
START_TEST(glibc_chunk_header)
{
	struct fake *f = fake_new();
	uint64_t roots[2] = { at(0) + 16, at(2) + 16 };

	leakscan_add(&f->ls, at(0), 24);	/* next header at +16 */
	leakscan_add(&f->ls, at(1), 16);	/* next header at +16: outside */
	leakscan_add(&f->ls, at(2), 40);	/* next header at +32 */
	leakscan_add(&f->ls, at(3), 24);
	put(f, at(1) + 8, at(3) + 16);
	roots[1] = at(1) + 8;
	run(f, roots, 2);
	ck_assert_int_eq(kind(f, at(0), NULL), LEAK_DEFINITE);
	ck_assert_int_eq(kind(f, at(1), NULL), LEAK_POSSIBLE);
	ck_assert_int_eq(kind(f, at(3), NULL), LEAK_POSSIBLE);
	roots[0] = at(2) + 32;
	leakscan_root(&f->ls, roots, 1);
	ck_assert_int_eq(kind(f, at(2), NULL), LEAK_DEFINITE);
	roots[0] = at(2) + 24;
	leakscan_root(&f->ls, roots, 1);
	ck_assert_int_eq(kind(f, at(2), NULL), LEAK_POSSIBLE);
	fake_free(f);
}
END_TEST

/*
 * More blocks than a batch holds, and one block bigger than a batch: a
 * root block points to 3000 blocks, the last of which points to a 2 MiB
 * block whose last word points to a last block. Every one is reachable,
 * and the blocks were read in batches, not one by one.
 */
START_TEST(batches_and_big_block)
{
	struct fake *f = fake_new();
	const unsigned n = 3000;
	uint64_t root = at(0), big = at(n + 1), last, arr, ind;
	unsigned k;

	last = big + (2u << 20);
	arr = last + 64;
	leakscan_add(&f->ls, at(0), 64);
	put(f, at(0), arr);
	leakscan_add(&f->ls, arr, 8 * n);
	for (k = 1; k <= n; k++) {
		leakscan_add(&f->ls, at(k), 64);
		put(f, arr + 8 * (k - 1), at(k));
	}
	put(f, at(n) + 56, big);
	leakscan_add(&f->ls, big, 2u << 20);
	leakscan_add(&f->ls, last, 16);
	put(f, last - 8, last);
	run(f, &root, 1);
	for (k = 0; k <= n; k++)
		ck_assert_int_eq(kind(f, at(k), NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, big, NULL), LEAK_REACHABLE);
	ck_assert_int_eq(kind(f, last, &ind), LEAK_REACHABLE);
	ck_assert_uint_lt(f->calls, 12);
	ck_assert_uint_eq(f->ls.heap_bytes,
			  64ULL * (n + 1) + 8 * n + (2u << 20) + 16);
	fake_free(f);
}
END_TEST

START_TEST(read_failure)
{
	struct fake *f = fake_new();
	uint64_t root = at(0);

	leakscan_add(&f->ls, at(0), 16);
	leakscan_sort(&f->ls);
	leakscan_root(&f->ls, &root, 1);
	f->fail = 1;
	ck_assert_int_eq(leakscan_finish(&f->ls, fake_read, f), -1);
	fake_free(f);
}
END_TEST

START_TEST(kind_names)
{
	int k;

	for (k = 0; k < LEAK_UNSCANNED; k++)
		ck_assert_int_eq(leak_kind_parse(leak_kind_name(k)), k);
	ck_assert_int_eq(leak_kind_parse("unscanned"), -1);
	ck_assert_int_eq(leak_kind_parse("Definite"), -1);
	ck_assert_str_eq(leak_kind_name(LEAK_UNSCANNED), "unscanned");
}
END_TEST

Suite *make_leakscan_suite(void)
{
	Suite *s = suite_create("leakscan");
	TCase *tc = tcase_create("marking");

	tcase_add_test(tc, nine_cases);
	tcase_add_test(tc, tree);
	tcase_add_test(tc, cycles);
	tcase_add_test(tc, possible_then_reachable);
	tcase_add_test(tc, lookup_edges);
	tcase_add_test(tc, lookup_across_megabytes);
	tcase_add_test(tc, zero_sized_and_unaligned);
	tcase_add_test(tc, glibc_chunk_header);
	tcase_add_test(tc, batches_and_big_block);
	tcase_add_test(tc, read_failure);
	tcase_add_test(tc, kind_names);
	suite_add_tcase(s, tc);
	return s;
}
