/*
 * libFuzzer target for the policy loader: any bytes must load or fail
 * with diagnostics, without a crash, a leak or undefined behaviour.
 * Seeds in tests/fuzz/seeds/; run with `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/policy.h"
#include "config/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything a caller does with a policy, so that all of it is run. */
static void policy_exercise(const struct policy *pol, FILE *out)
{
	struct limits l;
	char buf[32];
	size_t i;

	policy_print(out, pol);
	for (i = 0; i < pol->ntests; i++) {
		const struct test_entry *te;

		te = policy_match(pol, pol->tests[i].pattern);
		policy_limits_for(pol, te, &l);
		units_format_size(buf, sizeof(buf), l.memory);
		fputs(buf, out);
	}
	policy_limits_for(pol, policy_match(pol, "test_fuzz_name"), &l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_diag diag;
	struct policy *pol;
	struct threshold t;
	const char *why;
	uint64_t v;
	char *text, *out = NULL;
	size_t len = 0;
	FILE *fp;

	pol = policy_load_string("fuzz.yaml", (const char *)data, size, &diag);
	fp = open_memstream(&out, &len);
	if (!fp)
		abort();
	policy_diag_print(fp, "fuzz.yaml", &diag);
	if (pol)
		policy_exercise(pol, fp);
	fclose(fp);
	free(out);
	policy_free(pol);
	policy_diag_release(&diag);

	/* The same bytes as a size and a threshold, as the CLI reads them. */
	text = malloc(size + 1);
	if (!text)
		abort();
	for (len = 0; len < size; len++)
		text[len] = data[len] ? (char)data[len] : ' ';
	text[size] = '\0';
	units_parse_size(text, &v, &why);
	units_parse_threshold(text, &t, &why);
	free(text);
	return 0;
}
