/*
 * ELF symbols, segments and relocations with libelf (elfsym.h).
 *
 * Allocation failure is returned (NULL or -1, errno ENOMEM) rather than
 * fatal: the module stays free of the supervisor's die(), and the caller
 * treats an object that cannot be indexed like one that cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "breakpoints/elfsym.h"

#ifndef SHT_RELR
#define SHT_RELR 19		/* glibc < 2.36 elf.h */
#endif

/* One name of a symbol table in its hash index: the best symbol by rank. */
struct sym_slot {
	const char *name;	/* NULL: empty slot; not NUL-terminated at
				 * len when the name carries @VERSION */
	uint32_t len;
	uint32_t hash;
	unsigned rank;		/* lower is better, see sym_rank() */
	struct elf_sym sym;
};

struct sym_table {
	Elf_Data *data;		/* NULL: no such table */
	Elf_Data *versym;	/* .gnu.version, .dynsym only */
	size_t count;
	size_t strndx;		/* section index of the names */
	int is_dynsym;
	struct sym_slot *slots;	/* open addressing, a power of 2 */
	size_t nslots;
};

/* elf_image_symbolize()'s index: FUNC symbols sorted by value. */
struct func_entry {
	uint64_t value;
	uint64_t size;
	const char *name;
	unsigned rank;
};

/* elf_image_reloc_at()'s index, sorted by offset. */
enum reloc_kind {
	RELOC_VALUE,		/* value is known */
	RELOC_FILE,		/* RELR: the file bytes hold the addend */
	RELOC_UNDEF,		/* against a symbol of another object */
	RELOC_UNKNOWN,		/* IRELATIVE and others */
};

struct reloc_entry {
	uint64_t offset;
	uint64_t value;
	enum reloc_kind kind;
};

/*
 * Indexes built on first use. Held by pointer so that the const
 * accessors can fill them in: the image itself is never const.
 */
struct lazy_index {
	int funcs_built;
	struct func_entry *funcs;
	size_t nfuncs;
	int relocs_built;
	struct reloc_entry *relocs;
	size_t nrelocs;
};

struct elf_image {
	Elf *elf;
	GElf_Ehdr ehdr;
	GElf_Phdr *phdr;
	size_t phnum;
	const char *raw;	/* the whole file, mapped */
	size_t raw_size;
	struct sym_table dyn, tab;
	struct lazy_index *lazy;
};

static _Thread_local char error_text[256];

static void set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_text, sizeof(error_text), fmt, ap);
	va_end(ap);
}

const char *elfsym_error(void)
{
	return error_text;
}

/* FNV-1a over the N bytes of S. */
static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int sym_wanted(const GElf_Sym *s)
{
	unsigned type = GELF_ST_TYPE(s->st_info);

	return s->st_shndx != SHN_UNDEF &&
	       (type == STT_FUNC || type == STT_GNU_IFUNC ||
		type == STT_OBJECT);
}

static unsigned bind_rank(unsigned bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

/* A symbol's rank among its namesakes: default versions first, then
 * GLOBAL, WEAK, LOCAL. */
static unsigned sym_rank(unsigned bind, int hidden)
{
	return (hidden ? 4 : 0) + bind_rank(bind);
}

static void sym_fill(struct elf_sym *out, const GElf_Sym *s, int in_dynsym)
{
	out->value = s->st_value;
	out->size = s->st_size;
	out->bind = (unsigned char)GELF_ST_BIND(s->st_info);
	out->type = (unsigned char)GELF_ST_TYPE(s->st_info);
	out->in_dynsym = (unsigned char)in_dynsym;
	out->shndx = (uint16_t)s->st_shndx;
}

/*
 * The name of symbol I of T, its length without any @VERSION, and whether
 * that version is a hidden (non-default) one. NULL for a nameless symbol.
 */
static const char *sym_name(const struct elf_image *img,
			    const struct sym_table *t, size_t i,
			    const GElf_Sym *s, size_t *len, int *hidden)
{
	const char *name = elf_strptr(img->elf, t->strndx, s->st_name);
	const char *at;

	if (!name || !*name)
		return NULL;
	*hidden = 0;
	at = strchr(name, '@');
	if (at) {
		/* .symtab: "name@@VER" is the default, "name@VER" not. */
		*len = (size_t)(at - name);
		*hidden = at[1] != '@';
	} else {
		*len = strlen(name);
	}
	if (t->versym) {
		GElf_Versym vs;

		/* .dynsym: bit 15 of .gnu.version marks a hidden version. */
		if (gelf_getversym(t->versym, (int)i, &vs) && (vs & 0x8000))
			*hidden = 1;
	}
	return name;
}

static int table_index(const struct elf_image *img, struct sym_table *t)
{
	size_t i, nslots = 16;

	while (nslots < 2 * t->count)
		nslots *= 2;
	t->slots = calloc(nslots, sizeof(*t->slots));
	if (!t->slots)
		return -1;
	t->nslots = nslots;
	for (i = 1; i < t->count; i++) {
		GElf_Sym s;
		struct sym_slot *slot;
		const char *name;
		size_t len, h;
		int hidden;
		unsigned rank;
		uint32_t hash;

		if (!gelf_getsym(t->data, (int)i, &s) || !sym_wanted(&s))
			continue;
		name = sym_name(img, t, i, &s, &len, &hidden);
		if (!name || len == 0)
			continue;
		hash = name_hash(name, len);
		rank = sym_rank(GELF_ST_BIND(s.st_info), hidden);
		for (h = hash & (nslots - 1);; h = (h + 1) & (nslots - 1)) {
			slot = &t->slots[h];
			if (!slot->name)
				break;
			if (slot->hash == hash && slot->len == len &&
			    !memcmp(slot->name, name, len))
				break;
		}
		if (slot->name && slot->rank <= rank)
			continue;
		slot->name = name;
		slot->len = (uint32_t)len;
		slot->hash = hash;
		slot->rank = rank;
		sym_fill(&slot->sym, &s, t->is_dynsym);
	}
	return 0;
}

static const struct sym_slot *table_find(const struct sym_table *t,
					 const char *name)
{
	size_t len = strlen(name), h;
	uint32_t hash;

	if (!t->slots || !len)
		return NULL;
	hash = name_hash(name, len);
	for (h = hash & (t->nslots - 1);; h = (h + 1) & (t->nslots - 1)) {
		const struct sym_slot *slot = &t->slots[h];

		if (!slot->name)
			return NULL;
		if (slot->hash == hash && slot->len == len &&
		    !memcmp(slot->name, name, len))
			return slot;
	}
}

static int table_open(Elf_Scn *scn, const GElf_Shdr *sh,
		      struct sym_table *t)
{
	t->data = elf_getdata(scn, NULL);
	if (!t->data || !sh->sh_entsize)
		return -1;
	t->count = sh->sh_size / sh->sh_entsize;
	t->strndx = sh->sh_link;
	t->is_dynsym = sh->sh_type == SHT_DYNSYM;
	return 0;
}

static int image_scan(struct elf_image *img)
{
	Elf_Scn *scn = NULL, *versym = NULL;
	size_t dynsym_ndx = 0;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(img->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM && !img->dyn.data) {
			if (table_open(scn, &sh, &img->dyn) == 0)
				dynsym_ndx = elf_ndxscn(scn);
		} else if (sh.sh_type == SHT_SYMTAB && !img->tab.data) {
			table_open(scn, &sh, &img->tab);
		} else if (sh.sh_type == SHT_GNU_versym) {
			versym = scn;
		}
	}
	if (versym && dynsym_ndx && gelf_getshdr(versym, &sh) &&
	    sh.sh_link == dynsym_ndx)
		img->dyn.versym = elf_getdata(versym, NULL);
	if ((img->dyn.data && table_index(img, &img->dyn) < 0) ||
	    (img->tab.data && table_index(img, &img->tab) < 0))
		return -1;
	return 0;
}

static void image_free_lazy(struct lazy_index *lz)
{
	if (!lz)
		return;
	free(lz->funcs);
	free(lz->relocs);
	free(lz);
}

void elf_image_free(struct elf_image *img)
{
	if (!img)
		return;
	free(img->dyn.slots);
	free(img->tab.slots);
	image_free_lazy(img->lazy);
	free(img->phdr);
	if (img->elf)
		elf_end(img->elf);
	free(img);
}

struct elf_image *elf_image_open(const char *path)
{
	static int version_set;
	struct elf_image *img;
	size_t i;
	int fd, saved;

	if (!version_set) {
		if (elf_version(EV_CURRENT) == EV_NONE) {
			set_error("libelf: %s", elf_errmsg(-1));
			errno = EINVAL;
			return NULL;
		}
		version_set = 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_error("%s", strerror(errno));
		return NULL;
	}
	img = calloc(1, sizeof(*img));
	if (!img)
		goto fail_nomem;
	img->lazy = calloc(1, sizeof(*img->lazy));
	if (!img->lazy)
		goto fail_nomem;

	img->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!img->elf) {
		/* A directory, or a read error. */
		set_error("%s", elf_errmsg(-1));
		errno = EIO;
		goto fail;
	}
	if (elf_kind(img->elf) != ELF_K_ELF) {
		set_error("not an ELF file");
		errno = ENOEXEC;
		goto fail;
	}
	if (!gelf_getehdr(img->elf, &img->ehdr)) {
		set_error("bad ELF header: %s", elf_errmsg(-1));
		errno = ENOEXEC;
		goto fail;
	}
	if (elf_getphdrnum(img->elf, &img->phnum) < 0) {
		set_error("bad program headers: %s", elf_errmsg(-1));
		errno = ENOEXEC;
		goto fail;
	}
	if (img->phnum) {
		img->phdr = calloc(img->phnum, sizeof(*img->phdr));
		if (!img->phdr)
			goto fail_nomem;
		for (i = 0; i < img->phnum; i++) {
			if (!gelf_getphdr(img->elf, (int)i, &img->phdr[i])) {
				set_error("bad program header %zu: %s", i,
					  elf_errmsg(-1));
				errno = ENOEXEC;
				goto fail;
			}
		}
	}
	img->raw = elf_rawfile(img->elf, &img->raw_size);
	if (image_scan(img) < 0)
		goto fail_nomem;
	/*
	 * Everything is mapped (or read, if mmap failed): let the
	 * descriptor go. ELF_C_FDREAD reads whatever is not in memory yet
	 * and tells libelf never to use the descriptor again.
	 */
	if (elf_cntl(img->elf, ELF_C_FDREAD) < 0) {
		set_error("cannot read the file: %s", elf_errmsg(-1));
		errno = EIO;
		goto fail;
	}
	close(fd);
	return img;

fail_nomem:
	set_error("%s", strerror(ENOMEM));
	errno = ENOMEM;
fail:
	saved = errno;
	elf_image_free(img);
	close(fd);
	errno = saved;
	return NULL;
}

uint16_t elf_image_type(const struct elf_image *img)
{
	return img->ehdr.e_type;
}

uint16_t elf_image_machine(const struct elf_image *img)
{
	return img->ehdr.e_machine;
}

int elf_image_class(const struct elf_image *img)
{
	return img->ehdr.e_ident[EI_CLASS];
}

uint64_t elf_image_entry(const struct elf_image *img)
{
	return img->ehdr.e_entry;
}

static const GElf_Phdr *find_phdr(const struct elf_image *img, uint32_t type)
{
	size_t i;

	for (i = 0; i < img->phnum; i++)
		if (img->phdr[i].p_type == type)
			return &img->phdr[i];
	return NULL;
}

int elf_image_has_interp(const struct elf_image *img)
{
	return find_phdr(img, PT_INTERP) != NULL;
}

int elf_image_has_symtab(const struct elf_image *img)
{
	return img->tab.data != NULL;
}

int elf_image_has_dynsym(const struct elf_image *img)
{
	return img->dyn.data != NULL;
}

uint64_t elf_image_dynamic_vaddr(const struct elf_image *img)
{
	const GElf_Phdr *ph = find_phdr(img, PT_DYNAMIC);

	return ph ? ph->p_vaddr : 0;
}

uint64_t elf_image_offset_vaddr(const struct elf_image *img, uint64_t offset)
{
	/* ld.so and the kernel map each PT_LOAD from its page-aligned
	 * p_offset; p_vaddr and p_offset are congruent modulo the page. */
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	size_t i;

	for (i = 0; i < img->phnum; i++) {
		const GElf_Phdr *ph = &img->phdr[i];
		uint64_t start = ph->p_offset & ~(page - 1);

		if (ph->p_type != PT_LOAD)
			continue;
		if (offset >= start && offset < ph->p_offset + ph->p_filesz)
			return ph->p_vaddr - (ph->p_offset - offset);
	}
	return (uint64_t)-1;
}

int elf_image_lookup(const struct elf_image *img, const char *name,
		     unsigned where, struct elf_sym *out)
{
	const struct sym_slot *slot = NULL;

	if (where & ELFSYM_DYNSYM)
		slot = table_find(&img->dyn, name);
	if (!slot && (where & ELFSYM_SYMTAB))
		slot = table_find(&img->tab, name);
	if (!slot)
		return -1;
	*out = slot->sym;
	return 0;
}

static int table_foreach(const struct elf_image *img,
			 const struct sym_table *t,
			 int (*fn)(const char *, const struct elf_sym *,
				   void *),
			 void *arg)
{
	size_t i;
	int rc;

	for (i = 1; i < t->count; i++) {
		GElf_Sym s;
		struct elf_sym sym;
		const char *name;

		if (!gelf_getsym(t->data, (int)i, &s) || !sym_wanted(&s))
			continue;
		name = elf_strptr(img->elf, t->strndx, s.st_name);
		if (!name || !*name)
			continue;
		sym_fill(&sym, &s, t->is_dynsym);
		rc = fn(name, &sym, arg);
		if (rc)
			return rc;
	}
	return 0;
}

int elf_image_foreach(const struct elf_image *img, unsigned where,
		      int (*fn)(const char *name, const struct elf_sym *sym,
				void *arg),
		      void *arg)
{
	int rc = 0;

	if ((where & ELFSYM_DYNSYM) && img->dyn.data)
		rc = table_foreach(img, &img->dyn, fn, arg);
	if (!rc && (where & ELFSYM_SYMTAB) && img->tab.data)
		rc = table_foreach(img, &img->tab, fn, arg);
	return rc;
}

static int func_cmp(const void *a, const void *b)
{
	const struct func_entry *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return 0;
}

static void funcs_add(const struct elf_image *img,
		      const struct sym_table *t, struct lazy_index *lz)
{
	size_t i;

	for (i = 1; i < t->count; i++) {
		GElf_Sym s;
		struct func_entry *e;
		const char *name;
		size_t len;
		int hidden;
		unsigned type;

		if (!gelf_getsym(t->data, (int)i, &s) || !sym_wanted(&s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		name = sym_name(img, t, i, &s, &len, &hidden);
		if (!name)
			continue;
		e = &lz->funcs[lz->nfuncs++];
		e->value = s.st_value;
		e->size = s.st_size;
		e->name = name;
		e->rank = sym_rank(GELF_ST_BIND(s.st_info), hidden);
	}
}

static int funcs_build(const struct elf_image *img)
{
	struct lazy_index *lz = img->lazy;
	size_t n = img->dyn.count + img->tab.count;

	if (lz->funcs_built)
		return 0;
	lz->funcs = calloc(n ? n : 1, sizeof(*lz->funcs));
	if (!lz->funcs) {
		errno = ENOMEM;
		return -1;
	}
	funcs_add(img, &img->dyn, lz);
	funcs_add(img, &img->tab, lz);
	qsort(lz->funcs, lz->nfuncs, sizeof(*lz->funcs), func_cmp);
	lz->funcs_built = 1;
	return 0;
}

const char *elf_image_symbolize(const struct elf_image *img, uint64_t vaddr,
				uint64_t *offset)
{
	const struct lazy_index *lz = img->lazy;
	const struct func_entry *best = NULL;
	size_t lo = 0, hi, steps;

	if (funcs_build(img) < 0)
		return NULL;
	/* lo: the number of entries with value <= vaddr. */
	hi = lz->nfuncs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lz->funcs[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * Walk down from the closest start: aliases share a value (sorted
	 * best rank first), and a few overlapping symbols are tolerated.
	 */
	for (steps = 0; lo > 0 && steps < 64; lo--, steps++) {
		const struct func_entry *e = &lz->funcs[lo - 1];
		int contains = e->size ? vaddr - e->value < e->size :
					 vaddr == e->value;

		if (best && e->value < best->value)
			break;
		if (contains)
			best = e;
	}
	if (!best)
		return NULL;
	if (offset)
		*offset = vaddr - best->value;
	return best->name;
}

int elf_image_read(const struct elf_image *img, uint64_t vaddr, void *buf,
		   size_t len)
{
	uint8_t *out = buf;

	while (len) {
		const GElf_Phdr *ph = NULL;
		uint64_t in, n;
		size_t i;

		for (i = 0; i < img->phnum; i++) {
			const GElf_Phdr *p = &img->phdr[i];

			if (p->p_type == PT_LOAD && vaddr >= p->p_vaddr &&
			    vaddr - p->p_vaddr < p->p_memsz) {
				ph = p;
				break;
			}
		}
		if (!ph)
			return -1;
		in = vaddr - ph->p_vaddr;
		n = ph->p_memsz - in;
		if (n > len)
			n = len;
		if (in < ph->p_filesz) {
			/* File bytes, then zeros from p_filesz on. */
			uint64_t f = ph->p_filesz - in;

			if (f > n)
				f = n;
			if (!img->raw || ph->p_offset > img->raw_size ||
			    ph->p_offset + in + f > img->raw_size)
				return -1;
			memcpy(out, img->raw + ph->p_offset + in, f);
			memset(out + f, 0, n - f);
		} else {
			memset(out, 0, n);
		}
		out += n;
		vaddr += n;
		len -= n;
	}
	return 0;
}

/* Appends to the relocation index, growing it. */
static int reloc_push(struct lazy_index *lz, size_t *alloc, uint64_t offset,
		      uint64_t value, enum reloc_kind kind)
{
	struct reloc_entry *e;

	if (lz->nrelocs == *alloc) {
		size_t n = *alloc ? *alloc * 2 : 256;

		e = realloc(lz->relocs, n * sizeof(*e));
		if (!e)
			return -1;
		lz->relocs = e;
		*alloc = n;
	}
	e = &lz->relocs[lz->nrelocs++];
	e->offset = offset;
	e->value = value;
	e->kind = kind;
	return 0;
}

/* One REL or RELA relocation of x86-64, with symbols from SYMS. */
static int reloc_one(Elf_Data *syms, struct lazy_index *lz, size_t *alloc,
		     uint64_t offset, uint64_t info, int64_t addend)
{
	unsigned type = (unsigned)GELF_R_TYPE(info);
	size_t symi = GELF_R_SYM(info);
	GElf_Sym s;

	switch (type) {
	case R_X86_64_RELATIVE:
		return reloc_push(lz, alloc, offset, (uint64_t)addend,
				  RELOC_VALUE);
	case R_X86_64_64:
	case R_X86_64_GLOB_DAT:
	case R_X86_64_JUMP_SLOT:
		if (type != R_X86_64_64)
			addend = 0;
		if (!syms || !gelf_getsym(syms, (int)symi, &s) ||
		    s.st_shndx == SHN_UNDEF)
			return reloc_push(lz, alloc, offset, 0, RELOC_UNDEF);
		if (GELF_ST_TYPE(s.st_info) == STT_GNU_IFUNC)
			return reloc_push(lz, alloc, offset, 0,
					  RELOC_UNKNOWN);
		return reloc_push(lz, alloc, offset,
				  s.st_value + (uint64_t)addend, RELOC_VALUE);
	case R_X86_64_NONE:
		return 0;
	default:
		return reloc_push(lz, alloc, offset, 0, RELOC_UNKNOWN);
	}
}

/* SHT_RELR: an address, then bitmaps of the 63 words that follow it. */
static int reloc_relr(struct lazy_index *lz, size_t *alloc, Elf_Data *d)
{
	size_t i, n = d->d_size / sizeof(uint64_t);
	uint64_t where = 0, w;

	for (i = 0; i < n; i++) {
		/* Raw bytes: libelf may not know SHT_RELR's type. */
		memcpy(&w, (const char *)d->d_buf + i * sizeof(w), sizeof(w));
		if (!(w & 1)) {
			where = w;
			if (reloc_push(lz, alloc, where, 0, RELOC_FILE) < 0)
				return -1;
			where += 8;
		} else {
			uint64_t bits = w >> 1;
			unsigned b;

			for (b = 0; bits; b++, bits >>= 1)
				if ((bits & 1) &&
				    reloc_push(lz, alloc, where + 8 * b, 0,
					       RELOC_FILE) < 0)
					return -1;
			where += 8 * 63;
		}
	}
	return 0;
}

static int reloc_cmp(const void *a, const void *b)
{
	const struct reloc_entry *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return 0;
}

static int relocs_build(const struct elf_image *img)
{
	struct lazy_index *lz = img->lazy;
	Elf_Scn *scn = NULL;
	size_t alloc = 0;
	GElf_Shdr sh;

	if (lz->relocs_built)
		return 0;
	while ((scn = elf_nextscn(img->elf, scn))) {
		Elf_Data *d, *syms = NULL;
		Elf_Scn *symscn;
		size_t i, n;

		/* Only what the dynamic linker applies: allocated sections. */
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    (sh.sh_type != SHT_RELA && sh.sh_type != SHT_REL &&
		     sh.sh_type != SHT_RELR))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !sh.sh_entsize)
			continue;
		if (sh.sh_type == SHT_RELR) {
			if (reloc_relr(lz, &alloc, d) < 0)
				goto nomem;
			continue;
		}
		symscn = sh.sh_link ? elf_getscn(img->elf, sh.sh_link) : NULL;
		if (symscn)
			syms = elf_getdata(symscn, NULL);
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			int rc;

			if (sh.sh_type == SHT_RELA) {
				GElf_Rela r;

				if (!gelf_getrela(d, (int)i, &r))
					break;
				rc = reloc_one(syms, lz, &alloc, r.r_offset,
					       r.r_info, r.r_addend);
			} else {
				GElf_Rel r;
				uint64_t addend = 0;

				if (!gelf_getrel(d, (int)i, &r))
					break;
				/* REL: the addend is in place. */
				elf_image_read(img, r.r_offset, &addend,
					       sizeof(addend));
				rc = reloc_one(syms, lz, &alloc,
					       r.r_offset, r.r_info,
					       (int64_t)addend);
			}
			if (rc < 0)
				goto nomem;
		}
	}
	if (lz->nrelocs)
		qsort(lz->relocs, lz->nrelocs, sizeof(*lz->relocs), reloc_cmp);
	lz->relocs_built = 1;
	return 0;

nomem:
	free(lz->relocs);
	lz->relocs = NULL;
	lz->nrelocs = 0;
	errno = ENOMEM;
	return -1;
}

int elf_image_reloc_at(const struct elf_image *img, uint64_t vaddr,
		       uint64_t *value)
{
	const struct lazy_index *lz = img->lazy;
	size_t lo = 0, hi;

	if (img->ehdr.e_machine != EM_X86_64 ||
	    img->ehdr.e_ident[EI_CLASS] != ELFCLASS64) {
		errno = ENOENT;
		return -1;
	}
	if (relocs_build(img) < 0)
		return -1;
	hi = lz->nrelocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lz->relocs[mid].offset < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == lz->nrelocs || lz->relocs[lo].offset != vaddr) {
		errno = ENOENT;
		return -1;
	}
	switch (lz->relocs[lo].kind) {
	case RELOC_VALUE:
		*value = lz->relocs[lo].value;
		return 0;
	case RELOC_FILE:
		return elf_image_read(img, vaddr, value, sizeof(*value));
	default:	/* RELOC_UNDEF, RELOC_UNKNOWN */
		errno = EXDEV;
		return -1;
	}
}
