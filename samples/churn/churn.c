/*
 * churn: N malloc+free pairs (default CHURN_DEFAULT_N) of mixed sizes from
 * a stack 8 frames deep, DEPTH frames deeper with DEPTH (churn_deeper()),
 * from two call sites in turn with SITES 2; the benchmark's load and an
 * exactness test.
 *
 *   churn [N [DEPTH [SITES]]]
 */
#include "../common/say.h"
#include "churn.h"

int main(int argc, char **argv)
{
	long long n = CHURN_DEFAULT_N, depth = 0, sites = 1;

	if ((argc > 1 && (n = parse_count(argv[1])) < 0) ||
	    (argc > 2 && ((depth = parse_count(argv[2])) < 0 || depth > 1000)) ||
	    (argc > 3 && ((sites = parse_count(argv[3])) < 1 || sites > 2))) {
		say_str(2, "usage: churn [N [DEPTH [SITES]]]  (DEPTH at most "
			"1000, SITES 1 or 2)\n");
		return 2;
	}
	churn_sites = (unsigned)sites;
	churn_deeper((unsigned long)n, (unsigned)depth);
	say_kv(1, "churn: pairs", (unsigned long long)n);
	return 0;
}
