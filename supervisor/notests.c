/* A policy run with nothing to supervise (notests.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/policy.h"
#include "supervisor/msg.h"
#include "supervisor/notests.h"
#include "supervisor/session.h"
#include "supervisor/xmalloc.h"

int program_search(const char *prog, char *buf, size_t len)
{
	const char *path;
	struct stat st;

	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, len, "%.*s/%s", (int)n, path, prog);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -1;
}

char *notests_resolve(const char *prog)
{
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return realpath(prog, NULL);
	return program_search(prog, buf, sizeof(buf)) == 0 ?
	       realpath(buf, NULL) : NULL;
}

/* Whether EXE is what the command line named (the first one attached to
 * with --pid). */
static int is_command_line(const struct session *s, const char *exe)
{
	const struct discovered *d;

	if (s->program_path)
		return !strcmp(s->program_path, exe);
	for (d = s->discovered; d && d->next; d = d->next)
		;
	return !d || !strcmp(d->path, exe);
}

void notests_discovered(struct session *s, struct discovered *d)
{
	if (!d->b.nwarn)
		return;
	if (d->b.n || msg_verbosity() > 0 || is_command_line(s, d->path)) {
		discover_warn_print(&d->b);
		d->warned = 1;
	}
}

int notests_program_scope(const struct session *s,
			  const struct boundaries *b)
{
	if (!s->pol)
		return 1;
	return s->pol->discover == DISCOVER_NONE && !s->pol->ntests &&
	       !s->pol->nfunctions && (!b || !b->n);
}

void notests_program_limits(const struct session *s, struct limits *out)
{
	const struct limits *p;

	memset(out, 0, sizeof(*out));
	if (!s->pol)
		return;
	policy_limits_for(s->pol, NULL, out);
	p = &s->pol->program;
	if (p->set & LIMIT_MEMORY)
		out->memory = p->memory;
	if (p->set & LIMIT_LEAKS)
		out->leaks = p->leaks;
	if (p->set & LIMIT_ALLOCATIONS)
		out->allocations = p->allocations;
	if (p->set & LIMIT_ALLOCATED)
		out->allocated = p->allocated;
	if (p->set & LIMIT_FDS)
		out->fds = p->fds;
	out->set |= p->set;
}

int notests_refused_keys(struct session *s)
{
	const struct boundaries *b;
	char magic[4];
	FILE *fp;
	int elf;

	if (!s->pol || !s->pol->nfunctions || !s->program_path)
		return 0;
	fp = fopen(s->program_path, "re");
	if (!fp)
		return 0;
	elf = fread(magic, 1, 4, fp) == 4 && !memcmp(magic, "\177ELF", 4);
	fclose(fp);
	if (!elf)
		return 0;	/* a script: its programs are seen at exec */
	b = session_boundaries(s, s->program_path);
	if (!b->nrefused)
		return 0;
	error_msg("the policy '%s' is refused for '%s': a 'functions' glob "
		  "matches too many functions (see above)", s->pol->path,
		  s->program_path);
	return -1;
}

/* The reasons of D, one line each, in discovery's words. */
static void print_reasons(const struct session *s, const struct discovered *d)
{
	size_t i;

	for (i = 0; i < d->b.nwarn; i++)
		fprintf(stderr, "  %s\n", d->b.warn[i]);
	if (d->b.nwarn)
		return;
	if (s->pol->discover == DISCOVER_AUTO || s->pol->discover ==
	    DISCOVER_NONE)
		fprintf(stderr, "  no %s found in '%s'\n",
			s->pol->discover == DISCOVER_NONE ? "function named "
			"by the policy's tests" : "Check, GoogleTest or cmocka "
			"test", d->path);
	else
		fprintf(stderr, "  no %s test found in '%s'\n",
			discover_mode_name(s->pol->discover), d->path);
}

int notests_refused(const struct session *s, int allow)
{
	const struct discovered *d, **v;
	const struct scope *sc;
	size_t n = 0, i;

	if (!s->pol || !s->discovered)
		return 0;
	for (d = s->discovered; d; d = d->next, n++)
		if (d->b.n || notests_program_scope(s, &d->b))
			return 0;
	for (sc = s->done; sc; sc = sc->next)
		if (!sc->is_program)
			return 0;
	if (allow) {
		verbose_msg("nothing to supervise: no test boundary in any "
			    "program of the run (--allow-no-tests)");
		return 0;
	}
	error_msg("nothing to supervise: the policy '%s' found no test "
		  "boundary in any program the run executed", s->pol->path);
	/* In the order the programs ran: the list is newest first. */
	v = xmalloc(n * sizeof(*v));
	for (d = s->discovered, i = n; d; d = d->next)
		v[--i] = d;
	for (i = 0; i < n; i++)
		print_reasons(s, v[i]);
	free(v);
	hint_msg("use the discover mode of the program's framework, name its "
		 "functions under tests, or give --allow-no-tests if an empty "
		 "run is expected");
	return 1;
}
