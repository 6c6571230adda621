/*
 * The recorder's mappings in a traced process (docs/design/inject.md,
 * "Attach and detach"): finding those an earlier attach left, and
 * deciding whether any thread may still run their code.
 *
 * A recorder is one set of mappings of one memfd named "memsup-recorder":
 * its code region (read-execute, at file offset 0, mapped once or twice
 * within jump range of the code it serves) and its data region (read-
 * write, shared), whose address the code region's header holds. Every
 * function here reads the process (/proc/PID/maps, its memory, its
 * threads' registers); none changes a mapping: inject.c unmaps, through
 * the system calls it injects.
 */
#ifndef MEMSUP_RECMAPS_H
#define MEMSUP_RECMAPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct process;
struct remote;

#define RECMAPS_MAX_CODE 4

struct rec_set {
	uint64_t code[RECMAPS_MAX_CODE];	/* code mappings' addresses */
	unsigned ncode;
	uint64_t code_size;			/* bytes each */
	uint64_t data;				/* data region's address */
	uint64_t data_size;
};

/*
 * The recorders in PROC's address space, other than the one whose data
 * region is at SKIP (0: none), whose code is byte for byte the recorder
 * BLOB (BLOB_LEN bytes) in a code region of CODE_SIZE bytes: all but the
 * header's data address, written at placement, and the three trap bytes
 * a detach turns into no-ops. Up to MAX into SETS; how many, and in
 * *OTHERS how many mappings named so were not recognized (another
 * memsup's recorder: left alone). -1 when the maps cannot be read.
 */
int recmaps_find(pid_t pid, const struct remote *mem, const uint8_t *blob,
		 size_t blob_len, uint64_t code_size, uint64_t skip,
		 struct rec_set *sets, int max, unsigned *others);

/*
 * 1 when every thread of PROC is one of its tracees and is in a ptrace
 * stop (the only state in which the answers below hold), else 0.
 */
int recmaps_all_stopped(const struct process *proc);

/*
 * Whether a thread of PROC, every one stopped, may still run code of
 * SET: 1 (and *WHO, the thread, when one is to blame) when one's rip is
 * in the code, a word of its stack from rsp to the end of the stack's
 * mapping is an address in the code (a return address, a signal frame's
 * saved rip), its stack is too large to read, or a thread state of SET's
 * data region has an allocator call in flight from the recorder's frame
 * (on a stack the thread has left for a signal handler's); also 1 unless
 * SET's control block says its memsup detached with every entry restored
 * (REC_DETACHED) and no entry it names still jumps into the code; 0
 * otherwise.
 */
int recmaps_in_use(const struct process *proc, const struct rec_set *set,
		   pid_t *who);

/*
 * Clears the word at %fs:0x38 of every thread of PROC that points at a
 * thread state in SET's data region, so that a later recorder gives the
 * thread a state of its own. (A call in flight in SET returns without
 * one: the recorder records nothing after a detach.)
 */
void recmaps_forget_threads(const struct process *proc,
			    const struct rec_set *set);

#endif
