/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Quantity parsing tests: each kind accepts the spellings scenarios use,
 * with exact decimal values, and rejects the rest with an error naming
 * the offending text; serialization times round up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/units.h"
#include "sim/net/addr.h"
#include "sim/results/results.h"
#include "sim/scenario/scenario.h"
#include "sim/services/dhcp.h"
#include "study/study.h"

/* The error is ours and quotes the text, and so does the message for each
 * part in `also` (NULL-terminated). */
static void assert_error(GError *error, const char *text, const char *also) {
  assert_non_null(error);
  assert_true(
      g_error_matches(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID));
  char *quoted = g_strdup_printf("'%s'", text ? text : "");
  if (!strstr(error->message, quoted))
    fail_msg("error \"%s\" does not quote %s", error->message, quoted);
  if (also && !strstr(error->message, also))
    fail_msg("error \"%s\" does not mention %s", error->message, also);
  g_free(quoted);
}

static int64_t time_ok(const char *text) {
  GError *error = NULL;
  int64_t ns = -42;
  if (!units_parse_time(text, &ns, &error))
    fail_msg("time '%s': %s", text, error->message);
  assert_null(error);
  return ns;
}

static void time_bad(const char *text, const char *also) {
  GError *error = NULL;
  int64_t ns = -42;
  assert_false(units_parse_time(text, &ns, &error));
  assert_error(error, text, also);
  assert_int_equal(ns, -42);
  g_error_free(error);
  /* Without an error to fill in. */
  assert_false(units_parse_time(text, &ns, NULL));
}

static void test_time(void **state) {
  (void)state;
  assert_int_equal(time_ok("5ms"), 5000000);
  assert_int_equal(time_ok("250ms"), 250 * INT64_C(1000000));
  assert_int_equal(time_ok("1.5s"), 1500000000);
  assert_int_equal(time_ok("10us"), 10000);
  assert_int_equal(time_ok("7ns"), 7);
  /* Decimal, not binary, fractions: exact. */
  assert_int_equal(time_ok("0.1s"), 100000000);
  assert_int_equal(time_ok("0.3s"), 300000000);
  assert_int_equal(time_ok("2.675ms"), 2675000);
  assert_int_equal(time_ok("2min"), 120 * INT64_C(1000000000));
  assert_int_equal(time_ok("1h"), 3600 * INT64_C(1000000000));
  assert_int_equal(time_ok("1.5h"), 5400 * INT64_C(1000000000));
  assert_int_equal(time_ok("0"), 0);
  assert_int_equal(time_ok("0s"), 0);
  assert_int_equal(time_ok("1e3ns"), 1000);
  assert_int_equal(time_ok("2.5e-3s"), 2500000);
  assert_int_equal(time_ok("1E+2us"), 100000);
  /* The largest time there is. */
  assert_int_equal(time_ok("9223372036.854775807s"), INT64_MAX);
  assert_int_equal(time_ok("9223372036854775807ns"), INT64_MAX);
}

/* Rounded once to the nearest nanosecond, halves up. */
static void test_time_rounding(void **state) {
  (void)state;
  assert_int_equal(time_ok("1.4ns"), 1);
  assert_int_equal(time_ok("1.5ns"), 2);
  /* Not 1.49 -> 1.5 -> 2. */
  assert_int_equal(time_ok("1.49ns"), 1);
  assert_int_equal(time_ok("0.45ns"), 0);
  assert_int_equal(time_ok("0.0000000014999s"), 1);
  assert_int_equal(time_ok("0.0000000015s"), 2);
  assert_int_equal(time_ok("1.0000000005s"), 1000000001);
  assert_int_equal(time_ok("1.00000000049999s"), 1000000000);
  assert_int_equal(time_ok("0.5e-9s"), 1);
  assert_int_equal(time_ok("1e-40s"), 0);
  assert_int_equal(time_ok("1e-999h"), 0);
  assert_int_equal(time_ok("0e999s"), 0);
}

static void test_time_rejects(void **state) {
  (void)state;
  time_bad("5 parsecs", "parsecs");
  time_bad("abc", NULL);
  time_bad("", NULL);
  time_bad(NULL, NULL);
  time_bad("-1s", NULL);
  time_bad("5", "unit");
  time_bad("1.5", "unit");
  time_bad("5MS", "MS");
  time_bad("5 ms s", NULL);
  time_bad(".s", NULL);
  time_bad("1e30s", "too large");
  time_bad("9223372037s", "too large");
  time_bad("9223372036854775808ns", "too large");
  time_bad("9223372036.8547758075s", "too large");
  time_bad("1e999s", "too large");
  time_bad("99999999999999999999999999999999999999999999999999h", "too large");
}

static uint64_t rate_ok(const char *text) {
  GError *error = NULL;
  uint64_t v = 0;
  if (!units_parse_rate(text, &v, &error))
    fail_msg("rate '%s': %s", text, error->message);
  return v;
}

static void rate_bad(const char *text, const char *also) {
  GError *error = NULL;
  uint64_t v;
  assert_false(units_parse_rate(text, &v, &error));
  assert_error(error, text, also);
  g_error_free(error);
}

static void test_rate(void **state) {
  (void)state;
  assert_int_equal(rate_ok("10Mbps"), 10000000);
  assert_int_equal(rate_ok("1.5Gbps"), 1500000000);
  assert_int_equal(rate_ok("64kbps"), 64000);
  assert_int_equal(rate_ok("64Kbps"), 64000);
  assert_int_equal(rate_ok("9600bps"), 9600);
  assert_int_equal(rate_ok("1Gb/s"), 1000000000);
  assert_int_equal(rate_ok("2.048Mb/s"), 2048000);
  assert_int_equal(rate_ok("100Gbps"), 100000000000ULL);
  rate_bad("0bps", "zero");
  rate_bad("0", "zero");
  rate_bad("0.0001bps", "zero");
  rate_bad("10MB", "MB");
  rate_bad("10", "unit");
  rate_bad("fast", NULL);
  rate_bad("-10Mbps", NULL);
  rate_bad("1e20Gbps", "too large");
}

static uint64_t size_ok(const char *text) {
  GError *error = NULL;
  uint64_t v = 0;
  if (!units_parse_size(text, &v, &error))
    fail_msg("size '%s': %s", text, error->message);
  return v;
}

static void size_bad(const char *text, const char *also) {
  GError *error = NULL;
  uint64_t v;
  assert_false(units_parse_size(text, &v, &error));
  assert_error(error, text, also);
  g_error_free(error);
}

static void test_size(void **state) {
  (void)state;
  assert_int_equal(size_ok("1500B"), 1500);
  assert_int_equal(size_ok("64KiB"), 65536);
  assert_int_equal(size_ok("1kB"), 1000);
  assert_int_equal(size_ok("1KB"), 1000);
  assert_int_equal(size_ok("2MB"), 2000000);
  assert_int_equal(size_ok("1MiB"), 1048576);
  assert_int_equal(size_ok("1.5KiB"), 1536);
  assert_int_equal(size_ok("1GiB"), 1073741824);
  assert_int_equal(size_ok("0"), 0);
  /* One rounding: 1004.49 bytes is 1004, not 1004.5 and then 1005. */
  assert_int_equal(size_ok("1.00449kB"), 1004);
  size_bad("1500", "unit");
  size_bad("1500b", "'b'");
  size_bad("-1B", NULL);
  size_bad("big", NULL);
  size_bad("1e20GB", "too large");
}

static uint64_t count_ok(const char *text) {
  GError *error = NULL;
  uint64_t v = 0;
  if (!units_parse_count(text, &v, &error))
    fail_msg("count '%s': %s", text, error->message);
  return v;
}

static void count_bad(const char *text) {
  GError *error = NULL;
  uint64_t v;
  assert_false(units_parse_count(text, &v, &error));
  assert_error(error, text, "whole number");
  g_error_free(error);
}

static void test_count(void **state) {
  (void)state;
  assert_int_equal(count_ok("64"), 64);
  assert_int_equal(count_ok("0"), 0);
  assert_int_equal(count_ok("1e6"), 1000000);
  assert_int_equal(count_ok("2.0"), 2);
  assert_int_equal(count_ok("1.5e3"), 1500);
  assert_int_equal(count_ok("9223372036854775807"), INT64_MAX);
  count_bad("2.5");
  count_bad("0.5");
  count_bad("1e-1");
  count_bad("1.0001e3");
  count_bad("x");
  count_bad("");
  count_bad(NULL);
  count_bad("-1");
  count_bad("64B");
  count_bad("1e19");
}

static double prob_ok(const char *text) {
  GError *error = NULL;
  double v = -1;
  if (!units_parse_probability(text, &v, &error))
    fail_msg("probability '%s': %s", text, error->message);
  return v;
}

static void prob_bad(const char *text) {
  GError *error = NULL;
  double v;
  assert_false(units_parse_probability(text, &v, &error));
  assert_error(error, text, "probability");
  g_error_free(error);
}

static void test_probability(void **state) {
  (void)state;
  assert_true(prob_ok("0.01") == 0.01);
  assert_true(prob_ok("1%") == 0.01);
  assert_true(prob_ok("50%") == 0.5);
  assert_true(prob_ok("100%") == 1.0);
  assert_true(prob_ok("0") == 0.0);
  assert_true(prob_ok("1") == 1.0);
  assert_true(prob_ok("1e-3") == 0.001);
  prob_bad("1.5");
  prob_bad("-0.1");
  prob_bad("101%");
  prob_bad("-1%");
  prob_bad("");
  prob_bad(NULL);
  prob_bad("abc");
  prob_bad("nan");
  prob_bad("0.5x");
  prob_bad("1%%");
}

static double distance_ok(const char *text) {
  GError *error = NULL;
  double v = NAN;
  if (!units_parse_distance(text, &v, &error))
    fail_msg("distance '%s': %s", text, error->message);
  return v;
}

static void distance_bad(const char *text, const char *also) {
  GError *error = NULL;
  double v;
  assert_false(units_parse_distance(text, &v, &error));
  assert_error(error, text, also);
  g_error_free(error);
}

static void test_distance(void **state) {
  (void)state;
  assert_true(distance_ok("100m") == 100.0);
  assert_true(distance_ok("1.5km") == 1500.0);
  assert_true(distance_ok("0") == 0.0);
  assert_true(distance_ok("-50m") == -50.0);
  assert_true(distance_ok("-.5km") == -500.0);
  /* The double nearest 0.1, as a C literal would give. */
  assert_true(distance_ok("0.1m") == 0.1);
  assert_true(distance_ok("2.5e-1km") == 250.0);
  /* Minus zero is zero. */
  double z = distance_ok("-0m");
  assert_true(z == 0.0 && !signbit(z));
  assert_true(distance_ok("1e-999m") == 0.0);
  assert_true(distance_ok("0e999m") == 0.0);
  distance_bad("5", "unit");
  distance_bad("5 parsecs", "parsecs");
  distance_bad("abc", NULL);
  distance_bad("", NULL);
  distance_bad("--5m", NULL);
  distance_bad("5mi", "mi");
  distance_bad("1e999m", "too large");
}

static double speed_ok(const char *text) {
  GError *error = NULL;
  double v = NAN;
  if (!units_parse_speed(text, &v, &error))
    fail_msg("speed '%s': %s", text, error->message);
  return v;
}

static void speed_bad(const char *text, const char *also) {
  GError *error = NULL;
  double v;
  assert_false(units_parse_speed(text, &v, &error));
  assert_error(error, text, also);
  g_error_free(error);
}

static void test_speed(void **state) {
  (void)state;
  assert_true(speed_ok("10m/s") == 10.0);
  /* 36 x 1000 / 3600 with a single rounding: exactly 10. */
  assert_true(speed_ok("36km/h") == 10.0);
  assert_true(speed_ok("1km/h") == 1000.0 / 3600.0);
  assert_true(speed_ok("0") == 0.0);
  assert_true(speed_ok("-3m/s") == -3.0);
  assert_true(speed_ok("1.5m/s") == 1.5);
  speed_bad("10", "unit");
  speed_bad("10km", "km");
  speed_bad("10mph", "mph");
  speed_bad("slow", NULL);
  speed_bad("1e999m/s", "too large");
}

static double number_ok(const char *text) {
  GError *error = NULL;
  double v = NAN;
  if (!units_parse_number(text, &v, &error))
    fail_msg("number '%s': %s", text, error->message);
  return v;
}

static void number_bad(const char *text, const char *also) {
  GError *error = NULL;
  double v;
  assert_false(units_parse_number(text, &v, &error));
  assert_error(error, text, also);
  g_error_free(error);
}

static void test_number(void **state) {
  (void)state;
  assert_true(number_ok("2") == 2.0);
  assert_true(number_ok("1.5") == 1.5);
  assert_true(number_ok("2.5e-1") == 0.25);
  assert_true(number_ok("0") == 0.0);
  assert_true(number_ok("0.1") == 0.1);
  assert_true(number_ok("1e3") == 1000.0);
  number_bad("-1", NULL);
  number_bad("1m", NULL);
  number_bad("", NULL);
  number_bad(NULL, NULL);
  number_bad("abc", NULL);
  number_bad("1e999", "too large");
}

/* ceil(bytes x 8 x 1e9 / bps), computed in 128 bits. */
static int64_t tx_time_ref(uint64_t bytes, uint64_t bps) {
  __uint128_t bits_ns = (__uint128_t)bytes * 8 * 1000000000ULL;
  return (int64_t)((bits_ns + bps - 1) / bps);
}

static void test_tx_time(void **state) {
  (void)state;
  assert_int_equal(units_tx_time(1500, 10000000), 1200000);
  /* 480 bits at 11 Mb/s: 43636.36... ns, rounded up. */
  assert_int_equal(units_tx_time(60, 11000000), 43637);
  /* Exact quotients are not rounded up. */
  assert_int_equal(units_tx_time(125, 1000000000), 1000);
  assert_int_equal(units_tx_time(0, 9600), 0);
  assert_int_equal(units_tx_time(1, 8000000000ULL), 1);
  assert_int_equal(units_tx_time(1, 3000000000ULL), 3);
  assert_int_equal(units_tx_time(1, UINT64_MAX), 1);
  assert_int_equal(units_tx_time(1500, 9600), 1250000000);
  /* Either side of where the computation moves to 128 bits. */
  const uint64_t edge = UINT64_MAX / (8 * 1000000000ULL);
  static const uint64_t rates[] = {3,        7,         9600,
                                   11000000, 999999937, 100000000000ULL};
  for (uint64_t bytes = edge - 2; bytes <= edge + 2; bytes++)
    for (size_t i = 0; i < G_N_ELEMENTS(rates); i++)
      assert_int_equal(units_tx_time(bytes, rates[i]),
                       tx_time_ref(bytes, rates[i]));
  assert_int_equal(units_tx_time(4000000000ULL, 1000000000), 32000000000LL);
}

/* Error domains are named by the identifier G_DEFINE_QUARK stringifies:
 * a formatter that spaces out "mipsim-units-error-quark" renames them. */
static void test_error_domain_names(void **state) {
  (void)state;
  assert_string_equal(g_quark_to_string(MIPSIM_UNITS_ERROR),
                      "mipsim-units-error-quark");
  assert_string_equal(g_quark_to_string(MIPSIM_ADDR_ERROR),
                      "mipsim-addr-error-quark");
  assert_string_equal(g_quark_to_string(MIPSIM_TRAFFIC_ERROR),
                      "mipsim-traffic-error-quark");
  assert_string_equal(g_quark_to_string(MIPSIM_RESULTS_ERROR),
                      "mipsim-results-error-quark");
  assert_string_equal(g_quark_to_string(MIPSIM_DHCP_ERROR),
                      "mipsim-dhcp-error-quark");
  assert_string_equal(g_quark_to_string(MIPSIM_SCENARIO_ERROR),
                      "mipsim-scenario-error-quark");
  assert_string_equal(g_quark_to_string(MIPSIM_STUDY_ERROR),
                      "mipsim-study-error-quark");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time),
      cmocka_unit_test(test_time_rounding),
      cmocka_unit_test(test_time_rejects),
      cmocka_unit_test(test_rate),
      cmocka_unit_test(test_size),
      cmocka_unit_test(test_count),
      cmocka_unit_test(test_probability),
      cmocka_unit_test(test_distance),
      cmocka_unit_test(test_speed),
      cmocka_unit_test(test_number),
      cmocka_unit_test(test_tx_time),
      cmocka_unit_test(test_error_domain_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
