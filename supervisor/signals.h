/*
 * memsup's own signals (docs/supervisor.md, "Signals"): SIGINT, SIGTERM,
 * SIGHUP and the --timeout alarm only set a flag, which the event loop
 * reads between two waits; SIGPIPE is ignored (a closed report pipe is
 * an error memsup reports).
 */
#ifndef MEMSUP_SIGNALS_H
#define MEMSUP_SIGNALS_H

/* Installs the handlers, and the --timeout alarm unless TIMEOUT is 0. */
void session_install_signals(unsigned timeout);
/* In the program's process, before its exec: the dispositions memsup
 * inherited, for the signals session_install_signals() changed. */
void session_restore_signals(void);
/* The signal that asked the loop to stop, or 0. */
int session_stop_signal(void);
/*
 * The loop has seen the request (it winds down, or detaches): the
 * handler stops re-arming the short timer that makes sure a wait4()
 * entered just after the signal is interrupted.
 */
void session_stop_seen(void);

#endif
