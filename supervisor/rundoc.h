/*
 * Reading a run back: the JSON document `memsup --json` writes
 * (docs/reports.md), for compare, the baseline gate and `memsup report`.
 *
 * Messages name the caller (WHO, such as "compare" or "report"), the file
 * and what is wrong with it, with the line and column of a syntax error:
 * "memsup: compare: 'a.json' is not valid JSON at line 3, column 15:
 * unexpected character".
 */
#ifndef MEMSUP_RUNDOC_H
#define MEMSUP_RUNDOC_H

#include <stddef.h>
#include <stdint.h>

#include <json.h>

/* The whole of PATH, NUL-terminated; *LEN its length. NULL with a
 * message when it cannot be read. Caller frees. */
char *rundoc_read(const char *who, const char *path, size_t *len);

/* Parses LEN bytes of BUF (one JSON document, nothing after it but white
 * space); NAME is the file named in messages. NULL with a message. */
json_object *rundoc_parse(const char *who, const char *name, const char *buf,
			  size_t len);

/* rundoc_read() and rundoc_parse(). Release with json_object_put(). */
json_object *rundoc_load(const char *who, const char *path);

/* ROOT's "scopes" array, or NULL with a message and a hint when ROOT is
 * not memsup JSON. */
json_object *rundoc_scopes(const char *who, const char *path,
			   json_object *root);

/* O's KEY as a string, or NULL when absent, null or not a string. */
const char *rundoc_str(json_object *o, const char *key);

/* O's KEY as a whole number of 0 or more into *OUT: 0, or -1 when absent
 * or not such a number (*OUT is then 0). */
int rundoc_u64(json_object *o, const char *key, uint64_t *out);

/* O's KEY as an array, or NULL. */
json_object *rundoc_array(json_object *o, const char *key);

#endif
