/*
 * Leak suppressions in the formats projects already keep, read as leak
 * filters (docs/policy.md, "Suppression files"):
 *
 * - valgrind suppression files: entries "{ name / Memcheck:Leak /
 *   [match-leak-kinds: ...] / frame lines / }". Frame lines are
 *   "fun:GLOB" (function), "obj:GLOB" (object path), "src:FILE[:LINE]"
 *   (source file, a glob, and line) and "..." (any number of frames);
 *   * and ? are wildcards. The frames match from the innermost one; the
 *   allocator's own frames valgrind starts with (fun:malloc, fun:_Znwm,
 *   operator new...) are skipped, since memsup's stacks start at the
 *   allocator's caller. Entries of other kinds (Memcheck:Cond, ...) are
 *   counted and ignored; match-leak-kinds is accepted and not used.
 * - LeakSanitizer files: "leak:PATTERN" lines ('#' comments); a leak is
 *   filtered when any frame's function, object or source file contains
 *   PATTERN (* a wildcard, ^ and $ anchor it). Other types are ignored.
 *
 * The same frame lines give a policy leak filter its `stack:` form.
 * Pure: no I/O beyond reading the file, no supervisor types.
 */
#ifndef MEMSUP_SUPPRESS_H
#define MEMSUP_SUPPRESS_H

#include <stddef.h>

enum supp_frame_kind { SUPP_FUN, SUPP_OBJ, SUPP_SRC, SUPP_ANY };

struct supp_frame {
	enum supp_frame_kind kind;
	char *glob;			/* NULL for SUPP_ANY */
	unsigned line;			/* SUPP_SRC: 0 any line */
};

struct suppression {
	char *name;			/* the entry's name, or the LSan pattern */
	char *origin;			/* "FILE:LINE" where it stands */
	char *lsan;			/* LSan pattern (as fnmatch glob), or NULL */
	struct supp_frame *frames;	/* valgrind frames, innermost first */
	size_t nframes;
};

struct supp_list {
	struct suppression *v;
	size_t n;
	size_t ignored;			/* entries of other kinds */
};

/*
 * Appends the suppressions of file PATH to L. Returns 0, or -1 with a
 * message in ERR ("LINE: what is wrong"; line 0 when the file cannot be
 * read) and L unchanged.
 */
int supp_load_file(const char *path, struct supp_list *l, char *err,
		   size_t errlen);

/*
 * Parses one valgrind frame line ("fun:x", "obj:*libc*", "src:a.c:12",
 * "...") into F. Returns 0, or -1 with a static description in *WHY.
 */
int supp_parse_frame(const char *line, struct supp_frame *f, const char **why);
void supp_frame_release(struct supp_frame *f);

/* A frame of a leak's stack, as the matcher sees it. */
struct supp_view {
	const char *function, *file, *object;
	unsigned line;
};

/* Whether FRAMES[0 .. N) (innermost first) match S. */
int supp_match(const struct suppression *s, const struct supp_view *frames,
	       size_t n);
/* Whether the frame sequence V[0 .. NV) matches a prefix of FRAMES. */
int supp_match_frames(const struct supp_frame *v, size_t nv,
		      const struct supp_view *frames, size_t n);

void supp_list_release(struct supp_list *l);

#endif
