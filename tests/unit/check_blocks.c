/*
 * supervisor/blocks.c: the live-block table. Insert, find, remove with
 * backward-shift deletion (every survivor still found), replacement of an
 * address seen twice, growth past millions of blocks, and fork copies.
 */
#include <stdint.h>
#include <stdlib.h>

#include "suites.h"
#include "supervisor/blocks.h"

static struct block blk(uint64_t addr, uint64_t size, uint64_t seq)
{
	struct block b = { addr, size, seq, (uint32_t)(seq % 7), 0 };

	return b;
}

START_TEST(insert_find_remove)
{
	struct blocks bl;
	struct block b = blk(0x1000, 24, 1), old, out;

	blocks_init(&bl);
	ck_assert_int_eq(blocks_insert(&bl, &b, &old), 0);
	ck_assert_uint_eq(bl.count, 1);
	ck_assert_uint_eq(bl.bytes, 24);
	ck_assert_int_eq(blocks_find(&bl, 0x1000, &out), 0);
	ck_assert_uint_eq(out.size, 24);
	ck_assert_uint_eq(out.stack, 1);
	ck_assert_int_eq(blocks_find(&bl, 0x2000, NULL), -1);
	ck_assert_int_eq(blocks_remove(&bl, 0x2000, &out), -1);
	ck_assert_int_eq(blocks_remove(&bl, 0x1000, &out), 0);
	ck_assert_uint_eq(out.size, 24);
	ck_assert_uint_eq(out.seq, 1);
	ck_assert_uint_eq(bl.count, 0);
	ck_assert_uint_eq(bl.bytes, 0);
	ck_assert_int_eq(blocks_find(&bl, 0x1000, NULL), -1);
	blocks_release(&bl);
}
END_TEST

START_TEST(replace_same_address)
{
	struct blocks bl;
	struct block a = blk(0x4000, 100, 1), b = blk(0x4000, 40, 2), old;

	blocks_init(&bl);
	ck_assert_int_eq(blocks_insert(&bl, &a, &old), 0);
	ck_assert_int_eq(blocks_insert(&bl, &b, &old), 1);
	ck_assert_uint_eq(old.size, 100);
	ck_assert_uint_eq(old.seq, 1);
	ck_assert_uint_eq(bl.count, 1);
	ck_assert_uint_eq(bl.bytes, 40);
	blocks_release(&bl);
}
END_TEST

static int sum_sizes(const struct block *b, void *arg)
{
	*(uint64_t *)arg += b->size;
	return 0;
}

/*
 * Many blocks, 16 bytes apart as an allocator hands them out, removed in
 * an interleaved order: after each removal burst every survivor must be
 * found (a wrong backward shift loses members of a probe run).
 */
START_TEST(many_blocks)
{
	const uint64_t n = 300000;
	struct blocks bl, copy;
	struct block b, old, out;
	uint64_t i, sum = 0, want = 0;

	blocks_init(&bl);
	for (i = 0; i < n; i++) {
		b = blk(0x7f0000000000ULL + i * 16, i % 1000 + 1, i + 1);
		ck_assert_int_eq(blocks_insert(&bl, &b, &old), 0);
	}
	ck_assert_uint_eq(bl.count, n);
	for (i = 0; i < n; i += 3)
		ck_assert_int_eq(blocks_remove(&bl, 0x7f0000000000ULL + i * 16,
					       &out), 0);
	for (i = 0; i < n; i++) {
		int r = blocks_find(&bl, 0x7f0000000000ULL + i * 16, &out);

		if (i % 3 == 0) {
			ck_assert_int_eq(r, -1);
		} else {
			ck_assert_int_eq(r, 0);
			ck_assert_uint_eq(out.size, i % 1000 + 1);
			ck_assert_uint_eq(out.seq, i + 1);
			ck_assert_uint_eq(out.stack, (i + 1) % 7);
			want += i % 1000 + 1;
		}
	}
	ck_assert_uint_eq(bl.count, n - (n + 2) / 3);
	ck_assert_uint_eq(bl.bytes, want);
	blocks_foreach(&bl, sum_sizes, &sum);
	ck_assert_uint_eq(sum, want);

	/* A forked child's copy is independent of its parent's table. */
	blocks_copy(&copy, &bl);
	ck_assert_int_eq(blocks_remove(&copy, 0x7f0000000000ULL + 16, &out), 0);
	ck_assert_int_eq(blocks_find(&bl, 0x7f0000000000ULL + 16, NULL), 0);
	ck_assert_uint_eq(copy.count, bl.count - 1);
	blocks_release(&copy);
	blocks_release(&bl);
}
END_TEST

/* What the 24-byte slot keeps: big sizes, flags, and the stack limit. */
START_TEST(packing)
{
	struct blocks bl;
	struct block b = { 0x5000, (1ULL << 40) + 3, (1ULL << 39) + 5,
			   (1u << 24) - 1, BLOCK_NEW_ARRAY }, old, out;
	struct block big = { 0x6000, 8, 9, 1u << 24, BLOCK_NEW };

	blocks_init(&bl);
	blocks_insert(&bl, &b, &old);
	blocks_insert(&bl, &big, &old);
	ck_assert_int_eq(blocks_find(&bl, 0x5000, &out), 0);
	ck_assert_uint_eq(out.size, (1ULL << 40) + 3);
	ck_assert_uint_eq(out.seq, (1ULL << 39) + 5);
	ck_assert_uint_eq(out.stack, (1u << 24) - 1);
	ck_assert_uint_eq(out.flags, BLOCK_NEW_ARRAY);
	ck_assert_int_eq(blocks_find(&bl, 0x6000, &out), 0);
	ck_assert_uint_eq(out.stack, 0);	/* over the limit: none */
	ck_assert_uint_eq(out.flags, BLOCK_NEW);
	ck_assert_uint_eq(sizeof(struct block_slot), 24);
	blocks_release(&bl);
}
END_TEST

Suite *make_blocks_suite(void)
{
	Suite *s = suite_create("blocks");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, insert_find_remove);
	tcase_add_test(tc, replace_same_address);
	tcase_add_test(tc, many_blocks);
	tcase_add_test(tc, packing);
	suite_add_tcase(s, tc);
	return s;
}
