/*
 * Symbolisation of the pcs a report shows: function (demangled), source
 * file and line, inlined calls, and the object for frames without symbols.
 *
 * Function names are shown as a reader knows them: demangled, without
 * a symbol version ("memcpy@@GLIBC_2.14" is "memcpy") and without the
 * suffix GCC gives the pieces and clones it makes of a function
 * (".part.N", ".cold", ".isra.N", ".constprop.N"; the frame says so in
 * sym_frame.clone).
 *
 * Lazy libdw (libdwfl), cached: registering an object only records its
 * path and bias; the Dwfl is built at the first lookup, from the files on
 * disk, not from /proc/PID, so it works after the process has exited
 * (reports are written at the end of the run). Separate debug information
 * is found the standard way (build-id and .gnu_debuglink under
 * /usr/lib/debug; debuginfod if DEBUGINFOD_URLS is set).
 *
 * One symbolizer per process image (the objects of one exec): two images
 * may load different objects at the same addresses. A forked child that
 * has not exec'd shares its parent's.
 */
#ifndef MEMSUP_SYMBOLS_H
#define MEMSUP_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symbolizer;

/* Free with symbolizer_free(). */
struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *sym);

/*
 * Registers the object PATH (the executable or a library) loaded at BIAS
 * (load address - link-time address, as struct object has it). Idempotent
 * per (PATH, BIAS). Returns a small module id >= 0, or -1 when PATH
 * cannot be read (the vdso's pseudo-path, a deleted file): pcs in it are
 * then unknown. PATH is copied.
 */
int symbolizer_add_object(struct symbolizer *sym, const char *path,
			  uint64_t bias);

struct sym_frame {
	const char *function;	/* demangled; NULL if unknown */
	const char *file;	/* source file; NULL without debug info */
	unsigned line;		/* 0 if unknown */
	const char *object;	/* path of the ELF object; NULL if unknown */
	uint64_t offset;	/* pc - the object's bias: "libfoo.so+0x1234",
				   the address addr2line -e libfoo.so takes */
	uint64_t pc;		/* as passed in */
	int inlined;		/* an inlined call inside the next frame */
	int clone;		/* a piece or clone GCC made of the function
				   (foo.part.0, foo.cold): suffix dropped */
	uint64_t symbol_start;	/* the start of the function's symbol,
				   object-relative as OFFSET; 0 if unknown
				   or an inlined frame */
};

/*
 * The frames of PC, innermost first: more than one when the code at PC
 * was inlined (each inlined call, then the function it was inlined into,
 * with the line of the call). With IS_RETURN_ADDRESS, PC - 1 is looked up
 * so that the call's line is shown rather than the next one; pcs from
 * unwinder_unwind() are return addresses.
 *
 * Writes at most MAX frames to OUT and returns how many (at least 1 when
 * MAX > 0: an address in no object gives one frame with function, file
 * and object NULL). The strings are owned by the symbolizer and valid
 * until symbolizer_free(). Results are cached by (pc, is_return_address).
 */
unsigned symbolizer_lookup(struct symbolizer *sym, uint64_t pc,
			   int is_return_address, struct sym_frame *out,
			   unsigned max);

/* What lookups cost: distinct pcs resolved, and the seconds spent. */
struct sym_stats {
	size_t lookups;		/* symbolizer_lookup() calls */
	size_t resolved;	/* cache misses: distinct pcs */
	double seconds;		/* spent resolving them */
};
void symbolizer_add_stats(const struct symbolizer *sym, struct sym_stats *st);

#endif
