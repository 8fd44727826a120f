/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet buffers and their per-run pool.  Pooling matters: a forwarded
 * packet must cost no allocation per hop. */
#include "sim/core/pkt.h"

#include <glib.h>
#include <string.h>

void pkt_pool_init(struct pkt_pool *pool) {
  *pool = (struct pkt_pool){.next_uid = 1};
}

static void release(struct pkt *p) {
  g_free(p->buf);
  g_free(p);
}

/* How many leaked packets a warning names: the first few tell where to
 * look, LeakSanitizer lists the rest. */
#define LEAKS_NAMED 4

void pkt_pool_clear(struct pkt_pool *pool) {
  while (pool->free) {
    struct pkt *p = pool->free;
    pool->free = p->free_next;
    release(p);
  }
  if (pool->live_count == 0)
    return;
  GString *named = g_string_new(NULL);
  int i = 0;
  for (const struct pkt *p = pool->live; p && i < LEAKS_NAMED;
       p = p->live_next, i++)
    g_string_append_printf(
        named, " uid %" G_GUINT64_FORMAT " (flow %u seq %u, %u bytes)",
        p->meta.uid, p->meta.flow, p->meta.seq, p->len);
  g_warning("%" G_GUINT64_FORMAT " packets leaked:%s%s", pool->live_count,
            named->str, pool->live_count > LEAKS_NAMED ? " ..." : "");
  g_string_free(named, TRUE);
  /* The live list stays as it is: unreachable once the pool's owner is
   * freed, which is what LeakSanitizer reports. */
  pool->live = NULL;
  pool->live_count = 0;
}

uint64_t pkt_pool_drop_in_flight(struct pkt_pool *pool, struct sched *s) {
  uint64_t n = 0;
  struct pkt *p = pool->live;
  while (p) {
    struct pkt *next = p->live_next;
    if (sched_pending(&p->ev)) {
      sched_cancel(s, &p->ev);
      pkt_free(p);
      n++;
    }
    p = next;
  }
  return n;
}

static struct pkt *take(struct pkt_pool *pool, uint32_t cap) {
  struct pkt *p;
  if (cap <= PKT_POOL_BUF && pool->free) {
    p = pool->free;
    pool->free = p->free_next;
  } else {
    p = g_new(struct pkt, 1);
    p->cap = cap <= PKT_POOL_BUF ? PKT_POOL_BUF : cap;
    p->buf = g_malloc(p->cap);
  }
  uint8_t *buf = p->buf;
  uint32_t bufcap = p->cap;
  *p = (struct pkt){
      .buf = buf, .cap = bufcap, .pool = pool, .l2_dst_index = UINT32_MAX};
  p->live_next = pool->live;
  if (pool->live)
    pool->live->live_prev = p;
  pool->live = p;
  pool->live_count++;
  pool->allocated++;
  return p;
}

struct pkt *pkt_new(struct pkt_pool *pool, uint32_t len) {
  struct pkt *p = take(pool, PKT_HEADROOM + len);
  p->head = PKT_HEADROOM;
  p->data = p->buf + p->head;
  p->len = len;
  memset(p->data, 0, len);
  p->meta.uid = pool->next_uid++;
  return p;
}

struct pkt *pkt_clone(const struct pkt *src) {
  uint32_t head = src->head < PKT_HEADROOM ? PKT_HEADROOM : src->head;
  struct pkt *p = take(src->pool, head + src->len);
  p->head = head;
  p->data = p->buf + head;
  p->len = src->len;
  memcpy(p->data, src->data, src->len);
  p->meta = src->meta;
  return p;
}

void pkt_free(struct pkt *p) {
  if (!p)
    return;
  struct pkt_pool *pool = p->pool;
  g_assert(!sched_pending(&p->ev));
  if (p->live_prev)
    p->live_prev->live_next = p->live_next;
  else
    pool->live = p->live_next;
  if (p->live_next)
    p->live_next->live_prev = p->live_prev;
  pool->live_count--;
  if (p->cap == PKT_POOL_BUF) {
    p->free_next = pool->free;
    pool->free = p;
  } else {
    release(p);
  }
}

uint8_t *pkt_push(struct pkt *p, uint32_t n) {
  if (p->head < n) {
    uint32_t head = n + PKT_HEADROOM;
    uint32_t cap = head + p->len;
    uint8_t *buf = g_malloc(cap < PKT_POOL_BUF ? PKT_POOL_BUF : cap);
    memcpy(buf + head, p->data, p->len);
    g_free(p->buf);
    p->buf = buf;
    p->cap = cap < PKT_POOL_BUF ? PKT_POOL_BUF : cap;
    p->head = head;
    p->data = buf + head;
  }
  p->head -= n;
  p->data -= n;
  p->len += n;
  return p->data;
}

bool pkt_pull(struct pkt *p, uint32_t n) {
  if (n > p->len)
    return false;
  p->head += n;
  p->data += n;
  p->len -= n;
  return true;
}

bool pkt_trim(struct pkt *p, uint32_t len) {
  if (len > p->len)
    return false;
  p->len = len;
  return true;
}

uint8_t *pkt_put(struct pkt *p, uint32_t n) {
  if (p->head + p->len + n > p->cap) {
    uint32_t cap = p->head + p->len + n;
    p->buf = g_realloc(p->buf, cap);
    p->cap = cap;
    p->data = p->buf + p->head;
  }
  uint8_t *tail = p->data + p->len;
  memset(tail, 0, n);
  p->len += n;
  return tail;
}
