/*
 * Reading memsup JSON back (rundoc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/msg.h"
#include "supervisor/rundoc.h"
#include "supervisor/xmalloc.h"

char *rundoc_read(const char *who, const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t alloc = 0, n = 0, got;

	if (!fp) {
		perror_msg("%s: cannot read '%s'", who, path);
		return NULL;
	}
	do {
		buf = xgrow(buf, &alloc, n + 65536, 1);
		got = fread(buf + n, 1, alloc - n, fp);
		n += got;
	} while (got);
	if (ferror(fp)) {
		perror_msg("%s: cannot read '%s'", who, path);
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf = xgrow(buf, &alloc, n + 1, 1);
	buf[n] = 0;		/* for strspn() past the document */
	*len = n;
	return buf;
}

static void offset_position(const char *buf, size_t off, unsigned *line,
			    unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

json_object *rundoc_parse(const char *who, const char *name, const char *buf,
			  size_t len)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *root;
	unsigned line, col;
	size_t end;

	tok = json_tokener_new();
	if (!tok) {
		error_msg("%s: out of memory reading '%s'", who, name);
		return NULL;
	}
	root = len ? json_tokener_parse_ex(tok, buf, (int)len) : NULL;
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!root || jerr != json_tokener_success) {
		if (!len || jerr == json_tokener_continue) {
			error_msg("%s: '%s' is not valid JSON: the file ends "
				  "before the document does", who, name);
		} else {
			offset_position(buf, end, &line, &col);
			error_msg("%s: '%s' is not valid JSON at line %u, "
				  "column %u: %s", who, name, line, col,
				  json_tokener_error_desc(jerr));
		}
		json_object_put(root);
		root = NULL;
	} else {
		while (end < len && buf[end] && strchr(" \t\r\n", buf[end]))
			end++;
		if (end < len) {
			offset_position(buf, end, &line, &col);
			error_msg("%s: '%s' is not valid JSON at line %u, "
				  "column %u: text after the document", who,
				  name, line, col);
			json_object_put(root);
			root = NULL;
		}
	}
	json_tokener_free(tok);
	return root;
}

json_object *rundoc_load(const char *who, const char *path)
{
	json_object *root;
	size_t len = 0;
	char *buf = rundoc_read(who, path, &len);

	if (!buf)
		return NULL;
	root = rundoc_parse(who, path, buf, len);
	free(buf);
	return root;
}

json_object *rundoc_scopes(const char *who, const char *path,
			   json_object *root)
{
	json_object *scopes;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "scopes", &scopes) ||
	    !json_object_is_type(scopes, json_type_array)) {
		error_msg("%s: '%s' is not memsup JSON: no \"scopes\" array at "
			  "the top level", who, path);
		hint_msg("write it with memsup --json FILE");
		return NULL;
	}
	return scopes;
}

const char *rundoc_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int rundoc_u64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;

	*out = 0;
	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return -1;
	*out = json_object_get_uint64(v);
	return 0;
}

json_object *rundoc_array(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}
