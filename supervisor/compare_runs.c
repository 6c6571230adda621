/*
 * memsup compare over several runs (compare_load.h): one figure, under a
 * statistic of each test's repeats, across the runs oldest first; the
 * change of the last run against the first; CSV and HTML outputs; the
 * --fail-on gate of the first run against the last. docs/reports.md
 * shows the table and states the rules.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "config/units.h"
#include "supervisor/compare_load.h"
#include "supervisor/msg.h"
#include "supervisor/report.h"
#include "supervisor/report_view.h"
#include "supervisor/xmalloc.h"

static const char *const stat_label[] = {
	[STAT_HEADLINE] = NULL, [STAT_MIN] = "min", [STAT_MAX] = "max",
	[STAT_MEAN] = "mean", [STAT_MEDIAN] = "median",
	[STAT_STDDEV] = "stddev",
};

struct srow {
	char *label;
	const struct cmp_test **t;	/* per run; NULL: not in that run */
	double change;			/* last against first, percent */
	int has_change;			/* 0: a run lacks the test */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Test T's figure F under STAT. */
static double stat_value(const struct cmp_test *t, enum compare_field f,
			 enum compare_stat stat)
{
	const double *v = t->series[f];
	size_t n = t->nseries[f], i;
	double r = 0, mean = 0, *c;

	if (stat == STAT_HEADLINE || !n)
		return (double)t->v[f];
	switch (stat) {
	case STAT_MIN:
	case STAT_MAX:
		r = v[0];
		for (i = 1; i < n; i++)
			if (stat == STAT_MIN ? v[i] < r : v[i] > r)
				r = v[i];
		return r;
	case STAT_MEDIAN:
		c = xmalloc(n * sizeof(*c));
		memcpy(c, v, n * sizeof(*c));
		qsort(c, n, sizeof(*c), cmp_double);
		r = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
		free(c);
		return r;
	case STAT_MEAN:
	case STAT_STDDEV:
		for (i = 0; i < n; i++)
			mean += v[i];
		mean /= (double)n;
		if (stat == STAT_MEAN)
			return mean;
		/* The sample standard deviation; 0 for a single run. */
		if (n < 2)
			return 0;
		for (i = 0; i < n; i++)
			r += (v[i] - mean) * (v[i] - mean);
		return sqrt(r / (double)(n - 1));
	default:
		return (double)t->v[f];
	}
}

/* A raw value as the CSV writes it: whole, or three decimals at most. */
static void format_raw(char *buf, size_t len, double v)
{
	char *p;

	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	snprintf(buf, len, "%.3f", v);
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = 0;
	if (*p == '.')
		*p = 0;
}

static void format_value(char *buf, size_t len, enum compare_field f,
			 double v)
{
	if (compare_field_is_size(f))
		units_format_size(buf, len, (uint64_t)llround(v));
	else
		format_raw(buf, len, v);
}

static void format_change(char *buf, size_t len, const struct srow *r,
			  size_t n, double a, double b)
{
	if (!r->t[0] && !r->t[n - 1])
		snprintf(buf, len, "-");
	else if (!r->t[0])
		snprintf(buf, len, "new");
	else if (!r->t[n - 1])
		snprintf(buf, len, "gone");
	else if (a == b)
		snprintf(buf, len, "0.0%%");
	else if (a == 0)
		snprintf(buf, len, "from 0");
	else
		snprintf(buf, len, "%+.1f%%", (b - a) * 100.0 / a);
}

/* ---- matching the runs ---- */

struct table {
	struct srow *rows;
	size_t nrows;
	size_t nruns;
	const struct compare_opts *o;
};

static char *label_of(const struct cmp_test *t, int with_exe)
{
	char idx[16] = "";

	if (t->occ && !strchr(t->name, '['))
		snprintf(idx, sizeof(idx), " #%u", t->occ);
	if (with_exe && *t->exe)
		return xasprintf("%s::%s%s", t->exe, t->name, idx);
	return xasprintf("%s%s", t->name, idx);
}

static void match_runs(struct table *tb, struct cmp_run *runs, size_t n)
{
	size_t r, i, j, total = 0, arows = 0;
	const char *exe = NULL;
	int with_exe = 0;

	for (r = 0; r < n; r++)
		total += runs[r].n;
	tb->rows = NULL;
	tb->nrows = 0;
	tb->nruns = n;
	for (r = 0; r < n; r++) {
		for (i = 0; i < runs[r].n; i++) {
			const struct cmp_test *t = &runs[r].t[i];

			if (!exe)
				exe = t->exe;
			else if (strcmp(exe, t->exe))
				with_exe = 1;
			for (j = 0; j < tb->nrows; j++) {
				const struct cmp_test *u = NULL;
				size_t k;

				for (k = 0; k < n && !u; k++)
					u = tb->rows[j].t[k];
				if (!tb->rows[j].t[r] && u->occ == t->occ &&
				    !strcmp(u->exe, t->exe) &&
				    !strcmp(u->name, t->name))
					break;
			}
			if (j == tb->nrows) {
				tb->rows = xgrow(tb->rows, &arows, tb->nrows + 1,
						 sizeof(*tb->rows));
				memset(&tb->rows[j], 0, sizeof(tb->rows[j]));
				tb->rows[j].t = xcalloc(n, sizeof(*tb->rows[j].t));
				tb->nrows++;
			}
			tb->rows[j].t[r] = t;
		}
	}
	(void)total;
	for (j = 0; j < tb->nrows; j++) {
		struct srow *row = &tb->rows[j];
		const struct cmp_test *u = NULL;
		size_t k;
		double a, b;

		for (k = 0; k < n && !u; k++)
			u = row->t[k];
		row->label = label_of(u, with_exe);
		if (row->t[0] && row->t[n - 1]) {
			a = stat_value(row->t[0], tb->o->metric, tb->o->stat);
			b = stat_value(row->t[n - 1], tb->o->metric, tb->o->stat);
			row->has_change = 1;
			row->change = a == b ? 0 : a == 0 ? INFINITY :
				      (b - a) * 100.0 / a;
		}
	}
}

static const struct table *sort_table;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct srow *a = pa, *b = pb;
	const struct table *tb = sort_table;
	size_t last = tb->nruns - 1;
	double va, vb;

	switch (tb->o->sort) {
	case SORT_VALUE:
		/* largest in the last run first; tests not in it last */
		if (!a->t[last] != !b->t[last])
			return a->t[last] ? -1 : 1;
		if (a->t[last]) {
			va = stat_value(a->t[last], tb->o->metric, tb->o->stat);
			vb = stat_value(b->t[last], tb->o->metric, tb->o->stat);
			if (va != vb)
				return va > vb ? -1 : 1;
		}
		break;
	case SORT_CHANGE:
		/* biggest growth first; tests without a change last */
		if (a->has_change != b->has_change)
			return a->has_change ? -1 : 1;
		if (a->has_change && a->change != b->change)
			return a->change > b->change ? -1 : 1;
		break;
	case SORT_NAME:
		break;
	}
	return strcmp(a->label, b->label);
}

/* ---- the gate ---- */

/* Whether row R's field F under the stat is over FAIL's threshold. */
static int row_over(const struct table *tb, const struct srow *r,
		    const struct fail_on *fail)
{
	double a, b;

	if (!r->t[0] || !r->t[tb->nruns - 1])
		return 0;
	a = stat_value(r->t[0], fail->field, tb->o->stat);
	b = stat_value(r->t[tb->nruns - 1], fail->field, tb->o->stat);
	return compare_exceeds(&fail->th, (uint64_t)llround(a),
			       (uint64_t)llround(b));
}

/* ---- the outputs ---- */

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void cell(char *buf, size_t len, const struct table *tb,
		 const struct srow *r, size_t k)
{
	if (!r->t[k])
		snprintf(buf, len, "-");
	else
		format_value(buf, len, tb->o->metric,
			     stat_value(r->t[k], tb->o->metric, tb->o->stat));
}

static void row_change(char *buf, size_t len, const struct table *tb,
		       const struct srow *r)
{
	size_t n = tb->nruns;
	double a = r->t[0] ? stat_value(r->t[0], tb->o->metric, tb->o->stat) : 0;
	double b = r->t[n - 1] ?
		   stat_value(r->t[n - 1], tb->o->metric, tb->o->stat) : 0;

	format_change(buf, len, r, n, a, b);
}

static void print_table(FILE *out, const struct table *tb,
			const char *const *paths)
{
	size_t n = tb->nruns, *w, i, k;
	const struct compare_opts *o = tb->o;
	char buf[64];

	fprintf(out, "memsup compare: %s", compare_field_name(o->metric));
	if (stat_label[o->stat])
		fprintf(out, " (%s over repeats)", stat_label[o->stat]);
	fprintf(out, " in %zu runs, oldest first:\n", n);
	for (k = 0; k < n; k++) {
		fprintf(out, "  #%zu ", k + 1);
		term_puts(out, paths[k]);
		fputc('\n', out);
	}
	w = xcalloc(n + 2, sizeof(*w));
	w[0] = strlen("test");
	for (k = 0; k < n; k++)
		w[k + 1] = 2 + (k + 1 >= 10) + (k + 1 >= 100);
	w[n + 1] = strlen("change");
	for (i = 0; i < tb->nrows; i++) {
		const struct srow *r = &tb->rows[i];

		w[0] = max_size(w[0], term_width(r->label));
		for (k = 0; k < n; k++) {
			cell(buf, sizeof(buf), tb, r, k);
			w[k + 1] = max_size(w[k + 1], strlen(buf));
		}
		row_change(buf, sizeof(buf), tb, r);
		w[n + 1] = max_size(w[n + 1], strlen(buf));
	}
	fprintf(out, "%-*s", (int)w[0], "test");
	for (k = 0; k < n; k++) {
		snprintf(buf, sizeof(buf), "#%zu", k + 1);
		fprintf(out, "  %*s", (int)w[k + 1], buf);
	}
	fprintf(out, "  %*s\n", (int)w[n + 1], "change");
	for (i = 0; i < tb->nrows; i++) {
		const struct srow *r = &tb->rows[i];
		int over = 0;

		term_puts(out, r->label);
		fprintf(out, "%*s", (int)(w[0] - term_width(r->label)), "");
		for (k = 0; k < n; k++) {
			cell(buf, sizeof(buf), tb, r, k);
			fprintf(out, "  %*s", (int)w[k + 1], buf);
		}
		row_change(buf, sizeof(buf), tb, r);
		fprintf(out, "  %*s", (int)w[n + 1], buf);
		for (k = 0; k < o->nfail; k++) {
			if (!row_over(tb, r, &o->fail[k]))
				continue;
			fputs(over++ ? ", " : "  over ", out);
			term_puts(out, o->fail[k].spec);
		}
		fputc('\n', out);
	}
	free(w);
}

static size_t print_regressions(FILE *out, const struct table *tb)
{
	const struct compare_opts *o = tb->o;
	size_t i, k, over = 0, last = tb->nruns - 1;

	for (i = 0; i < tb->nrows; i++) {
		const struct srow *r = &tb->rows[i];

		for (k = 0; k < o->nfail; k++) {
			enum compare_field f = o->fail[k].field;
			char a[32], b[32], ch[32];
			double va, vb;

			if (!row_over(tb, r, &o->fail[k]))
				continue;
			over++;
			va = stat_value(r->t[0], f, o->stat);
			vb = stat_value(r->t[last], f, o->stat);
			format_value(a, sizeof(a), f, va);
			format_value(b, sizeof(b), f, vb);
			format_change(ch, sizeof(ch), r, tb->nruns, va, vb);
			fputs("memsup compare: ", out);
			term_puts(out, r->label);
			fprintf(out, ": %s grew from %s to %s (%s) from the first "
				"run to the last, over --fail-on ",
				compare_field_name(f), a, b, ch);
			term_puts(out, o->fail[k].spec);
			fputc('\n', out);
		}
	}
	return over;
}

/* S as one CSV field (RFC 4180: quoted when it holds , " or a line
 * break, quotes doubled). */
static void csv_field(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void write_csv(FILE *fp, const struct table *tb,
		      const char *const *paths)
{
	size_t n = tb->nruns, i, k;
	char buf[64];

	fputs("test", fp);
	for (k = 0; k < n; k++) {
		fputc(',', fp);
		csv_field(fp, paths[k]);
	}
	fputs(",delta,change_percent\n", fp);
	for (i = 0; i < tb->nrows; i++) {
		const struct srow *r = &tb->rows[i];

		csv_field(fp, r->label);
		for (k = 0; k < n; k++) {
			fputc(',', fp);
			if (r->t[k]) {
				format_raw(buf, sizeof(buf),
					   stat_value(r->t[k], tb->o->metric,
						      tb->o->stat));
				fputs(buf, fp);
			}
		}
		fputc(',', fp);
		if (r->has_change) {
			double a = stat_value(r->t[0], tb->o->metric,
					      tb->o->stat);
			double b = stat_value(r->t[n - 1], tb->o->metric,
					      tb->o->stat);

			format_raw(buf, sizeof(buf), b - a);
			fputs(buf, fp);
			fputc(',', fp);
			if (a != 0) {
				format_raw(buf, sizeof(buf), r->change);
				fputs(buf, fp);
			}
		} else {
			fputc(',', fp);
		}
		fputc('\n', fp);
	}
}

static json_object *json_number(double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

/* The page's data: runs, metric, per test the values of every figure. */
static char *html_data(const struct table *tb, const char *const *paths,
		       size_t *len)
{
	const struct compare_opts *o = tb->o;
	json_object *root = json_object_new_object(), *a, *rows, *row, *by;
	size_t n = tb->nruns, i, k, f;
	char buf[64];
	const char *s;
	char *out;

	a = json_object_new_array();
	for (k = 0; k < n; k++)
		json_object_array_add(a, json_object_new_string(paths[k]));
	json_object_object_add(root, "runs", a);
	json_object_object_add(root, "metric", json_object_new_string(
				       compare_field_name(o->metric)));
	json_object_object_add(root, "stat", stat_label[o->stat] ?
			       json_object_new_string(stat_label[o->stat]) :
			       NULL);
	a = json_object_new_array();
	for (k = 0; k < o->nfail; k++)
		json_object_array_add(a, json_object_new_string(o->fail[k].spec));
	json_object_object_add(root, "fail_on", a);
	rows = json_object_new_array();
	for (i = 0; i < tb->nrows; i++) {
		const struct srow *r = &tb->rows[i];
		json_object *over = json_object_new_array();
		json_object *fields = json_object_new_array();

		row = json_object_new_object();
		json_object_object_add(row, "test",
				       json_object_new_string(r->label));
		by = json_object_new_object();
		for (f = 0; f < COMPARE_NFIELDS; f++) {
			a = json_object_new_array();
			for (k = 0; k < n; k++)
				json_object_array_add(a, r->t[k] ? json_number(
					stat_value(r->t[k], f, o->stat)) : NULL);
			if (f == o->metric)
				json_object_object_add(row, "values",
						       json_object_get(a));
			json_object_object_add(by, compare_field_name(f), a);
		}
		json_object_object_add(row, "by", by);
		row_change(buf, sizeof(buf), tb, r);
		json_object_object_add(row, "change",
				       json_object_new_string(buf));
		for (k = 0; k < o->nfail; k++) {
			if (!row_over(tb, r, &o->fail[k]))
				continue;
			json_object_array_add(over, json_object_new_string(
						      o->fail[k].spec));
			json_object_array_add(fields, json_object_new_string(
				compare_field_name(o->fail[k].field)));
		}
		json_object_object_add(row, "over", over);
		json_object_object_add(row, "over_fields", fields);
		json_object_array_add(rows, row);
	}
	json_object_object_add(root, "rows", rows);
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	out = xstrdup(s);
	*len = strlen(out);
	json_object_put(root);
	return out;
}

int compare_series(const char *const *paths, size_t n,
		   const struct compare_opts *o, FILE *out)
{
	struct report_file csv = { 0 }, html = { 0 };
	struct table tb = { .o = o };
	struct cmp_run *runs;
	size_t i, loaded = 0, over;
	int ret = 2;

	if (o->csv_path && report_file_open(&csv, o->csv_path) < 0)
		return 2;
	if (o->html_path && report_file_open(&html, o->html_path) < 0) {
		report_file_abandon(&csv);
		return 2;
	}
	runs = xcalloc(n, sizeof(*runs));
	for (loaded = 0; loaded < n; loaded++)
		if (cmp_load_run(paths[loaded], &runs[loaded]) < 0)
			goto out;
	match_runs(&tb, runs, n);
	sort_table = &tb;
	qsort(tb.rows, tb.nrows, sizeof(*tb.rows), cmp_rows);
	sort_table = NULL;
	print_table(out, &tb, paths);
	over = print_regressions(out, &tb);
	fprintf(out, "memsup compare: %zu %s in %zu runs", tb.nrows,
		tb.nrows == 1 ? "test" : "tests", n);
	if (o->nfail)
		fprintf(out, "; %zu %s over a --fail-on threshold (the first "
			"run against the last)", over,
			over == 1 ? "figure" : "figures");
	fputc('\n', out);
	ret = over ? 1 : 0;
	if (csv.fp) {
		write_csv(csv.fp, &tb, paths);
		if (report_file_commit(&csv) < 0)
			ret = 2;
	}
	if (html.fp) {
		size_t len;
		char *data = html_data(&tb, paths, &len);

		report_html_compare(html.fp, data, len);
		free(data);
		if (report_file_commit(&html) < 0)
			ret = 2;
	}
out:
	report_file_abandon(&csv);
	report_file_abandon(&html);
	for (i = 0; i < tb.nrows; i++) {
		free(tb.rows[i].label);
		free(tb.rows[i].t);
	}
	free(tb.rows);
	for (i = 0; i < loaded; i++)
		cmp_run_release(&runs[i]);
	free(runs);
	return ret;
}
