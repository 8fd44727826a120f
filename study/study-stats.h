/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sample statistics of replications: mean, standard deviation and the
 * half-width of a 95% confidence interval by Student's t. */
#ifndef MIPSIM_STUDY_STATS_H
#define MIPSIM_STUDY_STATS_H

#include <glib.h>

struct stats {
  guint n;
  double mean;
  double sd;   /* sample (n - 1) standard deviation; NAN when n < 2 */
  double ci95; /* half-width; NAN when n < 2 */
};

/* The two-sided 95% quantile of Student's t with df degrees of freedom
 * (df >= 1): a table up to 30, a Cornish-Fisher expansion beyond. */
double stats_t95(guint df);

/* Statistics of v[0..n); NAN entries (missing values) are left out. */
struct stats stats_of(const double *v, guint n);

#endif
