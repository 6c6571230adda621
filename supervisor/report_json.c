/*
 * JSON results (SPEC §7.3). A pure writer: scopes in, text out.
 */
#include <inttypes.h>
#include <stdio.h>

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

static void json_metrics(FILE *fp, const struct scope_metrics *m)
{
	fprintf(fp, "{ \"peak_bytes\": %" PRIu64 ", \"allocated_bytes\": %" PRIu64
		", \"allocations\": %" PRIu64 ", \"frees\": %" PRIu64
		", \"unknown_frees\": %" PRIu64 ", \"leaked_bytes\": %" PRIu64
		", \"leaked_blocks\": %" PRIu64 ", \"fds_leaked\": 0 }",
		m->peak, m->allocated, m->allocations, m->frees,
		m->unknown_frees, m->leaked_bytes, m->leaked_blocks);
}

static void json_scope(FILE *fp, const struct scope *sc)
{
	fputs("    {\n      \"name\": ", fp);
	json_string(fp, sc->name);
	fputs(",\n      \"classname\": ", fp);
	json_string(fp, sc->name);
	fprintf(fp, ",\n      \"pid\": %d,\n      \"executable\": ", (int)sc->pid);
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
	json_metrics(fp, &sc->m);
	fputs(",\n      \"failures\": [],\n      \"leaks\": [],\n"
	      "      \"fds\": []\n    }", fp);
}

void report_json(FILE *fp, const struct run_info *ri,
		 const struct scope *scopes)
{
	const struct scope *sc;
	char *const *a;

	fputs("{\n  \"memsup_version\": ", fp);
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
	fprintf(fp, ",\n  \"time\": %.6f,\n  \"scopes\": [", ri->seconds);
	for (sc = scopes; sc; sc = sc->next) {
		fputs(sc == scopes ? "\n" : ",\n", fp);
		json_scope(fp, sc);
	}
	fputs(scopes ? "\n  ]\n}\n" : "]\n}\n", fp);
}
