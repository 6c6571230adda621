/*
 * signals: what a program sees of its signal dispositions.
 *
 *   signals dispositions   one line per signal: "INT ign" or "INT dfl"
 *                          (INT TERM HUP ALRM PIPE QUIT USR1), exit 0
 *   signals raise-pipe     raise(SIGPIPE): dies of it (141) unless it is
 *                          ignored; then "survived", exit 3
 *   signals write          writes "y\n" to stdout until a write fails:
 *                          dies of SIGPIPE on a closed pipe, as yes(1)
 *                          does; if SIGPIPE is ignored, "EPIPE" on stderr
 *                          and exit 3
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "../common/say.h"

int main(int argc, char **argv)
{
	static const struct { int sig; const char *name; } sigs[] = {
		{ SIGINT, "INT" }, { SIGTERM, "TERM" }, { SIGHUP, "HUP" },
		{ SIGALRM, "ALRM" }, { SIGPIPE, "PIPE" }, { SIGQUIT, "QUIT" },
		{ SIGUSR1, "USR1" },
	};
	struct sigaction sa;
	unsigned i;

	if (argc == 2 && !strcmp(argv[1], "dispositions")) {
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			sigaction(sigs[i].sig, NULL, &sa);
			say_str(1, sigs[i].name);
			say_str(1, sa.sa_handler == SIG_IGN ? " ign\n" :
				   sa.sa_handler == SIG_DFL ? " dfl\n" :
				   " handler\n");
		}
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "raise-pipe")) {
		raise(SIGPIPE);
		say_str(1, "survived\n");
		return 3;
	}
	if (argc == 2 && !strcmp(argv[1], "write")) {
		for (;;) {
			if (write(1, "y\n", 2) < 0) {
				say_str(2, errno == EPIPE ? "EPIPE\n" :
					   "write failed\n");
				return 3;
			}
		}
	}
	say_str(2, "usage: signals dispositions|raise-pipe|write\n");
	return 2;
}
