/*
 * memsup: the command line of the man page.
 *
 * Exit statuses (one table, as eu-stack keeps):
 *   0..255  the program's own status (128+N when killed by signal N)
 *   1       --error-exitcode: a memory check failed            (FIXME(#4))
 *   2       usage or policy error, unwritable output; nothing is run
 *   3       supervision failed: program not found, ptrace refused
 *   130     memsup itself was interrupted (SIGINT); 143 for SIGTERM
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elf.h>

#include "breakpoints/discover.h"
#include "breakpoints/elfsym.h"
#include "config/policy.h"
#include "supervisor/compare.h"
#include "supervisor/envopts.h"
#include "supervisor/detach.h"
#include "supervisor/event.h"
#include "supervisor/genfilters.h"
#include "supervisor/merge.h"
#include "supervisor/msg.h"
#include "supervisor/outname.h"
#include "supervisor/signals.h"
#include "supervisor/repeat.h"
#include "supervisor/notests.h"
#include "supervisor/report.h"
#include "supervisor/report_view.h"
#include "supervisor/sanitizer.h"
#include "supervisor/session.h"
#include "supervisor/unwind.h"
#include "supervisor/xmalloc.h"

struct options {
	const char *policy_path;
	const char *json_path;
	pid_t pid;
	unsigned timeout;
	unsigned stack_depth;
	int quiet;
	int verbose;
	int pin;
	int engine;			/* enum engine */
	int stack_depth_given;
	unsigned most_allocations;
	int error_exitcode;
	const char *ck_multiplier;
	int ck_multiplier_given;
	const char *junit_path;
	int xunit1;
	const char *baseline;
	const char *fail_on[32];
	size_t nfail_on;
	int color;			/* -1 auto, 0 never, 1 always */
	const char *html_path;
	const char *collapsed_path;
	unsigned repeat;
	int all_stacks;
	int full_stacks;
	int gen_filters;
	int allow_no_tests;
};

static void usage(FILE *fp)
{
	fputs("usage: memsup [OPTIONS] [--policy FILE] [--] PROGRAM [ARGS...]\n"
	      "       memsup [OPTIONS] [--policy FILE] --pid PID\n"
	      "       memsup check-policy FILE\n"
	      "       memsup list-tests [--policy FILE] PROGRAM\n"
	      "       memsup compare RUN.json... [--metric M] [--stat S] [--sort K]\n"
	      "                      [--csv FILE] [--html FILE] [--fail-on F:T]...\n"
	      "       memsup report RUN.json [--html FILE] [--collapsed FILE]\n"
	      "       memsup merge A.json B.json... -o ALL.json\n"
	      "\n"
	      "Runs PROGRAM under ptrace and supervises its memory: every\n"
	      "allocation and free of every process it becomes.\n"
	      "\n"
	      "options:\n"
	      "  --policy FILE       YAML policy (see docs/policy.md)\n"
	      "  --json FILE         write JSON results\n"
	      "  --junit-xml FILE    write JUnit XML\n"
	      "  --html FILE         write the HTML report (tests, flame graphs)\n"
	      "  --collapsed FILE    write folded stacks (flamegraph.pl, inferno)\n"
	      "  --junit-family=xunit2|xunit1  xunit1 adds file and line\n"
	      "  --baseline FILE.json  compare with an earlier --json run\n"
	      "  --fail-on FIELD:THRESHOLD  with --baseline: peak:10%,\n"
	      "                      peak:5MiB, allocations:100 (repeatable)\n"
	      "  --color=auto|always|never  colour on a terminal (NO_COLOR)\n"
	      "  --pid PID           attach to a running process; detach on\n"
	      "                      SIGINT, SIGTERM or --timeout\n"
	      "  --repeat N          run the program N times; each test's\n"
	      "                      figures are the minimum over the runs\n"
	      "  --timeout SECONDS   stop after this long (launch: the program\n"
	      "                      is killed; --pid: memsup detaches)\n"
	      "  --stack-depth N     frames kept per allocation stack (16)\n"
	      "  --most-allocations N  call stacks shown per section of a\n"
	      "                      test, the biggest first (5)\n"
	      "  --all-stacks        show every call stack, not only the\n"
	      "                      --most-allocations biggest\n"
	      "  --full-stacks       keep the frames below the test function\n"
	      "                      (the test runner, main, _start)\n"
	      "  --gen-filters       print a leak filter for each leak\n"
	      "  --error-exitcode N  exit status when a memory check fails (1)\n"
	      "  --ck-timeout-multiplier N  CK_TIMEOUT_MULTIPLIER for Check\n"
	      "                      suites, unless set already (10)\n"
	      "  --engine=inject|breakpoint  record allocations inside the\n"
	      "                      program (default) or stop it at each one\n"
	      "  --pin               breakpoint engine: run memsup and the\n"
	      "                      program on one CPU (faster stops; the\n"
	      "                      program then sees one CPU)\n"
	      "  --allow-no-tests    a policy run with nothing to supervise is\n"
	      "                      not an error\n"
	      "  -q, --quiet         less terminal output\n"
	      "  -v, --verbose       more terminal output\n"
	      "  --version           print the version\n"
	      "  -h, --help          print this help\n"
	      "\n"
	      "Output file names may hold %p (memsup's pid, or the --pid\n"
	      "process's), %n (the program's basename) and %%.\n"
	      "MEMSUP_OPTIONS in the environment is read as options given\n"
	      "before the command line's own.\n", fp);
}

static int parse_uint(const char *opt, const char *arg, unsigned long max,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > max) {
		error_msg("invalid value '%s' for %s: expected a whole number "
			  "from 0 to %lu", arg, opt, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int cmd_check_policy(int argc, char **argv)
{
	struct policy_diag diag = { 0 };
	struct policy *pol;

	if (argc != 2) {
		error_msg("usage: memsup check-policy FILE");
		return EXIT_USAGE;
	}
	pol = policy_load_file(argv[1], &diag);
	policy_diag_print(stderr, argv[1], &diag);
	policy_diag_release(&diag);
	if (!pol)
		return EXIT_USAGE;
	policy_warn_shadowed(stderr, argv[1], pol);
	policy_print(stdout, pol);
	policy_free(pol);
	return fflush(stdout) ? EXIT_USAGE : 0;
}

static int check_program(const char *prog, int running);

static int cmd_list_tests(int argc, char **argv)
{
	struct policy_diag diag = { 0 };
	struct policy *pol = NULL;
	struct boundaries b;
	const char *prog = NULL, *policy_path = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--policy") && i + 1 < argc)
			policy_path = argv[++i];
		else if (!strncmp(argv[i], "--policy=", 9))
			policy_path = argv[i] + 9;
		else if (argv[i][0] == '-' || prog)
			break;
		else
			prog = argv[i];
	}
	if (i < argc || !prog) {
		error_msg("usage: memsup list-tests [--policy FILE] PROGRAM");
		return EXIT_USAGE;
	}
	if (policy_path) {
		pol = policy_load_file(policy_path, &diag);
		policy_diag_print(stderr, policy_path, &diag);
		policy_diag_release(&diag);
		if (!pol)
			return EXIT_USAGE;
	}
	if (check_program(prog, 0) < 0) {
		policy_free(pol);
		return EXIT_SUPERVISION;
	}
	if (discover_boundaries(prog, pol, &b) < 0) {
		ret = EXIT_SUPERVISION;
	} else {
		discover_warn_print(&b);
		discover_print(stdout, &b);
		ret = fflush(stdout) || b.nrefused ? EXIT_USAGE : 0;
		boundaries_release(&b);
	}
	policy_free(pol);
	return ret;
}

/*
 * A program memsup cannot supervise is refused before it runs: only
 * x86-64 ELF programs (a script is fine: its interpreter is one).
 */
static int check_machine(const char *path, int running)
{
	struct elf_image *img;
	char magic[4];
	FILE *fp = fopen(path, "re");
	int ok = 1;

	if (!fp)
		return 0;	/* exec will say why */
	if (fread(magic, 1, 4, fp) != 4 || memcmp(magic, "\177ELF", 4)) {
		fclose(fp);
		return 0;	/* a script, or for exec to refuse */
	}
	fclose(fp);
	img = elf_image_open(path);
	if (!img)
		return 0;
	if (elf_image_class(img) != ELFCLASS64 ||
	    elf_image_machine(img) != EM_X86_64) {
		error_msg("cannot supervise '%s': it is a %s program, and "
			  "memsup supervises x86-64 programs only", path,
			  elf_image_class(img) == ELFCLASS32 ? "32-bit" :
			  "non-x86-64");
		ok = 0;
	}
	elf_image_free(img);
	if (ok && running)
		sanitizer_warn(path);
	return ok ? 0 : -1;
}

/* Like execvp's search, to say "not found" before anything runs; RUNNING:
 * the program is about to run (warn about what would go wrong). */
static int check_program(const char *prog, int running)
{
	struct stat st;
	char buf[PATH_MAX];

	if (strchr(prog, '/')) {
		if (stat(prog, &st) < 0) {
			perror_msg("cannot run '%s'", prog);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			error_msg("cannot run '%s': it is a directory", prog);
			return -1;
		}
		if (access(prog, X_OK) < 0) {
			perror_msg("cannot run '%s'", prog);
			hint_msg("make it executable: chmod +x %s", prog);
			return -1;
		}
		return check_machine(prog, running);
	}
	if (program_search(prog, buf, sizeof(buf)) == 0)
		return check_machine(buf, running);
	error_msg("cannot run '%s': not found in PATH", prog);
	hint_msg("give a path such as ./%s", prog);
	return -1;
}

static struct session the_session;
static struct report_file json_file, junit_file;
static struct options opts;
static char **prog_argv;

static unsigned symbolize_cb(const void *ctx, uint32_t stack,
			     struct sym_frame *out, unsigned max)
{
	return repeat_symbolize(ctx, stack, out, max);
}

/* The terminal flags: colour per --color, NO_COLOR and isatty. */
static unsigned term_flags(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	unsigned flags = 0;
	int color = opts.color;

	if (color < 0)
		color = isatty(STDERR_FILENO) && !(nc && *nc) &&
			!(term && !strcmp(term, "dumb"));
	if (color)
		flags |= REPORT_TERM_COLOR;
	if (opts.quiet)
		flags |= REPORT_TERM_QUIET;
	if (opts.verbose)
		flags |= REPORT_TERM_VERBOSE;
	return flags;
}

/* -v: what the reports cost, symbolising included. */
static void report_costs(const struct session *s, double t_reports)
{
	struct sym_stats st = { 0, 0, 0 };
	const struct image *img;

	if (msg_verbosity() < 1)
		return;
	for (img = s->images; img; img = img->next)
		symbolizer_add_stats(img->sym, &st);
	verbose_msg("reports written in %.3f s; symbols: %zu distinct pcs "
		    "resolved in %.3f s (%.1f us each), %zu lookups",
		    now_seconds() - t_reports, st.resolved, st.seconds,
		    st.resolved ? st.seconds * 1e6 / (double)st.resolved : 0.0,
		    st.lookups);
}

/*
 * The files first, then the terminal report, whose closing line's time
 * then covers everything memsup did.
 */
static int finish_reports(int exit_status)
{
	struct session *s = &the_session;
	double t_reports = now_seconds();
	struct run_info ri = {
		.symbolize = symbolize_cb,
		.sym_ctx = s,
		.most_allocations = opts.all_stacks ? (unsigned)-1 :
				    opts.most_allocations,
		.all_stacks = opts.all_stacks,
		.program = prog_argv ? prog_argv[0] : NULL,
		.argv = prog_argv,
		.policy = opts.policy_path,
		.exit_status = exit_status,
		.program_status = s->main_status,
		.detached = s->mode == MODE_ATTACH && s->main_status < 0,
		.seconds = t_reports - s->t0,
		.clock = now_seconds,
		.started = s->t0,
	};
	struct run_info ri_views;
	int failed = 0;

	session_number_results(s);
	repeat_merge(s);
	if (json_file.fp) {
		report_json(json_file.fp, &ri, s->done);
		if (report_file_commit(&json_file) < 0)
			failed = 1;
	}
	if (junit_file.fp) {
		report_junit(junit_file.fp, &ri, s->done, opts.xunit1);
		if (report_file_commit(&junit_file) < 0)
			failed = 1;
	}
	ri_views = ri;
	ri_views.every_section = 1;
	if (report_views_write(&ri_views, s->done) < 0)
		failed = 1;
	if (opts.gen_filters)
		genfilters_print(stderr, &ri, s->done);
	if (s->pol)
		report_term_report(stderr, &ri, s->done, term_flags());
	else if (!opts.quiet)
		report_term_summary(stderr, &ri, s->done);
	if (!opts.quiet)
		repeat_report(stderr, s->done);
	report_costs(s, t_reports);
	return failed;
}

/* The --baseline gate (the man page): 1 when a threshold is exceeded. */
static int gate_failed(const struct session *s)
{
	if (!opts.baseline)
		return 0;
	return compare_gate(opts.baseline, s->done, opts.fail_on,
			    opts.nfail_on, stderr) != 0;
}

static int any_failed(const struct session *s)
{
	const struct scope *sc;

	for (sc = s->done; sc; sc = sc->next)
		if (sc->status == SCOPE_FAILED)
			return 1;
	return 0;
}

/*
 * An output name with its placeholders expanded (supervisor/outname.h):
 * the pid is memsup's own, or the attached process's; the program is
 * the command's first word, or the attached process's executable.
 */
static const char *expand_output(const char *opt, const char *pattern,
				 const char *program)
{
	const char *why;
	char *path;

	if (!pattern || !strchr(pattern, '%'))
		return pattern;
	path = outname_expand(pattern, opts.pid ? opts.pid : getpid(),
			      program, &why);
	if (!path) {
		error_msg("invalid file name '%s' for %s: %s", pattern, opt,
			  why);
		return NULL;
	}
	return path;		/* lives until exit, as the options do */
}

/* The executable's path of process PID, for %n; NULL if unknown. */
static char *pid_program(pid_t pid)
{
	char link[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return xstrdup(buf);
}

static int is_subcommand(const char *arg)
{
	return !strcmp(arg, "check-policy") || !strcmp(arg, "list-tests") ||
	       !strcmp(arg, "compare") || !strcmp(arg, "report") ||
	       !strcmp(arg, "merge");
}

/* die()'s cleanup: never leave a trapped or stray process behind. */
static void cleanup(int status)
{
	struct session *s = &the_session;
	struct process *proc;

	if (s->mode == MODE_ATTACH) {
		session_detach(s);
	} else {
		for (proc = s->procs; proc; proc = proc->next)
			kill(proc->pid, SIGKILL);
	}
	finish_reports(status);
}

/* -v: what supervising cost memsup itself, all its threads (the bench
 * reads this line). */
static void report_own_use(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	verbose_msg("own use: %ld.%06ld s user, %ld.%06ld s system, peak RSS "
		    "%ld KiB", (long)ru.ru_utime.tv_sec,
		    (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
		    (long)ru.ru_stime.tv_usec, ru.ru_maxrss);
}

int main(int argc, char **argv)
{
	enum {
		OPT_POLICY = 256, OPT_JSON, OPT_PID, OPT_TIMEOUT,
		OPT_STACK_DEPTH, OPT_VERSION, OPT_HELP, OPT_NO_PIN, OPT_PIN,
		OPT_ENGINE,
		OPT_MOST_ALLOCATIONS, OPT_ERROR_EXITCODE, OPT_CK_MULTIPLIER,
		OPT_JUNIT_XML, OPT_JUNIT_FAMILY, OPT_BASELINE, OPT_FAIL_ON,
		OPT_COLOR, OPT_HTML, OPT_COLLAPSED, OPT_REPEAT,
		OPT_ALL_STACKS, OPT_FULL_STACKS, OPT_GEN_FILTERS, OPT_ALLOW_NO_TESTS,
	};
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "stack-depth", required_argument, NULL, OPT_STACK_DEPTH },
		{ "no-pin", no_argument, NULL, OPT_NO_PIN },
		{ "pin", no_argument, NULL, OPT_PIN },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "allow-no-tests", no_argument, NULL, OPT_ALLOW_NO_TESTS },
		{ "junit-xml", required_argument, NULL, OPT_JUNIT_XML },
		{ "junit-family", required_argument, NULL, OPT_JUNIT_FAMILY },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "collapsed", required_argument, NULL, OPT_COLLAPSED },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "error-exitcode", required_argument, NULL,
		  OPT_ERROR_EXITCODE },
		{ "ck-timeout-multiplier", required_argument, NULL,
		  OPT_CK_MULTIPLIER },
		{ "most-allocations", required_argument, NULL,
		  OPT_MOST_ALLOCATIONS },
		{ "all-stacks", no_argument, NULL, OPT_ALL_STACKS },
		{ "full-stacks", no_argument, NULL, OPT_FULL_STACKS },
		{ "gen-filters", no_argument, NULL, OPT_GEN_FILTERS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct session *s = &the_session;
	struct policy_diag diag = { 0 };
	struct policy *pol = NULL;
	const char *json_arg, *junit_arg, *html_arg, *collapsed_arg;
	int unwind_mode;
	unsigned long v;
	int c, status, err, sig;

	/*
	 * The reports print a line in pieces: one write(2) per piece on an
	 * unbuffered stderr, and the program's own output could land
	 * between them. Whole lines instead.
	 */
	setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
	if (getenv("MEMSUP_OPTIONS") && !(argc > 1 && is_subcommand(argv[1]))) {
		const char *why;
		char **merged = envopts_merge(getenv("MEMSUP_OPTIONS"), argc,
					      argv, &argc, &why);

		if (!merged) {
			error_msg("invalid MEMSUP_OPTIONS '%s': %s",
				  getenv("MEMSUP_OPTIONS"), why);
			hint_msg("give options only, as on the command line: "
				 "MEMSUP_OPTIONS='--json out-%%n.json -q'");
			return EXIT_USAGE;
		}
		argv = merged;
	}
	if (argc > 1 && !strcmp(argv[1], "check-policy"))
		return cmd_check_policy(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "list-tests"))
		return cmd_list_tests(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "compare"))
		return compare_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "report"))
		return report_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return merge_main(argc - 1, argv + 1);

	opts.stack_depth = POLICY_DEFAULT_STACK_DEPTH;
	opts.most_allocations = 5;
	opts.error_exitcode = 1;
	opts.ck_multiplier = "10";
	opts.color = -1;
	/* '+': options end at the program's name. */
	while ((c = getopt_long(argc, argv, "+hqv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_POLICY:
			opts.policy_path = optarg;
			break;
		case OPT_JSON:
			opts.json_path = optarg;
			break;
		case OPT_PID:
			if (parse_uint("--pid", optarg, INT_MAX, &v) < 0)
				return EXIT_USAGE;
			if (!v) {
				error_msg("invalid value '%s' for --pid", optarg);
				return EXIT_USAGE;
			}
			opts.pid = (pid_t)v;
			break;
		case OPT_TIMEOUT:
			if (parse_uint("--timeout", optarg, 1000000, &v) < 0)
				return EXIT_USAGE;
			opts.timeout = (unsigned)v;
			break;
		case OPT_STACK_DEPTH:
			if (parse_uint("--stack-depth", optarg,
				       POLICY_MAX_STACK_DEPTH, &v) < 0)
				return EXIT_USAGE;
			opts.stack_depth = (unsigned)v;
			opts.stack_depth_given = 1;
			break;
		case OPT_MOST_ALLOCATIONS:
			if (parse_uint("--most-allocations", optarg, 1000000,
				       &v) < 0)
				return EXIT_USAGE;
			opts.most_allocations = (unsigned)v;
			break;
		case OPT_ERROR_EXITCODE:
			if (parse_uint("--error-exitcode", optarg, 255, &v) < 0)
				return EXIT_USAGE;
			opts.error_exitcode = (int)v;
			break;
		case OPT_CK_MULTIPLIER:
			if (parse_uint("--ck-timeout-multiplier", optarg,
				       1000000, &v) < 0)
				return EXIT_USAGE;
			if (!v) {
				error_msg("--ck-timeout-multiplier must be at "
					  "least 1");
				return EXIT_USAGE;
			}
			opts.ck_multiplier = optarg;
			opts.ck_multiplier_given = 1;
			break;
		case OPT_JUNIT_XML:
			opts.junit_path = optarg;
			break;
		case OPT_JUNIT_FAMILY:
			if (!strcmp(optarg, "xunit1")) {
				opts.xunit1 = 1;
			} else if (!strcmp(optarg, "xunit2")) {
				opts.xunit1 = 0;
			} else {
				error_msg("invalid value '%s' for --junit-family: "
					  "expected xunit2 or xunit1", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_BASELINE:
			opts.baseline = optarg;
			break;
		case OPT_FAIL_ON: {
			struct fail_on fo;
			const char *why;

			if (compare_parse_fail_on(optarg, &fo, &why) < 0) {
				error_msg("invalid value '%s' for --fail-on: %s",
					  optarg, why);
				hint_msg("give FIELD:THRESHOLD, FIELD one of peak, "
					 "allocated, allocations, leaked: "
					 "peak:10%%, peak:5MiB, allocations:100");
				return EXIT_USAGE;
			}
			if (opts.nfail_on == sizeof(opts.fail_on) /
					     sizeof(opts.fail_on[0])) {
				error_msg("too many --fail-on options");
				return EXIT_USAGE;
			}
			opts.fail_on[opts.nfail_on++] = optarg;
			break;
		}
		case OPT_COLOR:
			if (!strcmp(optarg, "auto")) {
				opts.color = -1;
			} else if (!strcmp(optarg, "always")) {
				opts.color = 1;
			} else if (!strcmp(optarg, "never")) {
				opts.color = 0;
			} else {
				error_msg("invalid value '%s' for --color: "
					  "expected auto, always or never",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_HTML:
			opts.html_path = optarg;
			break;
		case OPT_COLLAPSED:
			opts.collapsed_path = optarg;
			break;
		case OPT_REPEAT:
			if (parse_uint("--repeat", optarg, 255, &v) < 0)
				return EXIT_USAGE;
			if (!v) {
				error_msg("--repeat must be at least 1");
				return EXIT_USAGE;
			}
			opts.repeat = (unsigned)v;
			break;
		case OPT_ALLOW_NO_TESTS:
			opts.allow_no_tests = 1;
			break;
		case OPT_NO_PIN:
			opts.pin = 0;	/* the default now; kept for scripts */
			break;
		case OPT_PIN:
			opts.pin = 1;
			break;
		case OPT_ENGINE:
			if (!strcmp(optarg, "inject")) {
				opts.engine = ENGINE_INJECT;
			} else if (!strcmp(optarg, "breakpoint")) {
				opts.engine = ENGINE_BREAKPOINT;
			} else {
				error_msg("invalid value '%s' for --engine: "
					  "expected inject or breakpoint",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ALL_STACKS:
			opts.all_stacks = 1;
			break;
		case OPT_FULL_STACKS:
			opts.full_stacks = 1;
			break;
		case OPT_GEN_FILTERS:
			opts.gen_filters = 1;
			break;
		case 'q':
			opts.quiet = 1;
			break;
		case 'v':
			opts.verbose++;
			break;
		case OPT_VERSION:
			printf("memsup %s\n", MEMSUP_VERSION);
			return 0;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			fputs("Try 'memsup --help' for more information.\n",
			      stderr);
			return EXIT_USAGE;
		}
	}
	msg_set_verbosity(opts.verbose);
	if (opts.pid && opts.repeat > 1) {
		error_msg("--repeat runs the program again: it cannot be "
			  "used with --pid");
		return EXIT_USAGE;
	}
	if (opts.pid && optind < argc) {
		error_msg("give either --pid or a program, not both");
		return EXIT_USAGE;
	}
	if (!opts.pid && optind >= argc) {
		error_msg("no program to run");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (opts.policy_path) {
		pol = policy_load_file(opts.policy_path, &diag);
		policy_diag_print(stderr, opts.policy_path, &diag);
		policy_diag_release(&diag);
		if (!pol)
			return EXIT_USAGE;
	}
	json_arg = opts.json_path;
	junit_arg = opts.junit_path;
	html_arg = opts.html_path;
	collapsed_arg = opts.collapsed_path;
	if (opts.nfail_on && !opts.baseline) {
		error_msg("--fail-on needs --baseline FILE.json (or use 'memsup "
			  "compare BASE.json NEW.json')");
		policy_free(pol);
		return EXIT_USAGE;
	}
	if (opts.baseline && compare_check_baseline(opts.baseline) < 0) {
		policy_free(pol);
		return EXIT_USAGE;
	}
	{
		char *prog = opts.pid ? pid_program(opts.pid) : NULL;
		const char *name = opts.pid ? prog : argv[optind];

		opts.json_path = expand_output("--json", opts.json_path, name);
		opts.junit_path = expand_output("--junit-xml", opts.junit_path,
						name);
		opts.html_path = expand_output("--html", opts.html_path, name);
		opts.collapsed_path = expand_output("--collapsed",
						    opts.collapsed_path, name);
		free(prog);
		if ((json_arg && !opts.json_path) ||
		    (junit_arg && !opts.junit_path) ||
		    (html_arg && !opts.html_path) ||
		    (collapsed_arg && !opts.collapsed_path)) {
			policy_free(pol);
			return EXIT_USAGE;
		}
	}
	if (opts.json_path && report_file_open(&json_file, opts.json_path) < 0) {
		policy_free(pol);
		return EXIT_USAGE;
	}
	if ((opts.junit_path &&
	     report_file_open(&junit_file, opts.junit_path) < 0) ||
	    report_views_open(opts.html_path, opts.collapsed_path) < 0) {
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		policy_free(pol);
		return EXIT_USAGE;
	}
	if (report_file_same(&json_file, &junit_file)) {
		error_msg("--json and --junit-xml name the same file '%s'",
			  opts.junit_path);
		hint_msg("give each report its own file");
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		policy_free(pol);
		return EXIT_USAGE;
	}
	if (opts.pin && opts.engine != ENGINE_BREAKPOINT) {
		error_msg("--pin is for the breakpoint engine: add "
			  "--engine=breakpoint, or leave --pin out");
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		policy_free(pol);
		return EXIT_USAGE;
	}
	if (opts.pin)
		warning_msg("--pin: the program runs on one CPU with memsup "
			    "and sees only that one");
	unwind_mode = unwind_mode_parse(getenv("MEMSUP_UNWIND"));
	if (unwind_mode < 0) {
		error_msg("MEMSUP_UNWIND=%s: not an unwinder; use rules "
			  "(the default), libunwind or check",
			  getenv("MEMSUP_UNWIND"));
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		policy_free(pol);
		return EXIT_USAGE;
	}
	if (!opts.pid) {
		prog_argv = argv + optind;
		if (check_program(prog_argv[0], 1) < 0) {
			report_file_abandon(&json_file);
			report_file_abandon(&junit_file);
			policy_free(pol);
			return EXIT_SUPERVISION;
		}
	}

	/*
	 * Check kills a test that outlives its timeout (4 s by default);
	 * under supervision tests run slower (docs/discovery.md). A value in the
	 * environment wins over the default, the option over both.
	 */
	if (!opts.pid)
		setenv("CK_TIMEOUT_MULTIPLIER", opts.ck_multiplier,
		       opts.ck_multiplier_given);
	session_init(s);
	s->pol = pol;
	s->pin = opts.pin;
	s->engine = opts.engine;
	s->term_flags = term_flags();
	s->stack_depth = opts.stack_depth;
	s->full_stacks = opts.full_stacks;
	s->unwind_mode = unwind_mode;
	if (!opts.pid)
		s->program_path = notests_resolve(prog_argv[0]);
	if (pol && !opts.stack_depth_given)
		s->stack_depth = pol->stack_depth;
	if (notests_refused_keys(s) < 0) {
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		session_release(s);
		policy_free(pol);
		return EXIT_USAGE;
	}
	msg_set_cleanup(cleanup);
	session_install_signals(opts.timeout);
	if (opts.pid) {
		if (session_attach(s, opts.pid) < 0) {
			msg_set_cleanup(NULL);
			report_file_abandon(&json_file);
			report_file_abandon(&junit_file);
			return EXIT_SUPERVISION;
		}
	} else if (opts.repeat > 1 &&
		   (status = repeat_before(s, prog_argv, opts.repeat,
					   opts.quiet)) != 0) {
		msg_set_cleanup(NULL);
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		return status < 0 ? EXIT_SUPERVISION : status;
	} else if (session_launch(s, prog_argv) < 0) {
		msg_set_cleanup(NULL);
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		return EXIT_SUPERVISION;
	}

	if (session_run(s) < 0)
		die(EXIT_SUPERVISION, "supervision failed");
	if (s->mode == MODE_ATTACH && s->procs)
		session_detach(s);
	msg_set_cleanup(NULL);
	repeat_merge(s);

	err = session_launch_error(s);
	if (s->failed_exec) {
		finish_reports(EXIT_SUPERVISION);
		status = EXIT_SUPERVISION;
	} else if (err) {
		errno = err;
		perror_msg("cannot run '%s'", prog_argv[0]);
		report_file_abandon(&json_file);
		report_file_abandon(&junit_file);
		status = EXIT_SUPERVISION;
	} else {
		sig = session_stop_signal();
		/* --pid: a signal or --timeout is how memsup is told to let
		 * the process go; that is a success. */
		if (s->mode == MODE_ATTACH && s->main_status < 0)
			status = any_failed(s) && opts.error_exitcode ?
				 opts.error_exitcode : 0;
		else if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			status = 128 + sig;
		else if (notests_refused(s, opts.allow_no_tests))
			status = EXIT_SUPERVISION;
		else if ((any_failed(s) || gate_failed(s)) &&
			 opts.error_exitcode)
			status = opts.error_exitcode;
		else
			status = report_program_exit(s->main_status);
		if (finish_reports(status))
			status = EXIT_USAGE;
	}
	session_release(s);
	policy_free(pol);
	report_own_use();
	return status;
}
