/*
 * Call stacks as the reports show them (docs/reports.md, "Call stacks"):
 *
 * - A stack ends at the test: the outermost frame that is a supervised
 *   boundary function of the executable is the last one kept, so the
 *   test runner, main and _start below it are dropped. A stack through
 *   no boundary (the whole-program scope, code run outside every test)
 *   ends at main. --full-stacks keeps every frame.
 * - A function GCC split into pieces (foo.part.0, foo.cold) shows once:
 *   a piece next to the function it came from keeps the piece's frame,
 *   which holds the line that allocated. The symbolizer has already
 *   dropped the suffixes and symbol versions (@@GLIBC_2.34) from names.
 */
#ifndef MEMSUP_FRAMES_H
#define MEMSUP_FRAMES_H

#include <stddef.h>

#include "supervisor/symbols.h"

struct boundaries;
struct frame_cut;

/*
 * The boundary functions of executable EXE (B may be NULL: no policy),
 * for frames_tidy(). Free with frame_cut_free(). B is not kept; EXE is
 * copied.
 */
struct frame_cut *frame_cut_new(const struct boundaries *b, const char *exe);
void frame_cut_free(struct frame_cut *cut);

/*
 * Tidies FR[0 .. N) in place (innermost first) as above and returns the
 * new count. CUT may be NULL (only "main" ends a stack); FULL keeps the
 * frames below the test.
 */
unsigned frames_tidy(struct sym_frame *fr, unsigned n,
		     const struct frame_cut *cut, int full);

#endif
