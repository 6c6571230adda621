#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/msg.h"
#include "supervisor/sanitizer.h"

enum runtime { RT_NONE, RT_ASAN, RT_LSAN };

static enum runtime needed_runtime(const char *name)
{
	if (strstr(name, "libasan") || strstr(name, "clang_rt.asan"))
		return RT_ASAN;
	if (strstr(name, "liblsan") || strstr(name, "clang_rt.lsan"))
		return RT_LSAN;
	return RT_NONE;
}

static enum runtime symbol_runtime(const char *name)
{
	if (!strcmp(name, "__asan_init"))
		return RT_ASAN;
	if (!strcmp(name, "__lsan_init") || !strcmp(name, "__lsan_do_leak_check"))
		return RT_LSAN;
	return RT_NONE;
}

/* The runtime the ELF file carries, and *LIB the library that brings it. */
static enum runtime elf_runtime(Elf *elf, char *lib, size_t len)
{
	Elf_Scn *scn = NULL;
	enum runtime rt = RT_NONE, r;
	GElf_Shdr sh;
	size_t i, n;

	while ((scn = elf_nextscn(elf, scn)) && rt != RT_ASAN) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(d = elf_getdata(scn, NULL)))
			continue;
		if (sh.sh_type == SHT_DYNAMIC) {
			n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			for (i = 0; i < n; i++) {
				GElf_Dyn dyn;
				const char *name;

				if (!gelf_getdyn(d, (int)i, &dyn) ||
				    dyn.d_tag != DT_NEEDED)
					continue;
				name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
				if (name && (r = needed_runtime(name)) > rt) {
					rt = r;
					snprintf(lib, len, "%s", name);
				}
			}
		} else if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			for (i = 0; i < n; i++) {
				GElf_Sym s;
				const char *name;

				if (!gelf_getsym(d, (int)i, &s) ||
				    s.st_shndx == SHN_UNDEF)
					continue;
				name = elf_strptr(elf, sh.sh_link, s.st_name);
				if (name && (r = symbol_runtime(name)) > rt) {
					rt = r;
					snprintf(lib, len, "a static runtime");
				}
			}
		}
	}
	return rt;
}

/* Whether VAR in the environment has detect_leaks=0 (or false). */
static int leaks_off(const char *var)
{
	const char *v = getenv(var), *p;

	if (!v)
		return 0;
	for (p = v; (p = strstr(p, "detect_leaks=")); p += 13)
		if ((p == v || p[-1] == ':' || p[-1] == ' ' || p[-1] == ',') &&
		    (!strncmp(p + 13, "0", 1) || !strncmp(p + 13, "false", 5)))
			return 1;
	return 0;
}

int sanitizer_warn(const char *path)
{
	enum runtime rt = RT_NONE;
	char lib[256] = "";
	int fd;
	Elf *elf;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		rt = elf_runtime(elf, lib, sizeof(lib));
	if (elf)
		elf_end(elf);
	close(fd);
	if (rt == RT_NONE)
		return 0;
	if (rt == RT_ASAN && leaks_off("ASAN_OPTIONS"))
		return 0;
	if (rt == RT_LSAN && leaks_off("LSAN_OPTIONS"))
		return 0;
	warning_msg("'%s' is built with %s (%s): its leak check at exit "
		    "cannot run under ptrace, and the program would end "
		    "with LeakSanitizer's fatal error", path,
		    rt == RT_ASAN ? "AddressSanitizer" : "LeakSanitizer", lib);
	hint_msg("set %s=detect_leaks=0 for the run: memsup reports the "
		 "leaks itself", rt == RT_ASAN ? "ASAN_OPTIONS" : "LSAN_OPTIONS");
	return 1;
}
