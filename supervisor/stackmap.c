/*
 * Mappings of the one process asked about last (stackmap.h): the events
 * that need them come in runs from one process, and a switch of process
 * or an address outside every known mapping reads /proc/PID/maps again.
 */
#include <stdio.h>
#include <stdlib.h>

#include "supervisor/stackmap.h"
#include "supervisor/xmalloc.h"

struct range {
	uint64_t lo, hi;
};

static pid_t cached_pid;
static struct range *ranges;
static size_t nranges, aranges;

void stackmap_forget(void)
{
	cached_pid = 0;
	nranges = 0;
}

static int load(pid_t pid)
{
	char path[64], line[512];
	unsigned long long lo, hi;
	FILE *fp;

	stackmap_forget();
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%llx-%llx", &lo, &hi) != 2)
			continue;
		ranges = xgrow(ranges, &aranges, nranges + 1, sizeof(*ranges));
		ranges[nranges].lo = lo;
		ranges[nranges].hi = hi;
		nranges++;
	}
	fclose(fp);
	cached_pid = pid;
	return 0;
}

/* The index of the mapping holding ADDR, or -1. */
static long find(uint64_t addr)
{
	size_t lo = 0, hi = nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < ranges[mid].lo)
			hi = mid;
		else if (addr >= ranges[mid].hi)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

int stackmap_same(pid_t pid, uint64_t a, uint64_t b)
{
	long ia, ib;

	if (pid != cached_pid && load(pid) < 0)
		return 1;
	ia = find(a);
	ib = find(b);
	if (ia < 0 || ib < 0) {
		/* A stack grown, or mapped, since the last read. */
		if (load(pid) < 0)
			return 1;
		ia = find(a);
		ib = find(b);
	}
	return ia < 0 || ib < 0 || ia == ib;
}

uint64_t stackmap_end(pid_t pid, uint64_t addr)
{
	long i;

	if (pid != cached_pid && load(pid) < 0)
		return UINT64_MAX;
	i = find(addr);
	if (i < 0 && (load(pid) < 0 || (i = find(addr)) < 0))
		return UINT64_MAX;
	return ranges[i].hi;
}
