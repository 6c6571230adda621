#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoints/discover.h"
#include "supervisor/frames.h"
#include "supervisor/xmalloc.h"

struct frame_cut {
	char *exe;
	uint64_t *vaddr;		/* sorted, the boundaries' starts */
	size_t n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

struct frame_cut *frame_cut_new(const struct boundaries *b, const char *exe)
{
	struct frame_cut *cut = xcalloc(1, sizeof(*cut));
	size_t i;

	cut->exe = xstrdup(exe ? exe : "");
	if (b && b->n) {
		cut->vaddr = xcalloc(b->n, sizeof(*cut->vaddr));
		for (i = 0; i < b->n; i++)
			if (b->v[i].vaddr)
				cut->vaddr[cut->n++] = b->v[i].vaddr;
		qsort(cut->vaddr, cut->n, sizeof(*cut->vaddr), cmp_u64);
	}
	return cut;
}

void frame_cut_free(struct frame_cut *cut)
{
	if (!cut)
		return;
	free(cut->exe);
	free(cut->vaddr);
	free(cut);
}

/* Whether FR is the (outermost, not inlined) frame of a boundary. */
static int is_boundary(const struct frame_cut *cut, const struct sym_frame *fr)
{
	uint64_t key = fr->symbol_start;

	if (!cut || !cut->n || fr->inlined || !key || !fr->object ||
	    strcmp(fr->object, cut->exe))
		return 0;
	return bsearch(&key, cut->vaddr, cut->n, sizeof(key), cmp_u64) != NULL;
}

static int is_main(const struct sym_frame *fr)
{
	return !fr->inlined && fr->function && !strcmp(fr->function, "main");
}

static int same_function(const struct sym_frame *a, const struct sym_frame *b)
{
	return a->function && b->function && !strcmp(a->function, b->function);
}

unsigned frames_tidy(struct sym_frame *fr, unsigned n,
		     const struct frame_cut *cut, int full)
{
	unsigned i, k, last = n;

	/* a split piece and its parent function: the piece's frame only */
	for (i = 0, k = 0; i < n; i++) {
		if (k && (fr[i].clone || fr[k - 1].clone) &&
		    same_function(&fr[k - 1], &fr[i]))
			continue;
		fr[k++] = fr[i];
	}
	n = k;
	if (full)
		return n;
	for (i = n; i-- > 0;)
		if (is_boundary(cut, &fr[i])) {
			last = i + 1;
			break;
		}
	if (last == n)
		for (i = 0; i < n; i++)
			if (is_main(&fr[i])) {
				last = i + 1;
				break;
			}
	return last;
}
