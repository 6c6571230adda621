/*
 * Output file names with placeholders, so that one wrapper line serves a
 * whole CTest or meson suite (docs/reports.md, "Output file names"):
 *   %p  a process id: memsup's own when it launches the program, the
 *       attached process's with --pid
 *   %n  the program's basename ("unit_tests" for ./build/unit_tests)
 *   %%  a percent sign
 * Any other '%' sequence is an error: a name the user did not mean.
 */
#ifndef MEMSUP_OUTNAME_H
#define MEMSUP_OUTNAME_H

#include <sys/types.h>

/*
 * PATTERN expanded with PID and the basename of PROGRAM (NULL: "memsup").
 * Returns a new string (caller frees), or NULL with *WHY set to a static
 * description when PATTERN has an unknown placeholder.
 */
char *outname_expand(const char *pattern, pid_t pid, const char *program,
		     const char **why);

#endif
