/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event queue.  A 4-ary heap keeps the tree shallow (log4 n levels) and
 * the four children of a slot adjacent in memory; keys live in their own
 * array so comparisons never chase pointers into the events. */
#include "sim/core/sched.h"

#include <glib.h>
#include <string.h>
#include <sys/mman.h>

#define ARITY 4
#define LINE 64
/* Unused slots in front of the root: the children of slot i, 4i+1..4i+4,
 * then start on a cache line, so a level of a sift reads one line of keys
 * (and half a line of events). */
#define PAD (ARITY - 1)
/* Slots from here on are taken to be out of cache (the keys and events
 * before them take 384 KiB). */
#define DEEP 16384
#define HUGE_PAGE ((size_t)2 << 20)

/* (time, seq) as one number, in the same order. */
static inline __int128 key(const struct sched_entry *k) {
  return (__int128)k->time << 64 | k->seq;
}

/* The earlier of two slots, without a branch: which sibling is earliest is
 * a coin toss that a branch predictor would lose half of the time. */
static inline uint32_t earlier(const struct sched_entry *h, uint32_t a,
                               uint32_t b) {
  uint32_t b_first = key(&h[b]) < key(&h[a]);
  return a ^ ((a ^ b) & (0u - b_first));
}

static inline void prefetch(const void *p, size_t bytes) {
  for (size_t off = 0; off < bytes; off += LINE)
    __builtin_prefetch((const char *)p + off);
}

static inline void place(struct sched *s, uint32_t i, struct sched_entry k,
                         struct sched_event *ev) {
  s->heap[i] = k;
  s->evs[i] = ev;
  ev->slot = i + 1;
}

static void sift_up(struct sched *s, uint32_t i, struct sched_entry k,
                    struct sched_event *ev) {
  while (i > 0) {
    uint32_t parent = (i - 1) / ARITY;
    if (!(key(&k) < key(&s->heap[parent])))
      break;
    place(s, i, s->heap[parent], s->evs[parent]);
    i = parent;
  }
  place(s, i, k, ev);
}

static void sift_down(struct sched *s, uint32_t i, struct sched_entry k,
                      struct sched_event *ev) {
  const struct sched_entry *h = s->heap;
  __int128 kk = key(&k);
  for (;;) {
    size_t first = (size_t)i * ARITY + 1;
    uint32_t best;
    if (first + ARITY <= s->len) {
      /* On a large heap every level below the cached top is a miss, and a
       * sift is a chain of them.  Requesting the grandchildren, and deep
       * down the level below them with its events, while this level is
       * compared overlaps the misses of three levels. */
      size_t grand = first * ARITY + 1, great = grand * ARITY + 1;
      if (grand < s->len)
        prefetch(&h[grand], ARITY * ARITY * sizeof *h);
      if (great >= DEEP && great < s->len) {
        prefetch(&h[great], ARITY * ARITY * ARITY * sizeof *h);
        prefetch(&s->evs[great], ARITY * ARITY * ARITY * sizeof *s->evs);
      }
      best = earlier(h, earlier(h, first, first + 1),
                     earlier(h, first + 2, first + 3));
    } else if (first < s->len) {
      best = first;
      for (uint32_t c = first + 1; c < s->len; c++)
        best = earlier(h, best, c);
    } else {
      break;
    }
    if (!(key(&h[best]) < kk))
      break;
    place(s, i, h[best], s->evs[best]);
    i = best;
  }
  place(s, i, k, ev);
}

/* Close the hole left at the root by the last pop. */
static void fill_hole(struct sched *s) {
  if (!s->hole)
    return;
  s->hole = false;
  s->len--;
  if (s->len > 0)
    sift_down(s, 0, s->heap[s->len], s->evs[s->len]);
}

/* An array of n slots with PAD more in front.  A large one asks for huge
 * pages: a sift on a big heap touches a different page at every level. */
static void *alloc_slots(uint32_t n, size_t size) {
  size_t bytes = ((size_t)n + PAD) * size;
  size_t align = bytes >= HUGE_PAGE ? HUGE_PAGE : LINE;
  char *block = g_aligned_alloc(1, bytes, align);
#ifdef MADV_HUGEPAGE
  if (align == HUGE_PAGE)
    madvise(block, bytes, MADV_HUGEPAGE);
#endif
  return block + PAD * size;
}

static void free_slots(void *slots, size_t size) {
  if (slots)
    g_aligned_free((char *)slots - PAD * size);
}

static void grow(struct sched *s) {
  uint32_t cap = s->cap ? s->cap * 2 : 64;
  struct sched_entry *heap = alloc_slots(cap, sizeof *heap);
  struct sched_event **evs = alloc_slots(cap, sizeof *evs);
  if (s->len) {
    memcpy(heap, s->heap, s->len * sizeof *heap);
    memcpy(evs, s->evs, s->len * sizeof *evs);
  }
  free_slots(s->heap, sizeof *s->heap);
  free_slots(s->evs, sizeof *s->evs);
  s->heap = heap;
  s->evs = evs;
  s->cap = cap;
}

void sched_init(struct sched *s) {
  *s = (struct sched){0};
}

void sched_clear(struct sched *s) {
  /* The popped root's owner may already be gone: do not touch it. */
  for (uint32_t i = s->hole ? 1 : 0; i < s->len; i++)
    s->evs[i]->slot = 0;
  free_slots(s->heap, sizeof *s->heap);
  free_slots(s->evs, sizeof *s->evs);
  *s = (struct sched){
      .now = s->now, .next_seq = s->next_seq, .dispatched = s->dispatched};
}

static void remove_at(struct sched *s, uint32_t i) {
  s->evs[i]->slot = 0;
  s->len--;
  if (i == s->len)
    return;
  struct sched_entry moved = s->heap[s->len];
  struct sched_event *ev = s->evs[s->len];
  if (i > 0 && key(&moved) < key(&s->heap[(i - 1) / ARITY]))
    sift_up(s, i, moved, ev);
  else
    sift_down(s, i, moved, ev);
}

void sched_at(struct sched *s, struct sched_event *ev, int64_t t) {
  g_return_if_fail(ev->fn != NULL);
  g_return_if_fail(t >= s->now);
  struct sched_entry k = {.time = t, .seq = s->next_seq++};
  if (s->hole) {
    if (ev->slot == 0) {
      s->hole = false;
      sift_down(s, 0, k, ev);
      return;
    }
    fill_hole(s);
  }
  if (ev->slot != 0)
    remove_at(s, ev->slot - 1);
  if (s->len == s->cap)
    grow(s);
  s->len++;
  sift_up(s, s->len - 1, k, ev);
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
    struct sched_event *ev = s->evs[0];
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
