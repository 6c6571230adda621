/*
 * The reports for looking at a run rather than reading it
 * (docs/reports.md): folded stacks for flame graph tools, and one
 * self-contained HTML page. Both are made from the JSON document
 * (report_json()), so that a run and `memsup report RUN.json` give the
 * same output.
 *
 * Folded stacks, one line per call stack:
 *
 *     test_leak;[leaked];main;srunner_run_tagged;test_leak_fn;make_node 300
 *     test_peak;[peak];main;...;alloc_blocks 120000
 *
 * the test's name, "[peak]" for the blocks live at its high watermark or
 * "[leaked]" for its leaks, the frames outermost first, and the bytes.
 * A test's "[peak]" lines add up to its peak_bytes and its "[leaked]"
 * lines to its leaked_bytes: when the JSON lists fewer stacks than that
 * (a capped list), one "TEST;[peak];(other stacks) BYTES" line holds the
 * rest. A frame is its function, else
 * "object+0xOFFSET", else its address; an inlined call ends in "_[i]"
 * (flamegraph.pl's and inferno's mark); ';' and line breaks in names
 * become ':' and ' '. Stacks of 0 bytes are left out.
 *
 * The HTML page embeds the JSON and draws it with a script of its own:
 * no file or address outside the page is loaded.
 */
#ifndef MEMSUP_REPORT_VIEW_H
#define MEMSUP_REPORT_VIEW_H

#include <stddef.h>
#include <stdio.h>

#include <json.h>

#include "supervisor/report.h"

/* Folded stacks of the run ROOT (parsed memsup JSON) on FP. */
void report_folded(FILE *fp, json_object *root);

/*
 * The HTML page of one run: LEN bytes of JSON (a memsup --json document,
 * already checked to parse) embedded, and the page's script and styles.
 */
void report_html(FILE *fp, const char *json, size_t len);

/*
 * The page of `memsup compare --html`: JSON (made by compare.c) holding
 * the runs' labels and the per-test values, drawn as bars of the first
 * run against the last and, with three runs or more, a line per test.
 */
void report_html_compare(FILE *fp, const char *json, size_t len);

/*
 * The HTML and folded outputs of a run being supervised: opened before
 * the program runs (an unwritable path is a usage error: -1 with a
 * message), written at the end with report_views_write(). Files opened
 * and never written are removed when memsup exits. NULL paths: nothing.
 */
int report_views_open(const char *html_path, const char *folded_path);
/* 0, or -1 with a message when a file could not be written. */
int report_views_write(const struct run_info *ri, const struct scope *scopes);

/*
 * `memsup report RUN.json [--html FILE] [--collapsed FILE]`, ARGV[0]
 * being "report". Returns the exit status: 0, or 2 (usage, a file that
 * cannot be read or written, not memsup JSON).
 */
int report_main(int argc, char **argv);

#endif
