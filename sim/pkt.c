/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet buffers and their per-run pool.  Pooling matters: a forwarded
 * packet must cost no allocation per hop. */
#include "pkt.h"

#include <glib.h>
#include <string.h>

void pkt_pool_init(struct pkt_pool *pool) {
  *pool = (struct pkt_pool){.next_uid = 1};
}

static void release(struct pkt *p) {
  g_free(p->buf);
  g_free(p);
}

void pkt_pool_clear(struct pkt_pool *pool) {
  while (pool->live) {
    struct pkt *p = pool->live;
    pool->live = p->live_next;
    release(p);
  }
  while (pool->free) {
    struct pkt *p = pool->free;
    pool->free = p->free_next;
    release(p);
  }
  pool->live_count = 0;
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
  *p = (struct pkt){.buf = buf, .cap = bufcap, .pool = pool,
                    .l2_dst_index = UINT32_MAX};
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
