/*
 * The HTML report (report_view.h): the page's frame, its styles and
 * script (supervisor/report_html.css and .js, turned into C strings at
 * build time), and the JSON they draw.
 */
#include <stdio.h>

#include "supervisor/report_view.h"

static const char page_css[] =
#include "build/gen/report_html.css.h"
	;

static const char page_js[] =
#include "build/gen/report_html.js.h"
	;

/*
 * The JSON inside <script type="application/json">: "</script>" in a
 * string would end the element, so every '<' is written "\u003c" (a '<'
 * can only occur inside a JSON string, where the escape means the same).
 */
static void embed_json(FILE *fp, const char *json, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (json[i] == '<')
			fputs("\\u003c", fp);
		else
			fputc(json[i], fp);
	}
}

static void page(FILE *fp, const char *view, const char *title,
		 const char *json, size_t len)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n"
	      /* Nothing outside the page may be fetched. */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\""
	      "default-src 'none'; script-src 'unsafe-inline'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n", fp);
	fprintf(fp, "<title>%s</title>\n<style>\n%s</style>\n</head>\n"
		"<body data-view=\"%s\">\n<main id=\"main\">"
		"<noscript>This report is drawn by its script: open it in "
		"a browser with JavaScript enabled, or read the JSON below "
		"it.</noscript></main>\n"
		"<script id=\"memsup-data\" type=\"application/json\">\n",
		title, page_css, view);
	embed_json(fp, json, len);
	fprintf(fp, "\n</script>\n<script>\n%s</script>\n</body>\n</html>\n",
		page_js);
}

void report_html(FILE *fp, const char *json, size_t len)
{
	page(fp, "run", "memsup report", json, len);
}

void report_html_compare(FILE *fp, const char *json, size_t len)
{
	page(fp, "compare", "memsup compare", json, len);
}
