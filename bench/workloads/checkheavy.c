/*
 * checkheavy: a Check suite with a heavy setup: an unchecked
 * fixture builds a catalogue of N records, one malloc each, in a hash
 * table (one calloc), and frees it all after the tests; all of that is
 * outside every test. The tests, forked by Check as usual, query the
 * catalogue and allocate a little (each assertion allocates in Check's
 * fork mode, so they assert once, after their loops):
 *
 *   setup      N + 1 allocations, N + 1 frees (teardown)
 *   lookup     no allocation: 10,000 lookups
 *   query      100 matches copied into a list, then freed (100 + 100)
 *   report     one 64 KiB buffer formatted and freed (1 + 1)
 *   loop       5 iterations x 10 blocks, freed (50 + 50 in all)
 *
 *   checkheavy [N]     default 1000000
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct record {
	struct record *next;	/* hash chain */
	uint64_t key;
	double price;
	char name[24];
};

static long nrecords = 1000000;
static struct record **table;
static size_t table_size;	/* a power of two */

static uint64_t key_of(long i)
{
	return (uint64_t)i * 0x9e3779b97f4a7c15ULL;
}

static size_t slot_of(uint64_t key)
{
	return (size_t)(key >> 17) & (table_size - 1);
}

static const struct record *lookup(uint64_t key)
{
	const struct record *r;

	for (r = table[slot_of(key)]; r; r = r->next)
		if (r->key == key)
			return r;
	return NULL;
}

static void catalogue_build(void)
{
	long i;

	for (table_size = 1; table_size < (size_t)nrecords; table_size <<= 1)
		;
	table = calloc(table_size, sizeof(*table));
	if (!table)
		abort();
	for (i = 0; i < nrecords; i++) {
		struct record *r = malloc(sizeof(*r));
		size_t s;

		if (!r)
			abort();
		r->key = key_of(i);
		r->price = (double)(i % 1000) / 8;
		snprintf(r->name, sizeof(r->name), "item-%08lx", (long)i);
		s = slot_of(r->key);
		r->next = table[s];
		table[s] = r;
	}
}

static void catalogue_free(void)
{
	size_t s;

	for (s = 0; s < table_size; s++) {
		struct record *r = table[s], *next;

		for (; r; r = next) {
			next = r->next;
			free(r);
		}
	}
	free(table);
	table = NULL;
}

START_TEST(test_lookup)
{
	long i, found = 0;

	for (i = 0; i < 10000; i++)
		found += lookup(key_of((i * 7919) % nrecords)) != NULL;
	ck_assert_int_eq(found, 10000);
}
END_TEST

struct match {
	struct match *next;
	struct record copy;
};

START_TEST(test_query)
{
	struct match *list = NULL, *m;
	long i, n = 0, missing = 0;

	for (i = 0; i < 100; i++) {
		const struct record *r = lookup(key_of(i * 31 % nrecords));

		m = malloc(sizeof(*m));
		if (!m)
			abort();
		if (r)
			m->copy = *r;
		missing += !r;
		m->next = list;
		list = m;
	}
	while (list) {
		m = list->next;
		free(list);
		list = m;
		n++;
	}
	ck_assert_int_eq(n - missing, 100);
}
END_TEST

START_TEST(test_report)
{
	size_t size = 65536, used = 0;
	char *buf = malloc(size);
	long i;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < 1000 && used + 64 < size; i++) {
		const struct record *r = lookup(key_of(i));

		used += (size_t)snprintf(buf + used, size - used, "%s %.2f\n",
					 r->name, r->price);
	}
	ck_assert_uint_gt(used, 0);
	free(buf);
}
END_TEST

START_TEST(test_loop)
{
	void *v[10];
	int i, got = 0;

	for (i = 0; i < 10; i++) {
		v[i] = malloc(32 + (size_t)(_i * 10 + i) * 8);
		got += v[i] != NULL;
	}
	for (i = 0; i < 10; i++)
		free(v[i]);
	ck_assert_int_eq(got, 10);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("checkheavy");
	TCase *tc = tcase_create("Catalogue");
	SRunner *sr;
	int failed;

	if (argc > 1)
		nrecords = atol(argv[1]);
	if (nrecords < 1000)
		nrecords = 1000;
	tcase_add_unchecked_fixture(tc, catalogue_build, catalogue_free);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_query);
	tcase_add_test(tc, test_report);
	tcase_add_loop_test(tc, test_loop, 0, 5);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
