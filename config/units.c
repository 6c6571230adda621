/*
 * Sizes and thresholds as the policy and the command line spell them
 * (the man page; grammar in docs/policy.md).
 *
 * A size is computed exactly in integers, never through a double: the
 * integer part is multiplied by the unit, and the fraction is multiplied
 * digit by digit from its last digit to its first (schoolbook long
 * multiplication), so that "1.5GB" is 1610612736 and a fraction of a byte
 * is rounded down whatever the number of digits.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/units.h"

struct unit {
	const char *name;
	unsigned shift;			/* the unit is 1 << shift bytes */
};

/*
 * pytest-memray reads KB..PB as powers of 1024; the IEC spellings mean the
 * same. EB and EiB go beyond docs/policy.md so that every size that
 * units_format_size() prints can be read back.
 */
static const struct unit units[] = {
	{ "B", 0 },
	{ "KB", 10 }, { "MB", 20 }, { "GB", 30 }, { "TB", 40 }, { "PB", 50 },
	{ "EB", 60 },
	{ "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "TiB", 40 },
	{ "PiB", 50 }, { "EiB", 60 },
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_spaces(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* Length of the unit at P, up to the first space or the end. */
static size_t unit_span(const char *p)
{
	size_t n = 0;

	while (p[n] && !is_space(p[n]))
		n++;
	return n;
}

static const struct unit *unit_find(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n &&
		    !strncasecmp(units[i].name, p, n))
			return &units[i];
	return NULL;
}

/*
 * The number at the start of S, pytest-memray's "+?\d*\.\d+|+?\d+":
 * sets the digits of the integer part [*ip, *ip + *ilen) and of the
 * fraction [*fp, *fp + *flen), and returns where the number ends, or NULL
 * with *why set.
 */
static const char *number_scan(const char *s, const char **ip, size_t *ilen,
			       const char **fp, size_t *flen,
			       const char **why)
{
	const char *p = s;

	if (*p == '-') {
		*why = "a size cannot be negative";
		return NULL;
	}
	if (*p == '+')
		p++;
	*ip = p;
	while (is_digit(*p))
		p++;
	*ilen = (size_t)(p - *ip);
	*fp = p;
	*flen = 0;
	if (*p == '.') {
		*fp = ++p;
		while (is_digit(*p))
			p++;
		*flen = (size_t)(p - *fp);
		if (!*flen) {
			*why = "expected digits after the decimal point";
			return NULL;
		}
	} else if (!*ilen) {
		*why = "expected a number";
		return NULL;
	}
	return p;
}

int units_parse_size(const char *s, uint64_t *out, const char **why)
{
	const char *ip, *fp, *p;
	size_t ilen, flen, i, n;
	const struct unit *u;
	unsigned shift = 0;
	uint64_t whole = 0, frac = 0;

	if (!s) {
		*why = "empty value";
		return -1;
	}
	p = skip_spaces(s);
	if (!*p) {
		*why = "empty value";
		return -1;
	}
	p = number_scan(p, &ip, &ilen, &fp, &flen, why);
	if (!p)
		return -1;
	p = skip_spaces(p);
	if (*p) {
		n = unit_span(p);
		u = unit_find(p, n);
		if (!u) {
			*why = is_digit(*p) || *p == '.' || *p == '+' ||
			       *p == '-' ?
			       "unexpected text after the number" :
			       "unknown unit; expected B, KB, MB, GB, TB, PB, "
			       "EB or KiB, MiB, GiB, TiB, PiB, EiB";
			return -1;
		}
		shift = u->shift;
		if (*skip_spaces(p + n)) {
			*why = "unexpected text after the unit";
			return -1;
		}
		for (i = 0; !shift && i < flen; i++) {
			if (fp[i] != '0') {
				*why = "a number of bytes (B) cannot have "
				       "decimals: a memory size is a whole "
				       "number of bytes";
				return -1;
			}
		}
	} else if (flen) {
		*why = "a number without a unit is bytes and cannot have "
		       "decimals";
		return -1;
	}

	for (i = 0; i < ilen; i++) {
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(ip[i] - '0'),
					   &whole))
			goto overflow;
	}
	if (shift && (whole >> (64 - shift)))
		goto overflow;
	whole <<= shift;

	/*
	 * floor(0.d1d2...dn * 2^shift): multiply the fraction by 2^shift from
	 * its last digit; the carry out of the first digit is the whole part.
	 * d * 2^60 + carry < 10 * 2^60 fits in 64 bits.
	 */
	for (i = flen; i-- > 0;)
		frac = (((uint64_t)(fp[i] - '0') << shift) + frac) / 10;
	if (__builtin_add_overflow(whole, frac, &whole))
		goto overflow;
	if (!whole) {
		/* "0.0000001 KB" is not 0: refuse rather than round it to
		 * a limit of nothing. */
		for (i = 0; i < ilen + flen; i++) {
			if ((i < ilen ? ip[i] : fp[i - ilen]) != '0') {
				*why = "less than one byte; a memory size is a "
				       "whole number of bytes";
				return -1;
			}
		}
	}
	*out = whole;
	return 0;

overflow:
	*why = "too large; the largest size is 18446744073709551615 bytes "
	       "(16 EiB - 1)";
	return -1;
}

int units_parse_threshold(const char *s, struct threshold *out,
			  const char **why)
{
	const char *ip, *fp, *p, *q;
	size_t ilen, flen, i;
	double v = 0, scale = 1;

	if (!s || !*skip_spaces(s)) {
		*why = "empty value";
		return -1;
	}
	p = skip_spaces(s);
	q = strchr(p, '%');
	if (!q) {
		out->percent = 0;
		out->pct = 0;
		return units_parse_size(s, &out->abs, why);
	}
	if (*p == '-') {
		*why = "a threshold cannot be negative";
		return -1;
	}
	p = number_scan(p, &ip, &ilen, &fp, &flen, why);
	if (!p)
		return -1;
	p = skip_spaces(p);
	if (p != q || *skip_spaces(q + 1)) {
		*why = "expected a percentage such as '10%' or an absolute "
		       "value such as '5MiB' or '100'";
		return -1;
	}
	for (i = 0; i < ilen; i++)
		v = v * 10 + (ip[i] - '0');
	for (i = 0; i < flen; i++) {
		scale /= 10;
		v += (fp[i] - '0') * scale;
	}
	if (!isfinite(v)) {
		*why = "percentage too large";
		return -1;
	}
	out->percent = 1;
	out->pct = v;
	out->abs = 0;
	return 0;
}

void units_format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const names[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = (double)bytes;
	size_t i = 0;

	/* pytest-memray's sizeof_fmt(): 2^64 - 1 is 16.0EiB at most. */
	while (v >= 1024.0 && i + 1 < sizeof(names) / sizeof(names[0])) {
		v /= 1024.0;
		i++;
	}
	snprintf(buf, len, "%.1f%s", v, names[i]);
}
