/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event queue tests: (time, sequence) order and FIFO ties, cancel and
 * reschedule, the hole left at the root while a callback runs, run limits,
 * the stop flag, clearing, and a long random run checked step by step
 * against a sorted-array model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/core/sched.h"

#define N_OWNERS 5000
/* The random test draws among this many owners, so that about half of
 * them are pending at any time and a schedule often moves a pending one. */
#define RANDOM_OWNERS 256
#define RANDOM_OPS 100000

struct fx;

struct owner {
  struct sched_event ev;
  struct fx *fx;
  uint32_t id;
  /* What the callback does after logging the firing. */
  void (*then)(struct owner *o);
  struct owner *other, *third;
  int64_t at;
  int repeats;
};

struct fire {
  uint32_t id;
  int64_t time;
};

/* The sorted-array reference: pending entries in (time, sequence) order. */
struct model_entry {
  int64_t time;
  uint64_t seq;
  uint32_t id;
};

struct model {
  struct model_entry a[RANDOM_OWNERS];
  uint32_t len;
  uint64_t seq;
  int64_t now;
  bool pending[RANDOM_OWNERS];
};

struct fx {
  struct sched s;
  struct owner owners[N_OWNERS];
  GArray *log; /* of struct fire */
  bool stop;
  /* Random test. */
  struct rng rng;
  struct model model;
  uint64_t fired;
  uint64_t hole_scheds, hole_cancels, hole_moves, clears;
};

static void on_fire(struct sched_event *ev) {
  struct owner *o = SIM_CONTAINER_OF(ev, struct owner, ev);
  assert_false(sched_pending(ev));
  struct fire f = {.id = o->id, .time = o->fx->s.now};
  g_array_append_val(o->fx->log, f);
  if (o->then)
    o->then(o);
}

static int setup(void **state) {
  struct fx *fx = g_new0(struct fx, 1);
  sched_init(&fx->s);
  for (uint32_t i = 0; i < N_OWNERS; i++) {
    fx->owners[i].fx = fx;
    fx->owners[i].id = i;
    sched_event_init(&fx->owners[i].ev, on_fire);
  }
  fx->log = g_array_new(FALSE, FALSE, sizeof(struct fire));
  *state = fx;
  return 0;
}

/* Every test ends with the queue drained or cleared: an event left pending
 * here would fire into a freed owner in a real run. */
static int teardown(void **state) {
  struct fx *fx = *state;
  assert_int_equal(sched_pending_count(&fx->s), 0);
  assert_false(fx->s.hole);
  assert_int_equal(sched_next_time(&fx->s), SIM_TIME_MAX);
  for (uint32_t i = 0; i < N_OWNERS; i++)
    if (sched_pending(&fx->owners[i].ev))
      fail_msg("owner %u still pending", i);
  sched_clear(&fx->s);
  g_array_free(fx->log, TRUE);
  g_free(fx);
  return 0;
}

static struct owner *own(struct fx *fx, uint32_t id) {
  return &fx->owners[id];
}

/* The log holds exactly these ids, at these times. */
static void assert_log(struct fx *fx, const uint32_t *ids, const int64_t *times,
                       guint n) {
  assert_int_equal(fx->log->len, n);
  for (guint i = 0; i < n; i++) {
    struct fire *f = &g_array_index(fx->log, struct fire, i);
    if (f->id != ids[i] || f->time != times[i])
      fail_msg("firing %u: owner %u at %" PRId64 ", expected %u at %" PRId64, i,
               f->id, f->time, ids[i], times[i]);
  }
}

/* Distinct times scheduled in a scrambled order fire sorted by time. */
static void test_time_order(void **state) {
  struct fx *fx = *state;
  static const int64_t t[] = {50, 10, 40, 0, 30, 20, 60, 5, 45, 15};
  for (uint32_t i = 0; i < G_N_ELEMENTS(t); i++)
    sched_at(&fx->s, &own(fx, i)->ev, t[i]);
  assert_int_equal(sched_pending_count(&fx->s), G_N_ELEMENTS(t));
  assert_int_equal(sched_next_time(&fx->s), 0);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), G_N_ELEMENTS(t));
  static const uint32_t ids[] = {3, 7, 1, 9, 5, 4, 2, 8, 0, 6};
  static const int64_t times[] = {0, 5, 10, 15, 20, 30, 40, 45, 50, 60};
  assert_log(fx, ids, times, G_N_ELEMENTS(ids));
  /* Run to the end of time: the clock stays at the last event. */
  assert_int_equal(fx->s.now, 60);
  assert_int_equal(fx->s.dispatched, G_N_ELEMENTS(t));
}

/* Thousands of events at one nanosecond fire in the order they were
 * scheduled, whatever their owners, between the earlier and later times
 * scheduled around them. */
static void test_ties_fifo(void **state) {
  struct fx *fx = *state;
  enum { TIED = N_OWNERS - 4 };
  uint32_t perm[TIED];
  for (uint32_t i = 0; i < TIED; i++)
    perm[i] = i;
  struct rng r;
  rng_init(&r, 42, 0, "test-ties");
  for (uint32_t i = TIED - 1; i > 0; i--) {
    uint32_t j = (uint32_t)rng_below(&r, i + 1);
    uint32_t x = perm[i];
    perm[i] = perm[j];
    perm[j] = x;
  }
  /* Two at 2 ns first, then the ties at 1 ns with two at 0 ns in the
   * middle of them. */
  sched_at(&fx->s, &own(fx, TIED)->ev, 2);
  sched_at(&fx->s, &own(fx, TIED + 1)->ev, 2);
  for (uint32_t i = 0; i < TIED; i++) {
    sched_at(&fx->s, &own(fx, perm[i])->ev, 1);
    if (i == TIED / 2) {
      sched_at(&fx->s, &own(fx, TIED + 3)->ev, 0);
      sched_at(&fx->s, &own(fx, TIED + 2)->ev, 0);
    }
  }
  assert_int_equal(sched_pending_count(&fx->s), N_OWNERS);
  assert_int_equal(sched_run(&fx->s, 10, NULL), N_OWNERS);
  assert_int_equal(fx->log->len, N_OWNERS);
  struct fire *f = &g_array_index(fx->log, struct fire, 0);
  assert_int_equal(f[0].id, TIED + 3);
  assert_int_equal(f[1].id, TIED + 2);
  assert_int_equal(f[0].time, 0);
  assert_int_equal(f[1].time, 0);
  for (uint32_t i = 0; i < TIED; i++) {
    if (f[2 + i].id != perm[i] || f[2 + i].time != 1)
      fail_msg("tie %u: owner %u at %" PRId64 ", expected %u at 1", i,
               f[2 + i].id, f[2 + i].time, perm[i]);
  }
  assert_int_equal(f[N_OWNERS - 2].id, TIED);
  assert_int_equal(f[N_OWNERS - 1].id, TIED + 1);
  assert_int_equal(f[N_OWNERS - 1].time, 2);
  assert_int_equal(fx->s.now, 10);
}

/* Cancelling a pending event removes it wherever it sits in the heap;
 * cancelling one that is not pending changes nothing. */
static void test_cancel(void **state) {
  struct fx *fx = *state;
  /* Never scheduled. */
  sched_cancel(&fx->s, &own(fx, 0)->ev);
  assert_int_equal(sched_pending_count(&fx->s), 0);
  for (uint32_t i = 0; i < 100; i++)
    sched_at(&fx->s, &own(fx, i)->ev, 1000 - 10 * (int64_t)i);
  /* The root (owner 99 at 10), the last slot, and some in between. */
  sched_cancel(&fx->s, &own(fx, 99)->ev);
  assert_false(sched_pending(&own(fx, 99)->ev));
  uint32_t last_owner = UINT32_MAX;
  for (uint32_t i = 0; i < 100; i++)
    if (own(fx, i)->ev.slot == sched_pending_count(&fx->s))
      last_owner = i;
  assert_int_not_equal(last_owner, UINT32_MAX);
  sched_cancel(&fx->s, &own(fx, last_owner)->ev);
  for (uint32_t i = 10; i < 90; i += 7)
    if (i != last_owner)
      sched_cancel(&fx->s, &own(fx, i)->ev);
  /* Twice: the second is a no-op. */
  uint32_t n = sched_pending_count(&fx->s);
  sched_cancel(&fx->s, &own(fx, 10)->ev);
  sched_cancel(&fx->s, &own(fx, 99)->ev);
  assert_int_equal(sched_pending_count(&fx->s), n);
  assert_int_equal(sched_next_time(&fx->s), 20);

  uint32_t expect = 0;
  for (uint32_t i = 0; i < 99; i++)
    if (i != last_owner && !(i >= 10 && i < 90 && (i - 10) % 7 == 0))
      expect++;
  assert_int_equal(n, expect);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), expect);
  assert_int_equal(fx->log->len, expect);
  int64_t prev = -1;
  for (guint i = 0; i < fx->log->len; i++) {
    struct fire *f = &g_array_index(fx->log, struct fire, i);
    assert_true(f->time > prev);
    assert_int_equal(f->time, 1000 - 10 * (int64_t)f->id);
    assert_true(f->id != last_owner && f->id != 99);
    assert_false(f->id >= 10 && f->id < 90 && (f->id - 10) % 7 == 0);
    prev = f->time;
  }
  /* After firing: not pending, cancel is a no-op. */
  sched_cancel(&fx->s, &own(fx, 0)->ev);
  assert_int_equal(sched_pending_count(&fx->s), 0);
}

/* Scheduling a pending event moves it, and renews its place among ties as
 * if it had been cancelled and scheduled again. */
static void test_reschedule(void **state) {
  struct fx *fx = *state;
  struct owner *a = own(fx, 0), *b = own(fx, 1), *c = own(fx, 2),
               *d = own(fx, 3);
  sched_at(&fx->s, &a->ev, 10);
  sched_at(&fx->s, &b->ev, 10);
  sched_at(&fx->s, &c->ev, 10);
  sched_at(&fx->s, &d->ev, 30);
  /* Same time: a goes behind b and c. */
  sched_at(&fx->s, &a->ev, 10);
  assert_int_equal(sched_pending_count(&fx->s), 4);
  /* Later: b after d.  Earlier: d first. */
  sched_at(&fx->s, &b->ev, 40);
  sched_at(&fx->s, &d->ev, 5);
  assert_int_equal(sched_pending_count(&fx->s), 4);
  assert_int_equal(sched_next_time(&fx->s), 5);
  /* sched_in is relative to now (0 here). */
  sched_in(&fx->s, &c->ev, 10);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), 4);
  static const uint32_t ids[] = {3, 0, 2, 1};
  static const int64_t times[] = {5, 10, 10, 40};
  assert_log(fx, ids, times, 4);
}

/* A callback schedules another event: it fills the hole at the root. */
static void then_sched_other(struct owner *o) {
  struct fx *fx = o->fx;
  assert_true(fx->s.hole);
  uint32_t before = sched_pending_count(&fx->s);
  sched_at(&fx->s, &o->other->ev, o->at);
  assert_false(fx->s.hole);
  assert_int_equal(sched_pending_count(&fx->s), before + 1);
}

static void test_hole_schedule_other(void **state) {
  struct fx *fx = *state;
  struct owner *x = own(fx, 0), *y = own(fx, 1), *z = own(fx, 2),
               *w = own(fx, 3), *v = own(fx, 4);
  /* x at 10 schedules z at 10: behind y, already tied at 10.  z schedules
   * w at 15, before v at 20. */
  x->then = then_sched_other;
  x->other = z;
  x->at = 10;
  z->then = then_sched_other;
  z->other = w;
  z->at = 15;
  sched_at(&fx->s, &x->ev, 10);
  sched_at(&fx->s, &y->ev, 10);
  sched_at(&fx->s, &v->ev, 20);
  assert_int_equal(sched_run(&fx->s, 100, NULL), 5);
  static const uint32_t ids[] = {0, 1, 2, 3, 4};
  static const int64_t times[] = {10, 10, 10, 15, 20};
  assert_log(fx, ids, times, 5);

  /* The hole with nothing else pending: the event fills an empty heap. */
  g_array_set_size(fx->log, 0);
  x->other = y;
  x->at = 150;
  z->then = NULL;
  sched_at(&fx->s, &x->ev, 120);
  assert_int_equal(sched_run(&fx->s, 200, NULL), 2);
  static const uint32_t ids2[] = {0, 1};
  static const int64_t times2[] = {120, 150};
  assert_log(fx, ids2, times2, 2);
  assert_int_equal(fx->s.now, 200);
}

/* A callback moves a pending event while the hole is open. */
static void then_move_other(struct owner *o) {
  struct fx *fx = o->fx;
  assert_true(fx->s.hole);
  assert_true(sched_pending(&o->other->ev));
  uint32_t before = sched_pending_count(&fx->s);
  sched_at(&fx->s, &o->other->ev, o->at);
  assert_int_equal(sched_pending_count(&fx->s), before);
}

static void test_hole_move_pending(void **state) {
  struct fx *fx = *state;
  struct owner *x = own(fx, 0), *y = own(fx, 1), *z = own(fx, 2),
               *w = own(fx, 3);
  /* x at 10 moves w from 50 to 10, behind y and z already tied there. */
  x->then = then_move_other;
  x->other = w;
  x->at = 10;
  sched_at(&fx->s, &x->ev, 10);
  sched_at(&fx->s, &y->ev, 10);
  sched_at(&fx->s, &z->ev, 10);
  sched_at(&fx->s, &w->ev, 50);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), 4);
  static const uint32_t ids[] = {0, 1, 2, 3};
  static const int64_t times[] = {10, 10, 10, 10};
  assert_log(fx, ids, times, 4);
  assert_int_equal(fx->s.now, 10);

  /* z at 20 moves y from 30 to 60, past the time limit of the run. */
  g_array_set_size(fx->log, 0);
  z->then = then_move_other;
  z->other = y;
  z->at = 60;
  sched_at(&fx->s, &z->ev, 20);
  sched_at(&fx->s, &y->ev, 30);
  assert_int_equal(sched_run(&fx->s, 50, NULL), 1);
  assert_true(sched_pending(&y->ev));
  assert_int_equal(sched_next_time(&fx->s), 60);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), 1);
  static const uint32_t ids2[] = {2, 1};
  static const int64_t times2[] = {20, 60};
  assert_log(fx, ids2, times2, 2);
}

/* A callback schedules its own event, a few times over. */
static void then_sched_self(struct owner *o) {
  if (o->repeats-- > 0)
    sched_in(&o->fx->s, &o->ev, o->at);
}

static void test_hole_schedule_self(void **state) {
  struct fx *fx = *state;
  struct owner *x = own(fx, 0), *y = own(fx, 1), *z = own(fx, 2);
  /* x at 10 reschedules itself at now + 0 three times: each time behind
   * what is already pending at 10 (y, then nothing). */
  x->then = then_sched_self;
  x->repeats = 3;
  x->at = 0;
  sched_at(&fx->s, &x->ev, 10);
  sched_at(&fx->s, &y->ev, 10);
  sched_at(&fx->s, &z->ev, 11);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), 6);
  static const uint32_t ids[] = {0, 1, 0, 0, 0, 2};
  static const int64_t times[] = {10, 10, 10, 10, 10, 11};
  assert_log(fx, ids, times, 6);

  /* A periodic timer: every 7 ns, five more times. */
  g_array_set_size(fx->log, 0);
  x->repeats = 5;
  x->at = 7;
  sched_at(&fx->s, &x->ev, 100);
  assert_int_equal(sched_run(&fx->s, 1000, NULL), 6);
  for (guint i = 0; i < 6; i++)
    assert_int_equal(g_array_index(fx->log, struct fire, i).time,
                     100 + 7 * (int64_t)i);
  assert_int_equal(fx->s.dispatched, 12);
}

/* A callback cancels pending events while the hole is open, then
 * schedules one (after the cancel closed the hole). */
static void then_cancel_two(struct owner *o) {
  struct fx *fx = o->fx;
  assert_true(fx->s.hole);
  uint32_t before = sched_pending_count(&fx->s);
  sched_cancel(&fx->s, &o->other->ev);
  assert_false(sched_pending(&o->other->ev));
  assert_int_equal(sched_pending_count(&fx->s), before - 1);
  sched_cancel(&fx->s, &o->third->ev);
  assert_int_equal(sched_pending_count(&fx->s), before - 2);
  /* Cancelling itself (not pending) or a cancelled one: no-ops. */
  sched_cancel(&fx->s, &o->ev);
  sched_cancel(&fx->s, &o->other->ev);
  assert_int_equal(sched_pending_count(&fx->s), before - 2);
  sched_at(&fx->s, &o->other->ev, o->at);
  assert_int_equal(sched_pending_count(&fx->s), before - 1);
}

static void test_hole_cancel_other(void **state) {
  struct fx *fx = *state;
  struct owner *x = own(fx, 0), *y = own(fx, 1), *z = own(fx, 2),
               *w = own(fx, 3), *v = own(fx, 4);
  /* x at 10 cancels w (15, the next at the root) and z (30), then puts w
   * back at 25. */
  x->then = then_cancel_two;
  x->other = w;
  x->third = z;
  x->at = 25;
  sched_at(&fx->s, &x->ev, 10);
  sched_at(&fx->s, &y->ev, 20);
  sched_at(&fx->s, &z->ev, 30);
  sched_at(&fx->s, &w->ev, 15);
  sched_at(&fx->s, &v->ev, 40);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), 4);
  static const uint32_t ids[] = {0, 1, 3, 4};
  static const int64_t times[] = {10, 20, 25, 40};
  assert_log(fx, ids, times, 4);
}

/* Probes while the hole is open: the count leaves out the firing event,
 * the next time is that of the next pending one. */
static void then_probe(struct owner *o) {
  struct fx *fx = o->fx;
  assert_true(fx->s.hole);
  assert_int_equal(sched_pending_count(&fx->s), (uint32_t)o->repeats);
  assert_int_equal(sched_next_time(&fx->s), o->at);
  assert_int_equal(sched_pending_count(&fx->s), (uint32_t)o->repeats);
  if (o->other)
    sched_at(&fx->s, &o->other->ev, fx->s.now);
}

static void test_hole_probe(void **state) {
  struct fx *fx = *state;
  struct owner *x = own(fx, 0), *y = own(fx, 1), *z = own(fx, 2),
               *w = own(fx, 3);
  /* x at 10 sees y and z (20) pending and schedules w at 10; z, last,
   * sees nothing pending. */
  x->then = then_probe;
  x->repeats = 2;
  x->at = 20;
  x->other = w;
  z->then = then_probe;
  z->repeats = 0;
  z->at = SIM_TIME_MAX;
  sched_at(&fx->s, &x->ev, 10);
  sched_at(&fx->s, &y->ev, 20);
  sched_at(&fx->s, &z->ev, 20);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), 4);
  static const uint32_t ids[] = {0, 3, 1, 2};
  static const int64_t times[] = {10, 10, 20, 20};
  assert_log(fx, ids, times, 4);
}

/* sched_run dispatches up to and including until, then sets the clock to
 * until; the clock never goes back. */
static void test_run_until(void **state) {
  struct fx *fx = *state;
  /* An empty queue: the clock still advances. */
  assert_int_equal(sched_run(&fx->s, 5, NULL), 0);
  assert_int_equal(fx->s.now, 5);
  sched_at(&fx->s, &own(fx, 0)->ev, 10);
  sched_at(&fx->s, &own(fx, 1)->ev, 20);
  sched_at(&fx->s, &own(fx, 2)->ev, 30);
  assert_int_equal(sched_run(&fx->s, 15, NULL), 1);
  assert_int_equal(fx->s.now, 15);
  assert_int_equal(sched_run(&fx->s, 20, NULL), 1);
  assert_int_equal(fx->s.now, 20);
  assert_int_equal(sched_run(&fx->s, 29, NULL), 0);
  assert_int_equal(fx->s.now, 29);
  /* until in the past: nothing, and no time travel. */
  assert_int_equal(sched_run(&fx->s, 3, NULL), 0);
  assert_int_equal(fx->s.now, 29);
  assert_int_equal(sched_next_time(&fx->s), 30);
  sched_in(&fx->s, &own(fx, 3)->ev, 1);
  assert_int_equal(sched_next_time(&fx->s), 30);
  assert_int_equal(sched_run(&fx->s, SIM_TIME_MAX, NULL), 2);
  /* 3 was scheduled after 2: behind it at 30. */
  static const uint32_t ids[] = {0, 1, 2, 3};
  static const int64_t times[] = {10, 20, 30, 30};
  assert_log(fx, ids, times, 4);
  assert_int_equal(fx->s.now, 30);
  assert_int_equal(fx->s.dispatched, 4);
}

static void then_stop(struct owner *o) {
  o->fx->stop = true;
}

/* The stop flag ends the run after the event that raised it, leaving the
 * clock at that event. */
static void test_stop(void **state) {
  struct fx *fx = *state;
  for (uint32_t i = 0; i < 5; i++)
    sched_at(&fx->s, &own(fx, i)->ev, 10 * (int64_t)(i + 1));
  own(fx, 1)->then = then_stop;
  assert_int_equal(sched_run(&fx->s, 100, &fx->stop), 2);
  assert_int_equal(fx->s.now, 20);
  assert_int_equal(sched_pending_count(&fx->s), 3);
  /* Still raised: nothing runs, the clock stays. */
  assert_int_equal(sched_run(&fx->s, 100, &fx->stop), 0);
  assert_int_equal(fx->s.now, 20);
  fx->stop = false;
  assert_int_equal(sched_run(&fx->s, 100, &fx->stop), 3);
  assert_int_equal(fx->s.now, 100);
  static const uint32_t ids[] = {0, 1, 2, 3, 4};
  static const int64_t times[] = {10, 20, 30, 40, 50};
  assert_log(fx, ids, times, 5);
}

static void then_clear(struct owner *o) {
  sched_clear(&o->fx->s);
}

/* sched_clear forgets every pending event, keeps the clock, and leaves a
 * usable queue; also from inside a callback. */
static void test_clear(void **state) {
  struct fx *fx = *state;
  for (uint32_t i = 0; i < 1000; i++)
    sched_at(&fx->s, &own(fx, i)->ev, 1 + i % 17);
  assert_int_equal(sched_run(&fx->s, 3, NULL), 1000 / 17 * 3 + 3);
  sched_clear(&fx->s);
  assert_int_equal(sched_pending_count(&fx->s), 0);
  assert_int_equal(sched_next_time(&fx->s), SIM_TIME_MAX);
  for (uint32_t i = 0; i < 1000; i++)
    assert_false(sched_pending(&own(fx, i)->ev));
  assert_int_equal(fx->s.now, 3);
  assert_int_equal(fx->s.dispatched, 1000 / 17 * 3 + 3);
  /* Clearing an empty queue. */
  sched_clear(&fx->s);

  /* Reusable, ties still FIFO. */
  g_array_set_size(fx->log, 0);
  sched_at(&fx->s, &own(fx, 5)->ev, 4);
  sched_at(&fx->s, &own(fx, 4)->ev, 4);
  /* 4 clears the queue from its callback (5 is pending). */
  own(fx, 4)->then = then_clear;
  sched_at(&fx->s, &own(fx, 6)->ev, 4);
  sched_at(&fx->s, &own(fx, 7)->ev, 9);
  assert_int_equal(sched_run(&fx->s, 10, NULL), 2);
  static const uint32_t ids[] = {5, 4};
  static const int64_t times[] = {4, 4};
  assert_log(fx, ids, times, 2);
  assert_false(sched_pending(&own(fx, 6)->ev));
  assert_false(sched_pending(&own(fx, 7)->ev));
  assert_int_equal(fx->s.now, 10);
}

/* The owner of the firing event is done with: its memory is freed or
 * reused (here poisoned), then the whole queue is forgotten. */
static void then_poison_and_clear(struct owner *o) {
  struct fx *fx = o->fx;
  memset(&o->ev, 0xa5, sizeof o->ev);
  sched_clear(&fx->s);
  const uint8_t *bytes = (const uint8_t *)&o->ev;
  for (size_t i = 0; i < sizeof o->ev; i++)
    assert_int_equal(bytes[i], 0xa5);
  sched_event_init(&o->ev, on_fire);
}

struct heap_owner {
  struct sched_event ev;
  struct fx *fx;
};

static void free_self_and_clear(struct sched_event *ev) {
  struct heap_owner *h = SIM_CONTAINER_OF(ev, struct heap_owner, ev);
  struct fx *fx = h->fx;
  g_free(h);
  /* Under valgrind or ASan, touching h now is an error. */
  sched_clear(&fx->s);
}

/* sched_clear with the hole open leaves the popped root's owner alone. */
static void test_clear_after_owner_gone(void **state) {
  struct fx *fx = *state;
  struct owner *x = own(fx, 0);
  x->then = then_poison_and_clear;
  sched_at(&fx->s, &x->ev, 10);
  for (uint32_t i = 1; i < 10; i++)
    sched_at(&fx->s, &own(fx, i)->ev, 10 + i);
  assert_int_equal(sched_run(&fx->s, 100, NULL), 1);
  for (uint32_t i = 1; i < 10; i++)
    assert_false(sched_pending(&own(fx, i)->ev));

  struct heap_owner *h = g_new0(struct heap_owner, 1);
  h->fx = fx;
  sched_event_init(&h->ev, free_self_and_clear);
  sched_at(&fx->s, &h->ev, 200);
  for (uint32_t i = 1; i < 10; i++)
    sched_at(&fx->s, &own(fx, i)->ev, 200 + i);
  assert_int_equal(sched_run(&fx->s, 300, NULL), 1);
  assert_int_equal(sched_pending_count(&fx->s), 0);
  assert_int_equal(fx->s.now, 300);
}

/* The model. */

static bool model_before(const struct model_entry *a,
                         const struct model_entry *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void model_remove(struct model *m, uint32_t id) {
  if (!m->pending[id])
    return;
  for (uint32_t i = 0; i < m->len; i++) {
    if (m->a[i].id != id)
      continue;
    memmove(&m->a[i], &m->a[i + 1], (m->len - i - 1) * sizeof m->a[0]);
    m->len--;
    m->pending[id] = false;
    return;
  }
  fail_msg("model lost owner %u", id);
}

static void model_sched(struct model *m, uint32_t id, int64_t t) {
  model_remove(m, id);
  struct model_entry e = {.time = t, .seq = m->seq++, .id = id};
  uint32_t lo = 0, hi = m->len;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (model_before(&m->a[mid], &e))
      lo = mid + 1;
    else
      hi = mid;
  }
  memmove(&m->a[lo + 1], &m->a[lo], (m->len - lo) * sizeof m->a[0]);
  m->a[lo] = e;
  m->len++;
  m->pending[id] = true;
}

/* Mostly ties (0-2 ns), some short and some long delays. */
static int64_t random_delay(struct rng *r) {
  uint64_t k = rng_below(r, 10);
  if (k < 5)
    return (int64_t)rng_below(r, 3);
  if (k < 9)
    return (int64_t)rng_below(r, 1000);
  return (int64_t)rng_below(r, 1000000);
}

static void random_op(struct fx *fx, struct owner *self);

static void random_fire(struct sched_event *ev) {
  struct owner *o = SIM_CONTAINER_OF(ev, struct owner, ev);
  struct fx *fx = o->fx;
  struct model *m = &fx->model;
  assert_false(sched_pending(ev));
  if (m->len == 0 || m->a[0].id != o->id || m->a[0].time != fx->s.now)
    fail_msg("dispatch %" PRIu64 ": owner %u at %" PRId64
             ", model expects owner %u at %" PRId64,
             fx->fired, o->id, fx->s.now, m->len ? m->a[0].id : UINT32_MAX,
             m->len ? m->a[0].time : -1);
  m->now = fx->s.now;
  model_remove(m, o->id);
  fx->fired++;
  for (uint64_t k = rng_below(&fx->rng, 3); k > 0; k--)
    random_op(fx, o);
}

static void random_run(struct fx *fx) {
  struct model *m = &fx->model;
  int64_t until = m->now + (int64_t)rng_below(&fx->rng, 500);
  uint64_t fired = fx->fired;
  uint64_t n = sched_run(&fx->s, until, &fx->stop);
  assert_int_equal(n, fx->fired - fired);
  if (fx->stop) {
    /* The clock stays at the event that raised the flag. */
    fx->stop = false;
  } else {
    assert_true(m->len == 0 || m->a[0].time > until);
    if (until > m->now)
      m->now = until;
  }
  assert_int_equal(fx->s.now, m->now);
}

/* One random operation; self is the firing owner inside a callback, NULL
 * at top level. */
static void random_op(struct fx *fx, struct owner *self) {
  struct model *m = &fx->model;
  struct rng *r = &fx->rng;
  struct owner *o = self && rng_below(r, 4) == 0
                        ? self
                        : own(fx, (uint32_t)rng_below(r, RANDOM_OWNERS));
  /* Inside a callback: no run and no clear. */
  uint64_t k = rng_below(r, self ? 765 : 1000);
  if (k < 450) {
    int64_t t = m->now + random_delay(r);
    if (fx->s.hole && sched_pending(&o->ev))
      fx->hole_moves++;
    else if (fx->s.hole)
      fx->hole_scheds++;
    sched_at(&fx->s, &o->ev, t);
    model_sched(m, o->id, t);
  } else if (k < 650) {
    if (fx->s.hole && sched_pending(&o->ev))
      fx->hole_cancels++;
    sched_cancel(&fx->s, &o->ev);
    model_remove(m, o->id);
  } else if (k < 720) {
    assert_int_equal(sched_pending_count(&fx->s), m->len);
  } else if (k < 760) {
    assert_int_equal(sched_next_time(&fx->s),
                     m->len ? m->a[0].time : SIM_TIME_MAX);
  } else if (k < 765 && self) {
    fx->stop = true;
  } else if (k < 999) {
    if (!self)
      random_run(fx);
  } else if (!self) {
    sched_clear(&fx->s);
    memset(m->pending, 0, sizeof m->pending);
    m->len = 0;
    fx->clears++;
  }
  assert_true(sched_pending(&o->ev) == m->pending[o->id]);
}

static void test_random_against_model(void **state) {
  struct fx *fx = *state;
  struct model *m = &fx->model;
  rng_init(&fx->rng, 20240601, 0, "test-sched-random");
  for (uint32_t i = 0; i < RANDOM_OWNERS; i++)
    sched_event_init(&own(fx, i)->ev, random_fire);
  for (uint32_t op = 0; op < RANDOM_OPS; op++) {
    assert_int_equal(fx->s.now, m->now);
    random_op(fx, NULL);
    if (op % 1000 == 0) {
      assert_int_equal(sched_pending_count(&fx->s), m->len);
      for (uint32_t i = 0; i < RANDOM_OWNERS; i++)
        assert_true(sched_pending(&own(fx, i)->ev) == m->pending[i]);
    }
  }
  /* Drain, still checked event by event. */
  while (m->len > 0) {
    uint64_t fired = fx->fired;
    uint64_t n = sched_run(&fx->s, SIM_TIME_MAX, &fx->stop);
    assert_int_equal(n, fx->fired - fired);
    fx->stop = false;
  }
  assert_int_equal(sched_pending_count(&fx->s), 0);
  assert_int_equal(fx->s.dispatched, fx->fired);
  /* The run exercised what it is meant to. */
  print_message("random: %" PRIu64 " dispatched; in callbacks %" PRIu64
                " schedules into the hole, %" PRIu64 " moves, %" PRIu64
                " cancels; %" PRIu64 " clears\n",
                fx->fired, fx->hole_scheds, fx->hole_moves, fx->hole_cancels,
                fx->clears);
  assert_true(fx->fired > 50000);
  assert_true(fx->hole_scheds > 10000);
  assert_true(fx->hole_moves > 1000);
  assert_true(fx->hole_cancels > 500);
  assert_true(fx->clears > 10);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_time_order),
      T(test_ties_fifo),
      T(test_cancel),
      T(test_reschedule),
      T(test_hole_schedule_other),
      T(test_hole_move_pending),
      T(test_hole_schedule_self),
      T(test_hole_cancel_other),
      T(test_hole_probe),
      T(test_run_until),
      T(test_stop),
      T(test_clear),
      T(test_clear_after_owner_gone),
      T(test_random_against_model),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
