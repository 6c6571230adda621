/*
 * churn: N malloc+free pairs (default CHURN_DEFAULT_N) of mixed sizes from
 * a stack 8 frames deep; the benchmark's load and an exactness test.
 *
 *   churn [N]
 */
#include "../common/say.h"
#include "churn.h"

int main(int argc, char **argv)
{
	long long n = CHURN_DEFAULT_N;

	if (argc > 1 && (n = parse_count(argv[1])) < 0) {
		say_str(2, "usage: churn [N]\n");
		return 2;
	}
	churn_run((unsigned long)n);
	say_kv(1, "churn: pairs", (unsigned long long)n);
	return 0;
}
