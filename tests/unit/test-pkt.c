/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet buffer tests: push, pull, trim and put, growth that keeps the
 * bytes, clones, bounds-checked reads, and the pool's live list and free
 * list.  Every test ends with no packet live (checked in teardown). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <glib.h>
#include <string.h>

#include "sim/core/pkt.h"

static int setup(void **state) {
  struct pkt_pool *pool = g_new(struct pkt_pool, 1);
  pkt_pool_init(pool);
  *state = pool;
  return 0;
}

/* Leak check: every packet a test took went back. */
static int teardown(void **state) {
  struct pkt_pool *pool = *state;
  assert_null(pool->live);
  test_pool_free_checked(pool);
  g_free(pool);
  return 0;
}

/* The live list holds exactly live_count packets, doubly linked. */
static void assert_live_list(const struct pkt_pool *pool) {
  uint64_t n = 0;
  const struct pkt *prev = NULL;
  for (const struct pkt *p = pool->live; p; p = p->live_next) {
    assert_ptr_equal(p->live_prev, prev);
    assert_ptr_equal(p->pool, pool);
    prev = p;
    n++;
  }
  assert_int_equal(n, pool->live_count);
}

static void fill(uint8_t *b, uint32_t n, uint8_t seed) {
  for (uint32_t i = 0; i < n; i++)
    b[i] = (uint8_t)(seed + i * 7);
}

static void assert_filled(const uint8_t *b, uint32_t n, uint8_t seed) {
  for (uint32_t i = 0; i < n; i++)
    if (b[i] != (uint8_t)(seed + i * 7))
      fail_msg("byte %u is %#x, expected %#x", i, b[i],
               (uint8_t)(seed + i * 7));
}

static void assert_zero(const uint8_t *b, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (b[i] != 0)
      fail_msg("byte %u is %#x, expected 0", i, b[i]);
}

/* The data lies inside the buffer, after head bytes of headroom. */
static void assert_layout(const struct pkt *p) {
  assert_ptr_equal(p->data, p->buf + p->head);
  assert_true((uint64_t)p->head + p->len <= p->cap);
}

static void test_new(void **state) {
  struct pkt_pool *pool = *state;
  struct pkt *a = pkt_new(pool, 100);
  struct pkt *b = pkt_new(pool, 0);
  assert_int_equal(a->len, 100);
  assert_int_equal(b->len, 0);
  assert_true(a->head >= PKT_HEADROOM);
  assert_layout(a);
  assert_layout(b);
  assert_zero(a->data, a->len);
  assert_int_equal(a->meta.uid, 1);
  assert_int_equal(b->meta.uid, 2);
  assert_false(sched_pending(&a->ev));
  assert_null(a->tx_iface);
  assert_null(a->tx_link);
  assert_false(a->lost);
  assert_int_equal(a->l2_dst_index, UINT32_MAX);
  assert_int_equal(pool->live_count, 2);
  assert_int_equal(pool->allocated, 2);
  assert_live_list(pool);
  pkt_free(a);
  assert_live_list(pool);
  pkt_free(b);
  pkt_free(NULL);
  assert_int_equal(pool->live_count, 0);
  assert_int_equal(pool->allocated, 2);
}

/* Push prepends in place while the headroom lasts. */
static void test_push_pull_in_place(void **state) {
  struct pkt_pool *pool = *state;
  struct pkt *p = pkt_new(pool, 64);
  fill(p->data, 64, 1);
  uint8_t *buf = p->buf;
  uint32_t head = p->head;
  uint8_t *hdr = pkt_push(p, 20);
  assert_ptr_equal(hdr, p->data);
  assert_ptr_equal(p->buf, buf);
  assert_int_equal(p->head, head - 20);
  assert_int_equal(p->len, 84);
  assert_layout(p);
  fill(hdr, 20, 99);
  assert_filled(p->data + 20, 64, 1);
  /* Pull the header off again: the payload is where it was. */
  assert_true(pkt_pull(p, 20));
  assert_int_equal(p->len, 64);
  assert_int_equal(p->head, head);
  assert_filled(p->data, 64, 1);
  /* Longer than the packet: false, nothing changes. */
  assert_false(pkt_pull(p, 65));
  assert_int_equal(p->len, 64);
  assert_int_equal(p->head, head);
  assert_false(pkt_pull(p, UINT32_MAX));
  assert_true(pkt_pull(p, 0));
  assert_int_equal(p->len, 64);
  /* Everything. */
  assert_true(pkt_pull(p, 64));
  assert_int_equal(p->len, 0);
  assert_layout(p);
  assert_false(pkt_pull(p, 1));
  /* A push of zero bytes. */
  assert_ptr_equal(pkt_push(p, 0), p->data);
  assert_int_equal(p->len, 0);
  pkt_free(p);
}

/* Pushing past the headroom grows the buffer and keeps the bytes, with
 * fresh headroom in front. */
static void test_push_grows(void **state) {
  struct pkt_pool *pool = *state;
  struct pkt *p = pkt_new(pool, 300);
  fill(p->data, 300, 5);
  /* Use the headroom up exactly: still in place. */
  uint8_t *buf = p->buf;
  uint32_t head = p->head;
  fill(pkt_push(p, head), head, 77);
  assert_ptr_equal(p->buf, buf);
  assert_int_equal(p->head, 0);
  assert_filled(p->data, head, 77);
  assert_filled(p->data + head, 300, 5);
  /* One more byte does not fit. */
  uint8_t *first = pkt_push(p, 1);
  *first = 0xee;
  assert_int_equal(p->len, head + 301);
  assert_true(p->head >= PKT_HEADROOM);
  assert_layout(p);
  assert_int_equal(p->data[0], 0xee);
  assert_filled(p->data + 1, head, 77);
  assert_filled(p->data + 1 + head, 300, 5);
  /* The new headroom is usable in place. */
  buf = p->buf;
  pkt_push(p, PKT_HEADROOM);
  assert_ptr_equal(p->buf, buf);
  assert_true(pkt_pull(p, PKT_HEADROOM + 1));
  assert_filled(p->data, head, 77);

  /* A push far larger than the headroom and than a pooled buffer. */
  struct pkt *q = pkt_new(pool, 1000);
  fill(q->data, 1000, 9);
  uint8_t *big = pkt_push(q, 5000);
  assert_int_equal(q->len, 6000);
  assert_layout(q);
  memset(big, 0xab, 5000);
  assert_filled(q->data + 5000, 1000, 9);
  assert_true(q->cap >= 6000 + PKT_HEADROOM);
  pkt_free(p);
  pkt_free(q);
}

static void test_trim_put(void **state) {
  struct pkt_pool *pool = *state;
  struct pkt *p = pkt_new(pool, 100);
  fill(p->data, 100, 3);
  assert_false(pkt_trim(p, 101));
  assert_int_equal(p->len, 100);
  assert_true(pkt_trim(p, 100));
  assert_true(pkt_trim(p, 40));
  assert_int_equal(p->len, 40);
  assert_filled(p->data, 40, 3);
  /* Put appends zeroed bytes, even over bytes trimmed away. */
  uint8_t *tail = pkt_put(p, 30);
  assert_ptr_equal(tail, p->data + 40);
  assert_int_equal(p->len, 70);
  assert_zero(tail, 30);
  assert_filled(p->data, 40, 3);
  /* Past the end of the buffer: it grows, keeping bytes and headroom. */
  uint32_t head = p->head;
  uint32_t room = p->cap - p->head - p->len;
  tail = pkt_put(p, room + 1000);
  assert_int_equal(p->len, 70 + room + 1000);
  assert_int_equal(p->head, head);
  assert_layout(p);
  assert_ptr_equal(tail, p->data + 70);
  assert_filled(p->data, 40, 3);
  assert_zero(p->data + 40, p->len - 40);
  /* Then pushes still work in place. */
  uint8_t *buf = p->buf;
  pkt_push(p, 14);
  assert_ptr_equal(p->buf, buf);
  assert_filled(p->data + 14, 40, 3);
  assert_true(pkt_trim(p, 0));
  assert_int_equal(p->len, 0);
  pkt_free(p);
}

/* A clone has the same bytes and metadata, its own buffer, and none of
 * the original's transit state. */
static void test_clone(void **state) {
  struct pkt_pool *pool = *state;
  struct pkt *p = pkt_new(pool, 200);
  fill(p->data, 200, 11);
  p->meta.created = 12345;
  p->meta.flow = 7;
  p->meta.seq = 99;
  p->lost = true;
  p->l2_dst_index = 3;
  p->link_epoch = 5;
  p->tx_iface = (struct iface *)(void *)p;
  p->tx_link = (struct link *)(void *)p;
  uint64_t next_uid = pool->next_uid;
  struct pkt *c = pkt_clone(p);
  assert_int_equal(pool->next_uid, next_uid);
  assert_int_equal(pool->live_count, 2);
  assert_ptr_not_equal(c->buf, p->buf);
  assert_int_equal(c->len, 200);
  assert_memory_equal(c->data, p->data, 200);
  assert_memory_equal(&c->meta, &p->meta, sizeof c->meta);
  assert_int_equal(c->meta.uid, p->meta.uid);
  assert_false(c->lost);
  assert_int_equal(c->l2_dst_index, UINT32_MAX);
  assert_int_equal(c->link_epoch, 0);
  assert_null(c->tx_iface);
  assert_null(c->tx_link);
  assert_false(sched_pending(&c->ev));
  assert_ptr_equal(c->pool, pool);
  assert_true(c->head >= PKT_HEADROOM);
  assert_layout(c);
  /* Independent bytes. */
  c->data[0] ^= 0xff;
  assert_int_equal(p->data[0], (uint8_t)11);
  pkt_free(p);
  assert_filled(c->data + 1, 199, 11 + 7);

  /* A packet whose headroom is used up clones with full headroom.  (Pushed
   * bytes are the caller's to write.) */
  uint32_t pushed = c->head;
  fill(pkt_push(c, pushed), pushed, 200);
  assert_int_equal(c->head, 0);
  struct pkt *d = pkt_clone(c);
  assert_true(d->head >= PKT_HEADROOM);
  assert_int_equal(d->len, c->len);
  assert_memory_equal(d->data, c->data, c->len);
  /* Too large for a pooled buffer. */
  pkt_put(d, 4000);
  fill(d->data, d->len, 42);
  struct pkt *e = pkt_clone(d);
  assert_int_equal(e->len, d->len);
  assert_memory_equal(e->data, d->data, d->len);
  assert_layout(e);
  assert_int_equal(e->meta.uid, c->meta.uid);
  /* Empty. */
  assert_true(pkt_trim(e, 0));
  struct pkt *f = pkt_clone(e);
  assert_int_equal(f->len, 0);
  assert_live_list(pool);
  pkt_free(c);
  pkt_free(d);
  pkt_free(e);
  pkt_free(f);
}

static void test_get_in_bounds(void **state) {
  (void)state;
  static const uint8_t b[] = {0x01, 0x23, 0x45, 0x67, 0x89,
                              0xab, 0xcd, 0xef, 0xfe};
  uint8_t v8;
  uint16_t v16;
  uint32_t v32;
  uint64_t v64;
  uint8_t dst[9];
  assert_true(get_u8(b, sizeof b, 0, &v8));
  assert_int_equal(v8, 0x01);
  assert_true(get_u8(b, sizeof b, 8, &v8));
  assert_int_equal(v8, 0xfe);
  assert_true(get_be16(b, sizeof b, 1, &v16));
  assert_int_equal(v16, 0x2345);
  assert_true(get_be16(b, sizeof b, 7, &v16));
  assert_int_equal(v16, 0xeffe);
  assert_true(get_be32(b, sizeof b, 5, &v32));
  assert_int_equal(v32, 0xabcdeffe);
  assert_true(get_be64(b, sizeof b, 0, &v64));
  assert_int_equal(v64, 0x0123456789abcdefULL);
  assert_true(get_be64(b, sizeof b, 1, &v64));
  assert_int_equal(v64, 0x23456789abcdeffeULL);
  assert_true(get_bytes(b, sizeof b, 0, dst, 9));
  assert_memory_equal(dst, b, 9);
  assert_true(get_bytes(b, sizeof b, 9, dst, 0));
  assert_int_equal(load_be16(b + 3), 0x6789);
  assert_int_equal(load_be32(b + 4), 0x89abcdef);
  uint8_t w[8];
  put_be16(w, 0xbeef);
  assert_int_equal(load_be16(w), 0xbeef);
  put_be32(w, 0xdeadbeef);
  assert_int_equal(load_be32(w), 0xdeadbeef);
  put_be64(w, 0x0123456789abcdefULL);
  assert_memory_equal(w, b, 8);
}

/* Out of bounds: false and the output untouched, including offsets whose
 * sum with the size wraps around. */
static void test_get_out_of_bounds(void **state) {
  (void)state;
  static const uint8_t arr[] = {1, 2, 3, 4, 5, 6, 7, 8};
  /* Hidden from the compiler, which would otherwise warn about the reads
   * past the array on the paths the checks make unreachable. */
  const uint8_t *volatile hidden = arr;
  const uint8_t *b = hidden;
  const size_t len = sizeof arr;
  uint8_t v8 = 0x5a;
  uint16_t v16 = 0x5a5a;
  uint32_t v32 = 0x5a5a5a5a;
  uint64_t v64 = 0x5a5a5a5a5a5a5a5aULL;
  uint8_t dst[4] = {0x5a, 0x5a, 0x5a, 0x5a};
  assert_false(get_u8(b, len, len, &v8));
  assert_false(get_u8(b, 0, 0, &v8));
  assert_false(get_be16(b, len, len - 1, &v16));
  assert_false(get_be16(b, 1, 0, &v16));
  assert_false(get_be32(b, len, len - 3, &v32));
  assert_false(get_be64(b, len, 1, &v64));
  assert_false(get_be64(b, 7, 0, &v64));
  assert_false(get_bytes(b, len, len - 3, dst, 4));
  assert_false(get_bytes(b, len, len + 1, dst, 0));
  for (size_t back = 0; back < 8; back++) {
    size_t off = SIZE_MAX - back;
    assert_false(get_be16(b, len, off, &v16));
    assert_false(get_be32(b, len, off, &v32));
    assert_false(get_be64(b, len, off, &v64));
    assert_false(get_bytes(b, len, off, dst, 4));
    assert_false(get_bytes(b, len, off, dst, back + 1));
    if (back > 0)
      assert_false(get_u8(b, len, off, &v8));
  }
  /* A size that wraps the offset round. */
  assert_false(get_bytes(b, len, 1, dst, SIZE_MAX));
  assert_false(get_bytes(b, len, 0, dst, SIZE_MAX));
  assert_false(get_bytes(b, len, 4, dst, SIZE_MAX - 2));
  assert_int_equal(v8, 0x5a);
  assert_int_equal(v16, 0x5a5a);
  assert_int_equal(v32, 0x5a5a5a5a);
  assert_int_equal(v64, 0x5a5a5a5a5a5a5a5aULL);
  for (int i = 0; i < 4; i++)
    assert_int_equal(dst[i], 0x5a);
}

/* get_u8 at offset SIZE_MAX: off + 1 wraps to 0, so "0 > len" lets the
 * read through (of b[-1]).  The other getters check the wrap; get_u8 in
 * sim/core/pkt.h does not.  Skipped until that is fixed (off >= len). */
static void test_get_u8_offset_wraps(void **state) {
  (void)state;
  /* b[SIZE_MAX] wraps to arr[0]: a read inside the array, were it let
   * through. */
  static const uint8_t arr[2] = {0x11, 0x22};
  const uint8_t *b = arr + 1;
  uint8_t v = 0x5a;
  assert_false(get_u8(b, 1, SIZE_MAX, &v));
  assert_int_equal(v, 0x5a);
}

/* Freed pooled buffers come back; larger ones are released. */
static void test_pool_reuse(void **state) {
  struct pkt_pool *pool = *state;
  struct pkt *a = pkt_new(pool, 1000);
  fill(a->data, 1000, 1);
  struct pkt *addr = a;
  uint8_t *buf = a->buf;
  uint64_t uid = a->meta.uid;
  pkt_free(a);
  assert_int_equal(pool->live_count, 0);
  assert_ptr_equal(pool->free, addr);
  /* The same packet and buffer, zeroed, with a new uid and fresh state. */
  struct pkt *b = pkt_new(pool, 1500);
  assert_ptr_equal(b, addr);
  assert_ptr_equal(b->buf, buf);
  assert_null(pool->free);
  assert_int_equal(b->meta.uid, uid + 1);
  assert_zero(b->data, b->len);
  assert_int_equal(b->l2_dst_index, UINT32_MAX);
  assert_null(b->live_next);
  assert_null(b->live_prev);
  /* The largest packet that fits a pooled buffer takes it; one more byte
   * does not. */
  struct pkt *c = pkt_new(pool, PKT_POOL_BUF - PKT_HEADROOM);
  assert_int_equal(c->cap, PKT_POOL_BUF);
  struct pkt *big = pkt_new(pool, PKT_POOL_BUF - PKT_HEADROOM + 1);
  assert_true(big->cap > PKT_POOL_BUF);
  pkt_free(c);
  pkt_free(big);
  /* Only the pooled one is kept. */
  assert_ptr_equal(pool->free, c);
  assert_null(pool->free->free_next);
  /* A big request does not take a pooled buffer. */
  big = pkt_new(pool, 3000);
  assert_ptr_equal(pool->free, c);
  /* A clone does take one. */
  struct pkt *cl = pkt_clone(b);
  assert_ptr_equal(cl, c);
  assert_null(pool->free);
  pkt_free(big);
  pkt_free(cl);
  pkt_free(b);
  assert_int_equal(pool->live_count, 0);
  assert_int_equal(pool->allocated, 6);
}

/* Many packets freed in an arbitrary order: the live list stays whole,
 * the count returns to zero, and the next round reuses every buffer. */
static void test_pool_live_list(void **state) {
  struct pkt_pool *pool = *state;
  enum { N = 500 };
  struct pkt *p[N];
  for (int i = 0; i < N; i++)
    p[i] = pkt_new(pool, (uint32_t)(i * 3 % 1900));
  assert_int_equal(pool->live_count, N);
  assert_live_list(pool);
  /* Odd ones from the end, then even ones from the start. */
  for (int i = N - 1; i >= 0; i -= 2)
    pkt_free(p[i]);
  assert_int_equal(pool->live_count, N / 2);
  assert_live_list(pool);
  for (int i = 0; i < N; i += 2)
    pkt_free(p[i]);
  assert_int_equal(pool->live_count, 0);
  assert_null(pool->live);
  GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (int i = 0; i < N; i++)
    g_hash_table_add(seen, p[i]);
  for (int i = 0; i < N; i++) {
    p[i] = pkt_new(pool, 64);
    assert_true(g_hash_table_contains(seen, p[i]));
  }
  assert_null(pool->free);
  assert_live_list(pool);
  g_hash_table_destroy(seen);
  for (int i = 0; i < N; i++)
    pkt_free(p[i]);
  assert_int_equal(pool->live_count, 0);
}

static void keep_warning(const gchar *domain, GLogLevelFlags level,
                         const gchar *message, gpointer data) {
  (void)domain;
  (void)level;
  g_string_append(data, message);
}

/* pkt_pool_clear frees the spare buffers but not a live packet: that is a
 * leak, which it reports and leaves allocated for LeakSanitizer to name.
 * The test frees the leaked packets itself so that its own run is clean. */
static void test_pool_clear_reports_leaks(void **state) {
  struct pkt_pool *pool = *state;
  struct pkt *leaked[11];
  for (int i = 0; i < 10; i++)
    leaked[i] = pkt_new(pool, i % 2 ? 100 : 5000);
  leaked[10] = pkt_new(pool, 10);
  pkt_push(leaked[10], 3000);
  pkt_free(pkt_new(pool, 10));
  assert_int_equal(pkt_pool_live(pool), 11);
  GString *said = g_string_new(NULL);
  guint id = g_log_set_handler(NULL, G_LOG_LEVEL_WARNING, keep_warning, said);
  pkt_pool_clear(pool);
  g_log_remove_handler(NULL, id);
  /* The newest packet heads the live list: uid 11 is named first. */
  assert_non_null(strstr(said->str, "11 packets leaked: uid 11 "));
  assert_non_null(strstr(said->str, " ..."));
  g_string_free(said, TRUE);
  assert_int_equal(pkt_pool_live(pool), 0);
  assert_null(pool->live);
  assert_null(pool->free);
  for (int i = 0; i < 11; i++) {
    g_free(leaked[i]->buf);
    g_free(leaked[i]);
  }
  /* Still usable. */
  pkt_free(pkt_new(pool, 10));
}

static void never_fires(struct sched_event *ev) {
  (void)ev;
  fail();
}

/* A frame on a link is owned by its delivery event: dropping the frames
 * in flight frees exactly the packets with a pending event, and leaves no
 * event pending. */
static void test_drop_in_flight(void **state) {
  struct pkt_pool *pool = *state;
  struct sched s;
  sched_init(&s);
  struct pkt *held = pkt_new(pool, 10);
  for (int i = 0; i < 3; i++) {
    struct pkt *p = pkt_new(pool, 10);
    sched_event_init(&p->ev, never_fires);
    sched_at(&s, &p->ev, (i + 1) * SIM_MS);
  }
  assert_int_equal(pkt_pool_drop_in_flight(pool, &s), 3);
  assert_int_equal(sched_pending_count(&s), 0);
  assert_int_equal(pkt_pool_live(pool), 1);
  assert_ptr_equal(pool->live, held);
  pkt_free(held);
  sched_clear(&s);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_new),
      T(test_push_pull_in_place),
      T(test_push_grows),
      T(test_trim_put),
      T(test_clone),
      T(test_get_in_bounds),
      T(test_get_out_of_bounds),
      T(test_get_u8_offset_wraps),
      T(test_pool_reuse),
      T(test_pool_live_list),
      T(test_pool_clear_reports_leaks),
      T(test_drop_in_flight),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
