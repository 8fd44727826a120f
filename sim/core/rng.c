/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Random streams: xoshiro256** seeded through SplitMix64 from a hash of
 * (seed, run, name). */
#include "sim/core/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

void rng_init(struct rng *r, uint64_t seed, uint32_t run, const char *name) {
  uint64_t x = seed;
  uint64_t mixed = splitmix64(&x) ^ fnv1a64(name);
  x = mixed + ((uint64_t)run << 32 | run);
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t v, int k) {
  return (v << k) | (v >> (64 - k));
}

uint64_t rng_u64(struct rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double rng_uniform(struct rng *r) {
  return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t rng_below(struct rng *r, uint64_t n) {
  /* Lemire's rejection keeps the draw unbiased for any n. */
  uint64_t threshold = -n % n;
  for (;;) {
    uint64_t x = rng_u64(r);
    __uint128_t m = (__uint128_t)x * n;
    if ((uint64_t)m >= threshold)
      return (uint64_t)(m >> 64);
  }
}

double rng_exponential(struct rng *r, double mean) {
  return -mean * log1p(-rng_uniform(r));
}

double rng_pareto(struct rng *r, double mean, double shape) {
  double scale = mean * (shape - 1.0) / shape;
  return scale / pow(1.0 - rng_uniform(r), 1.0 / shape);
}
