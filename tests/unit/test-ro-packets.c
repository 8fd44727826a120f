/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route optimisation wire format: byte-exact agreement with the
 * reference captures, round trips of every message, extension and flag,
 * decoders that survive every truncation, wrong length and random
 * mutation, and authenticators checked against independent constructions.
 * With MIPSIM_RO_PCAP set it also writes one capture of every kind for
 * tests/ro-tshark.test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <pcap/pcap.h>
#include <string.h>

#include "protocols/mip4/packets.h"
#include "protocols/ro/packets.h"
#include "sim/core/pkt.h"
#include "sim/net/addr.h"
#include "sim/net/inet.h"

#define A4(a, b, c, d)                                                         \
  ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* The key every reference authenticator was made with: 00 01 .. 0f. */
static const uint8_t ref_key[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                    8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t other_key[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                      8, 9, 10, 11, 12, 13, 14, 16};
#define REF_IDENT 0xe6a1b2c312345678ull
#define REF_HOA A4(10, 1, 0, 10)
#define REF_HA A4(10, 1, 0, 1)
#define REF_COA A4(10, 2, 0, 1)
#define REF_CN A4(10, 3, 0, 5)
#define REF_PREV_FA A4(10, 4, 0, 1)

/* IPv4 packets (Ethernet header removed) of the route optimisation frames
 * of ../shared/vectors/reference.pcap and ro-extensions.pcap; the test
 * never reads those files. */
/* reference.pcap frame 7: Binding Warning, foreign agent -> home agent,
 * one target */
static const uint8_t ref_warning[] = {
    0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11,
    0x66, 0xc1, 0x0a, 0x02, 0x00, 0x01, 0x0a, 0x01, 0x00, 0x01,
    0x01, 0xb2, 0x01, 0xb2, 0x00, 0x14, 0xc4, 0x4a, 0x10, 0x00,
    0x00, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x0a, 0x03, 0x00, 0x05,
};

/* frame 8: Binding Request, correspondent -> home agent */
static const uint8_t ref_request[] = {
    0x45, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x66,
    0xb8, 0x0a, 0x03, 0x00, 0x05, 0x0a, 0x01, 0x00, 0x01, 0x01, 0xb2,
    0x01, 0xb2, 0x00, 0x18, 0xcb, 0x33, 0x11, 0x00, 0x00, 0x00, 0x0a,
    0x01, 0x00, 0x0a, 0xe6, 0xa1, 0xb2, 0xc3, 0x12, 0x34, 0x56, 0x78,
};

/* frame 9: Binding Update, home agent -> correspondent, A I, route
 * optimisation authentication with HMAC-MD5 */
static const uint8_t ref_update[] = {
    0x45, 0x00, 0x00, 0x46, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x66, 0x9e,
    0x0a, 0x01, 0x00, 0x01, 0x0a, 0x03, 0x00, 0x05, 0x01, 0xb2, 0x01, 0xb2,
    0x00, 0x32, 0x71, 0x0f, 0x12, 0xc0, 0x01, 0x2c, 0x0a, 0x01, 0x00, 0x0a,
    0x0a, 0x02, 0x00, 0x01, 0xe6, 0xa1, 0xb2, 0xc3, 0x12, 0x34, 0x56, 0x78,
    0x23, 0x14, 0x00, 0x00, 0x50, 0x00, 0xa9, 0x64, 0x53, 0xf4, 0x88, 0xd4,
    0x2a, 0x54, 0x03, 0xde, 0xc1, 0xeb, 0x08, 0x0a, 0x5b, 0x97,
};

/* frame 10: Binding Acknowledge, accepted */
static const uint8_t ref_ack[] = {
    0x45, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x66,
    0xb8, 0x0a, 0x03, 0x00, 0x05, 0x0a, 0x01, 0x00, 0x01, 0x01, 0xb2,
    0x01, 0xb2, 0x00, 0x18, 0xc9, 0x33, 0x13, 0x00, 0x00, 0x00, 0x0a,
    0x01, 0x00, 0x0a, 0xe6, 0xa1, 0xb2, 0xc3, 0x12, 0x34, 0x56, 0x78,
};

/* ro-extensions.pcap frame 1: request with the P bit, a Binding Warning
 * extension, MH authentication and a Previous Foreign Agent Notification */
static const uint8_t ro_rrq[] = {
    0x45, 0x00, 0x00, 0x76, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x66, 0x6a,
    0x0a, 0x01, 0x00, 0x0a, 0x0a, 0x02, 0x00, 0x01, 0x9c, 0x41, 0x01, 0xb2,
    0x00, 0x62, 0x0a, 0x41, 0x01, 0x01, 0x01, 0x2c, 0x0a, 0x01, 0x00, 0x0a,
    0x0a, 0x01, 0x00, 0x01, 0x0a, 0x02, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44,
    0x55, 0x66, 0x77, 0x88, 0x10, 0x0a, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x0a,
    0x0a, 0x03, 0x00, 0x05, 0x20, 0x14, 0x00, 0x00, 0x01, 0x00, 0xe0, 0xf5,
    0xeb, 0x75, 0x37, 0xda, 0x4d, 0x48, 0x6b, 0x84, 0x19, 0x03, 0xbc, 0xd1,
    0x16, 0xd8, 0x60, 0x1e, 0x00, 0x0a, 0x0a, 0x04, 0x00, 0x01, 0x0a, 0x02,
    0x00, 0x01, 0x00, 0x00, 0x07, 0x00, 0xe5, 0x88, 0x08, 0x60, 0x24, 0xe0,
    0xde, 0x9f, 0x69, 0xd4, 0xb5, 0xe9, 0x2d, 0x90, 0x68, 0x7d,
};

/* frame 2: advertisement with the S bit (shown by tshark as U) */
static const uint8_t ro_advert[] = {
    0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01,
    0xcf, 0xd1, 0x0a, 0x02, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x01,
    0x09, 0x00, 0xcb, 0x40, 0x00, 0x02, 0x00, 0x03, 0x10, 0x0a,
    0x00, 0x01, 0x01, 0x2c, 0x10, 0x80, 0x0a, 0x02, 0x00, 0x01,
};

/* The registration request of ro_rrq, and its Previous Foreign Agent
 * Notification before signing. */
static const struct mip4_rrq ref_rrq = {.flags = RO_RRQ_P,
                                        .lifetime = 300,
                                        .home_addr = REF_HOA,
                                        .home_agent = REF_HA,
                                        .coa = REF_COA,
                                        .ident = 0x1122334455667788ull};
static const struct ro_prev_fa ref_prev_fa = {.cache_lifetime = 10,
                                              .prev_fa = REF_PREV_FA,
                                              .new_coa = REF_COA,
                                              .spi = 0x700};

/* ---- Helpers ---- */

/* The reference frames' UDP in IPv4, TTL 64.  Transfer full. */
static GByteArray *udp_wrap(uint32_t src, uint32_t dst, uint16_t sport,
                            uint16_t dport, const GByteArray *payload) {
  return test_udp4_wrap(src, dst, 64, sport, dport, payload->data,
                        payload->len);
}

static void assert_bytes(const GByteArray *got, const uint8_t *want,
                         size_t want_len) {
  assert_int_equal(got->len, want_len);
  assert_memory_equal(got->data, want, want_len);
}

/* The UDP payload of a reference frame. */
#define PAYLOAD(frame) ((frame) + IP4_HLEN + UDP_HLEN)
#define PAYLOAD_LEN(frame) (sizeof(frame) - IP4_HLEN - UDP_HLEN)

enum kind { WARNING, REQUEST, UPDATE, ACK, REG };

/* Decodes len bytes of b as kind (REG: the route optimisation extensions
 * of a registration request) from an exact copy. */
static enum mip4_err decode_kind(enum kind k, const uint8_t *b, size_t len) {
  g_autofree uint8_t *c = test_exact(b, len);
  struct ro_warning w;
  struct ro_request r;
  struct ro_update u;
  struct ro_ack a;
  struct ro_exts x;
  struct ro_reg_exts rx;
  switch (k) {
  case WARNING:
    return ro_warning_decode(c, len, &w);
  case REQUEST:
    return ro_request_decode(c, len, &r, &x);
  case UPDATE:
    return ro_update_decode(c, len, &u, &x);
  case ACK:
    return ro_ack_decode(c, len, &a, &x);
  case REG:
    return ro_reg_exts_decode(c, len, MIP4_RRQ_LEN, &rx);
  }
  return MIP4_ERR_BAD_TYPE;
}

static void assert_warning_equal(const struct ro_warning *a,
                                 const struct ro_warning *b) {
  assert_int_equal(a->home_addr, b->home_addr);
  assert_int_equal(a->num_targets, b->num_targets);
  for (unsigned i = 0; i < a->num_targets; i++)
    assert_int_equal(a->targets[i], b->targets[i]);
}

static void assert_update_equal(const struct ro_update *a,
                                const struct ro_update *b) {
  assert_int_equal(a->flags, b->flags);
  assert_int_equal(a->lifetime, b->lifetime);
  assert_int_equal(a->home_addr, b->home_addr);
  assert_int_equal(a->coa, b->coa);
  assert_true(a->ident == b->ident);
}

static void assert_prev_fa_equal(const struct ro_prev_fa *a,
                                 const struct ro_prev_fa *b) {
  assert_int_equal(a->cache_lifetime, b->cache_lifetime);
  assert_int_equal(a->prev_fa, b->prev_fa);
  assert_int_equal(a->new_coa, b->new_coa);
  assert_int_equal(a->spi, b->spi);
  assert_int_equal(a->auth_len, b->auth_len);
  assert_memory_equal(a->auth, b->auth, a->auth_len);
}

static void hex(const char *text, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++)
    out[i] = (uint8_t)(g_ascii_xdigit_value(text[2 * i]) << 4 |
                       g_ascii_xdigit_value(text[2 * i + 1]));
}

/* ---- The reference frames ---- */

static void test_reference_messages(void **state) {
  /* Binding Warning: the previous foreign agent names the correspondent
   * that tunnelled to it (optim-11 §4.1). */
  struct ro_warning w = {.home_addr = REF_HOA, .num_targets = 1};
  w.targets[0] = REF_CN;
  g_autoptr(GByteArray) m = g_byte_array_new();
  ro_warning_append(m, &w);
  g_autoptr(GByteArray) p = udp_wrap(REF_COA, REF_HA, MIP4_PORT, MIP4_PORT, m);
  assert_bytes(p, ref_warning, sizeof ref_warning);
  struct ro_warning wd;
  g_autofree uint8_t *c =
      test_exact(PAYLOAD(ref_warning), PAYLOAD_LEN(ref_warning));
  assert_int_equal(ro_warning_decode(c, PAYLOAD_LEN(ref_warning), &wd),
                   MIP4_OK);
  assert_warning_equal(&w, &wd);

  /* Binding Request. */
  struct ro_request r = {.home_addr = REF_HOA, .ident = REF_IDENT}, rd;
  struct ro_exts x;
  g_autoptr(GByteArray) m2 = g_byte_array_new();
  ro_request_append(m2, &r);
  g_autoptr(GByteArray) p2 = udp_wrap(REF_CN, REF_HA, MIP4_PORT, MIP4_PORT, m2);
  assert_bytes(p2, ref_request, sizeof ref_request);
  assert_int_equal(ro_request_decode(PAYLOAD(ref_request),
                                     PAYLOAD_LEN(ref_request), &rd, &x),
                   MIP4_OK);
  assert_int_equal(rd.home_addr, r.home_addr);
  assert_true(rd.ident == r.ident);
  assert_int_equal(x.count, 0);
  assert_false(x.auth.present);

  /* Binding Update with route optimisation authentication, RFC 3344
   * style: HMAC-MD5 through the SPI. */
  struct ro_update u = {.flags = RO_UPDATE_A | RO_UPDATE_I,
                        .lifetime = 300,
                        .home_addr = REF_HOA,
                        .coa = REF_COA,
                        .ident = REF_IDENT};
  struct ro_update ud;
  g_autoptr(GByteArray) m3 = g_byte_array_new();
  ro_update_append(m3, &u);
  ro_ext_append_auth(m3, 0x5000, MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key);
  g_autoptr(GByteArray) p3 = udp_wrap(REF_HA, REF_CN, MIP4_PORT, MIP4_PORT, m3);
  assert_bytes(p3, ref_update, sizeof ref_update);
  const uint8_t *bu = PAYLOAD(ref_update);
  size_t bu_len = PAYLOAD_LEN(ref_update);
  assert_int_equal(ro_update_decode(bu, bu_len, &ud, &x), MIP4_OK);
  assert_update_equal(&u, &ud);
  assert_int_equal(x.count, 1);
  assert_int_equal(x.skipped, 0);
  assert_true(x.auth.present);
  assert_int_equal(x.auth.type, RO_EXT_AUTH);
  assert_int_equal(x.auth.off, RO_UPDATE_LEN);
  assert_int_equal(x.auth.len, 22);
  assert_int_equal(x.auth.spi, 0x5000);
  assert_int_equal(x.auth.data_len, MIP4_AUTH_LEN);
  uint8_t want[MIP4_AUTH_LEN];
  hex("a96453f488d42a5403dec1eb080a5b97", want, sizeof want);
  assert_memory_equal(x.auth.data, want, sizeof want);
  assert_true(ro_auth_verify(bu, bu_len, x.auth.off, RO_AUTH_MESSAGE,
                             MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key));
  assert_false(ro_auth_verify(bu, bu_len, x.auth.off, RO_AUTH_MESSAGE,
                              MIP4_AUTH_HMAC_MD5, other_key, sizeof other_key));
  assert_false(ro_auth_verify(bu, bu_len, x.auth.off, RO_AUTH_MESSAGE,
                              MIP4_AUTH_PREFIX_SUFFIX_MD5, ref_key,
                              sizeof ref_key));
  assert_false(ro_auth_verify(bu, bu_len, x.auth.off, RO_AUTH_MESSAGE,
                              MIP4_AUTH_RFC2002, ref_key, sizeof ref_key));
  assert_false(ro_auth_verify(bu, bu_len, x.auth.off, RO_AUTH_UPDATE_BODY,
                              MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key));

  /* Binding Acknowledge. */
  struct ro_ack a = {
      .status = RO_ACK_ACCEPTED, .home_addr = REF_HOA, .ident = REF_IDENT};
  struct ro_ack ad;
  g_autoptr(GByteArray) m4 = g_byte_array_new();
  ro_ack_append(m4, &a);
  g_autoptr(GByteArray) p4 = udp_wrap(REF_CN, REF_HA, MIP4_PORT, MIP4_PORT, m4);
  assert_bytes(p4, ref_ack, sizeof ref_ack);
  assert_int_equal(
      ro_ack_decode(PAYLOAD(ref_ack), PAYLOAD_LEN(ref_ack), &ad, NULL),
      MIP4_OK);
  assert_int_equal(ad.status, a.status);
  assert_int_equal(ad.home_addr, a.home_addr);
  assert_true(ad.ident == a.ident);
}

/* The buffer encoders work like snprintf: the length needed always, the
 * bytes only if they fit. */
static void test_encode_capacity(void **state) {
  struct ro_warning w = {.home_addr = REF_HOA, .num_targets = 3};
  struct ro_request r = {.home_addr = REF_HOA, .ident = REF_IDENT};
  struct ro_update u = {.flags = 0xff, .home_addr = REF_HOA};
  struct ro_ack a = {.status = 0x80, .home_addr = REF_HOA};
  assert_int_equal(ro_warning_encode(&w, NULL, 0), RO_WARNING_LEN + 12);
  assert_int_equal(ro_request_encode(&r, NULL, 0), RO_REQUEST_LEN);
  assert_int_equal(ro_update_encode(&u, NULL, 0), RO_UPDATE_LEN);
  assert_int_equal(ro_ack_encode(&a, NULL, 0), RO_ACK_LEN);
  uint8_t buf[64], ref[64];
  memset(buf, 0xaa, sizeof buf);
  memcpy(ref, buf, sizeof ref);
  assert_int_equal(ro_warning_encode(&w, buf, RO_WARNING_LEN + 11),
                   RO_WARNING_LEN + 12);
  assert_int_equal(ro_request_encode(&r, buf, RO_REQUEST_LEN - 1),
                   RO_REQUEST_LEN);
  assert_int_equal(ro_update_encode(&u, buf, RO_UPDATE_LEN - 1), RO_UPDATE_LEN);
  assert_int_equal(ro_ack_encode(&a, buf, RO_ACK_LEN - 1), RO_ACK_LEN);
  assert_memory_equal(buf, ref, sizeof buf);
  /* Exactly enough room: written, nothing beyond. */
  assert_int_equal(ro_ack_encode(&a, buf, RO_ACK_LEN), RO_ACK_LEN);
  assert_int_equal(buf[0], RO_MSG_ACK);
  assert_int_equal(buf[3], 0x80);
  assert_memory_equal(buf + RO_ACK_LEN, ref + RO_ACK_LEN,
                      sizeof buf - RO_ACK_LEN);
}

/* The smooth handoff of optim-11 §6.1 end to end: the mobile node's
 * request (reference frame), the Binding Update the new foreign agent
 * builds from it, and the previous foreign agent's check. */
static void test_reference_registration(void **state) {
  struct ro_warning w = {.home_addr = REF_HOA, .num_targets = 1};
  w.targets[0] = REF_CN;
  struct ro_prev_fa pf = ref_prev_fa;
  ro_prev_fa_sign(&pf, &ref_rrq, MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key);
  g_autoptr(GByteArray) m = g_byte_array_new();
  mip4_rrq_append(m, &ref_rrq);
  ro_warning_ext_append(m, &w);
  mip4_ext_append_auth(m, MIP4_EXT_MH_AUTH, 0x100, MIP4_AUTH_HMAC_MD5, ref_key,
                       sizeof ref_key);
  ro_prev_fa_append(m, &pf);
  g_autoptr(GByteArray) p = udp_wrap(REF_HOA, REF_COA, 40001, MIP4_PORT, m);
  assert_bytes(p, ro_rrq, sizeof ro_rrq);

  /* The base decoder refuses the request (non-skippable types it does not
   * know, RFC 5944 §1.8) but fills the fixed part; ours finds the route
   * optimisation extensions. */
  const uint8_t *q = PAYLOAD(ro_rrq);
  size_t qlen = PAYLOAD_LEN(ro_rrq);
  struct mip4_rrq rrq;
  assert_int_equal(mip4_rrq_decode(q, qlen, &rrq, NULL), MIP4_ERR_UNKNOWN_EXT);
  assert_int_equal(rrq.flags & RO_RRQ_P, RO_RRQ_P);
  assert_true(rrq.ident == ref_rrq.ident);
  struct ro_reg_exts x;
  assert_int_equal(ro_reg_exts_decode(q, qlen, MIP4_RRQ_LEN, &x), MIP4_OK);
  assert_true(x.warning_ext.present);
  assert_int_equal(x.warning_ext.off, MIP4_RRQ_LEN);
  assert_int_equal(x.warning_ext.len, 12);
  assert_warning_equal(&w, &x.warning);
  assert_true(x.prev_fa_ext.present);
  assert_int_equal(x.prev_fa_ext.off, MIP4_RRQ_LEN + 12 + 22);
  assert_int_equal(x.prev_fa_ext.len, 32);
  assert_prev_fa_equal(&pf, &x.prev_fa);
  /* The Binding Warning extension is for the home agent, so covered by
   * the mobile-home authenticator (RFC 5944 §3.6.1.3); the notification
   * is for the foreign agent and follows it. */
  struct mip4_ext mh;
  assert_int_equal(
      mip4_ext_read(q, qlen, MIP4_RRQ_LEN + 12, MIP4_SPACE_REG, &mh), MIP4_OK);
  assert_int_equal(mh.type, MIP4_EXT_MH_AUTH);
  assert_true(mip4_ext_covered(&x.warning_ext, &mh));
  assert_false(mip4_ext_covered(&x.prev_fa_ext, &mh));
  assert_true(mip4_auth_verify(q, qlen, mh.off, MIP4_AUTH_HMAC_MD5, ref_key,
                               sizeof ref_key));

  /* The new foreign agent's Binding Update to the previous one. */
  struct ro_update u, ud;
  ro_update_from_prev_fa(&rrq, &x.prev_fa, &u);
  assert_int_equal(u.flags, RO_UPDATE_A | RO_UPDATE_I);
  assert_int_equal(u.lifetime, 10);
  assert_int_equal(u.home_addr, REF_HOA);
  assert_int_equal(u.coa, REF_COA);
  assert_true(u.ident == ref_rrq.ident);
  g_autoptr(GByteArray) b = g_byte_array_new();
  ro_update_append(b, &u);
  ro_ext_append_auth_value(b, x.prev_fa.spi, x.prev_fa.auth,
                           x.prev_fa.auth_len);
  struct ro_exts bx;
  assert_int_equal(ro_update_decode(b->data, b->len, &ud, &bx), MIP4_OK);
  assert_update_equal(&u, &ud);
  assert_int_equal(bx.auth.spi, 0x700);
  uint8_t want[MIP4_AUTH_LEN];
  hex("e588086024e0de9f69d4b5e92d90687d", want, sizeof want);
  assert_memory_equal(bx.auth.data, want, sizeof want);
  assert_true(ro_auth_verify(b->data, b->len, bx.auth.off, RO_AUTH_UPDATE_BODY,
                             MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key));
  assert_false(ro_auth_verify(b->data, b->len, bx.auth.off, RO_AUTH_UPDATE_BODY,
                              MIP4_AUTH_HMAC_MD5, other_key, sizeof other_key));
  assert_false(ro_auth_verify(b->data, b->len, bx.auth.off, RO_AUTH_MESSAGE,
                              MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key));
  /* A mobile node retransmitting it itself (optim-11 §8.1) sends the same
   * bytes. */
  g_autoptr(GByteArray) again = g_byte_array_new();
  ro_update_append(again, &u);
  ro_ext_append_auth_value(again, pf.spi, pf.auth, pf.auth_len);
  assert_int_equal(again->len, b->len);
  assert_memory_equal(again->data, b->data, b->len);

  /* The S bit of the advertisement is RFC 3519's U position. */
  struct mip4_advert adv;
  memset(&adv, 0, sizeof adv);
  adv.lifetime = 3;
  adv.seq = 1;
  adv.reg_lifetime = 300;
  adv.flags = MIP4_ADV_F | RO_ADV_S;
  adv.num_coas = 1;
  adv.coas[0] = REF_COA;
  g_autoptr(GByteArray) am = g_byte_array_new();
  mip4_advert_append(am, &adv);
  g_autoptr(GByteArray) ap = test_ip4_wrap(
      IPPROTO_NUM_ICMP, REF_COA, A4(224, 0, 0, 1), 1, am->data, am->len);
  assert_bytes(ap, ro_advert, sizeof ro_advert);
  struct mip4_advert ad;
  assert_int_equal(mip4_advert_decode(ro_advert + IP4_HLEN,
                                      sizeof ro_advert - IP4_HLEN, &ad),
                   MIP4_OK);
  assert_int_equal(ad.flags & RO_ADV_S, RO_ADV_S);
}

/* ---- Round trips ---- */

static uint32_t random_addr(GRand *rng) {
  return g_rand_int(rng);
}

static uint64_t random_ident(GRand *rng) {
  return (uint64_t)g_rand_int(rng) << 32 | g_rand_int(rng);
}

static const enum mip4_auth_alg algs[] = {
    MIP4_AUTH_HMAC_MD5, MIP4_AUTH_PREFIX_SUFFIX_MD5, MIP4_AUTH_RFC2002};

/* Padding, skippable unknown extensions and at most one authentication
 * extension, in random order and number. */
static void random_msg_exts(GRand *rng, GByteArray *m) {
  bool auth = false;
  int n = g_rand_int_range(rng, 0, 5);
  for (int i = 0; i < n; i++) {
    switch (g_rand_int_range(rng, 0, 3)) {
    case 0:
      g_byte_array_append(m, (const uint8_t[]){MIP4_EXT_PAD}, 1);
      break;
    case 1: {
      uint8_t data[20];
      size_t len = (size_t)g_rand_int_range(rng, 0, sizeof data + 1);
      for (size_t k = 0; k < len; k++)
        data[k] = (uint8_t)g_rand_int(rng);
      mip4_ext_append(m, (uint8_t)g_rand_int_range(rng, 128, 256), data, len);
      break;
    }
    default:
      if (!auth)
        ro_ext_append_auth(m, g_rand_int(rng),
                           algs[g_rand_int_range(rng, 0, 3)], ref_key,
                           sizeof ref_key);
      auth = true;
    }
  }
}

/* The decoder's view of the extensions agrees with a walk of them. */
static void assert_exts_match(const uint8_t *m, size_t len, size_t fixed,
                              const struct ro_exts *x) {
  unsigned count = 0, skipped = 0;
  bool auth = false;
  for (size_t off = fixed; off < len;) {
    struct mip4_ext e;
    assert_int_equal(ro_ext_read(m, len, off, &e), MIP4_OK);
    if (e.type != MIP4_EXT_PAD) {
      count++;
      if (e.type == RO_EXT_AUTH) {
        auth = true;
        assert_int_equal(x->auth.off, off);
        assert_int_equal(x->auth.len, e.len);
        assert_int_equal(x->auth.spi, e.spi);
      } else {
        skipped++;
      }
    }
    off += e.len;
  }
  assert_int_equal(x->count, count);
  assert_int_equal(x->skipped, skipped);
  assert_int_equal(x->auth.present, auth);
}

static void test_message_round_trip(void **state) {
  g_autoptr(GRand) rng = g_rand_new_with_seed(18);
  /* Every number of targets, none (optim-11 §4.1) included. */
  for (unsigned n = 0; n <= RO_TARGETS_MAX; n++) {
    struct ro_warning w = {.home_addr = random_addr(rng),
                           .num_targets = (uint8_t)n};
    struct ro_warning d;
    for (unsigned i = 0; i < n; i++)
      w.targets[i] = random_addr(rng);
    g_autoptr(GByteArray) m = g_byte_array_new();
    ro_warning_append(m, &w);
    assert_int_equal(m->len, RO_WARNING_LEN + 4 * n);
    assert_int_equal(ro_warning_encode(&w, NULL, 0), m->len);
    g_autofree uint8_t *c = test_exact(m->data, m->len);
    assert_int_equal(ro_warning_decode(c, m->len, &d), MIP4_OK);
    assert_warning_equal(&w, &d);
  }
  /* Every flag byte (reserved bits kept as received) and every status. */
  for (unsigned v = 0; v < 256; v++) {
    struct ro_update u = {.flags = (uint8_t)v,
                          .lifetime = (uint16_t)g_rand_int(rng),
                          .home_addr = random_addr(rng),
                          .coa = random_addr(rng),
                          .ident = random_ident(rng)};
    struct ro_update ud;
    struct ro_exts x;
    g_autoptr(GByteArray) m = g_byte_array_new();
    ro_update_append(m, &u);
    random_msg_exts(rng, m);
    g_autofree uint8_t *c = test_exact(m->data, m->len);
    assert_int_equal(ro_update_decode(c, m->len, &ud, &x), MIP4_OK);
    assert_update_equal(&u, &ud);
    assert_exts_match(c, m->len, RO_UPDATE_LEN, &x);

    struct ro_ack a = {.status = (uint8_t)v,
                       .home_addr = random_addr(rng),
                       .ident = random_ident(rng)};
    struct ro_ack ad;
    g_autoptr(GByteArray) am = g_byte_array_new();
    ro_ack_append(am, &a);
    random_msg_exts(rng, am);
    g_autofree uint8_t *ac = test_exact(am->data, am->len);
    assert_int_equal(ro_ack_decode(ac, am->len, &ad, &x), MIP4_OK);
    assert_int_equal(ad.status, a.status);
    assert_int_equal(ad.home_addr, a.home_addr);
    assert_true(ad.ident == a.ident);
    assert_exts_match(ac, am->len, RO_ACK_LEN, &x);

    struct ro_request r = {.home_addr = random_addr(rng),
                           .ident = random_ident(rng)};
    struct ro_request rd;
    g_autoptr(GByteArray) rm = g_byte_array_new();
    ro_request_append(rm, &r);
    random_msg_exts(rng, rm);
    g_autofree uint8_t *rc = test_exact(rm->data, rm->len);
    assert_int_equal(ro_request_decode(rc, rm->len, &rd, &x), MIP4_OK);
    assert_int_equal(rd.home_addr, r.home_addr);
    assert_true(rd.ident == r.ident);
    assert_exts_match(rc, rm->len, RO_REQUEST_LEN, &x);
  }
  /* Each flag alone lands on the bit optim-11 §4.3 draws. */
  const uint8_t flags[] = {RO_UPDATE_A, RO_UPDATE_I, RO_UPDATE_M, RO_UPDATE_G};
  for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
    struct ro_update u = {.flags = flags[i]};
    uint8_t b[RO_UPDATE_LEN];
    ro_update_encode(&u, b, sizeof b);
    assert_int_equal(b[1], 0x80 >> i);
  }
  assert_int_equal(RO_UPDATE_RESERVED, 0xff & ~(RO_UPDATE_A | RO_UPDATE_I |
                                                RO_UPDATE_M | RO_UPDATE_G));
  /* The registration flags: P where optim-11 §5.1 puts it, S where §6.2
   * does. */
  assert_int_equal(RO_RRQ_P, 0x01);
  assert_int_equal(RO_ADV_S, 0x0080);
}

/* A registration request with the route optimisation extensions among
 * the base protocol's, in random order. */
static void random_rrq(GRand *rng, GByteArray *m, struct ro_warning *w,
                       struct ro_prev_fa *p, bool *has_w, bool *has_p) {
  struct mip4_rrq q = {.flags = RO_RRQ_P,
                       .lifetime = (uint16_t)g_rand_int(rng),
                       .home_addr = random_addr(rng),
                       .home_agent = random_addr(rng),
                       .coa = random_addr(rng),
                       .ident = random_ident(rng)};
  mip4_rrq_append(m, &q);
  memset(w, 0, sizeof *w);
  w->home_addr = q.home_addr;
  w->num_targets = (uint8_t)g_rand_int_range(rng, 1, RO_TARGETS_MAX + 1);
  for (unsigned i = 0; i < w->num_targets; i++)
    w->targets[i] = random_addr(rng);
  memset(p, 0, sizeof *p);
  p->cache_lifetime = (uint16_t)g_rand_int(rng);
  p->prev_fa = random_addr(rng);
  p->new_coa = g_rand_boolean(rng) ? q.coa : q.home_addr;
  p->spi = g_rand_int(rng);
  if (g_rand_boolean(rng)) {
    ro_prev_fa_sign(p, &q, algs[g_rand_int_range(rng, 0, 3)], ref_key,
                    sizeof ref_key);
  } else {
    p->auth_len = (uint8_t)g_rand_int_range(rng, 0, RO_PREV_FA_AUTH_MAX + 1);
    for (unsigned i = 0; i < p->auth_len; i++)
      p->auth[i] = (uint8_t)g_rand_int(rng);
  }
  *has_w = g_rand_boolean(rng);
  *has_p = g_rand_boolean(rng);
  if (*has_w)
    ro_warning_ext_append(m, w);
  mip4_ext_append(m, MIP4_EXT_NAI, "mn@example.net", 14);
  mip4_ext_append_auth(m, MIP4_EXT_MH_AUTH, 0x100, MIP4_AUTH_HMAC_MD5, ref_key,
                       sizeof ref_key);
  if (g_rand_boolean(rng))
    g_byte_array_append(m, (const uint8_t[]){MIP4_EXT_PAD}, 1);
  if (*has_p)
    ro_prev_fa_append(m, p);
  mip4_ext_append(m, 200, "skip", 4);
  mip4_ext_append_auth(m, MIP4_EXT_MF_AUTH, 0x200, MIP4_AUTH_HMAC_MD5, ref_key,
                       sizeof ref_key);
}

static void test_extension_round_trip(void **state) {
  g_autoptr(GRand) rng = g_rand_new_with_seed(96);
  for (int i = 0; i < 2000; i++) {
    g_autoptr(GByteArray) m = g_byte_array_new();
    struct ro_warning w;
    struct ro_prev_fa p;
    bool has_w, has_p;
    random_rrq(rng, m, &w, &p, &has_w, &has_p);
    g_autofree uint8_t *c = test_exact(m->data, m->len);
    struct ro_reg_exts x;
    assert_int_equal(ro_reg_exts_decode(c, m->len, MIP4_RRQ_LEN, &x), MIP4_OK);
    assert_int_equal(x.warning_ext.present, has_w);
    assert_int_equal(x.prev_fa_ext.present, has_p);
    if (has_w) {
      assert_int_equal(x.warning_ext.len, 8 + 4 * w.num_targets);
      assert_warning_equal(&w, &x.warning);
    }
    if (has_p) {
      assert_int_equal(x.prev_fa_ext.len, 16 + p.auth_len);
      assert_prev_fa_equal(&p, &x.prev_fa);
    }
  }
  /* Every target count and every authenticator length. */
  for (unsigned n = 1; n <= RO_TARGETS_MAX; n++) {
    struct ro_warning w = {.home_addr = REF_HOA, .num_targets = (uint8_t)n}, d;
    for (unsigned i = 0; i < n; i++)
      w.targets[i] = A4(10, 3, 0, i);
    g_autoptr(GByteArray) m = g_byte_array_new();
    ro_warning_ext_append(m, &w);
    struct mip4_ext e;
    assert_int_equal(mip4_ext_read(m->data, m->len, 0, MIP4_SPACE_REG, &e),
                     MIP4_OK);
    assert_int_equal(e.len, m->len);
    assert_int_equal(ro_warning_ext_decode(&e, &d), MIP4_OK);
    assert_warning_equal(&w, &d);
    /* Reserved bytes are sent as zero. */
    assert_int_equal(m->data[2] | m->data[3], 0);
  }
  for (unsigned n = 0; n <= RO_PREV_FA_AUTH_MAX; n++) {
    struct ro_prev_fa p = ref_prev_fa, d;
    p.auth_len = (uint8_t)n;
    for (unsigned i = 0; i < n; i++)
      p.auth[i] = (uint8_t)(n + i);
    g_autoptr(GByteArray) m = g_byte_array_new();
    ro_prev_fa_append(m, &p);
    assert_int_equal(m->data[1], 14 + n);
    struct mip4_ext e;
    assert_int_equal(mip4_ext_read(m->data, m->len, 0, MIP4_SPACE_REG, &e),
                     MIP4_OK);
    assert_int_equal(ro_prev_fa_decode(&e, &d), MIP4_OK);
    assert_prev_fa_equal(&p, &d);
  }
  /* Each decoder refuses the other's extension. */
  g_autoptr(GByteArray) m = g_byte_array_new();
  struct ro_prev_fa pf = ref_prev_fa;
  ro_prev_fa_append(m, &pf);
  struct mip4_ext e;
  struct ro_warning w;
  mip4_ext_read(m->data, m->len, 0, MIP4_SPACE_REG, &e);
  assert_int_equal(ro_warning_ext_decode(&e, &w), MIP4_ERR_BAD_TYPE);
  g_byte_array_set_size(m, 0);
  w = (struct ro_warning){.home_addr = REF_HOA, .num_targets = 1};
  ro_warning_ext_append(m, &w);
  mip4_ext_read(m->data, m->len, 0, MIP4_SPACE_REG, &e);
  assert_int_equal(ro_prev_fa_decode(&e, &pf), MIP4_ERR_BAD_TYPE);
}

/* What the decoders refuse besides damage: the wrong message, a second
 * authentication or warning extension, unknown non-skippable types, and
 * more targets than a structure holds. */
static void test_refusals(void **state) {
  const uint8_t *bu = PAYLOAD(ref_update);
  size_t bu_len = PAYLOAD_LEN(ref_update);
  const uint8_t *const msgs[] = {PAYLOAD(ref_warning), PAYLOAD(ref_request), bu,
                                 PAYLOAD(ref_ack)};
  const size_t lens[] = {PAYLOAD_LEN(ref_warning), PAYLOAD_LEN(ref_request),
                         bu_len, PAYLOAD_LEN(ref_ack)};
  for (enum kind k = WARNING; k <= ACK; k++)
    for (enum kind j = WARNING; j <= ACK; j++)
      assert_int_equal(decode_kind(k, msgs[j], lens[j]),
                       k == j ? MIP4_OK : MIP4_ERR_BAD_TYPE);
  struct ro_update u;
  struct ro_exts x;
  g_autoptr(GByteArray) m = g_byte_array_new();
  g_byte_array_append(m, bu, (guint)bu_len);
  ro_ext_append_auth(m, 1, MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key);
  assert_int_equal(ro_update_decode(m->data, m->len, &u, &x),
                   MIP4_ERR_DUPLICATE_EXT);
  /* The fixed part is there even so. */
  assert_int_equal(u.lifetime, 300);
  /* The base protocol's authentication extensions are unknown here, and
   * RFC 5944 §1.8 has the whole message discarded. */
  g_byte_array_set_size(m, (guint)bu_len);
  mip4_ext_append_auth(m, MIP4_EXT_MH_AUTH, 1, MIP4_AUTH_HMAC_MD5, ref_key,
                       sizeof ref_key);
  assert_int_equal(ro_update_decode(m->data, m->len, &u, &x),
                   MIP4_ERR_UNKNOWN_EXT);
  assert_false(ro_auth_verify(m->data, m->len, bu_len, RO_AUTH_MESSAGE,
                              MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key));
  /* An authentication extension too short for its SPI. */
  g_byte_array_set_size(m, RO_UPDATE_LEN);
  mip4_ext_append(m, RO_EXT_AUTH, "abc", 3);
  assert_int_equal(ro_update_decode(m->data, m->len, &u, &x),
                   MIP4_ERR_BAD_LENGTH);
  /* A Binding Warning message of 63 targets does not fit a structure. */
  g_autoptr(GByteArray) big = g_byte_array_new();
  struct ro_warning w = {.home_addr = REF_HOA, .num_targets = RO_TARGETS_MAX};
  ro_warning_append(big, &w);
  g_byte_array_append(big, (const uint8_t[]){10, 3, 0, 99}, 4);
  assert_int_equal(decode_kind(WARNING, big->data, big->len),
                   MIP4_ERR_BAD_VALUE);
  /* Two warning extensions, two notifications. */
  for (int twice = 0; twice < 2; twice++) {
    g_autoptr(GByteArray) r = g_byte_array_new();
    mip4_rrq_append(r, &ref_rrq);
    w.num_targets = 1;
    for (int i = 0; i < 2; i++) {
      if (twice)
        ro_prev_fa_append(r, &ref_prev_fa);
      else
        ro_warning_ext_append(r, &w);
    }
    assert_int_equal(decode_kind(REG, r->data, r->len), MIP4_ERR_DUPLICATE_EXT);
  }
}

/* ---- Damage ---- */

struct sample {
  enum kind kind;
  GByteArray *msg;
};

static void add_sample(GArray *set, enum kind k, const uint8_t *b, size_t len) {
  struct sample s = {k, g_byte_array_new()};
  g_byte_array_append(s.msg, b, (guint)len);
  g_array_append_val(set, s);
}

static void free_sample(void *p) {
  g_byte_array_unref(((struct sample *)p)->msg);
}

/* Valid messages of every kind: the reference ones and generated ones
 * with every extension.  Transfer full. */
static GArray *samples(void) {
  GArray *set = g_array_new(false, false, sizeof(struct sample));
  g_array_set_clear_func(set, free_sample);
  add_sample(set, WARNING, PAYLOAD(ref_warning), PAYLOAD_LEN(ref_warning));
  add_sample(set, REQUEST, PAYLOAD(ref_request), PAYLOAD_LEN(ref_request));
  add_sample(set, UPDATE, PAYLOAD(ref_update), PAYLOAD_LEN(ref_update));
  add_sample(set, ACK, PAYLOAD(ref_ack), PAYLOAD_LEN(ref_ack));
  add_sample(set, REG, PAYLOAD(ro_rrq), PAYLOAD_LEN(ro_rrq));
  g_autoptr(GRand) rng = g_rand_new_with_seed(19);
  for (int i = 0; i < 3; i++) {
    g_autoptr(GByteArray) m = g_byte_array_new();
    struct ro_update u = {.flags = (uint8_t)g_rand_int(rng),
                          .lifetime = 60,
                          .home_addr = REF_HOA,
                          .coa = REF_COA,
                          .ident = random_ident(rng)};
    ro_update_append(m, &u);
    mip4_ext_append(m, 200, "skip", 4);
    g_byte_array_append(m, (const uint8_t[]){MIP4_EXT_PAD}, 1);
    ro_ext_append_auth(m, 0x5000, algs[i], ref_key, sizeof ref_key);
    add_sample(set, UPDATE, m->data, m->len);
    g_autoptr(GByteArray) a = g_byte_array_new();
    ro_ack_append(a, &(struct ro_ack){.status = RO_ACK_AUTH_FAILED});
    ro_ext_append_auth(a, 0x5001, algs[i], ref_key, sizeof ref_key);
    mip4_ext_append(a, 255, NULL, 0);
    add_sample(set, ACK, a->data, a->len);
    g_autoptr(GByteArray) r = g_byte_array_new();
    ro_request_append(r, &(struct ro_request){.home_addr = REF_HOA});
    ro_ext_append_auth(r, 0x5002, algs[i], ref_key, sizeof ref_key);
    add_sample(set, REQUEST, r->data, r->len);
    g_autoptr(GByteArray) q = g_byte_array_new();
    struct ro_warning w;
    struct ro_prev_fa p;
    bool has_w, has_p;
    random_rrq(rng, q, &w, &p, &has_w, &has_p);
    add_sample(set, REG, q->data, q->len);
  }
  struct ro_warning w = {.home_addr = REF_HOA, .num_targets = 5};
  g_autoptr(GByteArray) m = g_byte_array_new();
  ro_warning_append(m, &w);
  add_sample(set, WARNING, m->data, m->len);
  w.num_targets = 0;
  g_byte_array_set_size(m, 0);
  ro_warning_append(m, &w);
  add_sample(set, WARNING, m->data, m->len);
  return set;
}

static size_t fixed_len(enum kind k) {
  switch (k) {
  case WARNING:
    return RO_WARNING_LEN;
  case REQUEST:
    return RO_REQUEST_LEN;
  case UPDATE:
    return RO_UPDATE_LEN;
  case ACK:
    return RO_ACK_LEN;
  case REG:
    return MIP4_RRQ_LEN;
  }
  return 0;
}

/* Reads the extension at off as a message of kind k would. */
static enum mip4_err read_ext(enum kind k, const uint8_t *m, size_t len,
                              size_t off, struct mip4_ext *e) {
  return k == REG ? mip4_ext_read(m, len, off, MIP4_SPACE_REG, e)
                  : ro_ext_read(m, len, off, e);
}

/* Where the extensions of a sample start and end, from the fixed part's
 * end on (none for a Binding Warning). */
static GArray *boundaries(const struct sample *s) {
  GArray *b = g_array_new(false, false, sizeof(size_t));
  size_t fixed = fixed_len(s->kind);
  g_array_append_val(b, fixed);
  if (s->kind == WARNING)
    return b;
  for (size_t off = fixed; off < s->msg->len;) {
    struct mip4_ext e;
    assert_int_equal(read_ext(s->kind, s->msg->data, s->msg->len, off, &e),
                     MIP4_OK);
    off += e.len;
    g_array_append_val(b, off);
  }
  return b;
}

static bool contains(GArray *a, size_t v) {
  for (guint i = 0; i < a->len; i++)
    if (g_array_index(a, size_t, i) == v)
      return true;
  return false;
}

/* Every prefix of every sample: a cut between extensions leaves a valid
 * message, any other cut is reported truncated; a Binding Warning, which
 * has no Length, is valid wherever whole targets remain and of a bad
 * length elsewhere. */
static void test_truncation(void **state) {
  g_autoptr(GArray) set = samples();
  for (guint i = 0; i < set->len; i++) {
    const struct sample *s = &g_array_index(set, struct sample, i);
    g_autoptr(GArray) ends = boundaries(s);
    size_t fixed = fixed_len(s->kind);
    assert_int_equal(decode_kind(s->kind, s->msg->data, s->msg->len), MIP4_OK);
    /* The registration request's fixed part is the base decoder's. */
    for (size_t cut = s->kind == REG ? fixed : 0; cut < s->msg->len; cut++) {
      enum mip4_err want = MIP4_ERR_TRUNCATED;
      if (s->kind == WARNING && cut >= fixed)
        want = (cut - fixed) % 4 ? MIP4_ERR_BAD_LENGTH : MIP4_OK;
      else if (cut >= fixed && contains(ends, cut))
        want = MIP4_OK;
      assert_int_equal(decode_kind(s->kind, s->msg->data, cut), want);
    }
    /* A Binding Warning grown by part of an address. */
    if (s->kind == WARNING)
      for (guint extra = 1; extra <= 4; extra++) {
        g_autoptr(GByteArray) m = g_byte_array_new();
        g_byte_array_append(m, s->msg->data, s->msg->len);
        g_byte_array_set_size(m, s->msg->len + extra);
        assert_int_equal(decode_kind(WARNING, m->data, m->len),
                         extra == 4 ? MIP4_OK : MIP4_ERR_BAD_LENGTH);
      }
  }
}

/* Every other value in the Length byte of every extension: past the end
 * it is truncated, against the layout its type demands a bad length;
 * anything else may parse either way, but must not crash. */
static void test_wrong_lengths(void **state) {
  g_autoptr(GArray) set = samples();
  for (guint i = 0; i < set->len; i++) {
    const struct sample *s = &g_array_index(set, struct sample, i);
    g_autoptr(GArray) ends = boundaries(s);
    for (guint k = 0; k + 1 < ends->len; k++) {
      size_t off = g_array_index(ends, size_t, k);
      struct mip4_ext e;
      assert_int_equal(read_ext(s->kind, s->msg->data, s->msg->len, off, &e),
                       MIP4_OK);
      /* Padding has no Length; the long format is the base protocol's. */
      if (e.type == MIP4_EXT_PAD || e.type == MIP4_EXT_GEN_AUTH)
        continue;
      size_t old = s->msg->data[off + 1];
      for (size_t v = 0; v <= 255; v++) {
        if (v == old)
          continue;
        g_autoptr(GByteArray) m = g_byte_array_new();
        g_byte_array_append(m, s->msg->data, s->msg->len);
        m->data[off + 1] = (uint8_t)v;
        enum mip4_err got = decode_kind(s->kind, m->data, m->len);
        if (off + 2 + v > m->len) {
          assert_int_equal(got, MIP4_ERR_TRUNCATED);
          continue;
        }
        bool bad = false;
        if (s->kind != REG && e.type == RO_EXT_AUTH)
          bad = v < 4;
        else if (s->kind == REG && e.type == RO_EXT_WARNING)
          bad = v < 10 || (v - 6) % 4 != 0;
        else if (s->kind == REG && e.type == RO_EXT_PREV_FA)
          bad = v < 14;
        if (bad)
          assert_int_equal(got, MIP4_ERR_BAD_LENGTH);
      }
    }
  }
}

static GByteArray *random_bytes(GRand *rng, int max) {
  GByteArray *b = g_byte_array_new();
  int n = g_rand_int_range(rng, 0, max + 1);
  for (int i = 0; i < n; i++) {
    uint8_t v = (uint8_t)g_rand_int(rng);
    g_byte_array_append(b, &v, 1);
  }
  return b;
}

/* Random damage with a fixed seed: bytes changed, messages cut or grown,
 * and random bytes of every length.  Nothing may crash or read out of
 * bounds; what still decodes must encode back to the same bytes (reserved
 * fields aside). */
static void test_random_mutations(void **state) {
  g_autoptr(GArray) set = samples();
  g_autoptr(GRand) rng = g_rand_new_with_seed(0x726f);
  for (int iter = 0; iter < 60000; iter++) {
    g_autoptr(GByteArray) m = g_byte_array_new();
    if (iter % 10 == 9) {
      g_autoptr(GByteArray) r = random_bytes(rng, 60);
      g_byte_array_append(m, r->data, r->len);
      /* Random bytes that at least start as a route optimisation
       * message. */
      if (m->len && iter % 20 == 9)
        m->data[0] =
            (uint8_t)g_rand_int_range(rng, RO_MSG_WARNING, RO_MSG_ACK + 1);
    } else {
      const struct sample *s = &g_array_index(
          set, struct sample, g_rand_int_range(rng, 0, (gint32)set->len));
      g_byte_array_append(m, s->msg->data, s->msg->len);
      int changes = g_rand_int_range(rng, 1, 4);
      for (int c = 0; c < changes && m->len; c++)
        m->data[g_rand_int_range(rng, 0, (gint32)m->len)] =
            (uint8_t)g_rand_int(rng);
      if (g_rand_int_range(rng, 0, 4) == 0)
        g_byte_array_set_size(
            m, (guint)g_rand_int_range(rng, 0, (gint32)m->len + 1));
      else if (g_rand_int_range(rng, 0, 8) == 0) {
        g_autoptr(GByteArray) r = random_bytes(rng, 12);
        g_byte_array_append(m, r->data, r->len);
      }
    }
    size_t len = m->len;
    g_autofree uint8_t *c = test_exact(m->data, len);
    uint8_t again[RO_WARNING_LEN + 4 * RO_TARGETS_MAX];
    struct ro_warning w;
    if (ro_warning_decode(c, len, &w) == MIP4_OK) {
      assert_int_equal(ro_warning_encode(&w, again, sizeof again), len);
      assert_memory_equal(again + 4, c + 4, len - 4);
    }
    struct ro_exts x;
    struct ro_request r;
    if (ro_request_decode(c, len, &r, &x) == MIP4_OK) {
      ro_request_encode(&r, again, sizeof again);
      assert_memory_equal(again + 4, c + 4, RO_REQUEST_LEN - 4);
      assert_exts_match(c, len, RO_REQUEST_LEN, &x);
    }
    struct ro_update u;
    if (ro_update_decode(c, len, &u, &x) == MIP4_OK) {
      ro_update_encode(&u, again, sizeof again);
      assert_memory_equal(again, c, RO_UPDATE_LEN);
      assert_exts_match(c, len, RO_UPDATE_LEN, &x);
    }
    struct ro_ack a;
    if (ro_ack_decode(c, len, &a, &x) == MIP4_OK) {
      ro_ack_encode(&a, again, sizeof again);
      assert_memory_equal(again + 3, c + 3, RO_ACK_LEN - 3);
      assert_exts_match(c, len, RO_ACK_LEN, &x);
    }
    /* The extension readers and checks look wherever they are pointed. */
    size_t at = len ? (size_t)g_rand_int_range(rng, 0, (gint32)len) : 0;
    struct ro_reg_exts rx;
    ro_reg_exts_decode(c, len, at, &rx);
    struct mip4_ext e;
    if (mip4_ext_read(c, len, at, MIP4_SPACE_REG, &e) == MIP4_OK) {
      struct ro_prev_fa p;
      ro_warning_ext_decode(&e, &w);
      ro_prev_fa_decode(&e, &p);
    }
    ro_ext_read(c, len, at, &e);
    for (int cover = RO_AUTH_MESSAGE; cover <= RO_AUTH_UPDATE_BODY; cover++)
      ro_auth_verify(c, len, at, (enum ro_auth_cover)cover, MIP4_AUTH_HMAC_MD5,
                     ref_key, sizeof ref_key);
  }
}

/* ---- Authentication ---- */

/* The MAC of the first len bytes of data, built without mip4: HMAC-MD5 or
 * MD5(key || data || key). */
static void mac_by_hand(enum mip4_auth_alg alg, const uint8_t *data, size_t len,
                        uint8_t out[MIP4_AUTH_LEN]) {
  gsize n = MIP4_AUTH_LEN;
  if (alg == MIP4_AUTH_HMAC_MD5) {
    g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_MD5, ref_key, sizeof ref_key);
    g_hmac_update(h, data, (gssize)len);
    g_hmac_get_digest(h, out, &n);
  } else {
    g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_MD5);
    g_checksum_update(c, ref_key, sizeof ref_key);
    g_checksum_update(c, data, (gssize)len);
    g_checksum_update(c, ref_key, sizeof ref_key);
    g_checksum_get_digest(c, out, &n);
  }
}

/* Which bytes each algorithm and cover protects, byte by byte: a flipped
 * byte the authenticator covers, or in the authenticator, is refused;
 * one outside is not noticed. */
static void test_auth_coverage(void **state) {
  for (size_t ai = 0; ai < G_N_ELEMENTS(algs); ai++) {
    enum mip4_auth_alg alg = algs[ai];
    struct ro_update u = {.flags = RO_UPDATE_A | RO_UPDATE_I,
                          .lifetime = 60,
                          .home_addr = REF_HOA,
                          .coa = REF_COA,
                          .ident = REF_IDENT};
    /* Home agent to correspondent, a skippable extension before the
     * authentication. */
    g_autoptr(GByteArray) m = g_byte_array_new();
    ro_update_append(m, &u);
    mip4_ext_append(m, 200, "xy", 2);
    size_t ext = m->len;
    ro_ext_append_auth(m, 0x5000, alg, ref_key, sizeof ref_key);
    assert_int_equal(m->len, ext + 22);
    size_t covered = ext + (alg == MIP4_AUTH_RFC2002 ? 2 : 6);
    uint8_t want[MIP4_AUTH_LEN], got[MIP4_AUTH_LEN];
    mac_by_hand(alg, m->data, covered, want);
    assert_memory_equal(m->data + ext + 6, want, sizeof want);
    assert_true(ro_auth_compute(m->data, m->len, ext, RO_AUTH_MESSAGE, alg,
                                ref_key, sizeof ref_key, got));
    assert_memory_equal(got, want, sizeof want);
    assert_true(ro_auth_verify(m->data, m->len, ext, RO_AUTH_MESSAGE, alg,
                               ref_key, sizeof ref_key));
    assert_false(ro_auth_verify(m->data, m->len, ext, RO_AUTH_MESSAGE, alg,
                                other_key, sizeof other_key));
    for (size_t i = 0; i < m->len; i++) {
      g_autoptr(GByteArray) f = g_byte_array_new();
      g_byte_array_append(f, m->data, m->len);
      f->data[i] ^= 0x01;
      bool uncovered = i >= covered && i < ext + 6; /* RFC 2002's SPI */
      assert_int_equal(ro_auth_verify(f->data, f->len, ext, RO_AUTH_MESSAGE,
                                      alg, ref_key, sizeof ref_key),
                       uncovered);
    }

    /* The smooth-handoff authenticator: the Binding Update body only,
     * whatever follows it, the SPI included. */
    struct ro_prev_fa p = ref_prev_fa;
    ro_prev_fa_sign(&p, &ref_rrq, alg, ref_key, sizeof ref_key);
    struct ro_update bu;
    ro_update_from_prev_fa(&ref_rrq, &p, &bu);
    g_autoptr(GByteArray) b = g_byte_array_new();
    ro_update_append(b, &bu);
    mac_by_hand(alg, b->data, RO_UPDATE_LEN, want);
    assert_int_equal(p.auth_len, MIP4_AUTH_LEN);
    assert_memory_equal(p.auth, want, sizeof want);
    mip4_ext_append(b, 201, "z", 1);
    ext = b->len;
    ro_ext_append_auth_value(b, p.spi, p.auth, p.auth_len);
    assert_true(ro_auth_verify(b->data, b->len, ext, RO_AUTH_UPDATE_BODY, alg,
                               ref_key, sizeof ref_key));
    for (size_t i = 0; i < b->len; i++) {
      g_autoptr(GByteArray) f = g_byte_array_new();
      g_byte_array_append(f, b->data, b->len);
      f->data[i] ^= 0x01;
      /* Between the body and the authentication extension nothing is
       * read; its own Type and Length change what is read, its SPI is
       * not covered. */
      bool noticed =
          i < RO_UPDATE_LEN || i == ext || i == ext + 1 || i >= ext + 6;
      assert_int_equal(ro_auth_verify(f->data, f->len, ext, RO_AUTH_UPDATE_BODY,
                                      alg, ref_key, sizeof ref_key),
                       !noticed);
    }
  }
  /* An authenticator of another length never verifies. */
  g_autoptr(GByteArray) s = g_byte_array_new();
  ro_update_append(s, &(struct ro_update){.flags = RO_UPDATE_A});
  ro_ext_append_auth_value(s, 1, ref_key, 15);
  assert_false(ro_auth_verify(s->data, s->len, RO_UPDATE_LEN, RO_AUTH_MESSAGE,
                              MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key));
  /* Where compute refuses: not an RO_EXT_AUTH header and SPI, or a body
   * that is not a whole Binding Update before the extension. */
  uint8_t out[MIP4_AUTH_LEN];
  g_autoptr(GByteArray) a = g_byte_array_new();
  ro_ack_append(a, &(struct ro_ack){0});
  ro_ext_append_auth(a, 7, MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key);
  assert_true(ro_auth_verify(a->data, a->len, RO_ACK_LEN, RO_AUTH_MESSAGE,
                             MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key));
  assert_false(ro_auth_compute(a->data, a->len, RO_ACK_LEN, RO_AUTH_UPDATE_BODY,
                               MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key,
                               out));
  assert_false(ro_auth_compute(a->data, a->len, 0, RO_AUTH_MESSAGE,
                               MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key,
                               out));
  assert_false(ro_auth_compute(a->data, RO_ACK_LEN + 5, RO_ACK_LEN,
                               RO_AUTH_MESSAGE, MIP4_AUTH_HMAC_MD5, ref_key,
                               sizeof ref_key, out));
  assert_false(ro_auth_compute(a->data, a->len, a->len, RO_AUTH_MESSAGE,
                               MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key,
                               out));
  /* A Binding Update whose extension starts inside the body. */
  g_autoptr(GByteArray) t = g_byte_array_new();
  ro_update_append(t, &(struct ro_update){0});
  t->data[10] = RO_EXT_AUTH;
  assert_false(ro_auth_compute(t->data, t->len, 10, RO_AUTH_UPDATE_BODY,
                               MIP4_AUTH_HMAC_MD5, ref_key, sizeof ref_key,
                               out));
}

/* ---- Names ---- */

static void assert_table(const struct mip4_code_name *t, const unsigned *codes,
                         size_t n, const char *(*lookup)(unsigned)) {
  size_t i = 0;
  for (; t[i].name; i++) {
    assert_true(i < n);
    assert_int_equal(t[i].code, codes[i]);
    assert_ptr_equal(lookup(codes[i]), t[i].name);
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(t[i].name, t[j].name);
  }
  assert_int_equal(i, n);
  assert_int_equal(t[i].code, 0);
}

static void test_names(void **state) {
  const unsigned msgs[] = {16, 17, 18, 19};
  assert_table(ro_msg_names, msgs, G_N_ELEMENTS(msgs), ro_msg_name);
  const unsigned status[] = {0, 128, 129, 130, 131, 133, 134};
  assert_table(ro_ack_status_names, status, G_N_ELEMENTS(status),
               ro_ack_status_name);
  assert_string_equal(ro_msg_name(RO_MSG_UPDATE), "bindingUpdate");
  assert_string_equal(ro_ack_status_name(RO_ACK_ID_MISMATCH),
                      "identificationMismatch");
  assert_null(ro_msg_name(1));
  assert_null(ro_ack_status_name(132));
  assert_null(ro_ack_status_name(1));
}

/* ---- A capture for tshark ---- */

static void dump(pcap_dumper_t *d, GByteArray *p, int *frame) {
  struct pcap_pkthdr h = {
      .ts = {.tv_sec = 1000 + (*frame)++}, .caplen = p->len, .len = p->len};
  pcap_dump((u_char *)d, &h, p->data);
  g_byte_array_unref(p);
}

/* One packet of every kind in a raw-IPv4 capture, whose expected fields
 * tests/ro-tshark.test knows: keep the two in step. */
static void test_write_pcap(void **state) {
  const char *path = g_getenv("MIPSIM_RO_PCAP");
  if (!path)
    skip();
  pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
  assert_non_null(dead);
  pcap_dumper_t *d = pcap_dump_open(dead, path);
  assert_non_null(d);
  int frame = 1;

  /* 1: previous foreign agent -> home agent, two targets. */
  struct ro_warning w = {.home_addr = REF_HOA, .num_targets = 2};
  w.targets[0] = REF_CN;
  w.targets[1] = A4(10, 3, 0, 6);
  g_autoptr(GByteArray) m1 = g_byte_array_new();
  ro_warning_append(m1, &w);
  dump(d, udp_wrap(REF_PREV_FA, REF_HA, MIP4_PORT, MIP4_PORT, m1), &frame);
  /* 2: no home agent known: to the correspondent, no target (optim-11
   * §4.1). */
  w.num_targets = 0;
  g_autoptr(GByteArray) m2 = g_byte_array_new();
  ro_warning_append(m2, &w);
  dump(d, udp_wrap(REF_PREV_FA, REF_CN, MIP4_PORT, MIP4_PORT, m2), &frame);
  /* 3: correspondent -> home agent. */
  g_autoptr(GByteArray) m3 = g_byte_array_new();
  ro_request_append(
      m3, &(struct ro_request){.home_addr = REF_HOA, .ident = REF_IDENT});
  dump(d, udp_wrap(REF_CN, REF_HA, MIP4_PORT, MIP4_PORT, m3), &frame);
  /* 4: home agent -> correspondent, every flag, HMAC-MD5. */
  g_autoptr(GByteArray) m4 = g_byte_array_new();
  ro_update_append(m4, &(struct ro_update){.flags = RO_UPDATE_A | RO_UPDATE_I |
                                                    RO_UPDATE_M | RO_UPDATE_G,
                                           .lifetime = 300,
                                           .home_addr = REF_HOA,
                                           .coa = REF_COA,
                                           .ident = REF_IDENT});
  ro_ext_append_auth(m4, 0x5000, MIP4_AUTH_HMAC_MD5, ref_key, 16);
  dump(d, udp_wrap(REF_HA, REF_CN, MIP4_PORT, MIP4_PORT, m4), &frame);
  /* 5: the binding is private (P): care-of = home address, lifetime 0
   * (optim-11 §4.2), prefix+suffix MD5. */
  g_autoptr(GByteArray) m5 = g_byte_array_new();
  ro_update_append(m5, &(struct ro_update){.flags = RO_UPDATE_I,
                                           .lifetime = 0,
                                           .home_addr = REF_HOA,
                                           .coa = REF_HOA,
                                           .ident = REF_IDENT + 1});
  ro_ext_append_auth(m5, 0x5000, MIP4_AUTH_PREFIX_SUFFIX_MD5, ref_key, 16);
  dump(d, udp_wrap(REF_HA, REF_CN, MIP4_PORT, MIP4_PORT, m5), &frame);
  /* 6, 7: accepted; refused, the sender failed authentication. */
  struct ro_ack a = {.home_addr = REF_HOA, .ident = REF_IDENT};
  g_autoptr(GByteArray) m6 = g_byte_array_new();
  ro_ack_append(m6, &a);
  dump(d, udp_wrap(REF_CN, REF_HA, MIP4_PORT, MIP4_PORT, m6), &frame);
  a.status = RO_ACK_AUTH_FAILED;
  g_autoptr(GByteArray) m7 = g_byte_array_new();
  ro_ack_append(m7, &a);
  dump(d, udp_wrap(REF_CN, REF_HA, MIP4_PORT, MIP4_PORT, m7), &frame);
  /* 8: the mobile node's request to its new foreign agent: P bit, Binding
   * Warning extension for the home agent, notification for the foreign
   * agent, in RFC 5944 §3.6.1.3's order. */
  w.num_targets = 2;
  struct ro_prev_fa pf = ref_prev_fa;
  ro_prev_fa_sign(&pf, &ref_rrq, MIP4_AUTH_HMAC_MD5, ref_key, 16);
  g_autoptr(GByteArray) m8 = g_byte_array_new();
  mip4_rrq_append(m8, &ref_rrq);
  ro_warning_ext_append(m8, &w);
  mip4_ext_append_auth(m8, MIP4_EXT_MH_AUTH, 0x100, MIP4_AUTH_HMAC_MD5, ref_key,
                       16);
  ro_prev_fa_append(m8, &pf);
  mip4_ext_append_auth(m8, MIP4_EXT_MF_AUTH, 0x300, MIP4_AUTH_HMAC_MD5, ref_key,
                       16);
  dump(d, udp_wrap(REF_HOA, REF_COA, 40001, MIP4_PORT, m8), &frame);
  /* 9: the new foreign agent's Binding Update to the previous one, from
   * its own address (optim-11 §6.1). */
  struct ro_update bu;
  ro_update_from_prev_fa(&ref_rrq, &pf, &bu);
  g_autoptr(GByteArray) m9 = g_byte_array_new();
  ro_update_append(m9, &bu);
  ro_ext_append_auth_value(m9, pf.spi, pf.auth, pf.auth_len);
  dump(d, udp_wrap(REF_COA, REF_PREV_FA, MIP4_PORT, MIP4_PORT, m9), &frame);
  /* 10: a foreign agent offering smooth handoff (S bit). */
  struct mip4_advert adv;
  memset(&adv, 0, sizeof adv);
  adv.lifetime = 3;
  adv.seq = 1;
  adv.reg_lifetime = 300;
  adv.flags = MIP4_ADV_R | MIP4_ADV_F | RO_ADV_S;
  adv.num_coas = 1;
  adv.coas[0] = REF_COA;
  g_autoptr(GByteArray) m10 = g_byte_array_new();
  mip4_advert_append(m10, &adv);
  dump(d,
       test_ip4_wrap(IPPROTO_NUM_ICMP, REF_COA, A4(224, 0, 0, 1), 1, m10->data,
                     m10->len),
       &frame);

  pcap_dump_close(d);
  pcap_close(dead);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reference_messages),
      cmocka_unit_test(test_encode_capacity),
      cmocka_unit_test(test_reference_registration),
      cmocka_unit_test(test_message_round_trip),
      cmocka_unit_test(test_extension_round_trip),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_truncation),
      cmocka_unit_test(test_wrong_lengths),
      cmocka_unit_test(test_random_mutations),
      cmocka_unit_test(test_auth_coverage),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_write_pcap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
