/*
 * The terminal report (docs/reports.md), in pytest-memray's shape: a line per
 * test as it finishes, then the failures with their call stacks, an
 * optional MEMSUP REPORT section, a short summary and one closing line.
 *
 * A pure writer: scopes in, text out. memsup writes it to stderr, as
 * valgrind does, so that the program's own stdout passes through
 * untouched. Colour is the caller's decision (REPORT_TERM_COLOR); the
 * text is otherwise the same byte for byte. docs/reports.md shows it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "supervisor/report.h"
#include "supervisor/xmalloc.h"

#define TERM_WIDTH 80
#define MAX_FRAMES 512
/* Call sites merged into "biggest allocating functions", by bytes. */
#define MAX_MERGED_SITES 1024

#define SGR_RED "\033[31m"
#define SGR_BOLD_RED "\033[1;31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"
#define SGR_BOLD "\033[1m"
#define SGR_RESET "\033[0m"

static void paint(FILE *fp, unsigned flags, const char *sgr)
{
	if (flags & REPORT_TERM_COLOR)
		fputs(sgr, fp);
}

/*
 * Names come from the program (symbols, test names, file names): a
 * control byte could move the cursor or change colours, so each one is
 * shown as \xNN. Other bytes pass through (UTF-8 names stay readable).
 */
void term_puts(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "(null)");

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
}

/* The columns term_puts() takes: a code point each, 4 per escape. */
size_t term_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "(null)");
	size_t w = 0;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			w += 4;
		else if ((*p & 0xc0) != 0x80)
			w++;
	}
	return w;
}

/*
 * A rule with a title, as pytest's TerminalWriter.sep() draws it:
 * "_____ title _____" in 80 columns.
 */
static void term_rule(FILE *fp, char c, const char *title, const char *sgr,
		      unsigned flags)
{
	size_t len = term_width(title), n, i;

	n = len + 2 < TERM_WIDTH ? (TERM_WIDTH - len - 2) / 2 : 1;
	if (!n)
		n = 1;
	if (!*sgr)
		flags &= ~(unsigned)REPORT_TERM_COLOR;
	paint(fp, flags, sgr);
	for (i = 0; i < n; i++)
		fputc(c, fp);
	fputc(' ', fp);
	term_puts(fp, title);
	fputc(' ', fp);
	for (i = 0; i < n; i++)
		fputc(c, fp);
	if (2 * n + len + 2 + 1 <= TERM_WIDTH)
		fputc(c, fp);
	paint(fp, flags, SGR_RESET);
	fputc('\n', fp);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* "make_node at x.c:17", "__strdup (libc.so.6+0x9a1be)", "?? (0x1234)". */
static void frame_print(FILE *fp, const struct sym_frame *fr)
{
	term_puts(fp, fr->function ? fr->function : "??");
	if (fr->file) {
		fputs(" at ", fp);
		term_puts(fp, fr->file);
		if (fr->line)
			fprintf(fp, ":%u", fr->line);
	} else if (fr->object) {
		fputs(" (", fp);
		term_puts(fp, base_name(fr->object));
		fprintf(fp, "+0x%" PRIx64 ")", fr->offset);
	} else {
		fprintf(fp, " (0x%" PRIx64 ")", fr->pc);
	}
	if (fr->inlined)
		fputs(" (inlined)", fp);
}

static unsigned stack_frames(const struct run_info *ri, uint32_t stack,
			     struct sym_frame *fr)
{
	if (!ri->symbolize || !stack)
		return 0;
	return ri->symbolize(ri->sym_ctx, stack, fr, MAX_FRAMES);
}

static void stack_print(FILE *fp, const struct run_info *ri, uint32_t stack,
			const char *indent)
{
	struct sym_frame fr[MAX_FRAMES];
	unsigned n = stack_frames(ri, stack, fr), i;

	if (!n) {
		fprintf(fp, "%s(no call stack)\n", indent);
		return;
	}
	for (i = 0; i < n; i++) {
		fputs(indent, fp);
		frame_print(fp, &fr[i]);
		fputc('\n', fp);
	}
}

/* Whether OBJECT is a system library (the C library and the like). */
static int system_object(const char *object)
{
	static const char *const dirs[] = {
		"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/",
	};
	size_t i;

	if (!object)
		return 0;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strncmp(object, dirs[i], strlen(dirs[i])))
			return 1;
	return 0;
}

/*
 * The frame that names a call site: the innermost one with a source file
 * outside the system libraries, so that a block from strdup() or fopen()
 * is shown at its caller even when the C library has debug information;
 * else the innermost with a source file; else the innermost. Its text as
 * pytest-memray writes a location, "function:file:line", or
 * "function:object+0xOFFSET". Caller frees.
 */
static char *site_key(const struct run_info *ri, uint32_t stack)
{
	struct sym_frame fr[MAX_FRAMES];
	const struct sym_frame *f = NULL;
	unsigned n = stack_frames(ri, stack, fr), i;

	if (!n)
		return xstrdup("??");
	for (i = 0; i < n && !f; i++)
		if (fr[i].file && !system_object(fr[i].object))
			f = &fr[i];
	for (i = 0; i < n && !f; i++)
		if (fr[i].file)
			f = &fr[i];
	if (!f)
		f = &fr[0];
	if (f->file && f->line)
		return xasprintf("%s:%s:%u", f->function ? f->function : "??",
				 f->file, f->line);
	if (f->file)
		return xasprintf("%s:%s", f->function ? f->function : "??",
				 f->file);
	if (f->object)
		return xasprintf("%s:%s+0x%" PRIx64,
				 f->function ? f->function : "??",
				 base_name(f->object), f->offset);
	return xasprintf("%s:0x%" PRIx64, f->function ? f->function : "??",
			 f->pc);
}

struct merged {
	char *key;
	uint64_t bytes;
};

static int merged_by_key(const void *a, const void *b)
{
	return strcmp(((const struct merged *)a)->key,
		      ((const struct merged *)b)->key);
}

static int merged_by_bytes(const void *a, const void *b)
{
	const struct merged *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->key, y->key);
}

/*
 * pytest-memray's "biggest allocating functions": the sites of V merged
 * by the location that names them, the biggest MAX first.
 */
static void biggest_functions(FILE *fp, const struct run_info *ri,
			      const struct site *v, size_t n, size_t max,
			      const char *indent)
{
	struct merged *m;
	size_t i, k = 0;

	if (n > MAX_MERGED_SITES)
		n = MAX_MERGED_SITES;
	if (!n || !max) {
		fprintf(fp, "%s(none)\n", indent);
		return;
	}
	m = xcalloc(n, sizeof(*m));
	for (i = 0; i < n; i++) {
		m[i].key = site_key(ri, v[i].stack);
		m[i].bytes = v[i].bytes;
	}
	qsort(m, n, sizeof(*m), merged_by_key);
	for (i = 0; i < n; i++) {
		if (k && !strcmp(m[k - 1].key, m[i].key)) {
			m[k - 1].bytes += m[i].bytes;
			free(m[i].key);
		} else {
			m[k++] = m[i];
		}
	}
	qsort(m, k, sizeof(*m), merged_by_bytes);
	for (i = 0; i < k; i++) {
		char size[32];

		if (i < max) {
			units_format_size(size, sizeof(size), m[i].bytes);
			fprintf(fp, "%s- ", indent);
			term_puts(fp, m[i].key);
			fprintf(fp, " -> %s\n", size);
		}
		free(m[i].key);
	}
	free(m);
}

/*
 * The histogram of allocation sizes, pytest-memray's cli_hist(): the
 * sizes on a log scale between the smallest and the largest, in
 * min(sites, 5) equal bins, each drawn with one of " ▁▂▃▄▅▆▇█" in
 * proportion to the fullest; unlike pytest-memray, a bin that is not
 * empty shows at least ▁. Our sizes are per call site: each site
 * stands for its blocks, each of the site's average block size (bytes /
 * blocks), so the bars count blocks, not sites. Sites of 0 bytes
 * (malloc(0)) have no logarithm and are left out, as pytest-memray does.
 */
static void histogram(FILE *fp, const struct site *v, size_t n)
{
	static const char *const bars[] = {
		" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█",
	};
	uint64_t count[5] = { 0 }, most = 0;
	double low = 0, high = 0, step;
	uint64_t lo_size = 0, hi_size = 0;
	size_t i, nvalid = 0, bins;

	for (i = 0; i < n; i++) {
		uint64_t avg;
		double x;

		if (!v[i].blocks || !v[i].bytes)
			continue;
		avg = v[i].bytes / v[i].blocks;
		if (!avg)
			avg = 1;
		x = log2((double)avg);
		if (!nvalid || x < low) {
			low = x;
			lo_size = avg;
		}
		if (!nvalid || x > high) {
			high = x;
			hi_size = avg;
		}
		nvalid++;
	}
	if (!nvalid) {
		fputs("(no allocations)", fp);
		return;
	}
	bins = nvalid < 5 ? nvalid : 5;
	if (high - low < 1e-9)
		bins = 1;
	step = (high - low) / (double)bins;
	for (i = 0; i < n; i++) {
		uint64_t avg;
		size_t b = 0;

		if (!v[i].blocks || !v[i].bytes)
			continue;
		avg = v[i].bytes / v[i].blocks;
		if (!avg)
			avg = 1;
		if (bins > 1) {
			b = (size_t)((log2((double)avg) - low) / step);
			if (b >= bins)
				b = bins - 1;
		}
		count[b] += v[i].blocks;
	}
	for (i = 0; i < bins; i++)
		if (count[i] > most)
			most = count[i];
	fputc('|', fp);
	for (i = 0; i < bins; i++) {
		if (i)
			fputc(' ', fp);
		/* A bin that holds any block shows at least ▁. */
		fputs(bars[count[i] ? 1 + count[i] * 7 / most : 0], fp);
	}
	fputc('|', fp);
	if (bins > 1) {
		char a[32], b[32];

		units_format_size(a, sizeof(a), lo_size);
		units_format_size(b, sizeof(b), hi_size);
		fprintf(fp, " %s to %s", a, b);
	}
}

static uint64_t sum_blocks(const struct site *v, size_t n)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t += v[i].blocks;
	return t;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "- 117.2KiB in 30 blocks allocated here:" and the stack under it. */
static void site_print(FILE *fp, const struct run_info *ri,
		       const struct site *st, const char *what,
		       const char *note)
{
	char size[32];

	units_format_size(size, sizeof(size), st->bytes);
	fprintf(fp, "    - %s in %" PRIu64 " %s %s here%s:\n", size,
		st->blocks, plural(st->blocks, "block", "blocks"), what,
		note ? note : "");
	stack_print(fp, ri, st->stack, "        ");
}

/* What valgrind says of a leak group of each kind. */
static const char *kind_words(uint32_t kind)
{
	switch (kind) {
	case LEAK_DEFINITE:
		return "definitely lost";
	case LEAK_INDIRECT:
		return "indirectly lost";
	case LEAK_POSSIBLE:
		return "possibly lost";
	case LEAK_REACHABLE:
		return "still reachable";
	default:
		return NULL;
	}
}

/*
 * A leak group: "- 276.0B (48.0B direct, 228.0B indirect) in 1 block
 * definitely lost here:", "- 32.0B in 2 blocks still reachable here:";
 * UNSCANNED_WHAT for a group that was not classified.
 */
static void leak_print(FILE *fp, const struct run_info *ri,
		       const struct site *st, const char *unscanned_what,
		       const char *note)
{
	const char *what = kind_words(st->kind);
	char size[32], direct[32], indirect[32];

	if (!what)
		what = unscanned_what;
	if (st->kind == LEAK_DEFINITE && st->indirect) {
		units_format_size(size, sizeof(size), st->bytes + st->indirect);
		units_format_size(direct, sizeof(direct), st->bytes);
		units_format_size(indirect, sizeof(indirect), st->indirect);
		fprintf(fp, "    - %s (%s direct, %s indirect) in %" PRIu64
			" %s %s here%s:\n", size, direct, indirect, st->blocks,
			plural(st->blocks, "block", "blocks"), what,
			note ? note : "");
		stack_print(fp, ri, st->stack, "        ");
		return;
	}
	site_print(fp, ri, st, what, note);
}

/* "    ... and 3 more call stacks (1.2KiB)" */
static void more_print(FILE *fp, const struct site *v, size_t n)
{
	uint64_t bytes = 0;
	char size[32];
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		bytes += v[i].bytes;
	units_format_size(size, sizeof(size), bytes);
	fprintf(fp, "    ... and %zu more call %s (%s)\n", n,
		plural(n, "stack", "stacks"), size);
}

static void peak_detail(FILE *fp, const struct run_info *ri,
			const struct scope *sc)
{
	size_t i, n = sc->npeak_sites;
	size_t shown = n < ri->most_allocations ? n : ri->most_allocations;

	fputs("List of allocations at the high watermark:\n", fp);
	for (i = 0; i < shown; i++)
		site_print(fp, ri, &sc->peak_sites[i], "allocated", NULL);
	more_print(fp, sc->peak_sites + shown, n - shown);
	fputs("Histogram of allocation sizes: ", fp);
	histogram(fp, sc->peak_sites, n);
	fputs("\nBiggest allocating functions:\n", fp);
	biggest_functions(fp, ri, sc->peak_sites, n, ri->most_allocations,
			  "    ");
}

/*
 * The leaking call stacks over the limit first, then the others (filtered
 * or within the limit), --most-allocations in all; the rest counted.
 */
static void leaks_detail(FILE *fp, const struct run_info *ri,
			 const struct scope *sc, uint64_t limit)
{
	size_t i, shown = 0, rest[2] = { 0, 0 };
	uint64_t rest_bytes[2] = { 0, 0 };
	char size[32];
	int pass;

	fputs("List of leaked allocations:\n", fp);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < sc->nleaks; i++) {
			const struct site *st = &sc->leaks[i];
			int over = !st->filtered && !st->unjudged &&
				   st->bytes > limit;

			if (over != !pass)
				continue;
			if (shown >= ri->most_allocations) {
				rest[pass]++;
				rest_bytes[pass] += st->bytes;
				continue;
			}
			shown++;
			leak_print(fp, ri, st, "leaked", over ? NULL :
				   st->filtered ? " (filtered: a leak filter "
						  "matched)" :
				   st->unjudged ? " (not judged: its kind is "
						  "not in leak_kinds)" :
						  " (within the limit)");
		}
	for (pass = 0; pass < 2; pass++) {
		if (!rest[pass])
			continue;
		units_format_size(size, sizeof(size), rest_bytes[pass]);
		fprintf(fp, "    ... and %zu more call %s %s (%s)\n",
			rest[pass], plural(rest[pass], "stack", "stacks"),
			pass ? "within the limit, filtered or not judged" :
			       "over the limit", size);
	}
}

static int by_blocks(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->blocks != y->blocks)
		return x->blocks < y->blocks ? 1 : -1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return (x->stack > y->stack) - (x->stack < y->stack);
}

/* The call stacks that allocated most, by count or by bytes. */
static void allocs_detail(FILE *fp, const struct run_info *ri,
			  const struct scope *sc, int by_count)
{
	struct site *v;
	size_t i, n, shown;

	v = site_table_sorted(&sc->allocs, &n);
	if (by_count && n)
		qsort(v, n, sizeof(*v), by_blocks);
	shown = n < ri->most_allocations ? n : ri->most_allocations;
	fprintf(fp, "Call stacks with the most %s:\n",
		by_count ? "allocations" : "bytes allocated");
	for (i = 0; i < shown; i++) {
		char size[32];

		units_format_size(size, sizeof(size), v[i].bytes);
		fprintf(fp, "    - %" PRIu64 " %s of %s in total here:\n",
			v[i].blocks,
			plural(v[i].blocks, "allocation", "allocations"), size);
		stack_print(fp, ri, v[i].stack, "        ");
	}
	more_print(fp, v + shown, n - shown);
	if (!by_count) {
		fputs("Biggest allocating functions over the whole test:\n",
		      fp);
		biggest_functions(fp, ri, v, n, ri->most_allocations, "    ");
	}
	free(v);
}

static void fds_detail(FILE *fp, const struct scope *sc)
{
	size_t i;

	fputs("File descriptors left open:\n", fp);
	for (i = 0; i < sc->nfds_leaked; i++) {
		fprintf(fp, "    - fd %d -> ", sc->fds_leaked[i].fd);
		term_puts(fp, sc->fds_leaked[i].target);
		fputc('\n', fp);
	}
}

void report_term_failure(FILE *fp, const struct run_info *ri,
			 const struct scope *sc, const struct scope_failure *f)
{
	if (!strcmp(f->check, "limit_memory"))
		peak_detail(fp, ri, sc);
	else if (!strcmp(f->check, "limit_leaks"))
		leaks_detail(fp, ri, sc, f->limit);
	else if (!strcmp(f->check, "max_allocations"))
		allocs_detail(fp, ri, sc, 1);
	else if (!strcmp(f->check, "max_allocated"))
		allocs_detail(fp, ri, sc, 0);
	else if (!strcmp(f->check, "limit_fds"))
		fds_detail(fp, sc);
}

void report_term_unfinished(FILE *fp, const struct scope *sc)
{
	char peak[32], alloc[32];

	units_format_size(peak, sizeof(peak), sc->m.peak);
	units_format_size(alloc, sizeof(alloc), sc->m.allocated);
	fprintf(fp, "Its figures until then: peak %s, %" PRIu64 " %s, %s "
		"allocated.\nIts leaks and file descriptors were not judged: "
		"its frame did not return.\n", peak, sc->m.allocations,
		plural(sc->m.allocations, "allocation", "allocations"), alloc);
}

static const char *verdict(enum scope_status st)
{
	switch (st) {
	case SCOPE_PASSED:
		return "PASSED";
	case SCOPE_FAILED:
		return "FAILED";
	case SCOPE_UNFINISHED:
		return "UNFINISHED";
	case SCOPE_OPEN:
		break;
	}
	return "OPEN";
}

static const char *verdict_color(enum scope_status st)
{
	switch (st) {
	case SCOPE_PASSED:
		return SGR_GREEN;
	case SCOPE_FAILED:
		return SGR_RED;
	case SCOPE_UNFINISHED:
	case SCOPE_OPEN:
		break;
	}
	return SGR_YELLOW;
}

/*
 * -q: one line per verdict with its reason, so that a CI log says why:
 * "memsup: FAILED test_x - Test was limited to ...", one line per failed
 * check; "memsup: UNFINISHED test_y - killed by SIGSEGV inside the test".
 */
static void quiet_line(FILE *fp, const struct scope *sc, unsigned flags,
		       const char *why)
{
	fputs("memsup: ", fp);
	paint(fp, flags, verdict_color(sc->status));
	fputs(verdict(sc->status), fp);
	paint(fp, flags, SGR_RESET);
	fputc(' ', fp);
	term_puts(fp, sc->name);
	if (why) {
		fputs(" - ", fp);
		term_puts(fp, why);
	}
	fputc('\n', fp);
}

static void quiet_test(FILE *fp, const struct scope *sc, unsigned flags)
{
	size_t i;

	if (sc->reason || !sc->nfailures)
		quiet_line(fp, sc, flags, sc->reason);
	for (i = 0; i < sc->nfailures; i++)
		quiet_line(fp, sc, flags, sc->failures[i].message);
}

void report_term_test(FILE *fp, const struct scope *sc, unsigned flags)
{
	const char *v = verdict(sc->status);
	char peak[32], leak[32];
	size_t i;

	if (flags & REPORT_TERM_QUIET) {
		quiet_test(fp, sc, flags);
		return;
	}
	fputs("memsup: ", fp);
	paint(fp, flags, verdict_color(sc->status));
	fputs(v, fp);
	paint(fp, flags, SGR_RESET);
	fprintf(fp, "%*s", (int)(11 - strlen(v)), "");
	term_puts(fp, sc->name);
	units_format_size(peak, sizeof(peak), sc->m.peak);
	units_format_size(leak, sizeof(leak), sc->m.leaked_bytes);
	fprintf(fp, "  peak %s, %" PRIu64 " %s", peak, sc->m.allocations,
		plural(sc->m.allocations, "allocation", "allocations"));
	if (sc->status != SCOPE_UNFINISHED)
		fprintf(fp, ", %s leaked", leak);
	for (i = 0; i < sc->nfailures; i++)
		fprintf(fp, "%s%s", i ? ", " : " [", sc->failures[i].check);
	if (sc->nfailures)
		fputc(']', fp);
	if (sc->reason) {
		fputs(": ", fp);
		term_puts(fp, sc->reason);
	}
	fputc('\n', fp);
}

void report_term_line(FILE *fp, const struct scope *sc, int quiet)
{
	report_term_test(fp, sc, quiet ? REPORT_TERM_QUIET : 0);
}

/* One failed or unfinished test: pytest's "____ name ____" section. */
static void failure_section(FILE *fp, const struct run_info *ri,
			    const struct scope *sc, unsigned flags)
{
	size_t i;

	term_rule(fp, '_', sc->name, SGR_RED, flags);
	if (sc->status == SCOPE_UNFINISHED || sc->status == SCOPE_OPEN) {
		paint(fp, flags, SGR_BOLD_RED);
		fputs("Test did not finish: ", fp);
		term_puts(fp, sc->reason ? sc->reason : "its scope is open");
		paint(fp, flags, SGR_RESET);
		fputc('\n', fp);
		report_term_unfinished(fp, sc);
	}
	for (i = 0; i < sc->nfailures; i++) {
		const struct scope_failure *f = &sc->failures[i];
		char title[64];

		paint(fp, flags, SGR_BOLD_RED);
		term_puts(fp, f->message);
		paint(fp, flags, SGR_RESET);
		fputc('\n', fp);
		snprintf(title, sizeof(title), "memsup %s", f->check);
		term_rule(fp, '-', title, "", flags);
		report_term_failure(fp, ri, sc, f);
	}
	fputc('\n', fp);
}

/* pytest-memray's MEMRAY REPORT entry for one test. */
static void memory_section(FILE *fp, const struct run_info *ri,
			   const struct scope *sc)
{
	char peak[32], alloc[32], leak[32];

	units_format_size(peak, sizeof(peak), sc->m.peak);
	units_format_size(alloc, sizeof(alloc), sc->m.allocated);
	units_format_size(leak, sizeof(leak), sc->m.leaked_bytes);
	fputs("Allocation results for ", fp);
	term_puts(fp, sc->name);
	fputs(" at the high watermark\n\n", fp);
	fprintf(fp, "\t 📦 Total memory allocated: %s\n", peak);
	fprintf(fp, "\t 📏 Total allocations: %" PRIu64 "\n",
		sum_blocks(sc->peak_sites, sc->npeak_sites));
	fputs("\t 📊 Histogram of allocation sizes: ", fp);
	histogram(fp, sc->peak_sites, sc->npeak_sites);
	fputs("\n\t 🥇 Biggest allocating functions:\n", fp);
	biggest_functions(fp, ri, sc->peak_sites, sc->npeak_sites,
			  ri->most_allocations, "\t\t");
	fprintf(fp, "\t 🧮 Over the whole test: %" PRIu64 " %s, %s allocated, "
		"%" PRIu64 " %s, %s leaked in %" PRIu64 " %s\n\n",
		sc->m.allocations,
		plural(sc->m.allocations, "allocation", "allocations"), alloc,
		sc->m.frees, plural(sc->m.frees, "free", "frees"), leak,
		sc->m.leaked_blocks,
		plural(sc->m.leaked_blocks, "block", "blocks"));
}

static int is_bad(const struct scope *sc)
{
	return sc->status != SCOPE_PASSED;
}

void report_term_report(FILE *fp, const struct run_info *ri,
			const struct scope *scopes, unsigned flags)
{
	const struct scope *sc;
	size_t total = 0, passed = 0, failed = 0, unfinished = 0, programs = 0;
	const char *noun;

	for (sc = scopes; sc; sc = sc->next) {
		total++;
		programs += sc->is_program != 0;
		if (sc->status == SCOPE_PASSED)
			passed++;
		else if (sc->status == SCOPE_FAILED)
			failed++;
		else
			unfinished++;
	}
	if (!(flags & REPORT_TERM_QUIET)) {
		if (failed || unfinished) {
			term_rule(fp, '=', "FAILURES", SGR_RED, flags);
			for (sc = scopes; sc; sc = sc->next)
				if (is_bad(sc))
					failure_section(fp, ri, sc, flags);
		}
		if ((flags & REPORT_TERM_VERBOSE) && total) {
			term_rule(fp, '=', "MEMSUP REPORT", "", flags);
			for (sc = scopes; sc; sc = sc->next)
				memory_section(fp, ri, sc);
		}
		if (failed || unfinished) {
			term_rule(fp, '=', "short test summary info", SGR_BOLD,
				  flags);
			for (sc = scopes; sc; sc = sc->next) {
				size_t i;

				if (!is_bad(sc))
					continue;
				if (sc->status != SCOPE_FAILED) {
					paint(fp, flags, SGR_YELLOW);
					fputs("UNFINISHED ", fp);
					paint(fp, flags, SGR_RESET);
					term_puts(fp, sc->name);
					fputs(" - ", fp);
					term_puts(fp, sc->reason ? sc->reason :
						  "its scope is open");
					fputc('\n', fp);
				}
				for (i = 0; i < sc->nfailures; i++) {
					paint(fp, flags, SGR_RED);
					fputs("FAILED ", fp);
					paint(fp, flags, SGR_RESET);
					term_puts(fp, sc->name);
					fputs(" - ", fp);
					term_puts(fp, sc->failures[i].message);
					fputc('\n', fp);
				}
			}
		}
	}
	/*
	 * Not "N passed, N failed" alone on a line: CI jobs parse that form
	 * from the test runner's own output.
	 */
	if (total && programs == total)
		noun = total == 1 ? "process" : "processes";
	else
		noun = total == 1 ? "test" : "tests";
	paint(fp, flags, failed || unfinished ? SGR_BOLD_RED : SGR_GREEN);
	fprintf(fp, "memsup: %zu %s: %zu passed, %zu failed", total, noun,
		passed, failed);
	if (unfinished)
		fprintf(fp, ", %zu unfinished", unfinished);
	fprintf(fp, " (%.2f s)", ri->clock ? ri->clock() - ri->started :
					  ri->seconds);
	paint(fp, flags, SGR_RESET);
	fputc('\n', fp);
}

/*
 * valgrind's LEAK SUMMARY, when the blocks were classified:
 * "memsup:   definitely lost: 48 bytes in 1 block" and so on.
 */
static void kinds_line(FILE *fp, const struct scope *sc)
{
	unsigned k;

	if (sc->m.kind_blocks[LEAK_UNSCANNED] == sc->m.leaked_blocks)
		return;
	for (k = 0; k < LEAK_UNSCANNED; k++)
		fprintf(fp, "memsup:     %s: %" PRIu64 " bytes in %" PRIu64
			" %s\n", kind_words(k), sc->m.kind_bytes[k],
			sc->m.kind_blocks[k],
			plural(sc->m.kind_blocks[k], "block", "blocks"));
	if (sc->m.kind_blocks[LEAK_UNSCANNED])
		fprintf(fp, "memsup:     not classified: %" PRIu64 " bytes in "
			"%" PRIu64 " %s\n", sc->m.kind_bytes[LEAK_UNSCANNED],
			sc->m.kind_blocks[LEAK_UNSCANNED],
			plural(sc->m.kind_blocks[LEAK_UNSCANNED], "block",
			       "blocks"));
}

/*
 * Without a policy: one scope per process, its figures and the call
 * stacks of what was still live at exit (valgrind's leak summary).
 */
void report_term_summary(FILE *fp, const struct run_info *ri,
			 const struct scope *scopes)
{
	const struct scope *sc;

	for (sc = scopes; sc; sc = sc->next) {
		char peak[32], alloc[32], leak[32];
		size_t i, shown;

		units_format_size(peak, sizeof(peak), sc->m.peak);
		units_format_size(alloc, sizeof(alloc), sc->m.allocated);
		units_format_size(leak, sizeof(leak), sc->m.leaked_bytes);
		fputs("memsup: ", fp);
		term_puts(fp, sc->name);
		fprintf(fp, " (pid %d): ", (int)sc->pid);
		term_puts(fp, sc->command ? sc->command : "");
		fprintf(fp, "\nmemsup:   %" PRIu64 " %s, %" PRIu64 " %s, %s "
			"allocated, peak %s\n", sc->m.allocations,
			plural(sc->m.allocations, "allocation", "allocations"),
			sc->m.frees, plural(sc->m.frees, "free", "frees"),
			alloc, peak);
		fprintf(fp, "memsup:   still live at %s: %s in %" PRIu64
			" %s (%" PRIu64 " bytes)\n",
			ri->detached ? "the detach" : "exit", leak,
			sc->m.leaked_blocks,
			plural(sc->m.leaked_blocks, "block", "blocks"),
			sc->m.leaked_bytes);
		if (sc->m.unknown_frees)
			fprintf(fp, "memsup:   %" PRIu64 " %s never "
				"allocated\n", sc->m.unknown_frees,
				plural(sc->m.unknown_frees,
				       "free of an address",
				       "frees of addresses"));
		if (sc->status == SCOPE_UNFINISHED && sc->reason) {
			fputs("memsup:   unfinished: ", fp);
			term_puts(fp, sc->reason);
			fputc('\n', fp);
		}
		shown = sc->nleaks < ri->most_allocations ? sc->nleaks :
							    ri->most_allocations;
		kinds_line(fp, sc);
		for (i = 0; i < shown; i++)
			leak_print(fp, ri, &sc->leaks[i], "still live",
				   sc->leaks[i].filtered ? " (filtered)" : NULL);
		more_print(fp, sc->leaks + shown, sc->nleaks - shown);
	}
}
