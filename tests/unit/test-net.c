/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network-model tests built through the kernel API, each asserting numbers
 * derived by hand from the topology: delays, loss counts, ICMP errors,
 * fragmentation, ARP, ingress filtering, queueing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/fault.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/net/arp.h"
#include "sim/net/eth.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"
#include "sim/results/flow.h"
#include "sim/results/results.h"

/* a - r1 - r2 - b, 10 Mb/s, propagation 1, 2 and 3 ms. */
struct chain {
  struct sim *sim;
  struct node *a, *r1, *r2, *b;
  struct link *l1, *l2, *l3;
};

static struct chain chain_new(void) {
  struct chain c;
  c.sim = sim_new("chain", 1, 0);
  c.a = node_new(c.sim, "a", false);
  c.r1 = node_new(c.sim, "r1", true);
  c.r2 = node_new(c.sim, "r2", true);
  c.b = node_new(c.sim, "b", false);
  c.l1 = test_p2p(c.sim, "l1", c.a, "10.0.1.1/24", c.r1, "10.0.1.2/24",
                  10000000, 1 * SIM_MS);
  c.l2 = test_p2p(c.sim, "l2", c.r1, "10.0.2.1/24", c.r2, "10.0.2.2/24",
                  10000000, 2 * SIM_MS);
  c.l3 = test_p2p(c.sim, "l3", c.r2, "10.0.3.1/24", c.b, "10.0.3.2/24",
                  10000000, 3 * SIM_MS);
  return c;
}

static void add_cbr(struct sim *sim, const char *name, struct node *from,
                    struct node *to, const char *dst, uint32_t size,
                    int64_t interval, int64_t start, int64_t stop) {
  struct cbr_config cfg = {.name = name,
                           .from = from,
                           .sink = to,
                           .dst = test_ip(dst),
                           .port = 40000,
                           .size = size,
                           .interval = interval,
                           .start = start,
                           .stop = stop};
  assert_true(cbr_new(sim, &cfg, NULL));
}

static void test_chain_delay(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.sim->duration = 2 * SIM_S;
  add_cbr(c.sim, "f", c.a, c.b, "10.0.3.2", 512, 10 * SIM_MS, 0, SIM_S);
  sim_run(c.sim, 0, NULL, NULL);
  struct flow *f = test_flow(c.sim, "f");
  /* 512 B payload + 8 UDP + 20 IP = 540 B = 432 us at 10 Mb/s, three times,
   * plus 6 ms of propagation; the links are idle between packets. */
  int64_t expect = 3 * units_tx_time(540, 10000000) + 6 * SIM_MS;
  assert_int_equal(expect, 7296000);
  assert_int_equal(f->sent, 100);
  assert_int_equal(f->received, 100);
  assert_int_equal(flow_lost(f), 0);
  assert_int_equal(flow_delay_percentile(f, 0.0), expect);
  assert_int_equal(flow_delay_percentile(f, 1.0), expect);
  assert_int_equal(f->hops_sum / f->received, 2); /* two routers */
  assert_int_equal(c.r1->cnt.ip_forwarded, 100);
  test_assert_idle(c.sim);
  test_sim_free_checked(c.sim);
}

static void test_link_down_loses_rate_times_outage(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.sim->duration = 10 * SIM_S;
  add_cbr(c.sim, "f", c.a, c.b, "10.0.3.2", 512, 10 * SIM_MS, 0, 8 * SIM_S);
  link_fault_at(c.l2, 2 * SIM_S, false);
  link_fault_at(c.l2, 4 * SIM_S, true);
  sim_run(c.sim, 0, NULL, NULL);
  struct flow *f = test_flow(c.sim, "f");
  /* A packet sent at t starts on l2 at t + 1.432 ms and leaves it at
   * t + 3.864 ms.  It dies if it starts on l2 within [2 s, 4 s), that is
   * t in [1.998568 s, 3.998568 s): the 200 packets t = 2.00 .. 3.99 s; and
   * none is on l2 at the instant it fails (t would be in
   * (1.996136 s, 1.998568 s), which holds no multiple of 10 ms).  So
   * exactly rate x 2 s. */
  assert_int_equal(f->sent, 800);
  assert_int_equal(flow_lost(f), 200);
  assert_int_equal(f->received, 600);
  assert_int_equal(drop_counters_get(&c.l2->cnt.drops, DROP_LINK_DOWN), 200);
  test_assert_idle(c.sim);
  test_sim_free_checked(c.sim);
}

static void test_ttl_exceeded(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.sim->duration = 5 * SIM_S;
  struct ping_config cfg = {.name = "p",
                            .from = c.a,
                            .dst = test_ip("10.0.3.2"),
                            .size = 56,
                            .interval = SIM_S,
                            .count = 3,
                            .ttl = 2};
  assert_true(ping_new(c.sim, &cfg, NULL));
  sim_run(c.sim, 0, NULL, NULL);
  struct flow *f = test_flow(c.sim, "p");
  /* TTL 2: r1 forwards with TTL 1, r2 must not: time exceeded from r2. */
  assert_int_equal(f->sent, 3);
  assert_int_equal(f->received, 0);
  assert_int_equal(f->icmp_errors, 3);
  assert_int_equal(drop_counters_get(&c.r2->cnt.drops, DROP_TTL_EXPIRED), 3);
  assert_int_equal(c.r2->cnt.icmp_errors_sent, 3);
  test_assert_idle(c.sim);
  test_sim_free_checked(c.sim);
}

static void test_udp_ttl_exceeded_counted(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.sim->duration = 2 * SIM_S;
  struct cbr_config cfg = {.name = "f",
                           .from = c.a,
                           .sink = c.b,
                           .dst = test_ip("10.0.3.2"),
                           .port = 40000,
                           .size = 64,
                           .interval = 100 * SIM_MS,
                           .count = 4,
                           .ttl = 2};
  assert_true(cbr_new(c.sim, &cfg, NULL));
  sim_run(c.sim, 0, NULL, NULL);
  struct flow *f = test_flow(c.sim, "f");
  assert_int_equal(f->received, 0);
  assert_int_equal(f->icmp_errors, 4);
  assert_int_equal(flow_lost(f), 4);
  test_assert_idle(c.sim);
  test_sim_free_checked(c.sim);
}

static void test_ping_rtt(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.sim->duration = 5 * SIM_S;
  struct ping_config cfg = {.name = "p",
                            .from = c.a,
                            .dst = test_ip("10.0.3.2"),
                            .size = 56,
                            .interval = SIM_S,
                            .count = 2};
  assert_true(ping_new(c.sim, &cfg, NULL));
  sim_run(c.sim, 0, NULL, NULL);
  struct flow *f = test_flow(c.sim, "p");
  /* 56 + 8 ICMP + 20 IP = 84 B = 67.2 us per link, six crossings. */
  int64_t rtt = 6 * units_tx_time(84, 10000000) + 12 * SIM_MS;
  assert_int_equal(f->received, 2);
  assert_int_equal(flow_delay_percentile(f, 1.0), rtt);
  assert_int_equal(flow_delay_percentile(f, 0.0), rtt);
  test_sim_free_checked(c.sim);
}

static void test_ipv6_chain(void **state) {
  (void)state;
  struct sim *sim = sim_new("v6", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *r = node_new(sim, "r", true);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l1", a, "2001:db8:1::1/64", r, "2001:db8:1::2/64", 100000000,
           SIM_MS);
  test_p2p(sim, "l2", r, "2001:db8:2::1/64", b, "2001:db8:2::2/64", 100000000,
           SIM_MS);
  sim->duration = SIM_S;
  add_cbr(sim, "f", a, b, "2001:db8:2::2", 100, 100 * SIM_MS, 0, 500 * SIM_MS);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "f");
  /* 100 + 8 + 40 = 148 B = 11.84 us at 100 Mb/s, twice, plus 2 ms. */
  assert_int_equal(f->received, 5);
  assert_int_equal(flow_delay_percentile(f, 1.0),
                   2 * units_tx_time(148, 100000000) + 2 * SIM_MS);
  assert_int_equal(f->hops_sum / f->received, 1);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* a and b on one LAN: the first packet waits for ARP. */
static void test_lan_arp(void **state) {
  (void)state;
  struct sim *sim = sim_new("lan", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  struct link *lan = link_new(sim, "lan", &eth_lan_ops, 10000000, 10 * SIM_US);
  struct prefix pa = test_prefix("10.9.0.1/24"),
                pb = test_prefix("10.9.0.2/24");
  iface_add_addr(iface_new(a, lan), &pa);
  iface_add_addr(iface_new(b, lan), &pb);
  sim->duration = SIM_S;
  add_cbr(sim, "f", a, b, "10.9.0.2", 512, 100 * SIM_MS, 0, 150 * SIM_MS);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "f");
  /* ARP request and reply are 60-byte frames (48 us each); data frames are
   * 14 + 540 = 554 B (443.2 us).  First packet: request, reply, data. */
  int64_t arp = units_tx_time(60, 10000000) + 10 * SIM_US;
  int64_t data = units_tx_time(554, 10000000) + 10 * SIM_US;
  assert_int_equal(f->received, 2);
  assert_int_equal(flow_delay_percentile(f, 1.0), 2 * arp + data);
  assert_int_equal(flow_delay_percentile(f, 0.0), data);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* The path MTU drops to 576 in the middle: 1400-byte datagrams arrive in
 * fragments and are reassembled. */
static void test_fragmentation(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.l2->mtu = 576;
  c.sim->duration = 2 * SIM_S;
  add_cbr(c.sim, "f", c.a, c.b, "10.0.3.2", 1400, 100 * SIM_MS, 0, SIM_S);
  sim_run(c.sim, 0, NULL, NULL);
  struct flow *f = test_flow(c.sim, "f");
  /* 1408 bytes of IP payload in fragments of (576 - 20) / 8 * 8 = 552:
   * 552 + 552 + 304, so three fragments per datagram. */
  assert_int_equal(f->received, 10);
  assert_int_equal(c.r1->cnt.fragments_sent, 30);
  assert_int_equal(c.b->cnt.reassembled, 10);
  test_assert_idle(c.sim);
  test_sim_free_checked(c.sim);
}

static void send_df(struct node *from, const struct ip_addr *dst,
                    uint32_t len) {
  struct pkt *p = pkt_new(&from->sim->pool, len);
  struct ip_tx tx = {.dst = *dst, .proto = 253, .df = true};
  ip_send(from, p, &tx);
}

struct icmp_seen {
  int count;
  uint16_t mtu;
};

static bool on_unreach(void *ctx, struct node *node, struct pkt *pkt,
                       uint32_t off, struct iface *in) {
  struct icmp_seen *seen = ctx;
  if (pkt->data[off + 1] == ICMP_UNREACH_NEEDFRAG) {
    seen->count++;
    seen->mtu = load_be16(pkt->data + off + 6);
  }
  pkt_free(pkt);
  return true;
}

static struct sched_event df_event;
static struct node *df_from;
static void fire_df(struct sched_event *ev) {
  (void)ev;
  struct ip_addr dst = test_ip("10.0.3.2");
  send_df(df_from, &dst, 1000);
}

static void test_df_frag_needed(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.l2->mtu = 576;
  c.sim->duration = SIM_S;
  struct icmp_seen seen = {0};
  icmp_register(c.a, 4, ICMP_DEST_UNREACH, on_unreach, &seen);
  df_from = c.a;
  sched_event_init(&df_event, fire_df);
  sched_at(&c.sim->sched, &df_event, 0);
  sim_run(c.sim, 0, NULL, NULL);
  assert_int_equal(seen.count, 1);
  assert_int_equal(seen.mtu, 576);
  assert_int_equal(drop_counters_get(&c.r1->cnt.drops, DROP_TOO_BIG), 1);
  test_assert_idle(c.sim);
  test_sim_free_checked(c.sim);
}

/* A host behind r1 spoofs a source from elsewhere: r1's ingress filter on
 * the host's interface drops it; a correct source passes. */
static void test_ingress_filter(void **state) {
  (void)state;
  struct chain c = chain_new();
  node_iface_on(c.r1, c.l1)->ingress_filter = true;
  c.sim->duration = 2 * SIM_S;
  struct cbr_config good = {.name = "good",
                            .from = c.a,
                            .sink = c.b,
                            .dst = test_ip("10.0.3.2"),
                            .port = 40000,
                            .size = 64,
                            .interval = 100 * SIM_MS,
                            .stop = SIM_S};
  struct cbr_config spoofed = good;
  spoofed.name = "spoofed";
  spoofed.port = 40001;
  spoofed.src = test_ip("192.0.2.7");
  assert_true(cbr_new(c.sim, &good, NULL));
  assert_true(cbr_new(c.sim, &spoofed, NULL));
  sim_run(c.sim, 0, NULL, NULL);
  assert_int_equal(test_flow(c.sim, "good")->received, 10);
  assert_int_equal(test_flow(c.sim, "spoofed")->received, 0);
  assert_int_equal(drop_counters_get(&c.r1->cnt.drops, DROP_INGRESS_FILTER),
                   10);
  test_sim_free_checked(c.sim);
}

/* 20 back-to-back 1000-byte packets into a 1 Mb/s link with room for 5
 * waiting: the first is sent at once, 5 wait, 14 are dropped. */
static void test_droptail(void **state) {
  (void)state;
  struct sim *sim = sim_new("q", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  struct link *l =
      test_p2p(sim, "l", a, "10.0.0.1/30", b, "10.0.0.2/30", 1000000, SIM_MS);
  l->queue_limit = 5;
  sim->duration = SIM_S;
  /* Interval 1 ns: all 20 are queued before the first leaves. */
  struct cbr_config cfg = {.name = "f",
                           .from = a,
                           .sink = b,
                           .dst = test_ip("10.0.0.2"),
                           .port = 40000,
                           .size = 972,
                           .interval = 1,
                           .count = 20};
  assert_true(cbr_new(sim, &cfg, NULL));
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "f");
  assert_int_equal(f->received, 6);
  assert_int_equal(drop_counters_get(&l->cnt.drops, DROP_QUEUE_FULL), 14);
  /* The sixth waited for five 8 ms transmissions before its own. */
  assert_int_equal(flow_delay_percentile(f, 1.0),
                   6 * units_tx_time(1000, 1000000) + SIM_MS - 5);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

static void test_static_routes_only(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.sim->computed_routes = false;
  c.sim->duration = SIM_S;
  add_cbr(c.sim, "f", c.a, c.b, "10.0.3.2", 64, 100 * SIM_MS, 0, 500 * SIM_MS);
  sim_run(c.sim, 0, NULL, NULL);
  /* Without routes a has no way out. */
  assert_int_equal(test_flow(c.sim, "f")->received, 0);
  assert_int_equal(drop_counters_get(&c.a->cnt.drops, DROP_NO_ROUTE), 5);
  test_sim_free_checked(c.sim);

  c = chain_new();
  c.sim->computed_routes = false;
  c.sim->duration = SIM_S;
  struct prefix all = test_prefix("0.0.0.0/0");
  struct ip_addr gw1 = test_ip("10.0.1.2"), gw2 = test_ip("10.0.2.2");
  struct ip_addr back1 = test_ip("10.0.2.1"), back2 = test_ip("10.0.3.1");
  struct prefix net3 = test_prefix("10.0.3.0/24"),
                net1 = test_prefix("10.0.1.0/24");
  assert_true(route_add(c.a, &all, NULL, &gw1));
  assert_true(route_add(c.r1, &net3, NULL, &gw2));
  assert_true(route_add(c.r2, &net1, NULL, &back1));
  assert_true(route_add(c.b, &all, NULL, &back2));
  add_cbr(c.sim, "f", c.a, c.b, "10.0.3.2", 64, 100 * SIM_MS, 0, 500 * SIM_MS);
  sim_run(c.sim, 0, NULL, NULL);
  assert_int_equal(test_flow(c.sim, "f")->received, 5);
  test_sim_free_checked(c.sim);
}

/* Proxy ARP and gratuitous ARP: c on a LAN talks to m; after m leaves,
 * h answers for m's address and announces it, and c's traffic goes to h. */
static void test_proxy_and_gratuitous_arp(void **state) {
  (void)state;
  struct sim *sim = sim_new("arp", 1, 0);
  struct node *cn = node_new(sim, "c", false);
  struct node *m = node_new(sim, "m", false);
  struct node *h = node_new(sim, "h", false);
  struct link *lan = link_new(sim, "lan", &eth_lan_ops, 100000000, SIM_US);
  struct prefix pc = test_prefix("10.1.0.1/24"),
                pm = test_prefix("10.1.0.2/24"),
                ph = test_prefix("10.1.0.3/24");
  struct iface *ic = iface_new(cn, lan);
  struct iface *im = iface_new(m, lan);
  struct iface *ih = iface_new(h, lan);
  iface_add_addr(ic, &pc);
  iface_add_addr(im, &pm);
  iface_add_addr(ih, &ph);
  sim->duration = 3 * SIM_S;
  add_cbr(sim, "f", cn, m, "10.1.0.2", 64, 100 * SIM_MS, 0, SIM_S);
  sim_run(sim, SIM_S / 2, NULL, NULL);
  uint8_t mac[6];
  assert_true(arp_lookup(ic, 0x0a010002, mac));
  assert_memory_equal(mac, im->mac, 6);
  /* m leaves; h proxies and announces. */
  im->up = false;
  arp_proxy_add(ih, 0x0a010002);
  arp_announce(ih, 0x0a010002, ih->mac);
  sched_run(&sim->sched, SIM_S / 2 + SIM_MS, NULL);
  assert_true(arp_lookup(ic, 0x0a010002, mac));
  assert_memory_equal(mac, ih->mac, 6);
  /* A fresh station resolving m's address gets h's MAC from the proxy. */
  arp_forget(ic, 0x0a010002);
  sched_run(&sim->sched, 2 * SIM_S, NULL);
  assert_true(arp_lookup(ic, 0x0a010002, mac));
  assert_memory_equal(mac, ih->mac, 6);
  test_sim_free_checked(sim);
}

/* r1 reaches r2 directly over 50 ms, or through r3 over 1 + 1 ms: the
 * delay metric takes the detour (three routers), the hop metric the
 * direct link (two). */
static void run_triangle(enum route_metric metric, uint64_t want_hops,
                         int64_t want_delay) {
  struct sim *sim = sim_new("triangle", 1, 0);
  sim->metric = metric;
  struct node *a = node_new(sim, "a", false);
  struct node *r1 = node_new(sim, "r1", true);
  struct node *r2 = node_new(sim, "r2", true);
  struct node *r3 = node_new(sim, "r3", true);
  struct node *b = node_new(sim, "b", false);
  uint64_t bw = 1000000000;
  test_p2p(sim, "a", a, "10.0.1.1/24", r1, "10.0.1.2/24", bw, SIM_MS);
  test_p2p(sim, "direct", r1, "10.0.2.1/24", r2, "10.0.2.2/24", bw,
           50 * SIM_MS);
  test_p2p(sim, "d1", r1, "10.0.3.1/24", r3, "10.0.3.2/24", bw, SIM_MS);
  test_p2p(sim, "d2", r3, "10.0.4.1/24", r2, "10.0.4.2/24", bw, SIM_MS);
  test_p2p(sim, "b", r2, "10.0.5.1/24", b, "10.0.5.2/24", bw, SIM_MS);
  sim->duration = SIM_S;
  add_cbr(sim, "f", a, b, "10.0.5.2", 100, 100 * SIM_MS, 0, 500 * SIM_MS);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "f");
  assert_int_equal(f->received, 5);
  assert_int_equal(f->hops_sum / f->received, want_hops);
  /* 128-byte packets at 1 Gb/s: 1.024 us per link. */
  assert_int_equal(flow_delay_percentile(f, 1.0), want_delay);
  test_sim_free_checked(sim);
}

static void test_route_metrics(void **state) {
  (void)state;
  int64_t tx = units_tx_time(128, 1000000000);
  run_triangle(ROUTE_METRIC_DELAY, 3, 4 * SIM_MS + 4 * tx);
  run_triangle(ROUTE_METRIC_HOPS, 2, 52 * SIM_MS + 3 * tx);
}

/* An on/off source with exponential on and off periods of mean 1 s each
 * sends, over 1000 s, half of what it would always-on: 50,000 packets at
 * 100/s.  About 500 on periods: the total on-time has a standard deviation
 * of sqrt(500) x 1 s ~ 22 s (2.2%), so 7% is over three of them. */
static void run_onoff(enum onoff_dist dist, double shape, double tolerance) {
  struct sim *sim = sim_new("onoff", 3, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l", a, "10.0.0.1/30", b, "10.0.0.2/30", 100000000, SIM_MS);
  sim->duration = 1001 * SIM_S;
  struct cbr_config cfg = {.name = "f",
                           .from = a,
                           .sink = b,
                           .dst = test_ip("10.0.0.2"),
                           .port = 40000,
                           .size = 64,
                           .interval = 10 * SIM_MS,
                           .stop = 1000 * SIM_S,
                           .onoff = dist,
                           .on_mean = SIM_S,
                           .off_mean = SIM_S,
                           .shape = shape};
  assert_true(cbr_new(sim, &cfg, NULL));
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "f");
  assert_true(fabs((double)f->sent - 50000) < 50000 * tolerance);
  assert_int_equal(f->received, f->sent);
  test_sim_free_checked(sim);
}

static void test_onoff(void **state) {
  (void)state;
  run_onoff(ONOFF_EXPONENTIAL, 0, 0.07);
  /* Pareto of shape a = 2.5 and mean 1 s has scale x = 0.6 s and variance
   * x^2 a / ((a - 1)^2 (a - 2)) = 0.8 s^2: over ~500 periods the on
   * fraction deviates by about 3%; its heavy tail earns a 12% margin. */
  run_onoff(ONOFF_PARETO, 2.5, 0.12);
}

/* The flow's path and shortest-path means and stretches, all checked
 * exactly (the sums are integers, so the means are exact in a double). */
static void assert_stretch(const struct flow *f, double path_hops,
                           double shortest_hops, int64_t path_prop,
                           int64_t shortest_prop) {
  assert_int_equal(f->path_pkts, f->received);
  assert_true(flow_path_hops_mean(f) == path_hops);
  assert_true(flow_shortest_hops_mean(f) == shortest_hops);
  assert_true(flow_path_prop_mean(f) == (double)path_prop);
  assert_true(flow_shortest_prop_mean(f) == (double)shortest_prop);
  assert_true(fabs(flow_stretch_hops(f) - path_hops / shortest_hops) < 1e-9);
  assert_true(fabs(flow_stretch_delay(f) -
                   (double)path_prop / (double)shortest_prop) < 1e-9);
}

/* On the chain a - r1 - r2 - b every packet crosses the three links,
 * 1 + 2 + 3 ms of propagation, which is also the shortest path: stretch 1
 * exactly.  hops_mean (from the TTL) counts the two routers. */
static void test_path_stretch_chain(void **state) {
  (void)state;
  struct chain c = chain_new();
  c.sim->duration = 2 * SIM_S;
  add_cbr(c.sim, "f", c.a, c.b, "10.0.3.2", 512, 10 * SIM_MS, 0, SIM_S);
  int64_t prop;
  uint32_t hops;
  assert_true(route_shortest(c.sim, c.a, c.b, &prop, &hops));
  assert_int_equal(prop, 6 * SIM_MS);
  assert_int_equal(hops, 3);
  assert_true(route_shortest(c.sim, c.b, c.a, &prop, &hops));
  assert_int_equal(prop, 6 * SIM_MS);
  assert_int_equal(hops, 3);
  assert_true(route_shortest(c.sim, c.r1, c.b, &prop, &hops));
  assert_int_equal(prop, 5 * SIM_MS);
  assert_int_equal(hops, 2);
  assert_true(route_shortest(c.sim, c.a, c.r2, &prop, &hops));
  assert_int_equal(prop, 3 * SIM_MS);
  assert_int_equal(hops, 2);
  assert_true(route_shortest(c.sim, c.a, c.a, &prop, &hops));
  assert_int_equal(prop, 0);
  assert_int_equal(hops, 0);
  sim_run(c.sim, 0, NULL, NULL);
  struct flow *f = test_flow(c.sim, "f");
  assert_int_equal(f->received, 100);
  assert_int_equal(f->hops_sum / f->received, 2);
  assert_stretch(f, 3, 3, 6 * SIM_MS, 6 * SIM_MS);
  assert_true(flow_stretch_hops(f) == 1.0);
  assert_true(flow_stretch_delay(f) == 1.0);

  /* flows.tsv: the six columns after hops_mean. */
  g_autofree char *dir = g_dir_make_tmp("mipsim-test-net-XXXXXX", NULL);
  assert_non_null(dir);
  assert_true(results_write(c.sim, dir, NULL));
  g_autofree char *path = g_build_filename(dir, "flows.tsv", NULL);
  g_autofree char *text = NULL;
  assert_true(g_file_get_contents(path, &text, NULL, NULL));
  assert_non_null(strstr(text, "\thops_mean\tpath_hops_mean\t"
                               "shortest_hops_mean\tpath_prop_ms_mean\t"
                               "shortest_prop_ms_mean\tstretch_hops\t"
                               "stretch_delay\tretransmitted_pkts\t"));
  assert_non_null(strstr(text, "\t2.000\t3.000\t3.000\t6.000000\t6.000000\t"
                               "1.000000\t1.000000\t0\t0\t-\t-\n"));
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *file = g_build_filename(dir, name, NULL);
    g_remove(file);
  }
  g_rmdir(dir);
  test_sim_free_checked(c.sim);

  /* Fragments copy the datagram's metadata and the reassembled datagram
   * takes its first fragment's: the same three links. */
  c = chain_new();
  c.l2->mtu = 576;
  c.sim->duration = 2 * SIM_S;
  add_cbr(c.sim, "f", c.a, c.b, "10.0.3.2", 1400, 100 * SIM_MS, 0, SIM_S);
  sim_run(c.sim, 0, NULL, NULL);
  f = test_flow(c.sim, "f");
  assert_int_equal(c.b->cnt.reassembled, 10);
  assert_int_equal(f->received, 10);
  assert_stretch(f, 3, 3, 6 * SIM_MS, 6 * SIM_MS);
  test_sim_free_checked(c.sim);
}

/* A triangle whose static route forces a detour:
 *
 *   a --1ms-- r1 --10ms (direct)-- r2 --1ms-- b
 *              \                  /
 *              4ms --- r3 --- 8ms
 *
 * plus a host h on 0.1 ms links to both r1 and r2, which would be the
 * shortest way between them if hosts relayed.  r1 sends b's prefix through
 * r3: a, r1, r3, r2, b is 4 links and 1 + 4 + 8 + 1 = 14 ms; the shortest
 * path a, r1, r2, b is 3 links and 1 + 10 + 1 = 12 ms.  Stretch 4/3 in
 * links and 14/12 in propagation. */
static void test_path_stretch_detour(void **state) {
  (void)state;
  struct sim *sim = sim_new("detour", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *r1 = node_new(sim, "r1", true);
  struct node *r2 = node_new(sim, "r2", true);
  struct node *r3 = node_new(sim, "r3", true);
  struct node *b = node_new(sim, "b", false);
  struct node *h = node_new(sim, "h", false);
  uint64_t bw = 1000000000;
  test_p2p(sim, "a", a, "10.0.1.1/24", r1, "10.0.1.2/24", bw, SIM_MS);
  test_p2p(sim, "direct", r1, "10.0.2.1/24", r2, "10.0.2.2/24", bw,
           10 * SIM_MS);
  test_p2p(sim, "d1", r1, "10.0.3.1/24", r3, "10.0.3.2/24", bw, 4 * SIM_MS);
  test_p2p(sim, "d2", r3, "10.0.4.1/24", r2, "10.0.4.2/24", bw, 8 * SIM_MS);
  test_p2p(sim, "b", r2, "10.0.5.1/24", b, "10.0.5.2/24", bw, SIM_MS);
  test_p2p(sim, "h1", r1, "10.0.6.1/24", h, "10.0.6.2/24", bw, 100 * SIM_US);
  test_p2p(sim, "h2", h, "10.0.7.1/24", r2, "10.0.7.2/24", bw, 100 * SIM_US);
  struct prefix to_b = test_prefix("10.0.5.0/24");
  struct ip_addr via_r3 = test_ip("10.0.3.2");
  assert_true(route_add(r1, &to_b, NULL, &via_r3));
  sim->duration = SIM_S;
  add_cbr(sim, "f", a, b, "10.0.5.2", 100, 100 * SIM_MS, 0, 500 * SIM_MS);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "f");
  assert_int_equal(f->received, 5);
  assert_int_equal(f->hops_sum / f->received, 3); /* r1, r3, r2 */
  assert_stretch(f, 4, 3, 14 * SIM_MS, 12 * SIM_MS);
  assert_true(fabs(flow_stretch_hops(f) - 4.0 / 3.0) < 1e-9);
  assert_true(fabs(flow_stretch_delay(f) - 14.0 / 12.0) < 1e-9);
  /* Hosts do not relay, but may be endpoints. */
  int64_t prop;
  uint32_t hops;
  assert_true(route_shortest(sim, r1, r2, &prop, &hops));
  assert_int_equal(prop, 10 * SIM_MS);
  assert_int_equal(hops, 1);
  assert_true(route_shortest(sim, a, h, &prop, &hops));
  assert_int_equal(prop, SIM_MS + 100 * SIM_US);
  assert_int_equal(hops, 2);
  /* A new link is seen at once: the cached answer is not reused. */
  test_p2p(sim, "fast", r1, "10.0.9.1/24", r2, "10.0.9.2/24", bw, 2 * SIM_MS);
  assert_true(route_shortest(sim, r1, r2, &prop, &hops));
  assert_int_equal(prop, 2 * SIM_MS);
  assert_int_equal(hops, 1);
  test_sim_free_checked(sim);

  /* Equal delays: the fewer links win.  s, x, z, t (0.5 + 0.5 + 1 ms,
   * 3 links) against s, y, t (1.5 + 0.5 ms, 2 links). */
  sim = sim_new("tie", 1, 0);
  struct node *s_ = node_new(sim, "s", true);
  struct node *x = node_new(sim, "x", true);
  struct node *z = node_new(sim, "z", true);
  struct node *y = node_new(sim, "y", true);
  struct node *t = node_new(sim, "t", true);
  test_p2p(sim, "sx", s_, "10.1.1.1/30", x, "10.1.1.2/30", bw, 500 * SIM_US);
  test_p2p(sim, "xz", x, "10.1.2.1/30", z, "10.1.2.2/30", bw, 500 * SIM_US);
  test_p2p(sim, "zt", z, "10.1.3.1/30", t, "10.1.3.2/30", bw, SIM_MS);
  test_p2p(sim, "sy", s_, "10.1.4.1/30", y, "10.1.4.2/30", bw, 1500 * SIM_US);
  test_p2p(sim, "yt", y, "10.1.5.1/30", t, "10.1.5.2/30", bw, 500 * SIM_US);
  assert_true(route_shortest(sim, s_, t, &prop, &hops));
  assert_int_equal(prop, 2 * SIM_MS);
  assert_int_equal(hops, 2);
  test_sim_free_checked(sim);
}

/* A broadcast on a LAN: every station's copy counts its own crossing. */
static void test_path_lan_broadcast(void **state) {
  (void)state;
  struct sim *sim = sim_new("bcast", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  struct node *c = node_new(sim, "c", false);
  struct link *lan = link_new(sim, "lan", &eth_lan_ops, 10000000, 10 * SIM_US);
  test_attach(a, lan, "10.9.0.1/24");
  test_attach(b, lan, "10.9.0.2/24");
  test_attach(c, lan, "10.9.0.3/24");
  sim->duration = SIM_S;
  add_cbr(sim, "to-b", a, b, "10.9.0.255", 64, 100 * SIM_MS, 0, 500 * SIM_MS);
  struct cbr_config cfg = {.name = "to-c",
                           .from = a,
                           .sink = c,
                           .dst = test_ip("10.9.0.255"),
                           .port = 40001,
                           .size = 64,
                           .interval = 100 * SIM_MS,
                           .stop = 500 * SIM_MS};
  assert_true(cbr_new(sim, &cfg, NULL));
  sim_run(sim, 0, NULL, NULL);
  for (int i = 0; i < 2; i++) {
    struct flow *f = test_flow(sim, i ? "to-c" : "to-b");
    assert_int_equal(f->received, 5);
    assert_stretch(f, 1, 1, 10 * SIM_US, 10 * SIM_US);
  }
  test_sim_free_checked(sim);
}

/* A frame of an ethertype no node speaks, so each receiver counts it as a
 * malformed drop: who got a frame is read from those counters. */
static void send_raw(struct iface *from, const uint8_t dst[6]) {
  struct pkt *pkt = pkt_new(&from->node->sim->pool, 46);
  memset(pkt->data, 0, pkt->len);
  eth_send(from, pkt, dst, 0x88b5); /* IEEE 802 local experimental */
  sched_run(&from->node->sim->sched, sim_now(from->node->sim) + SIM_MS, NULL);
}

static uint64_t got(const struct iface *iface) {
  return drop_counters_get(&iface->node->cnt.drops, DROP_MALFORMED);
}

/* A LAN delivers unicast like a learning bridge: c and d take on a MAC
 * address the LAN has never seen, so a frame to it is flooded and both
 * NICs take it (b's drops it unseen); once c has sent from that address,
 * frames to it go to c alone.  A frame to a station that left is lost to
 * the handoff; one to an address nobody has, unresolved. */
static void test_lan_learns_macs(void **state) {
  (void)state;
  struct sim *sim = sim_new("learn", 1, 0);
  struct link *lan = link_new(sim, "lan", &eth_lan_ops, 10000000, SIM_US);
  struct iface *s[4];
  for (int i = 0; i < 4; i++) {
    char name[2] = {(char)('a' + i), 0};
    s[i] = iface_new(node_new(sim, name, false), lan);
  }
  const uint8_t x[6] = {0x02, 0xaa, 0, 0, 0, 1};
  const uint8_t nobody[6] = {0x02, 0xaa, 0, 0, 0, 2};
  const uint8_t b_mac[6] = {s[1]->mac[0], s[1]->mac[1], s[1]->mac[2],
                            s[1]->mac[3], s[1]->mac[4], s[1]->mac[5]};
  memcpy(s[2]->mac, x, 6);
  memcpy(s[3]->mac, x, 6);
  assert_null(eth_lan_station(lan, x));

  send_raw(s[0], x); /* unknown: flooded */
  assert_int_equal(got(s[1]), 0);
  assert_int_equal(got(s[2]), 1);
  assert_int_equal(got(s[3]), 1);
  assert_int_equal(lan->cnt.rx_packets, 2);

  send_raw(s[2], s[0]->mac); /* c speaks from x: learned */
  assert_int_equal(got(s[0]), 1);
  assert_ptr_equal(eth_lan_station(lan, x), s[2]);
  send_raw(s[0], x);
  assert_int_equal(got(s[2]), 2);
  assert_int_equal(got(s[3]), 1);
  assert_int_equal(lan->cnt.rx_packets, 4);

  send_raw(s[0], nobody);
  assert_int_equal(drop_counters_get(&lan->cnt.drops, DROP_NEIGH_UNRESOLVED),
                   1);
  link_detach(lan, s[1]);
  send_raw(s[0], b_mac);
  assert_int_equal(drop_counters_get(&lan->cnt.drops, DROP_HANDOFF), 1);
  assert_int_equal(got(s[1]), 0);
  assert_int_equal(lan->cnt.rx_packets, 4);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* ---- a link kind of the test's own ------------------------------------
 * A raw-IP hub: every frame reaches every other end.  Nothing in sim/
 * knows it, yet IP runs over it: a new kind is a table, not branches. */
static void hub_output(struct iface *oif, struct pkt *pkt,
                       const struct ip_addr *gw) {
  (void)gw;
  link_send(oif, pkt);
}

static void hub_deliver(struct link *link, struct iface *from,
                        struct pkt *pkt) {
  for (uint32_t i = 0; i < link->n_ends; i++)
    if (link->ends[i] != from)
      link_receive(link, link->ends[i], pkt_clone(pkt));
  pkt_free(pkt);
}

static void hub_attach(struct link *link, struct iface *iface) {
  (void)iface;
  link->priv = GUINT_TO_POINTER(GPOINTER_TO_UINT(link->priv) + 1);
}

static const struct link_ops hub_ops = {
    .name = "hub",
    .framing = LINK_FRAMING_RAW_IP,
    .pcap_dlt = DLT_RAW,
    .shared_medium = true,
    .output = hub_output,
    .input = ip_input,
    .deliver = hub_deliver,
    .attach = hub_attach,
};

static void test_link_kind_outside_the_kernel(void **state) {
  (void)state;
  struct sim *sim = sim_new("hub", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  struct node *c = node_new(sim, "c", false);
  struct link *hub = link_new(sim, "hub", &hub_ops, 10000000, 10 * SIM_US);
  test_attach(a, hub, "10.8.0.1/24");
  test_attach(b, hub, "10.8.0.2/24");
  test_attach(c, hub, "10.8.0.3/24");
  assert_int_equal(GPOINTER_TO_UINT(hub->priv), 3);
  sim->duration = SIM_S;
  add_cbr(sim, "f", a, b, "10.8.0.2", 512, 100 * SIM_MS, 0, 500 * SIM_MS);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "f");
  /* No framing: 540-byte frames; c, not the destination, drops its
   * copies (it is no router). */
  assert_int_equal(f->sent, 5);
  assert_int_equal(f->received, 5);
  assert_int_equal(flow_delay_percentile(f, 1.0),
                   units_tx_time(540, 10000000) + 10 * SIM_US);
  assert_int_equal(hub->cnt.tx_packets, 5);
  assert_int_equal(hub->cnt.rx_packets, 10);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_chain_delay),
      cmocka_unit_test(test_link_down_loses_rate_times_outage),
      cmocka_unit_test(test_ttl_exceeded),
      cmocka_unit_test(test_udp_ttl_exceeded_counted),
      cmocka_unit_test(test_ping_rtt),
      cmocka_unit_test(test_ipv6_chain),
      cmocka_unit_test(test_lan_arp),
      cmocka_unit_test(test_fragmentation),
      cmocka_unit_test(test_df_frag_needed),
      cmocka_unit_test(test_ingress_filter),
      cmocka_unit_test(test_droptail),
      cmocka_unit_test(test_static_routes_only),
      cmocka_unit_test(test_proxy_and_gratuitous_arp),
      cmocka_unit_test(test_route_metrics),
      cmocka_unit_test(test_onoff),
      cmocka_unit_test(test_path_stretch_chain),
      cmocka_unit_test(test_path_stretch_detour),
      cmocka_unit_test(test_path_lan_broadcast),
      cmocka_unit_test(test_lan_learns_macs),
      cmocka_unit_test(test_link_kind_outside_the_kernel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
