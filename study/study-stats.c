/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mean, standard deviation and Student's t confidence intervals. */
#include "study/study-stats.h"

#include <math.h>

double stats_t95(guint df) {
  /* t_{0.975, df} for df = 1..30, to three decimals. */
  static const double table[] = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  g_return_val_if_fail(df >= 1, NAN);
  if (df <= G_N_ELEMENTS(table))
    return table[df - 1];
  /* Beyond the table the expansion around the normal quantile is exact to
   * four decimals, better than a flat 1.96 (t(40) is 2.021). */
  const double z = 1.959964;
  double d = df, z3 = z * z * z, z5 = z3 * z * z;
  return z + (z3 + z) / (4 * d) + (5 * z5 + 16 * z3 + 3 * z) / (96 * d * d);
}

struct stats stats_of(const double *v, guint n) {
  struct stats st = {.mean = NAN, .sd = NAN, .ci95 = NAN};
  double sum = 0;
  for (guint i = 0; i < n; i++)
    if (!isnan(v[i])) {
      sum += v[i];
      st.n++;
    }
  if (st.n == 0)
    return st;
  st.mean = sum / st.n;
  if (st.n < 2)
    return st;
  /* Two passes: the squares of deviations, not of values, so that large
   * means with small spreads keep their precision. */
  double ss = 0;
  for (guint i = 0; i < n; i++)
    if (!isnan(v[i]))
      ss += (v[i] - st.mean) * (v[i] - st.mean);
  st.sd = sqrt(ss / (st.n - 1));
  st.ci95 = stats_t95(st.n - 1) * st.sd / sqrt(st.n);
  return st;
}
