/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Route optimisation end to end, on a topology whose delays are known:
 * the direct path's delay once a correspondent holds a binding, the
 * return to the triangle when the binding expires, a forged Binding
 * Update refused, triangle mode and a node without route optimisation
 * keeping the triangle, refreshes by Binding Request, and the packets a smooth
 * handoff saves, predicted from the timing of the messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "protocols/registry.h"
#include "protocols/ro/internal.h"
#include "protocols/ro/ro.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/net/addr.h"
#include "sim/net/inet.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"
#include "sim/results/flow.h"
#include "sim/results/handoff.h"
#include "sim/scenario/scenario.h"
#include "sim/wireless/radio.h"

#define CORE_BPS 100000000ULL
#define CELL_BPS 11000000ULL
#define PAYLOAD 512
#define IP_LEN (PAYLOAD + 8 + 20)
#define HOA "10.1.0.10"
#define HA_CN_KEY "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"

/*      cn --10ms-- core --5ms-- ha ==home LAN== (bridge home-cell)
 *                   |  \
 *                  7ms  9ms
 *                   |     \
 *                  fa1     fa2
 *                  (v1)    (v2)
 * Point-to-point links 100 Mb/s, cells 11 Mb/s and 1 us.  mn is in v1
 * from the start and moves to v2 at move_at (0: never); cn streams
 * PAYLOAD-byte packets to mn's home address every interval from start.
 * The %s slots take the scheme's form (mip4-%s) and extra attributes
 * of the home agent's and cn's route-optimization settings. */
static const char *const SCENARIO =
    "<scenario xmlns='urn:mipsim:scenario:1' name='ro-test' duration='%s'"
    " seed='1'>\n"
    "  <mobility scheme='mip4-%s'/>\n"
    "  <host name='cn'>%s</host>\n"
    "  <router name='core'/>\n"
    "  <router name='ha'>\n"
    "    <home-agent link='home' max-lifetime='300s'>\n"
    "      <mip4 advertise='1s'/>\n"
    "      <route-optimization %s/>\n"
    "      <mobile home-address='" HOA "'/>\n"
    "      <security-association peer='" HOA "' spi='256'"
    "              key='00112233445566778899aabbccddeeff'/>\n"
    "      <security-association peer='10.0.0.2' spi='700' key='" HA_CN_KEY
    "'/>\n"
    "    </home-agent>\n"
    "  </router>\n"
    "  <router name='fa1'>\n"
    "    <access-router link='v1'>\n"
    "      <mip4 advertise='1s'/>\n"
    "      <security-association peer='" HOA "' spi='600'"
    "                            key='abababababababab'/>\n"
    "    </access-router>\n"
    "  </router>\n"
    "  <router name='fa2'>\n"
    "    <access-router link='v2'>\n"
    "      <mip4 advertise='1s'/>\n"
    "      <security-association peer='" HOA "' spi='601'"
    "                            key='cdcdcdcdcdcdcdcd'/>\n"
    "    </access-router>\n"
    "  </router>\n"
    "  <host name='mn'>\n"
    "    <wireless name='wlan' ipv4='" HOA "/24' l2-delay='50ms'/>\n"
    "    <move at='0s' cell='v1'/>\n"
    "    %s\n"
    "    <mobile-node home-agent='10.1.0.1' lifetime='60s'>\n"
    "      <security-association peer='10.1.0.1' spi='256'"
    "                            key='00112233445566778899aabbccddeeff'/>\n"
    "      <mip4 detection='eager' %s/>\n"
    "      <route-optimization smooth-lifetime='5s'/>\n"
    "      <security-association peer='10.2.0.1' spi='600'"
    "                            key='abababababababab'/>\n"
    "      <security-association peer='10.3.0.1' spi='601'"
    "                            key='cdcdcdcdcdcdcdcd'/>\n"
    "    </mobile-node>\n"
    "  </host>\n"
    "  <link name='l-cn' bandwidth='100Mbps' delay='10ms'>\n"
    "    <end node='cn' ipv4='10.0.0.2/30'/><end node='core' "
    "ipv4='10.0.0.1/30'/>\n"
    "  </link>\n"
    "  <link name='l-ha' bandwidth='100Mbps' delay='5ms'>\n"
    "    <end node='core' ipv4='10.0.1.1/30'/><end node='ha' "
    "ipv4='10.0.1.2/30'/>\n"
    "  </link>\n"
    "  <link name='l-fa1' bandwidth='100Mbps' delay='7ms'>\n"
    "    <end node='core' ipv4='10.0.2.1/30'/><end node='fa1' "
    "ipv4='10.0.2.2/30'/>\n"
    "  </link>\n"
    "  <link name='l-fa2' bandwidth='100Mbps' delay='9ms'>\n"
    "    <end node='core' ipv4='10.0.3.1/30'/><end node='fa2' "
    "ipv4='10.0.3.2/30'/>\n"
    "  </link>\n"
    "  <lan name='home' bandwidth='100Mbps' delay='1us'>\n"
    "    <attach node='ha' ipv4='10.1.0.1/24'/>\n"
    "  </lan>\n"
    "  <cell name='home-cell' x='0m' y='0m' radius='100m' bandwidth='11Mbps'"
    "        delay='1us'><bridge lan='home'/></cell>\n"
    "  <cell name='v1' x='1000m' y='0m' radius='100m' bandwidth='11Mbps'"
    "        delay='1us'><ap node='fa1' ipv4='10.2.0.1/24'/></cell>\n"
    "  <cell name='v2' x='2000m' y='0m' radius='100m' bandwidth='11Mbps'"
    "        delay='1us'><ap node='fa2' ipv4='10.3.0.1/24'/></cell>\n"
    "  <cbr name='cn-to-mn' from='cn' to='mn' port='40000' size='512B'"
    "       interval='%s' start='%s' stop='%s'/>\n"
    "</scenario>\n";

struct setup {
  const char *duration, *mode; /* mode: triangle, optimized or smooth */
  const char *cn;              /* cn's children */
  const char *ha_ro;           /* attributes of the home agent's settings */
  const char *move;            /* a <move> of mn, or "" */
  const char *mn_attr;         /* extra attributes of mn's <mip4> settings */
  const char *interval, *start, *stop;
};

static const char *const CN_RO =
    "<correspondent><security-association peer='10.1.0.1' spi='700' "
    "key='" HA_CN_KEY "'/></correspondent>";

static struct sim *load(const struct setup *s) {
  g_autofree char *xml = g_strdup_printf(
      SCENARIO, s->duration, s->mode, s->cn ? s->cn : CN_RO,
      s->ha_ro ? s->ha_ro : "", s->move ? s->move : "",
      s->mn_attr ? s->mn_attr : "", s->interval ? s->interval : "7ms",
      s->start ? s->start : "1s", s->stop);
  return test_scenario_text(xml, "ro-test.xml", registry_modules);
}

static struct ro_node *ro_of(struct sim *sim, const char *node) {
  struct node *n = node_find(sim, node);
  struct ro_node *rn = n ? module_node_state(n, &ro_module) : NULL;
  if (!rn)
    fail_msg("no route optimisation on %s", node);
  return rn;
}

static struct flow *flow_of(struct sim *sim) {
  return g_ptr_array_index(sim->flows, 0);
}

static int64_t tx(uint64_t bytes, uint64_t bps) {
  return units_tx_time(bytes, bps);
}

/* cn -> core -> ha, tunnelled (+20 bytes) ha -> core -> fa1, then on v1. */
static int64_t triangle_delay(void) {
  return tx(IP_LEN, CORE_BPS) + 10 * SIM_MS + tx(IP_LEN, CORE_BPS) +
         5 * SIM_MS + tx(IP_LEN + 20, CORE_BPS) + 5 * SIM_MS +
         tx(IP_LEN + 20, CORE_BPS) + 7 * SIM_MS + tx(IP_LEN + 14, CELL_BPS) +
         SIM_US;
}

/* Tunnelled by cn itself: cn -> core -> fa1 with the 20 bytes, then on
 * v1: d(CN,FA) + d(FA,MN) plus serialization. */
static int64_t direct_delay(void) {
  return tx(IP_LEN + 20, CORE_BPS) + 10 * SIM_MS + tx(IP_LEN + 20, CORE_BPS) +
         7 * SIM_MS + tx(IP_LEN + 14, CELL_BPS) + SIM_US;
}

static int64_t delay_of(const struct flow *f, guint i) {
  return g_array_index(f->delays, int64_t, i);
}

/* How many packets arrived after exactly this delay. */
static guint with_delay(const struct flow *f, int64_t delay) {
  guint n = 0;
  for (guint i = 0; i < f->delays->len; i++)
    n += delay_of(f, i) == delay;
  return n;
}

/* Packets sent every 7 ms from 1 s to stop: none of cn's direct packets
 * meets a triangle one at core (their paths differ by 10 ms), so each
 * takes exactly one of the two delays.  Those sent from cached until
 * expiry go direct, the others through the home agent. */
static void expect_paths(const struct flow *f, int64_t stop, int64_t cached,
                         int64_t expiry) {
  guint direct = 0, triangle = 0;
  for (int64_t sent = SIM_S; sent < stop; sent += 7 * SIM_MS) {
    if (sent >= cached && sent < expiry)
      direct++;
    else
      triangle++;
  }
  assert_int_equal(f->received, direct + triangle);
  assert_int_equal(with_delay(f, direct_delay()), direct);
  assert_int_equal(with_delay(f, triangle_delay()), triangle);
}

/* When cn holds the update the home agent sends on getting packet 0 (sent
 * at start): tx(540) + 10 ms + tx(540) + 5 ms to the home agent, then 70
 * bytes back over 5 ms + 10 ms. */
static int64_t update_cached(int64_t start) {
  return start + 2 * tx(IP_LEN, CORE_BPS) + 15 * SIM_MS + 2 * tx(70, CORE_BPS) +
         15 * SIM_MS;
}

/* With a binding in place, every packet takes the direct path: the first
 * one goes through the home agent, which updates cn; the update is
 * authenticated and acknowledged, and from then on cn tunnels straight
 * to fa1. */
static void test_direct_path(void **state) {
  (void)state;
  struct sim *sim = load(
      &(struct setup){.duration = "4500ms", .mode = "optimized", .stop = "4s"});
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = flow_of(sim);
  const struct ro_node *cn = ro_of(sim, "cn"), *ha = ro_of(sim, "ha");
  assert_int_equal(f->received, f->sent);
  /* The update reaches cn 30.1 ms after packet 0 left: packets 0-4 take
   * the triangle, the other 424 the direct path. */
  expect_paths(f, 4 * SIM_S, update_cached(SIM_S), INT64_MAX);
  assert_int_equal(with_delay(f, triangle_delay()), 5);
  assert_int_equal(with_delay(f, direct_delay()), 424);
  assert_int_equal(ha->cnt.updates_sent, 1);
  /* Packets 1-4 reached the home agent within the update interval. */
  assert_int_equal(ha->cnt.updates_rate_limited, 4);
  assert_int_equal(ha->cnt.acks_received, 1);
  assert_int_equal(cn->cnt.updates_accepted, 1);
  assert_int_equal(cn->cnt.acks_sent, 1);
  assert_int_equal(cn->cnt.tunnelled_direct, 424);
  assert_int_equal(ro_cache_stats(cn->cache)->hits, 424);
  assert_int_equal(cn->cnt.stale_uses, 0);
  test_sim_free_checked(sim);
}

/* The same scenario under triangle routing: route optimisation takes
 * no part in mip4-triangle, on any node (the roles' <route-optimization>
 * settings are ignored, not refused), so no update is sent and every
 * packet detours; a correspondent without route optimisation (no
 * <correspondent>) keeps the triangle too, though the home agent updates
 * it. */
static void test_triangle_mode_and_plain_correspondent(void **state) {
  (void)state;
  const char *cns[] = {CN_RO, ""};
  const char *modes[] = {"triangle", "optimized"};
  for (int k = 0; k < 2; k++) {
    struct sim *sim = load(&(struct setup){
        .duration = "3500ms", .mode = modes[k], .cn = cns[k], .stop = "3s"});
    sim_run(sim, 0, NULL, NULL);
    expect_paths(flow_of(sim), 3 * SIM_S, INT64_MAX, INT64_MAX);
    if (k == 0) {
      for (guint i = 0; i < sim->nodes->len; i++)
        assert_null(
            module_node_state(g_ptr_array_index(sim->nodes, i), &ro_module));
    } else {
      /* A plain correspondent answers updates with port unreachable;
       * the home agent sends one per update interval (1 s). */
      const struct ro_node *ha = ro_of(sim, "ha");
      assert_int_equal(ha->cnt.updates_sent, 2);
      assert_int_equal(ha->cnt.acks_received, 0);
    }
    test_sim_free_checked(sim);
  }
}

/* Updates good for 3 s and no refresh: the entry expires and cn's
 * packets take the triangle again; the home agent may not update cn
 * again within its 10 s interval. */
static void test_expiry_returns_to_triangle(void **state) {
  (void)state;
  const char *cn =
      "<correspondent><route-optimization refresh='false'/>"
      "<security-association "
      "peer='10.1.0.1' spi='700' key='" HA_CN_KEY "'/></correspondent>";
  struct sim *sim = load(
      &(struct setup){.duration = "7500ms",
                      .mode = "optimized",
                      .cn = cn,
                      .stop = "7s",
                      .ha_ro = "binding-lifetime='3s' update-interval='10s'"});
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = flow_of(sim);
  /* cn keeps the update for 3 s: packets sent before it arrives or
   * after it expires take the triangle. */
  int64_t cached = update_cached(SIM_S);
  expect_paths(f, 7 * SIM_S, cached, cached + 3 * SIM_S);
  assert_int_equal(with_delay(f, direct_delay()), 428);
  const struct ro_node *rcn = ro_of(sim, "cn");
  assert_int_equal(ro_cache_stats(rcn->cache)->expired, 1);
  assert_int_equal(rcn->cnt.requests_sent, 0);
  assert_int_equal(ro_of(sim, "ha")->cnt.updates_sent, 1);
  test_sim_free_checked(sim);
}

/* With refreshes (the default, 2 s before expiry) the same 3 s updates
 * keep cn on the direct path: it asks, the home agent answers. */
static void test_refresh_keeps_direct_path(void **state) {
  (void)state;
  struct sim *sim = load(
      &(struct setup){.duration = "7500ms",
                      .mode = "optimized",
                      .stop = "7s",
                      .ha_ro = "binding-lifetime='3s' update-interval='10s'"});
  sim_run(sim, 0, NULL, NULL);
  /* A few data packets wait behind a request or acknowledgement on cn's
   * link (44 bytes: 3.52 us): all but the first five go direct. */
  struct flow *f = flow_of(sim);
  guint direct = 0;
  for (guint i = 0; i < f->delays->len; i++)
    direct += delay_of(f, i) >= direct_delay() &&
              delay_of(f, i) <= direct_delay() + 2 * tx(44, CORE_BPS);
  assert_int_equal(f->received, 858);
  assert_int_equal(direct, 853);
  const struct ro_node *rcn = ro_of(sim, "cn"), *ha = ro_of(sim, "ha");
  /* Entries at 1.03 s, then each renewed 1 s after it was made (3 s
   * lifetime - 2 s) plus a round trip: requests near 2.03, 3.06, 4.09,
   * 5.12, 6.15 s. */
  assert_int_equal(rcn->cnt.requests_sent, 5);
  assert_int_equal(ha->cnt.requests_received, 5);
  assert_int_equal(ha->cnt.updates_sent, 6);
  assert_int_equal(ro_cache_stats(rcn->cache)->expired, 0);
  test_sim_free_checked(sim);
}

/* A Binding Update claiming the home agent's address, signed with the
 * wrong key, sent at 2 s: refused (and answered 131), and cn keeps
 * tunnelling to fa1. */
struct forgery {
  struct sched_event ev;
  struct sim *sim;
};

static void forge(struct sched_event *ev) {
  struct sim *sim = SIM_CONTAINER_OF(ev, struct forgery, ev)->sim;
  struct node *ha = node_find(sim, "ha");
  struct ro_update u = {.flags = RO_UPDATE_A | RO_UPDATE_I,
                        .lifetime = 60,
                        .home_addr = 0x0a01000a,
                        .coa = 0x0a030001, /* fa2 */
                        .ident = mip4_ntp_from_time(sim_now(sim), 0)};
  g_autoptr(GByteArray) msg = g_byte_array_new();
  ro_update_append(msg, &u);
  static const uint8_t wrong[16] = {1, 2, 3};
  ro_ext_append_auth(msg, 700, MIP4_AUTH_HMAC_MD5, wrong, sizeof wrong);
  struct pkt *p = pkt_new(&sim->pool, msg->len);
  memcpy(p->data, msg->data, msg->len);
  struct ip_addr src = addr_v4(0x0a010001), dst = addr_v4(0x0a000002);
  udp_send(ha, p, &src, &dst, MIP4_PORT, MIP4_PORT, 0);
}

static void test_forged_update_refused(void **state) {
  (void)state;
  struct sim *sim = load(
      &(struct setup){.duration = "4500ms", .mode = "optimized", .stop = "4s"});
  struct forgery forgery = {.sim = sim};
  sched_event_init(&forgery.ev, forge);
  sched_at(&sim->sched, &forgery.ev, 2 * SIM_S);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = flow_of(sim);
  const struct ro_node *cn = ro_of(sim, "cn");
  assert_int_equal(cn->cnt.updates_auth_failed, 1);
  assert_int_equal(cn->cnt.updates_accepted, 1);
  expect_paths(f, 4 * SIM_S, update_cached(SIM_S), INT64_MAX);
  const struct ro_entry *e = ro_cache_peek(cn->cache, 0x0a01000a, sim_now(sim));
  assert_non_null(e);
  assert_int_equal(e->coa, 0x0a020001);
  test_sim_free_checked(sim);
}

/* Smooth handoff from v1 to v2 at 3 s.  Packet k leaves cn at
 * 1.0025 s + 5 k ms and, tunnelled to fa1, reaches it 17 ms later (plus
 * under 0.02 ms of serialization).  fa2 relays mn's request, sent at
 * reg_sent_s, and at once sends fa1 the Binding Update: fa1 holds the
 * forwarding entry 16 ms later; the home agent gets the request after
 * 14 ms and updates cn, 15 ms away.  So packets sent in
 * [reg + 16 - 17 ms, reg + 29 ms) reach fa1 after it knows where mn went
 * and before cn does: fa1 forwards them, and without smooth handoff they
 * are lost.  (Serializations add under 0.2 ms to each edge; the test
 * checks the edges are over 1 ms from any sending time.) */
static void test_smooth_handoff_saves_predicted_packets(void **state) {
  (void)state;
  double lost[2], forwarded[2], reordered[2];
  uint64_t received[2];
  guint64 predicted = 0;
  const char *modes[] = {"optimized", "smooth"};
  for (int m = 0; m < 2; m++) {
    struct sim *sim = load(&(struct setup){.duration = "5500ms",
                                           .mode = modes[m],
                                           .stop = "5s",
                                           .move = "<move at='3s' cell='v2'/>",
                                           .interval = "5ms",
                                           .start = "1002.5ms"});
    sim_run(sim, 0, NULL, NULL);
    assert_int_equal(sim->handoffs->len, 1); /* v1 to v2 */
    lost[m] = handoff_value(sim, 0, "lost_pkts");
    forwarded[m] = handoff_value(sim, 0, "forwarded_pkts");
    reordered[m] = handoff_value(sim, 0, "reordered_pkts");
    received[m] = flow_of(sim)->received;
    if (m == 1) {
      double reg = handoff_value(sim, 0, "registration_sent_s");
      assert_false(isnan(reg));
      int64_t from = (int64_t)llround(reg * 1e9) - SIM_MS;
      int64_t to = (int64_t)llround(reg * 1e9) + 29 * SIM_MS;
      for (int64_t t = 1002500 * SIM_US; t < 5 * SIM_S; t += 5 * SIM_MS) {
        assert_true(llabs(t - from) > SIM_MS && llabs(t - to) > SIM_MS);
        predicted += t >= from && t < to;
      }
      const struct ro_node *fa1 = ro_of(sim, "fa1"), *mn = ro_of(sim, "mn");
      assert_int_equal(fa1->cnt.updates_accepted, 1);
      assert_int_equal(fa1->cnt.forwarded, predicted);
      assert_int_equal(ro_of(sim, "fa2")->cnt.smooth_updates_sent, 1);
      assert_int_equal(mn->cnt.prev_fa_notifications, 1);
      assert_int_equal(mn->cnt.acks_received, 1);
      assert_int_equal(mn->cnt.smooth_retransmissions, 0);
    }
    test_sim_free_checked(sim);
  }
  assert_int_equal(predicted, 6);
  assert_true(forwarded[0] == 0);
  assert_true(forwarded[1] == (double)predicted);
  assert_true(lost[0] - lost[1] == (double)predicted);
  assert_int_equal(received[1] - received[0], predicted);
  /* Forwarded packets take 16 ms more than cn's direct ones: the last
   * ones arrive after the first direct packets. */
  assert_true(reordered[1] > 0);
  assert_true(reordered[0] == 0);
}

/* The errors in tests/bad that need the modules (test-scenario loads
 * them with none): route optimisation's, and the roles' and schemes'. */
static void test_bad_files(void **state) {
  (void)state;
  static const struct {
    const char *file;
    int line;
    const char *fragment;
  } cases[] = {
      {"role-duplicate-peer.xml", 8,
       "security-association: peer: a second association with the same "
       "peer (the first is on line 7)"},
      {"ro-bad-lifetime.xml", 7,
       "route-optimization: smooth-lifetime: a Mobile IP lifetime is whole "
       "seconds"},
      {"role-without-mobility.xml", 5,
       "correspondent: a role needs a top-level <mobility scheme=\"...\">"},
      {"mobility-unknown-scheme.xml", 4,
       "mobility: scheme: 'mip6-tunnel' is not a known scheme "
       "(mip4-triangle, mip4-optimized, mip4-smooth)"},
      {"role-twice.xml", 7,
       "correspondent: r already has this role (line 6); a node has at "
       "most one of each"},
      {"role-missing-sa.xml", 6,
       "home-agent: no <security-association peer=\"10.1.0.10\"> for this "
       "mobile node"},
      {"mobility-twice.xml", 5,
       "mobility: only one <mobility> is allowed (the first is on line 4)"},
  };
  const char *srcdir = g_getenv("srcdir");
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = g_build_filename(srcdir && *srcdir ? srcdir : ".",
                                             "tests/bad", cases[i].file, NULL);
    g_autoptr(GError) error = NULL;
    assert_null(scenario_load(path, registry_modules, NULL, &error));
    assert_true(g_error_matches(error, MIPSIM_SCENARIO_ERROR,
                                MIPSIM_SCENARIO_ERROR_INVALID));
    g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, cases[i].line);
    if (!g_str_has_prefix(error->message, prefix) ||
        !strstr(error->message, cases[i].fragment))
      fail_msg("%s: got \"%s\"", path, error->message);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_files),
      cmocka_unit_test(test_direct_path),
      cmocka_unit_test(test_triangle_mode_and_plain_correspondent),
      cmocka_unit_test(test_expiry_returns_to_triangle),
      cmocka_unit_test(test_refresh_keeps_direct_path),
      cmocka_unit_test(test_forged_update_refused),
      cmocka_unit_test(test_smooth_handoff_saves_predicted_packets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
