#include <stdlib.h>
#include <string.h>

#include "supervisor/envopts.h"
#include "supervisor/xmalloc.h"

/* The words of VALUE, NULL-terminated; *N of them. NULL on a bad quote. */
static char **split(const char *value, size_t *n)
{
	char **v = NULL, *w;
	size_t nv = 0, av = 0, len;
	const char *p = value;
	char quote;

	*n = 0;
	v = xgrow(v, &av, 1, sizeof(*v));
	v[0] = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		w = xmalloc(strlen(p) + 1);
		len = 0;
		quote = 0;
		for (; *p; p++) {
			if (quote == '\'') {
				if (*p == '\'')
					quote = 0;
				else
					w[len++] = *p;
			} else if (*p == '\\' && p[1] &&
				   (!quote || strchr("\"\\$`", p[1]))) {
				w[len++] = *++p;
			} else if (quote == '"') {
				if (*p == '"')
					quote = 0;
				else
					w[len++] = *p;
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else if (*p == ' ' || *p == '\t' || *p == '\n') {
				break;
			} else {
				w[len++] = *p;
			}
		}
		if (quote) {
			free(w);
			while (nv)
				free(v[--nv]);
			free(v);
			return NULL;
		}
		w[len] = 0;
		v = xgrow(v, &av, nv + 2, sizeof(*v));
		v[nv++] = w;
		v[nv] = NULL;
	}
	*n = nv;
	return v;
}

char **envopts_merge(const char *value, int argc, char **argv, int *newargc,
		     const char **why)
{
	char **words, **out;
	size_t n, i;
	int k = 0, j;

	words = split(value ? value : "", &n);
	if (!words) {
		*why = "a quote is not closed";
		return NULL;
	}
	/* Each word is an option or the value of the one before: the first
	 * must be an option; "--" would end the options early. */
	if (n && (words[0][0] != '-' || !strcmp(words[0], "-"))) {
		*why = "it must start with an option (the program comes from "
		       "the command line)";
		goto bad;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(words[i], "--")) {
			*why = "'--' is not allowed in it (the program comes "
			       "from the command line)";
			goto bad;
		}
	out = xcalloc((size_t)argc + n + 1, sizeof(*out));
	out[k++] = argv[0];
	for (i = 0; i < n; i++)
		out[k++] = words[i];
	for (j = 1; j < argc; j++)
		out[k++] = argv[j];
	out[k] = NULL;
	free(words);
	*newargc = k;
	return out;
bad:
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return NULL;
}
