/*
 * The YAML policy (docs/policy.md).
 *
 * The text is checked for UTF-8 first, so that a bad byte is reported
 * where it is; libyaml's document API then builds the node tree, whose
 * marks give every error its line and column, and the tree is walked
 * against the schema. A syntax error stops the load (libyaml cannot go
 * on); every other error is recorded and the walk goes on, so that one run
 * reports all of them. Aliases resolve to the anchored node, whose marks
 * then locate errors inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config/policy.h"
#include "config/units.h"

/* Longest key or value quoted in a message, in bytes, before "...". */
#define SHOW_MAX 64
#define SHOW_BUF (SHOW_MAX * 4 + 8)

/* Keys longer than this get no "did you mean" (and no quadratic work). */
#define SUGGEST_MAX_LEN 64

struct loader {
	const char *buf;
	size_t len;
	yaml_document_t doc;
	struct policy *pol;
	struct policy_diag *diag;
};

/* Shown quoted: "in test 'foo'", "in 'defaults'". */
struct where {
	char text[SHOW_BUF + 48];
};

enum limit_kind {
	KIND_SIZE,
	KIND_COUNT,
};

static const struct limit_key {
	const char *name;
	unsigned flag;
	enum limit_kind kind;
} limit_keys[] = {
	{ "limit_memory", LIMIT_MEMORY, KIND_SIZE },
	{ "limit_leaks", LIMIT_LEAKS, KIND_SIZE },
	{ "max_allocations", LIMIT_ALLOCATIONS, KIND_COUNT },
	{ "max_allocated", LIMIT_ALLOCATED, KIND_SIZE },
	{ "limit_fds", LIMIT_FDS, KIND_COUNT },
};
#define NLIMIT_KEYS (sizeof(limit_keys) / sizeof(limit_keys[0]))

static const char *const top_keys[] = {
	"version", "discover", "stack_depth", "defaults", "tests",
	"leak_filters", "allocators", "suppressions", "leak_kinds", "program",
	"scope", "functions", NULL,
};
static const char *const default_keys[] = {
	"limit_memory", "limit_leaks", "max_allocations", "max_allocated",
	"limit_fds", NULL,
};
static const char *const test_keys[] = {
	"limit_memory", "limit_leaks", "max_allocations", "max_allocated",
	"limit_fds", "leak_filters", "leak_kinds", "scope", NULL,
};
/* Bit n is 1 << n: the order of enum leak_kind (supervisor/leakscan.h). */
static const char *const leak_kind_names[] = {
	"definite", "indirect", "possible", "reachable", NULL,
};
static const char *const filter_keys[] = {
	"function", "file", "object", "stack", NULL,
};
static const char *const allocator_keys[] = {
	"alloc", "size_arg", "count_arg", "size", "free", "free_arg", NULL,
};
static const char *const scope_names[] = {
	[SCOPE_UNSET] = "",
	[SCOPE_TEST] = "test",
	[SCOPE_FUNCTION] = "function",
	NULL,
};
static const char *const discover_names[] = {
	[DISCOVER_AUTO] = "auto",
	[DISCOVER_CHECK] = "check",
	[DISCOVER_GTEST] = "gtest",
	[DISCOVER_CMOCKA] = "cmocka",
	[DISCOVER_NONE] = "none",
	NULL,
};

/*
 * Allocation failure ends the process: the loader runs before anything is
 * supervised, so there is nothing to clean up in the tracee.
 */
static void oom(void)
{
	fputs("fatal: policy: out of memory\n", stderr);
	abort();
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

/* --- diagnostics --------------------------------------------------- */

static void diag_vadd(struct policy_diag *diag, unsigned line,
		      unsigned column, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void diag_vadd(struct policy_diag *diag, unsigned line,
		      unsigned column, const char *fmt, va_list ap)
{
	struct policy_error *e;
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		oom();
	/* Grows by doubling: the capacity is the next power of two. */
	if (!(diag->nerrors & (diag->nerrors - 1))) {
		size_t cap = diag->nerrors ? diag->nerrors * 2 : 1;

		e = realloc(diag->errors, cap * sizeof(*e));
		if (!e)
			oom();
		diag->errors = e;
	}
	e = &diag->errors[diag->nerrors++];
	e->line = line;
	e->column = column;
	e->msg = msg;
}

static void diag_add(struct policy_diag *diag, unsigned line, unsigned column,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void diag_add(struct policy_diag *diag, unsigned line, unsigned column,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diag, line, column, fmt, ap);
	va_end(ap);
}

static void node_error(struct loader *ld, const yaml_node_t *node,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void node_error(struct loader *ld, const yaml_node_t *node,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(ld->diag, (unsigned)node->start_mark.line + 1,
		  (unsigned)node->start_mark.column + 1, fmt, ap);
	va_end(ap);
}

/* Errors in file order; those of the same place in the order found. */
static void diag_sort(struct policy_diag *diag)
{
	size_t i, j;

	for (i = 1; i < diag->nerrors; i++) {
		struct policy_error e = diag->errors[i];

		for (j = i; j > 0; j--) {
			struct policy_error *p = &diag->errors[j - 1];

			if (p->line < e.line ||
			    (p->line == e.line && p->column <= e.column))
				break;
			diag->errors[j] = *p;
		}
		diag->errors[j] = e;
	}
}

void policy_diag_print(FILE *fp, const char *path,
		       const struct policy_diag *diag)
{
	size_t i;

	for (i = 0; i < diag->nerrors; i++) {
		const struct policy_error *e = &diag->errors[i];

		if (e->line)
			fprintf(fp, "%s:%u:%u: error: %s\n", path, e->line,
				e->column, e->msg);
		else
			fprintf(fp, "%s: error: %s\n", path, e->msg);
	}
}

void policy_diag_release(struct policy_diag *diag)
{
	size_t i;

	if (!diag)
		return;
	for (i = 0; i < diag->nerrors; i++)
		free(diag->errors[i].msg);
	free(diag->errors);
	diag->errors = NULL;
	diag->nerrors = 0;
}

/*
 * S as a message quotes it: control characters escaped, cut after
 * SHOW_MAX bytes (not inside a UTF-8 sequence) with "...".
 */
static const char *show_n(char *buf, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = len > SHOW_MAX ? SHOW_MAX : len;
	char *p = buf;

	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else if (c == '\t') {
			*p++ = '\\';
			*p++ = 't';
		} else if (c < 0x20 || c == 0x7f) {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	if (n < len) {
		memcpy(p, "...", 3);
		p += 3;
	}
	*p = '\0';
	return buf;
}

static const char *show(char *buf, const char *s)
{
	return show_n(buf, s, strlen(s));
}

/* Levenshtein distance, for "did you mean"; B is a short known key. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[SUGGEST_MAX_LEN + 1];

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best;

			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The known key closest to KEY, within 2 edits and not a rewrite. */
static const char *suggest(const char *key, const char *const *known)
{
	const char *best = NULL;
	size_t d, bestd = 3, len = strlen(key);

	if (len > SUGGEST_MAX_LEN)
		return NULL;
	for (; *known; known++) {
		d = edit_distance(key, *known);
		if (d < bestd && d < len) {
			bestd = d;
			best = *known;
		}
	}
	return best;
}

/* "a, b, c or d" */
static void known_list(char *buf, size_t size, const char *const *known)
{
	size_t n = 0, used = 0;

	buf[0] = '\0';
	while (known[n])
		n++;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, size - used, "%s%s",
				 i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 known[i]);

		if (w < 0 || (size_t)w >= size - used)
			return;
		used += (size_t)w;
	}
}

/* --- node helpers -------------------------------------------------- */

static int node_is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	const char *v;
	size_t i;

	if (!node)
		return 1;
	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)node->data.scalar.value;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (node->data.scalar.length == strlen(nulls[i]) &&
		    !strcmp(v, nulls[i]))
			return 1;
	return 0;
}

static const char *node_kind(const yaml_node_t *node)
{
	if (node_is_null(node))
		return "nothing";
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_NO_NODE:
		break;
	}
	return "nothing";
}

static yaml_node_t *node_get(struct loader *ld, int index)
{
	return yaml_document_get_node(&ld->doc, index);
}

/*
 * The text of a scalar NODE, the value of WHAT in WHERE; NULL, with an
 * error, when it is not a non-empty scalar without NUL characters.
 */
static const char *scalar_value(struct loader *ld, const yaml_node_t *node,
				const char *what, const struct where *where,
				const char *expected)
{
	const char *v;

	if (node_is_null(node) || node->type != YAML_SCALAR_NODE) {
		node_error(ld, node, "expected %s for '%s'%s, found %s",
			   expected, what, where->text, node_kind(node));
		return NULL;
	}
	v = (const char *)node->data.scalar.value;
	if (!*v) {
		node_error(ld, node, "empty value for '%s'%s; expected %s",
			   what, where->text, expected);
		return NULL;
	}
	if (strlen(v) != node->data.scalar.length) {
		node_error(ld, node, "NUL character in the value of '%s'%s",
			   what, where->text);
		return NULL;
	}
	return v;
}

/* A plain non-negative decimal integer, no sign, no unit. */
static int parse_count(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -1;
	}
	*out = v;
	return 0;
}

typedef void (*pair_fn)(struct loader *ld, const char *key,
			yaml_node_t *value, void *ctx);

/*
 * The keys seen so far in one mapping, to find a duplicate in constant
 * time (a hostile policy may have millions of keys): open addressing on
 * the key's bytes, the table twice the mapping's size.
 */
struct keyset {
	yaml_node_t **slot;
	size_t size;
};

static void keyset_init(struct keyset *ks, size_t npairs)
{
	ks->size = 16;
	while (ks->size < 2 * npairs)
		ks->size *= 2;
	ks->slot = xcalloc(ks->size, sizeof(*ks->slot));
}

/* The node of an earlier equal key, or NULL after adding K. */
static yaml_node_t *keyset_add(struct keyset *ks, yaml_node_t *k)
{
	const unsigned char *v = k->data.scalar.value;
	size_t len = k->data.scalar.length, i;
	uint64_t h = 1469598103934665603ULL;

	for (i = 0; i < len; i++)
		h = (h ^ v[i]) * 1099511628211ULL;
	for (i = (size_t)h & (ks->size - 1); ks->slot[i];
	     i = (i + 1) & (ks->size - 1)) {
		yaml_node_t *o = ks->slot[i];

		if (o->data.scalar.length == len &&
		    !memcmp(o->data.scalar.value, v, len))
			return o;
	}
	ks->slot[i] = k;
	return NULL;
}

/*
 * Call FN for each pair of the mapping NODE whose key is KNOWN; report
 * non-scalar keys, duplicate keys and unknown keys (with a suggestion).
 * WHERE names the mapping in messages. Returns -1 if NODE is not a
 * mapping (null counts as an empty mapping).
 */
static int mapping_walk(struct loader *ld, yaml_node_t *node,
			const char *what, const struct where *where,
			const char *const *known, pair_fn fn, void *ctx)
{
	yaml_node_pair_t *pair;
	yaml_node_t *pk;
	char kbuf[SHOW_BUF], list[256];
	struct keyset seen;

	if (node_is_null(node))
		return 0;
	if (node->type != YAML_MAPPING_NODE) {
		node_error(ld, node, "expected a mapping for %s, found %s",
			   what, node_kind(node));
		return -1;
	}
	keyset_init(&seen, (size_t)(node->data.mapping.pairs.top -
				    node->data.mapping.pairs.start));
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node_get(ld, pair->key);
		yaml_node_t *v = node_get(ld, pair->value);
		const char *key, *hint, *const *kn;

		if (!k || k->type != YAML_SCALAR_NODE) {
			node_error(ld, k ? k : node,
				   "expected a key name%s, found %s",
				   where->text, node_kind(k));
			continue;
		}
		key = (const char *)k->data.scalar.value;
		if ((pk = keyset_add(&seen, k))) {
			node_error(ld, k, "duplicate key '%s'%s; first "
				   "defined at line %u, column %u",
				   show_n(kbuf, key, k->data.scalar.length),
				   where->text,
				   (unsigned)pk->start_mark.line + 1,
				   (unsigned)pk->start_mark.column + 1);
			continue;
		}
		for (kn = known; *kn; kn++)
			if (!strcmp(key, *kn))
				break;
		if (*kn && strlen(key) == k->data.scalar.length) {
			fn(ld, key, v, ctx);
			continue;
		}
		show_n(kbuf, key, k->data.scalar.length);
		hint = suggest(key, known);
		if (hint) {
			node_error(ld, k, "unknown key '%s'%s; did you mean "
				   "'%s'?", kbuf, where->text, hint);
		} else {
			known_list(list, sizeof(list), known);
			node_error(ld, k, "unknown key '%s'%s; expected %s",
				   kbuf, where->text, list);
		}
	}
	free(seen.slot);
	return 0;
}

/* --- limits -------------------------------------------------------- */

static uint64_t limit_get(const struct limits *l, unsigned flag)
{
	switch (flag) {
	case LIMIT_MEMORY:
		return l->memory;
	case LIMIT_LEAKS:
		return l->leaks;
	case LIMIT_ALLOCATIONS:
		return l->allocations;
	case LIMIT_ALLOCATED:
		return l->allocated;
	default:
		return l->fds;
	}
}

static uint64_t *limit_slot(struct limits *l, unsigned flag)
{
	switch (flag) {
	case LIMIT_MEMORY:
		return &l->memory;
	case LIMIT_LEAKS:
		return &l->leaks;
	case LIMIT_ALLOCATIONS:
		return &l->allocations;
	case LIMIT_ALLOCATED:
		return &l->allocated;
	default:
		return &l->fds;
	}
}

struct limits_ctx {
	struct limits *limits;
	const struct where *where;
};

/* One limit key; returns 1 if KEY is a limit key. */
static int limit_parse(struct loader *ld, const char *key,
		       yaml_node_t *value, struct limits *l,
		       const struct where *where)
{
	const struct limit_key *lk = NULL;
	char vbuf[SHOW_BUF];
	const char *v, *why;
	uint64_t n;
	size_t i;

	for (i = 0; i < NLIMIT_KEYS; i++)
		if (!strcmp(key, limit_keys[i].name))
			lk = &limit_keys[i];
	if (!lk)
		return 0;
	if (lk->kind == KIND_SIZE) {
		v = scalar_value(ld, value, key, where,
				 "a size such as '10 MB' or '4096'");
		if (!v)
			return 1;
		if (units_parse_size(v, &n, &why) < 0) {
			node_error(ld, value, "invalid size '%s' for '%s'%s: %s",
				   show(vbuf, v), key, where->text, why);
			return 1;
		}
	} else {
		v = scalar_value(ld, value, key, where,
				 "a non-negative integer");
		if (!v)
			return 1;
		if (parse_count(v, &n) < 0) {
			node_error(ld, value, "invalid count '%s' for '%s'%s; "
				   "expected a non-negative integer such as "
				   "'5000'", show(vbuf, v), key, where->text);
			return 1;
		}
	}
	l->set |= lk->flag;
	*limit_slot(l, lk->flag) = n;
	return 1;
}

/* One kind name of 'leak_kinds'; its bit, or 0 with an error. */
static unsigned leak_kind_bit(struct loader *ld, yaml_node_t *node,
			      const struct where *where)
{
	char vbuf[SHOW_BUF], list[128];
	const char *v, *hint;
	size_t i;

	known_list(list, sizeof(list), leak_kind_names);
	v = scalar_value(ld, node, "leak_kinds", where, list);
	if (!v)
		return 0;
	for (i = 0; leak_kind_names[i]; i++)
		if (!strcmp(v, leak_kind_names[i]))
			return 1u << i;
	hint = suggest(v, leak_kind_names);
	if (hint)
		node_error(ld, node, "unknown leak kind '%s' in 'leak_kinds'%s; "
			   "did you mean '%s'?", show(vbuf, v), where->text,
			   hint);
	else
		node_error(ld, node, "unknown leak kind '%s' in 'leak_kinds'%s; "
			   "expected %s", show(vbuf, v), where->text, list);
	return 0;
}

/*
 * leak_kinds: a sequence of kind names ("[definite, indirect]", "[]"
 * judges no kind), or one name, or "all".
 */
static void leak_kinds_parse(struct loader *ld, yaml_node_t *node,
			     struct limits *l, const struct where *where)
{
	yaml_node_item_t *item;
	unsigned mask = 0;

	if (!node_is_null(node) && node->type == YAML_SCALAR_NODE &&
	    !strcmp((const char *)node->data.scalar.value, "all")) {
		mask = POLICY_KIND_DEFINITE | POLICY_KIND_INDIRECT |
		       POLICY_KIND_POSSIBLE | POLICY_KIND_REACHABLE;
	} else if (!node_is_null(node) && node->type == YAML_SCALAR_NODE) {
		mask = leak_kind_bit(ld, node, where);
		if (!mask)
			return;
	} else if (!node_is_null(node) && node->type == YAML_SEQUENCE_NODE) {
		for (item = node->data.sequence.items.start;
		     item < node->data.sequence.items.top; item++) {
			unsigned bit = leak_kind_bit(ld, node_get(ld, *item),
						     where);

			if (!bit)
				return;
			mask |= bit;
		}
	} else {
		node_error(ld, node, "expected a list of leak kinds such as "
			   "[definite, indirect, possible] for 'leak_kinds'%s, "
			   "found %s", where->text, node_kind(node));
		return;
	}
	l->set |= LIMIT_LEAK_KINDS;
	l->leak_kinds = mask;
}

static void defaults_pair(struct loader *ld, const char *key,
			  yaml_node_t *value, void *ctx)
{
	struct limits_ctx *lc = ctx;

	limit_parse(ld, key, value, lc->limits, lc->where);
}

/* `scope: test|function` into *OUT. */
static void scope_parse(struct loader *ld, yaml_node_t *value,
			const struct where *where, enum scope_kind *out)
{
	char vbuf[SHOW_BUF];
	const char *v;

	v = scalar_value(ld, value, "scope", where, "test or function");
	if (!v)
		return;
	if (!strcmp(v, "test"))
		*out = SCOPE_TEST;
	else if (!strcmp(v, "function"))
		*out = SCOPE_FUNCTION;
	else
		node_error(ld, value, "unknown scope '%s'%s; expected test (the "
			   "test with its fixtures) or function (the call "
			   "only)", show(vbuf, v), where->text);
}

/* --- leak filters -------------------------------------------------- */

struct filter_ctx {
	struct leak_filter *f;
	const struct where *where;
};

/* `stack:` a sequence of frame lines: fun:GLOB, obj:GLOB, src:FILE[:LINE], ... */
static void stack_parse(struct loader *ld, yaml_node_t *node,
			struct filter_ctx *fc)
{
	yaml_node_item_t *item;
	const char *v, *why;
	size_t n;

	if (node_is_null(node) || node->type != YAML_SEQUENCE_NODE) {
		node_error(ld, node, "expected a sequence of frame lines for "
			   "'stack'%s, found %s", fc->where->text,
			   node_kind(node));
		return;
	}
	n = (size_t)(node->data.sequence.items.top -
		     node->data.sequence.items.start);
	if (!n) {
		node_error(ld, node, "empty 'stack'%s; expected frame lines "
			   "such as fun:make_node", fc->where->text);
		return;
	}
	fc->f->stack = xcalloc(n, sizeof(*fc->f->stack));
	for (item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++) {
		yaml_node_t *fnode = node_get(ld, *item);

		v = scalar_value(ld, fnode, "stack", fc->where,
				 "a frame line (fun:GLOB, obj:GLOB, "
				 "src:FILE:LINE or ...)");
		if (!v)
			continue;
		if (supp_parse_frame(v, &fc->f->stack[fc->f->nstack], &why) <
		    0) {
			node_error(ld, fnode, "invalid frame line '%s' in "
				   "'stack'%s: %s", v, fc->where->text, why);
			continue;
		}
		fc->f->nstack++;
	}
}

static void filter_pair(struct loader *ld, const char *key,
			yaml_node_t *value, void *ctx)
{
	struct filter_ctx *fc = ctx;
	const char *v;
	char **slot;

	if (!strcmp(key, "stack")) {
		stack_parse(ld, value, fc);
		return;
	}
	v = scalar_value(ld, value, key, fc->where, "a glob");
	if (!v)
		return;
	if (!strcmp(key, "function"))
		slot = &fc->f->function;
	else if (!strcmp(key, "file"))
		slot = &fc->f->file;
	else
		slot = &fc->f->object;
	*slot = xstrdup(v);
}

/*
 * The sequence NODE of filters into *FILTERS; WHERE names its owner
 * (" in test 'x'", or "" at top level).
 */
static void filters_parse(struct loader *ld, yaml_node_t *node,
			  const struct where *owner,
			  struct leak_filter **filters, size_t *nfilters)
{
	struct where where;
	yaml_node_item_t *item;
	size_t n;

	if (node_is_null(node))
		return;
	if (node->type != YAML_SEQUENCE_NODE) {
		node_error(ld, node, "expected a sequence of filters for "
			   "'leak_filters'%s, found %s", owner->text,
			   node_kind(node));
		return;
	}
	n = (size_t)(node->data.sequence.items.top -
		     node->data.sequence.items.start);
	*filters = xcalloc(n, sizeof(**filters));
	snprintf(where.text, sizeof(where.text), " in a leak filter%.*s",
		 (int)(sizeof(where.text) - sizeof(" in a leak filter")),
		 owner->text);
	for (item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++) {
		yaml_node_t *fnode = node_get(ld, *item);
		struct leak_filter *f = &(*filters)[(*nfilters)++];
		struct filter_ctx fc = { f, &where };

		f->line = (unsigned)fnode->start_mark.line + 1;
		if (!node_is_null(fnode) && fnode->type != YAML_MAPPING_NODE) {
			node_error(ld, fnode, "expected a mapping of function, "
				   "file or object for a leak filter%s, "
				   "found %s", owner->text, node_kind(fnode));
			continue;
		}
		mapping_walk(ld, fnode, "a leak filter", &where, filter_keys,
			     filter_pair, &fc);
		if (!f->function && !f->file && !f->object && !f->stack &&
		    (node_is_null(fnode) ||
		     fnode->data.mapping.pairs.top ==
		     fnode->data.mapping.pairs.start))
			node_error(ld, fnode, "leak filter%s has no field; "
				   "expected at least one of function, file, "
				   "object or stack", owner->text);
	}
}

/* --- suppression files -------------------------------------------- */

/*
 * `suppressions:` a sequence of file paths, relative to the policy's
 * directory, each read now so that a bad file is a policy error.
 */
static void suppressions_parse(struct loader *ld, yaml_node_t *node)
{
	struct where top = { "" };
	yaml_node_item_t *item;
	const char *v, *slash;
	char err[512], *path;

	if (node_is_null(node))
		return;
	if (node->type != YAML_SEQUENCE_NODE) {
		node_error(ld, node, "expected a sequence of file names for "
			   "'suppressions', found %s", node_kind(node));
		return;
	}
	slash = strrchr(ld->pol->path, '/');
	for (item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++) {
		yaml_node_t *fnode = node_get(ld, *item);
		size_t n;

		v = scalar_value(ld, fnode, "suppressions", &top,
				 "a file name");
		if (!v)
			continue;
		if (v[0] == '/' || !slash) {
			path = xstrdup(v);
		} else {
			n = (size_t)(slash - ld->pol->path) + 1;
			path = xcalloc(n + strlen(v) + 1, 1);
			memcpy(path, ld->pol->path, n);
			strcpy(path + n, v);
		}
		if (supp_load_file(path, &ld->pol->supps, err,
				   sizeof(err)) < 0)
			node_error(ld, fnode, "suppression file '%s': %s%s%s",
				   path, strncmp(err, "0: ", 3) ? path : "",
				   strncmp(err, "0: ", 3) ? ":" : "",
				   strncmp(err, "0: ", 3) ? err : err + 3);
		free(path);
	}
}

/* --- tests --------------------------------------------------------- */

struct test_ctx {
	struct test_entry *te;
	const struct where *where;
};

static void test_pair(struct loader *ld, const char *key,
		      yaml_node_t *value, void *ctx)
{
	struct test_ctx *tc = ctx;

	if (limit_parse(ld, key, value, &tc->te->limits, tc->where))
		return;
	if (!strcmp(key, "leak_kinds")) {
		leak_kinds_parse(ld, value, &tc->te->limits, tc->where);
		return;
	}
	if (!strcmp(key, "scope")) {
		scope_parse(ld, value, tc->where, &tc->te->scope);
		return;
	}
	filters_parse(ld, value, tc->where, &tc->te->filters,
		      &tc->te->nfilters);
}

/*
 * The mapping NODE of section SECTION ("tests" or "functions") into
 * *ENTRIES; NOUN ("test", "function") names one key in messages.
 */
static void entries_parse(struct loader *ld, yaml_node_t *node,
			  const char *section, const char *noun,
			  struct test_entry **entries, size_t *nentries)
{
	yaml_node_pair_t *pair;
	yaml_node_t *pk;
	struct keyset seen;
	char kbuf[SHOW_BUF];
	size_t n;

	if (node_is_null(node))
		return;
	if (node->type != YAML_MAPPING_NODE) {
		node_error(ld, node, "expected a mapping of %s names for "
			   "'%s', found %s", noun, section, node_kind(node));
		return;
	}
	n = (size_t)(node->data.mapping.pairs.top -
		     node->data.mapping.pairs.start);
	*entries = xcalloc(n, sizeof(**entries));
	keyset_init(&seen, n);
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node_get(ld, pair->key);
		yaml_node_t *v = node_get(ld, pair->value);
		struct test_entry *te;
		struct test_ctx tc;
		struct where where;
		const char *name;

		if (!k || k->type != YAML_SCALAR_NODE || node_is_null(k) ||
		    !k->data.scalar.length) {
			node_error(ld, k ? k : node, "expected a %s name in "
				   "'%s', found %s", noun, section,
				   k && k->type == YAML_SCALAR_NODE &&
				   !node_is_null(k) ? "an empty string" :
				   node_kind(k));
			continue;
		}
		name = (const char *)k->data.scalar.value;
		show_n(kbuf, name, k->data.scalar.length);
		if (strlen(name) != k->data.scalar.length) {
			node_error(ld, k, "NUL character in %s name '%s'",
				   noun, kbuf);
			continue;
		}
		if ((pk = keyset_add(&seen, k))) {
			node_error(ld, k, "duplicate %s '%s'; first defined at "
				   "line %u, column %u", noun, kbuf,
				   (unsigned)pk->start_mark.line + 1,
				   (unsigned)pk->start_mark.column + 1);
			continue;
		}
		te = &(*entries)[(*nentries)++];
		te->pattern = xstrdup(name);
		te->is_glob = strpbrk(name, "*?[") != NULL;
		te->line = (unsigned)k->start_mark.line + 1;
		te->column = (unsigned)k->start_mark.column + 1;
		snprintf(where.text, sizeof(where.text), " in %s '%s'", noun,
			 kbuf);
		tc.te = te;
		tc.where = &where;
		if (!node_is_null(v) && v->type != YAML_MAPPING_NODE) {
			node_error(ld, v, "expected a mapping of limits for "
				   "%s '%s', found %s", noun, kbuf,
				   node_kind(v));
			continue;
		}
		mapping_walk(ld, v, !strcmp(noun, "test") ? "a test" :
			     "a function", &where, test_keys, test_pair,
			     &tc);
	}
	free(seen.slot);
}

/* --- allocators ---------------------------------------------------- */

struct alloc_ctx {
	struct allocator_spec *a;
	const struct where *where;
	int have_size_arg;
	int have_free_arg;
	const yaml_node_t *size_node;	/* `size:`, for the messages */
};

/* An argument number 1..6 for KEY, or 0 after the error. */
static unsigned arg_index(struct loader *ld, const char *key,
			  yaml_node_t *value, const struct where *where)
{
	char vbuf[SHOW_BUF];
	const char *v;
	uint64_t n;

	v = scalar_value(ld, value, key, where, "an integer from 1 to 6");
	if (!v)
		return 0;
	if (parse_count(v, &n) < 0 || n < 1 || n > 6) {
		node_error(ld, value, "invalid %s '%s'%s; expected an integer "
			   "from 1 to 6", key, show(vbuf, v), where->text);
		return 0;
	}
	return (unsigned)n;
}

static void allocator_pair(struct loader *ld, const char *key,
			   yaml_node_t *value, void *ctx)
{
	struct alloc_ctx *ac = ctx;
	char vbuf[SHOW_BUF];
	const char *v, *why;
	uint64_t n;

	if (!strcmp(key, "size_arg")) {
		ac->a->size_arg = arg_index(ld, key, value, ac->where);
		ac->have_size_arg = 1;
		return;
	}
	if (!strcmp(key, "count_arg")) {
		ac->a->count_arg = arg_index(ld, key, value, ac->where);
		return;
	}
	if (!strcmp(key, "free_arg")) {
		ac->a->free_arg = arg_index(ld, key, value, ac->where);
		ac->have_free_arg = 1;
		return;
	}
	if (!strcmp(key, "size")) {
		v = scalar_value(ld, value, key, ac->where,
				 "a size such as '64' or '1 KB', or 'none'");
		if (!v)
			return;
		ac->size_node = value;
		if (!strcmp(v, "none")) {
			ac->a->fixed_size = 1;
			ac->a->size = 0;
			return;
		}
		if (units_parse_size(v, &n, &why) < 0) {
			node_error(ld, value, "invalid size '%s' for 'size'%s: "
				   "%s; or 'none' for blocks of no size",
				   show(vbuf, v), ac->where->text, why);
			return;
		}
		ac->a->fixed_size = 1;
		ac->a->size = n;
		return;
	}
	v = scalar_value(ld, value, key, ac->where, "a function name");
	if (!v)
		return;
	if (!strcmp(key, "alloc"))
		ac->a->alloc = xstrdup(v);
	else
		ac->a->free = xstrdup(v);
}

/* The keys of one allocator that contradict each other. */
static void allocator_check(struct loader *ld, const yaml_node_t *anode,
			    struct alloc_ctx *ac)
{
	struct allocator_spec *a = ac->a;
	char nbuf[SHOW_BUF];
	const char *name = show(nbuf, a->alloc);

	if (a->fixed_size && (ac->have_size_arg || a->count_arg)) {
		node_error(ld, ac->size_node ? ac->size_node : anode,
			   "allocator '%s' has both 'size' and '%s'; a fixed "
			   "size takes no size argument: keep one", name,
			   ac->have_size_arg ? "size_arg" : "count_arg");
		return;
	}
	if (a->fixed_size) {
		a->size_arg = 0;
		return;
	}
	if (a->count_arg && !ac->have_size_arg) {
		node_error(ld, anode, "allocator '%s' has 'count_arg' without "
			   "'size_arg'; a calloc-shaped allocator needs both "
			   "(count_arg: 1, size_arg: 2 for calloc)", name);
		return;
	}
	if (a->count_arg && a->count_arg == a->size_arg)
		node_error(ld, anode, "allocator '%s' has count_arg and "
			   "size_arg both %u; they are two different arguments",
			   name, a->size_arg);
	if (ac->have_free_arg && !a->free)
		node_error(ld, anode, "allocator '%s' has 'free_arg' but no "
			   "'free'; name the function that frees its blocks",
			   name);
}

static void allocators_parse(struct loader *ld, yaml_node_t *node)
{
	struct policy *pol = ld->pol;
	yaml_node_item_t *item;
	char nbuf[SHOW_BUF];
	size_t n, i;

	if (node_is_null(node))
		return;
	if (node->type != YAML_SEQUENCE_NODE) {
		node_error(ld, node, "expected a sequence of allocators for "
			   "'allocators', found %s", node_kind(node));
		return;
	}
	n = (size_t)(node->data.sequence.items.top -
		     node->data.sequence.items.start);
	pol->allocators = xcalloc(n, sizeof(*pol->allocators));
	for (item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++) {
		yaml_node_t *anode = node_get(ld, *item);
		struct allocator_spec *a;
		struct alloc_ctx ac;
		struct where where = { " in an allocator" };

		if (node_is_null(anode) || anode->type != YAML_MAPPING_NODE) {
			node_error(ld, anode, "expected a mapping of alloc, "
				   "size_arg and free for an allocator, "
				   "found %s", node_kind(anode));
			continue;
		}
		a = &pol->allocators[pol->nallocators++];
		a->size_arg = 1;
		a->free_arg = 1;
		a->line = (unsigned)anode->start_mark.line + 1;
		memset(&ac, 0, sizeof(ac));
		ac.a = a;
		ac.where = &where;
		mapping_walk(ld, anode, "an allocator", &where,
			     allocator_keys, allocator_pair, &ac);
		if (!a->alloc) {
			node_error(ld, anode, "allocator without 'alloc'; "
				   "expected the name of the function that "
				   "returns the new block");
			continue;
		}
		allocator_check(ld, anode, &ac);
		for (i = 0; i + 1 < pol->nallocators; i++) {
			if (pol->allocators[i].alloc &&
			    !strcmp(pol->allocators[i].alloc, a->alloc)) {
				node_error(ld, anode, "duplicate allocator "
					   "'%s'; first defined at line %u",
					   show(nbuf, a->alloc),
					   pol->allocators[i].line);
				break;
			}
		}
	}
}

/* --- top level ----------------------------------------------------- */

static void top_pair(struct loader *ld, const char *key, yaml_node_t *value,
		     void *ctx)
{
	static const struct where top = { "" };
	static const struct where in_defaults = { " in 'defaults'" };
	static const struct where in_program = { " in 'program'" };
	struct policy *pol = ld->pol;
	char vbuf[SHOW_BUF], list[128];
	const char *v, *hint;
	uint64_t n;
	size_t i;

	(void)ctx;
	if (!strcmp(key, "version")) {
		v = scalar_value(ld, value, key, &top, "1");
		if (!v)
			return;
		if (strcmp(v, "1")) {
			node_error(ld, value, "unsupported policy version "
				   "'%s'; expected 1", show(vbuf, v));
			return;
		}
		pol->version = 1;
	} else if (!strcmp(key, "discover")) {
		known_list(list, sizeof(list), discover_names);
		v = scalar_value(ld, value, key, &top, list);
		if (!v)
			return;
		for (i = 0; discover_names[i]; i++)
			if (!strcmp(v, discover_names[i]))
				break;
		if (discover_names[i]) {
			pol->discover = (enum discover_mode)i;
			return;
		}
		hint = suggest(v, discover_names);
		if (hint)
			node_error(ld, value, "unknown discover mode '%s'; "
				   "did you mean '%s'?", show(vbuf, v), hint);
		else
			node_error(ld, value, "unknown discover mode '%s'; "
				   "expected %s", show(vbuf, v), list);
	} else if (!strcmp(key, "stack_depth")) {
		v = scalar_value(ld, value, key, &top,
				 "an integer from 1 to 256");
		if (!v)
			return;
		if (parse_count(v, &n) < 0 || n < 1 ||
		    n > POLICY_MAX_STACK_DEPTH) {
			node_error(ld, value, "invalid stack_depth '%s'; "
				   "expected an integer from 1 to %d",
				   show(vbuf, v), POLICY_MAX_STACK_DEPTH);
			return;
		}
		pol->stack_depth = (unsigned)n;
	} else if (!strcmp(key, "defaults")) {
		struct limits_ctx lc = { &pol->defaults, &in_defaults };

		mapping_walk(ld, value, "'defaults'", &in_defaults,
			     default_keys, defaults_pair, &lc);
	} else if (!strcmp(key, "tests")) {
		entries_parse(ld, value, "tests", "test", &pol->tests,
			      &pol->ntests);
	} else if (!strcmp(key, "functions")) {
		entries_parse(ld, value, "functions", "function",
			      &pol->functions, &pol->nfunctions);
	} else if (!strcmp(key, "leak_filters")) {
		filters_parse(ld, value, &top, &pol->filters, &pol->nfilters);
	} else if (!strcmp(key, "suppressions")) {
		suppressions_parse(ld, value);
	} else if (!strcmp(key, "leak_kinds")) {
		leak_kinds_parse(ld, value, &pol->defaults, &top);
	} else if (!strcmp(key, "scope")) {
		scope_parse(ld, value, &top, &pol->scope);
	} else if (!strcmp(key, "program")) {
		struct limits_ctx lc = { &pol->program, &in_program };

		mapping_walk(ld, value, "'program'", &in_program,
			     default_keys, defaults_pair, &lc);
	} else {
		allocators_parse(ld, value);
	}
}

/* --- text checks before libyaml ------------------------------------ */

/* Length of the line break at P, 0 if none (libyaml's breaks). */
static size_t break_len(const unsigned char *p, const unsigned char *end)
{
	if (*p == '\n')
		return 1;
	if (*p == '\r')
		return p + 1 < end && p[1] == '\n' ? 2 : 1;
	if (*p == 0xc2 && p + 1 < end && p[1] == 0x85)
		return 2;
	if (*p == 0xe2 && p + 2 < end && p[1] == 0x80 &&
	    (p[2] == 0xa8 || p[2] == 0xa9))
		return 3;
	return 0;
}

/* 1-based line and column (in characters, as libyaml) of byte OFF. */
static void offset_pos(const char *buf, size_t len, size_t off,
		       unsigned *line, unsigned *column)
{
	const unsigned char *p = (const unsigned char *)buf;
	const unsigned char *end = p + (off < len ? off : len);
	const unsigned char *lim = p + len;
	size_t b;

	*line = 1;
	*column = 1;
	while (p < end) {
		b = break_len(p, lim);
		if (b) {
			(*line)++;
			*column = 1;
			p += b;
			continue;
		}
		if ((*p & 0xc0) != 0x80)
			(*column)++;
		p++;
	}
}

/* Offset of the first byte that is not valid UTF-8, or LEN. */
static size_t utf8_check(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

static void syntax_error(struct loader *ld, const yaml_parser_t *parser)
{
	const char *problem = parser->problem ? parser->problem : "error";
	const char *hint = "";
	unsigned line, column;
	size_t off;

	if (parser->error == YAML_MEMORY_ERROR)
		oom();
	if (parser->error == YAML_READER_ERROR) {
		offset_pos(ld->buf, ld->len, parser->problem_offset, &line,
			   &column);
		if (parser->problem_value >= 0)
			diag_add(ld->diag, line, column, "invalid YAML: %s "
				 "(character 0x%x)", problem,
				 (unsigned)parser->problem_value);
		else
			diag_add(ld->diag, line, column, "invalid YAML: %s",
				 problem);
		return;
	}
	line = (unsigned)parser->problem_mark.line + 1;
	column = (unsigned)parser->problem_mark.column + 1;
	off = parser->problem_mark.index;
	/* The commonest slip: libyaml only says it cannot start a token. */
	if (off < ld->len && ld->buf[off] == '\t')
		hint = "; indent with spaces, YAML does not allow tabs";
	if (parser->context)
		diag_add(ld->diag, line, column, "invalid YAML: %s (%s at "
			 "line %u, column %u)%s", problem, parser->context,
			 (unsigned)parser->context_mark.line + 1,
			 (unsigned)parser->context_mark.column + 1, hint);
	else
		diag_add(ld->diag, line, column, "invalid YAML: %s%s", problem,
			 hint);
}

/* --- loading ------------------------------------------------------- */

static int policy_parse(struct loader *ld)
{
	static const struct where top = { " at the top level" };
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	size_t bad;
	unsigned line, column;
	int rc = -1;

	bad = utf8_check(ld->buf, ld->len);
	if (bad < ld->len) {
		offset_pos(ld->buf, ld->len, bad, &line, &column);
		diag_add(ld->diag, line, column, "invalid UTF-8 at byte "
			 "offset %zu (byte 0x%02x); a policy must be UTF-8 "
			 "text", bad, (unsigned char)ld->buf[bad]);
		return -1;
	}
	if (!yaml_parser_initialize(&parser))
		oom();
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser,
				     (const unsigned char *)ld->buf, ld->len);
	if (!yaml_parser_load(&parser, &ld->doc)) {
		syntax_error(ld, &parser);
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&ld->doc);
	if (!root || node_is_null(root)) {
		diag_add(ld->diag, 1, 1, "empty policy; expected a mapping "
			 "with keys such as 'defaults' and 'tests'");
		goto out;
	}
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		syntax_error(ld, &parser);
		goto out;
	}
	if (yaml_document_get_root_node(&extra)) {
		diag_add(ld->diag, (unsigned)extra.start_mark.line + 1,
			 (unsigned)extra.start_mark.column + 1,
			 "a second YAML document; a policy is one document");
		yaml_document_delete(&extra);
		goto out;
	}
	yaml_document_delete(&extra);
	if (root->type != YAML_MAPPING_NODE) {
		node_error(ld, root, "expected a mapping at the top of the "
			   "policy, found %s", node_kind(root));
		goto out;
	}
	mapping_walk(ld, root, "the policy", &top, top_keys, top_pair, NULL);
	rc = 0;
out:
	yaml_document_delete(&ld->doc);
	yaml_parser_delete(&parser);
	return rc;
}

struct policy *policy_load_string(const char *name, const char *buf,
				  size_t len, struct policy_diag *diag)
{
	struct policy_diag own = { NULL, 0 };
	struct loader ld;
	struct policy *pol;

	if (!diag)
		diag = &own;
	diag->errors = NULL;
	diag->nerrors = 0;
	pol = xcalloc(1, sizeof(*pol));
	pol->path = xstrdup(name ? name : "<string>");
	pol->version = 1;
	pol->discover = DISCOVER_AUTO;
	pol->stack_depth = POLICY_DEFAULT_STACK_DEPTH;

	if (buf && len > POLICY_MAX_BYTES) {
		diag_add(diag, 0, 0, "policy '%s' is larger than %u MiB; a "
			 "policy is a short YAML file", pol->path,
			 POLICY_MAX_BYTES >> 20);
		diag_sort(diag);
		policy_free(pol);
		policy_diag_release(&own);
		return NULL;
	}
	memset(&ld, 0, sizeof(ld));
	ld.buf = buf ? buf : "";
	ld.len = buf ? len : 0;
	ld.pol = pol;
	ld.diag = diag;
	policy_parse(&ld);
	diag_sort(diag);
	if (diag->nerrors) {
		policy_free(pol);
		pol = NULL;
	}
	policy_diag_release(&own);
	return pol;
}

struct policy *policy_load_file(const char *path, struct policy_diag *diag)
{
	struct policy_diag own = { NULL, 0 };
	struct policy *pol;
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, err;

	if (!diag)
		diag = &own;
	diag->errors = NULL;
	diag->nerrors = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		diag_add(diag, 0, 0, "could not open policy '%s': %s", path,
			 strerror(err));
		goto fail;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_add(diag, 0, 0, "could not read policy '%s': %s", path,
			 strerror(EISDIR));
		close(fd);
		goto fail;
	}
	for (;;) {
		/* One byte past the bound tells a file that is too big,
		 * /dev/zero included, without reading more of it. */
		if (len > POLICY_MAX_BYTES) {
			diag_add(diag, 0, 0, "policy '%s' is larger than %u "
				 "MiB; a policy is a short YAML file (is it the "
				 "right file?)", path, POLICY_MAX_BYTES >> 20);
			close(fd);
			goto fail;
		}
		if (len == cap) {
			char *p;

			cap = cap ? cap * 2 : 4096;
			if (cap > POLICY_MAX_BYTES + 1)
				cap = POLICY_MAX_BYTES + 1;
			p = realloc(buf, cap);
			if (!p)
				oom();
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			diag_add(diag, 0, 0, "could not read policy '%s': %s",
				 path, strerror(err));
			close(fd);
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	pol = policy_load_string(path, buf, len, diag);
	free(buf);
	if (diag == &own)
		policy_diag_release(&own);
	return pol;
fail:
	free(buf);
	policy_diag_release(&own);
	return NULL;
}

static void filters_free(struct leak_filter *f, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(f[i].function);
		free(f[i].file);
		free(f[i].object);
		for (j = 0; j < f[i].nstack; j++)
			supp_frame_release(&f[i].stack[j]);
		free(f[i].stack);
	}
	free(f);
}

void policy_free(struct policy *pol)
{
	size_t i;

	if (!pol)
		return;
	for (i = 0; i < pol->ntests; i++) {
		free(pol->tests[i].pattern);
		filters_free(pol->tests[i].filters, pol->tests[i].nfilters);
	}
	free(pol->tests);
	for (i = 0; i < pol->nfunctions; i++) {
		free(pol->functions[i].pattern);
		filters_free(pol->functions[i].filters,
			     pol->functions[i].nfilters);
	}
	free(pol->functions);
	filters_free(pol->filters, pol->nfilters);
	for (i = 0; i < pol->nallocators; i++) {
		free(pol->allocators[i].alloc);
		free(pol->allocators[i].free);
	}
	free(pol->allocators);
	supp_list_release(&pol->supps);
	free(pol->path);
	free(pol);
}

/* --- queries ------------------------------------------------------- */

const struct test_entry *policy_match(const struct policy *pol,
				      const char *name)
{
	size_t i;

	if (!pol || !name)
		return NULL;
	for (i = 0; i < pol->ntests; i++)
		if (!strcmp(pol->tests[i].pattern, name))
			return &pol->tests[i];
	for (i = 0; i < pol->ntests; i++)
		if (pol->tests[i].is_glob &&
		    fnmatch(pol->tests[i].pattern, name, 0) == 0)
			return &pol->tests[i];
	return NULL;
}

void policy_limits_for(const struct policy *pol, const struct test_entry *te,
		       struct limits *out)
{
	size_t i;

	*out = pol->defaults;
	if (!te)
		return;
	for (i = 0; i < NLIMIT_KEYS; i++) {
		unsigned flag = limit_keys[i].flag;

		if (te->limits.set & flag) {
			out->set |= flag;
			*limit_slot(out, flag) = limit_get(&te->limits, flag);
		}
	}
	if (te->limits.set & LIMIT_LEAK_KINDS) {
		out->set |= LIMIT_LEAK_KINDS;
		out->leak_kinds = te->limits.leak_kinds;
	}
}

enum scope_kind policy_scope_for(const struct policy *pol,
				 const struct test_entry *te)
{
	if (te && te->scope != SCOPE_UNSET)
		return te->scope;
	if (pol && pol->scope != SCOPE_UNSET)
		return pol->scope;
	return SCOPE_TEST;
}

/*
 * Whether every name glob LATER matches is matched by EARLIER. Sure only
 * when EARLIER's wildcards are all '*' (no '?', '[' or '\\'): its
 * literal characters then never stand for one of LATER's wildcards, so
 * if EARLIER matches LATER's text, its stars absorb whatever LATER's
 * wildcards become. Otherwise no claim is made.
 */
static int glob_covers(const char *earlier, const char *later)
{
	if (strpbrk(earlier, "?[\\"))
		return 0;
	return fnmatch(earlier, later, 0) == 0;
}

static size_t shadowed_in(const struct test_entry *v, size_t n,
			  const char *section, policy_shadow_fn fn, void *arg)
{
	size_t i, j, count = 0;

	for (i = 0; i < n; i++) {
		if (!v[i].is_glob)
			continue;	/* an exact key wins over any glob */
		for (j = 0; j < i; j++) {
			if (v[j].is_glob &&
			    glob_covers(v[j].pattern, v[i].pattern)) {
				if (fn)
					fn(section, &v[i], &v[j], arg);
				count++;
				break;
			}
		}
	}
	return count;
}

size_t policy_shadowed(const struct policy *pol, policy_shadow_fn fn,
		       void *arg)
{
	return shadowed_in(pol->tests, pol->ntests, "tests", fn, arg) +
	       shadowed_in(pol->functions, pol->nfunctions, "functions", fn,
			   arg);
}

struct shadow_print {
	FILE *fp;
	const char *path;
};

static void shadow_print(const char *section, const struct test_entry *te,
			 const struct test_entry *by, void *arg)
{
	const struct shadow_print *sp = arg;

	fprintf(sp->fp, "%s:%u:%u: warning: '%s' in '%s' is shadowed by "
		"'%s' (line %u): every name it matches, the earlier glob "
		"matches first, so its settings never apply; put it before "
		"'%s' or narrow that glob\n", sp->path, te->line, te->column,
		te->pattern, section, by->pattern, by->line, by->pattern);
}

size_t policy_warn_shadowed(FILE *fp, const char *path,
			    const struct policy *pol)
{
	struct shadow_print sp = { fp, path };

	return policy_shadowed(pol, shadow_print, &sp);
}

const char *discover_mode_name(enum discover_mode mode)
{
	if ((unsigned)mode > DISCOVER_NONE)
		return "unknown";
	return discover_names[mode];
}

/* --- printing ------------------------------------------------------ */

/*
 * A string bare when it is made only of characters that cannot be
 * confused with the format's punctuation, else double-quoted with C
 * escapes. FORCE quotes anyway (globs as test keys).
 */
static void print_str(FILE *fp, const char *s, int force)
{
	const unsigned char *p;
	int quote = force || !*s;

	for (p = (const unsigned char *)s; *p && !quote; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("\"\\,=[]#'", *p))
			quote = 1;
	if (!quote) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < ' ' || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static void print_limits(FILE *fp, const struct limits *l)
{
	const char *sep = "";
	size_t i;

	if (!l->set) {
		fputs("unlimited", fp);
		return;
	}
	for (i = 0; i < NLIMIT_KEYS; i++) {
		if (!(l->set & limit_keys[i].flag))
			continue;
		fprintf(fp, "%s%s=%llu", sep, limit_keys[i].name,
			(unsigned long long)limit_get(l, limit_keys[i].flag));
		sep = " ";
	}
	if (l->set & LIMIT_LEAK_KINDS) {
		const char *comma = "";

		fprintf(fp, "%sleak_kinds=[", sep);
		for (i = 0; leak_kind_names[i]; i++) {
			if (!(l->leak_kinds & (1u << i)))
				continue;
			fprintf(fp, "%s%s", comma, leak_kind_names[i]);
			comma = ",";
		}
		fputc(']', fp);
	}
}

static void print_filter(FILE *fp, const struct leak_filter *f)
{
	const char *sep = "";

	if (f->function) {
		fputs("function=", fp);
		print_str(fp, f->function, 0);
		sep = " ";
	}
	if (f->file) {
		fprintf(fp, "%sfile=", sep);
		print_str(fp, f->file, 0);
		sep = " ";
	}
	if (f->object) {
		fprintf(fp, "%sobject=", sep);
		print_str(fp, f->object, 0);
		sep = " ";
	}
	if (f->stack) {
		size_t i;

		fprintf(fp, "%sstack=[", sep);
		for (i = 0; i < f->nstack; i++) {
			static const char *const kinds[] = {
				"fun:", "obj:", "src:", "...",
			};
			char line[16] = "";

			if (f->stack[i].line)
				snprintf(line, sizeof(line), ":%u",
					 f->stack[i].line);
			fprintf(fp, "%s%s%s%s", i ? ", " : "",
				kinds[f->stack[i].kind],
				f->stack[i].glob ? f->stack[i].glob : "",
				line);
		}
		fputc(']', fp);
	}
}

static void print_entry(FILE *fp, const struct policy *pol, const char *noun,
			const struct test_entry *te)
{
	struct limits l;
	size_t j;

	fprintf(fp, "%s ", noun);
	print_str(fp, te->pattern, te->is_glob);
	fputs(te->is_glob ? " (glob): " : ": ", fp);
	policy_limits_for(pol, te, &l);
	print_limits(fp, &l);
	if (te->scope != SCOPE_UNSET)
		fprintf(fp, " scope=%s", scope_names[te->scope]);
	if (te->nfilters) {
		fputs(" leak_filters=[", fp);
		for (j = 0; j < te->nfilters; j++) {
			if (j)
				fputs(", ", fp);
			print_filter(fp, &te->filters[j]);
		}
		fputc(']', fp);
	}
	fputc('\n', fp);
}

void policy_print(FILE *fp, const struct policy *pol)
{
	size_t i;

	fprintf(fp, "version: %d\n", pol->version);
	fprintf(fp, "discover: %s\n", discover_mode_name(pol->discover));
	fprintf(fp, "stack_depth: %u\n", pol->stack_depth);
	if (pol->scope != SCOPE_UNSET)
		fprintf(fp, "scope: %s\n", scope_names[pol->scope]);
	fputs("defaults: ", fp);
	print_limits(fp, &pol->defaults);
	fputc('\n', fp);
	if (pol->program.set) {
		fputs("program: ", fp);
		print_limits(fp, &pol->program);
		fputc('\n', fp);
	}
	for (i = 0; i < pol->ntests; i++)
		print_entry(fp, pol, "test", &pol->tests[i]);
	for (i = 0; i < pol->nfunctions; i++)
		print_entry(fp, pol, "function", &pol->functions[i]);
	for (i = 0; i < pol->nfilters; i++) {
		fputs("leak_filter: ", fp);
		print_filter(fp, &pol->filters[i]);
		fputc('\n', fp);
	}
	if (pol->supps.n || pol->supps.ignored)
		fprintf(fp, "suppressions: %zu leak %s (%zu other entries "
			"ignored)\n", pol->supps.n,
			pol->supps.n == 1 ? "entry" : "entries",
			pol->supps.ignored);
	for (i = 0; i < pol->nallocators; i++) {
		const struct allocator_spec *a = &pol->allocators[i];

		fputs("allocator: alloc=", fp);
		print_str(fp, a->alloc, 0);
		if (a->fixed_size && !a->size)
			fputs(" size=none", fp);
		else if (a->fixed_size)
			fprintf(fp, " size=%llu", (unsigned long long)a->size);
		else if (a->count_arg)
			fprintf(fp, " count_arg=%u size_arg=%u", a->count_arg,
				a->size_arg);
		else
			fprintf(fp, " size_arg=%u", a->size_arg);
		if (a->free) {
			fputs(" free=", fp);
			print_str(fp, a->free, 0);
			if (a->free_arg != 1)
				fprintf(fp, " free_arg=%u", a->free_arg);
		}
		fputc('\n', fp);
	}
}
