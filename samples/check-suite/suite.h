/*
 * check-suite: a real Check suite (fork mode by default, CK_FORK=no works
 * too) whose every test has known heap figures, for memsup's e2e tests.
 *
 * The figures of each test are named here; expected.md derives the
 * metrics memsup must report from them, with the arithmetic. No test but
 * test_fail calls a ck_assert macro: a passing ck_assert is not free in
 * Check 0.15 (_mark_point() sends the location over Check's pipe: a
 * strdup of __FILE__ and the packed message, two mallocs and two frees
 * inside the test, see expected.md), so the other tests check their
 * results with plain ifs that call ck_abort_msg() only when a libc call
 * fails, which it does not.
 *
 * TCase "Core": test_clean test_leak test_fd test_fail
 * TCase "Limits": test_peak test_count test_loop (3 iterations), and an
 * unchecked fixture that churns the heap outside every test.
 */
#ifndef SAMPLES_CHECK_SUITE_H
#define SAMPLES_CHECK_SUITE_H

#include <stddef.h>
#include <stdio.h>

/* test_clean: CLEAN_BLOCKS blocks of CLEAN_SIZE, all held, all freed */
#define CLEAN_BLOCKS		4
#define CLEAN_SIZE		256

/* test_peak: PEAK_BLOCKS blocks of PEAK_SIZE held at once, then freed */
#define PEAK_BLOCKS		3
#define PEAK_SIZE		40000
#define PEAK_LIMIT		102400		/* limits.yaml: 100 KB */

/*
 * test_leak: NODE_BLOCKS from make_node(), LABEL_BLOCKS from make_label()
 * and one CACHE_SIZE block from cache_intern() (cache.c), all leaked;
 * each helper is called from one call site in a loop, so each makes one
 * call stack.
 */
#define NODE_BLOCKS		3
#define NODE_SIZE		100
#define LABEL_BLOCKS		2
#define LABEL_SIZE		64
#define CACHE_SIZE		48
#define LEAK_LIMIT		256		/* limits.yaml: 256 B per stack */

/* test_count: COUNT_BLOCKS malloc+free pairs of COUNT_SIZE, one at a time */
#define COUNT_BLOCKS		150
#define COUNT_SIZE		16
#define COUNT_LIMIT		100		/* limits.yaml: max_allocations */

/*
 * test_fd: fopen("/dev/null") left open: one descriptor, and the FILE
 * glibc mallocs for it (sizeof(struct locked_FILE): 472 bytes on glibc
 * 2.36 x86-64), leaked from a stack through libc's fopen.
 */
#define FD_PATH			"/dev/null"
#define FD_FILE_SIZE		472

/*
 * test_fail: FAIL_BLOCKS blocks of FAIL_SIZE, then a failing
 * ck_assert_int_eq(fail_answer(), FAIL_EXPECTED): the fork child exits
 * with status 1 inside the test (CK_FORK=no: longjmp out of it).
 */
#define FAIL_BLOCKS		2
#define FAIL_SIZE		512
#define FAIL_ANSWER		42
#define FAIL_EXPECTED		41

/* test_loop, iteration i in [0, LOOP_ITERATIONS): LOOP_BASE*(i+1) blocks */
#define LOOP_ITERATIONS		3
#define LOOP_BASE		10
#define LOOP_SIZE		32
#define LOOP_MAX_BLOCKS		(LOOP_BASE * LOOP_ITERATIONS)
#define LOOP_LIMIT		700		/* limits.yaml: max_allocated */

/* The unchecked fixture of "Limits": churn outside every test. */
#define CHURN_BLOCKS		1000000
#define CHURN_SIZE		16

/* heap.c: helpers kept out of line, one call stack each */
void *make_node(void);
void *make_label(void);
void alloc_blocks(void **v, size_t n, size_t size);
void free_blocks(void **v, size_t n);
void count_pairs(size_t n, size_t size);
FILE *open_log(const char *path);
int fail_answer(void);
void churn(size_t n, size_t size);

/* cache.c: a cache that keeps its block forever (a leak by design) */
void *cache_intern(void);

#endif
