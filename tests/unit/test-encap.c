/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tunnelling formats: exact overheads, header fields and checksums, TTL
 * and DF rules, and decapsulation back to the original bytes.  The
 * tunnels of a node: endpoints of several owners, unclaimed packets, the
 * mark on a node's own outer packets and the soft state its senders
 * share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <string.h>

#include "protocols/encap/encap.h"
#include "protocols/encap/tunnel.h"
#include "sim/core/pkt.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"

#define SRC 0x0a000001u /* the correspondent */
#define DST 0x0a010002u /* the mobile node's home address */
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
    assert_int_equal(p->data[IP4_OFF_TOS], 0x10);            /* copied */
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

/* ---- the tunnels of a node ------------------------------------------ */

/* a (10.0.0.1, 10.0.0.11) - r - b (10.0.1.2, 10.0.1.3), 10 Mb/s, 1 ms a
 * hop; the link r - b carries at most 1000 bytes. */
struct net {
  struct sim *sim;
  struct node *a, *r, *b;
};

#define A1 0x0a000001u
#define A2 0x0a00000bu
#define B1 0x0a000102u
#define B2 0x0a000103u
#define FAR 0x0a090909u /* the inner packets' destination, anywhere */
#define PROTO_TEST 253

static struct prefix pfx(const char *text) {
  struct prefix p;
  assert_true(prefix_parse(text, &p, NULL));
  return p;
}

static struct net net_new(void) {
  struct net n;
  n.sim = sim_new("tunnels", 1, 0);
  n.sim->duration = SIM_S;
  n.sim->computed_routes = false;
  n.a = node_new(n.sim, "a", false);
  n.r = node_new(n.sim, "r", true);
  n.b = node_new(n.sim, "b", false);
  struct link *l1 = link_new(n.sim, "l1", &link_p2p_ops, 10000000, SIM_MS);
  struct link *l2 = link_new(n.sim, "l2", &link_p2p_ops, 10000000, SIM_MS);
  l2->mtu = 1000;
  struct iface *ia = iface_new(n.a, l1), *ib = iface_new(n.b, l2);
  struct prefix p = pfx("10.0.0.1/24");
  iface_add_addr(ia, &p);
  p = pfx("10.0.0.11/24");
  iface_add_addr(ia, &p);
  p = pfx("10.0.0.254/24");
  iface_add_addr(iface_new(n.r, l1), &p);
  p = pfx("10.0.1.254/24");
  iface_add_addr(iface_new(n.r, l2), &p);
  p = pfx("10.0.1.2/24");
  iface_add_addr(ib, &p);
  p = pfx("10.0.1.3/24");
  iface_add_addr(ib, &p);
  struct prefix all = pfx("0.0.0.0/0");
  struct ip_addr to_a = addr_v4(0x0a0001feu), to_b = addr_v4(0x0a0000feu);
  assert_true(route_add(n.a, &all, NULL, &to_b));
  assert_true(route_add(n.b, &all, NULL, &to_a));
  return n;
}

static void net_free(struct net *n) {
  assert_int_equal(sched_pending_count(&n->sim->sched), 0);
  assert_int_equal(n->sim->pool.live_count, 0);
  sim_free(n->sim);
}

/* An inner packet from a (A1) to FAR, len bytes in all. */
static struct pkt *inner_from_a(struct net *n, uint32_t len, bool df) {
  struct pkt *p = pkt_new(&n->sim->pool, len);
  uint8_t *h = p->data;
  h[0] = 0x45;
  put_be16(h + IP4_OFF_LEN, (uint16_t)len);
  put_be16(h + IP4_OFF_FRAG, df ? IP4_DF : 0);
  h[IP4_OFF_TTL] = 64;
  h[IP4_OFF_PROTO] = PROTO_TEST;
  put_be32(h + IP4_OFF_SRC, A1);
  put_be32(h + IP4_OFF_DST, FAR);
  put_be16(h + IP4_OFF_CSUM, inet_checksum(h, IP4_HLEN));
  return p;
}

static bool send_from_a(struct net *n, uint32_t src, uint32_t dst,
                        enum encap_kind kind, uint32_t len, bool df) {
  struct encap_tx tx = {.src = src, .dst = dst, .kind = kind};
  return encap_tunnel_send(n->a, inner_from_a(n, len, df), &tx);
}

/* An owner of endpoints: logs its tag and what the tunnel was. */
struct owner {
  GString *log;
  char tag;
};

static void owner_rx(void *ctx, struct node *node, struct pkt *pkt,
                     const struct encap_rx *rx) {
  struct owner *o = ctx;
  (void)node;
  /* The inner packet, unmarked, with the outer addresses beside it. */
  assert_int_equal(load_be32(pkt->data + IP4_OFF_DST), FAR);
  assert_int_equal(pkt->data[IP4_OFF_PROTO], PROTO_TEST);
  assert_int_equal(pkt->meta.tunnel_origin, 0);
  g_string_append_printf(o->log, "%c:%x>%x/%d ", o->tag, rx->outer_src & 0xff,
                         rx->outer_dst & 0xff, (int)rx->kind);
  pkt_free(pkt);
}

static void test_endpoints_of_two_owners(void **state) {
  (void)state;
  struct net n = net_new();
  g_autoptr(GString) log = g_string_new("");
  struct owner x = {log, 'x'}, y = {log, 'y'};
  /* x terminates every tunnel to B1 but the IP-in-IP ones from A2, which
   * y (another module) claims, as it does GRE to B2 once it has that
   * address. */
  encap_endpoint_add(n.b, B1, 0, ENCAP_KINDS_ALL, owner_rx, &x);
  encap_endpoint_add(n.b, B1, A2, ENCAP_KIND_BIT(ENCAP_IPIP), owner_rx, &y);
  struct encap_endpoint *later =
      encap_endpoint_add(n.b, 0, 0, ENCAP_KIND_BIT(ENCAP_GRE), owner_rx, &y);
  encap_endpoint_set_local(later, B2);
  assert_true(send_from_a(&n, A1, B1, ENCAP_IPIP, 100, false));
  assert_true(send_from_a(&n, A2, B1, ENCAP_IPIP, 100, false));
  assert_true(send_from_a(&n, A2, B1, ENCAP_MINIMAL, 100, false));
  assert_true(send_from_a(&n, A1, B2, ENCAP_GRE, 100, false));
  sim_run(n.sim, 0, NULL, NULL);
  /* Minimal encapsulation by the originator has no room for another
   * source: the outer source is the inner one, A1 (RFC 2004 3). */
  assert_string_equal(log->str, "x:1>2/0 y:b>2/0 x:1>2/1 y:1>3/2 ");
  assert_int_equal(drop_counters_get(&n.b->cnt.drops, DROP_UNREACHABLE), 0);
  net_free(&n);
}

/* Something to do at a time of the run. */
struct later {
  struct sched_event ev;
  struct net *n;
  bool sent[2];
};

static void later_at(struct later *l, struct net *n, int64_t t,
                     void (*fn)(struct sched_event *)) {
  l->n = n;
  sched_event_init(&l->ev, fn);
  sched_at(&n->sim->sched, &l->ev, t);
}

static void resend_gre(struct sched_event *ev) {
  struct later *l = SIM_CONTAINER_OF(ev, struct later, ev);
  l->sent[0] = send_from_a(l->n, A1, B2, ENCAP_GRE, 100, false);
}

static void test_unclaimed_is_declined(void **state) {
  (void)state;
  struct net n = net_new();
  g_autoptr(GString) log = g_string_new("");
  struct owner y = {log, 'y'};
  struct encap_endpoint *gone =
      encap_endpoint_add(n.b, B1, 0, ENCAP_KINDS_ALL, owner_rx, &y);
  encap_endpoint_set_local(gone, 0);
  encap_endpoint_add(n.b, B2, 0, ENCAP_KIND_BIT(ENCAP_GRE), owner_rx, &y);
  /* IP-in-IP to B2: no endpoint takes that kind; nothing is at B1 any
   * more.  The kernel's default: protocol unreachable, counted as
   * unreachable. */
  assert_true(send_from_a(&n, A1, B2, ENCAP_IPIP, 100, false));
  assert_true(send_from_a(&n, A2, B1, ENCAP_GRE, 100, false));
  /* The protocol unreachable tells a's tunnels that B2 is out of reach
   * for a while (RFC 2003 4): the next packet into it, even of a kind
   * B2 takes, is refused with a host unreachable to its sender. */
  struct later l = {0};
  later_at(&l, &n, 100 * SIM_MS, resend_gre);
  sim_run(n.sim, 0, NULL, NULL);
  assert_string_equal(log->str, "");
  assert_int_equal(drop_counters_get(&n.b->cnt.drops, DROP_UNREACHABLE), 2);
  assert_int_equal(n.b->cnt.icmp_errors_sent, 2);
  assert_false(l.sent[0]);
  assert_int_equal(drop_counters_get(&n.a->cnt.drops, DROP_UNREACHABLE), 1);
  net_free(&n);
}

static struct ip_verdict spy_local_out(void *ctx, struct node *node,
                                       struct pkt *pkt, struct iface *in,
                                       struct iface *out) {
  (void)in;
  (void)out;
  GString *log = ctx;
  g_string_append_printf(log, "%s%d ",
                         encap_is_own_outer(node, pkt) ? "outer" : "plain",
                         pkt->data[IP4_OFF_PROTO]);
  return IP_ACCEPT;
}

static void test_outer_packets_are_marked(void **state) {
  (void)state;
  struct net n = net_new();
  g_autoptr(GString) log = g_string_new(""), rx = g_string_new("");
  struct owner x = {rx, 'x'};
  encap_endpoint_add(n.b, B1, 0, ENCAP_KINDS_ALL, owner_rx, &x);
  ip_hook_add(n.a, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_MOBILITY, spy_local_out,
              log);
  assert_true(send_from_a(&n, A1, B1, ENCAP_IPIP, 100, false));
  /* A protocol 4 packet sent otherwise is no tunnel of a's. */
  struct pkt *p = inner_from_a(&n, 100, false);
  struct ip_tx tx = {.dst = addr_v4(B1), .proto = IPPROTO_NUM_IPIP};
  ip_send(n.a, p, &tx);
  sim_run(n.sim, 0, NULL, NULL);
  assert_string_equal(log->str, "outer4 plain4 ");
  assert_string_equal(rx->str, "x:1>2/0 x:1>2/0 ");
  /* Marked for a only: at b the mark is someone else's. */
  struct pkt *q = inner_from_a(&n, 100, false);
  q->meta.tunnel_origin = n.a->id + 1;
  assert_true(encap_is_own_outer(n.a, q));
  assert_false(encap_is_own_outer(n.b, q));
  pkt_free(q);
  net_free(&n);
}

/* Counts "fragmentation needed" errors about a's own inner packets (the
 * tunnel's handler declines them: they quote no tunnel packet). */
struct needfrag {
  int count;
  uint16_t mtu;
};

static bool on_needfrag(void *ctx, struct node *node, struct pkt *pkt,
                        uint32_t off, struct iface *in) {
  (void)node;
  (void)in;
  struct needfrag *nf = ctx;
  uint8_t proto;
  if (pkt->data[off + 1] != ICMP_UNREACH_NEEDFRAG ||
      !get_u8(pkt->data, pkt->len, off + ICMP_HLEN + IP4_OFF_PROTO, &proto) ||
      proto != PROTO_TEST)
    return false;
  nf->count++;
  nf->mtu = load_be16(pkt->data + off + 6);
  pkt_free(pkt);
  return true;
}

static void second_sender(struct sched_event *ev) {
  struct later *l = SIM_CONTAINER_OF(ev, struct later, ev);
  assert_int_equal(encap_tunnel_mtu(l->n->a, B1), 1000);
  /* Another sender on a (a correspondent, from another address, in GRE)
   * uses what the first learnt: 990 bytes + 24 do not fit, and its inner
   * sender is told 1000 - 24.  Without DF the packet goes, fragmented on
   * the way. */
  l->sent[0] = send_from_a(l->n, A2, B1, ENCAP_GRE, 990, true);
  l->sent[1] = send_from_a(l->n, A2, B1, ENCAP_GRE, 990, false);
}

static void test_mtu_shared_by_senders(void **state) {
  (void)state;
  struct net n = net_new();
  g_autoptr(GString) rx = g_string_new("");
  struct owner x = {rx, 'x'};
  encap_endpoint_add(n.b, B1, 0, ENCAP_KINDS_ALL, owner_rx, &x);
  encap_use(n.a);
  struct needfrag nf = {0};
  icmp_register(n.a, 4, ICMP_DEST_UNREACH, on_needfrag, &nf);
  assert_int_equal(encap_tunnel_mtu(n.a, B1), 1500);
  /* One sender (a home agent, say) sends 1200 bytes with DF: r cannot
   * forward the tunnel packet onto the 1000-byte link and says so. */
  assert_true(send_from_a(&n, A1, B1, ENCAP_IPIP, 1200, true));
  struct later l = {0};
  later_at(&l, &n, 100 * SIM_MS, second_sender);
  sim_run(n.sim, 0, NULL, NULL);
  assert_int_equal(drop_counters_get(&n.r->cnt.drops, DROP_TOO_BIG), 1);
  assert_false(l.sent[0]);
  assert_true(l.sent[1]);
  assert_int_equal(nf.count, 1);
  assert_int_equal(nf.mtu, 976);
  assert_int_equal(drop_counters_get(&n.a->cnt.drops, DROP_TOO_BIG), 1);
  assert_string_equal(rx->str, "x:b>2/2 ");
  net_free(&n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ipip),
      cmocka_unit_test(test_minimal),
      cmocka_unit_test(test_gre),
      cmocka_unit_test(test_minimal_header_fields),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_pop_survives_garbage),
      cmocka_unit_test(test_endpoints_of_two_owners),
      cmocka_unit_test(test_unclaimed_is_declined),
      cmocka_unit_test(test_outer_packets_are_marked),
      cmocka_unit_test(test_mtu_shared_by_senders),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
