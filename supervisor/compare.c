/*
 * memsup compare and the --baseline gate (the man page). compare.h states the
 * rules; docs/reports.md shows the table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "supervisor/compare.h"
#include "supervisor/compare_load.h"
#include "supervisor/report.h"
#include "supervisor/msg.h"
#include "supervisor/rundoc.h"
#include "supervisor/xmalloc.h"

static const struct {
	const char *name;		/* --fail-on's spelling */
	const char *key;		/* in "metrics" */
	int is_size;
} fields[COMPARE_NFIELDS] = {
	[COMPARE_PEAK] = { "peak", "peak_bytes", 1 },
	[COMPARE_ALLOCATED] = { "allocated", "allocated_bytes", 1 },
	[COMPARE_ALLOCATIONS] = { "allocations", "allocations", 0 },
	[COMPARE_LEAKED] = { "leaked", "leaked_bytes", 1 },
};

int compare_field_is_size(enum compare_field field)
{
	return field < COMPARE_NFIELDS && fields[field].is_size;
}

const char *compare_field_name(enum compare_field field)
{
	return field < COMPARE_NFIELDS ? fields[field].name : "?";
}

int compare_parse_fail_on(const char *spec, struct fail_on *out,
			  const char **why)
{
	const char *colon = strchr(spec, ':'), *th;
	size_t len, i;

	if (!colon) {
		*why = "expected FIELD:THRESHOLD, such as peak:10% or "
		       "allocations:100";
		return -1;
	}
	len = (size_t)(colon - spec);
	for (i = 0; i < COMPARE_NFIELDS; i++)
		if (strlen(fields[i].name) == len &&
		    !strncmp(spec, fields[i].name, len))
			break;
	if (i == COMPARE_NFIELDS) {
		*why = "unknown field; expected peak, allocated, allocations "
		       "or leaked";
		return -1;
	}
	th = colon + 1;
	if (units_parse_threshold(th, &out->th, why) < 0)
		return -1;
	if (i == COMPARE_ALLOCATIONS && !out->th.percent &&
	    strpbrk(th, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")) {
		*why = "allocations is a count: expected a percentage such "
		       "as '10%' or a whole number such as '100'";
		return -1;
	}
	out->field = (enum compare_field)i;
	out->spec = spec;
	return 0;
}

int compare_exceeds(const struct threshold *th, uint64_t base, uint64_t new)
{
	if (new <= base)
		return 0;
	if (th->percent)
		return (long double)(new - base) * 100 >
		       (long double)base * th->pct;
	return new - base > th->abs;
}

/* ---- reading memsup JSON ---- */

void cmp_run_release(struct cmp_run *r)
{
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		free(r->t[i].exe);
		free(r->t[i].name);
		for (k = 0; k < COMPARE_NFIELDS; k++)
			free(r->t[i].series[k]);
	}
	free(r->t);
	r->t = NULL;
	r->n = 0;
}

const char *cmp_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Numbers the tests that share an executable and a name: 0, 1, ... */
static void cmp_run_number(struct cmp_run *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		r->t[i].occ = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(r->t[j].exe, r->t[i].exe) &&
			    !strcmp(r->t[j].name, r->t[i].name))
				r->t[i].occ++;
	}
}

static int get_count(const char *path, size_t idx, const char *name,
		     json_object *metrics, const char *key, uint64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(metrics, key, &v)) {
		error_msg("compare: '%s': scopes[%zu] (%s): metrics has no "
			  "\"%s\"", path, idx, name, key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0) {
		error_msg("compare: '%s': scopes[%zu] (%s): metrics.%s is "
			  "not a whole number of 0 or more", path, idx, name,
			  key);
		return -1;
	}
	*out = json_object_get_uint64(v);
	return 0;
}

/*
 * A run of --repeat N keeps each figure's series in "repeats" (one value
 * per run of the program); without it, the series is the headline alone.
 */
static int load_series(const char *path, size_t idx, const char *name,
		       json_object *sc, struct cmp_test *t)
{
	json_object *rep = NULL, *arr, *v;
	size_t k, i, n;

	if (json_object_object_get_ex(sc, "repeats", &rep) &&
	    !json_object_is_type(rep, json_type_object)) {
		error_msg("compare: '%s': scopes[%zu] (%s): \"repeats\" is not "
			  "an object", path, idx, name);
		return -1;
	}
	for (k = 0; k < COMPARE_NFIELDS; k++) {
		arr = rep ? rundoc_array(rep, fields[k].key) : NULL;
		n = arr ? json_object_array_length(arr) : 0;
		if (!n) {
			t->series[k] = xmalloc(sizeof(double));
			t->series[k][0] = (double)t->v[k];
			t->nseries[k] = 1;
			continue;
		}
		t->series[k] = xcalloc(n, sizeof(double));
		t->nseries[k] = n;
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(arr, i);
			if (!json_object_is_type(v, json_type_int) ||
			    json_object_get_int64(v) < 0) {
				error_msg("compare: '%s': scopes[%zu] (%s): "
					  "repeats.%s[%zu] is not a whole number "
					  "of 0 or more", path, idx, name,
					  fields[k].key, i);
				return -1;
			}
			t->series[k][i] = (double)json_object_get_uint64(v);
		}
	}
	return 0;
}

int cmp_load_run(const char *path, struct cmp_run *r)
{
	json_object *root, *scopes, *sc, *v, *metrics;
	size_t i, n, k;

	memset(r, 0, sizeof(*r));
	root = rundoc_load("compare", path);
	if (!root)
		return -1;
	scopes = rundoc_scopes("compare", path, root);
	if (!scopes) {
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(scopes);
	r->t = xcalloc(n ? n : 1, sizeof(*r->t));
	for (i = 0; i < n; i++) {
		struct cmp_test *t = &r->t[r->n];
		const char *name;

		sc = json_object_array_get_idx(scopes, i);
		if (!json_object_is_type(sc, json_type_object) ||
		    !json_object_object_get_ex(sc, "name", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			error_msg("compare: '%s': scopes[%zu] is not a scope "
				  "with a \"name\" string", path, i);
			goto fail;
		}
		name = json_object_get_string(v);
		if (!json_object_object_get_ex(sc, "metrics", &metrics) ||
		    !json_object_is_type(metrics, json_type_object)) {
			error_msg("compare: '%s': scopes[%zu] (%s) has no "
				  "\"metrics\" object", path, i, name);
			goto fail;
		}
		for (k = 0; k < COMPARE_NFIELDS; k++)
			if (get_count(path, i, name, metrics, fields[k].key,
				      &t->v[k]) < 0)
				goto fail;
		if (json_object_object_get_ex(sc, "executable", &v) &&
		    json_object_is_type(v, json_type_string))
			t->exe = xstrdup(cmp_base_name(json_object_get_string(v)));
		else
			t->exe = xstrdup("");
		t->name = xstrdup(name);
		if (load_series(path, i, name, sc, t) < 0) {
			free(t->exe);
			free(t->name);
			goto fail;
		}
		r->n++;
	}
	json_object_put(root);
	cmp_run_number(r);
	return 0;
fail:
	json_object_put(root);
	cmp_run_release(r);
	return -1;
}

static void run_from_scopes(struct cmp_run *r, const struct scope *scopes)
{
	const struct scope *sc;
	size_t n = 0;

	for (sc = scopes; sc; sc = sc->next)
		n++;
	r->t = xcalloc(n ? n : 1, sizeof(*r->t));
	r->n = 0;
	for (sc = scopes; sc; sc = sc->next) {
		struct cmp_test *t = &r->t[r->n++];

		t->exe = xstrdup(sc->executable ? cmp_base_name(sc->executable) :
			 "");
		t->name = xstrdup(sc->name ? sc->name : "");
		t->v[COMPARE_PEAK] = sc->m.peak;
		t->v[COMPARE_ALLOCATED] = sc->m.allocated;
		t->v[COMPARE_ALLOCATIONS] = sc->m.allocations;
		t->v[COMPARE_LEAKED] = sc->m.leaked_bytes;
	}
	cmp_run_number(r);
}

/* ---- the table ---- */

struct row {
	const struct cmp_test *base, *new;	/* one may be NULL */
};

struct pairing {
	struct row *rows;
	size_t n, compared, added, gone;
};

static void pair_runs(struct cmp_run *base, struct cmp_run *new,
		      struct pairing *p)
{
	size_t i, j;

	memset(p, 0, sizeof(*p));
	p->rows = xcalloc(base->n + new->n + 1, sizeof(*p->rows));
	for (i = 0; i < new->n; i++)
		new->t[i].matched = 0;
	for (i = 0; i < base->n; i++) {
		struct row *r = &p->rows[p->n++];

		r->base = &base->t[i];
		for (j = 0; j < new->n; j++) {
			struct cmp_test *t = &new->t[j];

			if (!t->matched && t->occ == base->t[i].occ &&
			    !strcmp(t->exe, base->t[i].exe) &&
			    !strcmp(t->name, base->t[i].name)) {
				t->matched = 1;
				r->new = t;
				break;
			}
		}
		if (r->new)
			p->compared++;
		else
			p->gone++;
	}
	for (j = 0; j < new->n; j++) {
		if (!new->t[j].matched) {
			p->rows[p->n++].new = &new->t[j];
			p->added++;
		}
	}
}

/* The name of a test in the table: "exe::name" when there are several
 * executables. Caller frees. */
static char *row_label(const struct row *r, int with_exe)
{
	const struct cmp_test *t = r->base ? r->base : r->new;
	const char *mark = !r->base ? " (new)" : !r->new ? " (gone)" : "";
	char idx[16] = "";

	if (t->occ && !strchr(t->name, '['))
		snprintf(idx, sizeof(idx), " #%u", t->occ);
	if (with_exe && *t->exe)
		return xasprintf("%s::%s%s%s", t->exe, t->name, idx, mark);
	return xasprintf("%s%s%s", t->name, idx, mark);
}

static void format_value(char *buf, size_t len, enum compare_field f,
			 const struct cmp_test *t)
{
	if (!t)
		snprintf(buf, len, "-");
	else if (fields[f].is_size)
		units_format_size(buf, len, t->v[f]);
	else
		snprintf(buf, len, "%" PRIu64, t->v[f]);
}

static void format_delta(char *buf, size_t len, enum compare_field f,
			 uint64_t base, uint64_t new)
{
	uint64_t d = new > base ? new - base : base - new;
	const char *sign = new > base ? "+" : new < base ? "-" : "";

	if (fields[f].is_size) {
		char size[32];

		units_format_size(size, sizeof(size), d);
		snprintf(buf, len, "%s%s", sign, size);
	} else {
		snprintf(buf, len, "%s%" PRIu64, sign, d);
	}
}

static void format_change(char *buf, size_t len, uint64_t base,
			  uint64_t new)
{
	if (base == new)
		snprintf(buf, len, "0.0%%");
	else if (!base)
		snprintf(buf, len, "from 0");
	else if (new > base)
		snprintf(buf, len, "+%.1f%%",
			 (double)(new - base) * 100.0 / (double)base);
	else
		snprintf(buf, len, "-%.1f%%",
			 (double)(base - new) * 100.0 / (double)base);
}

struct cell {
	char base[32], new[32], delta[40], change[32];
};

static void row_cells(const struct row *r, enum compare_field f,
		      struct cell *c)
{
	format_value(c->base, sizeof(c->base), f, r->base);
	format_value(c->new, sizeof(c->new), f, r->new);
	if (r->base && r->new) {
		format_delta(c->delta, sizeof(c->delta), f, r->base->v[f],
			     r->new->v[f]);
		format_change(c->change, sizeof(c->change), r->base->v[f],
			      r->new->v[f]);
	} else {
		snprintf(c->delta, sizeof(c->delta), "-");
		snprintf(c->change, sizeof(c->change), "%s",
			 r->base ? "gone" : "new");
	}
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void pad(FILE *fp, size_t n)
{
	while (n--)
		fputc(' ', fp);
}

/* The specs of FAIL that row R's figure F is over, as " over peak:10%". */
static int row_flags(FILE *fp, const struct row *r, enum compare_field f,
		     const struct fail_on *fail, size_t n)
{
	size_t i;
	int over = 0;

	if (!r->base || !r->new)
		return 0;
	for (i = 0; i < n; i++) {
		if (fail[i].field != f ||
		    !compare_exceeds(&fail[i].th, r->base->v[f], r->new->v[f]))
			continue;
		if (fp) {
			fputs(over ? ", " : "  over ", fp);
			term_puts(fp, fail[i].spec);
		}
		over++;
	}
	return over;
}

static int several_executables(const struct pairing *p)
{
	const char *first = NULL;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct cmp_test *t = p->rows[i].base ? p->rows[i].base :
							     p->rows[i].new;

		if (!first)
			first = t->exe;
		else if (strcmp(first, t->exe))
			return 1;
	}
	return 0;
}

static void print_table(FILE *out, const struct pairing *p,
			const struct fail_on *fail, size_t nfail)
{
	static const char *const head[] = {
		"test", "metric", "base", "new", "delta", "change",
	};
	size_t w[6], i, f;
	int with_exe = several_executables(p);
	struct cell c;

	for (i = 0; i < 6; i++)
		w[i] = strlen(head[i]);
	for (f = 0; f < COMPARE_NFIELDS; f++)
		w[1] = max_size(w[1], strlen(fields[f].name));
	for (i = 0; i < p->n; i++) {
		char *label = row_label(&p->rows[i], with_exe);

		w[0] = max_size(w[0], term_width(label));
		free(label);
		for (f = 0; f < COMPARE_NFIELDS; f++) {
			row_cells(&p->rows[i], (enum compare_field)f, &c);
			w[2] = max_size(w[2], strlen(c.base));
			w[3] = max_size(w[3], strlen(c.new));
			w[4] = max_size(w[4], strlen(c.delta));
			w[5] = max_size(w[5], strlen(c.change));
		}
	}
	fprintf(out, "%-*s  %-*s  %*s    %*s  %*s  %*s\n", (int)w[0], head[0],
		(int)w[1], head[1], (int)w[2], head[2], (int)w[3], head[3],
		(int)w[4], head[4], (int)w[5], head[5]);
	for (i = 0; i < p->n; i++) {
		char *label = row_label(&p->rows[i], with_exe);

		for (f = 0; f < COMPARE_NFIELDS; f++) {
			row_cells(&p->rows[i], (enum compare_field)f, &c);
			if (!f) {
				term_puts(out, label);
				pad(out, w[0] - term_width(label));
			} else {
				pad(out, w[0]);
			}
			fprintf(out, "  %-*s  %*s -> %*s  %*s  %*s", (int)w[1],
				fields[f].name, (int)w[2], c.base, (int)w[3],
				c.new, (int)w[4], c.delta, (int)w[5],
				c.change);
			row_flags(out, &p->rows[i], (enum compare_field)f,
				  fail, nfail);
			fputc('\n', out);
		}
		free(label);
	}
}

/*
 * A line per figure over a threshold; returns how many. PREFIX starts
 * each line ("memsup compare: ", "memsup: baseline: ").
 */
static size_t print_regressions(FILE *out, const char *prefix,
				const struct pairing *p,
				const struct fail_on *fail, size_t nfail)
{
	size_t i, k, over = 0;
	int with_exe = several_executables(p);

	for (i = 0; i < p->n; i++) {
		const struct row *r = &p->rows[i];

		if (!r->base || !r->new)
			continue;
		for (k = 0; k < nfail; k++) {
			enum compare_field f = fail[k].field;
			char a[32], b[32], ch[32];
			char *label;

			if (!compare_exceeds(&fail[k].th, r->base->v[f],
					     r->new->v[f]))
				continue;
			over++;
			format_value(a, sizeof(a), f, r->base);
			format_value(b, sizeof(b), f, r->new);
			format_change(ch, sizeof(ch), r->base->v[f],
				      r->new->v[f]);
			label = row_label(r, with_exe);
			fputs(prefix, out);
			term_puts(out, label);
			fprintf(out, ": %s grew from %s to %s (%s), over "
				"--fail-on ", fields[f].name, a, b, ch);
			term_puts(out, fail[k].spec);
			fputc('\n', out);
			free(label);
		}
	}
	return over;
}

static const char *tests_word(size_t n)
{
	return n == 1 ? "test" : "tests";
}

int compare_files(const char *base_path, const char *new_path,
		  const struct fail_on *fail, size_t n, FILE *out)
{
	struct cmp_run base, new;
	struct pairing p;
	size_t over;

	if (cmp_load_run(base_path, &base) < 0)
		return 2;
	if (cmp_load_run(new_path, &new) < 0) {
		cmp_run_release(&base);
		return 2;
	}
	pair_runs(&base, &new, &p);
	print_table(out, &p, fail, n);
	over = print_regressions(out, "memsup compare: ", &p, fail, n);
	fprintf(out, "memsup compare: %zu %s compared, %zu new, %zu gone",
		p.compared, tests_word(p.compared), p.added, p.gone);
	if (n)
		fprintf(out, "; %zu %s over a --fail-on threshold", over,
			over == 1 ? "figure" : "figures");
	fputc('\n', out);
	free(p.rows);
	cmp_run_release(&base);
	cmp_run_release(&new);
	return over ? 1 : 0;
}

static void compare_usage(void)
{
	error_msg("usage: memsup compare RUN.json... [--metric M] [--stat S] "
		  "[--sort K] [--csv FILE] [--html FILE] "
		  "[--fail-on FIELD:THRESHOLD]...");
}

static const char *const stat_names[] = {
	[STAT_HEADLINE] = "", [STAT_MIN] = "min", [STAT_MAX] = "max",
	[STAT_MEAN] = "mean", [STAT_MEDIAN] = "median",
	[STAT_STDDEV] = "stddev",
};

static const char *const sort_names[] = {
	[SORT_NAME] = "name", [SORT_VALUE] = "value", [SORT_CHANGE] = "change",
};

/* Index of VALUE in NAMES[FIRST..N), or -1 with a message. */
static int pick(const char *opt, const char *value, const char *const *names,
		int first, int n, const char *expected)
{
	int i;

	for (i = first; i < n; i++)
		if (!strcmp(value, names[i]))
			return i;
	error_msg("compare: invalid value '%s' for %s: expected %s", value,
		  opt, expected);
	return -1;
}

static void compare_help(void)
{
	fputs("usage: memsup compare RUN.json... [--metric M] [--stat S] "
	      "[--sort K]\n"
	      "                      [--csv FILE] [--html FILE] "
	      "[--fail-on FIELD:THRESHOLD]...\n"
	      "Runs oldest first. With two runs and none of --metric, --stat, "
	      "--sort,\n--csv, --html: every figure of the first run against "
	      "the second.\n"
	      "  --metric peak|allocated|allocations|leaked  the figure "
	      "(default peak)\n"
	      "  --stat min|max|mean|median|stddev  over each test's repeats "
	      "(--repeat N)\n"
	      "  --sort name|value|change  row order (default name)\n"
	      "  --csv FILE          also write the raw values as CSV\n"
	      "  --html FILE         bars of the first run against the last; "
	      "a line per\n"
	      "                      test across three runs or more\n"
	      "  --fail-on FIELD:THRESHOLD  exit 1 when the last run is over "
	      "the first\n"
	      "                      by more: peak:10%, peak:5MiB, "
	      "allocations:100\n", stdout);
}

int compare_main(int argc, char **argv)
{
	struct compare_opts o = { .metric = COMPARE_PEAK };
	const char **paths;
	struct fail_on *fail;
	size_t nfail = 0, npaths = 0;
	int i, ret, dashdash = 0, series = 0, k;

	fail = xcalloc((size_t)argc + 1, sizeof(*fail));
	paths = xcalloc((size_t)argc + 1, sizeof(*paths));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *why, *eq;
		size_t len;

		if (dashdash || arg[0] != '-' || !arg[1]) {
			paths[npaths++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			dashdash = 1;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			compare_help();
			ret = 0;
			goto out;
		}
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
#define IS(name) (len == strlen(name) && !strncmp(arg, name, len))
		if (!IS("--fail-on") && !IS("--metric") && !IS("--stat") &&
		    !IS("--sort") && !IS("--csv") && !IS("--html")) {
			error_msg("compare: unknown option '%s'", arg);
			goto usage;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			error_msg("compare: option '%s' needs %s", arg,
				  IS("--fail-on") ? "FIELD:THRESHOLD" :
				  IS("--csv") || IS("--html") ? "a file name" :
				  "a value");
			goto usage;
		}
		if (IS("--fail-on")) {
			if (compare_parse_fail_on(val, &fail[nfail], &why) < 0) {
				error_msg("compare: invalid value '%s' for "
					  "--fail-on: %s", val, why);
				ret = 2;
				goto out;
			}
			nfail++;
			continue;
		}
		series = 1;
		if (IS("--metric")) {
			for (k = 0; k < COMPARE_NFIELDS; k++)
				if (!strcmp(val, compare_field_name(k)))
					break;
			if (k == COMPARE_NFIELDS) {
				error_msg("compare: invalid value '%s' for "
					  "--metric: expected peak, allocated, "
					  "allocations or leaked", val);
				ret = 2;
				goto out;
			}
			o.metric = (enum compare_field)k;
		} else if (IS("--stat")) {
			k = pick("--stat", val, stat_names, STAT_MIN,
				 STAT_STDDEV + 1, "min, max, mean, median or "
				 "stddev");
			if (k < 0) {
				ret = 2;
				goto out;
			}
			o.stat = (enum compare_stat)k;
		} else if (IS("--sort")) {
			k = pick("--sort", val, sort_names, SORT_NAME,
				 SORT_CHANGE + 1, "name, value or change");
			if (k < 0) {
				ret = 2;
				goto out;
			}
			o.sort = (enum compare_sort)k;
		} else if (IS("--csv")) {
			o.csv_path = val;
		} else {
			o.html_path = val;
		}
#undef IS
	}
	if (npaths < 2) {
		error_msg("compare: expected two or more JSON files, oldest "
			  "first");
		goto usage;
	}
	if (npaths == 2 && !series) {
		ret = compare_files(paths[0], paths[1], fail, nfail, stdout);
	} else {
		o.fail = fail;
		o.nfail = nfail;
		ret = compare_series(paths, npaths, &o, stdout);
	}
	if (fflush(stdout)) {
		perror_msg("compare: cannot write the table");
		ret = 2;
	}
	goto out;
usage:
	compare_usage();
	ret = 2;
out:
	free(fail);
	free(paths);
	return ret;
}

int compare_check_baseline(const char *baseline_path)
{
	struct cmp_run r;

	if (cmp_load_run(baseline_path, &r) < 0)
		return -1;
	cmp_run_release(&r);
	return 0;
}

int compare_gate(const char *baseline_path, const struct scope *scopes,
		 const char *const *fail_on, size_t n, FILE *out)
{
	struct cmp_run base, now;
	struct fail_on *fail;
	struct pairing p;
	const char *why;
	size_t i, over;

	fail = xcalloc(n + 1, sizeof(*fail));
	for (i = 0; i < n; i++) {
		if (compare_parse_fail_on(fail_on[i], &fail[i], &why) < 0) {
			error_msg("invalid value '%s' for --fail-on: %s",
				  fail_on[i], why);
			free(fail);
			return -1;
		}
	}
	if (cmp_load_run(baseline_path, &base) < 0) {
		free(fail);
		return -1;
	}
	run_from_scopes(&now, scopes);
	pair_runs(&base, &now, &p);
	over = print_regressions(out, "memsup: baseline: ", &p, fail, n);
	fprintf(out, "memsup: baseline: %zu %s compared with '%s', %zu new, "
		"%zu gone; %zu %s over a --fail-on threshold\n", p.compared,
		tests_word(p.compared), baseline_path, p.added, p.gone, over,
		over == 1 ? "figure" : "figures");
	free(p.rows);
	free(fail);
	cmp_run_release(&base);
	cmp_run_release(&now);
	return over ? 1 : 0;
}
