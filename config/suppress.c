#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/suppress.h"

/* Self-contained, as the policy loader is (the fuzzer links config/ alone). */
static void oom(void)
{
	fputs("fatal: suppressions: out of memory\n", stderr);
	abort();
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

static void *xgrow(void *ptr, size_t *alloc, size_t need, size_t size)
{
	size_t n = *alloc ? *alloc : 4;

	if (need <= *alloc)
		return ptr;
	while (n < need)
		n *= 2;
	ptr = realloc(ptr, n * size);
	if (!ptr)
		oom();
	*alloc = n;
	return ptr;
}

static char *xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}

/* The allocator entry points valgrind shows as a leak's first frames. */
static const char *const alloc_names[] = {
	"malloc", "calloc", "realloc", "reallocarray", "memalign",
	"posix_memalign", "aligned_alloc", "valloc", "pvalloc", "_Znwm",
	"_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
	"_ZnwmSt11align_val_t", "_ZnamSt11align_val_t",
	"operator new(unsigned long)", "operator new[](unsigned long)",
	NULL,
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = 0;
	return s;
}

int supp_parse_frame(const char *line, struct supp_frame *f, const char **why)
{
	const char *colon;
	char *end;

	memset(f, 0, sizeof(*f));
	if (!strcmp(line, "...")) {
		f->kind = SUPP_ANY;
		return 0;
	}
	if (!strncmp(line, "fun:", 4)) {
		f->kind = SUPP_FUN;
	} else if (!strncmp(line, "obj:", 4)) {
		f->kind = SUPP_OBJ;
	} else if (!strncmp(line, "src:", 4)) {
		f->kind = SUPP_SRC;
	} else {
		*why = "expected a frame line: fun:FUNCTION, obj:OBJECT, "
		       "src:FILE[:LINE] or ...";
		return -1;
	}
	if (!line[4]) {
		*why = "a frame line without a pattern";
		return -1;
	}
	f->glob = xstrdup(line + 4);
	if (f->kind == SUPP_SRC && (colon = strrchr(f->glob, ':')) &&
	    colon[1]) {
		unsigned long v;

		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (!*end && !errno && v > 0 && v < 1u << 31) {
			f->line = (unsigned)v;
			f->glob[colon - f->glob] = 0;
		}
	}
	return 0;
}

void supp_frame_release(struct supp_frame *f)
{
	free(f->glob);
	f->glob = NULL;
}

static void supp_release(struct suppression *s)
{
	size_t i;

	for (i = 0; i < s->nframes; i++)
		supp_frame_release(&s->frames[i]);
	free(s->frames);
	free(s->name);
	free(s->origin);
	free(s->lsan);
}

void supp_list_release(struct supp_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		supp_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void set_err(char *err, size_t len, unsigned line, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
static void set_err(char *err, size_t len, unsigned line, const char *fmt,
		    ...)
{
	va_list ap;
	int n = snprintf(err, len, "%u: ", line);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < len)
		vsnprintf(err + n, len - (size_t)n, fmt, ap);
	va_end(ap);
}

static struct suppression *add(struct supp_list *l, size_t *alloc)
{
	l->v = xgrow(l->v, alloc, l->n + 1, sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* LSan's template: substring unless anchored by ^ or $; * wildcard. */
static char *lsan_glob(const char *pat)
{
	size_t n = strlen(pat);
	int head = pat[0] == '^', tail = n > (size_t)head && pat[n - 1] == '$';

	return xasprintf("%s%.*s%s", head ? "" : "*",
			 (int)(n - (size_t)head - (size_t)tail), pat + head,
			 tail ? "" : "*");
}

int supp_load_file(const char *path, struct supp_list *l, char *err,
		   size_t errlen)
{
	FILE *fp = fopen(path, "re");
	struct supp_list out = { 0 };
	size_t alloc = 0, falloc = 0, start_n = l->n;
	char buf[4096], *s;
	unsigned lineno = 0, start = 0;
	int state = 0;	/* 0 outside, 1 name, 2 kind, 3 frames */
	int is_leak = 0, lsan = -1;
	struct suppression *cur = NULL;
	const char *why;

	(void)start_n;
	if (!fp) {
		set_err(err, errlen, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), fp)) {
		lineno++;
		s = trim(buf);
		if (state == 0 && (!*s || *s == '#'))
			continue;
		if (lsan < 0)
			lsan = strcmp(s, "{") != 0;
		if (lsan) {
			char *colon = strchr(s, ':');

			if (!colon || colon == s) {
				set_err(err, errlen, lineno, "expected "
					"TYPE:PATTERN (leak:PATTERN) in a "
					"LeakSanitizer file, found '%s'", s);
				goto bad;
			}
			*colon = 0;
			if (strcmp(s, "leak")) {
				out.ignored++;
				continue;
			}
			if (!colon[1]) {
				set_err(err, errlen, lineno, "leak: without a "
					"pattern");
				goto bad;
			}
			cur = add(&out, &alloc);
			cur->name = xstrdup(colon + 1);
			cur->lsan = lsan_glob(colon + 1);
			cur->origin = xasprintf("%s:%u", path, lineno);
			continue;
		}
		switch (state) {
		case 0:
			if (strcmp(s, "{")) {
				set_err(err, errlen, lineno, "expected '{' to "
					"open a suppression, found '%s'", s);
				goto bad;
			}
			start = lineno;
			state = 1;
			break;
		case 1:
			cur = add(&out, &alloc);
			falloc = 0;
			cur->name = xstrdup(s);
			cur->origin = xasprintf("%s:%u", path, start);
			state = 2;
			break;
		case 2:
			is_leak = !strcmp(s, "Memcheck:Leak");
			if (!strchr(s, ':')) {
				set_err(err, errlen, lineno, "expected "
					"TOOL:KIND (Memcheck:Leak), found '%s'",
					s);
				goto bad;
			}
			state = 3;
			break;
		case 3:
			if (!strcmp(s, "}")) {
				if (!is_leak) {
					supp_release(&out.v[--out.n]);
					out.ignored++;
				} else if (!cur->nframes) {
					set_err(err, errlen, start, "suppression "
						"'%s' has no frame line",
						cur->name);
					goto bad;
				}
				state = 0;
				break;
			}
			if (!strncmp(s, "match-leak-kinds:", 17))
				break;
			if (!is_leak)
				break;
			cur->frames = xgrow(cur->frames, &falloc,
					    cur->nframes + 1,
					    sizeof(*cur->frames));
			if (supp_parse_frame(s, &cur->frames[cur->nframes],
					     &why) < 0) {
				set_err(err, errlen, lineno, "%s, found '%s'",
					why, s);
				goto bad;
			}
			cur->nframes++;
			break;
		}
	}
	fclose(fp);
	if (state) {
		set_err(err, errlen, start, "suppression not closed by '}'");
		supp_list_release(&out);
		return -1;
	}
	{
		size_t i, a = l->n;

		for (i = 0; i < out.n; i++)
			*add(l, &a) = out.v[i];
		l->ignored += out.ignored;
		free(out.v);
	}
	return 0;
bad:
	fclose(fp);
	supp_list_release(&out);
	return -1;
}

static int glob_match(const char *glob, const char *s)
{
	return s && fnmatch(glob, s, 0) == 0;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

static int frame_match(const struct supp_frame *f, const struct supp_view *v)
{
	switch (f->kind) {
	case SUPP_FUN:
		return glob_match(f->glob, v->function);
	case SUPP_OBJ:
		return glob_match(f->glob, v->object) ||
		       glob_match(f->glob, base_name(v->object));
	case SUPP_SRC:
		return (glob_match(f->glob, v->file) ||
			glob_match(f->glob, base_name(v->file))) &&
		       (!f->line || f->line == v->line);
	case SUPP_ANY:
		break;
	}
	return 1;
}

static int match_from(const struct supp_frame *p, size_t np,
		      const struct supp_view *v, size_t nv)
{
	size_t i;

	if (!np)
		return 1;
	if (p->kind == SUPP_ANY) {
		for (i = 0; i <= nv; i++)
			if (match_from(p + 1, np - 1, v + i, nv - i))
				return 1;
		return 0;
	}
	return nv && frame_match(p, v) && match_from(p + 1, np - 1, v + 1,
						      nv - 1);
}

int supp_match_frames(const struct supp_frame *v, size_t nv,
		      const struct supp_view *frames, size_t n)
{
	return match_from(v, nv, frames, n);
}

static int is_alloc_frame(const struct supp_frame *f)
{
	size_t i;

	if (f->kind != SUPP_FUN)
		return 0;
	for (i = 0; alloc_names[i]; i++)
		if (!strcmp(f->glob, alloc_names[i]) ||
		    (strcmp(f->glob, "*") && glob_match(f->glob,
							alloc_names[i])))
			return 1;
	return !strncmp(f->glob, "operator new", 12);
}

int supp_match(const struct suppression *s, const struct supp_view *frames,
	       size_t n)
{
	size_t i, skip = 0;

	if (s->lsan) {
		for (i = 0; i < n; i++)
			if (glob_match(s->lsan, frames[i].function) ||
			    glob_match(s->lsan, frames[i].object) ||
			    glob_match(s->lsan, frames[i].file))
				return 1;
		return 0;
	}
	while (skip < s->nframes && is_alloc_frame(&s->frames[skip]))
		skip++;
	return match_from(s->frames + skip, s->nframes - skip, frames, n);
}
