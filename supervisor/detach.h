/*
 * Detach (--pid; docs/supervisor.md, "Attach" and "A hit in flight at
 * the detach"): every thread is interrupted and parked, then everything
 * memsup changed in the process is undone (the engine's entries,
 * return addresses in flight, every int3), and each thread is detached.
 */
#ifndef MEMSUP_DETACH_H
#define MEMSUP_DETACH_H

#include "supervisor/tracee.h"

/* Stops every thread, removes every int3, puts back every return address
 * and lets the process go (attach mode). */
void session_detach(struct session *s);

/*
 * T (TRACEE_DETACHING) reports its stop for the detach: it is parked, or
 * first rewound out of a breakpoint hit and resumed to take its queued
 * SIGTRAP (TRACEE_DRAINING), or let finish its single-step.
 */
void detach_stop(struct session *s, struct tracee *t);

/* A stop of a TRACEE_DRAINING T (ptrace EVENT, signal SIG): parked at
 * its SIGTRAP's delivery, else resumed. */
void detach_drain_stop(struct tracee *t, int event, int sig);

#endif
