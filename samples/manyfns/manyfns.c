/*
 * manyfns: MANY_FUNCTIONS functions many_000 ... many_119, each making and
 * freeing one block of MANY_BYTES, all called once by main. A policy glob
 * "many_*" under functions matches all of them (more than memsup takes);
 * "many_00*" matches the ten many_000 ... many_009.
 */
#include <stdlib.h>

#include "../common/say.h"

#define MANY_FUNCTIONS	120
#define MANY_BYTES	8

#define FN(n)								\
	__attribute__((noinline, used)) void many_##n(void);		\
	__attribute__((noinline, used)) void many_##n(void)		\
	{								\
		void *p = malloc(MANY_BYTES);				\
		if (!p)							\
			abort();					\
		free(p);						\
	}
#define TEN(d) FN(d##0) FN(d##1) FN(d##2) FN(d##3) FN(d##4) \
	FN(d##5) FN(d##6) FN(d##7) FN(d##8) FN(d##9)
TEN(00) TEN(01) TEN(02) TEN(03) TEN(04) TEN(05)
TEN(06) TEN(07) TEN(08) TEN(09) TEN(10) TEN(11)

#undef FN
#define FN(n) many_##n,
static void (*const all[MANY_FUNCTIONS])(void) = {
	TEN(00) TEN(01) TEN(02) TEN(03) TEN(04) TEN(05)
	TEN(06) TEN(07) TEN(08) TEN(09) TEN(10) TEN(11)
};

int main(void)
{
	int i;

	for (i = 0; i < MANY_FUNCTIONS; i++)
		all[i]();
	say_str(1, "manyfns: done\n");
	return 0;
}
