/*
 * Scopes at run time: opening a test scope at a boundary, closing it
 * (descriptors, leaks, limits, the line on the terminal), and the images
 * whose symbols explain the stacks they recorded.
 */
#ifndef MEMSUP_SESSION_H
#define MEMSUP_SESSION_H

#include "supervisor/symbols.h"
#include "supervisor/tracee.h"

/* A new image for the program PROC now runs (exec, launch or attach). */
struct image *image_new(struct session *s, const char *exe);
/* Tells the image's symbolizer about every object of OBJS. */
void image_add_objects(struct image *img, const struct objects *objs);
/* The boundaries of executable EXE under the session's policy (cached). */
const struct boundaries *session_boundaries(struct session *s,
					    const char *exe);

/* A scope for boundary B (NULL: the whole program) opened in PROC. */
struct scope *scope_open(struct session *s, struct process *proc,
			 const struct boundary *b);
/*
 * A test's scope opened before the test is known (its checked setup
 * runs first): named WHAT until scope_bind() names it after its test.
 */
struct scope *scope_open_pending(struct session *s, struct process *proc,
				 const char *what);
/* SC is now boundary B's scope: its name, classname, file and limits. */
void scope_bind(struct session *s, struct process *proc, struct scope *sc,
		const struct boundary *b);
/* Closes SC in PROC without a result (a scope that is not wanted). */
void scope_discard(struct process *proc, struct scope *sc);

/*
 * Closes SC in PROC: reads the descriptors left open (unless the process
 * is gone), finds its leaks and its peak, judges it against its limits,
 * and hands it to the report. REASON is taken over (may be NULL).
 */
void scope_finish(struct session *s, struct process *proc, struct scope *sc,
		  enum scope_status status, char *reason, int alive);

/*
 * Frames of interned stack STACK, symbolised (inlined calls included),
 * outermost last; returns how many were written (at most MAX).
 */
unsigned session_symbolize(const struct session *s, uint32_t stack,
			   struct sym_frame *out, unsigned max);

/* Gives numbered names (name[0], name[1], ...) to repeated results. */
void session_number_results(struct session *s);

#endif
