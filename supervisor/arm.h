/*
 * Arming a process image (docs/supervisor.md, "Breakpoints"): its
 * allocators go to the engine (engine.h), its test boundaries and
 * libgcc's unwinders get breakpoints, and the dynamic linker's
 * _dl_debug_state (r_brk) is watched, which ld.so calls with the link
 * map consistent: once every initial library is mapped, before any of
 * their constructors runs, and again after each dlopen and dlclose.
 *
 * Each function takes a process whose thread is stopped.
 */
#ifndef MEMSUP_ARM_H
#define MEMSUP_ARM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#include "supervisor/tracee.h"

/*
 * Reads the objects of PROC's image (its entry point known), then hands
 * its allocators to the engine (unless the engine waits for the entry
 * point), arms its boundaries and watches r_brk. 0, or -1 with a
 * message.
 */
int process_arm(struct session *s, struct process *proc);

/* Resolves every allocator name not bound yet in PROC; the engine
 * intercepts what is new. */
void arm_resolve_allocators(struct session *s, struct process *proc);

/*
 * PROC had BEFORE scopes open and now has proc->heap.nopen: on the
 * 0 -> 1 transition the engine starts counting, on 1 -> 0 it stops.
 */
void arm_scopes_changed(struct session *s, struct process *proc,
			size_t before);

/*
 * Puts a breakpoint on _dl_debug_state of the dynamic linker mapped at
 * BASE in PROC, and notes its _r_debug; 0, or -1 when it cannot be
 * found or armed.
 */
int arm_watch_interpreter(struct process *proc, uint64_t base);

/*
 * T stopped at r_brk (BP) with REGS: on a consistent link map, arms the
 * image if it was not yet, or resolves what dlopen brought; T resumed.
 */
void arm_r_brk(struct session *s, struct tracee *t, struct breakpoint *bp,
	       struct user_regs_struct *regs);

#endif
