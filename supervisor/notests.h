/*
 * A policy run that finds nothing to supervise (docs/discovery.md):
 *
 *  - Discovery's warnings about an executable are printed when it is the
 *    program named on the command line (or attached to), when it has test
 *    boundaries, or with -v. Others (the shell of a wrapper script, the
 *    tools a test runs) are kept: they explain an empty run.
 *  - With `discover: none` and no `tests` nor `functions`, a process is one
 *    whole-program scope with the policy's defaults and `program` limits.
 *  - Otherwise, when no executable of the run had a boundary, the run is
 *    a supervision failure: notests_refused() says why, per executable.
 */
#ifndef MEMSUP_NOTESTS_H
#define MEMSUP_NOTESTS_H

#include "breakpoints/discover.h"
#include "supervisor/tracee.h"

/*
 * The absolute path PROG runs (a path, or a name looked up in PATH as
 * execvp does), newly allocated; NULL when it cannot be found.
 */
char *notests_resolve(const char *prog);

/* execvp's search of PATH for the name PROG: 0 with its path in BUF (LEN
 * bytes), or -1 when no executable file has that name. */
int program_search(const char *prog, char *buf, size_t len);

/* Prints or keeps the warnings of D, just discovered (see above). */
void notests_discovered(struct session *s, struct discovered *d);

/* Whether a process running EXE, whose boundaries are B, is supervised
 * as one whole-program scope. */
int notests_program_scope(const struct session *s,
			  const struct boundaries *b);

/* The limits of a whole-program scope: none without a policy, else the
 * policy's defaults overridden by its `program` section. */
void notests_program_limits(const struct session *s, struct limits *out);

/*
 * Before the run: with `functions` in the policy, the command line's
 * program is discovered now; -1, after saying so, when it refuses a glob
 * (too many functions: a policy error, nothing is run), else 0.
 */
int notests_refused_keys(struct session *s);

/*
 * At the end of a run: 1, after saying why on stderr, when the run had a
 * policy, nothing to supervise and ALLOW (--allow-no-tests) is not set;
 * else 0.
 */
int notests_refused(const struct session *s, int allow);

#endif
