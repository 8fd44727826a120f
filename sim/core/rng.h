/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named, seeded random streams.  Each consumer owns a stream derived from
 * (scenario seed, run number, stream name), so adding a consumer never
 * changes the numbers another one draws. */
#ifndef MIPSIM_RNG_H
#define MIPSIM_RNG_H

#include <stdint.h>

/* xoshiro256**: 32 bytes of state, so thousands of nodes can each own one
 * (GLib's GRand is a 2.5 KiB Mersenne Twister). */
struct rng {
  uint64_t s[4];
};

void rng_init(struct rng *r, uint64_t seed, uint32_t run, const char *name);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0, 1). */
double rng_uniform(struct rng *r);
/* Uniform integer in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Exponential with the given mean. */
double rng_exponential(struct rng *r, double mean);
/* Pareto with the given mean (> 0) and shape (> 1). */
double rng_pareto(struct rng *r, double mean, double shape);

#endif
