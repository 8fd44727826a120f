/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP through the kernel API: the wire format, the four-message exchange
 * in the time its frames take on the link, renewal at T1, the RFC 2131
 * retransmission schedule when the pool is exhausted, release, the
 * server's answers to the kinds of REQUEST, two servers on one LAN, and a
 * radio that gets an address in each cell it visits while the server it
 * left lets the lease lapse.  Every time is derived by hand from frame
 * sizes and link parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"
#include "sim/net/udp.h"
#include "sim/results/flow.h"
#include "sim/services/dhcp.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/radio.h"

static uint32_t v4(const char *text) {
  struct ip_addr a;
  assert_true(addr_parse(text, &a, NULL));
  assert_int_equal(a.family, 4);
  return a.v4;
}

/* A DHCP message is 300 bytes (the BOOTP minimum), so every frame of the
 * exchange is 14 + 20 + 8 + 300 = 342 bytes on a LAN; an ARP frame is
 * padded to 60. */
#define DHCP_FRAME 342
#define ARP_FRAME 60
static int64_t frame_time(uint32_t bytes, uint64_t bps, int64_t delay) {
  /* Whole nanoseconds, rounded up (the kernel's serialisation). */
  uint64_t bits_ns = (uint64_t)bytes * 8 * 1000000000ULL;
  return (int64_t)(bits_ns / bps + (bits_ns % bps != 0)) + delay;
}

static const struct dhcp_event *event(const struct sim *sim, guint i) {
  const GArray *log = dhcp_events(sim);
  assert_non_null(log);
  assert_true(i < log->len);
  return &g_array_index(log, struct dhcp_event, i);
}

static guint n_events(const struct sim *sim) {
  const GArray *log = dhcp_events(sim);
  return log ? log->len : 0;
}

/* ---- Wire format ---- */

static void test_wire_format(void **state) {
  (void)state;
  struct dhcp_msg m = {.op = 2,
                       .xid = 0xdeadbeef,
                       .secs = 3,
                       .flags = DHCP_FLAG_BROADCAST,
                       .yiaddr = v4("10.1.0.100"),
                       .type = DHCP_ACK,
                       .has_server_id = true,
                       .server_id = v4("10.1.0.1"),
                       .has_lease = true,
                       .lease = 600,
                       .has_mask = true,
                       .mask = 0xffffff00,
                       .has_router = true,
                       .router = v4("10.1.0.1"),
                       .chaddr = {2, 0, 0, 0, 0, 7}};
  uint8_t buf[DHCP_MIN_LEN];
  assert_int_equal(dhcp_encode(&m, buf, sizeof buf), DHCP_MIN_LEN);
  /* The fixed BOOTP layout (RFC 2131 figure 1) and the cookie. */
  assert_int_equal(buf[0], 2);
  assert_int_equal(buf[1], 1);
  assert_int_equal(buf[2], 6);
  assert_int_equal(load_be32(buf + 4), 0xdeadbeef);
  assert_int_equal(load_be16(buf + 10), 0x8000);
  assert_int_equal(load_be32(buf + 16), v4("10.1.0.100"));
  assert_int_equal(buf[33], 7);
  assert_int_equal(load_be32(buf + 236), DHCP_MAGIC_COOKIE);
  /* Options: 53 first, then 54, 51, 1, 3 and the end. */
  static const uint8_t opts[] = {53, 1, 5, 54, 4,  10, 1, 0,   1,   51,
                                 4,  0, 0, 2,  88, 1,  4, 255, 255, 255,
                                 0,  3, 4, 10, 1,  0,  1, 255};
  assert_memory_equal(buf + 240, opts, sizeof opts);
  for (size_t i = 240 + sizeof opts; i < sizeof buf; i++)
    assert_int_equal(buf[i], 0);
  struct dhcp_msg d;
  assert_true(dhcp_decode(buf, sizeof buf, &d));
  assert_int_equal(d.type, DHCP_ACK);
  assert_int_equal(d.xid, 0xdeadbeef);
  assert_int_equal(d.lease, 600);
  assert_int_equal(d.mask, 0xffffff00);
  assert_int_equal(d.router, v4("10.1.0.1"));
  assert_int_equal(d.server_id, v4("10.1.0.1"));
  assert_false(d.has_requested);
  assert_memory_equal(d.chaddr, m.chaddr, 6);

  /* What a receiver must refuse: no cookie, an option running past the
   * end, a known option of the wrong length, a short message. */
  uint8_t bad[DHCP_MIN_LEN];
  memcpy(bad, buf, sizeof bad);
  bad[236] = 0;
  assert_false(dhcp_decode(bad, sizeof bad, &d));
  memcpy(bad, buf, sizeof bad);
  assert_false(dhcp_decode(bad, 240 + 4, &d)); /* option 54 cut short */
  bad[241] = 2;                                /* type of length 2 */
  assert_false(dhcp_decode(bad, sizeof bad, &d));
  assert_false(dhcp_decode(buf, 239, &d));
  /* Padding and a missing end option are tolerated. */
  memcpy(bad, buf, sizeof bad);
  memmove(bad + 241, bad + 240, sizeof opts - 1);
  bad[240] = 0;
  assert_true(dhcp_decode(bad, 240 + sizeof opts, &d));
  assert_int_equal(d.lease, 600);
}

/* ---- A LAN: router r (10.1.0.1/24, the server) and hosts ---- */

#define LAN_BPS 100000000ULL
#define LAN_DELAY SIM_US

struct lan {
  struct sim *sim;
  struct node *r;
  struct link *lan;
  struct iface *rif;
  struct dhcp_server *server;
};

static struct lan lan_new(int64_t lease, const char *first, const char *last) {
  struct lan l;
  l.sim = sim_new("dhcp", 1, 0);
  l.sim->duration = 1000 * SIM_S;
  l.r = node_new(l.sim, "r", true);
  l.lan = test_lan(l.sim, "lan", LAN_BPS, LAN_DELAY);
  l.rif = test_attach(l.r, l.lan, "10.1.0.1/24");
  GError *error = NULL;
  l.server = dhcp_server_new(l.r, l.rif, v4(first), v4(last), lease, &error);
  assert_null(error);
  assert_non_null(l.server);
  return l;
}

static struct iface *lan_host(struct lan *l, const char *name) {
  return test_attach(node_new(l->sim, name, false), l->lan, NULL);
}

struct bound_log {
  int bound, lost;
  uint32_t addr, router;
  uint8_t plen;
  int64_t lease, at;
};

static void on_bound(void *ctx, struct iface *iface, uint32_t addr,
                     uint8_t plen, uint32_t router, int64_t lease) {
  struct bound_log *b = ctx;
  b->bound++;
  b->addr = addr;
  b->plen = plen;
  b->router = router;
  b->lease = lease;
  b->at = sim_now(iface->node->sim);
  /* The address is on the interface when the callback runs. */
  struct ip_addr a = addr_v4(addr);
  assert_true(iface_has_addr(iface, &a));
}

static void on_lost(void *ctx, struct iface *iface, uint32_t addr) {
  struct bound_log *b = ctx;
  b->lost++;
  struct ip_addr a = addr_v4(addr);
  assert_false(iface_has_addr(iface, &a));
}

static void test_lan_exchange(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.199");
  struct iface *hif = lan_host(&l, "h");
  struct bound_log b = {0};
  struct dhcp_client *c = dhcp_client_new(hif, on_bound, on_lost, &b);
  assert_non_null(c);
  /* One client per interface. */
  assert_null(dhcp_client_new(hif, NULL, NULL, NULL));
  sim_run(l.sim, SIM_S, NULL, NULL);

  /* DISCOVER, OFFER, REQUEST, ACK: four 342-byte frames one after the
   * other, each 27.36 us at 100 Mb/s plus 1 us of propagation. */
  int64_t m = frame_time(DHCP_FRAME, LAN_BPS, LAN_DELAY);
  assert_int_equal(m, 28360);
  assert_int_equal(b.bound, 1);
  assert_int_equal(b.at, 4 * m);
  assert_int_equal(b.addr, v4("10.1.0.100"));
  assert_int_equal(b.plen, 24);
  assert_int_equal(b.router, v4("10.1.0.1"));
  assert_int_equal(b.lease, 600 * SIM_S);
  uint32_t a;
  assert_true(dhcp_client_address(c, &a));
  assert_int_equal(a, v4("10.1.0.100"));
  assert_int_equal(dhcp_client_state(c), DHCP_STATE_BOUND);
  const struct prefix *p = iface_addr(hif, 4);
  assert_non_null(p);
  assert_int_equal(p->len, 24);
  /* A default route via the router. */
  struct nexthop nh;
  struct ip_addr far = addr_v4(v4("192.0.2.1"));
  assert_true(route_lookup(hif->node, &far, &nh));
  assert_ptr_equal(nh.oif, hif);
  assert_int_equal(nh.gw.v4, v4("10.1.0.1"));
  /* One of each message. */
  assert_int_equal(dhcp_client_sent(c, DHCP_DISCOVER), 1);
  assert_int_equal(dhcp_client_sent(c, DHCP_REQUEST), 1);
  assert_int_equal(dhcp_client_received(c, DHCP_OFFER), 1);
  assert_int_equal(dhcp_client_received(c, DHCP_ACK), 1);
  assert_int_equal(dhcp_server_sent(l.server, DHCP_OFFER), 1);
  assert_int_equal(dhcp_server_sent(l.server, DHCP_ACK), 1);
  assert_int_equal(dhcp_server_bound(l.server), 1);
  uint8_t mac[6];
  assert_true(dhcp_server_holder(l.server, v4("10.1.0.100"), mac));
  assert_memory_equal(mac, hif->mac, 6);
  assert_false(dhcp_server_holder(l.server, v4("10.1.0.101"), mac));
  /* dhcp.tsv: one row. */
  assert_int_equal(n_events(l.sim), 1);
  assert_int_equal(event(l.sim, 0)->kind, DHCP_EV_BOUND);
  assert_int_equal(event(l.sim, 0)->time, 4 * m);
  assert_ptr_equal(event(l.sim, 0)->iface, hif);
  /* The host's node counted nothing as dropped: the broadcasts from
   * 0.0.0.0 and to 255.255.255.255 were taken in on both sides. */
  for (int r = 0; r < DROP_KERNEL_COUNT; r++) {
    assert_int_equal(drop_counters_get(&hif->node->cnt.drops, r), 0);
    assert_int_equal(drop_counters_get(&l.r->cnt.drops, r), 0);
  }
  test_sim_free_checked(l.sim);
}

/* A router interface that filters by source (RFC 3704) still takes the
 * DISCOVER from 0.0.0.0. */
static void test_ingress_filter_lets_discover_in(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.199");
  l.rif->ingress_filter = true;
  struct dhcp_client *c = dhcp_client_new(lan_host(&l, "h"), NULL, NULL, NULL);
  sim_run(l.sim, SIM_S, NULL, NULL);
  assert_true(dhcp_client_address(c, NULL));
  assert_int_equal(event(l.sim, 0)->time,
                   4 * frame_time(DHCP_FRAME, LAN_BPS, LAN_DELAY));
  assert_int_equal(drop_counters_get(&l.r->cnt.drops, DROP_INGRESS_FILTER), 0);
  test_sim_free_checked(l.sim);
}

static void test_renewal_at_t1(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.199");
  struct dhcp_client *c = dhcp_client_new(lan_host(&l, "h"), NULL, NULL, NULL);
  sim_run(l.sim, 700 * SIM_S, NULL, NULL);
  int64_t m = frame_time(DHCP_FRAME, LAN_BPS, LAN_DELAY);
  int64_t arp = frame_time(ARP_FRAME, LAN_BPS, LAN_DELAY);
  assert_int_equal(arp, 5800);
  /* The lease counts from the REQUEST, sent when the OFFER arrived at
   * 2m: T1 = 2m + 300 s.  The REQUEST then goes by unicast to the
   * server, whose MAC the client learns by ARP first (request and reply);
   * the server learns the client's from that request, so its unicast ACK
   * leaves at once.  The renewed lease counts from the renewing REQUEST,
   * handed to IP at T1: the next T1 is 300 s later, when both ARP entries
   * (60 s) have expired again. */
  assert_int_equal(n_events(l.sim), 3);
  for (guint i = 1; i < 3; i++) {
    const struct dhcp_event *e = event(l.sim, i);
    assert_int_equal(e->kind, DHCP_EV_RENEWED);
    assert_int_equal(e->time, 2 * m + i * 300 * SIM_S + 2 * arp + 2 * m);
    assert_int_equal(e->addr, v4("10.1.0.100"));
    assert_int_equal(e->lease, 600 * SIM_S);
  }
  assert_int_equal(dhcp_client_state(c), DHCP_STATE_BOUND);
  assert_int_equal(dhcp_client_sent(c, DHCP_REQUEST), 3);
  assert_int_equal(dhcp_server_received(l.server, DHCP_REQUEST), 3);
  assert_int_equal(dhcp_server_sent(l.server, DHCP_ACK), 3);
  /* The server's binding was extended each time: it never lapsed (the
   * first would have at 3m + 600 s). */
  assert_int_equal(dhcp_server_bound(l.server), 1);
  test_sim_free_checked(l.sim);
}

/* Arrival times of DISCOVERs at the server, from a hook. */
struct arrivals {
  uint8_t mac[6];
  int64_t at[16];
  int n;
};

static struct ip_verdict record_discover(void *ctx, struct node *node,
                                         struct pkt *pkt, struct iface *in,
                                         struct iface *out) {
  struct arrivals *a = ctx;
  struct dhcp_msg m;
  if (pkt->len > IP4_HLEN + UDP_HLEN && pkt->data[IP4_OFF_PROTO] == 17 &&
      load_be16(pkt->data + IP4_HLEN + 2) == DHCP_SERVER_PORT &&
      dhcp_decode(pkt->data + IP4_HLEN + UDP_HLEN,
                  pkt->len - IP4_HLEN - UDP_HLEN, &m) &&
      m.type == DHCP_DISCOVER && memcmp(m.chaddr, a->mac, 6) == 0 && a->n < 16)
    a->at[a->n++] = sim_now(node->sim);
  return IP_ACCEPT;
}

/* At 100 s: what the second client has; at 130 s: the first releases. */
struct checkpoint {
  struct sched_event check, release;
  struct dhcp_client *c1, *c2;
  bool c2_had_address;
  enum dhcp_client_state c2_state;
  uint64_t c2_discovers, offers;
  struct dhcp_server *server;
};

static void fire_check(struct sched_event *ev) {
  struct checkpoint *k = SIM_CONTAINER_OF(ev, struct checkpoint, check);
  k->c2_had_address = dhcp_client_address(k->c2, NULL) ||
                      iface_addr(dhcp_client_iface(k->c2), 4);
  k->c2_state = dhcp_client_state(k->c2);
  k->c2_discovers = dhcp_client_sent(k->c2, DHCP_DISCOVER);
  k->offers = dhcp_client_received(k->c2, DHCP_OFFER);
}

static void fire_release(struct sched_event *ev) {
  struct checkpoint *k = SIM_CONTAINER_OF(ev, struct checkpoint, release);
  dhcp_client_release(k->c1);
}

static void test_pool_exhausted_then_released(void **state) {
  (void)state;
  /* A pool of one address and two hosts. */
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.100");
  struct iface *h1 = lan_host(&l, "h1"), *h2 = lan_host(&l, "h2");
  struct checkpoint k = {.server = l.server};
  k.c1 = dhcp_client_new(h1, NULL, NULL, NULL);
  k.c2 = dhcp_client_new(h2, NULL, NULL, NULL);
  struct arrivals arr = {.n = 0};
  memcpy(arr.mac, h2->mac, 6);
  ip_hook_add(l.r, IP_HOOK_LOCAL_IN, IP_HOOK_PRIO_OBSERVE, record_discover,
              &arr);
  sched_event_init(&k.check, fire_check);
  sched_at(&l.sim->sched, &k.check, 100 * SIM_S);
  sched_event_init(&k.release, fire_release);
  sched_at(&l.sim->sched, &k.release, 130 * SIM_S);
  sim_run(l.sim, 200 * SIM_S, NULL, NULL);

  /* Both DISCOVER at 0; h1's is first on the medium and takes the
   * address; the server does not answer h2.  h2 retransmits after 4, 8,
   * 16 and 32 s, each +-1 s (RFC 2131 4.1): by 100 s, five DISCOVERs, the
   * fifth between 56 and 64 s, the sixth not before 119 s; no address. */
  assert_false(k.c2_had_address);
  assert_int_equal(k.c2_state, DHCP_STATE_SELECTING);
  assert_int_equal(k.c2_discovers, 5);
  assert_int_equal(k.offers, 0);
  static const int64_t base[] = {4, 8, 16, 32, 64, 64};
  assert_int_equal(arr.n, 7);
  assert_true(arr.at[4] < 100 * SIM_S && arr.at[5] > 100 * SIM_S);
  for (int i = 0; i < 6; i++) {
    int64_t gap = arr.at[i + 1] - arr.at[i];
    if (gap < (base[i] - 1) * SIM_S || gap > (base[i] + 1) * SIM_S)
      fail_msg("retransmission %d after %" G_GINT64_FORMAT " ns", i + 1, gap);
  }
  /* Every one of them reached the server, which offered only to h1. */
  assert_int_equal(dhcp_server_received(l.server, DHCP_DISCOVER), 8);
  assert_int_equal(dhcp_server_sent(l.server, DHCP_OFFER), 2);

  /* h1 gives the address back at 130 s (RELEASE by unicast: ARP for the
   * server first); h2 gets it at its next retransmission, the seventh
   * DISCOVER, 63 to 65 s after the sixth. */
  assert_false(dhcp_client_address(k.c1, NULL));
  assert_int_equal(dhcp_client_state(k.c1), DHCP_STATE_IDLE);
  assert_null(iface_addr(h1, 4));
  uint32_t a;
  assert_true(dhcp_client_address(k.c2, &a));
  assert_int_equal(a, v4("10.1.0.100"));
  int64_t m = frame_time(DHCP_FRAME, LAN_BPS, LAN_DELAY);
  int64_t arp = frame_time(ARP_FRAME, LAN_BPS, LAN_DELAY);
  /* bound (h1), released (h1 at 130 s), released (the server, when the
   * RELEASE arrives), bound (h2, when its seventh DISCOVER's exchange
   * completes). */
  assert_int_equal(n_events(l.sim), 4);
  assert_int_equal(event(l.sim, 1)->kind, DHCP_EV_RELEASED);
  assert_ptr_equal(event(l.sim, 1)->iface, h1);
  assert_int_equal(event(l.sim, 1)->time, 130 * SIM_S);
  assert_int_equal(event(l.sim, 2)->kind, DHCP_EV_RELEASED);
  assert_ptr_equal(event(l.sim, 2)->iface, l.rif);
  assert_int_equal(event(l.sim, 2)->time, 130 * SIM_S + 2 * arp + m);
  assert_int_equal(event(l.sim, 3)->kind, DHCP_EV_BOUND);
  assert_ptr_equal(event(l.sim, 3)->iface, h2);
  assert_int_equal(event(l.sim, 3)->time, arr.at[6] + 3 * m);
  test_sim_free_checked(l.sim);
}

/* Two servers with disjoint pools on one LAN: both OFFER, the client
 * takes the first and the other server frees its offer when it sees the
 * REQUEST name another server. */
static void test_two_servers(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.149");
  struct node *r2 = node_new(l.sim, "r2", true);
  struct iface *r2if = iface_new(r2, l.lan);
  test_addr(r2if, "10.1.0.2/24");
  GError *error = NULL;
  /* Overlapping pools on one link are refused. */
  assert_null(dhcp_server_new(r2, r2if, v4("10.1.0.140"), v4("10.1.0.160"),
                              600 * SIM_S, &error));
  assert_non_null(error);
  assert_non_null(strstr(error->message, "overlaps the pool"));
  g_clear_error(&error);
  struct dhcp_server *s2 = dhcp_server_new(
      r2, r2if, v4("10.1.0.150"), v4("10.1.0.199"), 600 * SIM_S, &error);
  assert_non_null(s2);
  struct iface *hif = lan_host(&l, "h");
  struct dhcp_client *c = dhcp_client_new(hif, NULL, NULL, NULL);
  sim_run(l.sim, SIM_S, NULL, NULL);
  /* Both get the DISCOVER at m and answer at once: r's OFFER is on the
   * medium first (m to 2m - 1 us), r2's after it, until 2m + 26.36 us.
   * The client requests r's offer at 2m; its REQUEST waits for the
   * medium, arrives at 2m + 26.36 us + m, and r's ACK a frame later. */
  int64_t m = frame_time(DHCP_FRAME, LAN_BPS, LAN_DELAY);
  int64_t tx = m - LAN_DELAY;
  uint32_t a;
  assert_true(dhcp_client_address(c, &a));
  assert_int_equal(a, v4("10.1.0.100"));
  assert_int_equal(event(l.sim, 0)->time, (m + 2 * tx) + m + m);
  assert_int_equal(dhcp_client_received(c, DHCP_OFFER), 2);
  assert_int_equal(dhcp_server_sent(s2, DHCP_OFFER), 1);
  assert_int_equal(dhcp_server_received(s2, DHCP_REQUEST), 1);
  assert_int_equal(dhcp_server_sent(s2, DHCP_ACK), 0);
  assert_int_equal(dhcp_server_bound(l.server), 1);
  assert_int_equal(dhcp_server_bound(s2), 0);
  /* The default route is via the server the client chose. */
  struct nexthop nh;
  struct ip_addr far = addr_v4(v4("192.0.2.1"));
  assert_true(route_lookup(hif->node, &far, &nh));
  assert_int_equal(nh.gw.v4, v4("10.1.0.1"));
  test_sim_free_checked(l.sim);
}

/* ---- The server's answers, probed with hand-made messages ---- */

struct replies {
  struct dhcp_msg got[8];
  uint32_t dst[8];
  int n;
};

static bool probe_rx(void *ctx, struct node *node, struct pkt *pkt,
                     const struct udp_rx *rx) {
  struct replies *r = ctx;
  assert_true(r->n < 8);
  assert_true(dhcp_decode(pkt->data, pkt->len, &r->got[r->n]));
  r->dst[r->n++] = rx->dst.v4;
  pkt_free(pkt);
  return true;
}

struct probe {
  struct sched_event ev;
  struct node *node;
  struct iface *oif;
  struct dhcp_msg msg;
  uint32_t src;
};

static void fire_probe(struct sched_event *ev) {
  struct probe *p = SIM_CONTAINER_OF(ev, struct probe, ev);
  struct pkt *pkt = pkt_new(&p->node->sim->pool, DHCP_MIN_LEN);
  dhcp_encode(&p->msg, pkt->data, pkt->len);
  struct ip_addr from = addr_v4(p->src), to = addr_v4(0xffffffffu);
  uint16_t len = (uint16_t)(pkt->len + UDP_HLEN);
  uint8_t *u = pkt_push(pkt, UDP_HLEN);
  put_be16(u, DHCP_CLIENT_PORT);
  put_be16(u + 2, DHCP_SERVER_PORT);
  put_be16(u + 4, len);
  put_be16(u + 6, 0);
  put_be16(u + 6, inet_pseudo_checksum(&from, &to, IPPROTO_NUM_UDP, u, len));
  struct ip_tx tx = {.src = from, .dst = to, .proto = IPPROTO_NUM_UDP};
  ip_send_via(p->node, pkt, &tx, p->oif, NULL);
}

static void test_server_answers(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.199");
  /* The prober has the address that case 2 will get granted, so that
   * the server's unicast ACK reaches it. */
  struct iface *xif = lan_host(&l, "x");
  test_addr(xif, "10.1.0.50/24");
  test_addr(xif, "10.1.0.150/24");
  struct replies got = {.n = 0};
  udp_register(xif->node, DHCP_CLIENT_PORT, probe_rx, &got);
  uint8_t chaddr[6] = {2, 0x99, 0, 0, 0, 1};
  struct {
    uint32_t ciaddr, requested, server_id;
  } cases[] = {
      /* 0 SELECTING, an address the server did not offer: NAK. */
      {0, v4("10.1.0.120"), v4("10.1.0.1")},
      /* 1 SELECTING another server: silence. */
      {0, v4("10.1.0.120"), v4("10.1.0.9")},
      /* 2 REBINDING a free pool address: granted (ACK, unicast). */
      {v4("10.1.0.150"), 0, 0},
      /* 3 REBINDING an address off the subnet: NAK. */
      {v4("10.9.0.5"), 0, 0},
      /* 4 REBINDING on the subnet but outside the pool: silence. */
      {v4("10.1.0.20"), 0, 0},
      /* 5 INIT-REBOOT without a record of the client: silence. */
      {0, v4("10.1.0.160"), 0},
      /* 6 INIT-REBOOT for the address granted in case 2: ACK. */
      {0, v4("10.1.0.150"), 0},
  };
  struct probe probes[G_N_ELEMENTS(cases)];
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    struct probe *p = &probes[i];
    *p = (struct probe){.node = xif->node, .oif = xif, .src = 0};
    p->msg = (struct dhcp_msg){.op = 1,
                               .xid = (uint32_t)i + 1,
                               .type = DHCP_REQUEST,
                               .ciaddr = cases[i].ciaddr,
                               .flags = DHCP_FLAG_BROADCAST};
    memcpy(p->msg.chaddr, chaddr, 6);
    if (cases[i].requested) {
      p->msg.has_requested = true;
      p->msg.requested = cases[i].requested;
    }
    if (cases[i].server_id) {
      p->msg.has_server_id = true;
      p->msg.server_id = cases[i].server_id;
    }
    sched_event_init(&p->ev, fire_probe);
    sched_at(&l.sim->sched, &p->ev, (int64_t)(i + 1) * SIM_S);
  }
  sim_run(l.sim, 10 * SIM_S, NULL, NULL);
  assert_int_equal(got.n, 4);
  assert_int_equal(got.got[0].xid, 1);
  assert_int_equal(got.got[0].type, DHCP_NAK);
  assert_int_equal(got.got[0].yiaddr, 0);
  assert_int_equal(got.dst[0], 0xffffffffu);
  assert_int_equal(got.got[1].xid, 3);
  assert_int_equal(got.got[1].type, DHCP_ACK);
  assert_int_equal(got.got[1].yiaddr, v4("10.1.0.150"));
  assert_int_equal(got.dst[1], v4("10.1.0.150"));
  assert_int_equal(got.got[2].xid, 4);
  assert_int_equal(got.got[2].type, DHCP_NAK);
  assert_int_equal(got.got[3].xid, 7);
  assert_int_equal(got.got[3].type, DHCP_ACK);
  assert_int_equal(got.got[3].yiaddr, v4("10.1.0.150"));
  assert_int_equal(got.dst[3], 0xffffffffu);
  assert_int_equal(dhcp_server_bound(l.server), 1);
  assert_int_equal(dhcp_server_sent(l.server, DHCP_NAK), 2);
  test_sim_free_checked(l.sim);
}

static void test_server_config_errors(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.199");
  struct node *r2 = node_new(l.sim, "r2", true);
  struct link *other =
      link_new(l.sim, "other", &eth_lan_ops, LAN_BPS, LAN_DELAY);
  struct iface *bare = iface_new(r2, other);
  struct iface *oif =
      iface_new(r2, link_new(l.sim, "o2", &eth_lan_ops, LAN_BPS, LAN_DELAY));
  test_addr(oif, "10.2.0.1/24");
  static const struct {
    const char *first, *last;
    int64_t lease;
    const char *fragment;
  } cases[] = {
      {"10.2.0.10", "10.2.0.20", 600 * SIM_S, "has no IPv4 address"},
      {"10.2.0.20", "10.2.0.10", 600 * SIM_S, "is after its last"},
      {"10.3.0.10", "10.3.0.20", 600 * SIM_S, "is not on the subnet"},
      {"10.2.0.0", "10.2.0.20", 600 * SIM_S, "the network address"},
      {"10.2.0.200", "10.2.0.255", 600 * SIM_S, "the broadcast address"},
      {"10.2.0.1", "10.2.0.20", 600 * SIM_S, "the address of r2/o2"},
      {"10.2.0.10", "10.2.0.20", 1500 * SIM_MS, "whole number of seconds"},
      {"10.2.0.10", "10.2.0.20", 0, "whole number of seconds"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *error = NULL;
    struct dhcp_server *s =
        dhcp_server_new(r2, i == 0 ? bare : oif, v4(cases[i].first),
                        v4(cases[i].last), cases[i].lease, &error);
    assert_null(s);
    assert_non_null(error);
    if (!strstr(error->message, cases[i].fragment))
      fail_msg("case %zu: '%s'", i, error->message);
    g_error_free(error);
  }
  GError *error = NULL;
  struct dhcp_server *s = dhcp_server_new(r2, oif, v4("10.2.0.10"),
                                          v4("10.2.0.20"), 60 * SIM_S, &error);
  assert_non_null(s);
  assert_null(dhcp_server_new(r2, oif, v4("10.2.0.30"), v4("10.2.0.40"),
                              60 * SIM_S, &error));
  assert_non_null(strstr(error->message, "already has a DHCP server"));
  g_clear_error(&error);
  assert_false(dhcp_server_set_router(s, v4("10.2.0.15"), &error));
  assert_non_null(strstr(error->message, "in the pool"));
  g_clear_error(&error);
  assert_false(dhcp_server_set_router(s, v4("10.3.0.1"), &error));
  g_clear_error(&error);
  assert_true(dhcp_server_set_router(s, v4("10.2.0.254"), &error));
  test_sim_free_checked(l.sim);
}

/* An interface that has an address already (a Mobile IP home address,
 * say) gets the lease beside it; the old one stays first, the source of
 * its packets, and stays when the lease goes. */
static void test_beside_existing_address(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.199");
  struct iface *hif = lan_host(&l, "h");
  test_addr(hif, "10.9.0.10/24");
  struct checkpoint k = {.server = l.server};
  k.c1 = dhcp_client_new(hif, NULL, NULL, NULL);
  assert_non_null(k.c1);
  sched_event_init(&k.release, fire_release);
  sched_at(&l.sim->sched, &k.release, 10 * SIM_S);
  sim_run(l.sim, 20 * SIM_S, NULL, NULL);
  assert_int_equal(event(l.sim, 0)->kind, DHCP_EV_BOUND);
  assert_int_equal(event(l.sim, 0)->time,
                   4 * frame_time(DHCP_FRAME, LAN_BPS, LAN_DELAY));
  assert_int_equal(event(l.sim, 0)->addr, v4("10.1.0.100"));
  /* Released at 10 s, and the server got the RELEASE. */
  assert_int_equal(n_events(l.sim), 3);
  assert_int_equal(event(l.sim, 2)->kind, DHCP_EV_RELEASED);
  assert_ptr_equal(event(l.sim, 2)->iface, l.rif);
  assert_int_equal(dhcp_server_bound(l.server), 0);
  assert_int_equal(hif->addrs->len, 1);
  assert_int_equal(iface_addr(hif, 4)->addr.v4, v4("10.9.0.10"));
  test_sim_free_checked(l.sim);
}

/* A server that gives no router: no default route. */
static void test_no_router_option(void **state) {
  (void)state;
  struct lan l = lan_new(600 * SIM_S, "10.1.0.100", "10.1.0.199");
  assert_true(dhcp_server_set_router(l.server, 0, NULL));
  struct iface *hif = lan_host(&l, "h");
  struct bound_log b = {0};
  dhcp_client_new(hif, on_bound, on_lost, &b);
  sim_run(l.sim, SIM_S, NULL, NULL);
  assert_int_equal(b.bound, 1);
  assert_int_equal(b.router, 0);
  struct nexthop nh;
  struct ip_addr far = addr_v4(v4("192.0.2.1"));
  assert_false(route_lookup(hif->node, &far, &nh));
  test_sim_free_checked(l.sim);
}

/* ---- A radio visiting two cells, each with its own router and server --
 *
 *   cn -- lan -- r1 ) c1: 10.1.0.0/24      r2 ) c2: 10.2.0.0/24
 *           `-------------------------- r2
 * The mobile node is in c1 from 0 s, moves to c2 at 20 s (50 ms layer-2
 * handoff); leases are 60 s.  It sends 100 packets a second to cn. */

#define CELL_BPS 10000000ULL

static struct cell *add_cell(struct sim *sim, const char *name, double x) {
  struct link *l = link_new(sim, name, &cell_link_ops, CELL_BPS, SIM_US);
  return cell_new(sim, name, (struct vec2){x, 0}, 100, l);
}

static void test_radio_two_cells(void **state) {
  (void)state;
  struct sim *sim = sim_new("cells", 1, 0);
  sim->duration = 70 * SIM_S;
  struct node *cn = node_new(sim, "cn", false);
  struct node *r1 = node_new(sim, "r1", true);
  struct node *r2 = node_new(sim, "r2", true);
  struct link *lan = link_new(sim, "lan", &eth_lan_ops, LAN_BPS, LAN_DELAY);
  test_attach(cn, lan, "10.0.0.10/24");
  test_attach(r1, lan, "10.0.0.1/24");
  test_attach(r2, lan, "10.0.0.2/24");
  struct cell *c1 = add_cell(sim, "c1", 0), *c2 = add_cell(sim, "c2", 500);
  struct iface *ap1 = iface_new(r1, c1->link);
  test_addr(ap1, "10.1.0.1/24");
  struct iface *ap2 = iface_new(r2, c2->link);
  test_addr(ap2, "10.2.0.1/24");
  struct dhcp_server *s1 = dhcp_server_new(r1, ap1, v4("10.1.0.100"),
                                           v4("10.1.0.199"), 60 * SIM_S, NULL);
  struct dhcp_server *s2 = dhcp_server_new(r2, ap2, v4("10.2.0.100"),
                                           v4("10.2.0.199"), 60 * SIM_S, NULL);
  assert_non_null(s1);
  assert_non_null(s2);
  struct node *mn = node_new(sim, "mn", false);
  struct iface *w = radio_new(mn, "wlan", ASSOC_NEAREST, 0, 50 * SIM_MS);
  radio_add_move(w, 0, c1);
  radio_add_move(w, 20 * SIM_S, c2);
  struct bound_log b = {0};
  struct dhcp_client *c = dhcp_client_new(w, on_bound, on_lost, &b);
  assert_non_null(c);
  struct cbr_config cfg = {.name = "up",
                           .from = mn,
                           .sink = cn,
                           .port = 40000,
                           .size = 100,
                           .interval = 10 * SIM_MS,
                           .start = 1005 * SIM_MS,
                           .stop = 40 * SIM_S};
  cfg.dst = addr_v4(v4("10.0.0.10"));
  assert_true(cbr_new(sim, &cfg, NULL));
  sim_run(sim, 0, NULL, NULL);

  int64_t m = frame_time(DHCP_FRAME, CELL_BPS, SIM_US);
  assert_int_equal(m, 274600);
  int64_t in_c2 = 20 * SIM_S + 50 * SIM_MS;
  /* bound in c1 at 4m; lost when leaving at 20 s; bound in c2 4m after
   * joining it at 20.05 s; renewed in c2 at T1 (2m + 30 s after joining)
   * plus two frames (mn and r2 still have each other's MAC from the
   * flow's ARP at 20.055 s); r1's binding lapses at its ACK (3m) plus
   * 60 s, as nobody renews it. */
  assert_int_equal(n_events(sim), 5);
  const struct dhcp_event *e = event(sim, 0);
  assert_int_equal(e->kind, DHCP_EV_BOUND);
  assert_int_equal(e->time, 4 * m);
  assert_int_equal(e->addr, v4("10.1.0.100"));
  e = event(sim, 1);
  assert_int_equal(e->kind, DHCP_EV_LOST);
  assert_int_equal(e->time, 20 * SIM_S);
  assert_int_equal(e->addr, v4("10.1.0.100"));
  e = event(sim, 2);
  assert_int_equal(e->kind, DHCP_EV_BOUND);
  assert_int_equal(e->time, in_c2 + 4 * m);
  assert_int_equal(e->addr, v4("10.2.0.100"));
  e = event(sim, 3);
  assert_int_equal(e->kind, DHCP_EV_RENEWED);
  assert_int_equal(e->time, in_c2 + 2 * m + 30 * SIM_S + 2 * m);
  e = event(sim, 4);
  assert_int_equal(e->kind, DHCP_EV_EXPIRED);
  assert_ptr_equal(e->node, r1);
  assert_ptr_equal(e->iface, ap1);
  assert_int_equal(e->time, 3 * m + 60 * SIM_S);
  assert_int_equal(e->addr, v4("10.1.0.100"));
  assert_int_equal(dhcp_server_bound(s1), 0);
  assert_int_equal(dhcp_server_bound(s2), 1);
  assert_int_equal(b.bound, 2);
  assert_int_equal(b.lost, 1);
  uint32_t a;
  assert_true(dhcp_client_address(c, &a));
  assert_int_equal(a, v4("10.2.0.100"));
  /* The old address is gone and the default route leads to r2. */
  struct ip_addr old = addr_v4(v4("10.1.0.100"));
  assert_false(iface_has_addr(w, &old));
  struct nexthop nh;
  assert_true(route_lookup(mn, &cfg.dst, &nh));
  assert_int_equal(nh.gw.v4, v4("10.2.0.1"));

  /* The flow: packets leave at 1.005 s + k x 10 ms until 40 s, 3900 of
   * them.  Those of 20.005 .. 20.045 s find no address and no route (the
   * node is between cells, then waiting for the ACK until 20.05 s + 4m =
   * 20.0511 s): 5 lost at the mobile node, none in flight at 20 s (each
   * crosses the cell in 0.1 ms). */
  struct flow *f = g_ptr_array_index(sim->flows, 0);
  assert_int_equal(f->sent, 3900);
  assert_int_equal(f->received, 3895);
  assert_int_equal(drop_counters_get(&mn->cnt.drops, DROP_NO_ROUTE), 5);
  test_sim_free_checked(sim);
}

/* A wired client on a point-to-point link: raw IP frames, no ARP. */
static void test_point_to_point(void **state) {
  (void)state;
  struct sim *sim = sim_new("p2p", 1, 0);
  struct node *r = node_new(sim, "r", true);
  struct node *h = node_new(sim, "h", false);
  struct link *l = link_new(sim, "l", &link_p2p_ops, 1000000, 5 * SIM_MS);
  struct iface *rif = iface_new(r, l);
  test_addr(rif, "10.9.0.1/30");
  struct iface *hif = iface_new(h, l);
  assert_non_null(dhcp_server_new(r, rif, v4("10.9.0.2"), v4("10.9.0.2"),
                                  3600 * SIM_S, NULL));
  struct dhcp_client *c = dhcp_client_new(hif, NULL, NULL, NULL);
  sim_run(sim, 10 * SIM_S, NULL, NULL);
  /* 328-byte IP packets at 1 Mb/s: 2.624 ms, plus 5 ms. */
  int64_t m = frame_time(DHCP_FRAME - 14, 1000000, 5 * SIM_MS);
  uint32_t a;
  assert_true(dhcp_client_address(c, &a));
  assert_int_equal(a, v4("10.9.0.2"));
  assert_int_equal(iface_addr(hif, 4)->len, 30);
  assert_int_equal(event(sim, 0)->time, 4 * m);
  test_sim_free_checked(sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wire_format),
      cmocka_unit_test(test_lan_exchange),
      cmocka_unit_test(test_ingress_filter_lets_discover_in),
      cmocka_unit_test(test_renewal_at_t1),
      cmocka_unit_test(test_pool_exhausted_then_released),
      cmocka_unit_test(test_two_servers),
      cmocka_unit_test(test_server_answers),
      cmocka_unit_test(test_server_config_errors),
      cmocka_unit_test(test_no_router_option),
      cmocka_unit_test(test_beside_existing_address),
      cmocka_unit_test(test_radio_two_cells),
      cmocka_unit_test(test_point_to_point),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
