/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tunnelling formats: exact overheads, header fields and checksums, TTL
 * and DF rules, and decapsulation back to the original bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"

#include <string.h>

#include "protocols/encap/encap.h"
#include "sim/inet.h"
#include "sim/pkt.h"
#include "sim/rng.h"

#define SRC 0x0a000001u   /* the correspondent */
#define DST 0x0a010002u   /* the mobile node's home address */
#define HA 0x0a010001u
#define COA 0x0a020001u

static struct pkt *inner_packet(struct pkt_pool *pool, uint32_t payload,
                                uint16_t frag) {
  struct pkt *p = pkt_new(pool, IP4_HLEN + payload);
  uint8_t *h = p->data;
  h[0] = 0x45;
  h[1] = 0x10;
  put_be16(h + IP4_OFF_LEN, (uint16_t)p->len);
  put_be16(h + IP4_OFF_ID, 77);
  put_be16(h + IP4_OFF_FRAG, frag);
  h[IP4_OFF_TTL] = 60;
  h[IP4_OFF_PROTO] = IPPROTO_NUM_UDP;
  put_be32(h + IP4_OFF_SRC, SRC);
  put_be32(h + IP4_OFF_DST, DST);
  put_be16(h + IP4_OFF_CSUM, inet_checksum(h, IP4_HLEN));
  for (uint32_t i = 0; i < payload; i++)
    h[IP4_HLEN + i] = (uint8_t)(i * 7);
  return p;
}

static void assert_ip_checksum(const uint8_t *h) {
  assert_int_equal(inet_checksum(h, (h[0] & 0x0f) * 4u), 0);
}

static void roundtrip(enum encap_kind kind, bool forwarding,
                      uint32_t expect_overhead, uint8_t outer_proto) {
  struct pkt_pool pool;
  pkt_pool_init(&pool);
  struct pkt *p = inner_packet(&pool, 100, IP4_DF);
  struct pkt *orig = pkt_clone(p);
  assert_int_equal(encap_push(p, kind, HA, COA, 64, 9, forwarding), ENCAP_OK);
  assert_int_equal(p->len, orig->len + expect_overhead);
  assert_int_equal(encap_overhead(kind, !forwarding), expect_overhead);
  assert_int_equal(p->data[IP4_OFF_PROTO], outer_proto);
  assert_int_equal(load_be32(p->data + IP4_OFF_DST), COA);
  assert_int_equal(load_be16(p->data + IP4_OFF_LEN), p->len);
  assert_ip_checksum(p->data);
  if (kind != ENCAP_MINIMAL) {
    assert_int_equal(load_be32(p->data + IP4_OFF_SRC), HA);
    assert_int_equal(p->data[IP4_OFF_TTL], 64);
    assert_int_equal(p->data[IP4_OFF_TOS], 0x10);           /* copied */
    assert_true(load_be16(p->data + IP4_OFF_FRAG) & IP4_DF); /* copied */
  }
  uint32_t osrc, odst;
  enum encap_kind got;
  assert_true(encap_pop(p, &osrc, &odst, &got));
  assert_int_equal(got, kind);
  assert_int_equal(odst, COA);
  assert_int_equal(p->len, orig->len);
  assert_ip_checksum(p->data);
  /* Forwarding took one from the inner TTL; all else is the original. */
  uint8_t want_ttl = forwarding ? 59 : 60;
  assert_int_equal(p->data[IP4_OFF_TTL], want_ttl);
  orig->data[IP4_OFF_TTL] = want_ttl;
  put_be16(orig->data + IP4_OFF_CSUM, 0);
  put_be16(orig->data + IP4_OFF_CSUM, inet_checksum(orig->data, IP4_HLEN));
  assert_memory_equal(p->data, orig->data, orig->len);
  pkt_free(p);
  pkt_free(orig);
  test_pool_free_checked(&pool);
}

static void test_ipip(void **state) {
  (void)state;
  roundtrip(ENCAP_IPIP, true, 20, IPPROTO_NUM_IPIP);
  roundtrip(ENCAP_IPIP, false, 20, IPPROTO_NUM_IPIP);
}

static void test_minimal(void **state) {
  (void)state;
  /* A home agent is not the originator: the original source is kept. */
  roundtrip(ENCAP_MINIMAL, true, 12, IPPROTO_NUM_MINENC);
  roundtrip(ENCAP_MINIMAL, false, 8, IPPROTO_NUM_MINENC);
}

static void test_gre(void **state) {
  (void)state;
  roundtrip(ENCAP_GRE, true, 24, IPPROTO_NUM_GRE);
}

static void test_minimal_header_fields(void **state) {
  (void)state;
  struct pkt_pool pool;
  pkt_pool_init(&pool);
  struct pkt *p = inner_packet(&pool, 40, 0);
  assert_int_equal(encap_push(p, ENCAP_MINIMAL, HA, COA, 64, 9, true),
                   ENCAP_OK);
  const uint8_t *f = p->data + IP4_HLEN;
  assert_int_equal(f[0], IPPROTO_NUM_UDP); /* original protocol */
  assert_int_equal(f[1], 0x80);            /* S: source present */
  assert_int_equal(load_be32(f + 4), DST);
  assert_int_equal(load_be32(f + 8), SRC);
  assert_int_equal(inet_checksum(f, 12), 0);
  assert_int_equal(load_be32(p->data + IP4_OFF_SRC), HA);
  pkt_free(p);
  test_pool_free_checked(&pool);
}

static void test_refusals(void **state) {
  (void)state;
  struct pkt_pool pool;
  pkt_pool_init(&pool);
  struct pkt *p = inner_packet(&pool, 40, IP4_MF);
  assert_int_equal(encap_push(p, ENCAP_MINIMAL, HA, COA, 64, 1, true),
                   ENCAP_NOT_POSSIBLE);
  pkt_free(p);
  p = inner_packet(&pool, 40, 0);
  p->data[IP4_OFF_TTL] = 1;
  assert_int_equal(encap_push(p, ENCAP_IPIP, HA, COA, 64, 1, true),
                   ENCAP_TTL_EXPIRED);
  /* Nothing changed on refusal. */
  assert_int_equal(p->len, IP4_HLEN + 40);
  pkt_free(p);
  test_pool_free_checked(&pool);
}

/* Decapsulating arbitrary corruptions never crashes and either fails or
 * yields a consistent inner header. */
static void test_pop_survives_garbage(void **state) {
  (void)state;
  struct pkt_pool pool;
  pkt_pool_init(&pool);
  struct rng r;
  rng_init(&r, 9, 0, "encap");
  for (int i = 0; i < 30000; i++) {
    struct pkt *p = inner_packet(&pool, (uint32_t)rng_below(&r, 80), 0);
    enum encap_kind kind = (enum encap_kind)rng_below(&r, 3);
    encap_push(p, kind, HA, COA, 64, 1, rng_below(&r, 2));
    for (int k = 0; k < 3; k++)
      p->data[rng_below(&r, p->len)] ^= (uint8_t)rng_u64(&r);
    pkt_trim(p, (uint32_t)rng_below(&r, p->len + 1));
    uint32_t s, d;
    enum encap_kind got;
    if (encap_pop(p, &s, &d, &got))
      assert_int_equal(load_be16(p->data + IP4_OFF_LEN), p->len);
    pkt_free(p);
  }
  test_pool_free_checked(&pool);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ipip),
      cmocka_unit_test(test_minimal),
      cmocka_unit_test(test_gre),
      cmocka_unit_test(test_minimal_header_fields),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_pop_survives_garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
