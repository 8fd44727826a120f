/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The handoff meter: service interruption, loss, duplicates, reordering
 * and milestones of a handoff, derived by hand from a CBR flow across a
 * layer-2 handoff and from deliveries injected at chosen times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/sim.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"
#include "sim/results/handoff.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/radio.h"
#include "tests/unit/helpers.h"

static struct cell *add_cell(struct sim *sim, const char *name, double x) {
  struct link *l = link_new(sim, name, &cell_link_ops, 11000000, SIM_US);
  return cell_new(sim, name, (struct vec2){x, 0}, 100, l);
}

static void assert_near(double got, double want) {
  if (fabs(got - want) > 1e-9)
    fail_msg("got %.12f, want %.12f", got, want);
}

/* Two cells bridged onto one LAN, no mobility protocol: cn streams 100
 * packets a second to mn, which is moved from c1 to c2 at 5 s with a
 * 200 ms layer-2 handoff, as in test-cell's gap test.  Packet k leaves cn
 * at 1 ms + 10k ms and every one takes the same time d (well under 1 ms:
 * serialization and 1 us per link) to arrive.  The last one before the
 * handoff is k = 499 (sent 4.991 s), the radio is away from 5.000 to
 * 5.200 s, so k = 500 .. 519 are lost and k = 520 (sent 5.201 s) is the
 * first through the new path: the window is 500 .. 519, 20 packets lost,
 * none duplicated or reordered, and the service interruption is
 * (5.201 + d) - (4.991 + d) = 210 ms exactly. */
static void test_cbr_across_layer2_handoff(void **state) {
  (void)state;
  struct sim *sim = test_gap_world("meter", NULL, NULL);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = g_ptr_array_index(sim->flows, 0);
  assert_int_equal(flow_lost(f), 20);
  assert_int_equal(sim->handoffs->len, 1);
  /* d: the delay of the last packet, the same for all but the first
   * (which waited for ARP). */
  double d = (double)g_array_index(f->delays, int64_t, f->delays->len - 1);
  assert_true(d > 0 && d < SIM_MS);
  assert_near(handoff_value(sim, 0, "service_interruption_ms"), 210);
  assert_near(handoff_value(sim, 0, "first_packet_new_path_s"),
              5.201 + d / 1e9);
  assert_near(handoff_value(sim, 0, "new_path_latency_ms"), 201 + d / 1e6);
  assert_near(handoff_value(sim, 0, "lost_pkts"), 20);
  assert_near(handoff_value(sim, 0, "duplicate_pkts"), 0);
  assert_near(handoff_value(sim, 0, "reordered_pkts"), 0);
  assert_near(handoff_value(sim, 0, "flows"), 1);
  /* No module marked anything. */
  assert_true(isnan(handoff_value(sim, 0, "movement_detected_s")));
  assert_true(isnan(handoff_value(sim, 0, "registration_answered_s")));
  g_autofree char *flows = handoff_flows_table(sim);
  assert_non_null(strstr(flows, "\n1\tmn\tmn/wlan\tf\t"));
  assert_non_null(strstr(flows, "\t210.000000\t500\t519\t20\t0\t0\n"));
  assert_null(sim->pool.live);
  test_sim_free_checked(sim);
}

/* Deliveries and marks injected at chosen times. */
struct inject {
  struct sched_event ev;
  struct sim *sim;
  struct node *mn;
  struct flow *flow; /* NULL: a mark */
  uint32_t seq;
  unsigned milestones;
};

static void inject_fire(struct sched_event *ev) {
  struct inject *in = SIM_CONTAINER_OF(ev, struct inject, ev);
  if (!in->flow) {
    handoff_mark(in->sim, in->mn, in->milestones);
    return;
  }
  struct pkt *pkt = pkt_new(&in->sim->pool, 16);
  flow_deliver(in->flow, in->mn, pkt, in->seq, 16, 0, 64);
  pkt_free(pkt);
}

struct script {
  int64_t at_ms;
  int flow; /* 0 or 1; -1: a mark */
  uint32_t seq;
  unsigned milestones;
};

/* mn moves from c1 to c2 at 1 s with a 100 ms layer-2 delay (attached at
 * 1.1 s); the script delivers packets of two flows and marks milestones.
 * Each flow's source is said to have sent seq 0 .. 5. */
static struct sim *run_script(const struct script *script, size_t n,
                              struct inject *injects) {
  struct sim *sim = sim_new("inject", 1, 0);
  sim->duration = 2 * SIM_S;
  struct cell *c1 = add_cell(sim, "c1", 0);
  struct cell *c2 = add_cell(sim, "c2", 500);
  struct node *mn = node_new(sim, "mn", false);
  struct iface *w = radio_new(mn, "wlan", ASSOC_NEAREST, 0, 100 * SIM_MS);
  radio_add_move(w, 0, c1);
  radio_add_move(w, SIM_S, c2);
  struct ip_addr a;
  assert_true(addr_parse("10.0.0.1", &a, NULL));
  struct flow *flows[2] = {
      flow_new(sim, "f", "udp-cbr", "one-way", &a, &a, 64),
      flow_new(sim, "g", "udp-cbr", "one-way", &a, &a, 64)};
  for (int k = 0; k < 6; k++) {
    flow_sent(flows[0], 16);
    flow_sent(flows[1], 16);
  }
  for (size_t i = 0; i < n; i++) {
    injects[i] = (struct inject){
        .sim = sim,
        .mn = mn,
        .flow = script[i].flow >= 0 ? flows[script[i].flow] : NULL,
        .seq = script[i].seq,
        .milestones = script[i].milestones};
    sched_event_init(&injects[i].ev, inject_fire);
    sched_at(&sim->sched, &injects[i].ev, script[i].at_ms * SIM_MS);
  }
  sim_run(sim, 0, NULL, NULL);
  assert_int_equal(sim->handoffs->len, 1);
  assert_null(sim->pool.live);
  return sim;
}

/* Without registration marks the new path is the new cell.  Flow f: seq 1
 * at 0.90 s is the last before the handoff; seq 4 at 1.15 s is the first
 * through the new path, so the window is seq 2 .. 3 and the interruption
 * 1.15 - 0.90 = 250 ms; seq 3 arrives at 1.16 s after 4 (reordered, not
 * lost), seq 4 again at 1.17 s (a duplicate); seq 2 never comes: lost 1.
 * Flow g: seq 0 at 0.95 s, seq 1 at 1.105 s: interruption 155 ms, an
 * empty window.  Over the node's flows: the longest interruption, 250 ms;
 * the first packet through the new path, g's at 1.105 s. */
static void test_injected_duplicate_and_reordering(void **state) {
  (void)state;
  const struct script script[] = {
      {800, 0, 0, 0},  {900, 0, 1, 0},  {950, 1, 0, 0},  {1105, 1, 1, 0},
      {1150, 0, 4, 0}, {1160, 0, 3, 0}, {1170, 0, 4, 0}, {1180, 0, 5, 0},
  };
  struct inject injects[G_N_ELEMENTS(script)];
  struct sim *sim = run_script(script, G_N_ELEMENTS(script), injects);
  assert_near(handoff_value(sim, 0, "service_interruption_ms"), 250);
  assert_near(handoff_value(sim, 0, "first_packet_new_path_s"), 1.105);
  assert_near(handoff_value(sim, 0, "new_path_latency_ms"), 105);
  assert_near(handoff_value(sim, 0, "lost_pkts"), 1);
  assert_near(handoff_value(sim, 0, "duplicate_pkts"), 1);
  assert_near(handoff_value(sim, 0, "reordered_pkts"), 1);
  assert_near(handoff_value(sim, 0, "flows"), 2);
  g_autofree char *flows = handoff_flows_table(sim);
  assert_string_equal(
      flows,
      "handoff\tnode\tiface\tflow\tlast_before_s\tfirst_packet_new_path_s\t"
      "service_interruption_ms\twindow_first_seq\twindow_last_seq\t"
      "lost_pkts\tduplicate_pkts\treordered_pkts\n"
      "1\tmn\tmn/wlan\tf\t0.900000000\t1.150000000\t250.000000\t2\t3\t1\t1"
      "\t1\n"
      "1\tmn\tmn/wlan\tg\t0.950000000\t1.105000000\t155.000000\t-\t-\t0\t0"
      "\t0\n");
  test_sim_free_checked(sim);
}

/* A node whose module marks registrations: the new path starts when the
 * registration is answered (1.16 s), so f's seq 4 at 1.15 s came another
 * way (an old agent forwarding) and seq 3 at 1.16 s is the first through
 * the new path: window seq 2 only, lost 1 (seq 2), interruption
 * 1.16 - 0.90 = 260 ms, seq 3 after 4 reordered.  A mark before the
 * handoff (0.5 s) and one after the answer (1.5 s) leave the row alone;
 * the registration sent twice counts from the second time. */
static void test_milestones_gate_the_new_path(void **state) {
  (void)state;
  const struct script script[] = {
      {500, -1, 0, HANDOFF_REGISTRATION_SENT},
      {800, 0, 0, 0},
      {900, 0, 1, 0},
      {1101, -1, 0, HANDOFF_MOVEMENT_DETECTED | HANDOFF_ADDRESS_CONFIGURED},
      {1110, -1, 0, HANDOFF_REGISTRATION_SENT},
      {1120, -1, 0, HANDOFF_REGISTRATION_SENT},
      {1150, 0, 4, 0},
      {1160, -1, 0, HANDOFF_REGISTRATION_ANSWERED},
      {1160, 0, 3, 0},
      {1500, -1, 0, HANDOFF_REGISTRATION_SENT},
  };
  struct inject injects[G_N_ELEMENTS(script)];
  struct sim *sim = run_script(script, G_N_ELEMENTS(script), injects);
  assert_near(handoff_value(sim, 0, "movement_detected_s"), 1.101);
  assert_near(handoff_value(sim, 0, "address_configured_s"), 1.101);
  assert_near(handoff_value(sim, 0, "registration_sent_s"), 1.120);
  assert_near(handoff_value(sim, 0, "registration_answered_s"), 1.160);
  assert_near(handoff_value(sim, 0, "first_packet_new_path_s"), 1.160);
  assert_near(handoff_value(sim, 0, "service_interruption_ms"), 260);
  assert_near(handoff_value(sim, 0, "lost_pkts"), 1);
  assert_near(handoff_value(sim, 0, "reordered_pkts"), 1);
  assert_near(handoff_value(sim, 0, "duplicate_pkts"), 0);
  assert_near(handoff_value(sim, 0, "flows"), 1);
  /* The window (seq 2 to 2), 1 lost, 0 duplicated, 1 reordered. */
  g_autofree char *flows = handoff_flows_table(sim);
  assert_non_null(strstr(flows, "\t260.000000\t2\t2\t1\t0\t1\n"));
  test_sim_free_checked(sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cbr_across_layer2_handoff),
      cmocka_unit_test(test_injected_duplicate_and_reordering),
      cmocka_unit_test(test_milestones_gate_the_new_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
