/*
 * JSON results (docs/reports.md). A pure writer: scopes in, text out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/policy.h"
#include "supervisor/report.h"

static void json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\u%04x", *p);
			else
				fputc(*p, fp);
		}
	}
	fputc('"', fp);
}

/* metrics.leaked_by_kind; "unscanned" only when some blocks were not
 * classified. */
static void json_kinds(FILE *fp, const struct scope_metrics *m)
{
	unsigned k;

	fputs("{", fp);
	for (k = 0; k < LEAK_NKINDS; k++)
		if (k < LEAK_UNSCANNED || m->kind_blocks[k])
			fprintf(fp, "%s \"%s\": { \"bytes\": %" PRIu64 ", \"blocks\": %"
				PRIu64 " }", k ? "," : "", leak_kind_name(k),
				m->kind_bytes[k], m->kind_blocks[k]);
	fputs(" }", fp);
}

static void json_metrics(FILE *fp, const struct scope *sc)
{
	const struct scope_metrics *m = &sc->m;

	fprintf(fp, "{ \"peak_bytes\": %" PRIu64 ", \"allocated_bytes\": %" PRIu64
		", \"allocations\": %" PRIu64 ", \"frees\": %" PRIu64
		", \"unknown_frees\": %" PRIu64 ", \"leaked_bytes\": %" PRIu64
		", \"leaked_blocks\": %" PRIu64 ", \"fds_leaked\": %zu",
		m->peak, m->allocated, m->allocations, m->frees,
		m->unknown_frees, m->leaked_bytes, m->leaked_blocks,
		sc->nfds_leaked);
	fputs(", \"leaked_by_kind\": ", fp);
	json_kinds(fp, m);
	fputs(" }", fp);
}

static void json_series(FILE *fp, const char *key, const uint64_t *v,
			size_t n)
{
	size_t i;

	fprintf(fp, "%s\"%s\": [", strcmp(key, "peak_bytes") ? ", " : "", key);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%" PRIu64, i ? ", " : "", v[i]);
	fputc(']', fp);
}

/* --repeat N: each figure in every run, oldest first. */
static void json_repeats(FILE *fp, const struct scope_repeats *r)
{
	fputs(",\n      \"repeats\": { ", fp);
	json_series(fp, "peak_bytes", r->peak, r->n);
	json_series(fp, "allocated_bytes", r->allocated, r->n);
	json_series(fp, "allocations", r->allocations, r->n);
	fputs(" }", fp);
}

#define MAX_FRAMES 512

/* A stack on one line: at scale the frames are most of the document. */
static void json_stack(FILE *fp, const struct run_info *ri, uint32_t stack)
{
	struct sym_frame fr[MAX_FRAMES];
	unsigned n = 0, i;

	if (ri->symbolize)
		n = ri->symbolize(ri->sym_ctx, stack, fr, MAX_FRAMES);
	fputc('[', fp);
	for (i = 0; i < n; i++) {
		fputs(i ? ", {\"function\":" : "{\"function\":", fp);
		json_string(fp, fr[i].function);
		fputs(",\"file\":", fp);
		json_string(fp, fr[i].file);
		if (fr[i].line)
			fprintf(fp, ",\"line\":%u", fr[i].line);
		else
			fputs(",\"line\":null", fp);
		fputs(",\"object\":", fp);
		json_string(fp, fr[i].object);
		fprintf(fp, ",\"address\":\"0x%" PRIx64 "\"", fr[i].pc);
		if (fr[i].object)
			fprintf(fp, ",\"offset\":\"0x%" PRIx64 "\"",
				fr[i].offset);
		fputs(fr[i].inlined ? ",\"inlined\":true}" : "}", fp);
	}
	fputc(']', fp);
}

/* What a section left out: its stacks past --most-allocations. */
struct omitted {
	uint64_t stacks[3], bytes[3];
};

static void json_sites(FILE *fp, const struct run_info *ri, const char *key,
		       const struct site *v, size_t n, size_t max, int leaks,
		       struct omitted *om, int section)
{
	size_t i;

	fprintf(fp, ",\n      \"%s\": [", key);
	for (i = max; i < n; i++) {
		om->stacks[section]++;
		om->bytes[section] += v[i].bytes;
	}
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s\n        { \"bytes\": %" PRIu64
			", \"blocks\": %" PRIu64, i ? "," : "", v[i].bytes,
			v[i].blocks);
		if (leaks) {
			fprintf(fp, ", \"filtered\": %s, \"kind\": \"%s\"",
				v[i].filtered ? "true" : "false",
				leak_kind_name(v[i].kind));
			if (v[i].kind == LEAK_DEFINITE)
				fprintf(fp, ", \"indirect_bytes\": %" PRIu64,
					v[i].indirect);
			if (v[i].unjudged)
				fputs(", \"judged\": false", fp);
		}
		fputs(", \"stack\": ", fp);
		json_stack(fp, ri, v[i].stack);
		fputs(" }", fp);
	}
	fputs(n ? "\n      ]" : "]", fp);
}

/*
 * "omitted_stacks": {"leaks": 3, ...}, "omitted_bytes": {"leaks": 300,
 * ...}: the totals of the stacks each list left out.
 */
static void json_omitted(FILE *fp, const struct omitted *om)
{
	static const char *const keys[] = {
		"leaks", "peak_allocations", "top_allocations",
	};
	int i;

	fputs(",\n      \"omitted_stacks\": {", fp);
	for (i = 0; i < 3; i++)
		fprintf(fp, "%s\"%s\": %" PRIu64, i ? ", " : " ", keys[i],
			om->stacks[i]);
	fputs(" },\n      \"omitted_bytes\": {", fp);
	for (i = 0; i < 3; i++)
		fprintf(fp, "%s\"%s\": %" PRIu64, i ? ", " : " ", keys[i],
			om->bytes[i]);
	fputs(" }", fp);
}

/*
 * The stacks a section keeps: --most-allocations, for the leaks always;
 * for the allocations at the peak and the biggest allocators, only when
 * a limit judged them (limit_memory; max_allocations or max_allocated)
 * or for a whole-program scope, else their totals alone. --all-stacks:
 * every one. At a thousand tests, unjudged sections repeating the leaks'
 * stacks would be most of the document.
 */
static size_t section_max(const struct run_info *ri, const struct scope *sc,
			  unsigned limits)
{
	if (ri->all_stacks)
		return (size_t)-1;
	if (ri->every_section || sc->is_program || !sc->boundary ||
	    (sc->judged & limits))
		return ri->most_allocations;
	return 0;
}

static void json_scope(FILE *fp, const struct run_info *ri,
		       const struct scope *sc)
{
	struct omitted om = { { 0 }, { 0 } };
	struct site *top;
	size_t i, ntop;

	fputs("    {\n      \"name\": ", fp);
	json_string(fp, sc->name);
	fputs(",\n      \"classname\": ", fp);
	json_string(fp, sc->classname);
	fputs(",\n      \"file\": ", fp);
	json_string(fp, sc->file);
	if (sc->line)
		fprintf(fp, ",\n      \"line\": %u", sc->line);
	else
		fputs(",\n      \"line\": null", fp);
	fprintf(fp, ",\n      \"pid\": %d,\n      \"executable\": ",
		(int)sc->pid);
	json_string(fp, sc->executable);
	fputs(",\n      \"command\": ", fp);
	json_string(fp, sc->command);
	fputs(",\n      \"status\": ", fp);
	json_string(fp, scope_status_name(sc->status));
	if (sc->reason) {
		fputs(",\n      \"reason\": ", fp);
		json_string(fp, sc->reason);
	}
	fprintf(fp, ",\n      \"time\": %.6f", sc->end - sc->start);
	fputs(",\n      \"metrics\": ", fp);
	json_metrics(fp, sc);
	if (sc->repeats)
		json_repeats(fp, sc->repeats);
	fputs(",\n      \"failures\": [", fp);
	for (i = 0; i < sc->nfailures; i++) {
		const struct scope_failure *f = &sc->failures[i];

		fprintf(fp, "%s\n        { \"check\": \"%s\", \"limit\": %"
			PRIu64 ", \"value\": %" PRIu64 ", \"message\": ",
			i ? "," : "", f->check, f->limit, f->value);
		json_string(fp, f->message);
		fputs(" }", fp);
	}
	fputs(sc->nfailures ? "\n      ]" : "]", fp);
	json_sites(fp, ri, "leaks", sc->leaks, sc->nleaks, ri->most_allocations,
		   1, &om, 0);
	json_sites(fp, ri, "peak_allocations", sc->peak_sites,
		   sc->npeak_sites, section_max(ri, sc, LIMIT_MEMORY), 0, &om,
		   1);
	top = site_table_sorted(&sc->allocs, &ntop);
	json_sites(fp, ri, "top_allocations", top, ntop,
		   section_max(ri, sc, LIMIT_ALLOCATIONS | LIMIT_ALLOCATED), 0,
		   &om, 2);
	free(top);
	json_omitted(fp, &om);
	fputs(",\n      \"fds\": [", fp);
	for (i = 0; i < sc->nfds_leaked; i++) {
		fprintf(fp, "%s{ \"fd\": %d, \"target\": ", i ? ", " : "",
			sc->fds_leaked[i].fd);
		json_string(fp, sc->fds_leaked[i].target);
		fputs(" }", fp);
	}
	fputs("]\n    }", fp);
}

void report_json(FILE *fp, const struct run_info *ri,
		 const struct scope *scopes)
{
	const struct scope *sc;
	char *const *a;
	char date[32];
	time_t started;
	struct tm tm;

	fputs("{\n  \"format_version\": 2,\n  \"memsup_version\": ", fp);
	json_string(fp, MEMSUP_VERSION);
	fputs(",\n  \"program\": ", fp);
	json_string(fp, ri->program);
	fputs(",\n  \"argv\": [", fp);
	for (a = ri->argv; a && *a; a++) {
		if (a != ri->argv)
			fputs(", ", fp);
		json_string(fp, *a);
	}
	fputs("],\n  \"policy\": ", fp);
	json_string(fp, ri->policy);
	fprintf(fp, ",\n  \"exit_status\": %d,\n  \"program_exit_status\": ",
		ri->exit_status);
	if (ri->program_status < 0)
		fputs("null", fp);
	else
		fprintf(fp, "%d", report_program_exit(ri->program_status));
	fprintf(fp, ",\n  \"time\": %.6f", ri->seconds);
	/* When the run started, for the reader of a report. */
	started = time(NULL) - (time_t)ri->seconds;
	if (gmtime_r(&started, &tm) &&
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm))
		fprintf(fp, ",\n  \"started\": \"%s\"", date);
	fputs(",\n  \"scopes\": [", fp);
	for (sc = scopes; sc; sc = sc->next) {
		fputs(sc == scopes ? "\n" : ",\n", fp);
		json_scope(fp, ri, sc);
	}
	fputs(scopes ? "\n  ]\n}\n" : "]\n}\n", fp);
}
