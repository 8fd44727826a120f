/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing of quantities with units.  Numbers are parsed in decimal fixed
 * point so that "0.1s" is exactly 100000000 ns, not a rounded double. */
#include "sim/core/units.h"

#include <math.h>
#include <string.h>

/* The first argument is stringified into the domain's name, which
 * spaces would change. */
/* clang-format off */
G_DEFINE_QUARK(mipsim-units-error-quark, mipsim_units_error)
/* clang-format on */

struct unit {
  const char *suffix;
  uint64_t scale;
};

/* Parses "<digits>[.<digits>][e<exp>]" into mantissa and power of ten, and
 * returns a pointer to the unit suffix.  Negative numbers are rejected. */
static const char *parse_decimal(const char *s, __uint128_t *mant, int *exp10) {
  __uint128_t m = 0;
  int e = 0, digits = 0;
  while (*s == ' ')
    s++;
  for (; g_ascii_isdigit(*s); s++, digits++) {
    if (m < ((__uint128_t)1 << 100))
      m = m * 10 + (uint64_t)(*s - '0');
    else
      e++;
  }
  if (*s == '.') {
    s++;
    for (; g_ascii_isdigit(*s); s++, digits++) {
      if (m < ((__uint128_t)1 << 100)) {
        m = m * 10 + (uint64_t)(*s - '0');
        e--;
      }
    }
  }
  if (digits == 0)
    return NULL;
  if ((*s == 'e' || *s == 'E') &&
      (g_ascii_isdigit(s[1]) ||
       ((s[1] == '+' || s[1] == '-') && g_ascii_isdigit(s[2])))) {
    s++;
    int sign = 1, x = 0;
    if (*s == '+' || *s == '-')
      sign = *s++ == '-' ? -1 : 1;
    for (; g_ascii_isdigit(*s); s++)
      if (x < 1000)
        x = x * 10 + (*s - '0');
    e += sign * x;
  }
  while (*s == ' ')
    s++;
  *mant = m;
  *exp10 = e;
  return s;
}

/* value = mant * 10^exp10 * scale, rounded to nearest; FALSE on overflow. */
static gboolean scale_value(__uint128_t mant, int exp10, uint64_t scale,
                            uint64_t *out) {
  __uint128_t v = mant * scale;
  if (scale != 0 && v / scale != mant)
    return FALSE;
  for (; exp10 > 0; exp10--) {
    if (v > ((__uint128_t)UINT64_MAX) * 10)
      return FALSE;
    v *= 10;
  }
  /* One rounding to nearest: dividing by ten a digit at a time would round
   * twice ("1.49ns" to 1.5 and then 2).  Past 10^38 the quotient of any
   * 128-bit value rounds to zero. */
  if (exp10 < -38) {
    v = 0;
  } else if (exp10 < 0) {
    __uint128_t d = 1;
    for (; exp10 < 0; exp10++)
      d *= 10;
    __uint128_t r = v % d;
    v = v / d + (r >= d - r);
  }
  if (v > INT64_MAX)
    return FALSE;
  *out = (uint64_t)v;
  return TRUE;
}

/* A quantity that is not a number (suffix NULL), or a number with an
 * unknown unit or none. */
static gboolean bad_quantity(const char *text, const char *suffix,
                             const char *what, const char *examples,
                             GError **error) {
  if (!suffix)
    g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
                "'%s' is not a %s (expected a number with a unit, e.g. %s)",
                text ? text : "", what, examples);
  else if (*suffix)
    g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
                "'%s' is not a %s: unknown unit '%s' (e.g. %s)", text, what,
                suffix, examples);
  else
    g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
                "'%s' is not a %s: a unit is missing (e.g. %s)", text, what,
                examples);
  return FALSE;
}

static gboolean too_large(const char *text, const char *what, GError **error) {
  g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
              "%s '%s' is too large", what, text);
  return FALSE;
}

static gboolean parse_with_units(const char *text, const struct unit *units,
                                 const char *what, const char *examples,
                                 gboolean unit_required, uint64_t *out,
                                 GError **error) {
  __uint128_t mant;
  int exp10;
  const char *suffix = text ? parse_decimal(text, &mant, &exp10) : NULL;
  if (!suffix)
    return bad_quantity(text, NULL, what, examples, error);
  for (const struct unit *u = units; u->suffix; u++) {
    if (strcmp(suffix, u->suffix) != 0)
      continue;
    if (!scale_value(mant, exp10, u->scale, out))
      return too_large(text, what, error);
    return TRUE;
  }
  if (*suffix == '\0' && (!unit_required || mant == 0)) {
    if (scale_value(mant, exp10, 1, out))
      return TRUE;
  }
  return bad_quantity(text, suffix, what, examples, error);
}

/* Quantities kept as doubles (lengths, speeds): the number times num / den,
 * so that "36km/h" is 36 * 1000 / 3600 with a single rounding. */
struct real_unit {
  const char *suffix;
  double num, den;
};

/* mant * 10^exp10 * num / den, rounded once where the parts are exact (a
 * fraction divides by an exact power of ten, so "0.1m" is the double
 * nearest 0.1).  Infinite if too large. */
static double real_value(__uint128_t mant, int exp10, double num, double den) {
  double pow10 = 1;
  for (int e = exp10 < 0 ? -exp10 : exp10; e > 0 && isfinite(pow10); e--)
    pow10 *= 10;
  return exp10 < 0 ? (double)mant * num / (den * pow10)
                   : (double)mant * num * pow10 / den;
}

/* Like parse_with_units, with an optional leading minus sign. */
static gboolean parse_real_with_units(const char *text,
                                      const struct real_unit *units,
                                      const char *what, const char *examples,
                                      double *out, GError **error) {
  const char *s = text;
  while (s && *s == ' ')
    s++;
  gboolean negative = s && *s == '-' && (g_ascii_isdigit(s[1]) || s[1] == '.');
  __uint128_t mant;
  int exp10;
  const char *suffix = s ? parse_decimal(s + negative, &mant, &exp10) : NULL;
  if (!suffix)
    return bad_quantity(text, NULL, what, examples, error);
  const struct real_unit *u = units;
  while (u->suffix && strcmp(suffix, u->suffix) != 0)
    u++;
  if (!u->suffix && !(*suffix == '\0' && mant == 0))
    return bad_quantity(text, suffix, what, examples, error);
  /* Zero times an overflowing power of ten ("0e999m") is still zero. */
  double v =
      u->suffix && mant != 0 ? real_value(mant, exp10, u->num, u->den) : 0;
  if (!isfinite(v))
    return too_large(text, what, error);
  /* "-0m" is 0, not -0, which would print as "-0.000". */
  *out = negative && v != 0 ? -v : v;
  return TRUE;
}

gboolean units_parse_time(const char *text, int64_t *ns, GError **error) {
  static const struct unit units[] = {{"ns", 1},
                                      {"us", 1000},
                                      {"ms", 1000000},
                                      {"s", 1000000000},
                                      {"min", 60000000000ULL},
                                      {"h", 3600000000000ULL},
                                      {NULL, 0}};
  uint64_t v;
  if (!parse_with_units(text, units, "time", "5ms, 1.5s, 10us", TRUE, &v,
                        error))
    return FALSE;
  *ns = (int64_t)v;
  return TRUE;
}

gboolean units_parse_rate(const char *text, uint64_t *bps, GError **error) {
  static const struct unit units[] = {
      {"bps", 1},           {"kbps", 1000}, {"Kbps", 1000}, {"Mbps", 1000000},
      {"Gbps", 1000000000}, {"b/s", 1},     {"kb/s", 1000}, {"Mb/s", 1000000},
      {"Gb/s", 1000000000}, {NULL, 0}};
  if (!parse_with_units(text, units, "rate", "10Mbps, 64kbps, 1Gbps", TRUE, bps,
                        error))
    return FALSE;
  if (*bps == 0) {
    g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
                "rate '%s' must be greater than zero", text);
    return FALSE;
  }
  return TRUE;
}

gboolean units_parse_size(const char *text, uint64_t *bytes, GError **error) {
  static const struct unit units[] = {
      {"B", 1},           {"kB", 1000},        {"KB", 1000},
      {"KiB", 1024},      {"MB", 1000000},     {"MiB", 1048576},
      {"GB", 1000000000}, {"GiB", 1073741824}, {NULL, 0}};
  return parse_with_units(text, units, "size", "1500B, 64KiB, 1MB", TRUE, bytes,
                          error);
}

gboolean units_parse_count(const char *text, uint64_t *n, GError **error) {
  __uint128_t mant;
  int exp10;
  const char *suffix = text ? parse_decimal(text, &mant, &exp10) : NULL;
  if (suffix && *suffix == '\0' && scale_value(mant, exp10, 1, n)) {
    /* Reject fractions such as "2.5" that scale_value rounded. */
    __uint128_t check = *n;
    for (int e = exp10; e < 0; e++)
      check *= 10;
    for (int e = exp10; e > 0; e--)
      mant *= 10;
    if (check == mant)
      return TRUE;
  }
  g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
              "'%s' is not a whole number", text ? text : "");
  return FALSE;
}

gboolean units_parse_probability(const char *text, double *p, GError **error) {
  char *end = NULL;
  double v = text ? g_ascii_strtod(text, &end) : 0;
  /* Not after nothing: "%" alone would read as 0. */
  if (end && end != text && *end == '%') {
    v /= 100.0;
    end++;
  }
  if (!text || end == text || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
    g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
                "'%s' is not a probability (expected 0 to 1, or 0%% to "
                "100%%)",
                text ? text : "");
    return FALSE;
  }
  *p = v;
  return TRUE;
}

gboolean units_parse_distance(const char *text, double *metres,
                              GError **error) {
  static const struct real_unit units[] = {
      {"m", 1, 1}, {"km", 1000, 1}, {NULL, 0, 0}};
  return parse_real_with_units(text, units, "distance", "100m, 1.5km", metres,
                               error);
}

gboolean units_parse_speed(const char *text, double *mps, GError **error) {
  static const struct real_unit units[] = {
      {"m/s", 1, 1}, {"km/h", 1000, 3600}, {NULL, 0, 0}};
  return parse_real_with_units(text, units, "speed", "10m/s, 36km/h", mps,
                               error);
}

gboolean units_parse_number(const char *text, double *v, GError **error) {
  __uint128_t mant;
  int exp10;
  const char *suffix = text ? parse_decimal(text, &mant, &exp10) : NULL;
  if (!suffix || *suffix) {
    g_set_error(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID,
                "'%s' is not a number (e.g. 2, 1.5, 2.5e-1)", text ? text : "");
    return FALSE;
  }
  double x = mant != 0 ? real_value(mant, exp10, 1, 1) : 0;
  if (!isfinite(x))
    return too_large(text, "number", error);
  *v = x;
  return TRUE;
}

int64_t units_tx_time(uint64_t bytes, uint64_t bps) {
  /* Every hop asks, and a 128-bit division is a library call: frames up
   * to 2.3 GB fit 64 bits, where quotient and remainder give the same
   * rounded-up value. */
  if (bytes <= UINT64_MAX / (8 * 1000000000ULL)) {
    uint64_t bits_ns = bytes * 8 * 1000000000ULL;
    return (int64_t)(bits_ns / bps + (bits_ns % bps != 0));
  }
  __uint128_t bits_ns = (__uint128_t)bytes * 8 * 1000000000ULL;
  return (int64_t)((bits_ns + bps - 1) / bps);
}
