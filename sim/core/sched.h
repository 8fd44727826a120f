/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event queue: a 4-ary min-heap of (time, sequence) keys over events
 * embedded in their owners, so scheduling never allocates per event. */
#ifndef MIPSIM_SCHED_H
#define MIPSIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Simulated time: integer nanoseconds. */
#define SIM_NS ((int64_t)1)
#define SIM_US ((int64_t)1000)
#define SIM_MS ((int64_t)1000000)
#define SIM_S ((int64_t)1000000000)
#define SIM_TIME_MAX INT64_MAX

#define SIM_CONTAINER_OF(ptr, type, member)                                    \
  ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct sched_event;
/* Called when the event fires; the event is no longer pending and may be
 * scheduled again from inside the callback.  The owner is found with
 * SIM_CONTAINER_OF. */
typedef void (*sched_fn)(struct sched_event *ev);

/* Embed in the owner; zero-initialised or sched_event_init()ed.  An owner
 * must cancel its pending events before it is freed. */
struct sched_event {
  sched_fn fn;
  uint32_t slot; /* heap index + 1; 0 when not pending */
};

/* The key of a heap slot. */
struct sched_entry {
  int64_t time;
  uint64_t seq;
};

struct sched {
  /* Keys and events of the slots in parallel arrays: the four siblings
   * that a sift compares share one cache line of keys, and only the event
   * of the one it moves is read. */
  struct sched_entry *heap;
  struct sched_event **evs;
  uint32_t len;
  uint32_t cap;
  /* The root slot was popped but not yet refilled: the next schedule (the
   * common case in a simulation, where a handler schedules a successor) is
   * put there with one sift-down instead of a removal plus an insertion. */
  bool hole;
  uint64_t next_seq;
  int64_t now;
  uint64_t dispatched;
};

void sched_init(struct sched *s);
/* Forget every pending event (their owners are about to be freed). */
void sched_clear(struct sched *s);

static inline void sched_event_init(struct sched_event *ev, sched_fn fn) {
  ev->fn = fn;
  ev->slot = 0;
}

static inline bool sched_pending(const struct sched_event *ev) {
  return ev->slot != 0;
}

/* Schedule ev at absolute time t (>= now).  A pending event is moved; its
 * tie-break sequence is renewed, as if cancelled and scheduled again. */
void sched_at(struct sched *s, struct sched_event *ev, int64_t t);
static inline void sched_in(struct sched *s, struct sched_event *ev,
                            int64_t delay) {
  sched_at(s, ev, s->now + delay);
}
/* No-op when ev is not pending. */
void sched_cancel(struct sched *s, struct sched_event *ev);

uint32_t sched_pending_count(const struct sched *s);
/* Time of the earliest pending event, or SIM_TIME_MAX. */
int64_t sched_next_time(struct sched *s);

/* Dispatch every event with time <= until, in (time, sequence) order.
 * Stops early when *stop becomes true (may be NULL); otherwise the clock
 * ends at until (unless until is SIM_TIME_MAX). */
uint64_t sched_run(struct sched *s, int64_t until, const volatile bool *stop);

#endif
