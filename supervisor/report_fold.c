/*
 * Folded stacks (report_view.h): one line per call stack, for
 * flamegraph.pl, inferno and speedscope.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "supervisor/report_view.h"
#include "supervisor/rundoc.h"

/* S with ';' as ':' and line breaks as spaces: a folded line's syntax. */
static void fold_puts(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == ';')
			fputc(':', fp);
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', fp);
		else
			fputc(*s, fp);
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void fold_frame(FILE *fp, json_object *fr)
{
	const char *fn = rundoc_str(fr, "function");
	const char *obj = rundoc_str(fr, "object");
	const char *off = rundoc_str(fr, "offset");
	const char *addr = rundoc_str(fr, "address");
	json_object *inl;

	if (fn) {
		fold_puts(fp, fn);
	} else if (obj && off) {
		fold_puts(fp, base_name(obj));
		fputc('+', fp);
		fold_puts(fp, off);
	} else {
		fold_puts(fp, addr ? addr : "??");
	}
	if (json_object_object_get_ex(fr, "inlined", &inl) &&
	    json_object_get_boolean(inl))
		fputs("_[i]", fp);
}

/* The lines of one section of scope SC; returns the bytes they hold. */
static uint64_t fold_sites(FILE *fp, const char *name, const char *section,
			   json_object *sites)
{
	uint64_t total = 0, bytes;
	size_t i, n = sites ? json_object_array_length(sites) : 0;

	for (i = 0; i < n; i++) {
		json_object *site = json_object_array_get_idx(sites, i);
		json_object *stack = rundoc_array(site, "stack");
		size_t k = stack ? json_object_array_length(stack) : 0;

		if (rundoc_u64(site, "bytes", &bytes) < 0 || !bytes)
			continue;
		fold_puts(fp, name);
		fprintf(fp, ";%s", section);
		while (k--) {
			fputc(';', fp);
			fold_frame(fp, json_object_array_get_idx(stack, k));
		}
		fprintf(fp, " %" PRIu64 "\n", bytes);
		total += bytes;
	}
	return total;
}

static void fold_section(FILE *fp, json_object *sc, const char *name,
			 const char *section, const char *key,
			 const char *metric)
{
	json_object *metrics;
	uint64_t want = 0, got;

	got = fold_sites(fp, name, section, rundoc_array(sc, key));
	if (json_object_object_get_ex(sc, "metrics", &metrics))
		rundoc_u64(metrics, metric, &want);
	if (want > got) {
		fold_puts(fp, name);
		fprintf(fp, ";%s;(other stacks) %" PRIu64 "\n", section,
			want - got);
	}
}

void report_folded(FILE *fp, json_object *root)
{
	json_object *scopes;
	size_t i, n;

	if (!json_object_object_get_ex(root, "scopes", &scopes) ||
	    !json_object_is_type(scopes, json_type_array))
		return;
	n = json_object_array_length(scopes);
	for (i = 0; i < n; i++) {
		json_object *sc = json_object_array_get_idx(scopes, i);
		const char *name = rundoc_str(sc, "name");

		if (!name)
			name = "?";
		fold_section(fp, sc, name, "[peak]", "peak_allocations",
			     "peak_bytes");
		fold_section(fp, sc, name, "[leaked]", "leaks",
			     "leaked_bytes");
	}
}
