/*
 * JUnit XML (docs/reports.md). A pure writer: scopes in, text out.
 *
 * <testsuites> holds one <testsuite> per executable (the scopes grouped
 * by executable path, in the order each first appears), named after the
 * executable's basename, with the run-wide facts in its <properties>.
 * Each scope is a <testcase>; a broken limit is a <failure
 * type="memsup.CHECK">, an unfinished scope an <error
 * type="memsup.unfinished">, and the figures are in <system-out>.
 *
 * By default (xunit2) the file validates against the Jenkins schema in
 * shared/junit/junit-10.xsd, which allows neither file nor line on a
 * <testcase>, nor a skipped count on <testsuites>; xunit1 adds file and
 * line, as pytest's junit_family=xunit1 does. No timestamp or hostname is
 * written: they are optional, and a pure writer has neither.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "supervisor/report.h"
#include "supervisor/xmalloc.h"

/*
 * Decodes the UTF-8 sequence at P (AVAIL bytes left) into *CP and its
 * length into *LEN; returns 0. An ill-formed sequence returns -1 with
 * *LEN the length of its maximal subpart (Unicode §3.9, Table 3-7), which
 * becomes one U+FFFD: overlongs, surrogates and past U+10FFFF included.
 */
static int utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp,
		       size_t *len)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		*len = 1;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*len = 1;
		return -1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= avail || p[i] < lo || p[i] > hi) {
			*len = i;
			return -1;
		}
		v = v << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	*len = need + 1;
	return 0;
}

/*
 * S (LEN bytes) as XML 1.0 character data, or as an attribute value in
 * double quotes when ATTR. XML 1.0 has no way to write most control
 * characters, not even as references: they become "#xNN" as pytest's
 * bin_xml_escape() writes them, and so do U+FFFE and U+FFFF. In an
 * attribute, tab, newline and carriage return are references, or a
 * parser would normalise them to spaces; in text only the carriage
 * return is (a parser would turn it into a newline).
 */
static void xml_write(FILE *fp, const char *s, size_t len, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;

	while (p < end) {
		uint32_t cp = 0;
		size_t n;

		if (utf8_decode(p, (size_t)(end - p), &cp, &n) < 0) {
			fputs("\xef\xbf\xbd", fp);
			p += n;
			continue;
		}
		switch (cp) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs(attr ? "&quot;" : "\"", fp);
			break;
		case '\t':
			fputs(attr ? "&#9;" : "\t", fp);
			break;
		case '\n':
			fputs(attr ? "&#10;" : "\n", fp);
			break;
		case '\r':
			fputs("&#13;", fp);
			break;
		default:
			if (cp < 0x20)
				fprintf(fp, "#x%02X", (unsigned)cp);
			else if (cp == 0xfffe || cp == 0xffff)
				fprintf(fp, "#x%04X", (unsigned)cp);
			else
				fwrite(p, 1, n, fp);
		}
		p += n;
	}
}

static void xml_str(FILE *fp, const char *s, int attr)
{
	if (s)
		xml_write(fp, s, strlen(s), attr);
}

/* ' NAME="VALUE"' */
static void xml_attr(FILE *fp, const char *name, const char *value)
{
	fprintf(fp, " %s=\"", name);
	xml_str(fp, value, 1);
	fputc('"', fp);
}

static void xml_property(FILE *fp, const char *name, const char *value)
{
	fputs("      <property", fp);
	xml_attr(fp, "name", name);
	xml_attr(fp, "value", value);
	fputs("/>\n", fp);
}

/* junit-10.xsd's SUREFIRE_TIME: digits, at most three decimals. */
static void xml_time(FILE *fp, double seconds)
{
	if (!(seconds > 0))
		seconds = 0;
	fprintf(fp, " time=\"%.3f\"", seconds);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static const char *executable_of(const struct run_info *ri,
				 const struct scope *sc)
{
	if (sc->executable)
		return sc->executable;
	return ri->program ? ri->program : "memsup";
}

static int same_executable(const struct run_info *ri, const struct scope *a,
			   const struct scope *b)
{
	return !strcmp(executable_of(ri, a), executable_of(ri, b));
}

/* A word as a POSIX shell would read it back: quoted when it must be. */
static void shell_word(FILE *fp, const char *w)
{
	const char *p;

	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_@%+=:,./-") == strlen(w)) {
		fputs(w, fp);
		return;
	}
	fputc('\'', fp);
	for (p = w; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			fputc(*p, fp);
	}
	fputc('\'', fp);
}

/* Text written to a memory stream; caller frees. */
struct memtext {
	char *buf;
	size_t len;
	FILE *fp;
};

static FILE *memtext_open(struct memtext *mt)
{
	mt->buf = NULL;
	mt->len = 0;
	mt->fp = open_memstream(&mt->buf, &mt->len);
	if (!mt->fp) {
		fputs("memsup: out of memory\n", stderr);
		abort();
	}
	return mt->fp;
}

/* Writes the text, escaped, to FP and frees it. */
static void memtext_flush(struct memtext *mt, FILE *fp)
{
	fclose(mt->fp);
	xml_write(fp, mt->buf, mt->len, 0);
	free(mt->buf);
}

static void suite_properties(FILE *fp, const struct run_info *ri,
			     const char *exe)
{
	struct memtext mt;
	char *const *a;
	char num[32];

	fputs("    <properties>\n", fp);
	xml_property(fp, "memsup_version", MEMSUP_VERSION);
	if (ri->policy)
		xml_property(fp, "policy", ri->policy);
	if (ri->program)
		xml_property(fp, "program", ri->program);
	if (ri->argv) {
		memtext_open(&mt);
		for (a = ri->argv; *a; a++) {
			if (a != ri->argv)
				fputc(' ', mt.fp);
			shell_word(mt.fp, *a);
		}
		fclose(mt.fp);
		xml_property(fp, "argv", mt.buf);
		free(mt.buf);
	}
	xml_property(fp, "executable", exe);
	snprintf(num, sizeof(num), "%d", ri->exit_status);
	xml_property(fp, "exit_status", num);
	if (ri->program_status >= 0) {
		snprintf(num, sizeof(num), "%d",
			 report_program_exit(ri->program_status));
		xml_property(fp, "program_exit_status", num);
	}
	fputs("    </properties>\n", fp);
}

static void size_line(FILE *fp, const char *label, uint64_t bytes)
{
	char size[32];

	units_format_size(size, sizeof(size), bytes);
	fprintf(fp, "%s: %s (%" PRIu64 " bytes)", label, size, bytes);
}

static void testcase_out(FILE *fp, const struct scope *sc)
{
	struct memtext mt;
	FILE *m = memtext_open(&mt);
	size_t i;

	fprintf(m, "status: %s\n", scope_status_name(sc->status));
	size_line(m, "peak", sc->m.peak);
	fputc('\n', m);
	size_line(m, "allocated", sc->m.allocated);
	fprintf(m, "\nallocations: %" PRIu64 "\nfrees: %" PRIu64
		"\nunknown frees: %" PRIu64 "\n", sc->m.allocations,
		sc->m.frees, sc->m.unknown_frees);
	size_line(m, "leaked", sc->m.leaked_bytes);
	fprintf(m, " in %" PRIu64 " block%s\n", sc->m.leaked_blocks,
		sc->m.leaked_blocks == 1 ? "" : "s");
	fprintf(m, "fds left open: %zu\n", sc->nfds_leaked);
	for (i = 0; i < sc->nfds_leaked; i++)
		fprintf(m, "    fd %d -> %s\n", sc->fds_leaked[i].fd,
			sc->fds_leaked[i].target ? sc->fds_leaked[i].target :
						   "?");
	fprintf(m, "pid: %d\n", (int)sc->pid);
	if (sc->executable)
		fprintf(m, "executable: %s\n", sc->executable);
	fputs("      <system-out>", fp);
	memtext_flush(&mt, fp);
	fputs("</system-out>\n", fp);
}

static void testcase(FILE *fp, const struct run_info *ri,
		     const struct scope *sc, int xunit1)
{
	struct memtext mt;
	size_t i;

	const char *name = sc->name ? sc->name : "?";
	size_t cl = sc->classname ? strlen(sc->classname) : 0;

	/* "Suite.Name" of classname "Suite" is "Name", as GoogleTest's own
	 * XML writes it. */
	if (cl && !strncmp(name, sc->classname, cl) && name[cl] == '.' &&
	    name[cl + 1])
		name += cl + 1;
	fputs("    <testcase", fp);
	xml_attr(fp, "name", name);
	xml_attr(fp, "classname", sc->classname ? sc->classname :
			base_name(executable_of(ri, sc)));
	xml_time(fp, sc->end - sc->start);
	if (xunit1 && sc->file) {
		xml_attr(fp, "file", sc->file);
		if (sc->line)
			fprintf(fp, " line=\"%u\"", sc->line);
	}
	fputs(">\n", fp);
	if (sc->status == SCOPE_UNFINISHED || sc->status == SCOPE_OPEN) {
		const char *why = sc->reason ? sc->reason : "its scope is open";

		fputs("      <error type=\"memsup.unfinished\"", fp);
		xml_attr(fp, "message", why);
		fputc('>', fp);
		memtext_open(&mt);
		fprintf(mt.fp, "Test did not finish: %s\n", why);
		report_term_unfinished(mt.fp, sc);
		memtext_flush(&mt, fp);
		fputs("</error>\n", fp);
	}
	for (i = 0; i < sc->nfailures; i++) {
		const struct scope_failure *f = &sc->failures[i];

		fputs("      <failure type=\"memsup.", fp);
		xml_str(fp, f->check, 1);
		fputc('"', fp);
		xml_attr(fp, "message", f->message);
		fputc('>', fp);
		memtext_open(&mt);
		report_term_failure(mt.fp, ri, sc, f);
		memtext_flush(&mt, fp);
		fputs("</failure>\n", fp);
	}
	testcase_out(fp, sc);
	fputs("    </testcase>\n", fp);
}

struct counts {
	size_t tests, failures, errors;
	double start, end;
};

static void count(struct counts *c, const struct scope *sc)
{
	if (!c->tests || sc->start < c->start)
		c->start = sc->start;
	if (!c->tests || sc->end > c->end)
		c->end = sc->end;
	c->tests++;
	if (sc->status == SCOPE_FAILED)
		c->failures++;
	else if (sc->status != SCOPE_PASSED)
		c->errors++;
}

static void suite_open(FILE *fp, const char *name, const struct counts *c)
{
	fputs("  <testsuite", fp);
	xml_attr(fp, "name", name);
	fprintf(fp, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"0\"", c->tests, c->failures, c->errors);
	xml_time(fp, c->end - c->start);
	fputs(">\n", fp);
}

void report_junit(FILE *fp, const struct run_info *ri,
		  const struct scope *scopes, int xunit1)
{
	const struct scope *sc, *o;
	struct counts all = { 0 };

	for (sc = scopes; sc; sc = sc->next)
		count(&all, sc);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	fprintf(fp, "<testsuites name=\"memsup\" tests=\"%zu\" failures=\"%zu\""
		" errors=\"%zu\"", all.tests, all.failures, all.errors);
	xml_time(fp, ri->seconds);
	fputs(">\n", fp);
	if (!scopes) {
		/* The run's facts, even when no test ran. */
		const char *prog = ri->program ? ri->program : "memsup";

		suite_open(fp, base_name(prog), &all);
		suite_properties(fp, ri, prog);
		fputs("  </testsuite>\n", fp);
	}
	for (sc = scopes; sc; sc = sc->next) {
		struct counts c = { 0 };
		const char *exe = executable_of(ri, sc);

		for (o = scopes; o != sc; o = o->next)
			if (same_executable(ri, o, sc))
				break;
		if (o != sc)
			continue;	/* its suite is written already */
		for (o = sc; o; o = o->next)
			if (same_executable(ri, o, sc))
				count(&c, o);
		suite_open(fp, base_name(exe), &c);
		suite_properties(fp, ri, exe);
		for (o = sc; o; o = o->next)
			if (same_executable(ri, o, sc))
				testcase(fp, ri, o, xunit1);
		fputs("  </testsuite>\n", fp);
	}
	fputs("</testsuites>\n", fp);
}
