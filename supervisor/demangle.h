/*
 * C++ names, demangled (the Itanium C++ ABI) by libstdc++'s
 * __cxa_demangle, which is loaded with dlopen at the first mangled name:
 * memsup itself is C and does not link libstdc++, which would cost every
 * run ~0.5 ms of start-up for a function only C++ programs need.
 */
#ifndef MEMSUP_DEMANGLE_H
#define MEMSUP_DEMANGLE_H

/*
 * NAME demangled if it is a mangled C++ name ("_Z..."), else NULL; NULL
 * too when libstdc++.so.6 cannot be loaded (one warning says so, and the
 * names stay mangled). The caller frees the result.
 */
char *demangle(const char *name);

#endif
