/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark of the event queue under the classic hold model, with and
 * without heavily tied timestamps. */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/core/rng.h"
#include "sim/core/sched.h"

#define REPEATS 5
#define MEAN_DELAY SIM_MS

/* The callback only receives its event, and the owner must be nothing but
 * the event so that the byte count measures the queue, so the queue and the
 * delay stream are globals. */
static struct sched q;
static struct rng delays;

static void hold_untied(struct sched_event *ev) {
  sched_in(&q, ev, (int64_t)rng_exponential(&delays, MEAN_DELAY));
}

/* Whole milliseconds: with N events pending and a 1 ms mean, each tick is
 * shared by about N events, so almost every comparison is decided by the
 * sequence number. */
static void hold_tied(struct sched_event *ev) {
  double ticks = rng_exponential(&delays, 1.0) + 0.5;
  sched_in(&q, ev, (int64_t)ticks * MEAN_DELAY);
}

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

struct result {
  double events_per_s; /* median over REPEATS */
  double bytes_per_event;
};

/* Dispatches about `events` events per repetition: the hold model fires
 * n_pending events per mean delay, so a window of simulated time stands in
 * for a count without any bookkeeping in the callback. */
static struct result hold(uint32_t n_pending, uint64_t events, bool tied) {
  sched_fn fn = tied ? hold_tied : hold_untied;
  struct sched_event *evs = g_new0(struct sched_event, n_pending);
  sched_init(&q);
  rng_init(&delays, 1, 0, tied ? "bench-tied" : "bench-untied");
  for (uint32_t i = 0; i < n_pending; i++) {
    sched_event_init(&evs[i], fn);
    fn(&evs[i]);
  }

  /* Every event fires a few times before measuring, so the queue holds
   * the steady-state mix of times rather than the initial one. */
  sched_run(&q, q.now + 5 * MEAN_DELAY, NULL);

  int64_t window = (int64_t)MAX(events / n_pending, 1) * MEAN_DELAY;
  double rates[REPEATS];
  for (int r = 0; r < REPEATS; r++) {
    double t0 = seconds_now();
    uint64_t n = sched_run(&q, q.now + window, NULL);
    double t1 = seconds_now();
    rates[r] = (double)n / (t1 - t0);
  }
  qsort(rates, REPEATS, sizeof rates[0], cmp_double);

  g_assert(sched_pending_count(&q) == n_pending);
  struct result res = {
      .events_per_s = rates[REPEATS / 2],
      /* A heap slot is a key and an event pointer, in parallel arrays. */
      .bytes_per_event = ((double)q.cap * (sizeof(struct sched_entry) +
                                           sizeof(struct sched_event *)) +
                          (double)n_pending * sizeof(evs[0])) /
                         n_pending,
  };
  sched_clear(&q);
  g_free(evs);
  return res;
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  if (argc > 2 || (argc == 2 && !quick)) {
    fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
    return 2;
  }
  uint64_t div = quick ? 100 : 1;

  struct result u4 = hold(10000, 20000000 / div, false);
  struct result t4 = hold(10000, 20000000 / div, true);
  struct result u6 = hold(1000000, 10000000 / div, false);
  struct result t6 = hold(1000000, 10000000 / div, true);

  printf("hold model, exponential delays (mean 1 ms), median of %d:\n",
         REPEATS);
  printf("  1e4 pending: %.2fM events/s untied, %.2fM tied (1 ms ticks)\n",
         u4.events_per_s / 1e6, t4.events_per_s / 1e6);
  printf("  1e6 pending: %.2fM events/s untied, %.2fM tied (1 ms ticks)\n",
         u6.events_per_s / 1e6, t6.events_per_s / 1e6);
  printf("  bytes per pending event: %.1f at 1e4, %.1f at 1e6 "
         "(heap slots %zu B, event %zu B)\n",
         u4.bytes_per_event, u6.bytes_per_event,
         sizeof(struct sched_entry) + sizeof(struct sched_event *),
         sizeof(struct sched_event));
  printf("bench: hold_1e4_events_per_s %.0f ev/s\n", u4.events_per_s);
  printf("bench: hold_1e6_events_per_s %.0f ev/s\n", u6.events_per_s);
  printf("bench: hold_1e4_tied_events_per_s %.0f ev/s\n", t4.events_per_s);
  printf("bench: hold_1e6_tied_events_per_s %.0f ev/s\n", t6.events_per_s);
  printf("bench: tied_slowdown_1e4 %.2f x\n",
         u4.events_per_s / t4.events_per_s);
  printf("bench: tied_slowdown_1e6 %.2f x\n",
         u6.events_per_s / t6.events_per_s);
  /* At the large size, where memory matters. */
  printf("bench: bytes_per_pending_event %.1f B\n", u6.bytes_per_event);
  return 0;
}
