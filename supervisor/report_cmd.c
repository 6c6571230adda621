/*
 * The HTML and folded outputs of a run, and `memsup report RUN.json`
 * (report_view.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/msg.h"
#include "supervisor/report_view.h"
#include "supervisor/rundoc.h"
#include "supervisor/xmalloc.h"

static struct report_file html_file, folded_file;
static int registered;

/* Files opened for the run and never written: nothing to leave behind. */
static void abandon_views(void)
{
	if (html_file.fp)
		report_file_abandon(&html_file);
	if (folded_file.fp)
		report_file_abandon(&folded_file);
}

int report_views_open(const char *html_path, const char *folded_path)
{
	if (!registered) {
		atexit(abandon_views);
		registered = 1;
	}
	if (html_path && report_file_open(&html_file, html_path) < 0)
		return -1;
	if (folded_path && report_file_open(&folded_file, folded_path) < 0) {
		if (html_file.fp)
			report_file_abandon(&html_file);
		return -1;
	}
	return 0;
}

/* Writes the outputs asked for from JSON (LEN bytes, ROOT parsed). */
static int write_views(struct report_file *html, struct report_file *folded,
		       const char *json, size_t len, json_object *root)
{
	int failed = 0;

	if (html->fp) {
		report_html(html->fp, json, len);
		if (report_file_commit(html) < 0)
			failed = 1;
	}
	if (folded->fp) {
		report_folded(folded->fp, root);
		if (report_file_commit(folded) < 0)
			failed = 1;
	}
	return failed ? -1 : 0;
}

int report_views_write(const struct run_info *ri, const struct scope *scopes)
{
	json_object *root;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	if (!html_file.fp && !folded_file.fp)
		return 0;
	mem = open_memstream(&buf, &len);
	if (!mem)
		die_perror(EXIT_SUPERVISION, "cannot make the HTML report");
	report_json(mem, ri, scopes);
	if (fclose(mem))
		die_perror(EXIT_SUPERVISION, "cannot make the HTML report");
	root = rundoc_parse("report", "the run's JSON", buf, len);
	if (!root) {
		free(buf);
		abandon_views();
		return -1;
	}
	ret = write_views(&html_file, &folded_file, buf, len, root);
	json_object_put(root);
	free(buf);
	return ret;
}

static void report_usage(FILE *fp)
{
	fputs("usage: memsup report RUN.json [--html FILE] [--collapsed FILE]\n",
	      fp);
}

int report_main(int argc, char **argv)
{
	struct report_file html = { 0 }, folded = { 0 };
	const char *run = NULL, *html_path = NULL, *folded_path = NULL;
	json_object *root;
	size_t len = 0;
	char *buf;
	int i, ret;

	for (i = 1; i < argc; i++) {
		const char **dst = NULL;
		const char *opt = argv[i];

		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			report_usage(stdout);
			fputs("Writes the HTML page (--html) or the folded stacks "
			      "(--collapsed) of a run\nsaved with memsup --json.\n",
			      stdout);
			return 0;
		}
		if (!strcmp(opt, "--html") || !strcmp(opt, "--collapsed")) {
			dst = opt[2] == 'h' ? &html_path : &folded_path;
			if (i + 1 == argc) {
				error_msg("report: option '%s' needs a file name",
					  opt);
				report_usage(stderr);
				return EXIT_USAGE;
			}
			*dst = argv[++i];
		} else if (!strncmp(opt, "--html=", 7)) {
			html_path = opt + 7;
		} else if (!strncmp(opt, "--collapsed=", 12)) {
			folded_path = opt + 12;
		} else if (opt[0] == '-' && opt[1]) {
			error_msg("report: unknown option '%s'", opt);
			report_usage(stderr);
			return EXIT_USAGE;
		} else if (run) {
			error_msg("report: one run at a time ('%s' and '%s' "
				  "given)", run, opt);
			hint_msg("to compare runs, use memsup compare");
			return EXIT_USAGE;
		} else {
			run = opt;
		}
	}
	if (!run || (!html_path && !folded_path)) {
		error_msg(!run ? "report: no run given" :
			  "report: nothing to write: give --html FILE or "
			  "--collapsed FILE");
		report_usage(stderr);
		return EXIT_USAGE;
	}
	buf = rundoc_read("report", run, &len);
	if (!buf)
		return EXIT_USAGE;
	root = rundoc_parse("report", run, buf, len);
	if (!root || !rundoc_scopes("report", run, root)) {
		json_object_put(root);
		free(buf);
		return EXIT_USAGE;
	}
	ret = EXIT_USAGE;
	if (html_path && report_file_open(&html, html_path) < 0)
		goto out;
	if (folded_path && report_file_open(&folded, folded_path) < 0) {
		if (html.fp)
			report_file_abandon(&html);
		goto out;
	}
	ret = write_views(&html, &folded, buf, len, root) < 0 ? EXIT_USAGE : 0;
out:
	json_object_put(root);
	free(buf);
	return ret;
}
