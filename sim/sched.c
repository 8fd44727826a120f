/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event queue.  A 4-ary heap keeps the tree shallow (log4 n levels) and
 * the four children of a slot adjacent in memory; keys live in the heap
 * array so comparisons never chase pointers into the events. */
#include "sched.h"

#include <glib.h>

#define ARITY 4

static inline bool entry_before(const struct sched_entry *a,
                                const struct sched_entry *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline void place(struct sched *s, uint32_t i, struct sched_entry e) {
  s->heap[i] = e;
  e.ev->slot = i + 1;
}

static void sift_up(struct sched *s, uint32_t i, struct sched_entry e) {
  while (i > 0) {
    uint32_t parent = (i - 1) / ARITY;
    if (!entry_before(&e, &s->heap[parent]))
      break;
    place(s, i, s->heap[parent]);
    i = parent;
  }
  place(s, i, e);
}

static void sift_down(struct sched *s, uint32_t i, struct sched_entry e) {
  for (;;) {
    uint32_t first = i * ARITY + 1;
    if (first >= s->len)
      break;
    uint32_t last = first + ARITY < s->len ? first + ARITY : s->len;
    uint32_t best = first;
    for (uint32_t c = first + 1; c < last; c++)
      if (entry_before(&s->heap[c], &s->heap[best]))
        best = c;
    if (!entry_before(&s->heap[best], &e))
      break;
    place(s, i, s->heap[best]);
    i = best;
  }
  place(s, i, e);
}

/* Close the hole left at the root by the last pop. */
static void fill_hole(struct sched *s) {
  if (!s->hole)
    return;
  s->hole = false;
  s->len--;
  if (s->len > 0)
    sift_down(s, 0, s->heap[s->len]);
}

void sched_init(struct sched *s) {
  *s = (struct sched){0};
}

void sched_clear(struct sched *s) {
  /* The popped root's owner may already be gone: do not touch it. */
  for (uint32_t i = s->hole ? 1 : 0; i < s->len; i++)
    s->heap[i].ev->slot = 0;
  g_free(s->heap);
  *s = (struct sched){.now = s->now, .next_seq = s->next_seq,
                      .dispatched = s->dispatched};
}

static void remove_at(struct sched *s, uint32_t i) {
  s->heap[i].ev->slot = 0;
  s->len--;
  if (i == s->len)
    return;
  struct sched_entry moved = s->heap[s->len];
  if (i > 0 && entry_before(&moved, &s->heap[(i - 1) / ARITY]))
    sift_up(s, i, moved);
  else
    sift_down(s, i, moved);
}

void sched_at(struct sched *s, struct sched_event *ev, int64_t t) {
  g_return_if_fail(ev->fn != NULL);
  g_return_if_fail(t >= s->now);
  struct sched_entry e = {.time = t, .seq = s->next_seq++, .ev = ev};
  if (s->hole) {
    if (ev->slot == 0) {
      s->hole = false;
      sift_down(s, 0, e);
      return;
    }
    fill_hole(s);
  }
  if (ev->slot != 0)
    remove_at(s, ev->slot - 1);
  if (s->len == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->heap = g_renew(struct sched_entry, s->heap, s->cap);
  }
  s->len++;
  sift_up(s, s->len - 1, e);
}

void sched_cancel(struct sched *s, struct sched_event *ev) {
  if (ev->slot == 0)
    return;
  fill_hole(s);
  remove_at(s, ev->slot - 1);
}

uint32_t sched_pending_count(const struct sched *s) {
  return s->len - (s->hole ? 1 : 0);
}

int64_t sched_next_time(struct sched *s) {
  fill_hole(s);
  return s->len ? s->heap[0].time : SIM_TIME_MAX;
}

uint64_t sched_run(struct sched *s, int64_t until, const volatile bool *stop) {
  uint64_t n = 0;
  for (;;) {
    fill_hole(s);
    if (s->len == 0 || s->heap[0].time > until || (stop && *stop))
      break;
    struct sched_event *ev = s->heap[0].ev;
    s->now = s->heap[0].time;
    ev->slot = 0;
    s->hole = true;
    n++;
    ev->fn(ev);
  }
  fill_hole(s);
  if (until != SIM_TIME_MAX && s->now < until && !(stop && *stop))
    s->now = until;
  s->dispatched += n;
  return n;
}
