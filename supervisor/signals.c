/*
 * memsup's own signals (signals.h): SIGINT, SIGTERM, SIGHUP and the
 * --timeout alarm only set a flag, which the event loop reads between
 * two waits (strace's interrupt()).
 */
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "supervisor/signals.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_seen;

/*
 * A signal that lands between the loop's check and its entry into wait4()
 * would not interrupt the wait; the handler therefore re-arms a 20 ms
 * timer until the loop has seen the request, so that wait4() is always
 * interrupted soon after.
 */
static void poke_loop(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_signal(int signo, siginfo_t *si, void *uc)
{
	(void)uc;
	/* SIGALRM is memsup's own timer's (SI_KERNEL): one that kill()
	 * sent (si_code <= 0) is not a --timeout. */
	if (signo == SIGALRM && si && si->si_code <= 0)
		return;
	if (!stop_signal)
		stop_signal = signo;
	if (!stop_seen)
		poke_loop();
}

/*
 * The dispositions memsup inherited for the signals it changes: the
 * program gets them back (session_restore_signals()) before its exec, so
 * that it sees what it would see natively (a SIGPIPE that memsup ignores,
 * a SIGINT that "cmd &" ignores).
 */
static const int own_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM, SIGPIPE };
static struct sigaction inherited[sizeof(own_signals) / sizeof(own_signals[0])];

void session_restore_signals(void)
{
	size_t i;

	for (i = 0; i < sizeof(own_signals) / sizeof(own_signals[0]); i++)
		sigaction(own_signals[i], &inherited[i], NULL);
}

void session_install_signals(unsigned timeout)
{
	struct sigaction sa;
	size_t i;

	for (i = 0; i < sizeof(own_signals) / sizeof(own_signals[0]); i++)
		sigaction(own_signals[i], NULL, &inherited[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: wait4() must return EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	/* A closed terminal or pipe is an error memsup reports (EPIPE). */
	signal(SIGPIPE, SIG_IGN);
	if (timeout) {
		struct itimerval it = { { 0, 0 }, { (time_t)timeout, 0 } };

		setitimer(ITIMER_REAL, &it, NULL);
	}
}

int session_stop_signal(void)
{
	return stop_signal;
}

void session_stop_seen(void)
{
	stop_seen = 1;
}
