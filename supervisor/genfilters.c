#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/genfilters.h"
#include "supervisor/xmalloc.h"

#define MAX_FRAMES 512

/* S in YAML double quotes, its glob characters escaped for fnmatch. */
static void yaml_glob(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (strchr("*?[]\\", *s))
			fputs("\\\\", fp);	/* a YAML-escaped backslash */
		if (*s == '"')
			fputc('\\', fp);
		if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
}

static void frame_line(FILE *fp, const struct sym_frame *f)
{
	fputc('"', fp);
	if (f->file && f->line) {
		fputs("src:", fp);
		yaml_glob(fp, f->file);
		fprintf(fp, ":%u", f->line);
	} else if (f->function) {
		fputs("fun:", fp);
		yaml_glob(fp, f->function);
	} else if (f->object) {
		fputs("obj:", fp);
		yaml_glob(fp, f->object);
	} else {
		fputs("...", fp);
	}
	fputc('"', fp);
}

static int seen_add(uint32_t **seen, size_t *n, size_t *alloc, uint32_t id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*seen)[i] == id)
			return 0;
	*seen = xgrow(*seen, alloc, *n + 1, sizeof(**seen));
	(*seen)[(*n)++] = id;
	return 1;
}

void genfilters_print(FILE *fp, const struct run_info *ri,
		      const struct scope *scopes)
{
	struct sym_frame fr[MAX_FRAMES];
	const struct scope *sc;
	uint32_t *seen = NULL;
	size_t nseen = 0, aseen = 0, i, total = 0;
	unsigned n, k;

	for (sc = scopes; sc; sc = sc->next)
		for (i = 0; i < sc->nleaks; i++)
			total += !sc->leaks[i].filtered;
	fprintf(fp, "memsup: leak filters for the %zu leaking call %s "
		"(paste under leak_filters:)\n", total,
		total == 1 ? "stack" : "stacks");
	for (sc = scopes; sc; sc = sc->next) {
		for (i = 0; i < sc->nleaks; i++) {
			const struct site *st = &sc->leaks[i];

			if (st->filtered || !st->stack ||
			    !seen_add(&seen, &nseen, &aseen, st->stack))
				continue;
			n = ri->symbolize ? ri->symbolize(ri->sym_ctx,
							  st->stack, fr,
							  MAX_FRAMES) : 0;
			if (!n)
				continue;
			fputs("# ", fp);
			for (k = 0; sc->name[k]; k++)
				fputc((unsigned char)sc->name[k] < 0x20 ? '?' :
				      sc->name[k], fp);
			fprintf(fp, ": %" PRIu64 " B in %" PRIu64 " %s, in %s\n",
				st->bytes, st->blocks,
				st->blocks == 1 ? "block" : "blocks",
				fr[0].function ? fr[0].function : "??");
			fputs("- stack: [", fp);
			for (k = 0; k < n; k++) {
				if (k)
					fputs(", ", fp);
				frame_line(fp, &fr[k]);
			}
			fputs("]\n", fp);
		}
	}
	fputc('\n', fp);
	free(seen);
}
