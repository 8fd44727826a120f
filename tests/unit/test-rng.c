/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Random stream tests: the generator against its published output,
 * reproducibility and separation of named streams, and the distributions,
 * each with a fixed seed and a tolerance derived from the distribution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include <glib.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "sim/core/rng.h"

/* xoshiro256** from the state {1, 2, 3, 4}: the reference
 * implementation's first outputs (by hand: the first is
 * rotl(2 * 5, 7) * 9 = 11520, the second is 0 because s[1] becomes 0). */
static void test_generator_reference(void **state) {
  (void)state;
  struct rng r = {.s = {1, 2, 3, 4}};
  static const uint64_t expect[] = {11520ULL,
                                    0ULL,
                                    1509978240ULL,
                                    1215971899390074240ULL,
                                    1216172134540287360ULL,
                                    607988272756665600ULL};
  for (size_t i = 0; i < G_N_ELEMENTS(expect); i++)
    assert_int_equal(rng_u64(&r), expect[i]);
}

static void draw(uint64_t seed, uint32_t run, const char *name, uint64_t *out,
                 size_t n) {
  struct rng r;
  rng_init(&r, seed, run, name);
  for (size_t i = 0; i < n; i++)
    out[i] = rng_u64(&r);
}

/* How many of n positions two sequences share. */
static size_t same_positions(const uint64_t *a, const uint64_t *b, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += a[i] == b[i];
  return k;
}

#define SEQ 1000

static void test_same_triple_same_sequence(void **state) {
  (void)state;
  uint64_t a[SEQ], b[SEQ];
  draw(7, 3, "link:l1", a, SEQ);
  draw(7, 3, "link:l1", b, SEQ);
  assert_memory_equal(a, b, sizeof a);
  /* The name is read, not its address. */
  char name[] = "link:l1";
  draw(7, 3, name, b, SEQ);
  assert_memory_equal(a, b, sizeof a);
  /* Another stream drawn in between changes nothing. */
  struct rng r1, r2;
  rng_init(&r1, 7, 3, "link:l1");
  rng_init(&r2, 7, 3, "other");
  for (size_t i = 0; i < SEQ; i++) {
    (void)rng_u64(&r2);
    assert_int_equal(rng_u64(&r1), a[i]);
  }
}

/* Changing any of seed, run or name gives an unrelated sequence: no
 * position in common (a 64-bit coincidence has probability 2^-54 here). */
static void test_different_triple_differs(void **state) {
  (void)state;
  uint64_t base[SEQ], other[SEQ];
  draw(7, 3, "link:l1", base, SEQ);
  draw(7, 3, "link:l2", other, SEQ);
  assert_int_equal(same_positions(base, other, SEQ), 0);
  draw(7, 3, "", other, SEQ);
  assert_int_equal(same_positions(base, other, SEQ), 0);
  draw(8, 3, "link:l1", other, SEQ);
  assert_int_equal(same_positions(base, other, SEQ), 0);
  draw(7, 4, "link:l1", other, SEQ);
  assert_int_equal(same_positions(base, other, SEQ), 0);
  draw(7, 3 + (1u << 31), "link:l1", other, SEQ);
  assert_int_equal(same_positions(base, other, SEQ), 0);
  /* A seed differing only in its high bits. */
  draw(7 | (1ULL << 63), 3, "link:l1", other, SEQ);
  assert_int_equal(same_positions(base, other, SEQ), 0);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* A grid of 16 seeds x 16 runs x 4 names: 1024 distinct streams (no two
 * share a first output), so no simple combination of seed and run
 * cancels out. */
static void test_stream_grid_distinct(void **state) {
  (void)state;
  static const char *names[] = {"", "a", "b", "node:r1"};
  enum { N = 16 * 16 * 4 };
  uint64_t *first = g_new(uint64_t, N);
  size_t k = 0;
  for (uint64_t seed = 0; seed < 16; seed++)
    for (uint32_t run = 0; run < 16; run++)
      for (size_t n = 0; n < G_N_ELEMENTS(names); n++) {
        struct rng r;
        rng_init(&r, seed, run, names[n]);
        first[k++] = rng_u64(&r);
      }
  qsort(first, N, sizeof first[0], cmp_u64);
  for (size_t i = 1; i < N; i++)
    assert_true(first[i] != first[i - 1]);
  g_free(first);
}

/* Adjacent runs of one stream are uncorrelated: over n = 1e5 pairs of
 * uniforms the sample correlation has standard deviation 1/sqrt(n) =
 * 0.0032; six of them is 0.019. */
static void test_adjacent_runs_uncorrelated(void **state) {
  (void)state;
  enum { N = 100000 };
  struct rng a, b;
  rng_init(&a, 1, 0, "loss");
  rng_init(&b, 1, 1, "loss");
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < N; i++) {
    double x = rng_uniform(&a), y = rng_uniform(&b);
    sa += x;
    sb += y;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  double cov = sab / N - (sa / N) * (sb / N);
  double corr = cov / sqrt((saa / N - (sa / N) * (sa / N)) *
                           (sbb / N - (sb / N) * (sb / N)));
  assert_true(fabs(corr) < 6.0 / sqrt(N));
}

static void test_uniform_range(void **state) {
  (void)state;
  struct rng r;
  rng_init(&r, 5, 0, "uniform");
  double lo = 1, hi = 0, sum = 0;
  enum { N = 1000000 };
  for (int i = 0; i < N; i++) {
    double u = rng_uniform(&r);
    lo = MIN(lo, u);
    hi = MAX(hi, u);
    sum += u;
  }
  assert_true(lo >= 0.0 && hi < 1.0);
  /* The extremes are reached to within about 1/N. */
  assert_true(lo < 20.0 / N && hi > 1.0 - 20.0 / N);
  /* Mean 1/2, standard deviation of the mean sqrt(1/12 / N) = 0.00029. */
  assert_true(fabs(sum / N - 0.5) < 6 * sqrt(1.0 / 12 / N));
}

static void test_below_range(void **state) {
  (void)state;
  struct rng r;
  rng_init(&r, 5, 0, "below");
  static const uint64_t bounds[] = {1,
                                    2,
                                    3,
                                    7,
                                    1000,
                                    (1ULL << 32) + 1,
                                    (1ULL << 63) + 1,
                                    UINT64_MAX - 1,
                                    UINT64_MAX};
  for (size_t b = 0; b < G_N_ELEMENTS(bounds); b++) {
    uint64_t max = 0;
    for (int i = 0; i < 10000; i++) {
      uint64_t v = rng_below(&r, bounds[b]);
      assert_true(v < bounds[b]);
      max = MAX(max, v);
    }
    /* The upper part of the range is reached. */
    if (bounds[b] > 1)
      assert_true(max >= bounds[b] - 1 - bounds[b] / 100);
    else
      assert_int_equal(max, 0);
  }
}

/* The upper p-quantile of a chi-square with df degrees of freedom, by
 * Wilson and Hilferty's cube-root normal approximation, z the normal
 * quantile of p. */
static double chi2_quantile(double df, double z) {
  double c = 2.0 / (9.0 * df);
  double x = 1.0 - c + z * sqrt(c);
  return df * x * x * x;
}

/* Standard normal quantile of 1 - 1e-6. */
#define Z_1E6 4.753

/* k equally likely cells: the chi-square statistic of 1e6 draws against
 * uniform lies within the two-sided 1e-6 quantiles of its distribution
 * (df = k - 1): for k = 100, between 45.7 and 181.  Too small a statistic
 * would mean draws that are too even to be random. */
static void check_chi2_below(uint64_t k, const char *name) {
  enum { N = 1000000 };
  struct rng r;
  rng_init(&r, 11, 0, name);
  uint64_t *cells = g_new0(uint64_t, k);
  for (int i = 0; i < N; i++)
    cells[rng_below(&r, k)]++;
  double expect = (double)N / (double)k, chi2 = 0;
  for (uint64_t c = 0; c < k; c++)
    chi2 += ((double)cells[c] - expect) * ((double)cells[c] - expect) / expect;
  g_free(cells);
  double df = (double)(k - 1);
  double lo = chi2_quantile(df, -Z_1E6), hi = chi2_quantile(df, Z_1E6);
  print_message("rng_below(%" PRIu64 "): chi2 %.1f, accepted [%.1f, %.1f]\n", k,
                chi2, lo, hi);
  assert_true(chi2 > lo && chi2 < hi);
}

static void test_below_chi_square(void **state) {
  (void)state;
  check_chi2_below(100, "chi2-100");
  check_chi2_below(7, "chi2-7");
  check_chi2_below(1000, "chi2-1000");
}

/* n = 3 x 2^62, bucketed by value mod 3: a multiply-shift without the
 * rejection step would give bucket 0 half of all draws (two preimages for
 * every third value).  With rejection each bucket has a third; the
 * chi-square with 2 degrees of freedom is exponential with mean 2, so
 * it exceeds -2 ln(1e-6) = 27.6 with probability 1e-6. */
static void test_below_unbiased_large_bound(void **state) {
  (void)state;
  enum { N = 300000 };
  const uint64_t n = 3ULL << 62;
  struct rng r;
  rng_init(&r, 11, 0, "chi2-large");
  uint64_t cells[3] = {0, 0, 0};
  for (int i = 0; i < N; i++)
    cells[rng_below(&r, n) % 3]++;
  double expect = N / 3.0, chi2 = 0;
  for (int c = 0; c < 3; c++)
    chi2 += ((double)cells[c] - expect) * ((double)cells[c] - expect) / expect;
  assert_true(chi2 < -2.0 * log(1e-6));
}

/* Exponential of mean 2.5: mean within 1% over 1e6 draws (its standard
 * deviation is 0.1%), and P(X > mean) = 1/e within six binomial standard
 * deviations, sqrt(p (1 - p) / n) = 0.00048. */
static void test_exponential(void **state) {
  (void)state;
  enum { N = 1000000 };
  const double mean = 2.5;
  struct rng r;
  rng_init(&r, 3, 0, "exponential");
  double sum = 0;
  uint64_t above = 0;
  for (int i = 0; i < N; i++) {
    double x = rng_exponential(&r, mean);
    assert_true(x >= 0.0 && isfinite(x));
    sum += x;
    above += x > mean;
  }
  assert_true(fabs(sum / N - mean) < 0.01 * mean);
  double p = exp(-1.0);
  assert_true(fabs((double)above / N - p) < 6 * sqrt(p * (1 - p) / N));
}

/* Pareto of shape a = 3 and mean m: scale x_m = m (a - 1) / a, so every
 * draw is at least 2m/3, and the variance is m^2 / (a (a - 2)) = m^2 / 3.
 * Over n = 1e6 draws the mean has standard deviation m / sqrt(3n) =
 * 0.058% of m; the tolerance is six of them.  P(X > 2 x_m) = 2^-a = 1/8,
 * within six binomial standard deviations, which pins the shape. */
static void test_pareto(void **state) {
  (void)state;
  enum { N = 1000000 };
  const double mean = 4.0, shape = 3.0;
  const double scale = mean * (shape - 1) / shape;
  struct rng r;
  rng_init(&r, 3, 0, "pareto");
  double sum = 0;
  uint64_t above = 0;
  for (int i = 0; i < N; i++) {
    double x = rng_pareto(&r, mean, shape);
    assert_true(x >= scale && isfinite(x));
    sum += x;
    above += x > 2 * scale;
  }
  double tol = 6 * mean / sqrt(shape * (shape - 2) * N);
  print_message("pareto: mean %.5f, expected %.1f +- %.5f\n", sum / N, mean,
                tol);
  assert_true(fabs(sum / N - mean) < tol);
  assert_true(fabs((double)above / N - 0.125) < 6 * sqrt(0.125 * 0.875 / N));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_generator_reference),
      cmocka_unit_test(test_same_triple_same_sequence),
      cmocka_unit_test(test_different_triple_differs),
      cmocka_unit_test(test_stream_grid_distinct),
      cmocka_unit_test(test_adjacent_runs_uncorrelated),
      cmocka_unit_test(test_uniform_range),
      cmocka_unit_test(test_below_range),
      cmocka_unit_test(test_below_chi_square),
      cmocka_unit_test(test_below_unbiased_large_bound),
      cmocka_unit_test(test_exponential),
      cmocka_unit_test(test_pareto),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
