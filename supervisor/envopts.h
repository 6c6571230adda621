/*
 * MEMSUP_OPTIONS: options from the environment, read as if written on
 * the command line before its own options (valgrind's VALGRIND_OPTS), so
 * that a CI job sets them once for every wrapped test.
 *
 * The value is split into words as a shell would split it, without
 * expansion: blanks separate words, 'single' and "double" quotes group,
 * a backslash quotes the next character (outside single quotes).
 */
#ifndef MEMSUP_ENVOPTS_H
#define MEMSUP_ENVOPTS_H

/*
 * A new argument vector: ARGV[0], the words of VALUE, then ARGV[1..ARGC).
 * *NEWARGC is its length; the vector is NULL-terminated. Returns NULL
 * with *WHY set (an unterminated quote; a word that is not an option,
 * since the program must come from the command line) and nothing
 * allocated. The result and its strings live until exit.
 */
char **envopts_merge(const char *value, int argc, char **argv, int *newargc,
		     const char **why);

#endif
