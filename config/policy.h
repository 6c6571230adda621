/*
 * The YAML policy (docs/policy.md), loaded with libyaml into plain C.
 *
 * Ownership: policy_load_*() returns a policy the caller frees with
 * policy_free(); every string and array in it belongs to the policy.
 * Diagnostics go into a struct policy_diag that the caller releases with
 * policy_diag_release(), whether the load succeeded or not.
 */
#ifndef MEMSUP_POLICY_H
#define MEMSUP_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/suppress.h"

#define POLICY_DEFAULT_STACK_DEPTH 16
#define POLICY_MAX_STACK_DEPTH 256

enum discover_mode {
	DISCOVER_AUTO = 0,
	DISCOVER_CHECK,
	DISCOVER_GTEST,
	DISCOVER_CMOCKA,
	DISCOVER_NONE,
};

/* Which limits of struct limits are set; an unset limit is unlimited. */
enum limit_flags {
	LIMIT_MEMORY = 1 << 0,		/* limit_memory: peak bytes */
	LIMIT_LEAKS = 1 << 1,		/* limit_leaks: bytes per call stack */
	LIMIT_ALLOCATIONS = 1 << 2,	/* max_allocations: a count */
	LIMIT_ALLOCATED = 1 << 3,	/* max_allocated: total bytes */
	LIMIT_FDS = 1 << 4,		/* limit_fds: a count */
	LIMIT_LEAK_KINDS = 1 << 5,	/* leak_kinds: what limit_leaks judges */
};

/* leak_kinds as bits, 1 << kind, in the order of enum leak_kind
 * (supervisor/leakscan.h): what limit_leaks judges. */
#define POLICY_KIND_DEFINITE (1u << 0)
#define POLICY_KIND_INDIRECT (1u << 1)
#define POLICY_KIND_POSSIBLE (1u << 2)
#define POLICY_KIND_REACHABLE (1u << 3)

struct limits {
	unsigned set;			/* enum limit_flags */
	uint64_t memory;
	uint64_t leaks;
	uint64_t allocations;
	uint64_t allocated;
	uint64_t fds;
	unsigned leak_kinds;		/* POLICY_KIND_* bits */
};

/*
 * A leak is ignored when any frame matches every field given (globs), or,
 * with `stack`, when its frames from the innermost match that sequence of
 * valgrind-style frame lines (config/suppress.h).
 */
struct leak_filter {
	char *function;			/* NULL when not given */
	char *file;
	char *object;
	struct supp_frame *stack;	/* NULL when not given */
	size_t nstack;
	unsigned line;			/* where it stands in the policy */
};

/* What a test's scope covers: `scope:` globally or per test. */
enum scope_kind {
	SCOPE_UNSET = 0,		/* per test: the policy's; globally: test */
	SCOPE_TEST,			/* the test with its per-test fixtures */
	SCOPE_FUNCTION,			/* the boundary function's call only */
};

struct test_entry {
	char *pattern;			/* test name, symbol or glob */
	enum scope_kind scope;		/* SCOPE_UNSET: the policy's */
	int is_glob;			/* pattern has *, ? or [ */
	struct limits limits;		/* only what this entry sets */
	struct leak_filter *filters;
	size_t nfilters;
	unsigned line, column;
};

/*
 * A policy allocator and the shape of its calls (config/allocshape.h
 * turns arguments into a size and a block):
 *  - size_arg N: the size is argument N (1 when nothing is said);
 *  - count_arg C with size_arg N: calloc-shaped, count x size;
 *  - size: a fixed size for every block (fixed_size set, size_arg 0);
 *    `size: none` is a fixed size of 0 (blocks counted, no bytes).
 */
struct allocator_spec {
	char *alloc;			/* returns the new block */
	unsigned size_arg;		/* 1..6; 0 with a fixed size */
	unsigned count_arg;		/* 1..6, or 0: no count */
	int fixed_size;			/* `size:` given */
	uint64_t size;			/* the fixed size (0 for none) */
	char *free;			/* NULL, or the function that frees */
	unsigned free_arg;		/* 1..6: free's argument with the block */
	unsigned line;
};

struct policy {
	char *path;
	int version;			/* 1 */
	enum discover_mode discover;
	unsigned stack_depth;		/* POLICY_DEFAULT_STACK_DEPTH if unset */
	enum scope_kind scope;		/* SCOPE_TEST if unset */
	struct limits defaults;
	struct limits program;		/* `program`: the whole-program scope */
	struct test_entry *tests;	/* in file order */
	size_t ntests;
	struct test_entry *functions;	/* `functions`: boundaries by name */
	size_t nfunctions;
	struct leak_filter *filters;	/* top-level leak_filters */
	size_t nfilters;
	struct allocator_spec *allocators;
	size_t nallocators;
	/* suppressions: the entries of the valgrind and LeakSanitizer
	 * files it names, read at load time (paths relative to the
	 * policy's directory) */
	struct supp_list supps;
};

struct policy_error {
	unsigned line, column;		/* 1-based; 0 when not known */
	char *msg;			/* without file:line:column */
};

struct policy_diag {
	struct policy_error *errors;
	size_t nerrors;
};

/*
 * NULL when any error was found; every error is in diag, not only the first.
 * Both initialise *diag (a previous content must have been released); diag
 * may be NULL to drop the messages. A missing or unreadable file is an
 * error with line 0. NAME is the path kept in pol->path ("<string>" when
 * NULL); BUF need not be NUL-terminated. A policy larger than
 * POLICY_MAX_BYTES is an error (nothing past the bound is read); loading
 * takes time linear in the policy's size.
 */
#define POLICY_MAX_BYTES (16u << 20)
struct policy *policy_load_file(const char *path, struct policy_diag *diag);
struct policy *policy_load_string(const char *name, const char *buf,
				  size_t len, struct policy_diag *diag);
void policy_free(struct policy *pol);

/* "FILE:LINE:COLUMN: error: MSG" per error, in file order. */
void policy_diag_print(FILE *fp, const char *path,
		       const struct policy_diag *diag);
void policy_diag_release(struct policy_diag *diag);

/*
 * The entry for a test called NAME, or NULL: an exact key wins over a glob,
 * among globs the first in file order.
 */
const struct test_entry *policy_match(const struct policy *pol,
				      const char *name);

/* The scope kind of a test whose entry is TE (may be NULL). */
enum scope_kind policy_scope_for(const struct policy *pol,
				 const struct test_entry *te);

/* defaults overridden by what TE sets (TE may be NULL). */
void policy_limits_for(const struct policy *pol, const struct test_entry *te,
		       struct limits *out);

/*
 * Glob keys that an earlier glob of the same section shadows: every name
 * they match, the earlier one matches first, so their limits never
 * apply. FN (may be NULL) is called for each with the SECTION ("tests",
 * "functions"), the shadowed entry and the earlier one. Returns how many.
 */
typedef void (*policy_shadow_fn)(const char *section,
				 const struct test_entry *shadowed,
				 const struct test_entry *by, void *arg);
size_t policy_shadowed(const struct policy *pol, policy_shadow_fn fn,
		       void *arg);

/* "FILE:LINE:COLUMN: warning: ..." for each shadowed key; how many. */
size_t policy_warn_shadowed(FILE *fp, const char *path,
			    const struct policy *pol);

/* The normalised policy: every size in bytes, every default, a line a test. */
void policy_print(FILE *fp, const struct policy *pol);

const char *discover_mode_name(enum discover_mode mode);

#endif
