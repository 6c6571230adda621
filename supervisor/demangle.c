#include <dlfcn.h>
#include <stdlib.h>

#include "supervisor/demangle.h"
#include "supervisor/msg.h"

typedef char *(*cxa_demangle_fn)(const char *mangled, char *buf,
				size_t *len, int *status);

/* __cxa_demangle from libstdc++.so.6, loaded once; NULL if it cannot be. */
static cxa_demangle_fn cxa_demangle(void)
{
	static cxa_demangle_fn fn;
	static int tried;
	void *lib, *sym = NULL;

	if (tried)
		return fn;
	tried = 1;
	/* Never closed: it serves until memsup exits. */
	lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (lib)
		sym = dlsym(lib, "__cxa_demangle");
	if (!sym) {
		warning_msg("cannot load __cxa_demangle from libstdc++.so.6 "
			    "(%s): C++ names are shown mangled; install "
			    "libstdc++6 to read them", dlerror());
		return NULL;
	}
	/* POSIX: a dlsym result converts to a function pointer. */
	*(void **)&fn = sym;
	return fn;
}

/* __cxa_demangle's status: 0 when *OUT is the demangled name. */
static int call_demangle(cxa_demangle_fn fn, const char *name, char **out)
{
	int status = -1;

	*out = fn(name, NULL, NULL, &status);
	return status;
}

char *demangle(const char *name)
{
	cxa_demangle_fn fn;
	char *s;

	if (!name || name[0] != '_' || name[1] != 'Z')
		return NULL;
	fn = cxa_demangle();
	if (!fn)
		return NULL;
	/* malloc'd, or NULL when NAME is not a valid mangled name */
	if (call_demangle(fn, name, &s) == 0)
		return s;
	free(s);
	return NULL;
}
