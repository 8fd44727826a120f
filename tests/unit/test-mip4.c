/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mobile IPv4 end to end: registration through foreign agents, triangle
 * routing delays derived from the topology, the handoff interruption,
 * authentication and replay failures, lifetime expiry, return home, the
 * retransmission schedule, encapsulation sizes and reverse tunnelling
 * through an ingress filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <math.h>
#include <string.h>

#include "protocols/mip4/fa.h"
#include "protocols/mip4/ha.h"
#include "protocols/mip4/mn.h"
#include "sim/apps/traffic.h"
#include "sim/core/fault.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/net/arp.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"
#include "sim/results/flow.h"
#include "sim/results/handoff.h"
#include "sim/services/dhcp.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/radio.h"

#define CORE_BPS 100000000ULL
#define CELL_BPS 11000000ULL
#define PAYLOAD 512
#define HOA "10.1.0.10"

/*      cn --10ms-- core --5ms-- ha ==home LAN== (bridge c0)
 *                   |  \
 *                  7ms  9ms
 *                   |     \
 *                  fa1     fa2
 *                  (c1)    (c2)
 * Every point-to-point link is 100 Mb/s; cells are 11 Mb/s, 1 us. */
struct world {
  struct sim *sim;
  struct node *cn, *core, *ha, *fa1, *fa2, *mn;
  struct link *l_cn, *l_ha, *l_fa1, *l_fa2, *home;
  struct cell *c0, *c1, *c2;
  struct iface *radio;
  struct mip4_ha *h;
  struct mip4_fa *f1, *f2;
  struct mip4_mn *m;
};

static const uint8_t KEY[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

static struct link *p2p(struct sim *sim, const char *name, struct node *a,
                        const char *aa, struct node *b, const char *ba,
                        int64_t delay) {
  struct link *l = link_new(sim, name, &link_p2p_ops, CORE_BPS, delay);
  test_addr(iface_new(a, l), aa);
  test_addr(iface_new(b, l), ba);
  return l;
}

static struct cell *cell(struct sim *sim, const char *name, double x) {
  struct link *l = link_new(sim, name, &cell_link_ops, CELL_BPS, SIM_US);
  return cell_new(sim, name, (struct vec2){x, 0}, 100, l);
}

static struct mip4_sa sa_with(const uint8_t *key) {
  struct mip4_sa sa = {.spi = 256, .alg = MIP4_AUTH_HMAC_MD5, .key_len = 16};
  memcpy(sa.key, key, 16);
  return sa;
}

static struct world world_new(const uint8_t *mn_key) {
  struct world w;
  struct sim *sim = w.sim = sim_new("mip4", 1, 0);
  sim->duration = 60 * SIM_S;
  w.cn = node_new(sim, "cn", false);
  w.core = node_new(sim, "core", true);
  w.ha = node_new(sim, "ha", true);
  w.fa1 = node_new(sim, "fa1", true);
  w.fa2 = node_new(sim, "fa2", true);
  w.mn = node_new(sim, "mn", false);
  w.l_cn =
      p2p(sim, "l-cn", w.cn, "10.0.0.2/30", w.core, "10.0.0.1/30", 10 * SIM_MS);
  w.l_ha =
      p2p(sim, "l-ha", w.core, "10.0.1.1/30", w.ha, "10.0.1.2/30", 5 * SIM_MS);
  w.l_fa1 = p2p(sim, "l-fa1", w.core, "10.0.2.1/30", w.fa1, "10.0.2.2/30",
                7 * SIM_MS);
  w.l_fa2 = p2p(sim, "l-fa2", w.core, "10.0.3.1/30", w.fa2, "10.0.3.2/30",
                9 * SIM_MS);
  w.home = link_new(sim, "home", &eth_lan_ops, CORE_BPS, SIM_US);
  struct iface *ha_home = iface_new(w.ha, w.home);
  test_addr(ha_home, "10.1.0.1/24");
  w.c0 = cell(sim, "c0", 0);
  cell_bridge(w.c0, w.home);
  w.c1 = cell(sim, "c1", 1000);
  test_addr(iface_new(w.fa1, w.c1->link), "10.2.0.1/24");
  w.c2 = cell(sim, "c2", 2000);
  test_addr(iface_new(w.fa2, w.c2->link), "10.3.0.1/24");
  w.radio = radio_new(w.mn, "wlan", ASSOC_NEAREST, 0, 50 * SIM_MS);
  test_addr(w.radio, HOA "/24");
  radio_add_move(w.radio, 0, w.c0);

  struct mip4_sa sa = sa_with(KEY);
  w.h = mip4_ha_new(mip4_node_of(sim, w.ha), ha_home, SIM_S);
  mip4_ha_add_client(w.h, test_ip(HOA).v4, &sa, false);
  w.f1 = mip4_fa_new(mip4_node_of(sim, w.fa1), node_iface_on(w.fa1, w.c1->link),
                     SIM_S);
  w.f2 = mip4_fa_new(mip4_node_of(sim, w.fa2), node_iface_on(w.fa2, w.c2->link),
                     SIM_S);
  struct mip4_sa mn_sa = sa_with(mn_key);
  w.m = mip4_mn_new(mip4_node_of(sim, w.mn), w.radio, test_ip(HOA).v4, 24,
                    test_ip("10.1.0.1").v4, &mn_sa);
  return w;
}

static struct flow *cbr_to_mn(struct world *w, int64_t interval) {
  struct cbr_config cfg = {.name = "cn-to-mn",
                           .from = w->cn,
                           .sink = w->mn,
                           .dst = test_ip(HOA),
                           .port = 40000,
                           .size = PAYLOAD,
                           .interval = interval,
                           .start = SIM_S};
  assert_true(cbr_new(w->sim, &cfg, NULL));
  return g_ptr_array_index(w->sim->flows, w->sim->flows->len - 1);
}

static int64_t tx(uint64_t bytes, uint64_t bps) {
  return units_tx_time(bytes, bps);
}

/* Collects the one-way delays of the flow's packets that arrived between
 * two times, through a sink observer would be heavier: read them from the
 * flow, whose delays are in arrival order. */
static void test_triangle_delay(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  w.sim->duration = 10 * SIM_S;
  struct flow *f = cbr_to_mn(&w, 10 * SIM_MS);
  sim_run(w.sim, 0, NULL, NULL);
  /* At home (1 s to 5 s): cn -> core -> ha -> home LAN -> bridge -> c0. */
  uint64_t ip_len = PAYLOAD + 8 + 20;
  int64_t home = tx(ip_len, CORE_BPS) + 10 * SIM_MS + tx(ip_len, CORE_BPS) +
                 5 * SIM_MS + tx(ip_len + 14, CORE_BPS) + SIM_US +
                 tx(ip_len + 14, CELL_BPS) + SIM_US;
  /* Registered at fa1: cn -> core -> ha, tunnelled (+20) ha -> core ->
   * fa1, then delivered on c1: d(CN,HA) + d(HA,FA) + d(FA,MN). */
  int64_t triangle = tx(ip_len, CORE_BPS) + 10 * SIM_MS + tx(ip_len, CORE_BPS) +
                     5 * SIM_MS + tx(ip_len + 20, CORE_BPS) + 5 * SIM_MS +
                     tx(ip_len + 20, CORE_BPS) + 7 * SIM_MS +
                     tx(ip_len + 14, CELL_BPS) + SIM_US;
  assert_true(w.m->state == MIP4_MN_REGISTERED);
  assert_non_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  assert_int_equal(mip4_ha_binding(w.h, test_ip(HOA).v4)->coa,
                   test_ip("10.2.0.1").v4);
  /* Every delivered packet took one of the two paths; the steady state of
   * each shows as the extremes. */
  assert_int_equal(flow_delay_percentile(f, 0.0), home);
  assert_int_equal(flow_delay_percentile(f, 1.0), triangle);
  guint at_home = 0, away = 0;
  for (guint i = 0; i < f->delays->len; i++) {
    int64_t d = g_array_index(f->delays, int64_t, i);
    at_home += d == home;
    away += d == triangle;
  }
  /* The first packet at home waits for ARP; all others are one of the two. */
  assert_int_equal(at_home + away + 1, f->received);
  assert_true(away > 400);
  test_sim_free_checked(w.sim);
}

/* Two extensions of one home agent: the request flags they understand add
 * up (only the second declares one), and both hear of every registration
 * (at least the two of the moves to c1 and c2), in the order they were
 * attached. */
struct ext_log {
  GString *calls;
  char tag;
};

static void log_registered(void *ctx, G_GNUC_UNUSED const struct mip4_rrq *r,
                           G_GNUC_UNUSED const uint8_t *msg,
                           G_GNUC_UNUSED size_t len,
                           G_GNUC_UNUSED uint16_t lifetime) {
  struct ext_log *l = ctx;
  g_string_append_c(l->calls, l->tag);
}

static void test_extensions_form_a_list(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  g_autoptr(GString) calls = g_string_new("");
  struct ext_log a = {calls, 'a'}, b = {calls, 'b'};
  struct mip4_extension ea = {.ctx = &a, .ha_registered = log_registered};
  struct mip4_extension eb = {.ctx = &b,
                              .rrq_flags = MIP4_RRQ_RESERVED,
                              .ha_registered = log_registered};
  mip4_extend(w.sim, w.ha, &ea);
  mip4_extend(w.sim, w.ha, &eb);
  assert_int_equal(w.h->owner->ext.rrq_flags, MIP4_RRQ_RESERVED);
  radio_add_move(w.radio, 2 * SIM_S, w.c1);
  radio_add_move(w.radio, 4 * SIM_S, w.c2);
  w.sim->duration = 6 * SIM_S;
  sim_run(w.sim, 0, NULL, NULL);
  assert_true(w.h->cnt.haServiceRequestsAccepted >= 2);
  assert_int_equal(calls->len, 2 * w.h->cnt.haServiceRequestsAccepted);
  for (gsize i = 0; i < calls->len; i += 2)
    assert_memory_equal(calls->str + i, "ab", 2);
  test_sim_free_checked(w.sim);
}

/* One handoff's interruption: from leaving the old cell to the first data
 * packet through the new care-of address. */
static double interruption(struct sim *sim, int row) {
  const struct handoff *h =
      &g_array_index(sim->handoffs, struct handoff, (guint)row);
  double first = handoff_value(sim, row, "first_packet_new_path_s");
  assert_false(isnan(first));
  assert_true(fabs(handoff_value(sim, row, "new_path_latency_ms") / 1e3 -
                   (first - (double)h->start / 1e9)) < 1e-9);
  return first - (double)h->start / 1e9;
}

/* Without solicitation the node waits for the next advertisement: with a
 * 1 s interval half a second on average.  Then layer 2 (50 ms), the
 * registration round trip mn -> fa -> ha -> fa -> mn, and the wait for
 * the next CBR packet (5 ms on average at one per 10 ms) plus its trip
 * from the home agent. */
static void test_handoff_interruption_mean(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  w.m->solicit_on_attach = false;
  /* Alternate between c1 and c2 every 3.37 s, so handoffs fall at all
   * phases of the advertisement period. */
  int handoffs = 60;
  for (int k = 0; k < handoffs; k++)
    radio_add_move(w.radio, 2 * SIM_S + k * 3370 * SIM_MS, k % 2 ? w.c2 : w.c1);
  w.sim->duration = 2 * SIM_S + handoffs * 3370 * SIM_MS + 2 * SIM_S;
  cbr_to_mn(&w, 10 * SIM_MS);
  sim_run(w.sim, 0, NULL, NULL);
  /* The registration request and reply are ~78 and ~50 bytes: their
   * serialization is small but counted approximately; the propagation is
   * exact: mn-fa (1 us) + fa-core-ha and back (2 x 12 or 14 ms). */
  double sum = 0;
  int n = 0;
  for (int row = 0; row < (int)w.sim->handoffs->len; row++) {
    const struct handoff *h =
        &g_array_index(w.sim->handoffs, struct handoff, (guint)row);
    if (!h->from)
      continue; /* from home: the first one is excluded */
    sum += interruption(w.sim, row);
    n++;
  }
  assert_true(n >= handoffs - 2);
  double mean = sum / n;
  /* Registration RTT: 2 x (7 + 5) ms via fa1 or 2 x (9 + 5) via fa2, ~26 ms
   * averaged; then the next packet from cn reaches the mobile node via the
   * home agent: 15 ms to ha + 12 or 14 ms on: ~28 ms, plus 5 ms waiting. */
  double expect = 0.050 + 0.5 + 0.026 + 0.005 + 0.028;
  /* The advertisement wait is uniform over 1 s: its mean over ~59
   * handoffs has a standard deviation of 0.289 / sqrt(59) = 38 ms. */
  assert_true(fabs(mean - expect) < 0.12);
  test_sim_free_checked(w.sim);
}

static void test_wrong_key_denied(void **state) {
  (void)state;
  uint8_t wrong[16];
  memcpy(wrong, KEY, 16);
  wrong[0] ^= 1;
  struct world w = world_new(wrong);
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  w.sim->duration = 10 * SIM_S;
  struct flow *f = cbr_to_mn(&w, 10 * SIM_MS);
  sim_run(w.sim, 0, NULL, NULL);
  /* The home agent refuses with 131, signing the reply with the key it
   * knows, which the node cannot verify: it discards the reply and goes
   * on trying (RFC 5944 3.6.2.1). */
  assert_true(w.h->cnt.haMNAuthenticationFailure >= 1);
  assert_int_equal(w.h->cnt.haMNAuthenticationFailure,
                   w.m->cnt.mnRepliesHAAuthenticationFailure);
  assert_int_equal(w.h->cnt.haServiceRequestsAccepted, 0);
  assert_true(w.m->state == MIP4_MN_REGISTERING);
  assert_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  /* Nothing reaches the node after it left home. */
  assert_true(f->received < 420);
  test_sim_free_checked(w.sim);
}

static void test_clock_skew_resynchronised(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  w.m->clock_offset = -60 * SIM_S; /* outside the 7 s tolerance */
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  w.sim->duration = 10 * SIM_S;
  sim_run(w.sim, 0, NULL, NULL);
  assert_int_equal(w.h->cnt.haIDMismatch, 1);
  assert_int_equal(w.m->cnt.mnRegRequestsDeniedByHADueToID, 1);
  assert_true(w.m->state == MIP4_MN_REGISTERED);
  assert_non_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  test_sim_free_checked(w.sim);
}

/* With nonces (RFC 5944 5.7.2) the node's first request carries none: the
 * home agent answers 133 with one, and the next request, carrying it, is
 * accepted; every later reply brings a new nonce, so a replayed request
 * fails. */
static void test_nonces(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  struct mip4_ha_client *c =
      &g_array_index(w.h->clients, struct mip4_ha_client, 0);
  c->nonces = true;
  w.m->nonces = true;
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  radio_add_move(w.radio, 9 * SIM_S, w.c2);
  w.sim->duration = 12 * SIM_S;
  sim_run(w.sim, 0, NULL, NULL);
  /* One resynchronisation, then the two registrations go through. */
  assert_int_equal(w.h->cnt.haIDMismatch, 1);
  assert_int_equal(w.m->cnt.mnRegRequestsDeniedByHADueToID, 1);
  assert_int_equal(w.h->cnt.haServiceRequestsAccepted, 2);
  assert_true(w.m->state == MIP4_MN_REGISTERED);
  assert_int_equal(mip4_ha_binding(w.h, test_ip(HOA).v4)->coa,
                   test_ip("10.3.0.1").v4);
  /* The node holds the nonce of the last reply, which the agent expects. */
  assert_int_equal(w.m->nonce, c->nonce);
  test_sim_free_checked(w.sim);
}

/* A registration request captured on its way to the home agent and sent
 * again later is refused with 133, the binding left as it was. */
struct capture_rrq {
  struct observer obs;
  const struct link *link;
  GByteArray *rrq;
};

static void capture_first_rrq(void *ctx, const struct link *link,
                              const struct pkt *pkt) {
  struct capture_rrq *c = ctx;
  if (link != c->link || c->rrq->len || pkt->len < IP4_HLEN + 8 + 1)
    return;
  const uint8_t *udp = pkt->data + IP4_HLEN;
  if (load_be16(udp + 2) == MIP4_PORT && udp[8] == MIP4_MSG_RRQ)
    g_byte_array_append(c->rrq, udp + 8, pkt->len - IP4_HLEN - 8);
}

static void test_replayed_request(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  w.sim->duration = 8 * SIM_S;
  struct capture_rrq c = {.link = w.l_ha, .rrq = g_byte_array_new()};
  c.obs = (struct observer){.ctx = &c, .on_wire = capture_first_rrq};
  sim_observe(w.sim, &c.obs);
  w.l_ha->traced = true;
  sim_run(w.sim, 0, NULL, NULL);
  const struct mip4_binding *b = mip4_ha_binding(w.h, test_ip(HOA).v4);
  assert_non_null(b);
  uint64_t ident = b->ident;
  assert_true(c.rrq->len > 0);
  assert_int_equal(w.h->cnt.haIDMismatch, 0);
  /* An attacker on the path replays it from the foreign agent's side. */
  mip4_send_udp(mip4_node_of(w.sim, w.fa1), c.rrq, test_ip("10.2.0.1").v4,
                test_ip("10.1.0.1").v4, MIP4_PORT, 64, NULL);
  sched_run(&w.sim->sched, 9 * SIM_S, NULL);
  assert_int_equal(w.h->cnt.haIDMismatch, 1);
  assert_int_equal(mip4_ha_binding(w.h, test_ip(HOA).v4)->ident, ident);
  g_byte_array_free(c.rrq, TRUE);
  test_sim_free_checked(w.sim);
}

/* The node registers with a 4 s lifetime, then falls into a gap with no
 * coverage: nobody renews, the binding and the visitor entry expire, and
 * the correspondent's packets stop reaching anyone. */
static void test_lifetime_expiry(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  w.m->lifetime = 4;
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  w.sim->duration = 7 * SIM_S;
  sim_run(w.sim, 0, NULL, NULL);
  assert_non_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  assert_non_null(mip4_fa_visitor(w.f1, test_ip(HOA).v4));
  /* Cut the node off: its radio goes down with the cell. */
  link_set_up(w.c1->link, false);
  w.sim->duration = 14 * SIM_S;
  sched_run(&w.sim->sched, 14 * SIM_S, NULL);
  assert_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  assert_null(mip4_fa_visitor(w.f1, test_ip(HOA).v4));
  test_sim_free_checked(w.sim);
}

static void test_return_home(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  radio_add_move(w.radio, 10 * SIM_S, w.c0);
  w.sim->duration = 15 * SIM_S;
  struct flow *f = cbr_to_mn(&w, 10 * SIM_MS);
  sim_run(w.sim, 0, NULL, NULL);
  assert_true(w.m->state == MIP4_MN_AT_HOME);
  assert_int_equal(w.m->cnt.mnDeRegRequestsSent, 1);
  assert_true(w.m->cnt.mnGratuitousARPsSend >= 1);
  assert_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  assert_false(arp_is_proxied(node_iface_on(w.ha, w.home), test_ip(HOA).v4));
  /* Home again, packets take the home path: the last one's delay. */
  uint64_t ip_len = PAYLOAD + 8 + 20;
  int64_t home = tx(ip_len, CORE_BPS) + 10 * SIM_MS + tx(ip_len, CORE_BPS) +
                 5 * SIM_MS + tx(ip_len + 14, CORE_BPS) + SIM_US +
                 tx(ip_len + 14, CELL_BPS) + SIM_US;
  assert_int_equal(g_array_index(f->delays, int64_t, f->delays->len - 1), home);
  /* The packets the two handoffs cost are exactly the flow's losses. */
  assert_int_equal(w.sim->handoffs->len, 2);
  double lost = handoff_value(w.sim, 0, "lost_pkts") +
                handoff_value(w.sim, 1, "lost_pkts");
  assert_true(flow_lost(f) > 0);
  assert_true(lost == (double)flow_lost(f));
  test_sim_free_checked(w.sim);
}

/* The home agent is unreachable: the node's requests go out at 0, 1, 3
 * and 7 s after the first (intervals doubling from 1 s), each a new
 * registration with a larger Identification; 7 s after the last one the
 * foreign agent gives up with code 78. */
struct rrq_times {
  struct observer obs;
  GArray *times;
  const struct link *link;
  int replies78;
};

static void watch(void *ctx, const struct link *link, const struct pkt *pkt) {
  struct rrq_times *t = ctx;
  if (link != t->link || pkt->len < 14 + 20 + 8 + 1)
    return;
  const uint8_t *udp = pkt->data + 14 + 20;
  if (load_be16(udp + 2) != MIP4_PORT)
    return;
  int64_t now = sim_now(link->sim);
  if (udp[8] == MIP4_MSG_RRQ)
    g_array_append_val(t->times, now);
  else if (udp[8] == MIP4_MSG_RRP && udp[9] == MIP4_FA_REGISTRATION_TIMEOUT)
    t->replies78++;
}

static void test_retransmission_backoff(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  node_fault_at(w.ha, 4 * SIM_S, false);
  w.sim->duration = 30 * SIM_S;
  struct rrq_times t = {.times = g_array_new(FALSE, FALSE, sizeof(int64_t)),
                        .link = w.c1->link};
  t.obs = (struct observer){.ctx = &t, .on_wire = watch};
  sim_observe(w.sim, &t.obs);
  w.c1->link->traced = true;
  sim_run(w.sim, 0, NULL, NULL);
  assert_int_equal(t.times->len, 4);
  /* The first request waited for ARP to resolve the agent (a 60-byte
   * request and reply on the cell); the retransmissions did not. */
  int64_t arp = 2 * (tx(60, CELL_BPS) + SIM_US);
  for (guint i = 1; i < 4; i++) {
    int64_t gap = g_array_index(t.times, int64_t, i) -
                  g_array_index(t.times, int64_t, i - 1);
    assert_int_equal(gap, (int64_t)(1 << (i - 1)) * SIM_S - (i == 1 ? arp : 0));
  }
  assert_int_equal(t.replies78, 1);
  assert_true(w.m->state == MIP4_MN_DENIED);
  g_array_free(t.times, TRUE);
  test_sim_free_checked(w.sim);
}

/* The tunnelled packets on the link to fa1 are exactly the header size
 * bigger than the original: 20 (IP in IP), 12 (minimal, the home agent
 * not being the originator), 24 (GRE). */
struct sizes {
  struct observer obs;
  const struct link *link;
  uint32_t biggest;
};

static void size_watch(void *ctx, const struct link *link,
                       const struct pkt *pkt) {
  struct sizes *s = ctx;
  if (link == s->link && pkt->len > s->biggest)
    s->biggest = pkt->len;
}

static void run_encap(enum encap_kind kind, uint32_t overhead) {
  struct world w = world_new(KEY);
  w.h->minimal = w.h->gre = w.f1->minimal = w.f1->gre = true;
  w.m->encap = kind;
  radio_add_move(w.radio, 5 * SIM_S, w.c1);
  w.sim->duration = 8 * SIM_S;
  struct flow *f = cbr_to_mn(&w, 10 * SIM_MS);
  struct sizes s = {.link = w.l_fa1};
  s.obs = (struct observer){.ctx = &s, .on_wire = size_watch};
  sim_observe(w.sim, &s.obs);
  w.l_fa1->traced = true;
  sim_run(w.sim, 0, NULL, NULL);
  assert_int_equal(mip4_ha_binding(w.h, test_ip(HOA).v4)->encap, kind);
  assert_int_equal(s.biggest, PAYLOAD + 8 + 20 + overhead);
  assert_true(f->received > 600);
  test_sim_free_checked(w.sim);
}

static void test_encapsulation_sizes(void **state) {
  (void)state;
  run_encap(ENCAP_IPIP, 20);
  run_encap(ENCAP_MINIMAL, 12);
  run_encap(ENCAP_GRE, 24);
}

/* The core router filters ingress on its link from fa1: the mobile node's
 * packets, sourced from its home address, are dropped there unless
 * reverse tunnelled through its home agent. */
static uint64_t uplink_received(bool reverse) {
  struct world w = world_new(KEY);
  node_iface_on(w.core, w.l_fa1)->ingress_filter = true;
  w.m->reverse_tunnel = reverse;
  radio_add_move(w.radio, 2 * SIM_S, w.c1);
  w.sim->duration = 10 * SIM_S;
  struct cbr_config cfg = {.name = "mn-to-cn",
                           .from = w.mn,
                           .sink = w.cn,
                           .dst = test_ip("10.0.0.2"),
                           .port = 40001,
                           .size = 100,
                           .interval = 100 * SIM_MS,
                           .start = 5 * SIM_S,
                           .stop = 9 * SIM_S};
  assert_true(cbr_new(w.sim, &cfg, NULL));
  sim_run(w.sim, 0, NULL, NULL);
  struct flow *f = g_ptr_array_index(w.sim->flows, 0);
  assert_int_equal(f->sent, 40);
  if (!reverse)
    assert_int_equal(drop_counters_get(&w.core->cnt.drops, DROP_INGRESS_FILTER),
                     40);
  else
    assert_int_equal(w.f1->cnt.faReverseTunnelledPackets, 40);
  uint64_t got = f->received;
  test_sim_free_checked(w.sim);
  return got;
}

static void test_reverse_tunnel_through_ingress_filter(void **state) {
  (void)state;
  assert_int_equal(uplink_received(false), 0);
  assert_int_equal(uplink_received(true), 40);
}

/* With S and a home agent that keeps simultaneous bindings, the node's
 * care-of addresses at fa1 and then fa2 are both bound, and each packet
 * from the correspondent is tunnelled to both (RFC 5944 4.2.3); code 0
 * says so.  Without support, the second replaces the first (code 1). */
static void run_simultaneous(bool supported, guint want_bindings) {
  struct world w = world_new(KEY);
  w.h->simultaneous = supported;
  w.m->simultaneous = true;
  radio_add_move(w.radio, 3 * SIM_S, w.c1);
  radio_add_move(w.radio, 6 * SIM_S, w.c2);
  w.sim->duration = 10 * SIM_S;
  cbr_to_mn(&w, 10 * SIM_MS);
  sim_run(w.sim, 0, NULL, NULL);
  guint n = 0;
  for (const struct mip4_binding *b = mip4_ha_binding(w.h, test_ip(HOA).v4); b;
       b = b->next)
    n++;
  assert_int_equal(n, want_bindings);
  assert_int_equal(w.h->cnt.haMultiBindingUnsupported, supported ? 0 : 2);
  /* At 100 packets/s, fa1 carries the flow from the home agent's first
   * binding (3 s + 50 ms layer 2 + ~12 ms to the home agent) to the
   * second (6.06 s): about 300 packets.  If both bindings are kept fa1
   * goes on getting copies until the end at 10 s: about 700.  (Its
   * visitor entry lives on for the lifetime.) */
  if (supported)
    assert_true(w.f1->cnt.faDecapsulatedPackets > 650);
  else
    assert_true(w.f1->cnt.faDecapsulatedPackets < 310);
  test_sim_free_checked(w.sim);
}

static void test_simultaneous_bindings(void **state) {
  (void)state;
  run_simultaneous(true, 2);
  run_simultaneous(false, 1);
}

/* B: a broadcast on the home network reaches the node away, encapsulated
 * to its home address inside the tunnel to its care-of address. */
static void test_home_broadcast(void **state) {
  (void)state;
  for (int asked = 0; asked < 2; asked++) {
    struct world w = world_new(KEY);
    struct node *h = node_new(w.sim, "home-host", false);
    test_addr(iface_new(h, w.home), "10.1.0.30/24");
    w.m->broadcast = asked;
    radio_add_move(w.radio, 2 * SIM_S, w.c1);
    w.sim->duration = 8 * SIM_S;
    struct cbr_config cfg = {.name = "bcast",
                             .from = h,
                             .sink = w.mn,
                             .dst = test_ip("10.1.0.255"),
                             .port = 40005,
                             .size = 64,
                             .interval = 100 * SIM_MS,
                             .start = 4 * SIM_S,
                             .stop = 7 * SIM_S};
    assert_true(cbr_new(w.sim, &cfg, NULL));
    sim_run(w.sim, 0, NULL, NULL);
    struct flow *f = g_ptr_array_index(w.sim->flows, 0);
    assert_int_equal(f->sent, 30);
    assert_int_equal(f->received, asked ? 30 : 0);
    assert_int_equal(w.h->cnt.haBroadcastsTunnelled, asked ? 30 : 0);
    test_sim_free_checked(w.sim);
  }
}

/* A TCP transfer to the node away, whose tunnel crosses a 1280-byte link
 * (core to fa1).  The correspondent's 1500-byte segments do not fit the
 * tunnel: the home agent answers "fragmentation needed" with 1480 (its own
 * link less 20), then, once the core router reports 1280 from inside the
 * tunnel, with 1260; the correspondent shrinks its segments and the
 * transfer completes.  Without the tunnel's soft state the core's error
 * would end at the home agent and the transfer would stall. */
static void test_tcp_through_tunnel_pmtu(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  w.l_fa1->mtu = 1280;
  radio_add_move(w.radio, 2 * SIM_S, w.c1);
  w.sim->duration = 20 * SIM_S;
  struct tcp_bulk_config cfg = {.name = "bulk",
                                .from = w.cn,
                                .sink = w.mn,
                                .dst = test_ip(HOA),
                                .port = 40010,
                                .start = 5 * SIM_S,
                                .bytes = 200000};
  assert_true(tcp_bulk_new(w.sim, &cfg, NULL));
  sim_run(w.sim, 0, NULL, NULL);
  struct tcp_app_report rep;
  assert_true(tcp_app_report(w.sim, "bulk", &rep));
  assert_int_equal(rep.delivered, 200000);
  assert_int_equal(rep.corrupt, 0);
  /* The sender ends with 1260 - 40 bytes of payload per segment. */
  assert_int_equal(rep.client.mss, 1220);
  /* Each too-big segment in flight was answered, at either limit. */
  assert_true(drop_counters_get(&w.ha->cnt.drops, DROP_TOO_BIG) >= 2);
  assert_int_equal(w.ha->cnt.icmp_errors_sent,
                   drop_counters_get(&w.ha->cnt.drops, DROP_TOO_BIG));
  test_sim_free_checked(w.sim);
}

/* fa1 leases 10.2.0.100-199 on c1 by DHCP; the node takes co-located
 * care-of addresses. */
static void serve_colocated(struct world *w) {
  assert_non_null(dhcp_server_new(w->fa1, node_iface_on(w->fa1, w->c1->link),
                                  test_ip("10.2.0.100").v4,
                                  test_ip("10.2.0.199").v4, 600 * SIM_S, NULL));
  assert_true(mip4_mn_set_colocated(w->m));
}

/* A co-located care-of address: fa1 runs a DHCP server instead of being
 * a foreign agent; the node leases 10.2.0.100 there, registers from it
 * straight with its home agent (D flag), and decapsulates its tunnel
 * itself.  Back home it deregisters as usual. */
static void test_colocated(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  g_hash_table_remove_all(w.f1->visitors);
  mip4_node_of(w.sim, w.fa1)->fa = NULL; /* fa1 is no foreign agent */
  mip4_fa_free(w.f1);
  serve_colocated(&w);
  radio_add_move(w.radio, 3 * SIM_S, w.c1);
  radio_add_move(w.radio, 10 * SIM_S, w.c0);
  w.sim->duration = 14 * SIM_S;
  struct flow *f = cbr_to_mn(&w, 10 * SIM_MS);
  sim_run(w.sim, 8 * SIM_S, NULL, NULL);
  const struct mip4_binding *b = mip4_ha_binding(w.h, test_ip(HOA).v4);
  assert_non_null(b);
  assert_int_equal(b->coa, test_ip("10.2.0.100").v4);
  assert_true(b->decapsulates);
  assert_int_equal(w.m->colocated, test_ip("10.2.0.100").v4);
  uint64_t before = f->received;
  sched_run(&w.sim->sched, 14 * SIM_S, NULL);
  assert_true(w.m->state == MIP4_MN_AT_HOME);
  assert_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  /* Away (3 s to 10 s) the flow went on: 100 packets a second, less the
   * handoff (layer 2, the DHCP exchange and the registration). */
  assert_true(before > 650);
  assert_true(f->received > before + 350);
  test_sim_free_checked(w.sim);
}

/* A co-located address where a foreign agent advertises R: the request
 * goes through the agent, which relays it (D set, the care-of address not
 * its own), and the tunnel still ends at the node. */
static void test_colocated_through_agent(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  serve_colocated(&w);
  radio_add_move(w.radio, 3 * SIM_S, w.c1);
  w.sim->duration = 8 * SIM_S;
  cbr_to_mn(&w, 10 * SIM_MS);
  sim_run(w.sim, 0, NULL, NULL);
  const struct mip4_binding *b = mip4_ha_binding(w.h, test_ip(HOA).v4);
  assert_non_null(b);
  assert_int_equal(b->coa, test_ip("10.2.0.100").v4);
  assert_true(b->decapsulates);
  assert_int_equal(w.f1->cnt.faRegRequestsRelayed, 1);
  assert_int_equal(w.f1->cnt.faDecapsulatedPackets, 0);
  test_sim_free_checked(w.sim);
}

/* Mobile-Foreign and Foreign-Home associations (RFC 5944 3.5): with the
 * right keys everywhere the node registers as before; a wrong
 * Mobile-Foreign key at the foreign agent gives 67, a wrong Foreign-Home
 * key at the home agent 132, and no binding either way. */
static void add_peer(GArray *peers, const char *addr_text, const uint8_t *key) {
  struct mip4_peer_sa p = {.addr = test_ip(addr_text).v4, .sa = sa_with(key)};
  p.sa.spi = 400;
  g_array_append_val(peers, p);
}

static struct world world_with_peers(const uint8_t *fa_mn_key,
                                     const uint8_t *ha_fa_key) {
  struct world w = world_new(KEY);
  uint8_t mf[16], fh[16];
  for (int i = 0; i < 16; i++) {
    mf[i] = (uint8_t)(0xa0 + i);
    fh[i] = (uint8_t)(0xc0 + i);
  }
  add_peer(w.m->agent_sas, "10.2.0.1", mf);
  add_peer(w.f1->sas, HOA, fa_mn_key ? fa_mn_key : mf);
  add_peer(w.f1->sas, "10.1.0.1", fh);
  add_peer(w.h->agent_sas, "10.2.0.1", ha_fa_key ? ha_fa_key : fh);
  radio_add_move(w.radio, 3 * SIM_S, w.c1);
  w.sim->duration = 6 * SIM_S;
  sim_run(w.sim, 0, NULL, NULL);
  return w;
}

static void test_foreign_agent_associations(void **state) {
  (void)state;
  struct world w = world_with_peers(NULL, NULL);
  assert_true(w.m->state == MIP4_MN_REGISTERED);
  assert_int_equal(w.f1->cnt.faMNAuthenticationFailure, 0);
  assert_int_equal(w.h->cnt.haFAAuthenticationFailure, 0);
  assert_non_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  test_sim_free_checked(w.sim);

  w = world_with_peers(KEY, NULL); /* the foreign agent has another key */
  assert_true(w.f1->cnt.faMNAuthenticationFailure >= 1);
  assert_true(w.m->cnt.mnRegRequestsDeniedByFA +
                  w.m->cnt.mnRepliesFAAuthenticationFailure >=
              1);
  assert_int_equal(w.h->cnt.haRegRequestsReceived, 0);
  assert_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  test_sim_free_checked(w.sim);

  w = world_with_peers(NULL, KEY); /* the home agent has another key */
  assert_true(w.h->cnt.haFAAuthenticationFailure >= 1);
  assert_int_equal(w.h->cnt.haServiceRequestsAccepted, 0);
  assert_true(w.m->cnt.mnRegRequestsDeniedByHA >= 1);
  assert_null(mip4_ha_binding(w.h, test_ip(HOA).v4));
  test_sim_free_checked(w.sim);
}

/* Path stretch of triangle routing.  Registered at fa1, the
 * correspondent's packets take cn, core, ha, core, fa1, c1: 5 links and
 * 10 + 5 + 5 + 7 ms + 1 us = 27.001 ms of propagation, where the shortest
 * path, cn, core, fa1, c1, is 3 links and 10 + 7 ms + 1 us = 17.001 ms:
 * stretch 5/3 in links and 27.001/17.001 in propagation.  The shortest
 * path follows the node: at home it is cn, core, ha, home LAN, bridge,
 * c0 (4 links, 15.002 ms), between cells there is none. */
static void test_path_stretch_triangle(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  radio_add_move(w.radio, 2 * SIM_S, w.c1);
  w.sim->duration = 6 * SIM_S;
  struct cbr_config cfg = {.name = "cn-to-mn",
                           .from = w.cn,
                           .sink = w.mn,
                           .dst = test_ip(HOA),
                           .port = 40000,
                           .size = PAYLOAD,
                           .interval = 10 * SIM_MS,
                           .start = 4 * SIM_S,
                           .stop = 5 * SIM_S};
  assert_true(cbr_new(w.sim, &cfg, NULL));
  struct flow *f = g_ptr_array_index(w.sim->flows, w.sim->flows->len - 1);
  int64_t prop;
  uint32_t hops;
  sim_run(w.sim, SIM_S, NULL, NULL);
  assert_true(route_shortest(w.sim, w.cn, w.mn, &prop, &hops));
  assert_int_equal(prop, 15 * SIM_MS + 2 * SIM_US);
  assert_int_equal(hops, 4);
  assert_true(route_shortest(w.sim, w.mn, w.cn, &prop, &hops));
  assert_int_equal(prop, 15 * SIM_MS + 2 * SIM_US);
  assert_int_equal(hops, 4);
  sched_run(&w.sim->sched, 2 * SIM_S + 10 * SIM_MS, NULL);
  assert_false(route_shortest(w.sim, w.cn, w.mn, &prop, &hops));
  assert_false(route_shortest(w.sim, w.mn, w.cn, &prop, &hops));
  sched_run(&w.sim->sched, 6 * SIM_S, NULL);
  assert_true(w.m->state == MIP4_MN_REGISTERED);
  assert_true(route_shortest(w.sim, w.cn, w.mn, &prop, &hops));
  assert_int_equal(prop, 17 * SIM_MS + SIM_US);
  assert_int_equal(hops, 3);
  assert_true(route_shortest(w.sim, w.mn, w.cn, &prop, &hops));
  assert_int_equal(prop, 17 * SIM_MS + SIM_US);
  assert_int_equal(hops, 3);
  assert_int_equal(f->received, 100);
  assert_int_equal(f->path_pkts, 100);
  assert_int_equal(f->path_hops_sum, 5 * 100);
  assert_int_equal(f->shortest_hops_sum, 3 * 100);
  assert_int_equal(f->path_prop_sum, 100 * (27 * SIM_MS + SIM_US));
  assert_int_equal(f->shortest_prop_sum, 100 * (17 * SIM_MS + SIM_US));
  assert_true(fabs(flow_path_hops_mean(f) - 5) < 1e-9);
  assert_true(fabs(flow_shortest_hops_mean(f) - 3) < 1e-9);
  assert_true(fabs(flow_path_prop_mean(f) / 1e6 - 27.001) < 1e-9);
  assert_true(fabs(flow_shortest_prop_mean(f) / 1e6 - 17.001) < 1e-9);
  assert_true(fabs(flow_stretch_hops(f) - 5.0 / 3.0) < 1e-9);
  assert_true(fabs(flow_stretch_delay(f) - 27.001 / 17.001) < 1e-9);
  test_sim_free_checked(w.sim);
}

/* Encapsulating delivery style (RFC 3024 5.1): the node tunnels its own
 * packets to fa1, which carries them on to the home agent.  Through the
 * ingress filter as with the direct style, and, what only this style
 * allows, a broadcast to the home network reaches a host there. */
static void test_encapsulating_delivery(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  struct node *h = node_new(w.sim, "home-host", false);
  test_addr(iface_new(h, w.home), "10.1.0.30/24");
  node_iface_on(w.core, w.l_fa1)->ingress_filter = true;
  w.m->reverse_tunnel = true;
  w.m->encapsulating = true;
  radio_add_move(w.radio, 2 * SIM_S, w.c1);
  w.sim->duration = 10 * SIM_S;
  struct cbr_config up = {.name = "mn-to-cn",
                          .from = w.mn,
                          .sink = w.cn,
                          .dst = test_ip("10.0.0.2"),
                          .port = 40001,
                          .size = 100,
                          .interval = 100 * SIM_MS,
                          .start = 5 * SIM_S,
                          .stop = 9 * SIM_S};
  assert_true(cbr_new(w.sim, &up, NULL));
  struct cbr_config bc = up;
  bc.name = "mn-broadcast";
  bc.sink = h;
  bc.dst = test_ip("10.1.0.255");
  bc.port = 40002;
  assert_true(cbr_new(w.sim, &bc, NULL));
  sim_run(w.sim, 0, NULL, NULL);
  struct flow *f_up = g_ptr_array_index(w.sim->flows, 0);
  struct flow *f_bc = g_ptr_array_index(w.sim->flows, 1);
  assert_int_equal(f_up->received, 40);
  assert_int_equal(f_bc->received, 40);
  assert_true(mip4_fa_visitor(w.f1, test_ip(HOA).v4)->encapsulating);
  assert_int_equal(w.f1->cnt.faReverseTunnelledPackets, 80);
  assert_int_equal(drop_counters_get(&w.core->cnt.drops, DROP_INGRESS_FILTER),
                   0);
  test_sim_free_checked(w.sim);
}

/* RFC 2003 4: the tunnel's exit becomes unreachable.  A node with a
 * co-located address leaves for a cell where it gets none; its home agent
 * keeps tunnelling to the old address until, once fa1's ARP entry for it
 * has expired (60 s after it was learnt, near 3 s) and three requests
 * went unanswered (~66 s), fa1 reports "host unreachable" about the
 * tunnel packets.  From then on the home agent answers the
 * correspondent's packets with "host unreachable" itself, for 5 s at a
 * time, instead of tunnelling them into the void. */
static void test_tunnel_exit_unreachable(void **state) {
  (void)state;
  struct world w = world_new(KEY);
  serve_colocated(&w);
  radio_add_move(w.radio, 3 * SIM_S, w.c1);
  radio_add_move(w.radio, 10 * SIM_S, w.c2);
  w.sim->duration = 80 * SIM_S;
  struct flow *f = cbr_to_mn(&w, 100 * SIM_MS);
  sim_run(w.sim, 60 * SIM_S, NULL, NULL);
  assert_int_equal(w.ha->cnt.icmp_errors_sent, 0);
  assert_int_equal(f->icmp_errors, 0);
  sched_run(&w.sim->sched, 80 * SIM_S, NULL);
  /* fa1 reported the exit unreachable; the home agent told cn. */
  assert_true(w.fa1->cnt.icmp_errors_sent > 0);
  assert_true(w.ha->cnt.icmp_errors_sent > 0);
  assert_int_equal(f->icmp_errors, w.ha->cnt.icmp_errors_sent);
  test_sim_free_checked(w.sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_triangle_delay),
      cmocka_unit_test(test_extensions_form_a_list),
      cmocka_unit_test(test_handoff_interruption_mean),
      cmocka_unit_test(test_wrong_key_denied),
      cmocka_unit_test(test_clock_skew_resynchronised),
      cmocka_unit_test(test_replayed_request),
      cmocka_unit_test(test_nonces),
      cmocka_unit_test(test_lifetime_expiry),
      cmocka_unit_test(test_return_home),
      cmocka_unit_test(test_retransmission_backoff),
      cmocka_unit_test(test_encapsulation_sizes),
      cmocka_unit_test(test_reverse_tunnel_through_ingress_filter),
      cmocka_unit_test(test_simultaneous_bindings),
      cmocka_unit_test(test_home_broadcast),
      cmocka_unit_test(test_tcp_through_tunnel_pmtu),
      cmocka_unit_test(test_colocated),
      cmocka_unit_test(test_colocated_through_agent),
      cmocka_unit_test(test_foreign_agent_associations),
      cmocka_unit_test(test_encapsulating_delivery),
      cmocka_unit_test(test_tunnel_exit_unreachable),
      cmocka_unit_test(test_path_stretch_triangle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
