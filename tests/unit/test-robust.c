/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Any byte sequence is survivable: random frames and mutated valid frames
 * are fed to every receive path (Ethernet, ARP, IPv4, IPv6, UDP, ICMP,
 * fragments) of hosts and routers, under the sanitizers in CI.  Nothing may
 * crash or leak, and every packet must be accounted for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/link.h"
#include "sim/net/node.h"

struct net {
  struct sim *sim;
  struct node *host, *router, *peer;
  struct iface *host_lan, *router_lan, *router_p2p;
};

static struct net net_new(void) {
  struct net n;
  n.sim = sim_new("robust", 1, 0);
  n.host = node_new(n.sim, "h", false);
  n.router = node_new(n.sim, "r", true);
  n.peer = node_new(n.sim, "p", false);
  struct link *lan = test_lan(n.sim, "lan", 100000000, SIM_US);
  struct link *p2p = link_new(n.sim, "p2p", &link_p2p_ops, 100000000, SIM_US);
  n.host_lan = test_attach(n.host, lan, "10.0.0.2/24");
  n.router_lan = test_attach(n.router, lan, "10.0.0.1/24");
  n.router_p2p = test_attach(n.router, p2p, "10.0.1.1/30");
  struct iface *peer = test_attach(n.peer, p2p, "10.0.1.2/30");
  test_addr(n.host_lan, "2001:db8::2/64");
  test_addr(n.router_lan, "2001:db8::1/64");
  test_addr(n.router_p2p, "2001:db8:1::1/64");
  test_addr(peer, "2001:db8:1::2/64");
  return n;
}

/* A valid frame of each kind, captured from the model itself: the peer
 * pings and sends UDP (with fragments) to the host, and the bytes the
 * router's LAN interface receives are kept. */
struct capture {
  struct observer obs;
  GPtrArray *frames; /* GBytes */
};

static void keep(void *ctx, const struct link *link, const struct pkt *pkt) {
  struct capture *c = ctx;
  g_ptr_array_add(c->frames, g_bytes_new(pkt->data, pkt->len));
}

static GPtrArray *valid_frames(void) {
  struct net n = net_new();
  struct capture c = {
      .frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref)};
  c.obs = (struct observer){.ctx = &c, .on_wire = keep};
  sim_observe(n.sim, &c.obs);
  for (guint i = 0; i < n.sim->links->len; i++)
    ((struct link *)g_ptr_array_index(n.sim->links, i))->traced = true;
  struct ip_addr h4, h6;
  assert_true(addr_parse("10.0.0.2", &h4, NULL));
  assert_true(addr_parse("2001:db8::2", &h6, NULL));
  struct cbr_config cbr = {.name = "u4",
                           .from = n.peer,
                           .sink = n.host,
                           .dst = h4,
                           .port = 40000,
                           .size = 2000,
                           .interval = SIM_MS,
                           .count = 2};
  assert_true(cbr_new(n.sim, &cbr, NULL));
  cbr.name = "u6";
  cbr.dst = h6;
  cbr.port = 40001;
  cbr.size = 500;
  assert_true(cbr_new(n.sim, &cbr, NULL));
  struct ping_config ping = {.name = "p4",
                             .from = n.peer,
                             .dst = h4,
                             .size = 56,
                             .interval = SIM_MS,
                             .count = 2};
  assert_true(ping_new(n.sim, &ping, NULL));
  ping.name = "p6";
  ping.dst = h6;
  assert_true(ping_new(n.sim, &ping, NULL));
  n.sim->duration = SIM_S;
  sim_run(n.sim, 0, NULL, NULL);
  sim_unobserve(n.sim, &c.obs);
  test_sim_free_checked(n.sim);
  assert_true(c.frames->len > 10);
  return c.frames;
}

/* Hands bytes to iface as a received frame and runs the consequences. */
static void inject(struct net *n, struct iface *iface, const uint8_t *bytes,
                   size_t len) {
  struct pkt *p = pkt_new(&n->sim->pool, (uint32_t)len);
  memcpy(p->data, bytes, len);
  iface_receive(iface, p);
  sched_run(&n->sim->sched, sim_now(n->sim) + 100 * SIM_MS, NULL);
}

/* Once ARP requests and reassembly timers have run out, every packet has
 * been delivered or dropped and no event is left. */
static void assert_accounted(struct net *n) {
  sched_run(&n->sim->sched, sim_now(n->sim) + 120 * SIM_S, NULL);
  assert_int_equal(n->sim->pool.live_count, 0);
  assert_int_equal(sched_pending_count(&n->sim->sched), 0);
}

static uint64_t drops(const struct node *node, enum drop_reason r) {
  return drop_counters_get(&node->cnt.drops, r);
}

static void test_random_bytes(void **state) {
  (void)state;
  struct net n = net_new();
  struct rng r;
  rng_init(&r, 42, 0, "random-bytes");
  uint8_t buf[1600];
  struct iface *targets[] = {n.host_lan, n.router_lan, n.router_p2p};
  for (int i = 0; i < 20000; i++) {
    size_t len = rng_below(&r, sizeof buf);
    for (size_t k = 0; k < len; k++)
      buf[k] = (uint8_t)rng_u64(&r);
    /* Make some of them look like IPv4 / IPv6 / ARP to get deeper. */
    int flavour = (int)rng_below(&r, 4);
    struct iface *to = targets[rng_below(&r, 3)];
    size_t off = to->link->ops->framing == LINK_FRAMING_ETHERNET ? ETH_HLEN : 0;
    if (off && len >= 14) {
      static const uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x1234};
      memcpy(buf, to->mac, 6);
      buf[12] = (uint8_t)(types[flavour] >> 8);
      buf[13] = (uint8_t)types[flavour];
    }
    if (len > off && flavour < 2)
      buf[off] = (uint8_t)((flavour == 0 ? 0x45 : 0x60) |
                           (buf[off] & (flavour == 0 ? 0x0a : 0x0f)));
    inject(&n, to, buf, len);
  }
  assert_accounted(&n);
  /* The garbage reached the IP layer of hosts and routers. */
  assert_true(drops(n.host, DROP_MALFORMED) > 100);
  assert_true(drops(n.router, DROP_MALFORMED) > 100);
  test_sim_free_checked(n.sim);
}

static void test_mutated_frames(void **state) {
  (void)state;
  g_autoptr(GPtrArray) frames = valid_frames();
  struct net n = net_new();
  struct rng r;
  rng_init(&r, 43, 0, "mutations");
  for (int i = 0; i < 20000; i++) {
    GBytes *b = g_ptr_array_index(frames, rng_below(&r, frames->len));
    gsize len;
    const uint8_t *orig = g_bytes_get_data(b, &len);
    uint8_t buf[2100];
    assert_true(len <= sizeof buf);
    memcpy(buf, orig, len);
    int flips = 1 + (int)rng_below(&r, 4);
    for (int k = 0; k < flips; k++)
      buf[rng_below(&r, len)] ^= (uint8_t)(1u << rng_below(&r, 8));
    size_t cut = rng_below(&r, 8) == 0 ? rng_below(&r, len + 1) : len;
    /* LAN frames go to a LAN interface, raw IP to the point-to-point one. */
    bool ethernet = len >= 14 && (orig[12] == 0x08 || orig[12] == 0x86);
    inject(&n, ethernet ? n.host_lan : n.router_p2p, buf, cut);
  }
  assert_accounted(&n);
  /* Mutations that kept the packet valid went all the way up, and the
   * others died for several different reasons. */
  assert_true(n.host->cnt.ip_delivered > 100);
  assert_true(n.router->cnt.ip_forwarded > 100);
  assert_true(drops(n.host, DROP_BAD_CHECKSUM) > 100);
  assert_true(drops(n.host, DROP_MALFORMED) > 10);
  assert_true(drops(n.host, DROP_REASSEMBLY) > 0);
  test_sim_free_checked(n.sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_bytes),
      cmocka_unit_test(test_mutated_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
