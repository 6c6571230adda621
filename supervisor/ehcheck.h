/*
 * Whether the unwind table of the ELF object mapped at an address can be
 * handed to libunwind. libunwind-ptrace trusts the file's
 * PT_GNU_EH_FRAME segment (.eh_frame_hdr) and reads through it unchecked:
 * a damaged one (a program that still runs natively, since only an
 * unwinder reads it) makes it read out of bounds or abort. memsup checks
 * the segment once per file first; a damaged one ends a stack at that
 * object's frames instead (memsup's own rules, read with libdw, still
 * apply where they can).
 */
#ifndef MEMSUP_EHCHECK_H
#define MEMSUP_EHCHECK_H

#include <stdint.h>
#include <sys/types.h>

/*
 * 0 when the object that process PID maps at IP has an .eh_frame_hdr
 * libunwind must not read (a warning names the file, once); 1 otherwise,
 * also when IP is in no file or the file cannot be read (libunwind then
 * finds nothing by itself).
 */
int ehcheck_ok(pid_t pid, uint64_t ip);

/* Forget the address ranges answered for (the maps changed). */
void ehcheck_forget(void);

/* The check itself on the file at PATH: 1 sound, 0 damaged, -1 unreadable. */
int ehcheck_file(const char *path);

#endif
