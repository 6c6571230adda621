/*
 * units_parse_size(), units_parse_threshold(), units_format_size():
 * tables of spellings with the exact value or the exact reason.
 */
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "config/units.h"
#include "suites.h"

#define KI 1024ULL
#define MI (KI * KI)
#define GI (MI * KI)
#define TI (GI * KI)
#define PI (TI * KI)
#define EI (PI * KI)

static const char why_empty[] = "empty value";
static const char why_negative[] = "a size cannot be negative";
static const char why_number[] = "expected a number";
static const char why_after_number[] = "unexpected text after the number";
static const char why_point[] = "expected digits after the decimal point";
static const char why_unit[] = "unknown unit; expected B, KB, MB, GB, TB, "
			       "PB, EB or KiB, MiB, GiB, TiB, PiB, EiB";
static const char why_trailing[] = "unexpected text after the unit";
static const char why_bare_decimal[] = "a number without a unit is bytes "
				       "and cannot have decimals";
static const char why_byte_decimal[] = "a number of bytes (B) cannot have "
				       "decimals: a memory size is a whole "
				       "number of bytes";
static const char why_below_byte[] = "less than one byte; a memory size is a "
				     "whole number of bytes";
static const char why_large[] = "too large; the largest size is "
				"18446744073709551615 bytes (16 EiB - 1)";

static const struct size_ok {
	const char *s;
	uint64_t v;
} size_ok[] = {
	/* bare integers are bytes */
	{ "0", 0 },
	{ "4096", 4096 },
	{ "007", 7 },
	{ "+100", 100 },
	{ "18446744073709551615", UINT64_MAX },
	/* every unit, both families, several spellings */
	{ "512 B", 512 },
	{ "512B", 512 },
	{ "512b", 512 },
	{ "100kb", 100 * KI },
	{ "100 KB", 100 * KI },
	{ "100 Kb", 100 * KI },
	{ "100 kB", 100 * KI },
	{ "24 MB", 24 * MI },
	{ "24mb", 24 * MI },
	{ "3 GB", 3 * GI },
	{ "60 TB", 60 * TI },
	{ "2 PB", 2 * PI },
	{ "15 EB", 15 * EI },
	{ "1 KiB", KI },
	{ "2 MiB", 2 * MI },
	{ "2mib", 2 * MI },
	{ "2MIB", 2 * MI },
	{ "5 GiB", 5 * GI },
	{ "7 TiB", 7 * TI },
	{ "9 PiB", 9 * PI },
	{ "15 EiB", 15 * EI },
	/* spaces optional, several allowed, around the whole too */
	{ "10MB", 10 * MI },
	{ "10    MB", 10 * MI },
	{ "10\tMB", 10 * MI },
	{ "  10 MB  ", 10 * MI },
	{ "+100.0   B", 100 },
	/* decimals, computed exactly */
	{ "1.5GB", 1610612736 },
	{ "1.5 GiB", 1610612736 },
	{ "0.5 KB", 512 },
	{ ".5 KB", 512 },
	{ "100.0B", 100 },
	{ "3.14 PB", 3535325707485839ULL },	/* floor(3.14 * 2^50) */
	{ "0.1 KB", 102 },			/* 102.4 rounds down */
	{ "0.0009765625 KB", 1 },		/* exactly 2^-10 KiB */
	{ "0.0009765626 KB", 1 },		/* a fraction of a byte: down */
	{ "0.0 B", 0 },
	{ "1.00000000000000000000000000001 KB", 1024 },
	{ "15.999999999999999999999 EiB", UINT64_MAX },
	/* the top of 64 bits */
	{ "16383 PB", 16383 * PI },
	{ "17179869183 MB", 17179869183ULL * MI },
	{ "15.5 EiB", 15 * EI + EI / 2 },
};

static const struct size_bad {
	const char *s;
	const char *why;
} size_bad[] = {
	/* a byte is not divided, and a size is not rounded to nothing */
	{ "1.5 B", why_byte_decimal },
	{ "0.9999 B", why_byte_decimal },
	{ "0.5 B", why_byte_decimal },
	{ "0.0009765624 KB", why_below_byte },
	{ "0.0000000001 KB", why_below_byte },
	{ "", why_empty },
	{ "   ", why_empty },
	{ "-5", why_negative },
	{ "-5 MB", why_negative },
	{ "-0", why_negative },
	{ "MB", why_number },
	{ "abc", why_number },
	{ "+", why_number },
	{ "++5", why_number },
	{ "+-5", why_number },
	{ "1.", why_point },
	{ "1. MB", why_point },
	{ ".", why_point },
	{ "10 XB", why_unit },
	{ "10 K", why_unit },
	{ "10 M", why_unit },
	{ "10 bytes", why_unit },
	{ "10 KIBB", why_unit },
	{ "10 %", why_unit },
	{ "10MB5", why_unit },
	{ "10 M B", why_unit },
	{ "10 MB x", why_trailing },
	{ "10 MB 5", why_trailing },
	{ "1 2", why_after_number },
	{ "1.5.5 MB", why_after_number },
	{ "5-3", why_after_number },
	{ "1e6", why_unit },
	{ "1.5", why_bare_decimal },
	{ "0.0", why_bare_decimal },
	{ "18446744073709551616", why_large },
	{ "99999999999999999999999", why_large },
	{ "16 EiB", why_large },
	{ "16 EB", why_large },
	{ "16.0 EiB", why_large },
	{ "16384 PB", why_large },
	{ "17179869184 GB", why_large },
	{ "18014398509481984 KB", why_large },
	{ "18446744073709551615 KB", why_large },
};

START_TEST(size_parses)
{
	const struct size_ok *c = &size_ok[_i];
	const char *why = NULL;
	uint64_t v = 12345;

	ck_assert_msg(units_parse_size(c->s, &v, &why) == 0,
		      "'%s': %s", c->s, why);
	ck_assert_msg(v == c->v, "'%s': got %llu, want %llu", c->s,
		      (unsigned long long)v, (unsigned long long)c->v);
}
END_TEST

START_TEST(size_rejects)
{
	const struct size_bad *c = &size_bad[_i];
	const char *why = NULL;
	uint64_t v = 12345;

	ck_assert_msg(units_parse_size(c->s, &v, &why) == -1,
		      "'%s' parsed as %llu", c->s, (unsigned long long)v);
	ck_assert_msg(why && !strcmp(why, c->why), "'%s': why '%s', want '%s'",
		      c->s, why, c->why);
	ck_assert(v == 12345);
}
END_TEST

START_TEST(size_null_is_empty)
{
	const char *why = NULL;
	uint64_t v;

	ck_assert_int_eq(units_parse_size(NULL, &v, &why), -1);
	ck_assert_str_eq(why, why_empty);
}
END_TEST

static const struct threshold_case {
	const char *s;
	int ok;
	int percent;
	double pct;
	uint64_t abs;
	const char *why;
} thresholds[] = {
	{ "10%", 1, 1, 10.0, 0, NULL },
	{ "10 %", 1, 1, 10.0, 0, NULL },
	{ " 2.5% ", 1, 1, 2.5, 0, NULL },
	{ "0%", 1, 1, 0.0, 0, NULL },
	{ ".5%", 1, 1, 0.5, 0, NULL },
	{ "250%", 1, 1, 250.0, 0, NULL },
	{ "5MiB", 1, 0, 0, 5 * MI, NULL },
	{ "1.5 GB", 1, 0, 0, 1610612736, NULL },
	{ "100", 1, 0, 0, 100, NULL },
	{ "0", 1, 0, 0, 0, NULL },
	{ "", 0, 0, 0, 0, "empty value" },
	{ "%", 0, 0, 0, 0, "expected a number" },
	{ "-10%", 0, 0, 0, 0, "a threshold cannot be negative" },
	{ "-10", 0, 0, 0, 0, "a size cannot be negative" },
	{ "10%%", 0, 0, 0, 0, "expected a percentage such as '10%' or an "
		"absolute value such as '5MiB' or '100'" },
	{ "10x%", 0, 0, 0, 0, "expected a percentage such as '10%' or an "
		"absolute value such as '5MiB' or '100'" },
	{ "10% more", 0, 0, 0, 0, "expected a percentage such as '10%' or an "
		"absolute value such as '5MiB' or '100'" },
	{ "1.%", 0, 0, 0, 0, "expected digits after the decimal point" },
	{ "5 XB", 0, 0, 0, 0, "unknown unit; expected B, KB, MB, GB, TB, PB, "
		"EB or KiB, MiB, GiB, TiB, PiB, EiB" },
	{ "1.5", 0, 0, 0, 0, "a number without a unit is bytes and cannot "
		"have decimals" },
};

START_TEST(threshold_parses)
{
	const struct threshold_case *c = &thresholds[_i];
	struct threshold t = { -1, -1.0, 12345 };
	const char *why = NULL;
	int rc = units_parse_threshold(c->s, &t, &why);

	if (!c->ok) {
		ck_assert_msg(rc == -1, "'%s' parsed", c->s);
		ck_assert_msg(why && !strcmp(why, c->why),
			      "'%s': why '%s', want '%s'", c->s, why, c->why);
		return;
	}
	ck_assert_msg(rc == 0, "'%s': %s", c->s, why);
	ck_assert_int_eq(t.percent, c->percent);
	if (c->percent)
		ck_assert_double_eq_tol(t.pct, c->pct, 1e-9);
	else
		ck_assert_uint_eq(t.abs, c->abs);
}
END_TEST

static const struct format_case {
	uint64_t v;
	const char *s;
} formats[] = {
	{ 0, "0.0B" },
	{ 1, "1.0B" },
	{ 12, "12.0B" },
	{ 1023, "1023.0B" },
	{ 1024, "1.0KiB" },
	{ 1536, "1.5KiB" },
	{ 120000, "117.2KiB" },
	{ MI - 1, "1024.0KiB" },		/* as sizeof_fmt: < 1024 first */
	{ MI, "1.0MiB" },
	{ 24 * MI, "24.0MiB" },
	{ 1610612736, "1.5GiB" },
	{ 3 * TI, "3.0TiB" },
	{ 5 * PI, "5.0PiB" },
	{ 2 * EI, "2.0EiB" },
	{ UINT64_MAX, "16.0EiB" },
};

START_TEST(size_formats)
{
	const struct format_case *c = &formats[_i];
	char buf[32];

	units_format_size(buf, sizeof(buf), c->v);
	ck_assert_str_eq(buf, c->s);
}
END_TEST

/* Every formatted size reads back within the 0.05 unit that %.1f drops. */
START_TEST(size_round_trips)
{
	static const uint64_t vs[] = { 0, 1, 1023, 1024, 120000, 24 * MI,
				       1610612736, 7 * TI + 12345, UINT64_MAX };
	const char *why;
	char buf[32];
	uint64_t back, v = vs[_i];

	units_format_size(buf, sizeof(buf), v);
	ck_assert_msg(units_parse_size(buf, &back, &why) == 0 ||
		      v == UINT64_MAX, "'%s': %s", buf, why);
	if (v != UINT64_MAX) {
		long double d = (long double)back - (long double)v;

		ck_assert_msg(d < 0.06L * (long double)v + 1 &&
			      -d < 0.06L * (long double)v + 1,
			      "%llu -> '%s' -> %llu", (unsigned long long)v,
			      buf, (unsigned long long)back);
	}
}
END_TEST

START_TEST(size_format_truncates)
{
	char buf[4];

	units_format_size(buf, sizeof(buf), 120000);
	ck_assert_str_eq(buf, "117");
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *make_units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");

	tcase_add_loop_test(tc, size_parses, 0, N(size_ok));
	tcase_add_loop_test(tc, size_rejects, 0, N(size_bad));
	tcase_add_test(tc, size_null_is_empty);
	tcase_add_loop_test(tc, threshold_parses, 0, N(thresholds));
	tcase_add_loop_test(tc, size_formats, 0, N(formats));
	tcase_add_loop_test(tc, size_round_trips, 0, 9);
	tcase_add_test(tc, size_format_truncates);
	suite_add_tcase(s, tc);
	return s;
}
