/*
 * supervisor/recmaps.c: which mappings named memsup-recorder are a
 * recorder of this memsup's, found in this very process. A memfd named so
 * is mapped as an attach leaves it (code read-execute at offset 0, twice,
 * data read-write after it, the code's header naming the data); the code
 * must be the recorder's bytes but for the header's data address and the
 * trap bytes a detach turns into no-ops, else it is someone else's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "recorder/shared.h"
#include "suites.h"
#include "supervisor/recmaps.h"
#include "supervisor/remote.h"

#define CODE_SIZE 8192u
#define DATA_SIZE 16384u
#define BLOB_LEN 200u

struct fake {
	int fd;				/* written with pwrite: a view of
					 * ours would be one more mapping */
	uint8_t *code[2];
	uint8_t *data;
	uint8_t blob[BLOB_LEN];
	struct remote mem;
};

static void put(struct fake *f, size_t off, const void *p, size_t n)
{
	ck_assert_int_eq(pwrite(f->fd, p, n, (off_t)off), (ssize_t)n);
}

static void put64(struct fake *f, size_t off, uint64_t v)
{
	put(f, off, &v, sizeof(v));
}

static void put8(struct fake *f, size_t off, uint8_t v)
{
	put(f, off, &v, 1);
}

static void fake_make(struct fake *f, const char *name)
{
	struct rec_code_header *h = (struct rec_code_header *)f->blob;
	unsigned i;

	for (i = 0; i < BLOB_LEN; i++)
		f->blob[i] = (uint8_t)(i * 7 + 1);
	memset(h, 0, sizeof(*h));
	h->magic = REC_MAGIC;
	h->code_size = BLOB_LEN;
	h->off_trap_rule = 100;
	h->off_trap_unwind = 110;
	h->off_trap_full = 120;
	f->blob[100] = f->blob[110] = f->blob[120] = 0xcc;

	f->fd = memfd_create(name, MFD_CLOEXEC);
	ck_assert_int_ge(f->fd, 0);
	ck_assert_int_eq(ftruncate(f->fd, CODE_SIZE + DATA_SIZE), 0);
	for (i = 0; i < 2; i++) {
		f->code[i] = mmap(NULL, CODE_SIZE, PROT_READ | PROT_EXEC,
				  MAP_SHARED, f->fd, 0);
		ck_assert_ptr_ne(f->code[i], MAP_FAILED);
	}
	f->data = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       f->fd, CODE_SIZE);
	ck_assert_ptr_ne(f->data, MAP_FAILED);
	put(f, 0, f->blob, BLOB_LEN);
	/* what memsup writes at placement */
	put64(f, offsetof(struct rec_code_header, data),
	      (uint64_t)(uintptr_t)f->data);
	put64(f, CODE_SIZE, REC_MAGIC);
	ck_assert_int_eq(remote_open(&f->mem, getpid()), 0);
}

static void fake_free(struct fake *f)
{
	munmap(f->code[0], CODE_SIZE);
	munmap(f->code[1], CODE_SIZE);
	munmap(f->data, DATA_SIZE);
	close(f->fd);
	remote_close(&f->mem);
}

static int find(struct fake *f, uint64_t skip, struct rec_set *set,
		unsigned *others)
{
	return recmaps_find(getpid(), &f->mem, f->blob, BLOB_LEN, CODE_SIZE,
			    skip, set, 1, others);
}

START_TEST(test_found)
{
	struct fake f;
	struct rec_set set;
	unsigned others;
	uint64_t c0, c1;

	fake_make(&f, "memsup-recorder");
	ck_assert_int_eq(find(&f, 0, &set, &others), 1);
	ck_assert_uint_eq(others, 0);
	ck_assert_uint_eq(set.data, (uint64_t)(uintptr_t)f.data);
	ck_assert_uint_eq(set.data_size, DATA_SIZE);
	ck_assert_uint_eq(set.code_size, CODE_SIZE);
	ck_assert_uint_eq(set.ncode, 2);
	c0 = (uint64_t)(uintptr_t)f.code[0];
	c1 = (uint64_t)(uintptr_t)f.code[1];
	ck_assert(set.code[0] == c0 || set.code[1] == c0);
	ck_assert(set.code[0] == c1 || set.code[1] == c1);
	/* the recorder being placed is not a leftover */
	ck_assert_int_eq(find(&f, set.data, &set, &others), 0);
	ck_assert_uint_eq(others, 0);
	fake_free(&f);
}
END_TEST

START_TEST(test_detached_traps)
{
	struct fake f;
	struct rec_set set;
	unsigned others;

	fake_make(&f, "memsup-recorder");
	/* a detach turns the traps into no-ops: still this recorder */
	put8(&f, 100, 0x90);
	put8(&f, 110, 0x90);
	put8(&f, 120, 0x90);
	ck_assert_int_eq(find(&f, 0, &set, &others), 1);
	ck_assert_uint_eq(others, 0);
	fake_free(&f);
}
END_TEST

START_TEST(test_other_code)
{
	struct fake f;
	struct rec_set set;
	unsigned others;

	fake_make(&f, "memsup-recorder");
	/* one byte of another build: two code mappings and their data left
	 * alone */
	put8(&f, 150, (uint8_t)(f.blob[150] ^ 1));
	ck_assert_int_eq(find(&f, 0, &set, &others), 0);
	ck_assert_uint_eq(others, 3);
	put8(&f, 150, f.blob[150]);
	/* a no-op where no trap is */
	put8(&f, 101, 0x90);
	ck_assert_int_eq(find(&f, 0, &set, &others), 0);
	ck_assert_uint_eq(others, 3);
	fake_free(&f);
}
END_TEST

START_TEST(test_no_data)
{
	struct fake f;
	struct rec_set set;
	unsigned others;

	fake_make(&f, "memsup-recorder");
	/* the header names no data region of ours, or one without magic */
	put64(&f, offsetof(struct rec_code_header, data),
	      (uint64_t)(uintptr_t)f.data + 4096);
	ck_assert_int_eq(find(&f, 0, &set, &others), 0);
	ck_assert_uint_eq(others, 3);
	put64(&f, offsetof(struct rec_code_header, data),
	      (uint64_t)(uintptr_t)f.data);
	put64(&f, CODE_SIZE, 0);
	ck_assert_int_eq(find(&f, 0, &set, &others), 0);
	ck_assert_uint_eq(others, 3);
	fake_free(&f);
}
END_TEST

START_TEST(test_other_name)
{
	struct fake f;
	struct rec_set set;
	unsigned others;

	/* the same bytes under another name are not looked at */
	fake_make(&f, "someone-else");
	ck_assert_int_eq(find(&f, 0, &set, &others), 0);
	ck_assert_uint_eq(others, 0);
	fake_free(&f);
}
END_TEST

Suite *make_recmaps_suite(void)
{
	Suite *s = suite_create("recmaps");
	TCase *tc = tcase_create("find");

	tcase_add_test(tc, test_found);
	tcase_add_test(tc, test_detached_traps);
	tcase_add_test(tc, test_other_code);
	tcase_add_test(tc, test_no_data);
	tcase_add_test(tc, test_other_name);
	suite_add_tcase(s, tc);
	return s;
}
