/*
 * Sizes and thresholds as the policy and the command line spell them
 * (the man page). Pure functions, no allocation.
 */
#ifndef MEMSUP_UNITS_H
#define MEMSUP_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * "24 MB", "1.5GB", "100kb", "512 B", "2 MiB", "4096": B KB MB GB TB PB are
 * powers of 1024 as pytest-memray reads them, KiB MiB GiB TiB PiB alike;
 * case-insensitive, spaces optional, decimals allowed, a bare integer is
 * bytes. Returns 0, or -1 with *why set to a static description.
 * Exact: a fraction of a byte rounds down; a bare number with decimals, a
 * negative number and anything past 2^64-1 are errors. EB and EiB are
 * accepted too (docs/policy.md has the grammar).
 */
int units_parse_size(const char *s, uint64_t *out, const char **why);

/* "10%" or an absolute count or size ("5MiB", "100"). */
struct threshold {
	int percent;			/* 1: value is pct, else abs */
	double pct;
	uint64_t abs;
};
int units_parse_threshold(const char *s, struct threshold *out,
			  const char **why);

/* pytest-memray's spelling: "117.2KiB", "1.0MiB", "12.0B". */
void units_format_size(char *buf, size_t len, uint64_t bytes);

#endif
