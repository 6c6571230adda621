#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/outname.h"
#include "supervisor/xmalloc.h"

struct buf {
	char *s;
	size_t n, a;
};

static void put(struct buf *b, const char *s, size_t n)
{
	b->s = xgrow(b->s, &b->a, b->n + n + 1, 1);
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

char *outname_expand(const char *pattern, pid_t pid, const char *program,
		     const char **why)
{
	struct buf b = { 0 };
	const char *base, *p;
	char num[32];

	base = program ? strrchr(program, '/') : NULL;
	base = base ? base + 1 : program ? program : "memsup";
	put(&b, "", 0);
	for (p = pattern; *p; p++) {
		if (*p != '%') {
			put(&b, p, 1);
			continue;
		}
		switch (p[1]) {
		case 'p':
			snprintf(num, sizeof(num), "%d", (int)pid);
			put(&b, num, strlen(num));
			break;
		case 'n':
			put(&b, base, strlen(base));
			break;
		case '%':
			put(&b, "%", 1);
			break;
		default:
			*why = p[1] ? "an unknown placeholder: use %p, %n or "
				      "%% for a percent sign" :
				      "a lone '%' at the end: write %% for a "
				      "percent sign";
			free(b.s);
			return NULL;
		}
		p++;
	}
	return b.s;
}
