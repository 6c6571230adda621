/*
 * dlopen: dlopen("liballoc.so") (found through the executable's
 * DT_RUNPATH $ORIGIN), call its lib_work(), dlclose it.
 *
 *   dlopen [-n]
 *
 * -n opens and closes the library without calling lib_work(): the baseline
 * of what dlopen/dlclose and the library's constructor/destructor allocate.
 * The run without -n allocates exactly lib_work()'s figures more (liballoc.h).
 *
 * dlopen's own blocks (link map, search path, scope arrays, ...) come from
 * libc's malloc and are mostly freed by dlclose; their exact number is a
 * glibc detail, measured for glibc 2.36 in tests/e2e/0007-dlopen.sh.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "../common/say.h"
#include "liballoc.h"

int main(int argc, char **argv)
{
	int work = !(argc > 1 && !strcmp(argv[1], "-n"));
	void *h;
	lib_work_fn *fn;

	h = dlopen("liballoc.so", RTLD_NOW);
	if (!h) {
		say_str(2, "dlopen: cannot load liballoc.so\n");
		return 1;
	}
	fn = (lib_work_fn *)dlsym(h, "lib_work");
	if (!fn) {
		say_str(2, "dlopen: no lib_work in liballoc.so\n");
		return 1;
	}
	if (work)
		fn();
	if (dlclose(h)) {
		say_str(2, "dlopen: dlclose failed\n");
		return 1;
	}
	say_str(1, "dlopen: done\n");
	return 0;
}
