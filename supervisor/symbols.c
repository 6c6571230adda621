/*
 * libdwfl from the object list, as eu-addr2line -i does it (elfutils
 * src/addr2line.c): the symbol table names the function, the line table
 * gives the innermost file:line, and the DWARF scopes at the pc give one
 * frame per inlined call, each with its DW_AT_call_file:DW_AT_call_line.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/cu_funcs.h"
#include "supervisor/demangle.h"
#include "supervisor/msg.h"
#include "supervisor/symbols.h"
#include "supervisor/xmalloc.h"

/* A function symbol of an object, at its load address. */
struct fsym {
	uint64_t start, size;
	const char *name;		/* owned by libdwfl */
	int rank;			/* global 2, weak 1, local 0 */
	int index;			/* in the symbol table */
};

struct sym_object {
	char *path;
	uint64_t bias;
	int failed;			/* dwfl could not load it */
	/* Its function symbols sorted by start, read at the first lookup:
	 * dwfl_module_addrinfo() scans the whole table for every pc. */
	struct fsym *syms;
	size_t nsyms;
	int syms_read;
};

/* One cached lookup: frames [first, first + n) of sym->frames. */
struct sym_entry {
	uint64_t key;			/* pc << 1 | is_return_address, + 1 */
	uint32_t first, n;
};

struct symbolizer {
	Dwfl *dwfl;			/* NULL until the first lookup */
	int dwfl_failed;
	struct sym_object **objs;
	size_t nobjs, aobjs;
	size_t nreported;		/* objs[0 .. nreported) given to dwfl */

	struct sym_frame *frames;
	size_t nframes, aframes;
	struct sym_entry *cache;	/* open addressing, key 0 = empty */
	size_t cache_mask, ncache;

	char **strings;			/* interned, open addressing */
	size_t strings_mask, nstrings;

	struct sym_stats stats;

	int per_pc;			/* MEMSUP_SYMBOLS=per-pc */
	struct sym_unit *units;		/* indexed units, in first-use order */
	size_t nunits, aunits;
};

/* One compilation unit's function index (supervisor/cu_funcs.h). */
struct sym_unit {
	Dwarf *dw;
	Dwarf_Off cu;
	struct cu_funcs *cf;
};

static double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void symbolizer_add_stats(const struct symbolizer *sym, struct sym_stats *st)
{
	st->lookups += sym->stats.lookups;
	st->resolved += sym->stats.resolved;
	st->seconds += sym->stats.seconds;
}

/* The default path: ":.debug:/usr/lib/debug" (see libdwfl.h). */
static char *debuginfo_path;

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

struct symbolizer *symbolizer_new(void)
{
	struct symbolizer *sym = xcalloc(1, sizeof(*sym));

	sym->cache_mask = 255;
	sym->cache = xcalloc(sym->cache_mask + 1, sizeof(*sym->cache));
	sym->strings_mask = 255;
	sym->strings = xcalloc(sym->strings_mask + 1, sizeof(*sym->strings));
	/* The way memsup looked pcs up before the indexes, kept so that
	 * bench/scale.sh can show what they save: libdwfl's symbol search
	 * and dwarf_getscopes() for every pc. */
	sym->per_pc = getenv("MEMSUP_SYMBOLS") &&
		      !strcmp(getenv("MEMSUP_SYMBOLS"), "per-pc");
	return sym;
}

void symbolizer_free(struct symbolizer *sym)
{
	size_t i;

	if (!sym)
		return;
	if (sym->dwfl)
		dwfl_end(sym->dwfl);
	for (i = 0; i < sym->nobjs; i++) {
		free(sym->objs[i]->path);
		free(sym->objs[i]->syms);
		free(sym->objs[i]);
	}
	free(sym->objs);
	for (i = 0; i <= sym->strings_mask; i++)
		free(sym->strings[i]);
	free(sym->strings);
	for (i = 0; i < sym->nunits; i++)
		cu_funcs_free(sym->units[i].cf);
	free(sym->units);
	free(sym->frames);
	free(sym->cache);
	free(sym);
}

static size_t str_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 ^ (unsigned char)*s++;
	return h;
}

static void strings_grow(struct symbolizer *sym)
{
	size_t size = (sym->strings_mask + 1) * 2, i, j;
	char **v = xcalloc(size, sizeof(*v));

	for (i = 0; i <= sym->strings_mask; i++) {
		if (!sym->strings[i])
			continue;
		for (j = str_hash(sym->strings[i]) & (size - 1); v[j];
		     j = (j + 1) & (size - 1))
			;
		v[j] = sym->strings[i];
	}
	free(sym->strings);
	sym->strings = v;
	sym->strings_mask = size - 1;
}

/* S interned: one copy per distinct string, owned by SYM. */
static const char *intern(struct symbolizer *sym, const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = str_hash(s) & sym->strings_mask; sym->strings[i];
	     i = (i + 1) & sym->strings_mask)
		if (!strcmp(sym->strings[i], s))
			return sym->strings[i];
	s = sym->strings[i] = xstrdup(s);
	if (++sym->nstrings * 2 > sym->strings_mask + 1)
		strings_grow(sym);
	return s;
}

/* Whether S, of LEN bytes, ends with "." SUFFIX, optionally ".N". */
static size_t clone_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix), end = len;

	while (end && s[end - 1] >= '0' && s[end - 1] <= '9')
		end--;
	if (end < len && end && s[end - 1] == '.')
		end--;
	else
		end = len;
	if (end > n + 1 && s[end - n - 1] == '.' &&
	    !memcmp(s + end - n, suffix, n))
		return len - (end - n - 1);
	return 0;
}

/*
 * NAME without its symbol version and GCC's clone suffixes, demangled and
 * interned; *CLONE is set when a suffix was dropped.
 */
static const char *intern_symbol(struct symbolizer *sym, const char *name,
				 int *clone)
{
	static const char *const suffixes[] = {
		"part", "cold", "isra", "constprop", "lto_priv",
	};
	char *base, *d;
	const char *s;
	size_t len, cut, i;
	int again = 1;

	base = xstrdup(name);
	len = strcspn(base, "@");
	while (again) {
		again = 0;
		for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
			cut = clone_suffix(base, len, suffixes[i]);
			if (cut) {
				len -= cut;
				*clone = again = 1;
			}
		}
	}
	base[len] = 0;
	d = demangle(base);
	s = intern(sym, d ? d : base);
	free(d);
	free(base);
	return s;
}

int symbolizer_add_object(struct symbolizer *sym, const char *path,
			  uint64_t bias)
{
	struct sym_object *obj;
	size_t i;

	if (!path || !*path)
		return -1;
	for (i = 0; i < sym->nobjs; i++)
		if (sym->objs[i]->bias == bias && !strcmp(sym->objs[i]->path, path))
			return sym->objs[i]->failed ? -1 : (int)i;
	/* linux-vdso.so.1 and deleted files: nothing to read */
	if (access(path, R_OK) < 0)
		return -1;
	obj = xcalloc(1, sizeof(*obj));
	obj->path = xstrdup(path);
	obj->bias = bias;
	sym->objs = xgrow(sym->objs, &sym->aobjs, sym->nobjs + 1,
			  sizeof(*sym->objs));
	sym->objs[sym->nobjs] = obj;
	return (int)sym->nobjs++;
}

/* Gives the objects registered since the last lookup to libdwfl. */
static void report_objects(struct symbolizer *sym)
{
	struct sym_object *obj;
	Dwfl_Module *mod;
	void **userdata;

	if (sym->nreported == sym->nobjs || sym->dwfl_failed)
		return;
	if (!sym->dwfl) {
		sym->dwfl = dwfl_begin(&callbacks);
		if (!sym->dwfl) {
			error_msg("symbols: dwfl_begin: %s", dwfl_errmsg(-1));
			sym->dwfl_failed = 1;
			return;
		}
		dwfl_report_begin(sym->dwfl);
	} else {
		dwfl_report_begin_add(sym->dwfl);
	}
	for (; sym->nreported < sym->nobjs; sym->nreported++) {
		obj = sym->objs[sym->nreported];
		/* ADD_P_VADDR: BASE is the bias, added to the p_vaddrs */
		mod = dwfl_report_elf(sym->dwfl, obj->path, obj->path, -1,
				      obj->bias, true);
		if (!mod) {
			verbose_msg("symbols: cannot load '%s': %s", obj->path,
				    dwfl_errmsg(-1));
			obj->failed = 1;
			continue;
		}
		dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL,
				 NULL);
		*userdata = obj;
	}
	if (dwfl_report_end(sym->dwfl, NULL, NULL))
		verbose_msg("symbols: dwfl_report_end: %s", dwfl_errmsg(-1));
}

static struct sym_frame *new_frame(struct symbolizer *sym,
				   const struct sym_frame *proto)
{
	struct sym_frame *f;

	sym->frames = xgrow(sym->frames, &sym->aframes, sym->nframes + 1,
			    sizeof(*sym->frames));
	f = &sym->frames[sym->nframes++];
	*f = *proto;
	return f;
}

/* The name of a subprogram or inlined_subroutine DIE, mangled if C++. */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name,
						     &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(
			die, DW_AT_MIPS_linkage_name, &attr));
	return name;
}

static int is_function(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_entry_point;
}

/*
 * The compilation unit containing ADDR, and the bias of MOD's DWARF.
 * libdw up to 0.188 finds it through .debug_aranges only, which clang
 * does not emit: then we walk the units and ask each for its ranges.
 * FIXME: that walk is linear in the number of units, per (cached) pc.
 */
static Dwarf_Die *find_cu(Dwfl_Module *mod, uint64_t addr, Dwarf_Addr *bias,
			  Dwarf_Die *mem)
{
	Dwarf_Die *cudie = dwfl_module_addrdie(mod, addr, bias);
	Dwarf_CU *cu = NULL;
	uint8_t unit_type;
	Dwarf_Half version;
	Dwarf *dw;

	if (cudie)
		return cudie;
	dw = dwfl_module_getdwarf(mod, bias);
	if (!dw)
		return NULL;
	while (!dwarf_get_units(dw, cu, &cu, &version, &unit_type, mem, NULL)) {
		if ((unit_type == DW_UT_compile || unit_type == DW_UT_partial) &&
		    dwarf_haspc(mem, addr - *bias) > 0)
			return mem;
	}
	return NULL;
}

/* Inlined calls nested deeper than this are cut (their outer frames). */
#define MAX_NESTING 64

/* The function index of the unit CUDIE, built at its first use. */
static const struct cu_funcs *unit_funcs(struct symbolizer *sym,
					 Dwarf_Die *cudie)
{
	Dwarf *dw = dwarf_cu_getdwarf(cudie->cu);
	Dwarf_Off cu = dwarf_dieoffset(cudie);
	struct sym_unit *u;
	size_t i;

	for (i = sym->nunits; i-- > 0;)
		if (sym->units[i].cu == cu && sym->units[i].dw == dw)
			return sym->units[i].cf;
	sym->units = xgrow(sym->units, &sym->aunits, sym->nunits + 1,
			   sizeof(*sym->units));
	u = &sym->units[sym->nunits++];
	u->dw = dw;
	u->cu = cu;
	u->cf = cu_funcs_new(cudie);
	return u->cf;
}

/*
 * cu_funcs_at() the costly way: dwarf_getscopes() walks the unit from
 * its root, then again from the innermost instance, for one pc.
 */
static unsigned scopes_per_pc(Dwfl_Module *mod, Dwarf_Die *cudie,
			      Dwarf_Addr addr, Dwarf_Off *out, unsigned max)
{
	Dwarf_Die *scopes = NULL, subroutine;
	Dwarf_Addr bias;
	int nscopes, i;
	unsigned n = 0;

	nscopes = dwarf_getscopes(cudie, addr, &scopes);
	if (nscopes <= 0) {
		free(scopes);
		return 0;
	}
	/* dwarf_getscopes() continues from an inlined instance into its
	 * abstract origin's scopes; the concrete nesting is wanted */
	if (!dwarf_offdie(dwfl_module_getdwarf(mod, &bias),
			  dwarf_dieoffset(&scopes[0]), &subroutine)) {
		free(scopes);
		return 0;
	}
	free(scopes);
	scopes = NULL;
	nscopes = dwarf_getscopes_die(&subroutine, &scopes);
	for (i = 0; i < nscopes && n < max; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (!is_function(tag))
			continue;
		out[n++] = dwarf_dieoffset(&scopes[i]);
		if (tag != DW_TAG_inlined_subroutine)
			break;
	}
	free(scopes);
	return n;
}

/* File and line of ADDR from the line table of CUDIE. */
static void line_info(struct symbolizer *sym, Dwarf_Die *cudie,
		      Dwarf_Addr addr, struct sym_frame *proto)
{
	Dwarf_Line *line = dwarf_getsrc_die(cudie, addr);
	const char *src;
	int lineno = 0;

	if (!line || !(src = dwarf_linesrc(line, NULL, NULL)))
		return;
	proto->file = intern(sym, src);
	if (!dwarf_lineno(line, &lineno) && lineno > 0)
		proto->line = (unsigned)lineno;
}

/*
 * The frames of ADDR in MOD from its DWARF scopes; 0 when it has none.
 * PROTO has the object, offset and pc; the line table's file:line is
 * added here.
 */
static unsigned dwarf_frames(struct symbolizer *sym, Dwfl_Module *mod,
			     uint64_t addr, const char *symname,
			     struct sym_frame *proto)
{
	Dwarf_Die *cudie, cumem, diemem, *die;
	Dwarf_Off offs[MAX_NESTING];
	Dwarf_Files *files = NULL;
	Dwarf_Attribute attr;
	Dwarf_Word val;
	Dwarf_Addr bias = 0;
	Dwarf *dw;
	struct sym_frame *f;
	unsigned n = 0;
	const char *name;
	int nscopes, i, tag;

	cudie = find_cu(mod, addr, &bias, &cumem);
	if (!cudie)
		return 0;
	line_info(sym, cudie, addr - bias, proto);
	if (sym->per_pc)
		nscopes = (int)scopes_per_pc(mod, cudie, addr - bias, offs,
					     MAX_NESTING);
	else
		nscopes = (int)cu_funcs_at(unit_funcs(sym, cudie), addr - bias,
					   offs, MAX_NESTING);
	if (nscopes <= 0)
		return 0;
	dw = dwarf_cu_getdwarf(cudie->cu);
	if (dwarf_getsrcfiles(cudie, &files, NULL))
		files = NULL;

	for (i = 0; i < nscopes; i++) {
		if (!dwarf_offdie(dw, offs[i], &diemem))
			break;
		die = &diemem;
		tag = dwarf_tag(die);
		if (!is_function(tag))
			continue;
		name = die_name(die);
		if (tag != DW_TAG_inlined_subroutine && !name)
			name = symname;		/* the full, mangled name */
		if (!name)
			name = dwarf_diename(die);
		f = new_frame(sym, proto);
		f->function = intern_symbol(sym, name, &f->clone);
		f->inlined = tag == DW_TAG_inlined_subroutine;
		n++;
		if (f->inlined) {
			f->symbol_start = 0;
			f->clone = 0;
		} else {
			/* DWARF names a piece after its function: the
			 * symbol says it is foo.part.0 */
			if (symname)
				intern_symbol(sym, symname, &f->clone);
			break;
		}
		/* the next frame is at this inlined call's site */
		proto->file = NULL;
		proto->line = 0;
		if (files && !dwarf_formudata(dwarf_attr(die, DW_AT_call_file,
							 &attr), &val))
			proto->file = intern(sym, dwarf_filesrc(files, val,
								NULL, NULL));
		if (!dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr),
				     &val))
			proto->line = (unsigned)val;
	}
	return n;
}

static int fsym_cmp(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* aliases: the preferred name first, as libdwfl prefers it (a
	 * global, then a weak symbol, then the first in the table) */
	if (x->rank != y->rank)
		return y->rank - x->rank;
	return x->index - y->index;
}

static void read_symtab(struct sym_object *obj, Dwfl_Module *mod)
{
	int n = dwfl_module_getsymtab(mod), i;
	size_t k = 0;
	GElf_Addr addr;
	GElf_Sym s;
	const char *name;

	obj->syms_read = 1;
	if (n <= 0)
		return;
	obj->syms = xcalloc((size_t)n, sizeof(*obj->syms));
	for (i = 1; i < n; i++) {
		name = dwfl_module_getsym_info(mod, i, &s, &addr, NULL, NULL,
					       NULL);
		if (!name || !*name || s.st_shndx == SHN_UNDEF ||
		    (GELF_ST_TYPE(s.st_info) != STT_FUNC &&
		     GELF_ST_TYPE(s.st_info) != STT_GNU_IFUNC &&
		     GELF_ST_TYPE(s.st_info) != STT_NOTYPE))
			continue;
		obj->syms[k++] = (struct fsym){
			.start = addr, .size = s.st_size, .name = name,
			.rank = GELF_ST_BIND(s.st_info) == STB_GLOBAL ? 2 :
				GELF_ST_BIND(s.st_info) == STB_WEAK ? 1 : 0,
			.index = i,
		};
	}
	obj->nsyms = k;
	qsort(obj->syms, k, sizeof(*obj->syms), fsym_cmp);
}

/*
 * The function symbol containing ADDR, as dwfl_module_addrinfo() finds
 * it (a sized symbol containing it, else the nearest sizeless one below),
 * in O(log n); NULL if none. *OFF is ADDR - its start.
 */
static const char *symtab_lookup(struct sym_object *obj, Dwfl_Module *mod,
				 uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi, i, seen;

	if (!obj->syms_read)
		read_symtab(obj, mod);
	hi = obj->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (obj->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* [0, lo) start at or below ADDR; the first of a run of aliases
	 * is the preferred one. A sized symbol containing ADDR wins; else
	 * the nearest sizeless one below it (an assembler label), as in
	 * libdwfl. */
	for (i = lo, seen = 0; i-- > 0 && seen < 16; seen++) {
		const struct fsym *f = &obj->syms[i];

		while (i && obj->syms[i - 1].start == f->start)
			f = &obj->syms[--i];
		if (f->size && addr < f->start + f->size) {
			*off = addr - f->start;
			return f->name;
		}
	}
	for (i = lo; i-- > 0;) {
		const struct fsym *f = &obj->syms[i];

		while (i && obj->syms[i - 1].start == f->start)
			f = &obj->syms[--i];
		if (!f->size) {
			*off = addr - f->start;
			return f->name;
		}
		if (addr < f->start + f->size)
			break;
		/* a sized symbol ending below ADDR: nothing covers it
		 * unless a label lies between */
		break;
	}
	return NULL;
}

static unsigned resolve(struct symbolizer *sym, uint64_t pc,
			int is_return_address)
{
	struct sym_frame proto = { .pc = pc, .offset = pc };
	struct sym_object *obj = NULL;
	Dwfl_Module *mod = NULL;
	void **userdata;
	const char *symname = NULL;
	uint64_t addr = pc, off = 0;
	unsigned n;

	if (is_return_address && addr)
		addr--;
	report_objects(sym);
	if (sym->dwfl)
		mod = dwfl_addrmodule(sym->dwfl, addr);
	if (mod) {
		dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL,
				 NULL);
		obj = *userdata;
	}
	if (!obj) {
		new_frame(sym, &proto);
		return 1;
	}
	proto.object = obj->path;
	proto.offset = pc - obj->bias;
	if (sym->per_pc) {
		GElf_Off goff;
		GElf_Sym gs;

		symname = dwfl_module_addrinfo(mod, addr, &goff, &gs, NULL,
					       NULL, NULL);
		off = goff;
	} else {
		symname = symtab_lookup(obj, mod, addr, &off);
	}
	if (symname)
		proto.symbol_start = addr - off - obj->bias;
	n = dwarf_frames(sym, mod, addr, symname, &proto);
	if (!n) {
		proto.function = symname ? intern_symbol(sym, symname,
							 &proto.clone) : NULL;
		new_frame(sym, &proto);
		n = 1;
	}
	return n;
}

static void cache_grow(struct symbolizer *sym)
{
	size_t size = (sym->cache_mask + 1) * 2, i, j;
	struct sym_entry *v = xcalloc(size, sizeof(*v));

	for (i = 0; i <= sym->cache_mask; i++) {
		if (!sym->cache[i].key)
			continue;
		for (j = (sym->cache[i].key * 0x9e3779b97f4a7c15ULL >> 20) &
			 (size - 1);
		     v[j].key; j = (j + 1) & (size - 1))
			;
		v[j] = sym->cache[i];
	}
	free(sym->cache);
	sym->cache = v;
	sym->cache_mask = size - 1;
}

unsigned symbolizer_lookup(struct symbolizer *sym, uint64_t pc,
			   int is_return_address, struct sym_frame *out,
			   unsigned max)
{
	uint64_t key = ((pc << 1) | !!is_return_address) + 1;
	struct sym_entry *e;
	size_t i, first;
	unsigned n;
	double t;

	if (!max)
		return 0;
	sym->stats.lookups++;
	for (i = (key * 0x9e3779b97f4a7c15ULL >> 20) & sym->cache_mask;
	     sym->cache[i].key; i = (i + 1) & sym->cache_mask)
		if (sym->cache[i].key == key)
			goto found;
	first = sym->nframes;
	t = mono_seconds();
	n = resolve(sym, pc, is_return_address);
	sym->stats.seconds += mono_seconds() - t;
	sym->stats.resolved++;
	BUG_ON(first > UINT32_MAX);
	e = &sym->cache[i];
	e->key = key;
	e->first = (uint32_t)first;
	e->n = n;
	if (++sym->ncache * 2 > sym->cache_mask + 1) {
		cache_grow(sym);
		sym->stats.lookups--;
		return symbolizer_lookup(sym, pc, is_return_address, out, max);
	}
found:
	e = &sym->cache[i];
	n = e->n < max ? e->n : max;
	memcpy(out, &sym->frames[e->first], n * sizeof(*out));
	return n;
}
