/*
 * Scopes and their figures (docs/discovery.md), pure accounting with no ptrace.
 *
 * A process owns its live blocks and a list of open scopes. Every
 * allocation and free is applied to each open scope of its process. A
 * scope owns the blocks born at or after its open_seq, which is how peak
 * ignores frees of older blocks and how leaks are found at close without
 * copying the heap.
 */
#ifndef MEMSUP_SCOPE_H
#define MEMSUP_SCOPE_H

#include <stdint.h>
#include <sys/types.h>

#include "supervisor/blocks.h"
#include "supervisor/leakscan.h"

enum scope_status {
	SCOPE_OPEN = 0,
	SCOPE_PASSED,
	SCOPE_FAILED,
	SCOPE_UNFINISHED,
};

struct scope_metrics {
	uint64_t allocations;
	uint64_t allocated;		/* bytes requested */
	uint64_t frees;
	uint64_t unknown_frees;
	uint64_t current;		/* bytes live, born in the scope */
	uint64_t peak;
	uint64_t leaked_bytes;		/* set at close: every kind */
	uint64_t leaked_blocks;
	/* By enum leak_kind (docs/leaks.md), set at close. */
	uint64_t kind_bytes[LEAK_NKINDS];
	uint64_t kind_blocks[LEAK_NKINDS];
	uint64_t peak_seq;		/* allocation that reached the peak */
};

/* What a call stack did in a scope: allocated there, or live at peak. */
struct site {
	uint32_t stack;			/* interned stack id, 0 = unknown */
	uint32_t filtered;		/* leaks: a leak filter matched it */
	uint64_t bytes;
	uint64_t blocks;
	uint32_t kind;			/* leaks: enum leak_kind */
	uint32_t unjudged;		/* leaks: its kind is not in leak_kinds */
	uint64_t indirect;		/* leaks, definite: the bytes of the
					 * indirect blocks they hold */
};

struct site_table {
	struct site *v;			/* open addressing on stack + 1 */
	size_t mask, count;
};

struct scope_failure {
	const char *check;		/* "limit_memory", ... (static) */
	uint64_t limit, value;
	char *message;			/* pytest-memray's words */
};

/* memsup --repeat N: a test's figures in each run it ran in, oldest
 * first (the scope's own metrics hold the headline, the minimum). */
struct scope_repeats {
	size_t n;
	uint64_t *peak, *allocated, *allocations;
};

struct fd_entry {
	int fd;
	char *target;			/* readlink of /proc/PID/fd/N */
};

struct scope {
	struct scope *next;		/* in the accounting's list */
	char *name;			/* "name", "name[i]" once numbered */
	char *base;			/* the test's name, unnumbered */
	char *classname;
	char *file;
	unsigned line;
	char *executable;
	char *command;
	pid_t pid;
	uint64_t open_seq;
	uint64_t order;			/* session-wide opening order */
	int is_program;			/* the whole-program scope (no policy) */
	const void *boundary;		/* struct boundary, NULL for programs */
	enum scope_status status;
	char *reason;			/* why unfinished, else NULL */
	struct scope_metrics m;
	double start, end;		/* seconds, CLOCK_MONOTONIC */
	/* Sites: where it allocated, and what was live at its peak. */
	struct site_table allocs;
	/* The scope's blocks freed since its current peak, by stack: they
	 * were live at the peak. Per stack, not per block, so that it stays
	 * small when a million blocks are freed after the peak. */
	struct site_table pfreed;
	struct site *peak_sites;	/* set at close, by bytes */
	size_t npeak_sites;
	struct site *leaks;		/* set at close, by bytes */
	size_t nleaks;
	struct scope_failure *failures;
	size_t nfailures;
	unsigned judged;		/* the limit_set bits it was judged by */
	struct fd_entry *fds_open;	/* at open, sorted by fd */
	size_t nfds_open;
	struct fd_entry *fds_leaked;	/* at close */
	size_t nfds_leaked;
	struct scope_repeats *repeats;	/* --repeat N, else NULL */
	/*
	 * A paused scope counts nothing, and does not own the blocks born
	 * while it is paused: gaps[i] = [first, end) sequences of each
	 * pause (end 0 while paused). A test's scope pauses while its
	 * framework runs between its fixtures and the test.
	 */
	int paused;
	uint64_t (*gaps)[2];
	size_t ngaps, agaps;
};

/* The accounting of one process image. */
struct heap {
	struct blocks live;
	uint64_t next_seq;
	struct scope **open;		/* innermost last */
	size_t nopen, aopen;
};

void heap_init(struct heap *h);
/* H becomes a forked child's copy of PARENT: same blocks, no open scope. */
void heap_fork(struct heap *h, const struct heap *parent);
void heap_release(struct heap *h);

/* Opens S (already named) in H: it owns blocks from now on. */
void heap_open_scope(struct heap *h, struct scope *s);
/* Closes S: leaks are the blocks it owns that are still live. */
void heap_close_scope(struct heap *h, struct scope *s,
		      enum scope_status status, char *reason);
/*
 * The kind of the live block at ADDR, and for a definite block the bytes
 * of the indirect blocks it holds (leakscan_kind()).
 */
typedef enum leak_kind (*block_kind_fn)(const void *arg, uint64_t addr,
					uint64_t *indirect);
/*
 * heap_close_scope() with the leaks grouped by call stack and kind, kinds
 * from KIND (NULL: every block LEAK_UNSCANNED). The groups are sorted by
 * kind (definite first), then by bytes.
 */
void heap_close_scope_kinds(struct heap *h, struct scope *s,
			    enum scope_status status, char *reason,
			    block_kind_fn kind, const void *arg);

/* S stops counting (and owning what is born) until heap_resume_scope(). */
void heap_pause_scope(struct heap *h, struct scope *s);
void heap_resume_scope(struct heap *h, struct scope *s);
/* Whether S owns a block born at sequence SEQ. */
int scope_owns(const struct scope *s, uint64_t seq);

/* An allocation of SIZE at ADDR (0: a failed call, not counted). */
void heap_alloc(struct heap *h, uint64_t addr, uint64_t size,
		uint32_t stack, uint32_t flags);
/* A free of ADDR (0: free(NULL), nothing). Returns 0, -1 if unknown. */
int heap_free(struct heap *h, uint64_t addr);

const char *scope_status_name(enum scope_status st);
void scope_free(struct scope *s);

void site_table_add(struct site_table *t, uint32_t stack, uint64_t bytes);
/* BLOCKS blocks of BYTES in all for STACK. */
void site_table_add_n(struct site_table *t, uint32_t stack, uint64_t bytes,
		      uint64_t blocks);
/* Empties T, in time proportional to its count: a table mostly empty
 * gives its memory back rather than be wiped whole. */
void site_table_clear(struct site_table *t);
/* The sites sorted by bytes, descending (caller frees); *N their count. */
struct site *site_table_sorted(const struct site_table *t, size_t *n);
void site_table_release(struct site_table *t);

/* Adds a failure with a message built from FMT. */
void scope_add_failure(struct scope *s, const char *check, uint64_t limit,
		       uint64_t value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
