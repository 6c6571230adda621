/*
 * The terminal report (SPEC §7.1). memsup writes to stderr, as valgrind
 * does, so that the program's own stdout passes through untouched.
 */
#include <inttypes.h>
#include <stdio.h>

#include "config/units.h"
#include "supervisor/report.h"

void report_term_summary(FILE *fp, const struct run_info *ri,
			 const struct scope *scopes)
{
	const struct scope *sc;

	for (sc = scopes; sc; sc = sc->next) {
		char peak[32], alloc[32], leak[32];

		units_format_size(peak, sizeof(peak), sc->m.peak);
		units_format_size(alloc, sizeof(alloc), sc->m.allocated);
		units_format_size(leak, sizeof(leak), sc->m.leaked_bytes);
		fprintf(fp, "memsup: %s (pid %d): %s\n", sc->name, (int)sc->pid,
			sc->command ? sc->command : "");
		fprintf(fp, "memsup:   %" PRIu64 " allocations, %" PRIu64
			" frees, %s allocated, peak %s\n", sc->m.allocations,
			sc->m.frees, alloc, peak);
		fprintf(fp, "memsup:   still live at exit: %s in %" PRIu64
			" blocks (%" PRIu64 " bytes)%s\n", leak,
			sc->m.leaked_blocks, sc->m.leaked_bytes,
			sc->m.unknown_frees ? "" : "");
		if (sc->m.unknown_frees)
			fprintf(fp, "memsup:   %" PRIu64 " frees of addresses "
				"never allocated\n", sc->m.unknown_frees);
		if (sc->status == SCOPE_UNFINISHED && sc->reason)
			fprintf(fp, "memsup:   unfinished: %s\n", sc->reason);
	}
	(void)ri;
}

void report_term_line(FILE *fp, const struct scope *sc, int quiet)
{
	static const char *const verdict[] = {
		[SCOPE_OPEN] = "OPEN",
		[SCOPE_PASSED] = "PASSED",
		[SCOPE_FAILED] = "FAILED",
		[SCOPE_UNFINISHED] = "UNFINISHED",
	};
	char peak[32];

	units_format_size(peak, sizeof(peak), sc->m.peak);
	if (quiet) {
		fprintf(fp, "memsup: %s %s\n", verdict[sc->status], sc->name);
		return;
	}
	fprintf(fp, "memsup: %-10s %s (pid %d): peak %s, %" PRIu64
		" allocations, %" PRIu64 " leaked bytes%s%s\n",
		verdict[sc->status], sc->name, (int)sc->pid, peak,
		sc->m.allocations, sc->m.leaked_bytes,
		sc->reason ? ": " : "", sc->reason ? sc->reason : "");
}
