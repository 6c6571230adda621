/*
 * Test boundaries from the ELF file (discover.h, docs/discovery.md).
 *
 * Everything is read from the file with elfsym: symbols to find the
 * candidates, PT_LOAD bytes and dynamic relocations to read static
 * objects (Check's TTest, cmocka's CMUnitTest) the way the dynamic
 * linker would lay them out, with a load bias of 0. libdw supplies the
 * file:line of boundaries that are not Check tests, when the executable
 * carries DWARF; a separate debug file is not looked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include "breakpoints/discover.h"
#include "breakpoints/elfsym.h"
#include "config/units.h"
#include "supervisor/demangle.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

/*
 * struct TTest of Check >= 0.13 (check.h), x86-64:
 *	const char *name; TFun fn; const char *file; int line;
 */
#define TTEST_NAME	0
#define TTEST_FN	8
#define TTEST_FILE	16
#define TTEST_LINE	24
#define TTEST_SIZE	32

/*
 * struct CMUnitTest of cmocka 1.x, x86-64: name, test_func, setup_func,
 * teardown_func, initial_state; five pointers.
 */
#define CMUNIT_SIZE	40
#define CMUNIT_MAX	100000		/* elements per array, a sanity bound */

#define STRING_MAX	4096		/* a test name or source path */
#define MAX_CANDS	12

/* A test found in the file, before the policy and the mode decide. */
struct found {
	char *name;
	char *symbol;
	uint64_t vaddr;
	char *file;
	unsigned line;
	char *classname;
	uint64_t ttest_vaddr;
	enum boundary_origin origin;
	char *extra[MAX_CANDS - 2];	/* more names a key may use */
	size_t nextra;
};

struct disc {
	const char *path;
	struct elf_image *img;
	const struct policy *pol;	/* may be NULL */
	struct boundaries *out;
	size_t alloc;
	struct found *found;
	size_t nfound, found_alloc;
	unsigned char *used;		/* per policy test entry */
	unsigned char *fn_used;		/* per policy functions entry */
	size_t *fn_count;		/* functions glob: functions matched */
	uint64_t gtest_run;		/* testing::TestInfo::Run, or 0 */
	size_t kind_count[FROM_POLICY];	/* tests found per origin */
};

const char *boundary_origin_name(enum boundary_origin origin)
{
	switch (origin) {
	case DISCOVERED_CHECK:
		return "check";
	case DISCOVERED_GTEST:
		return "gtest";
	case DISCOVERED_CMOCKA:
		return "cmocka";
	case FROM_POLICY:
		return "policy";
	}
	return "unknown";
}

static void warn_add(struct boundaries *b, char *msg)
{
	b->warn = xrealloc(b->warn, (b->nwarn + 1) * sizeof(*b->warn));
	b->warn[b->nwarn++] = msg;
}

/* NAME without a trailing "@VERSION" or "@@VERSION", newly allocated. */
static char *sym_dup(const char *name)
{
	const char *at = strchr(name, '@');

	if (!at)
		return xstrdup(name);
	return xasprintf("%.*s", (int)(at - name), name);
}

/* --- reading the image ----------------------------------------------- */

/*
 * The pointer stored at link-time VADDR as the program sees it with a
 * bias of 0: the dynamic relocation there when there is one (PIE), else
 * the file bytes (a non-PIE executable, or a null pointer).
 */
static int read_ptr(const struct elf_image *img, uint64_t vaddr,
		    uint64_t *out)
{
	if (elf_image_reloc_at(img, vaddr, out) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	return elf_image_read(img, vaddr, out, sizeof(*out));
}

/* The NUL-terminated string at link-time VADDR, or NULL. */
static char *read_string(const struct elf_image *img, uint64_t vaddr)
{
	char buf[STRING_MAX];
	size_t i;

	if (!vaddr)
		return NULL;
	for (i = 0; i < sizeof(buf); i++) {
		if (elf_image_read(img, vaddr + i, &buf[i], 1) < 0)
			return NULL;
		if (!buf[i])
			return xstrdup(buf);
	}
	return NULL;
}

/* The FUNC symbol starting exactly at VADDR, or NULL (borrowed). */
static const char *func_at(const struct elf_image *img, uint64_t vaddr)
{
	uint64_t off;
	const char *name;

	if (!vaddr)
		return NULL;
	name = elf_image_symbolize(img, vaddr, &off);
	return name && off == 0 ? name : NULL;
}

/* --- names ------------------------------------------------------------ */

/*
 * "ns::Foo::bar(int) const" -> "ns::Foo::bar", "Foo::operator()()" ->
 * "Foo::operator()"; NULL when there is no parameter list.
 */
static char *strip_params(const char *dem)
{
	size_t len = strlen(dem);
	int depth = 0;

	if (len > 6 && !strcmp(dem + len - 6, " const"))
		len -= 6;
	if (!len || dem[len - 1] != ')')
		return NULL;
	while (len--) {
		if (dem[len] == ')')
			depth++;
		else if (dem[len] == '(' && --depth == 0)
			break;
	}
	if (depth || !len)
		return NULL;
	return xasprintf("%.*s", (int)len, dem);
}

/* The symbol's names a policy key can use; N is filled in. */
static size_t candidates(const struct found *f, const char **v)
{
	size_t n = 0, i;

	v[n++] = f->name;
	if (strcmp(f->symbol, f->name))
		v[n++] = f->symbol;
	for (i = 0; i < f->nextra; i++)
		if (strcmp(f->extra[i], f->name))
			v[n++] = f->extra[i];
	return n;
}

/*
 * The entry for a function known by the NAMES: an exact key on any of
 * them wins, else the first glob in file order matching any of them.
 */
static const struct test_entry *match_names(const struct policy *pol,
					    const char *const *names,
					    size_t n)
{
	const struct test_entry *glob = NULL, *te;
	size_t i;

	for (i = 0; i < n; i++) {
		te = policy_match(pol, names[i]);
		if (!te)
			continue;
		if (!te->is_glob)
			return te;
		if (!glob || te < glob)
			glob = te;
	}
	return glob;
}

/*
 * Notes which keys of ENTRIES (N of them, flags in USED) match any of
 * NAMES, for the warnings; only exact keys when EXACT_ONLY.
 */
static void mark_in(const struct test_entry *entries, size_t nentries,
		    unsigned char *used, const char *const *names, size_t n,
		    int exact_only)
{
	size_t i, j;

	for (i = 0; i < nentries; i++) {
		const struct test_entry *te = &entries[i];

		if (used[i] || (exact_only && te->is_glob))
			continue;
		for (j = 0; j < n; j++) {
			if (!strcmp(te->pattern, names[j]) ||
			    (te->is_glob && !fnmatch(te->pattern, names[j], 0))) {
				used[i] = 1;
				break;
			}
		}
	}
}

/* Notes which tests keys match any of NAMES (a discovered test's). */
static void mark_used(struct disc *d, const char *const *names, size_t n)
{
	if (d->pol)
		mark_in(d->pol->tests, d->pol->ntests, d->used, names, n, 0);
}

/* The entry of ENTRIES for a function known by NAMES: an exact key on
 * any of them wins, else the first glob matching any; NULL. GLOBS: try
 * globs at all. */
static const struct test_entry *match_in(const struct test_entry *entries,
					 size_t nentries,
					 const char *const *names, size_t n,
					 int globs)
{
	size_t i, j;

	for (i = 0; i < nentries; i++)
		for (j = 0; j < n; j++)
			if (!entries[i].is_glob &&
			    !strcmp(entries[i].pattern, names[j]))
				return &entries[i];
	for (i = 0; globs && i < nentries; i++)
		for (j = 0; j < n; j++)
			if (entries[i].is_glob &&
			    !fnmatch(entries[i].pattern, names[j], 0))
				return &entries[i];
	return NULL;
}

/* --- Check ------------------------------------------------------------ */

static struct found *found_add(struct disc *d)
{
	struct found *f;

	d->found = xgrow(d->found, &d->found_alloc, d->nfound + 1,
			 sizeof(*d->found));
	f = &d->found[d->nfound++];
	memset(f, 0, sizeof(*f));
	return f;
}

static void found_release(struct found *f)
{
	size_t i;

	free(f->name);
	free(f->symbol);
	free(f->file);
	free(f->classname);
	for (i = 0; i < f->nextra; i++)
		free(f->extra[i]);
}

/*
 * "foo_ttest", or a compiler's local copy of it ("foo_ttest.0",
 * "foo_ttest.lto_priv.0").
 */
static int is_ttest_name(const char *name)
{
	const char *p = strstr(name, "_ttest");

	while (p) {
		if (p[6] == '\0' || p[6] == '.' || p[6] == '@')
			return p != name;
		p = strstr(p + 1, "_ttest");
	}
	return 0;
}

static int check_one(const char *name, const struct elf_sym *sym, void *arg)
{
	struct disc *d = arg;
	uint64_t pname, pfn, pfile;
	int32_t line;
	const char *fn;
	struct found *f;
	size_t i;

	if (sym->type != STT_OBJECT || !is_ttest_name(name) ||
	    (sym->size && sym->size < TTEST_SIZE))
		return 0;
	for (i = 0; i < d->nfound; i++)
		if (d->found[i].ttest_vaddr == sym->value)
			return 0;	/* in .dynsym and .symtab */
	if (read_ptr(d->img, sym->value + TTEST_NAME, &pname) < 0 ||
	    read_ptr(d->img, sym->value + TTEST_FN, &pfn) < 0 ||
	    read_ptr(d->img, sym->value + TTEST_FILE, &pfile) < 0 ||
	    elf_image_read(d->img, sym->value + TTEST_LINE, &line,
			   sizeof(line)) < 0 || line < 0)
		return 0;
	fn = func_at(d->img, pfn);
	if (!fn)
		return 0;
	f = found_add(d);
	f->name = read_string(d->img, pname);
	if (!f->name || !*f->name) {
		found_release(f);
		d->nfound--;
		return 0;
	}
	f->symbol = sym_dup(fn);
	f->vaddr = pfn;
	f->file = read_string(d->img, pfile);
	f->line = (unsigned)line;
	f->ttest_vaddr = sym->value;
	f->origin = DISCOVERED_CHECK;
	d->kind_count[DISCOVERED_CHECK]++;
	return 0;
}

/* --- GoogleTest ------------------------------------------------------- */

static void extra_add(struct found *f, char *name)
{
	if (!name)
		return;
	if (f->nextra == sizeof(f->extra) / sizeof(f->extra[0])) {
		free(name);
		return;
	}
	f->extra[f->nextra++] = name;
}

/*
 * gtest's TEST(Suite, Name) defines class Suite_Name_Test, so the class
 * name CLS (LEN bytes, without "_Test") splits at any '_' into a
 * possible Suite and Name: every split is a candidate for policy keys,
 * and the split, when there is only one, is the test's name.
 */
static void gtest_names(struct found *f, const char *cls, size_t len)
{
	size_t i, splits = 0, at = 0;

	for (i = 1; i + 1 < len; i++) {
		if (cls[i] != '_')
			continue;
		splits++;
		at = i;
		extra_add(f, xasprintf("%.*s.%.*s", (int)i, cls,
				       (int)(len - i - 1), cls + i + 1));
	}
	if (splits == 1) {
		f->name = xasprintf("%.*s.%.*s", (int)at, cls,
				    (int)(len - at - 1), cls + at + 1);
		f->classname = xasprintf("%.*s", (int)at, cls);
	}
}

static int gtest_one(const char *name, const struct elf_sym *sym, void *arg)
{
	static const char body[] = "_Test::TestBody()";
	const size_t blen = sizeof(body) - 1;
	struct disc *d = arg;
	const char *cls, *end;
	char *dem;
	size_t len, i;
	struct found *f;

	if (sym->type != STT_FUNC || !strstr(name, "_Test8TestBodyEv"))
		return 0;
	for (i = 0; i < d->nfound; i++)
		if (d->found[i].vaddr == sym->value &&
		    d->found[i].origin == DISCOVERED_GTEST)
			return 0;	/* in .dynsym and .symtab */
	dem = demangle(name);
	len = dem ? strlen(dem) : 0;
	if (len <= blen || strcmp(dem + len - blen, body)) {
		free(dem);
		return 0;
	}
	/* The class: after the last "::" before "_Test::TestBody()". */
	end = dem + len - blen;
	for (cls = end; cls > dem + 1 && !(cls[-1] == ':' && cls[-2] == ':');
	     cls--)
		;
	if (cls == dem + 1)
		cls = dem;
	f = found_add(d);
	f->symbol = sym_dup(name);
	f->vaddr = sym->value;
	f->origin = DISCOVERED_GTEST;
	extra_add(f, strip_params(dem));
	if (cls != dem)		/* "ns::A_B_Test::TestBody": also "A_B_..." */
		extra_add(f, xasprintf("%.*s", (int)(len - 2 - (size_t)(cls - dem)),
				       cls));
	gtest_names(f, cls, (size_t)(end - cls));
	if (!f->name)
		f->name = strip_params(dem);
	extra_add(f, dem);
	d->kind_count[DISCOVERED_GTEST]++;
	return 0;
}

/* GoogleTest's runner of one test, when gtest is linked in statically. */
#define GTEST_RUN_SYMBOL "_ZN7testing8TestInfo3RunEv"

static int gtest_run_one(const char *name, const struct elf_sym *sym,
			 void *arg)
{
	struct disc *d = arg;

	if (sym->type == STT_FUNC && sym->value &&
	    !strncmp(name, GTEST_RUN_SYMBOL, sizeof(GTEST_RUN_SYMBOL) - 1) &&
	    (!name[sizeof(GTEST_RUN_SYMBOL) - 1] ||
	     name[sizeof(GTEST_RUN_SYMBOL) - 1] == '@'))
		d->gtest_run = sym->value;
	return 0;
}

/* --- cmocka ----------------------------------------------------------- */

/* An undefined or defined .dynsym entry NAME: the program uses it. */
static int image_mentions(const char *path, const char *name)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	int fd, found = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, count;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		count = sh.sh_size / sh.sh_entsize;
		for (i = 1; data && i < count && !found; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(data, (int)i, &s))
				break;
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			found = n && !strcmp(n, name);
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}

/*
 * One element of a CMUnitTest array as cmocka_unit_test*(f) builds it:
 * a name equal to the test function's symbol, fixtures null or
 * functions. Returns the function's symbol (borrowed) or NULL.
 */
static const char *cmocka_elem(const struct elf_image *img, uint64_t at,
			       uint64_t *fn, char **name)
{
	uint64_t pname, setup, teardown;
	const char *sym;

	if (read_ptr(img, at, &pname) < 0 || read_ptr(img, at + 8, fn) < 0 ||
	    read_ptr(img, at + 16, &setup) < 0 ||
	    read_ptr(img, at + 24, &teardown) < 0)
		return NULL;
	if ((setup && !func_at(img, setup)) ||
	    (teardown && !func_at(img, teardown)))
		return NULL;
	sym = func_at(img, *fn);
	if (!sym)
		return NULL;
	*name = read_string(img, pname);
	if (!*name || strncmp(*name, sym, strlen(*name)) ||
	    (sym[strlen(*name)] && sym[strlen(*name)] != '@')) {
		free(*name);
		*name = NULL;
		return NULL;
	}
	return sym;
}

static int cmocka_one(const char *name, const struct elf_sym *sym,
		      void *arg)
{
	struct disc *d = arg;
	uint64_t n, i, fn;
	size_t first = d->nfound;
	char *tname;
	const char *fsym;

	/*
	 * Not a multiple of the element size: clang's AddressSanitizer
	 * grows a global by its redzone. The elements are read from the
	 * start, up to the first that is not one.
	 */
	if (sym->type != STT_OBJECT || sym->size < CMUNIT_SIZE ||
	    sym->size / CMUNIT_SIZE > CMUNIT_MAX)
		return 0;
	n = sym->size / CMUNIT_SIZE;
	/* Cheap rejection first: the first element must fit. */
	for (i = 0; i < n; i++) {
		struct found *f;

		fsym = cmocka_elem(d->img, sym->value + i * CMUNIT_SIZE, &fn,
				   &tname);
		if (!fsym)
			break;
		f = found_add(d);
		f->name = tname;
		f->symbol = sym_dup(fsym);
		f->vaddr = fn;
		f->origin = DISCOVERED_CMOCKA;
	}
	if (i < n && (sym->size % CMUNIT_SIZE == 0 || i == 0)) {
		/* Not a CMUnitTest array after all. */
		while (d->nfound > first)
			found_release(&d->found[--d->nfound]);
		return 0;
	}
	d->kind_count[DISCOVERED_CMOCKA] += (size_t)i;
	return 0;
}

/* --- boundaries ------------------------------------------------------- */

static int mode_wants(const struct policy *pol, enum boundary_origin o)
{
	enum discover_mode m = pol ? pol->discover : DISCOVER_AUTO;

	switch (o) {
	case DISCOVERED_CHECK:
		return m == DISCOVER_AUTO || m == DISCOVER_CHECK;
	case DISCOVERED_GTEST:
		return m == DISCOVER_AUTO || m == DISCOVER_GTEST;
	case DISCOVERED_CMOCKA:
		return m == DISCOVER_AUTO || m == DISCOVER_CMOCKA;
	case FROM_POLICY:
		break;
	}
	return 0;
}

static int vaddr_taken(const struct boundaries *b, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->v[i].vaddr == vaddr)
			return 1;
	return 0;
}

static struct boundary *boundary_add(struct disc *d,
				     const struct test_entry *te,
				     enum boundary_origin origin)
{
	struct boundary *bd;

	d->out->v = xgrow(d->out->v, &d->alloc, d->out->n + 1,
			  sizeof(*d->out->v));
	bd = &d->out->v[d->out->n++];
	memset(bd, 0, sizeof(*bd));
	bd->entry = te;
	bd->origin = origin;
	if (d->pol)
		policy_limits_for(d->pol, te, &bd->limits);
	return bd;
}

/* The found tests the mode wants or a key names become boundaries. */
static void tests_to_boundaries(struct disc *d)
{
	size_t i;

	for (i = 0; i < d->nfound; i++) {
		struct found *f = &d->found[i];
		const char *names[MAX_CANDS];
		const struct test_entry *te;
		struct boundary *bd;
		size_t n = candidates(f, names);

		te = match_names(d->pol, names, n);
		mark_used(d, names, n);
		if (!mode_wants(d->pol, f->origin) && !te)
			continue;
		if (vaddr_taken(d->out, f->vaddr))
			continue;	/* a gtest body that is also a Check fn? */
		bd = boundary_add(d, te, mode_wants(d->pol, f->origin) ?
						 f->origin : FROM_POLICY);
		bd->name = f->name;
		bd->symbol = f->symbol;
		bd->vaddr = f->vaddr;
		bd->file = f->file;
		bd->line = f->line;
		bd->classname = f->classname;
		bd->ttest_vaddr = f->ttest_vaddr;
		f->name = f->symbol = f->file = f->classname = NULL;
	}
}

static void runner_add(struct disc *d, enum boundary_runner r,
		       enum boundary_origin o, const char *name,
		       const char *symbol, uint64_t vaddr)
{
	struct boundary *bd = boundary_add(d, NULL, o);

	bd->runner = r;
	bd->name = xstrdup(name);
	bd->symbol = xstrdup(symbol);
	bd->vaddr = vaddr;
	d->kind_count[o]++;
}

/*
 * The runners that name tests at run time: GoogleTest's TestInfo::Run
 * when it is in the executable (Debian's libgtest-dev is a static
 * library), cmocka's group runner wherever it is (libcmocka.so: resolved
 * when the program runs, vaddr 0).
 */
static void runners_to_boundaries(struct disc *d)
{
	if (mode_wants(d->pol, DISCOVERED_GTEST) && d->gtest_run &&
	    !vaddr_taken(d->out, d->gtest_run))
		runner_add(d, RUNNER_GTEST, DISCOVERED_GTEST,
			   "testing::TestInfo::Run", GTEST_RUN_SYMBOL,
			   d->gtest_run);
	if (mode_wants(d->pol, DISCOVERED_CMOCKA) &&
	    image_mentions(d->path, "_cmocka_run_group_tests"))
		runner_add(d, RUNNER_CMOCKA, DISCOVERED_CMOCKA,
			   "_cmocka_run_group_tests",
			   "_cmocka_run_group_tests", 0);
}

/* A FUNC symbol's names a key may use: the symbol, demangled, and
 * demangled without its parameter list. Returns how many (NAMES[0] is
 * the symbol without @VERSION, to be freed with the others). */
static size_t func_names(const char *name, char **names)
{
	size_t n = 0;
	char *dem;

	names[n++] = sym_dup(name);
	dem = demangle(names[0]);
	if (dem) {
		names[n++] = dem;
		names[n] = strip_params(dem);
		if (names[n])
			n++;
	}
	return n;
}

/* The first pass over functions, on one symbol table: how many functions
 * each glob of `functions` matches. */
static int func_count_one(const char *name, const struct elf_sym *sym,
			  void *arg)
{
	struct disc *d = arg;
	char *names[3];
	size_t n, i, j;

	if (sym->type != STT_FUNC || !sym->value)
		return 0;
	n = func_names(name, names);
	for (i = 0; i < d->pol->nfunctions; i++) {
		const struct test_entry *te = &d->pol->functions[i];

		if (!te->is_glob)
			continue;
		for (j = 0; j < n; j++)
			if (!fnmatch(te->pattern, names[j], 0))
				break;
		d->fn_count[i] += j < n;
	}
	for (j = 0; j < n; j++)
		free(names[j]);
	return 0;
}

/*
 * Any other FUNC symbol a key names: an exact `tests` key (a glob there
 * selects among discovered tests only), or a `functions` key, exact or
 * glob (unless that glob was refused).
 */
static int func_one(const char *name, const struct elf_sym *sym, void *arg)
{
	struct disc *d = arg;
	const struct test_entry *te = NULL;
	char *names[3];
	size_t n, i;

	if (sym->type != STT_FUNC)
		return 0;
	n = func_names(name, names);
	mark_in(d->pol->tests, d->pol->ntests, d->used,
		(const char *const *)names, n, 1);
	mark_in(d->pol->functions, d->pol->nfunctions, d->fn_used,
		(const char *const *)names, n, 0);
	te = match_in(d->pol->tests, d->pol->ntests,
		      (const char *const *)names, n, 0);
	if (!te) {
		te = match_in(d->pol->functions, d->pol->nfunctions,
			      (const char *const *)names, n, 1);
		if (te && te->is_glob &&
		    d->fn_count[te - d->pol->functions] > DISCOVER_GLOB_MAX)
			te = NULL;
	}
	if (te && !vaddr_taken(d->out, sym->value)) {
		struct boundary *bd = boundary_add(d, te, FROM_POLICY);

		bd->name = xstrdup(names[n - 1]);
		bd->symbol = names[0];
		bd->vaddr = sym->value;
		names[0] = NULL;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return 0;
}

/*
 * The compilation unit holding ADDR. dwarf_addrdie() looks in
 * .debug_aranges, which clang does not emit: then the units are walked.
 */
static Dwarf_Die *cu_of(Dwarf *dbg, uint64_t addr, Dwarf_Die *cu)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (dwarf_addrdie(dbg, addr, cu))
		return cu;
	while (dwarf_nextcu(dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dbg, off + hsize, cu) &&
		    dwarf_haspc(cu, addr) > 0)
			return cu;
		off = next;
	}
	return NULL;
}

/* file:line of the function's entry from DWARF, when there is some. */
static void lines_from_dwarf(const char *path, struct boundaries *b)
{
	Dwarf *dbg;
	size_t i;
	int fd;

	for (i = 0; i < b->n && b->v[i].file; i++)
		;
	if (i == b->n)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	dbg = dwarf_begin(fd, DWARF_C_READ);
	for (i = 0; dbg && i < b->n; i++) {
		struct boundary *bd = &b->v[i];
		Dwarf_Die cu;
		Dwarf_Line *l;
		const char *src;
		int lineno;

		if (bd->file || !cu_of(dbg, bd->vaddr, &cu))
			continue;
		l = dwarf_getsrc_die(&cu, bd->vaddr);
		src = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
		if (!src || dwarf_lineno(l, &lineno) != 0)
			continue;
		bd->file = xstrdup(src);
		bd->line = lineno > 0 ? (unsigned)lineno : 0;
	}
	if (dbg)
		dwarf_end(dbg);
	close(fd);
}

static int boundary_cmp(const void *a, const void *b)
{
	const struct boundary *x = a, *y = b;
	int c;

	if (!x->file != !y->file)
		return x->file ? -1 : 1;
	if (x->file && (c = strcmp(x->file, y->file)))
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if ((c = strcmp(x->name, y->name)))
		return c;
	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	return 0;
}

static void explicit_mode_warnings(struct disc *d)
{
	enum discover_mode m = d->pol ? d->pol->discover : DISCOVER_AUTO;

	switch (m) {
	case DISCOVER_AUTO:
		/* Nothing found in a stripped program: say why, once. */
		if (!elf_image_has_symtab(d->img) && !d->out->n)
			warn_add(d->out, xasprintf(
				"'%s' is stripped: no test can be discovered "
				"without a .symtab; name its exported functions "
				"in a policy's tests", d->path));
		break;
	case DISCOVER_CHECK:
		if (!elf_image_has_symtab(d->img))
			warn_add(d->out, xasprintf(
				"'%s' is stripped: its Check tests cannot be "
				"discovered without a .symtab", d->path));
		else if (!d->kind_count[DISCOVERED_CHECK])
			warn_add(d->out, xasprintf(
				"no Check test found in '%s'", d->path));
		break;
	case DISCOVER_GTEST:
		if (!d->kind_count[DISCOVERED_GTEST])
			warn_add(d->out, xasprintf(
				"no GoogleTest test found in '%s'%s", d->path,
				elf_image_has_symtab(d->img) ? "" :
				" (stripped)"));
		break;
	case DISCOVER_CMOCKA:
		if (!d->kind_count[DISCOVERED_CMOCKA])
			warn_add(d->out, xasprintf(
				"no cmocka test found in '%s': it neither has "
				"a static CMUnitTest array nor calls "
				"_cmocka_run_group_tests", d->path));
		break;
	case DISCOVER_NONE:
		break;
	}
}

static void refusals(struct disc *d)
{
	size_t i;

	for (i = 0; d->pol && i < d->pol->nfunctions; i++) {
		if (d->fn_count[i] <= DISCOVER_GLOB_MAX)
			continue;
		warn_add(d->out, xasprintf(
			"policy functions glob '%s' (line %u) matches %zu "
			"functions in %s, more than %d: refused; name the "
			"functions or narrow the glob",
			d->pol->functions[i].pattern,
			d->pol->functions[i].line, d->fn_count[i], d->path,
			DISCOVER_GLOB_MAX));
		d->out->nrefused++;
	}
}

static void unused_key_warnings(struct disc *d)
{
	size_t i, j;
	int runner = 0;

	for (j = 0; j < d->out->n; j++)
		runner |= d->out->v[j].runner != RUNNER_NONE;
	for (i = 0; d->pol && i < d->pol->ntests; i++)
		if (!d->used[i])
			warn_add(d->out, xasprintf(
				"policy test '%s' matches no test or function "
				"in %s%s", d->pol->tests[i].pattern, d->path,
				runner ? " before it runs (tests it names at "
				"run time may match)" : ""));
	for (i = 0; d->pol && i < d->pol->nfunctions; i++)
		if (!d->fn_used[i])
			warn_add(d->out, xasprintf(
				"policy function '%s' matches no function in "
				"%s", d->pol->functions[i].pattern, d->path));
}

/*
 * The CMUnitTest scan reads every OBJECT symbol of a suitable size: done
 * when cmocka was asked for, or when the program calls cmocka's runner
 * (so that a command table of {"name", name, NULL, NULL, NULL} in some
 * other program is not taken for tests).
 */
static int cmocka_wanted(const char *path, const struct policy *pol)
{
	if (pol && pol->discover == DISCOVER_CMOCKA)
		return 1;
	if (!mode_wants(pol, DISCOVERED_CMOCKA) && !(pol && pol->ntests))
		return 0;
	return image_mentions(path, "_cmocka_run_group_tests") ||
	       image_mentions(path, "_run_tests");
}

static int image_check(const char *path, struct elf_image **imgp)
{
	struct elf_image *img = elf_image_open(path);

	if (!img) {
		int script = 0;
		char head[2];
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			script = read(fd, head, 2) == 2 && head[0] == '#' &&
				 head[1] == '!';
			close(fd);
		}
		error_msg("discover: cannot read '%s': %s", path,
			  elfsym_error());
		if (script)
			hint_msg("'%s' is a script; list the tests of the "
				 "program it runs (libtool: .libs/)", path);
		return -1;
	}
	if (elf_image_class(img) != ELFCLASS64 ||
	    elf_image_machine(img) != EM_X86_64) {
		error_msg("discover: '%s' is not an x86-64 program (%d-bit, "
			  "machine %u)", path,
			  elf_image_class(img) == ELFCLASS64 ? 64 : 32,
			  elf_image_machine(img));
		elf_image_free(img);
		return -1;
	}
	*imgp = img;
	return 0;
}

int discover_boundaries(const char *path, const struct policy *pol,
			struct boundaries *out)
{
	struct disc d = { .path = path, .pol = pol, .out = out };
	unsigned both = ELFSYM_DYNSYM | ELFSYM_SYMTAB;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (image_check(path, &d.img) < 0)
		return -1;
	if (pol) {
		d.used = xcalloc(pol->ntests + 1, 1);
		d.fn_used = xcalloc(pol->nfunctions + 1, 1);
		d.fn_count = xcalloc(pol->nfunctions + 1, sizeof(*d.fn_count));
	}

	/* Every kind is looked for: a key may name a test in any mode. */
	elf_image_foreach(d.img, both, check_one, &d);
	elf_image_foreach(d.img, both, gtest_one, &d);
	elf_image_foreach(d.img, both, gtest_run_one, &d);
	if (cmocka_wanted(path, pol))
		elf_image_foreach(d.img, both, cmocka_one, &d);

	tests_to_boundaries(&d);
	runners_to_boundaries(&d);
	/* Counted in one table: .symtab repeats .dynsym's functions. */
	if (pol && pol->nfunctions)
		elf_image_foreach(d.img, elf_image_has_symtab(d.img) ?
				  ELFSYM_SYMTAB : ELFSYM_DYNSYM,
				  func_count_one, &d);
	if (pol && (pol->ntests || pol->nfunctions))
		elf_image_foreach(d.img, both, func_one, &d);
	refusals(&d);

	explicit_mode_warnings(&d);
	unused_key_warnings(&d);
	lines_from_dwarf(path, out);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), boundary_cmp);

	for (i = 0; i < d.nfound; i++)
		found_release(&d.found[i]);
	free(d.found);
	free(d.used);
	free(d.fn_used);
	free(d.fn_count);
	elf_image_free(d.img);
	return 0;
}

void boundaries_release(struct boundaries *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].symbol);
		free(b->v[i].file);
		free(b->v[i].classname);
	}
	for (i = 0; i < b->nwarn; i++)
		free(b->warn[i]);
	free(b->v);
	free(b->warn);
	memset(b, 0, sizeof(*b));
}

void discover_warn_print(const struct boundaries *b)
{
	size_t i;

	for (i = 0; i < b->nwarn; i++)
		warning_msg("%s", b->warn[i]);
}

int discover_set_tcase(struct boundaries *b, uint64_t ttest_vaddr,
		       const char *tcase_name, int start, int end)
{
	size_t i;
	int n = 0;

	if (!ttest_vaddr)
		return 0;
	for (i = 0; i < b->n; i++) {
		if (b->v[i].ttest_vaddr != ttest_vaddr)
			continue;
		free(b->v[i].classname);
		b->v[i].classname = xstrdup(tcase_name);
		if (end > start)
			b->v[i].runs += (unsigned)(end - start);
		n++;
	}
	return n;
}

/* --- list-tests ------------------------------------------------------- */

static void print_limits(FILE *fp, const struct limits *l)
{
	static const struct {
		const char *key;
		unsigned flag;
		int is_size;
	} keys[] = {
		{ "limit_memory", LIMIT_MEMORY, 1 },
		{ "limit_leaks", LIMIT_LEAKS, 1 },
		{ "max_allocations", LIMIT_ALLOCATIONS, 0 },
		{ "max_allocated", LIMIT_ALLOCATED, 1 },
		{ "limit_fds", LIMIT_FDS, 0 },
	};
	const char *sep = "";
	size_t i;

	if (!l->set) {
		fputs("unlimited", fp);
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint64_t v;
		char buf[32];

		if (!(l->set & keys[i].flag))
			continue;
		switch (keys[i].flag) {
		case LIMIT_MEMORY:
			v = l->memory;
			break;
		case LIMIT_LEAKS:
			v = l->leaks;
			break;
		case LIMIT_ALLOCATIONS:
			v = l->allocations;
			break;
		case LIMIT_ALLOCATED:
			v = l->allocated;
			break;
		default:
			v = l->fds;
			break;
		}
		if (keys[i].is_size)
			units_format_size(buf, sizeof(buf), v);
		else
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)v);
		fprintf(fp, "%s%s=%s", sep, keys[i].key, buf);
		sep = " ";
	}
}

void discover_print(FILE *fp, const struct boundaries *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct boundary *bd = &b->v[i];

		fprintf(fp, "%s\t%s\t0x%llx\t", bd->name, bd->symbol,
			(unsigned long long)bd->vaddr);
		if (bd->file)
			fprintf(fp, "%s:%u", bd->file, bd->line);
		else
			fputc('-', fp);
		if (bd->runner)
			fprintf(fp, "\t%s-runtime\t",
				boundary_origin_name(bd->origin));
		else
			fprintf(fp, "\t%s\t", boundary_origin_name(bd->origin));
		print_limits(fp, &bd->limits);
		fputc('\n', fp);
	}
}
