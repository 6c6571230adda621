/*
 * elf_image_*(): the unit runner itself (/proc/self/exe, PIE, not
 * stripped) against its own run-time addresses; the system libc against
 * the dynamic linker's answers; programs and a shared object built here
 * at test time (static, stripped, relocations of every kind); a crafted
 * 32-bit header; and files that are not ELF at all.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <link.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "breakpoints/elfsym.h"
#include "suites.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- symbols of the runner, looked up in its own file ---- */

int elfsym_probe_global(int x);
int elfsym_probe_weak(int x);

__attribute__((noinline, used)) int elfsym_probe_global(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline, used, weak)) int elfsym_probe_weak(int x)
{
	return x * 5 + 2;
}

__attribute__((noinline, used)) static int elfsym_probe_local(int x)
{
	return x * 7 + 3;
}

/* A static object with pointers, like Check's TTest: in a PIE the
 * pointers are filled in by R_X86_64_RELATIVE relocations. */
struct probe_obj {
	const char *name;
	int (*fn)(int);
	uint64_t magic;
};

__attribute__((used)) static const struct probe_obj elfsym_probe_obj = {
	"probe-name", elfsym_probe_local, 0x0123456789abcdefULL,
};

__attribute__((used)) static char elfsym_probe_bss[512];
__attribute__((used)) static uint32_t elfsym_probe_data[4] = {
	0x11111111, 0x22222222, 0x33333333, 0x44444444,
};

/* The /proc/self/maps line containing ADDR: start, offset and path. */
static int maps_find(uint64_t addr, uint64_t *start, uint64_t *offset,
		     char *path, size_t pathlen)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];
	int found = -1;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s%n", &lo, &hi, &off,
			   &pos) < 3)
			continue;
		if (addr < lo || addr >= hi)
			continue;
		*start = lo;
		*offset = off;
		while (line[pos] == ' ')
			pos++;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, pathlen, "%s", line + pos);
		found = 0;
		break;
	}
	fclose(f);
	return found;
}

/* The load bias of the object mapping ADDR, from /proc/self/maps. */
static uint64_t bias_of(const struct elf_image *img, uint64_t addr)
{
	uint64_t start, offset, vaddr;
	char path[PATH_MAX];

	ck_assert_int_eq(maps_find(addr, &start, &offset, path, sizeof(path)),
			 0);
	vaddr = elf_image_offset_vaddr(img, offset);
	ck_assert_msg(vaddr != (uint64_t)-1, "no PT_LOAD at offset %#llx",
		      (unsigned long long)offset);
	return start - vaddr;
}

static struct elf_image *open_self(void)
{
	struct elf_image *img = elf_image_open("/proc/self/exe");

	ck_assert_msg(img != NULL, "/proc/self/exe: %s", elfsym_error());
	return img;
}

START_TEST(self_header)
{
	struct elf_image *img = open_self();

	ck_assert_int_eq(elf_image_class(img), ELFCLASS64);
	ck_assert_int_eq(elf_image_machine(img), EM_X86_64);
	ck_assert(elf_image_type(img) == ET_DYN ||
		  elf_image_type(img) == ET_EXEC);
	ck_assert(elf_image_has_interp(img));
	ck_assert(elf_image_has_symtab(img));
	ck_assert(elf_image_has_dynsym(img));
	ck_assert_uint_ne(elf_image_dynamic_vaddr(img), 0);
	ck_assert_uint_ne(elf_image_entry(img), 0);
	elf_image_free(img);
}
END_TEST

START_TEST(self_functions)
{
	static const struct {
		const char *name;
		int (*fn)(int);
		unsigned char bind;
	} probes[] = {
		{ "elfsym_probe_global", elfsym_probe_global, STB_GLOBAL },
		{ "elfsym_probe_weak", elfsym_probe_weak, STB_WEAK },
		{ "elfsym_probe_local", elfsym_probe_local, STB_LOCAL },
		/* declared weak in suites.h, hence a weak definition */
		{ "make_elfsym_suite", NULL, STB_WEAK },
	};
	struct elf_image *img = open_self();
	uint64_t bias = bias_of(img, (uint64_t)(uintptr_t)elfsym_probe_global);
	size_t i;

	for (i = 0; i < N(probes); i++) {
		uint64_t rt = probes[i].fn ? (uint64_t)(uintptr_t)probes[i].fn :
			      (uint64_t)(uintptr_t)make_elfsym_suite;
		struct elf_sym sym;
		uint64_t off = 99;
		const char *name;

		ck_assert_msg(elf_image_lookup(img, probes[i].name,
					       ELFSYM_DYNSYM | ELFSYM_SYMTAB,
					       &sym) == 0,
			      "%s not found", probes[i].name);
		ck_assert_int_eq(sym.type, STT_FUNC);
		ck_assert_int_eq(sym.bind, probes[i].bind);
		ck_assert_int_eq(sym.in_dynsym, 0);
		ck_assert_uint_ne(sym.shndx, SHN_UNDEF);
		ck_assert_uint_gt(sym.size, 0);
		ck_assert_msg(sym.value + bias == rt,
			      "%s: %#llx + bias %#llx != run-time %#llx",
			      probes[i].name, (unsigned long long)sym.value,
			      (unsigned long long)bias, (unsigned long long)rt);

		/* Not exported: .dynsym alone does not have it. */
		ck_assert_int_eq(elf_image_lookup(img, probes[i].name,
						  ELFSYM_DYNSYM, &sym), -1);

		name = elf_image_symbolize(img, rt - bias + 1, &off);
		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(name, probes[i].name);
		ck_assert_uint_eq(off, 1);
		name = elf_image_symbolize(img, rt - bias, NULL);
		ck_assert_str_eq(name, probes[i].name);
	}
	ck_assert_int_eq(elf_image_lookup(img, "elfsym_no_such_function",
					  ELFSYM_DYNSYM | ELFSYM_SYMTAB,
					  &(struct elf_sym){ 0 }), -1);
	ck_assert_int_eq(elf_image_lookup(img, "", ELFSYM_SYMTAB,
					  &(struct elf_sym){ 0 }), -1);
	ck_assert_int_eq(elf_image_lookup(img, "elfsym_probe_global", 0,
					  &(struct elf_sym){ 0 }), -1);
	elf_image_free(img);
}
END_TEST

START_TEST(self_bias_from_every_mapping)
{
	/*
	 * Every mapping of the runner gives the same bias: the lowest, the
	 * executable one, and the data ones that RELRO's mprotect split.
	 */
	struct elf_image *img = open_self();
	uint64_t bias = bias_of(img, (uint64_t)(uintptr_t)elfsym_probe_global);
	char self[PATH_MAX], line[PATH_MAX + 128];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned seen = 0, exec_seen = 0;

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off;
		char perms[8];
		int pos = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &lo, &hi,
			   perms, &off, &pos) < 4)
			continue;
		while (line[pos] == ' ')
			pos++;
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line + pos, self))
			continue;
		if (seen == 0 || perms[2] == 'x') {
			ck_assert_msg(lo - elf_image_offset_vaddr(img, off) ==
				      bias, "%s: bias differs", line);
			exec_seen += perms[2] == 'x';
		}
		seen++;
	}
	fclose(f);
	ck_assert_uint_gt(seen, 1);
	ck_assert_uint_eq(exec_seen, 1);
	ck_assert_uint_eq(elf_image_offset_vaddr(img, 1ULL << 40),
			  (uint64_t)-1);
	elf_image_free(img);
}
END_TEST

START_TEST(self_read_and_relocate)
{
	struct elf_image *img = open_self();
	uint64_t bias = bias_of(img, (uint64_t)(uintptr_t)elfsym_probe_global);
	struct elf_sym sym;
	struct probe_obj file;
	uint64_t v, name_vaddr;
	char name[16];
	uint32_t data[4];
	char bss[sizeof(elfsym_probe_bss)];

	ck_assert_int_eq(elf_image_lookup(img, "elfsym_probe_obj",
					  ELFSYM_SYMTAB, &sym), 0);
	ck_assert_int_eq(sym.type, STT_OBJECT);
	ck_assert_int_eq(sym.bind, STB_LOCAL);
	/* ASan pads globals with a red zone, counted in the size. */
	ck_assert_uint_ge(sym.size, sizeof(struct probe_obj));
	ck_assert_uint_eq(sym.value + bias,
			  (uint64_t)(uintptr_t)&elfsym_probe_obj);

	/* The file bytes: the non-pointer member as is. */
	ck_assert_int_eq(elf_image_read(img, sym.value, &file, sizeof(file)),
			 0);
	ck_assert_uint_eq(file.magic, 0x0123456789abcdefULL);
	ck_assert_int_eq(elf_image_reloc_at(img, sym.value +
					    offsetof(struct probe_obj, magic),
					    &v), -1);
	ck_assert_int_eq(errno, ENOENT);

	if (elf_image_type(img) == ET_DYN) {
		/* PIE: the pointers come from RELATIVE relocations. */
		ck_assert_int_eq(elf_image_reloc_at(img, sym.value +
				 offsetof(struct probe_obj, fn), &v), 0);
		ck_assert_uint_eq(v + bias,
				  (uint64_t)(uintptr_t)elfsym_probe_local);
		ck_assert_int_eq(elf_image_reloc_at(img, sym.value +
				 offsetof(struct probe_obj, name), &v), 0);
		ck_assert_uint_eq(v + bias,
				  (uint64_t)(uintptr_t)elfsym_probe_obj.name);
		name_vaddr = v;
	} else {
		ck_assert_uint_eq((uint64_t)(uintptr_t)file.fn,
				  (uint64_t)(uintptr_t)elfsym_probe_local);
		name_vaddr = (uint64_t)(uintptr_t)file.name;
	}
	/* The string it points to, read from the file. */
	ck_assert_int_eq(elf_image_read(img, name_vaddr, name,
					sizeof("probe-name")), 0);
	ck_assert_str_eq(name, "probe-name");

	/* .data as initialised, .bss as zeros. */
	ck_assert_int_eq(elf_image_lookup(img, "elfsym_probe_data",
					  ELFSYM_SYMTAB, &sym), 0);
	ck_assert_int_eq(elf_image_read(img, sym.value, data, sizeof(data)),
			 0);
	ck_assert_uint_eq(data[0], 0x11111111);
	ck_assert_uint_eq(data[3], 0x44444444);
	ck_assert_int_eq(elf_image_lookup(img, "elfsym_probe_bss",
					  ELFSYM_SYMTAB, &sym), 0);
	memset(bss, 0x5a, sizeof(bss));
	ck_assert_int_eq(elf_image_read(img, sym.value, bss, sizeof(bss)), 0);
	ck_assert_int_eq(bss[0], 0);
	ck_assert_int_eq(bss[sizeof(bss) - 1], 0);

	/* Nothing is loaded there. */
	ck_assert_int_eq(elf_image_read(img, 0x7fff00000000ULL, data, 4), -1);
	ck_assert_int_eq(elf_image_read(img, (uint64_t)-8, data, 4), -1);
	elf_image_free(img);
}
END_TEST

static int count_fn(const char *name, const struct elf_sym *sym, void *arg)
{
	unsigned *count = arg;

	ck_assert_ptr_nonnull(name);
	ck_assert(*name);
	ck_assert_uint_ne(sym->shndx, SHN_UNDEF);
	ck_assert(sym->type == STT_FUNC || sym->type == STT_OBJECT ||
		  sym->type == STT_GNU_IFUNC);
	(*count)++;
	return 0;
}

static int find_fn(const char *name, const struct elf_sym *sym, void *arg)
{
	(void)sym;
	return strcmp(name, arg) ? 0 : 42;
}

START_TEST(self_foreach)
{
	struct elf_image *img = open_self();
	unsigned dyn = 0, tab = 0, both = 0;

	ck_assert_int_eq(elf_image_foreach(img, ELFSYM_DYNSYM, count_fn,
					   &dyn), 0);
	ck_assert_int_eq(elf_image_foreach(img, ELFSYM_SYMTAB, count_fn,
					   &tab), 0);
	ck_assert_int_eq(elf_image_foreach(img, ELFSYM_DYNSYM | ELFSYM_SYMTAB,
					   count_fn, &both), 0);
	ck_assert_uint_eq(both, dyn + tab);
	ck_assert_uint_gt(tab, 20);
	ck_assert_int_eq(elf_image_foreach(img, ELFSYM_SYMTAB, find_fn,
					   (void *)"elfsym_probe_local"), 42);
	ck_assert_int_eq(elf_image_foreach(img, ELFSYM_DYNSYM, find_fn,
					   (void *)"elfsym_probe_local"), 0);
	elf_image_free(img);
}
END_TEST

/* ---- the system libc against ld.so ---- */

struct libc {
	struct elf_image *img;
	void *handle;
	uint64_t bias;
};

static void libc_open(struct libc *lc)
{
	struct link_map *lm = NULL;

	lc->handle = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	ck_assert_msg(lc->handle != NULL, "libc.so.6: %s", dlerror());
	ck_assert_int_eq(dlinfo(lc->handle, RTLD_DI_LINKMAP, &lm), 0);
	lc->bias = lm->l_addr;
	lc->img = elf_image_open(lm->l_name);
	ck_assert_msg(lc->img != NULL, "%s: %s", lm->l_name, elfsym_error());
}

static void libc_close(struct libc *lc)
{
	elf_image_free(lc->img);
	dlclose(lc->handle);
}

static const char *const libc_allocators[] = {
	"malloc", "calloc", "realloc", "reallocarray", "free",
	"posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
};

START_TEST(libc_allocators_match_ldso)
{
	/* dlsym() on libc's own handle: its definition, not a sanitizer's
	 * interceptor. */
	const char *name = libc_allocators[_i];
	struct libc lc;
	struct elf_sym sym;
	void *rt;

	libc_open(&lc);
	ck_assert_int_eq(elf_image_type(lc.img), ET_DYN);
	rt = dlsym(lc.handle, name);
	ck_assert_ptr_nonnull(rt);
	ck_assert_msg(elf_image_lookup(lc.img, name, ELFSYM_DYNSYM, &sym) == 0,
		      "%s not found", name);
	ck_assert_int_eq(sym.in_dynsym, 1);
	ck_assert_int_eq(sym.type, STT_FUNC);
	/* glibc 2.36: malloc, realloc, free GLOBAL; the others WEAK. */
	ck_assert(sym.bind == STB_GLOBAL || sym.bind == STB_WEAK);
	if (!strcmp(name, "malloc"))
		ck_assert_int_eq(sym.bind, STB_GLOBAL);
	ck_assert_uint_gt(sym.size, 0);
	ck_assert_uint_eq(sym.value + lc.bias, (uint64_t)(uintptr_t)rt);
	libc_close(&lc);
}
END_TEST

START_TEST(libc_versions_and_aliases)
{
	struct libc lc;
	struct elf_sym a, b;
	const char *name;
	uint64_t off;
	void *def, *old;

	libc_open(&lc);
	/* Two names, one function. */
	ck_assert_int_eq(elf_image_lookup(lc.img, "memalign", ELFSYM_DYNSYM,
					  &a), 0);
	ck_assert_int_eq(elf_image_lookup(lc.img, "aligned_alloc",
					  ELFSYM_DYNSYM, &b), 0);
	ck_assert_uint_eq(a.value, b.value);

	/*
	 * realpath has a hidden GLIBC_2.2.5 version and the default
	 * GLIBC_2.3 one; the lookup takes the default, as dlsym() does.
	 */
	def = dlvsym(lc.handle, "realpath", "GLIBC_2.3");
	old = dlvsym(lc.handle, "realpath", "GLIBC_2.2.5");
	if (def && old && def != old) {
		ck_assert_int_eq(elf_image_lookup(lc.img, "realpath",
						  ELFSYM_DYNSYM, &a), 0);
		ck_assert_uint_eq(a.value + lc.bias,
				  (uint64_t)(uintptr_t)def);
	}

	/* Imported, not defined: libc takes _rtld_global from ld.so. */
	ck_assert_int_eq(elf_image_lookup(lc.img, "_rtld_global",
					  ELFSYM_DYNSYM | ELFSYM_SYMTAB, &a),
			 -1);
	ck_assert_int_eq(elf_image_lookup(lc.img, "malloc@@GLIBC_2.2.5",
					  ELFSYM_DYNSYM, &a), -1);

	/* An OBJECT. */
	ck_assert_int_eq(elf_image_lookup(lc.img, "environ", ELFSYM_DYNSYM,
					  &a), 0);
	ck_assert_int_eq(a.type, STT_OBJECT);

	/* Symbolize inside malloc: malloc or an alias of it. */
	ck_assert_int_eq(elf_image_lookup(lc.img, "malloc", ELFSYM_DYNSYM,
					  &a), 0);
	name = elf_image_symbolize(lc.img, a.value + 5, &off);
	ck_assert_ptr_nonnull(name);
	ck_assert_uint_eq(off, 5);
	ck_assert_int_eq(elf_image_lookup(lc.img, name, ELFSYM_DYNSYM, &b), 0);
	ck_assert_uint_eq(b.value, a.value);
	ck_assert_int_eq(b.bind, STB_GLOBAL);
	ck_assert_ptr_null(elf_image_symbolize(lc.img, 0, NULL));
	libc_close(&lc);
}
END_TEST

START_TEST(libc_lookups_are_fast)
{
	/* The index is built once: 30 names, 2000 times, well under a
	 * second even under ASan. */
	struct libc lc;
	struct elf_sym sym;
	unsigned i, k, found = 0;

	libc_open(&lc);
	for (i = 0; i < 2000; i++)
		for (k = 0; k < 30; k++)
			found += elf_image_lookup(lc.img,
				libc_allocators[k % N(libc_allocators)],
				ELFSYM_DYNSYM | ELFSYM_SYMTAB, &sym) == 0;
	ck_assert_uint_eq(found, 2000 * 30);
	libc_close(&lc);
}
END_TEST

/* ---- files that are not what memsup wants ---- */

START_TEST(missing_file)
{
	errno = 0;
	ck_assert_ptr_null(elf_image_open("/nonexistent/memsup/prog"));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(elfsym_error(), strerror(ENOENT));
}
END_TEST

START_TEST(not_elf)
{
	char path[] = "/tmp/memsup-elfsym-XXXXXX";
	int fd;

	/* A source file (the runner's cwd is tests/unit). */
	errno = 0;
	ck_assert_ptr_null(elf_image_open("main.c"));
	ck_assert_int_eq(errno, ENOEXEC);
	ck_assert_str_eq(elfsym_error(), "not an ELF file");

	/* An empty file, and a truncated ELF header. */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(elf_image_open(path));
	ck_assert_int_eq(errno, ENOEXEC);
	ck_assert_str_eq(elfsym_error(), "not an ELF file");
	ck_assert_int_eq(write(fd, ELFMAG "\2\1\1", 7), 7);
	ck_assert_ptr_null(elf_image_open(path));
	ck_assert_int_eq(errno, ENOEXEC);
	close(fd);
	unlink(path);

	/* A directory. */
	ck_assert_ptr_null(elf_image_open("/"));
	ck_assert_str_ne(elfsym_error(), "");
}
END_TEST

START_TEST(elf32_opens)
{
	/* A bare 32-bit i386 header: opened, so that the caller can say
	 * "32-bit" rather than "not an ELF file". */
	char path[] = "/tmp/memsup-elfsym-XXXXXX";
	Elf32_Ehdr eh;
	struct elf_image *img;
	struct elf_sym sym;
	uint64_t v;
	int fd;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_386;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x8048000;
	eh.e_ehsize = sizeof(eh);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, &eh, sizeof(eh)), (int)sizeof(eh));
	close(fd);

	img = elf_image_open(path);
	unlink(path);
	ck_assert_msg(img != NULL, "%s", elfsym_error());
	ck_assert_int_eq(elf_image_class(img), ELFCLASS32);
	ck_assert_int_eq(elf_image_machine(img), EM_386);
	ck_assert_int_eq(elf_image_type(img), ET_EXEC);
	ck_assert_uint_eq(elf_image_entry(img), 0x8048000);
	ck_assert(!elf_image_has_interp(img));
	ck_assert(!elf_image_has_symtab(img));
	ck_assert_uint_eq(elf_image_dynamic_vaddr(img), 0);
	ck_assert_int_eq(elf_image_lookup(img, "main",
					  ELFSYM_DYNSYM | ELFSYM_SYMTAB, &sym),
			 -1);
	ck_assert_ptr_null(elf_image_symbolize(img, 0x8048000, NULL));
	ck_assert_int_eq(elf_image_reloc_at(img, 0x8048000, &v), -1);
	ck_assert_int_eq(elf_image_read(img, 0x8048000, &v, 1), -1);
	elf_image_free(img);
}
END_TEST

/* ---- programs built here ---- */

struct build {
	char dir[64];
	char path[128];
};

static const char prog_src[] =
	"#include <stdio.h>\n"
	"int exported_fn(int x);\n"
	"__attribute__((noinline)) int exported_fn(int x) { return x + 1; }\n"
	"__attribute__((noinline)) static int local_fn(int x)\n"
	"{ return x - 1; }\n"
	"int main(void) { puts(\"hi\"); return local_fn(exported_fn(0)); }\n";

static const char lib_src[] =
	"int libfn(int x);\n"
	"extern int ext_fn(int x);\n"
	"int libfn(int x) { return x + 1; }\n"
	"__attribute__((noinline)) static int local_fn(int x)\n"
	"{ return x - 1; }\n"
	"struct tab { int (*a)(int); int (*b)(int); int (*c)(int);\n"
	"	const char *s; long plain; };\n"
	"struct tab lib_tab = { libfn, ext_fn, local_fn, \"str\", 7 };\n";

/*
 * Compiles SRC with cc and FLAGS into a fresh directory. Returns 0, or -1
 * when there is no compiler or it refuses FLAGS (the test is skipped).
 */
static int build(struct build *b, const char *src, const char *flags)
{
	char cmd[512], srcpath[128];
	FILE *f;

	snprintf(b->dir, sizeof(b->dir), "/tmp/memsup-elfsym-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(b->dir));
	snprintf(srcpath, sizeof(srcpath), "%s/src.c", b->dir);
	snprintf(b->path, sizeof(b->path), "%s/out", b->dir);
	f = fopen(srcpath, "w");
	ck_assert_ptr_nonnull(f);
	fputs(src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -O1 %s -o %s %s >/dev/null 2>&1",
		 flags, b->path, srcpath);
	if (system(cmd) != 0) {
		fprintf(stderr, "elfsym: cannot run '%s', skipped\n", cmd);
		return -1;
	}
	return 0;
}

static void build_clean(struct build *b)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/src.c", b->dir);
	unlink(p);
	unlink(b->path);
	rmdir(b->dir);
}

START_TEST(static_binary)
{
	struct build b;
	struct elf_image *img;
	struct elf_sym sym;

	if (build(&b, prog_src, "-static") < 0) {
		build_clean(&b);
		return;
	}
	img = elf_image_open(b.path);
	ck_assert_msg(img != NULL, "%s", elfsym_error());
	ck_assert(!elf_image_has_interp(img));
	ck_assert(elf_image_has_symtab(img));
	if (elf_image_type(img) == ET_EXEC) {
		ck_assert(!elf_image_has_dynsym(img));
		ck_assert_uint_eq(elf_image_dynamic_vaddr(img), 0);
	}
	ck_assert_int_eq(elf_image_lookup(img, "exported_fn", ELFSYM_DYNSYM,
					  &sym), -1);
	ck_assert_int_eq(elf_image_lookup(img, "exported_fn",
					  ELFSYM_DYNSYM | ELFSYM_SYMTAB, &sym),
			 0);
	ck_assert_int_eq(sym.in_dynsym, 0);
	ck_assert_int_eq(sym.bind, STB_GLOBAL);
	ck_assert_int_eq(elf_image_lookup(img, "local_fn", ELFSYM_SYMTAB,
					  &sym), 0);
	ck_assert_int_eq(sym.bind, STB_LOCAL);
	/* The program's own copy of the allocator, in .symtab only. */
	ck_assert_int_eq(elf_image_lookup(img, "malloc", ELFSYM_SYMTAB, &sym),
			 0);
	ck_assert(sym.type == STT_FUNC || sym.type == STT_GNU_IFUNC);
	ck_assert_ptr_nonnull(elf_image_symbolize(img, sym.value, NULL));
	elf_image_free(img);
	build_clean(&b);
}
END_TEST

START_TEST(stripped_binary)
{
	struct build b;
	struct elf_image *img;
	struct elf_sym sym;
	unsigned n = 0;

	if (build(&b, prog_src, "-rdynamic -s") < 0) {
		build_clean(&b);
		return;
	}
	img = elf_image_open(b.path);
	ck_assert_msg(img != NULL, "%s", elfsym_error());
	ck_assert(elf_image_has_interp(img));
	ck_assert(!elf_image_has_symtab(img));
	ck_assert(elf_image_has_dynsym(img));
	ck_assert_int_eq(elf_image_lookup(img, "exported_fn", ELFSYM_SYMTAB,
					  &sym), -1);
	ck_assert_int_eq(elf_image_lookup(img, "exported_fn",
					  ELFSYM_DYNSYM | ELFSYM_SYMTAB, &sym),
			 0);
	ck_assert_int_eq(sym.in_dynsym, 1);
	ck_assert_int_eq(sym.type, STT_FUNC);
	ck_assert_int_eq(sym.bind, STB_GLOBAL);
	ck_assert_str_eq(elf_image_symbolize(img, sym.value + 1, NULL),
			 "exported_fn");
	/* Gone with .symtab; imported, hence undefined here. */
	ck_assert_int_eq(elf_image_lookup(img, "local_fn",
					  ELFSYM_DYNSYM | ELFSYM_SYMTAB, &sym),
			 -1);
	ck_assert_int_eq(elf_image_lookup(img, "puts",
					  ELFSYM_DYNSYM | ELFSYM_SYMTAB, &sym),
			 -1);
	ck_assert_int_eq(elf_image_foreach(img, ELFSYM_SYMTAB, count_fn, &n),
			 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(elf_image_foreach(img, ELFSYM_DYNSYM, count_fn, &n),
			 0);
	ck_assert_uint_ge(n, 2);	/* exported_fn, main */
	elf_image_free(img);
	build_clean(&b);
}
END_TEST

static void check_lib_relocs(const char *flags)
{
	struct build b;
	struct elf_image *img;
	struct elf_sym tab, libfn, local;
	uint64_t v;
	long plain;
	char s[4];

	if (build(&b, lib_src, flags) < 0) {
		build_clean(&b);
		return;
	}
	img = elf_image_open(b.path);
	ck_assert_msg(img != NULL, "%s", elfsym_error());
	ck_assert_int_eq(elf_image_type(img), ET_DYN);
	ck_assert(!elf_image_has_interp(img));
	ck_assert_int_eq(elf_image_lookup(img, "lib_tab", ELFSYM_DYNSYM, &tab),
			 0);
	ck_assert_int_eq(tab.type, STT_OBJECT);
	ck_assert_int_eq(elf_image_lookup(img, "libfn", ELFSYM_DYNSYM,
					  &libfn), 0);
	ck_assert_int_eq(elf_image_lookup(img, "local_fn", ELFSYM_SYMTAB,
					  &local), 0);

	/* a: R_X86_64_64 against libfn, which this object defines */
	ck_assert_int_eq(elf_image_reloc_at(img, tab.value, &v), 0);
	ck_assert_uint_eq(v, libfn.value);
	/* b: R_X86_64_64 against ext_fn, from elsewhere */
	errno = 0;
	ck_assert_int_eq(elf_image_reloc_at(img, tab.value + 8, &v), -1);
	ck_assert_int_eq(errno, EXDEV);
	/* c, s: relative (RELA or RELR) */
	ck_assert_int_eq(elf_image_reloc_at(img, tab.value + 16, &v), 0);
	ck_assert_uint_eq(v, local.value);
	ck_assert_int_eq(elf_image_reloc_at(img, tab.value + 24, &v), 0);
	ck_assert_int_eq(elf_image_read(img, v, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "str");
	/* plain: no relocation, the file has it */
	errno = 0;
	ck_assert_int_eq(elf_image_reloc_at(img, tab.value + 32, &v), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(elf_image_read(img, tab.value + 32, &plain,
					sizeof(plain)), 0);
	ck_assert_int_eq(plain, 7);
	/* between relocations */
	ck_assert_int_eq(elf_image_reloc_at(img, tab.value + 4, &v), -1);
	elf_image_free(img);
	build_clean(&b);
}

START_TEST(shared_object_relocations)
{
	check_lib_relocs("-shared -fPIC");
}
END_TEST

START_TEST(shared_object_relr)
{
	/* Packed relative relocations (binutils >= 2.38, glibc >= 2.36). */
	check_lib_relocs("-shared -fPIC -Wl,-z,pack-relative-relocs");
}
END_TEST

Suite *make_elfsym_suite(void)
{
	Suite *s = suite_create("elfsym");
	TCase *tc = tcase_create("self");

	tcase_add_test(tc, self_header);
	tcase_add_test(tc, self_functions);
	tcase_add_test(tc, self_bias_from_every_mapping);
	tcase_add_test(tc, self_read_and_relocate);
	tcase_add_test(tc, self_foreach);
	suite_add_tcase(s, tc);

	tc = tcase_create("libc");
	tcase_add_loop_test(tc, libc_allocators_match_ldso, 0,
			    N(libc_allocators));
	tcase_add_test(tc, libc_versions_and_aliases);
	tcase_add_test(tc, libc_lookups_are_fast);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad input");
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, not_elf);
	tcase_add_test(tc, elf32_opens);
	suite_add_tcase(s, tc);

	tc = tcase_create("built");
	tcase_add_test(tc, static_binary);
	tcase_add_test(tc, stripped_binary);
	tcase_add_test(tc, shared_object_relocations);
	tcase_add_test(tc, shared_object_relr);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
