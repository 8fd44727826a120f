/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route optimisation binding cache: lookups that hit and miss,
 * expiry exactly at the lifetime and never for 0xffff, deletion by a
 * zero lifetime or a care-of address equal to the home address, renewal,
 * least-recently-used replacement (ties to the lowest home address,
 * expired entries first), peeks that leave the counters and the use time
 * alone, and every statistic, with expected values worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "protocols/ro/cache.h"
#include "sim/core/sched.h"

#define A4(a, b, c, d)                                                         \
  ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#define HOA_A A4(10, 1, 0, 10)
#define HOA_B A4(10, 1, 0, 11)
#define HOA_C A4(10, 1, 0, 12)
#define COA_1 A4(10, 2, 0, 1)
#define COA_2 A4(10, 3, 0, 1)
#define HA A4(10, 1, 0, 1)
#define FLAGS_AI 0xc0

/* Every counter at once, so that a test also sees what did not move. */
static void assert_stats(const struct ro_cache *c, uint64_t hits,
                         uint64_t misses, uint64_t inserted, uint64_t updated,
                         uint64_t deleted, uint64_t expired, uint64_t evicted) {
  const struct ro_cache_stats *s = ro_cache_stats(c);
  assert_int_equal(s->hits, hits);
  assert_int_equal(s->misses, misses);
  assert_int_equal(s->inserted, inserted);
  assert_int_equal(s->updated, updated);
  assert_int_equal(s->deleted, deleted);
  assert_int_equal(s->expired, expired);
  assert_int_equal(s->evicted, evicted);
}

static struct ro_entry *put(struct ro_cache *c, uint32_t hoa, uint32_t coa,
                            uint16_t lifetime, int64_t now) {
  return ro_cache_update(c, hoa, coa, lifetime, HA, 0x1122334455667788ull,
                         FLAGS_AI, now);
}

static void test_new_is_empty(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  assert_int_equal(ro_cache_size(c), 0);
  assert_stats(c, 0, 0, 0, 0, 0, 0, 0);
  ro_cache_free(c);
  ro_cache_free(NULL); /* allowed, like free() */
}

static void test_insert_then_lookup(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  struct ro_entry *e = ro_cache_update(
      c, HOA_A, COA_1, 300, HA, 0xe6a1b2c312345678ull, FLAGS_AI, 2 * SIM_S);
  assert_non_null(e);
  assert_int_equal(e->home_addr, HOA_A);
  assert_int_equal(e->coa, COA_1);
  assert_int_equal(e->home_agent, HA);
  assert_int_equal(e->ident, 0xe6a1b2c312345678ull);
  assert_int_equal(e->flags, FLAGS_AI);
  assert_int_equal(e->lifetime, 300 * SIM_S);
  assert_int_equal(e->expires, 302 * SIM_S);
  assert_int_equal(e->last_used, 2 * SIM_S);
  assert_int_equal(e->refresh_asked, -1);
  assert_int_equal(ro_cache_size(c), 1);
  assert_stats(c, 0, 0, 1, 0, 0, 0, 0);

  struct ro_entry *f = ro_cache_lookup(c, HOA_A, 3 * SIM_S);
  assert_ptr_equal(f, e);
  assert_int_equal(f->coa, COA_1);
  assert_int_equal(f->last_used, 3 * SIM_S);
  assert_stats(c, 1, 0, 1, 0, 0, 0, 0);
  ro_cache_free(c);
}

static void test_lookup_absent_misses(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  assert_null(ro_cache_lookup(c, HOA_A, 0));
  assert_stats(c, 0, 1, 0, 0, 0, 0, 0);
  put(c, HOA_A, COA_1, 10, 0);
  assert_null(ro_cache_lookup(c, HOA_B, SIM_S));
  assert_non_null(ro_cache_lookup(c, HOA_A, SIM_S));
  assert_stats(c, 1, 2, 1, 0, 0, 0, 0);
  ro_cache_free(c);
}

/* Lifetime 10 s from t = 0: live up to the last nanosecond before 10 s,
 * gone at exactly 10 s (expires <= now). */
static void test_expiry_boundary(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  put(c, HOA_A, COA_1, 10, 0);
  struct ro_entry *e = ro_cache_lookup(c, HOA_A, 10 * SIM_S - 1);
  assert_non_null(e);
  assert_int_equal(e->expires, 10 * SIM_S);
  assert_stats(c, 1, 0, 1, 0, 0, 0, 0);

  assert_null(ro_cache_lookup(c, HOA_A, 10 * SIM_S));
  assert_int_equal(ro_cache_size(c), 0);
  assert_stats(c, 1, 1, 1, 0, 0, 1, 0);
  /* Removed once, counted once. */
  assert_null(ro_cache_lookup(c, HOA_A, 11 * SIM_S));
  assert_stats(c, 1, 2, 1, 0, 0, 1, 0);
  ro_cache_free(c);
}

/* Expiry is relative to the time of the update, not to 0. */
static void test_expiry_from_update_time(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  put(c, HOA_A, COA_1, 3, 5 * SIM_S);
  assert_non_null(ro_cache_peek(c, HOA_A, 8 * SIM_S - 1));
  assert_null(ro_cache_peek(c, HOA_A, 8 * SIM_S));
  assert_stats(c, 0, 0, 1, 0, 0, 1, 0);
  ro_cache_free(c);
}

static void test_infinite_lifetime(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  struct ro_entry *e = put(c, HOA_A, COA_1, 0xffff, SIM_S);
  assert_non_null(e);
  assert_int_equal(e->expires, INT64_MAX);
  assert_int_equal(e->lifetime, INT64_MAX);
  /* 0xfffe s is still finite: 65534 s after the update. */
  struct ro_entry *b = put(c, HOA_B, COA_1, 0xfffe, SIM_S);
  assert_int_equal(b->expires, SIM_S + 65534 * SIM_S);

  int64_t late = 100000 * SIM_S; /* beyond 65535 s */
  assert_non_null(ro_cache_lookup(c, HOA_A, late));
  assert_null(ro_cache_lookup(c, HOA_B, late));
  assert_non_null(ro_cache_lookup(c, HOA_A, INT64_MAX - 1));
  assert_stats(c, 2, 1, 2, 0, 0, 1, 0);
  ro_cache_free(c);
}

static void test_lifetime_zero_deletes(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  put(c, HOA_A, COA_1, 10, 0);
  put(c, HOA_B, COA_1, 10, 0);
  assert_null(put(c, HOA_A, COA_2, 0, SIM_S));
  assert_int_equal(ro_cache_size(c), 1);
  assert_null(ro_cache_peek(c, HOA_A, SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_B, SIM_S));
  assert_stats(c, 0, 0, 2, 0, 1, 0, 0);
  /* Deleting what is not there counts nothing and makes nothing. */
  assert_null(put(c, HOA_C, COA_2, 0, SIM_S));
  assert_int_equal(ro_cache_size(c), 1);
  assert_stats(c, 0, 0, 2, 0, 1, 0, 0);
  ro_cache_free(c);
}

static void test_coa_home_deletes(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  put(c, HOA_A, COA_1, 10, 0);
  /* A private binding: care-of address = home address, with a lifetime. */
  assert_null(put(c, HOA_A, HOA_A, 300, SIM_S));
  assert_int_equal(ro_cache_size(c), 0);
  assert_stats(c, 0, 0, 1, 0, 1, 0, 0);
  assert_null(put(c, HOA_B, HOA_B, 300, SIM_S));
  assert_int_equal(ro_cache_size(c), 0);
  assert_stats(c, 0, 0, 1, 0, 1, 0, 0);
  ro_cache_free(c);
}

/* Deleting an entry already expired counts it expired, not deleted. */
static void test_delete_after_expiry(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  put(c, HOA_A, COA_1, 10, 0);
  assert_null(put(c, HOA_A, COA_1, 0, 10 * SIM_S));
  assert_stats(c, 0, 0, 1, 0, 0, 1, 0);
  ro_cache_free(c);
}

static void test_renew(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  struct ro_entry *e = put(c, HOA_A, COA_1, 10, 0);
  e->refresh_asked = 8 * SIM_S; /* a Binding Request went out */
  struct ro_entry *f =
      ro_cache_update(c, HOA_A, COA_2, 6, A4(10, 1, 0, 2), 42, 0x80, 9 * SIM_S);
  assert_ptr_equal(f, e);
  assert_int_equal(f->coa, COA_2);
  assert_int_equal(f->home_agent, A4(10, 1, 0, 2));
  assert_int_equal(f->ident, 42);
  assert_int_equal(f->flags, 0x80);
  assert_int_equal(f->lifetime, 6 * SIM_S);
  assert_int_equal(f->expires, 15 * SIM_S);
  assert_int_equal(f->refresh_asked, -1);
  /* An update is not a use. */
  assert_int_equal(f->last_used, 0);
  assert_int_equal(ro_cache_size(c), 1);
  assert_stats(c, 0, 0, 1, 1, 0, 0, 0);

  /* Live past the old expiry, gone at the new one. */
  assert_non_null(ro_cache_lookup(c, HOA_A, 10 * SIM_S));
  assert_non_null(ro_cache_lookup(c, HOA_A, 15 * SIM_S - 1));
  assert_null(ro_cache_lookup(c, HOA_A, 15 * SIM_S));
  assert_stats(c, 2, 1, 1, 1, 0, 1, 0);
  ro_cache_free(c);
}

/* An update that arrives once the entry has expired makes a new one. */
static void test_update_after_expiry_inserts(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(4);
  put(c, HOA_A, COA_1, 10, 0);
  struct ro_entry *e = put(c, HOA_A, COA_2, 10, 10 * SIM_S);
  assert_non_null(e);
  assert_int_equal(e->coa, COA_2);
  assert_int_equal(e->last_used, 10 * SIM_S);
  assert_int_equal(e->expires, 20 * SIM_S);
  assert_int_equal(ro_cache_size(c), 1);
  assert_stats(c, 0, 0, 2, 0, 0, 1, 0);
  ro_cache_free(c);
}

/* Capacity 2: A at 1 s, B at 2 s, A used at 3 s; C at 4 s replaces B. */
static void test_lru_eviction(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  put(c, HOA_A, COA_1, 100, 1 * SIM_S);
  put(c, HOA_B, COA_1, 100, 2 * SIM_S);
  assert_non_null(ro_cache_lookup(c, HOA_A, 3 * SIM_S));
  assert_non_null(put(c, HOA_C, COA_2, 100, 4 * SIM_S));
  assert_int_equal(ro_cache_size(c), 2);
  assert_stats(c, 1, 0, 3, 0, 0, 0, 1);
  assert_non_null(ro_cache_peek(c, HOA_A, 5 * SIM_S));
  assert_null(ro_cache_peek(c, HOA_B, 5 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_C, 5 * SIM_S));

  /* Now A (used at 3 s) is older than C (made at 4 s). */
  put(c, HOA_B, COA_1, 100, 6 * SIM_S);
  assert_null(ro_cache_peek(c, HOA_A, 7 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_B, 7 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_C, 7 * SIM_S));
  assert_stats(c, 1, 0, 4, 0, 0, 0, 2);
  ro_cache_free(c);
}

/* Renewing an entry of a full cache replaces nothing. */
static void test_full_renew_no_eviction(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  put(c, HOA_A, COA_1, 100, 0);
  put(c, HOA_B, COA_1, 100, SIM_S);
  assert_non_null(put(c, HOA_A, COA_2, 100, 2 * SIM_S));
  assert_int_equal(ro_cache_size(c), 2);
  assert_stats(c, 0, 0, 2, 1, 0, 0, 0);
  ro_cache_free(c);
}

/* Equal last use: the lowest home address goes, whatever the order of
 * insertion. */
static void test_lru_tie_lowest_address(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(3);
  put(c, HOA_C, COA_1, 100, SIM_S);
  put(c, HOA_A, COA_1, 100, SIM_S);
  put(c, HOA_B, COA_1, 100, SIM_S);
  put(c, A4(10, 1, 0, 13), COA_1, 100, 2 * SIM_S);
  assert_null(ro_cache_peek(c, HOA_A, 2 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_B, 2 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_C, 2 * SIM_S));
  assert_stats(c, 0, 0, 4, 0, 0, 0, 1);
  /* Next: B (10.1.0.11) before C, both last used at 1 s. */
  put(c, A4(10, 1, 0, 14), COA_1, 100, 3 * SIM_S);
  assert_null(ro_cache_peek(c, HOA_B, 3 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_C, 3 * SIM_S));
  assert_stats(c, 0, 0, 5, 0, 0, 0, 2);
  ro_cache_free(c);
}

/* The tie is broken by the address as a number: 10.1.0.200 is higher
 * than 10.1.0.30 (as text it would sort lower). */
static void test_lru_tie_numeric(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  put(c, A4(10, 1, 0, 200), COA_1, 100, 0);
  put(c, A4(10, 1, 0, 30), COA_1, 100, 0);
  put(c, HOA_A, COA_1, 100, SIM_S);
  assert_null(ro_cache_peek(c, A4(10, 1, 0, 30), SIM_S));
  assert_non_null(ro_cache_peek(c, A4(10, 1, 0, 200), SIM_S));
  ro_cache_free(c);
}

/* Full, with one entry expired: that one goes, nothing is evicted, even
 * though another entry was used less recently. */
static void test_make_room_expired_first(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  put(c, HOA_A, COA_1, 100, 0);       /* last used 0, expires 100 s */
  put(c, HOA_B, COA_1, 5, 1 * SIM_S); /* expires 6 s */
  assert_non_null(ro_cache_lookup(c, HOA_B, 2 * SIM_S));
  put(c, HOA_C, COA_2, 100, 6 * SIM_S); /* B expired exactly now */
  assert_int_equal(ro_cache_size(c), 2);
  assert_stats(c, 1, 0, 3, 0, 0, 1, 0);
  assert_non_null(ro_cache_peek(c, HOA_A, 6 * SIM_S));
  assert_null(ro_cache_peek(c, HOA_B, 6 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_C, 6 * SIM_S));
  assert_stats(c, 1, 0, 3, 0, 0, 1, 0);
  ro_cache_free(c);
}

/* Every expired entry is removed when making room. */
static void test_make_room_all_expired(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(3);
  put(c, HOA_A, COA_1, 1, 0);
  put(c, HOA_B, COA_1, 2, 0);
  put(c, HOA_C, COA_1, 100, 0);
  put(c, A4(10, 1, 0, 13), COA_1, 100, 2 * SIM_S);
  assert_int_equal(ro_cache_size(c), 2);
  assert_stats(c, 0, 0, 4, 0, 0, 2, 0);
  ro_cache_free(c);
}

static void test_capacity_zero_is_one(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(0);
  put(c, HOA_A, COA_1, 100, 0);
  put(c, HOA_B, COA_1, 100, SIM_S);
  assert_int_equal(ro_cache_size(c), 1);
  assert_null(ro_cache_peek(c, HOA_A, SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_B, SIM_S));
  assert_stats(c, 0, 0, 2, 0, 0, 0, 1);
  ro_cache_free(c);
}

static void test_peek_counts_nothing(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  put(c, HOA_A, COA_1, 100, 1 * SIM_S);
  put(c, HOA_B, COA_1, 100, 2 * SIM_S);
  struct ro_entry *e = ro_cache_peek(c, HOA_A, 3 * SIM_S);
  assert_non_null(e);
  assert_int_equal(e->coa, COA_1);
  assert_int_equal(e->last_used, 1 * SIM_S);
  assert_null(ro_cache_peek(c, HOA_C, 3 * SIM_S));
  assert_stats(c, 0, 0, 2, 0, 0, 0, 0);
  /* The peek did not make A recent: it is still the one replaced. */
  put(c, HOA_C, COA_2, 100, 4 * SIM_S);
  assert_null(ro_cache_peek(c, HOA_A, 4 * SIM_S));
  assert_non_null(ro_cache_peek(c, HOA_B, 4 * SIM_S));
  assert_stats(c, 0, 0, 3, 0, 0, 0, 1);
  ro_cache_free(c);
}

/* A peek still removes an expired entry, and counts it expired. */
static void test_peek_expires(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  put(c, HOA_A, COA_1, 1, 0);
  assert_null(ro_cache_peek(c, HOA_A, SIM_S));
  assert_int_equal(ro_cache_size(c), 0);
  assert_stats(c, 0, 0, 1, 0, 0, 1, 0);
  ro_cache_free(c);
}

static void test_size(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(8);
  for (unsigned i = 0; i < 5; i++) {
    put(c, A4(10, 1, 0, 10 + i), COA_1, 10 + i, 0);
    assert_int_equal(ro_cache_size(c), i + 1);
  }
  put(c, A4(10, 1, 0, 12), COA_2, 50, SIM_S); /* renewal */
  assert_int_equal(ro_cache_size(c), 5);
  put(c, A4(10, 1, 0, 13), COA_2, 0, SIM_S); /* deletion */
  /* Size counts entries not yet found expired: at 11 s 10.1.0.10 and
   * 10.1.0.11 have run out but stay in the table until looked at. */
  assert_int_equal(ro_cache_size(c), 4);
  assert_null(ro_cache_lookup(c, HOA_A, 11 * SIM_S));
  assert_int_equal(ro_cache_size(c), 3);
  assert_stats(c, 0, 1, 5, 1, 1, 1, 0);
  ro_cache_free(c);
}

/* A Binding Request marks refresh_asked; the update it brings back
 * resets it. */
static void test_refresh_asked_reset(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  struct ro_entry *e = put(c, HOA_A, COA_1, 6, 0);
  assert_int_equal(e->refresh_asked, -1);
  e->refresh_asked = 4 * SIM_S;
  e = ro_cache_lookup(c, HOA_A, 5 * SIM_S);
  assert_int_equal(e->refresh_asked, 4 * SIM_S); /* a lookup keeps it */
  e = put(c, HOA_A, COA_1, 6, 5 * SIM_S);
  assert_int_equal(e->refresh_asked, -1);
  assert_int_equal(e->expires, 11 * SIM_S);
  assert_int_equal(e->last_used, 5 * SIM_S);
  assert_stats(c, 1, 0, 1, 1, 0, 0, 0);
  ro_cache_free(c);
}

/* The statistics are a view of the cache, not a copy. */
static void test_stats_pointer_live(void **state) {
  (void)state;
  struct ro_cache *c = ro_cache_new(2);
  const struct ro_cache_stats *s = ro_cache_stats(c);
  assert_int_equal(s->misses, 0);
  ro_cache_lookup(c, HOA_A, 0);
  assert_int_equal(s->misses, 1);
  ro_cache_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_new_is_empty),
      cmocka_unit_test(test_insert_then_lookup),
      cmocka_unit_test(test_lookup_absent_misses),
      cmocka_unit_test(test_expiry_boundary),
      cmocka_unit_test(test_expiry_from_update_time),
      cmocka_unit_test(test_infinite_lifetime),
      cmocka_unit_test(test_lifetime_zero_deletes),
      cmocka_unit_test(test_coa_home_deletes),
      cmocka_unit_test(test_delete_after_expiry),
      cmocka_unit_test(test_renew),
      cmocka_unit_test(test_update_after_expiry_inserts),
      cmocka_unit_test(test_lru_eviction),
      cmocka_unit_test(test_full_renew_no_eviction),
      cmocka_unit_test(test_lru_tie_lowest_address),
      cmocka_unit_test(test_lru_tie_numeric),
      cmocka_unit_test(test_make_room_expired_first),
      cmocka_unit_test(test_make_room_all_expired),
      cmocka_unit_test(test_capacity_zero_is_one),
      cmocka_unit_test(test_peek_counts_nothing),
      cmocka_unit_test(test_peek_expires),
      cmocka_unit_test(test_size),
      cmocka_unit_test(test_refresh_asked_reset),
      cmocka_unit_test(test_stats_pointer_live),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
