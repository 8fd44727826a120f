/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cells and movement: boundary crossings at the analytically solved times,
 * association policies, the layer-2 handoff gap and the packets it costs,
 * bridging, and random waypoint reproducibility. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <math.h>

#include "sim/apps/traffic.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/mobility.h"
#include "sim/wireless/radio.h"

static struct handoff *row(struct sim *sim, guint i) {
  assert_true(i < sim->handoffs->len);
  return &g_array_index(sim->handoffs, struct handoff, i);
}

static struct cell *add_cell(struct sim *sim, const char *name, double x,
                             double y, double radius) {
  struct link *l = link_new(sim, name, &cell_link_ops, 11000000, SIM_US);
  return cell_new(sim, name, (struct vec2){x, y}, radius, l);
}

/* Time, rounded up to the nanosecond, at which a node starting at (x0, y)
 * moving along +x at speed v (m/s) is at distance r from (0, 0): the
 * entering (sign -1) or leaving (sign +1) root. */
static int64_t crossing_ns(double x0, double y, double v, double r, int sign) {
  double x = sign * sqrt(r * r - y * y);
  return (int64_t)ceil((x - x0) / v * 1e9);
}

static void test_crossing_times(void **state) {
  (void)state;
  struct sim *sim = sim_new("cross", 1, 0);
  sim->duration = 60 * SIM_S;
  struct cell *c = add_cell(sim, "c", 0, 0, 100);
  struct node *mn = node_new(sim, "mn", false);
  mobility_set(mn, mobility_constant_velocity((struct vec2){-200, 30},
                                              (struct vec2){10, 0}));
  radio_new(mn, "wlan", ASSOC_NEAREST, 0, 50 * SIM_MS);
  sim_run(sim, 0, NULL, NULL);
  /* Enters at x = -sqrt(100^2 - 30^2) = -95.394 m, 10.4606 s after the
   * start; leaves at +95.394 m, 29.5394 s. */
  assert_int_equal(sim->handoffs->len, 2);
  int64_t enter = crossing_ns(-200, 30, 10, 100, -1);
  int64_t leave = crossing_ns(-200, 30, 10, 100, +1);
  assert_true(llabs(row(sim, 0)->start - enter) <= 1);
  assert_null(row(sim, 0)->from);
  assert_ptr_equal(row(sim, 0)->to, c);
  assert_int_equal(row(sim, 0)->attached, row(sim, 0)->start + 50 * SIM_MS);
  assert_true(llabs(row(sim, 1)->start - leave) <= 1);
  assert_ptr_equal(row(sim, 1)->from, c);
  assert_null(row(sim, 1)->to);
  test_sim_free_checked(sim);
}

/* Two overlapping cells 150 m apart on the x axis, radius 100; a node
 * driving along the axis at 10 m/s from x = -120. */
static struct sim *two_cells(enum assoc_policy policy, double hysteresis,
                             struct cell **a, struct cell **b) {
  struct sim *sim = sim_new("two", 1, 0);
  sim->duration = 60 * SIM_S;
  *a = add_cell(sim, "a", 0, 0, 100);
  *b = add_cell(sim, "b", 150, 0, 100);
  struct node *mn = node_new(sim, "mn", false);
  mobility_set(mn, mobility_constant_velocity((struct vec2){-120, 0},
                                              (struct vec2){10, 0}));
  radio_new(mn, "wlan", policy, hysteresis, 50 * SIM_MS);
  sim_run(sim, 0, NULL, NULL);
  return sim;
}

static void test_nearest_switches_at_bisector(void **state) {
  (void)state;
  struct cell *a, *b;
  struct sim *sim = two_cells(ASSOC_NEAREST, 0, &a, &b);
  /* Enter a at x = -100 (t = 2 s), associated from then; b is nearer past
   * the bisector x = 75 (t = 19.5 s); b is left at x = 250 (t = 37 s). */
  assert_int_equal(sim->handoffs->len, 3);
  assert_int_equal(row(sim, 0)->start, 2 * SIM_S);
  assert_ptr_equal(row(sim, 1)->from, a);
  assert_ptr_equal(row(sim, 1)->to, b);
  assert_true(llabs(row(sim, 1)->start - 19500 * SIM_MS) <= 1);
  assert_true(llabs(row(sim, 2)->start - 37 * SIM_S) <= 1);
  test_sim_free_checked(sim);
}

static void test_nearest_with_hysteresis(void **state) {
  (void)state;
  struct cell *a, *b;
  struct sim *sim = two_cells(ASSOC_NEAREST, 20, &a, &b);
  /* b must be nearer by 20 m: |x - 0| - |150 - x| = 20 at x = 85, t = 20.5 s.
   */
  assert_ptr_equal(row(sim, 1)->to, b);
  assert_true(llabs(row(sim, 1)->start - 20500 * SIM_MS) <= 1);
  test_sim_free_checked(sim);
}

static void test_sticky_stays_until_out_of_range(void **state) {
  (void)state;
  struct cell *a, *b;
  struct sim *sim = two_cells(ASSOC_STICKY, 0, &a, &b);
  /* Stays with a until x = 100 (t = 22 s), then takes b. */
  assert_ptr_equal(row(sim, 1)->from, a);
  assert_ptr_equal(row(sim, 1)->to, b);
  assert_true(llabs(row(sim, 1)->start - 22 * SIM_S) <= 1);
  test_sim_free_checked(sim);
  /* With a 10 m margin, until x = 110 (t = 23 s). */
  sim = two_cells(ASSOC_STICKY, 10, &a, &b);
  assert_true(llabs(row(sim, 1)->start - 23 * SIM_S) <= 1);
  test_sim_free_checked(sim);
}

/* Two cells bridged onto one LAN (one subnet): a correspondent on the LAN
 * streams to the mobile node, which is moved from cell 1 to cell 2 at 5 s
 * with a 200 ms layer-2 handoff. */
static void test_handoff_gap_loses_exactly_the_window(void **state) {
  (void)state;
  struct cell *c1, *c2;
  struct sim *sim = test_gap_world("gap", &c1, &c2);
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = g_ptr_array_index(sim->flows, 0);
  /* Packets leave cn at 1 ms + k * 10 ms and take well under 1 ms to reach
   * the cell; the node is away from 5.000 s to 5.200 s, so the packets of
   * k = 500 .. 519 (sent 5.001 .. 5.191 s) find no one: 20 = 100/s x
   * 200 ms.  The first packet waits for ARP, which is cheap. */
  assert_int_equal(f->sent, 900);
  assert_int_equal(f->received, 880);
  assert_int_equal(flow_lost(f), 20);
  uint64_t handoff_drops = 0;
  for (guint i = 0; i < sim->links->len; i++)
    handoff_drops += drop_counters_get(
        &((struct link *)g_ptr_array_index(sim->links, i))->cnt.drops,
        DROP_HANDOFF);
  assert_int_equal(handoff_drops, 20);
  assert_int_equal(sim->handoffs->len, 1);
  assert_ptr_equal(row(sim, 0)->from, c1);
  assert_ptr_equal(row(sim, 0)->to, c2);
  assert_int_equal(row(sim, 0)->start, 5 * SIM_S);
  assert_int_equal(row(sim, 0)->attached, 5200 * SIM_MS);
  test_sim_free_checked(sim);
}

struct events {
  int attach, detach;
};

static void count_events(void *ctx, struct iface *iface, struct cell *cell,
                         bool up) {
  struct events *e = ctx;
  if (up)
    e->attach++;
  else
    e->detach++;
}

static void test_listeners_told_of_attach_and_detach(void **state) {
  (void)state;
  struct sim *sim = sim_new("listen", 1, 0);
  sim->duration = 60 * SIM_S;
  add_cell(sim, "a", 0, 0, 100);
  add_cell(sim, "b", 150, 0, 100);
  struct node *mn = node_new(sim, "mn", false);
  mobility_set(mn, mobility_constant_velocity((struct vec2){-120, 0},
                                              (struct vec2){10, 0}));
  radio_new(mn, "wlan", ASSOC_NEAREST, 0, 50 * SIM_MS);
  struct events e = {0};
  radio_listen(mn, count_events, &e);
  sim_run(sim, 0, NULL, NULL);
  /* attach a, detach a, attach b, detach b. */
  assert_int_equal(e.attach, 2);
  assert_int_equal(e.detach, 2);
  test_sim_free_checked(sim);
}

/* Make-before-break with two radios: one sticky, one always on the
 * nearest cell.  Driving through two overlapping cells, the nearest radio
 * joins b at the bisector (19.5 s) while the sticky one stays on a until
 * leaving its disc (22 s): at every moment one of them is attached. */
static void test_two_radios_make_before_break(void **state) {
  (void)state;
  struct sim *sim = sim_new("two-radios", 1, 0);
  sim->duration = 60 * SIM_S;
  struct cell *a = add_cell(sim, "a", 0, 0, 100);
  struct cell *b = add_cell(sim, "b", 150, 0, 100);
  struct node *mn = node_new(sim, "mn", false);
  mobility_set(mn, mobility_constant_velocity((struct vec2){-120, 0},
                                              (struct vec2){10, 0}));
  struct iface *sticky = radio_new(mn, "w0", ASSOC_STICKY, 0, 50 * SIM_MS);
  struct iface *nearest = radio_new(mn, "w1", ASSOC_NEAREST, 0, 50 * SIM_MS);
  sim_run(sim, 20 * SIM_S, NULL, NULL);
  assert_ptr_equal(sticky->radio->cell, a);  /* still on a */
  assert_ptr_equal(nearest->radio->cell, b); /* already on b */
  sched_run(&sim->sched, 23 * SIM_S, NULL);
  assert_ptr_equal(sticky->radio->cell, b);
  /* The two radios' gaps (leave to attach) never overlap. */
  int64_t gap[2][2] = {{-1, -1}, {-1, -1}};
  for (guint i = 0; i < sim->handoffs->len; i++) {
    struct handoff *h = row(sim, i);
    if (h->from && h->to) {
      int k = h->iface == sticky ? 0 : 1;
      gap[k][0] = h->start;
      gap[k][1] = h->attached;
    }
  }
  assert_true(gap[0][0] >= 0 && gap[1][0] >= 0);
  assert_true(gap[1][1] < gap[0][0] || gap[0][1] < gap[1][0]);
  assert_true(llabs(gap[1][0] - 19500 * SIM_MS) <= 1);
  assert_true(llabs(gap[0][0] - 22 * SIM_S) <= 1);
  test_sim_free_checked(sim);
}

static void test_random_waypoint(void **state) {
  (void)state;
  struct rng s1, s2, s3;
  rng_init(&s1, 1, 0, "node/mn/movement");
  rng_init(&s2, 1, 0, "node/mn/movement");
  rng_init(&s3, 2, 0, "node/mn/movement");
  struct vec2 lo = {0, 0}, hi = {1000, 500};
  struct mobility *a =
      mobility_random_waypoint(lo, hi, 1, 20, 0, 5 * SIM_S, &s1, NULL);
  struct mobility *b =
      mobility_random_waypoint(lo, hi, 1, 20, 0, 5 * SIM_S, &s2, NULL);
  struct mobility *c =
      mobility_random_waypoint(lo, hi, 1, 20, 0, 5 * SIM_S, &s3, NULL);
  bool differ = false;
  for (int64_t t = 0; t < 3600 * SIM_S; t += 500 * SIM_MS) {
    struct vec2 pa = mobility_position(a, t), pb = mobility_position(b, t),
                pc = mobility_position(c, t);
    assert_true(pa.x == pb.x && pa.y == pb.y);
    assert_true(pa.x >= 0 && pa.x <= 1000 && pa.y >= 0 && pa.y <= 500);
    assert_true(pc.x >= 0 && pc.x <= 1000 && pc.y >= 0 && pc.y <= 500);
    differ |= pa.x != pc.x;
  }
  assert_true(differ);
  mobility_free(a);
  mobility_free(b);
  mobility_free(c);
}

static void test_waypoints_follow_script(void **state) {
  (void)state;
  GArray *w = g_array_new(FALSE, FALSE, sizeof(struct waypoint));
  struct waypoint pts[] = {
      {.pos = {0, 0}, .at = 0, .pause = 2 * SIM_S},
      {.pos = {100, 0}, .at = -1, .speed = 10}, /* 10 s of travel */
      {.pos = {100, 50}, .at = 20 * SIM_S},     /* arrive at 20 s */
  };
  g_array_append_vals(w, pts, 3);
  struct mobility *m = mobility_waypoints(w);
  struct vec2 p = mobility_position(m, SIM_S);
  assert_true(p.x == 0 && p.y == 0); /* pausing */
  p = mobility_position(m, 7 * SIM_S);
  assert_true(fabs(p.x - 50) < 1e-9); /* half way at 7 s */
  p = mobility_position(m, 16 * SIM_S);
  assert_true(fabs(p.x - 100) < 1e-9 && fabs(p.y - 25) < 1e-9);
  p = mobility_position(m, 100 * SIM_S);
  assert_true(fabs(p.x - 100) < 1e-9 && fabs(p.y - 50) < 1e-9);
  mobility_free(m);
}

/* A thousand cells: the index returns exactly the discs that meet a box,
 * the same as checking them all. */
static void test_spatial_index(void **state) {
  (void)state;
  struct sim *sim = sim_new("index", 1, 0);
  struct rng r;
  rng_init(&r, 5, 0, "cells");
  for (int i = 0; i < 1000; i++) {
    char name[16];
    g_snprintf(name, sizeof name, "c%d", i);
    add_cell(sim, name, rng_uniform(&r) * 5000, rng_uniform(&r) * 5000,
             20 + rng_uniform(&r) * 200);
  }
  GPtrArray *found = g_ptr_array_new();
  for (int q = 0; q < 200; q++) {
    struct vec2 lo = {rng_uniform(&r) * 5000, rng_uniform(&r) * 5000};
    struct vec2 hi = {lo.x + rng_uniform(&r) * 800,
                      lo.y + rng_uniform(&r) * 300};
    cell_query(sim, lo, hi, found);
    guint expect = 0;
    for (guint i = 0; i < sim->cells->len; i++) {
      struct cell *c = g_ptr_array_index(sim->cells, i);
      double dx = fmax(fmax(lo.x - c->pos.x, 0), c->pos.x - hi.x);
      double dy = fmax(fmax(lo.y - c->pos.y, 0), c->pos.y - hi.y);
      if (dx * dx + dy * dy <= c->radius * c->radius) {
        expect++;
        assert_true(g_ptr_array_find(found, c, NULL));
      }
    }
    assert_int_equal(found->len, expect);
  }
  g_ptr_array_free(found, TRUE);
  test_sim_free_checked(sim);
}

/* Bridges tell each side of the stations attached on the other: a station
 * of the LAN is reached on each cell through the cell's bridge, and a
 * station that moves from cell 1 to cell 2 is reached from the LAN through
 * bridge 2 at once, without a frame having to teach it (an access point's
 * layer-2 update).  Cells do not hear of each other's stations. */
static void test_bridges_learn_stations(void **state) {
  (void)state;
  struct sim *sim = sim_new("learn", 1, 0);
  struct link *lan = link_new(sim, "lan", &eth_lan_ops, 100000000, SIM_US);
  struct iface *host = iface_new(node_new(sim, "h", false), lan);
  struct cell *c1 = add_cell(sim, "c1", 0, 0, 100);
  struct cell *c2 = add_cell(sim, "c2", 500, 0, 100);
  struct node *b1 = cell_bridge(c1, lan);
  struct node *b2 = cell_bridge(c2, lan);
  struct iface *air1 = b1->ifaces[0], *wire1 = b1->ifaces[1];
  struct iface *air2 = b2->ifaces[0], *wire2 = b2->ifaces[1];
  assert_ptr_equal(eth_lan_station(c1->link, host->mac), air1);
  assert_ptr_equal(eth_lan_station(c2->link, host->mac), air2);

  struct iface *m = iface_new_unattached(node_new(sim, "m", false), "w");
  link_attach(c1->link, m);
  assert_ptr_equal(eth_lan_station(c1->link, m->mac), m);
  assert_ptr_equal(eth_lan_station(lan, m->mac), wire1);
  assert_null(eth_lan_station(c2->link, m->mac));
  link_detach(c1->link, m);
  assert_null(eth_lan_station(lan, m->mac));
  assert_null(eth_lan_station(c1->link, m->mac));
  link_attach(c2->link, m);
  assert_ptr_equal(eth_lan_station(lan, m->mac), wire2);
  assert_null(eth_lan_station(c1->link, m->mac));
  assert_ptr_equal(eth_lan_station(c2->link, m->mac), m);
  test_sim_free_checked(sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crossing_times),
      cmocka_unit_test(test_nearest_switches_at_bisector),
      cmocka_unit_test(test_nearest_with_hysteresis),
      cmocka_unit_test(test_sticky_stays_until_out_of_range),
      cmocka_unit_test(test_handoff_gap_loses_exactly_the_window),
      cmocka_unit_test(test_listeners_told_of_attach_and_detach),
      cmocka_unit_test(test_two_radios_make_before_break),
      cmocka_unit_test(test_random_waypoint),
      cmocka_unit_test(test_waypoints_follow_script),
      cmocka_unit_test(test_spatial_index),
      cmocka_unit_test(test_bridges_learn_stations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
