/*
 * ELF symbols, segments and relocations of one file, read with libelf
 * (elfutils), without running it.
 *
 * Used to find the allocator entry points (malloc, _Znwm, ...) and the
 * test functions of every object mapped in a traced process, and to read
 * static objects such as Check's TTest structures from the file. All
 * addresses here are link-time addresses ("vaddr"): add the object's load
 * bias to get run-time ones.
 *
 * An image is opened once and indexed then: .dynsym and .symtab get one
 * hash table each, so that a lookup costs a hash and a string compare.
 * The index for elf_image_symbolize() and the relocation index are built
 * on first use. Strings returned (symbol names) are borrowed from the
 * image and valid until elf_image_free(). An image is not safe to use
 * from two threads at once.
 *
 * The file is mapped (ELF_C_READ_MMAP) and its descriptor closed at open,
 * so that a process with hundreds of objects does not hold hundreds of
 * descriptors. Rewriting the file in place while it is open is undefined
 * (as for the dynamic linker); replacing it (rename) is fine.
 */
#ifndef MEMSUP_ELFSYM_H
#define MEMSUP_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

struct elf_image;	/* opaque */

/* Which symbol tables a lookup searches. */
enum elfsym_where {
	ELFSYM_DYNSYM = 1 << 0,
	ELFSYM_SYMTAB = 1 << 1,
};

struct elf_sym {
	uint64_t value;			/* st_value: link-time address */
	uint64_t size;
	unsigned char bind;		/* STB_GLOBAL, STB_WEAK, STB_LOCAL */
	unsigned char type;		/* STT_FUNC, _GNU_IFUNC, _OBJECT */
	unsigned char in_dynsym;	/* found in .dynsym, not .symtab */
	uint16_t shndx;			/* st_shndx, never SHN_UNDEF */
};

/*
 * Opens PATH. Returns NULL on failure with errno set (ENOEXEC: not an ELF
 * file) and the reason in elfsym_error(). A 32-bit or foreign image opens
 * fine: check elf_image_class() and elf_image_machine() before use. The
 * caller frees with elf_image_free().
 */
struct elf_image *elf_image_open(const char *path);
void elf_image_free(struct elf_image *img);

/*
 * Why the last elf_image_open() (or other failing call) of this thread
 * failed, without the path, such as "not an ELF file" or "No such file
 * or directory". Static storage, overwritten by the next failure.
 */
const char *elfsym_error(void);

/* ET_EXEC, ET_DYN; EM_X86_64, EM_386; ELFCLASS64, ELFCLASS32 */
uint16_t elf_image_type(const struct elf_image *img);
uint16_t elf_image_machine(const struct elf_image *img);
int elf_image_class(const struct elf_image *img);
uint64_t elf_image_entry(const struct elf_image *img);
/* PT_INTERP present: dynamically linked. */
int elf_image_has_interp(const struct elf_image *img);
/* A .symtab is present: not stripped. */
int elf_image_has_symtab(const struct elf_image *img);
/* A .dynsym is present (none in a static executable). */
int elf_image_has_dynsym(const struct elf_image *img);
/* PT_DYNAMIC's p_vaddr, or 0 if none. */
uint64_t elf_image_dynamic_vaddr(const struct elf_image *img);

/*
 * The link-time address that file offset OFFSET is loaded at, for the
 * load bias from a /proc/PID/maps line (start, offset): bias = start -
 * elf_image_offset_vaddr(img, offset). A segment's first mapping starts
 * at its p_offset rounded down to the page size; OFFSET may also fall
 * later in a segment (the kernel splits a mapping at mprotect, as for
 * RELRO). When two PT_LOADs share a file page, the first one in program
 * header order is taken: the result is exact for the object's lowest
 * mapping and for its executable one, so use one of those. Returns
 * (uint64_t)-1 when no PT_LOAD covers OFFSET.
 */
uint64_t elf_image_offset_vaddr(const struct elf_image *img, uint64_t offset);

/*
 * A defined symbol (st_shndx != SHN_UNDEF) of type FUNC, GNU_IFUNC or
 * OBJECT named NAME, searched in .dynsym first, then .symtab, as WHERE
 * allows. Versions: a .dynsym entry matches its bare name, and a .symtab
 * entry "malloc@@GLIBC_2.2.5" matches "malloc"; the default version wins
 * over a hidden one ("realpath@GLIBC_2.2.5"), which is returned only when
 * there is no other. Then GLOBAL (and GNU_UNIQUE) wins over WEAK over
 * LOCAL, and the first in the table among equals. Returns 0 and fills
 * OUT, or -1.
 */
int elf_image_lookup(const struct elf_image *img, const char *name,
		     unsigned where, struct elf_sym *out);

/*
 * Calls FN for each defined FUNC, GNU_IFUNC or OBJECT symbol of the
 * tables in WHERE (.dynsym first), in table order, with duplicates and
 * with the name as stored (a .symtab name may carry "@VERSION"). Stops
 * when FN returns non-zero and returns that value; 0 otherwise.
 */
int elf_image_foreach(const struct elf_image *img, unsigned where,
		      int (*fn)(const char *name, const struct elf_sym *sym,
				void *arg),
		      void *arg);

/*
 * The name of the FUNC or GNU_IFUNC symbol containing link-time address
 * VADDR (value <= VADDR < value + size; a zero-sized symbol contains only
 * its own address), from either table, preferring GLOBAL over WEAK over
 * LOCAL among aliases; *OFFSET (if not NULL) gets VADDR - value. NULL
 * when no symbol contains it.
 */
const char *elf_image_symbolize(const struct elf_image *img, uint64_t vaddr,
				uint64_t *offset);

/*
 * Reads LEN bytes of what is loaded at link-time VADDR, from the PT_LOAD
 * segments' file bytes; the part of a segment past p_filesz (.bss) reads
 * as zeros. The range may span adjacent segments. Returns 0, or -1 if a
 * byte of it is not in any PT_LOAD. No relocation is applied: see
 * elf_image_reloc_at() for pointers in a PIE or shared object.
 */
int elf_image_read(const struct elf_image *img, uint64_t vaddr, void *buf,
		   size_t len);

/*
 * For a PIE or shared x86-64 object: the value that the dynamic linker
 * stores at link-time VADDR, computed with bias 0, i.e. the link-time
 * address the pointer there points to. Handles R_X86_64_RELATIVE (the
 * addend), R_X86_64_64 (S + A), R_X86_64_GLOB_DAT and R_X86_64_JUMP_SLOT
 * (S) against a symbol the object defines, and SHT_RELR (packed relative
 * relocations: the file bytes hold the addend). Returns 0 and *VALUE, or
 * -1 with errno ENOENT if no relocation applies at VADDR (the caller
 * then reads the file bytes), or with EXDEV if the one that applies
 * cannot be computed from this file alone (a symbol of another object,
 * IRELATIVE, another type).
 */
int elf_image_reloc_at(const struct elf_image *img, uint64_t vaddr,
		       uint64_t *value);

#endif
