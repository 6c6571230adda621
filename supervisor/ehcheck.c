/*
 * .eh_frame_hdr validation (ehcheck.h). The layout (LSB, "Exception
 * Frame Header"): version 1, three pointer encodings, the pointer to
 * .eh_frame, the count of table entries and a table of (initial
 * location, FDE address) pairs sorted by location, both relative to the
 * header (DW_EH_PE_datarel | DW_EH_PE_sdata4). GNU ld, gold and lld
 * write exactly that; anything else is taken as damaged, which costs at
 * worst a shorter stack.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/ehcheck.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

#define ENC_PCREL_SDATA4	0x1b
#define ENC_UDATA4		0x03
#define ENC_DATAREL_SDATA4	0x3b
/* More than any real program's table: 8 bytes an entry. */
#define MAX_HDR_BYTES		(256u << 20)

struct loads {
	Elf64_Phdr *ph;
	unsigned n;
};

/* Whether [vaddr, vaddr + len) lies in the file-backed part of a
 * PT_LOAD segment. */
static int in_file_load(const struct loads *l, uint64_t vaddr, uint64_t len)
{
	unsigned i;

	for (i = 0; i < l->n; i++) {
		const Elf64_Phdr *p = &l->ph[i];

		if (p->p_type == PT_LOAD && vaddr >= p->p_vaddr &&
		    len <= p->p_filesz && vaddr - p->p_vaddr <= p->p_filesz - len)
			return 1;
	}
	return 0;
}

static int check_hdr(const unsigned char *h, uint64_t size, uint64_t vaddr,
		     const struct loads *l)
{
	int32_t rel;
	uint32_t count, i;
	int32_t prev_loc = 0;

	if (size < 12 || h[0] != 1 || h[1] != ENC_PCREL_SDATA4 ||
	    h[2] != ENC_UDATA4 || h[3] != ENC_DATAREL_SDATA4)
		return 0;
	memcpy(&rel, h + 4, 4);
	if (!in_file_load(l, vaddr + 4 + (uint64_t)(int64_t)rel, 4))
		return 0;
	memcpy(&count, h + 8, 4);
	if ((uint64_t)count > (size - 12) / 8)
		return 0;
	for (i = 0; i < count; i++) {
		int32_t loc, fde;

		memcpy(&loc, h + 12 + 8 * (size_t)i, 4);
		memcpy(&fde, h + 12 + 8 * (size_t)i + 4, 4);
		if (i && loc < prev_loc)
			return 0;
		prev_loc = loc;
		/* An FDE: its length and CIE pointer, at least. */
		if (!in_file_load(l, vaddr + (uint64_t)(int64_t)fde, 8))
			return 0;
	}
	return 1;
}

int ehcheck_file(const char *path)
{
	Elf64_Ehdr eh;
	struct loads l = { NULL, 0 };
	const Elf64_Phdr *hp = NULL;
	unsigned char *hdr = NULL;
	struct stat st;
	unsigned i;
	int fd, ok = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 ||
	    pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return -1;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum ||
	    eh.e_phoff > (uint64_t)st.st_size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) >
	    (uint64_t)st.st_size - eh.e_phoff)
		goto out;
	l.n = eh.e_phnum;
	l.ph = xmalloc(l.n * sizeof(*l.ph));
	if (pread(fd, l.ph, l.n * sizeof(*l.ph), (off_t)eh.e_phoff) !=
	    (ssize_t)(l.n * sizeof(*l.ph)))
		goto out;
	for (i = 0; i < l.n; i++) {
		const Elf64_Phdr *p = &l.ph[i];

		/* A PT_LOAD outside the file would be read out of bounds. */
		if (p->p_type == PT_LOAD && p->p_filesz &&
		    (p->p_offset > (uint64_t)st.st_size ||
		     p->p_filesz > (uint64_t)st.st_size - p->p_offset))
			goto out;
		if (p->p_type == PT_GNU_EH_FRAME)
			hp = p;
	}
	if (!hp) {
		ok = 1;		/* no table: libunwind finds none */
		goto out;
	}
	if (hp->p_filesz > MAX_HDR_BYTES || hp->p_offset > (uint64_t)st.st_size ||
	    hp->p_filesz > (uint64_t)st.st_size - hp->p_offset ||
	    !in_file_load(&l, hp->p_vaddr, hp->p_filesz))
		goto out;
	/* The segment's bytes in the file are those at its address. */
	for (i = 0; i < l.n; i++) {
		const Elf64_Phdr *p = &l.ph[i];

		if (p->p_type == PT_LOAD && hp->p_vaddr >= p->p_vaddr &&
		    hp->p_vaddr - p->p_vaddr < p->p_filesz &&
		    hp->p_vaddr - p->p_vaddr != hp->p_offset - p->p_offset)
			goto out;
	}
	hdr = xmalloc(hp->p_filesz ? hp->p_filesz : 1);
	if (pread(fd, hdr, hp->p_filesz, (off_t)hp->p_offset) !=
	    (ssize_t)hp->p_filesz)
		goto out;
	ok = check_hdr(hdr, hp->p_filesz, hp->p_vaddr, &l);
out:
	free(hdr);
	free(l.ph);
	close(fd);
	return ok;
}

/* Verdicts by file, for the life of memsup: a file is checked once. */
struct verdict {
	char *path;
	int ok;
};
static struct verdict *verdicts;
static size_t nverdicts, averdicts;

static int verdict_of(const char *path)
{
	size_t i;
	int ok;

	for (i = 0; i < nverdicts; i++)
		if (!strcmp(verdicts[i].path, path))
			return verdicts[i].ok;
	ok = ehcheck_file(path);
	if (ok == 0)
		warning_msg("the unwind table (.eh_frame_hdr) of '%s' is "
			    "damaged: call stacks end at its frames", path);
	verdicts = xgrow(verdicts, &averdicts, nverdicts + 1,
			 sizeof(*verdicts));
	verdicts[nverdicts].path = xstrdup(path);
	verdicts[nverdicts].ok = ok != 0;
	return verdicts[nverdicts++].ok;
}

/*
 * The mappings already answered for, so that a stack's frames do not each
 * read /proc/PID/maps: forgotten with ehcheck_forget() (the maps changed).
 */
#define MAX_SPANS 64
static struct span {
	pid_t pid;
	uint64_t lo, hi;
	int ok;
} spans[MAX_SPANS];
static unsigned nspans, next_span;

void ehcheck_forget(void)
{
	nspans = next_span = 0;
}

int ehcheck_ok(pid_t pid, uint64_t ip)
{
	char maps[64], line[4352], file[4096];
	unsigned long long lo, hi;
	unsigned i;
	FILE *fp;
	int ok = 1;

	for (i = 0; i < nspans; i++)
		if (spans[i].pid == pid && ip >= spans[i].lo &&
		    ip < spans[i].hi)
			return spans[i].ok;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	fp = fopen(maps, "re");
	if (!fp)
		return 1;
	while (fgets(line, sizeof(line), fp)) {
		file[0] = 0;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %4095[^\n]", &lo,
			   &hi, file) < 2 || ip < lo || ip >= hi)
			continue;
		if (file[0] != '/')
			break;
		ok = verdict_of(file);
		i = next_span++ % MAX_SPANS;
		if (nspans < MAX_SPANS)
			nspans++;
		spans[i].pid = pid;
		spans[i].lo = lo;
		spans[i].hi = hi;
		spans[i].ok = ok;
		break;
	}
	fclose(fp);
	return ok;
}
