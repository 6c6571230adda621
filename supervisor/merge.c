#include <json.h>
#include <stdio.h>
#include <string.h>

#include "supervisor/merge.h"
#include "supervisor/msg.h"
#include "supervisor/report.h"

static json_object *load(const char *path)
{
	json_object *root = json_object_from_file(path), *v;
	int version = 1;

	if (!root) {
		error_msg("merge: cannot read '%s': %s", path,
			  json_util_get_last_err() ? json_util_get_last_err() :
						     "not JSON");
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "memsup_version", NULL) ||
	    !json_object_object_get_ex(root, "scopes", &v) ||
	    !json_object_is_type(v, json_type_array)) {
		error_msg("merge: '%s' is not a memsup --json document (no "
			  "memsup_version or scopes)", path);
		json_object_put(root);
		return NULL;
	}
	if (json_object_object_get_ex(root, "format_version", &v))
		version = json_object_get_int(v);
	if (version != 1 && version != 2) {
		error_msg("merge: '%s' has format_version %d; this memsup "
			  "reads 1 and 2", path, version);
		json_object_put(root);
		return NULL;
	}
	return root;
}

static int64_t get_int(json_object *o, const char *key, int64_t dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return dflt;
	return json_object_get_int64(v);
}

static void copy_key(json_object *to, json_object *from, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(from, key, &v))
		json_object_object_add(to, key, json_object_get(v));
	else
		json_object_object_add(to, key, NULL);
}

int merge_main(int argc, char **argv)
{
	const char *out = NULL, *inputs[1024];
	json_object *doc, *scopes, *from, *in, *v;
	struct report_file rf;
	int64_t exit_status = 0, prog_status = -1, st;
	double seconds = 0;
	size_t n = 0, i, k;
	int a, ret = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-o") && a + 1 < argc) {
			out = argv[++a];
		} else if (!strncmp(argv[a], "--output=", 9)) {
			out = argv[a] + 9;
		} else if (argv[a][0] == '-' && argv[a][1]) {
			error_msg("merge: unknown option '%s'", argv[a]);
			n = 0;
			break;
		} else if (n < sizeof(inputs) / sizeof(inputs[0])) {
			inputs[n++] = argv[a];
		}
	}
	if (!out || !n) {
		error_msg("usage: memsup merge A.json B.json... -o ALL.json");
		return EXIT_USAGE;
	}
	doc = json_object_new_object();
	scopes = json_object_new_array();
	from = json_object_new_array();
	for (i = 0; i < n; i++) {
		in = load(inputs[i]);
		if (!in) {
			ret = EXIT_USAGE;
			break;
		}
		if (!i) {
			json_object_object_add(doc, "format_version",
					       json_object_new_int(2));
			json_object_object_add(doc, "memsup_version",
					       json_object_new_string(
						       MEMSUP_VERSION));
			copy_key(doc, in, "program");
			copy_key(doc, in, "argv");
			copy_key(doc, in, "policy");
		}
		st = get_int(in, "exit_status", 0);
		if (st > exit_status)
			exit_status = st;
		st = get_int(in, "program_exit_status", -1);
		if (st > prog_status)
			prog_status = st;
		if (json_object_object_get_ex(in, "time", &v))
			seconds += json_object_get_double(v);
		json_object_object_get_ex(in, "scopes", &v);
		for (k = 0; k < json_object_array_length(v); k++)
			json_object_array_add(scopes, json_object_get(
				json_object_array_get_idx(v, k)));
		json_object_array_add(from, json_object_new_string(inputs[i]));
		json_object_put(in);
	}
	if (!ret) {
		json_object_object_add(doc, "exit_status",
				       json_object_new_int64(exit_status));
		json_object_object_add(doc, "program_exit_status",
				       prog_status < 0 ? NULL :
				       json_object_new_int64(prog_status));
		json_object_object_add(doc, "time",
				       json_object_new_double(seconds));
		json_object_object_add(doc, "merged_from", json_object_get(from));
		json_object_object_add(doc, "scopes", json_object_get(scopes));
		if (report_file_open(&rf, out) < 0) {
			ret = EXIT_USAGE;
		} else {
			fputs(json_object_to_json_string_ext(doc,
				JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_NOSLASHESCAPE), rf.fp);
			fputc('\n', rf.fp);
			if (report_file_commit(&rf) < 0)
				ret = EXIT_USAGE;
		}
	}
	json_object_put(from);
	json_object_put(scopes);
	json_object_put(doc);
	return ret;
}
