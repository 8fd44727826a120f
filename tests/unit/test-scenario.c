/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of the scenario loader: good scenarios build the nodes, links,
 * cells, movements, radios, addresses, routes, flows and faults they
 * describe; every file in tests/bad is rejected with the expected line and
 * message; truncated and concurrent loads neither crash nor leak.  Also the
 * parsers of distances and speeds, which only scenarios use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/eth.h"

#include "sim/apps/traffic.h"
#include "sim/core/units.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"
#include "sim/results/flow.h"
#include "sim/results/results.h"
#include "sim/scenario/load.h"
#include "sim/scenario/module.h"
#include "sim/scenario/scenario.h"
#include "sim/services/dhcp.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/mobility.h"
#include "sim/wireless/radio.h"

/* The source tree: $srcdir when run by "make check", else the parent of
 * the schema directory compiled in. */
static char *source_path(const char *relative) {
  const char *srcdir = g_getenv("srcdir");
  if (srcdir && *srcdir)
    return g_build_filename(srcdir, relative, NULL);
#ifdef MIPSIM_SOURCE_SCHEMA_DIR
  g_autofree char *top = g_path_get_dirname(MIPSIM_SOURCE_SCHEMA_DIR);
  return g_build_filename(top, relative, NULL);
#else
  return g_build_filename(".", relative, NULL);
#endif
}

static void assert_addr(const struct ip_addr *a, const char *expected) {
  char buf[ADDR_STRLEN];
  assert_string_equal(addr_format(a, buf), expected);
}

static void assert_prefix(const struct prefix *p, const char *expected) {
  char buf[ADDR_STRLEN];
  assert_non_null(p);
  g_autofree char *text =
      g_strdup_printf("%s/%u", addr_format(&p->addr, buf), p->len);
  assert_string_equal(text, expected);
}

static struct sim *load_ok(const char *relative,
                           const struct scenario_overrides *overrides) {
  g_autofree char *path = source_path(relative);
  return test_scenario_file(path, NULL, overrides);
}

static void test_good_minimal(void **state) {
  (void)state;
  struct sim *sim = load_ok("tests/scenarios/good-minimal.xml", NULL);

  assert_string_equal(sim->name, "minimal");
  assert_int_equal(sim->seed, 7);
  assert_int_equal(sim->run, 0);
  assert_int_equal(sim->duration, 5 * SIM_S);
  assert_false(sim->computed_routes);
  assert_int_equal(sim->metric, ROUTE_METRIC_HOPS);
  assert_true(sim->record_pcap);

  /* Nodes, in document order. */
  assert_int_equal(sim->nodes->len, 3);
  struct node *a = g_ptr_array_index(sim->nodes, 0);
  struct node *r = g_ptr_array_index(sim->nodes, 1);
  struct node *b = g_ptr_array_index(sim->nodes, 2);
  assert_string_equal(a->name, "a");
  assert_string_equal(r->name, "r");
  assert_string_equal(b->name, "b");
  assert_false(a->router);
  assert_true(r->router);
  assert_false(b->router);
  assert_ptr_equal(node_find(sim, "r"), r);

  /* The LAN takes the default MTU and queue and has no loss. */
  assert_int_equal(sim->links->len, 2);
  struct link *home = link_find(sim, "home");
  struct link *wan = link_find(sim, "wan");
  assert_non_null(home);
  assert_non_null(wan);
  assert_ptr_equal(home->ops, &eth_lan_ops);
  assert_int_equal(home->bps, 100000000);
  assert_int_equal(home->delay, 1000);
  assert_int_equal(home->mtu, LINK_DEFAULT_MTU);
  assert_int_equal(home->queue_limit, LINK_DEFAULT_QUEUE);
  assert_int_equal(home->loss.kind, LOSS_NONE);
  assert_int_equal(home->n_ends, 2);

  assert_ptr_equal(wan->ops, &link_p2p_ops);
  assert_int_equal(wan->bps, 2000000);
  assert_int_equal(wan->delay, 10 * SIM_MS);
  assert_int_equal(wan->mtu, 1280);
  assert_int_equal(wan->queue_limit, 50);
  assert_int_equal(wan->n_ends, 2);
  /* <loss> came before the <end>s; loss-good took its default. */
  assert_int_equal(wan->loss.kind, LOSS_GILBERT_ELLIOTT);
  assert_float_equal(wan->loss.p_good_bad, 0.01, 1e-12);
  assert_float_equal(wan->loss.p_bad_good, 0.25, 1e-12);
  assert_float_equal(wan->loss.loss_good, 0.0, 1e-12);
  assert_float_equal(wan->loss.loss_bad, 0.5, 1e-12);
  struct rng expected_rng;
  sim_rng(sim, &expected_rng, "link/wan/loss");
  assert_memory_equal(&wan->loss.rng, &expected_rng, sizeof expected_rng);

  /* Interfaces and their addresses. */
  struct iface *a_home = node_iface_on(a, home);
  struct iface *r_home = node_iface_on(r, home);
  struct iface *r_wan = node_iface_on(r, wan);
  struct iface *b_wan = node_iface_on(b, wan);
  assert_non_null(a_home);
  assert_non_null(r_home);
  assert_non_null(r_wan);
  assert_non_null(b_wan);
  assert_null(node_iface_on(a, wan));
  assert_prefix(iface_addr(a_home, 4), "10.1.0.10/24");
  assert_prefix(iface_addr(a_home, 6), "2001:db8:1::10/64");
  assert_prefix(iface_addr(r_wan, 4), "10.2.0.1/30");
  assert_null(iface_addr(r_wan, 6));
  assert_prefix(iface_addr(b_wan, 6), "2001:db8:2::2/64");
  assert_true(r_home->ingress_filter);
  assert_false(r_wan->ingress_filter);
  assert_false(a_home->ingress_filter);

  /* Static routes: through a gateway, through a named link and a
   * gateway, and on-link. */
  struct nexthop nh;
  struct ip_addr dst = test_ip("10.2.0.2");
  assert_true(route_lookup(a, &dst, &nh));
  assert_ptr_equal(nh.oif, a_home);
  assert_addr(&nh.gw, "10.1.0.1");
  dst = test_ip("10.1.0.10");
  assert_true(route_lookup(b, &dst, &nh));
  assert_ptr_equal(nh.oif, b_wan);
  assert_addr(&nh.gw, "10.2.0.1");
  dst = test_ip("2001:db8:2::2");
  assert_true(route_lookup(a, &dst, &nh));
  assert_ptr_equal(nh.oif, a_home);
  assert_int_equal(nh.gw.family, 0);

  /* Flows in document order; the cbr defaults to IPv4 (both ends have
   * it), the ping to a bare address needs no "to". */
  assert_int_equal(sim->flows->len, 4);
  struct flow *udp = g_ptr_array_index(sim->flows, 0);
  struct flow *echo = g_ptr_array_index(sim->flows, 1);
  struct flow *stray = g_ptr_array_index(sim->flows, 2);
  struct flow *second = g_ptr_array_index(sim->flows, 3);
  assert_string_equal(udp->name, "udp");
  assert_string_equal(udp->kind, "udp-cbr");
  assert_addr(&udp->dst, "10.2.0.2");
  assert_addr(&udp->src, "10.1.0.10");
  assert_int_equal(udp->ttl0, 32);
  assert_string_equal(echo->name, "echo");
  assert_string_equal(echo->kind, "icmp-echo");
  assert_addr(&echo->dst, "2001:db8:2::2");
  assert_string_equal(stray->name, "stray");
  assert_addr(&stray->dst, "192.0.2.1");
  assert_string_equal(second->name, "second");
  assert_addr(&second->dst, "10.1.0.10");
  assert_int_equal(second->ttl0, 64);

  /* wan down and up, r down for good. */
  assert_int_equal(sim->faults->len, 3);
  test_sim_free_checked(sim);
}

static void test_demo(void **state) {
  (void)state;
  struct sim *sim = load_ok("scenarios/demo.xml", NULL);
  assert_string_equal(sim->name, "demo");
  assert_int_equal(sim->seed, 1);
  assert_int_equal(sim->duration, 10 * SIM_S);
  assert_true(sim->computed_routes);
  assert_int_equal(sim->metric, ROUTE_METRIC_DELAY);
  assert_false(sim->record_pcap);
  assert_int_equal(sim->nodes->len, 5);
  assert_int_equal(sim->links->len, 4);
  assert_int_equal(sim->flows->len, 2);
  assert_int_equal(sim->faults->len, 2);
  /* IPv4 and IPv6 on every interface. */
  assert_int_equal(sim->ifaces->len, 8);
  for (guint i = 0; i < sim->ifaces->len; i++) {
    struct iface *iface = g_ptr_array_index(sim->ifaces, i);
    assert_non_null(iface_addr(iface, 4));
    assert_non_null(iface_addr(iface, 6));
  }
  struct link *core1 = link_find(sim, "core1");
  struct link *core2 = link_find(sim, "core2");
  assert_int_equal(core1->bps, 100000000);
  assert_int_equal(core1->delay, 5 * SIM_MS);
  assert_int_equal(core2->bps, 10000000);
  assert_int_equal(core2->delay, 20 * SIM_MS);
  struct flow *cbr = g_ptr_array_index(sim->flows, 0);
  struct flow *ping = g_ptr_array_index(sim->flows, 1);
  assert_addr(&cbr->dst, "10.2.0.10");
  assert_addr(&ping->dst, "2001:db8:2::10");
  test_sim_free_checked(sim);
}

static struct iface *iface_named(const struct node *node, const char *name) {
  g_autofree char *full = g_strdup_printf("%s/%s", node->name, name);
  for (uint32_t i = 0; i < node->n_ifaces; i++)
    if (strcmp(node->ifaces[i]->name, full) == 0)
      return node->ifaces[i];
  fail_msg("%s has no interface %s", node->name, name);
  return NULL;
}

static void assert_move(const struct iface *iface, guint i, int64_t at,
                        const struct cell *cell) {
  assert_non_null(iface->radio->moves);
  assert_true(i < iface->radio->moves->len);
  const struct radio_move *m =
      &g_array_index(iface->radio->moves, struct radio_move, i);
  assert_int_equal(m->at, at);
  assert_ptr_equal(m->cell, cell);
}

static void assert_waypoint(const struct mobility *m, guint i, double x,
                            double y, int64_t at, double speed, int64_t pause) {
  const struct waypoint *w = &g_array_index(m->waypoints, struct waypoint, i);
  assert_float_equal(w->pos.x, x, 1e-12);
  assert_float_equal(w->pos.y, y, 1e-12);
  assert_int_equal(w->at, at);
  if (at < 0)
    assert_float_equal(w->speed, speed, 1e-12);
  assert_int_equal(w->pause, pause);
}

static void test_good_mobile(void **state) {
  (void)state;
  struct sim *sim = load_ok("tests/scenarios/good-mobile.xml", NULL);
  assert_true(sim->record_pcap);
  assert_int_equal(sim->positions_interval, 500 * SIM_MS);
  assert_int_equal(sim->bin_width, 250 * SIM_MS);

  /* Cells, and their channels: links of their names. */
  assert_int_equal(sim->cells->len, 3);
  struct cell *c1 = sim_find_cell(sim, "c1");
  struct cell *c2 = sim_find_cell(sim, "c2");
  struct cell *c3 = sim_find_cell(sim, "c3");
  struct link *home = link_find(sim, "home");
  assert_non_null(c1);
  assert_non_null(c2);
  assert_non_null(c3);
  assert_ptr_equal(link_find(sim, "c1"), c1->link);
  assert_ptr_equal(cell_of_link(c1->link), c1);
  assert_float_equal(c1->pos.x, 0, 0);
  assert_float_equal(c1->radius, 100, 0);
  assert_ptr_equal(c1->link->ops, &cell_link_ops);
  assert_int_equal(c1->link->bps, 11000000);
  assert_int_equal(c1->link->delay, 2000);
  assert_int_equal(c1->link->queue_limit, LINK_DEFAULT_QUEUE);
  assert_int_equal(c1->link->loss.kind, LOSS_BERNOULLI);
  assert_float_equal(c1->link->loss.p, 0.01, 1e-12);
  assert_false(c1->distance_loss);

  /* c2: a radius in km, the MTU of the LAN it is bridged onto, and a
   * distance loss whose near end took its default. */
  assert_float_equal(c2->pos.x, 150, 0);
  assert_float_equal(c2->radius, 100, 1e-12);
  assert_int_equal(c2->link->mtu, home->mtu);
  assert_int_equal(c2->link->queue_limit, 20);
  assert_true(c2->distance_loss);
  assert_float_equal(c2->loss_near, 0, 0);
  assert_float_equal(c2->loss_edge, 0.2, 1e-12);
  assert_float_equal(c2->loss_exponent, 3, 0);
  assert_int_equal(c2->link->loss.kind, LOSS_NONE);
  struct rng expected_rng;
  sim_rng(sim, &expected_rng, "link/c2/loss");
  assert_memory_equal(&c2->link->loss.rng, &expected_rng, sizeof expected_rng);

  /* The bridges are nodes named after their cells, with a port on the
   * channel and one on the LAN; c3's access point is fa's interface. */
  for (int i = 0; i < 2; i++) {
    struct cell *c = i ? c2 : c1;
    struct node *bridge = node_find(sim, c->name);
    assert_non_null(bridge);
    assert_false(bridge->router);
    struct iface *air = node_iface_on(bridge, c->link);
    struct iface *wire = node_iface_on(bridge, home);
    assert_non_null(air);
    assert_non_null(wire);
    assert_ptr_equal(air->bridge_peer, wire);
    assert_ptr_equal(wire->bridge_peer, air);
  }
  assert_null(node_find(sim, "c3"));
  assert_float_equal(c3->pos.x, 1000, 0);
  assert_float_equal(c3->radius, 200, 0);
  assert_int_equal(c3->link->bps, 54000000);
  assert_int_equal(c3->link->mtu, 1280);
  assert_int_equal(c3->link->loss.kind, LOSS_GILBERT_ELLIOTT);
  struct node *fa = node_find(sim, "fa");
  struct iface *ap = node_iface_on(fa, c3->link);
  assert_non_null(ap);
  assert_prefix(iface_addr(ap, 4), "10.3.0.1/24");
  assert_prefix(iface_addr(ap, 6), "2001:db8:3::1/64");
  assert_true(ap->ingress_filter);

  /* Scripted waypoints: the second arrives by speed (72 km/h), the third
   * at a time. */
  struct node *walker = node_find(sim, "walker");
  assert_int_equal(walker->mobility->kind, MOBILITY_WAYPOINTS);
  assert_int_equal(walker->mobility->waypoints->len, 3);
  assert_waypoint(walker->mobility, 0, -50, 0, 0, 0, SIM_S);
  assert_waypoint(walker->mobility, 1, 100, 0, -1, 20, 0);
  assert_waypoint(walker->mobility, 2, 150, 10, 9500 * SIM_MS, 0, 500 * SIM_MS);
  struct iface *w = iface_named(walker, "wlan0");
  assert_non_null(w->radio);
  assert_null(w->link); /* associates when the run starts */
  assert_int_equal(w->radio->policy, ASSOC_NEAREST);
  assert_float_equal(w->radio->hysteresis, 5, 0);
  assert_int_equal(w->radio->l2_delay, 100 * SIM_MS);
  assert_null(w->radio->moves);
  assert_prefix(iface_addr(w, 4), "10.1.0.10/24");

  /* Constant velocity, in m/ns; "-0" is zero. */
  struct node *car = node_find(sim, "car");
  assert_int_equal(car->mobility->kind, MOBILITY_CONSTANT_VELOCITY);
  assert_float_equal(car->mobility->seg.from.x, 850, 0);
  assert_float_equal(car->mobility->seg.from.y, 50, 1e-12);
  assert_float_equal(car->mobility->seg.vel.x, 10 / 1e9, 1e-20);
  assert_float_equal(car->mobility->seg.vel.y, 0, 0);
  w = iface_named(car, "wlan0");
  assert_int_equal(w->radio->policy, ASSOC_STICKY);
  assert_float_equal(w->radio->hysteresis, 10, 0);
  assert_int_equal(w->radio->l2_delay, 20 * SIM_MS);
  assert_prefix(iface_addr(w, 6), "2001:db8:3::20/64");

  /* Random waypoint: the same path as the model built directly on the
   * node's stream.  The path is followed in a copy of the scenario, since
   * a model only moves forward in time and the run below starts at 0. */
  struct sim *copy = load_ok("tests/scenarios/good-mobile.xml", NULL);
  struct mobility *m = node_find(copy, "rover")->mobility;
  assert_int_equal(m->kind, MOBILITY_RANDOM_WAYPOINT);
  assert_float_equal(m->area_min.x, 900, 0);
  assert_float_equal(m->area_max.y, 100, 0);
  assert_float_equal(m->speed_min, 1, 0);
  assert_float_equal(m->speed_max, 5, 0);
  assert_int_equal(m->pause_min, 0);
  assert_int_equal(m->pause_max, 2 * SIM_S);
  struct rng stream;
  sim_rng(sim, &stream, "node/rover/movement");
  struct mobility *ref = mobility_random_waypoint(
      (struct vec2){900, -100}, (struct vec2){1100, 100}, 1, 5, 0, 2 * SIM_S,
      &stream, &(struct vec2){1000, 0});
  for (int64_t t = 0; t < 600 * SIM_S; t += 700 * SIM_MS) {
    struct vec2 a = mobility_position(m, t), b = mobility_position(ref, t);
    assert_true(a.x == b.x && a.y == b.y);
  }
  mobility_free(ref);
  test_sim_free_checked(copy);

  /* A static host and a radio with every default. */
  struct node *kiosk = node_find(sim, "kiosk");
  assert_int_equal(kiosk->mobility->kind, MOBILITY_STATIC);
  assert_float_equal(kiosk->mobility->seg.from.x, 10, 0);
  w = iface_named(kiosk, "wlan0");
  assert_int_equal(w->radio->policy, ASSOC_NEAREST);
  assert_float_equal(w->radio->hysteresis, 0, 0);
  assert_int_equal(w->radio->l2_delay, RADIO_DEFAULT_L2_DELAY);

  /* Discrete moves, given before and after their radios. */
  struct node *hopper = node_find(sim, "hopper");
  assert_null(hopper->mobility);
  struct iface *w0 = iface_named(hopper, "wlan0");
  struct iface *w1 = iface_named(hopper, "wlan1");
  assert_int_equal(w0->radio->moves->len, 2);
  assert_move(w0, 0, 0, c1);
  assert_move(w0, 1, 5 * SIM_S, c2);
  assert_int_equal(w1->radio->moves->len, 1);
  assert_move(w1, 0, 0, c3);
  assert_int_equal(w1->radio->policy, ASSOC_STICKY);

  /* Flows to hosts whose only addresses are on radios. */
  assert_int_equal(sim->flows->len, 5);
  const char *names[] = {"walk", "voice", "burst", "honk", "still"};
  const char *dsts[] = {"10.1.0.10", "10.1.0.50", "10.3.0.30", "10.3.0.20",
                        "10.1.0.2"};
  for (guint i = 0; i < sim->flows->len; i++) {
    struct flow *f = g_ptr_array_index(sim->flows, i);
    assert_string_equal(f->name, names[i]);
    assert_addr(&f->dst, dsts[i]);
  }
  struct flow *voice = g_ptr_array_index(sim->flows, 1);
  assert_string_equal(voice->kind, "udp-cbr");
  assert_addr(&((struct flow *)g_ptr_array_index(sim->flows, 4))->src,
              "10.1.0.40");

  /* The run: handoffs by move and by geometry, an on/off source that is
   * silent part of the time, positions of the four hosts that have one. */
  sim_run(sim, 0, NULL, NULL);
  assert_int_equal(sim->handoffs->len, 2);
  const struct handoff *h = &g_array_index(sim->handoffs, struct handoff, 0);
  assert_ptr_equal(h->iface, w0);
  assert_int_equal(h->start, 5 * SIM_S);
  h = &g_array_index(sim->handoffs, struct handoff, 1);
  assert_ptr_equal(h->iface, iface_named(walker, "wlan0"));
  assert_ptr_equal(h->to, c2);
  /* Past the bisector by half the hysteresis: x = 77.5 m, 7.375 s. */
  assert_true(llabs(h->start - 7375 * SIM_MS) <= 1);
  assert_int_equal(h->attached, h->start + 100 * SIM_MS);
  assert_true(voice->sent > 0 && voice->sent < 500);
  assert_int_equal(voice->received, voice->sent);
  assert_int_equal(sim->positions->len, 4 * 21);
  for (guint i = 0; i < sim->flows->len; i++)
    assert_true(((struct flow *)g_ptr_array_index(sim->flows, i))->received >
                0);
  test_sim_free_checked(sim);
}

/* The shipped handoff scenario is what its comment says. */
static void test_handoff_scenario(void **state) {
  (void)state;
  struct sim *sim = load_ok("scenarios/handoff.xml", NULL);
  assert_int_equal(sim->cells->len, 3);
  struct link *lan = link_find(sim, "home");
  for (guint i = 0; i < sim->cells->len; i++) {
    struct cell *c = g_ptr_array_index(sim->cells, i);
    struct node *bridge = node_find(sim, c->name);
    assert_non_null(bridge);
    assert_non_null(node_iface_on(bridge, lan));
  }
  struct node *mn = node_find(sim, "mn");
  assert_int_equal(mn->mobility->kind, MOBILITY_CONSTANT_VELOCITY);
  assert_float_equal(mn->mobility->seg.vel.x, 20 / 1e9, 1e-20);
  struct iface *w = iface_named(mn, "wlan0");
  assert_int_equal(w->radio->policy, ASSOC_NEAREST);
  assert_float_equal(w->radio->hysteresis, 5, 0);
  assert_int_equal(sim->positions_interval, SIM_S);
  test_sim_free_checked(sim);
}

/* <dhcp-server> and <dhcp-client>: the interfaces start without an
 * address, get one from the pools during the run, and dhcp.tsv lists the
 * lease events. */
static void test_dhcp_scenario(void **state) {
  (void)state;
  struct sim *sim = load_ok("tests/scenarios/dhcp.xml", NULL);
  struct node *laptop = node_find(sim, "laptop");
  struct node *mn = node_find(sim, "mn");
  struct iface *lif = node_iface_on(laptop, link_find(sim, "office"));
  struct iface *w = iface_named(mn, "wlan0");
  assert_null(iface_addr(lif, 4));
  assert_null(iface_addr(w, 4));
  assert_non_null(dhcp_events(sim));
  assert_int_equal(dhcp_events(sim)->len, 0);
  sim_run(sim, 0, NULL, NULL);
  assert_prefix(iface_addr(lif, 4), "10.1.0.100/24");
  assert_prefix(iface_addr(w, 4), "10.3.0.100/24");
  /* Bound twice and lost once (mn), bound (laptop), renewed every 30 s
   * (laptop, 60 s leases) and 20 s (mn in c2, 40 s leases), and r's
   * binding in c1 lapses. */
  const GArray *log = dhcp_events(sim);
  unsigned counts[DHCP_EV_RELEASED + 1] = {0};
  for (guint i = 0; i < log->len; i++) {
    const struct dhcp_event *e = &g_array_index(log, struct dhcp_event, i);
    if (i > 0)
      assert_true(e->time >= g_array_index(log, struct dhcp_event, i - 1).time);
    counts[e->kind]++;
  }
  assert_int_equal(counts[DHCP_EV_BOUND], 3);
  assert_int_equal(counts[DHCP_EV_LOST], 1);
  assert_int_equal(counts[DHCP_EV_RENEWED], 3 + 4);
  assert_int_equal(counts[DHCP_EV_EXPIRED], 1);
  g_autofree char *dir = g_dir_make_tmp("mipsim-test-dhcp-XXXXXX", NULL);
  assert_non_null(dir);
  assert_true(results_write(sim, dir, NULL));
  g_autofree char *path = g_build_filename(dir, "dhcp.tsv", NULL);
  g_autofree char *text = NULL;
  assert_true(g_file_get_contents(path, &text, NULL, NULL));
  assert_true(g_str_has_prefix(
      text, "node\tiface\ttime_s\tevent\taddress\tlease_s\n"
            "laptop\tlaptop/office\t0.000113440\tbound\t10.1.0.100\t60\n"));
  assert_non_null(strstr(text, "r\tr/c1\t40.000749184\texpired\t"
                               "10.2.0.100\t40\n"));
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *file = g_build_filename(dir, name, NULL);
    g_remove(file);
  }
  g_rmdir(dir);
  test_sim_free_checked(sim);
}

/* Distances and speeds, which only scenarios use, parse like the other
 * quantities but into doubles, and may be negative (coordinates). */
static void test_units_distance_speed(void **state) {
  (void)state;
  static const struct {
    const char *text;
    double value;
  } distances[] = {{"100m", 100}, {"1.5km", 1500},  {"0", 0},
                   {"-20m", -20}, {"2.5e3m", 2500}, {"5 m", 5},
                   {"0.1m", 0.1}, {"-0", 0},        {"1e-3km", 1}},
    speeds[] = {{"10m/s", 10},
                {"36km/h", 10},
                {"0", 0},
                {"-5m/s", -5},
                {"1.8km/h", 0.5}};
  double v;
  for (size_t i = 0; i < G_N_ELEMENTS(distances); i++) {
    assert_true(units_parse_distance(distances[i].text, &v, NULL));
    assert_true(v == distances[i].value);
    assert_false(signbit(v) && v == 0);
  }
  for (size_t i = 0; i < G_N_ELEMENTS(speeds); i++) {
    assert_true(units_parse_speed(speeds[i].text, &v, NULL));
    assert_true(v == speeds[i].value);
  }
  assert_true(units_parse_number("2.5e-1", &v, NULL));
  assert_true(v == 0.25);

  static const struct {
    gboolean (*parse)(const char *, double *, GError **);
    const char *text, *message;
  } bad[] = {
      {units_parse_distance, "5 parsecs",
       "'5 parsecs' is not a distance: unknown unit 'parsecs' (e.g. 100m, "
       "1.5km)"},
      {units_parse_distance, "5", "'5' is not a distance: a unit is missing"},
      {units_parse_distance, "m", "'m' is not a distance (expected a number"},
      {units_parse_distance, "--5m", "'--5m' is not a distance"},
      {units_parse_distance, "1e999km", "distance '1e999km' is too large"},
      {units_parse_distance, NULL, "'' is not a distance"},
      {units_parse_speed, "10 knots",
       "'10 knots' is not a speed: unknown unit 'knots' (e.g. 10m/s, "
       "36km/h)"},
      {units_parse_speed, "10m", "'10m' is not a speed: unknown unit 'm'"},
      {units_parse_number, "1.5x", "'1.5x' is not a number"},
      {units_parse_number, "-1", "'-1' is not a number"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    assert_false(bad[i].parse(bad[i].text, &v, &error));
    assert_true(
        g_error_matches(error, MIPSIM_UNITS_ERROR, MIPSIM_UNITS_ERROR_INVALID));
    if (!g_str_has_prefix(error->message, bad[i].message))
      fail_msg("got \"%s\", expected \"%s...\"", error->message,
               bad[i].message);
  }
}

static void test_overrides(void **state) {
  (void)state;
  struct scenario_overrides o = {.has_seed = true, .seed = 99, .run = 3};
  struct sim *sim = load_ok("tests/scenarios/good-minimal.xml", &o);
  assert_int_equal(sim->seed, 99);
  assert_int_equal(sim->run, 3);
  struct rng expected_rng;
  sim_rng(sim, &expected_rng, "link/wan/loss");
  assert_memory_equal(&link_find(sim, "wan")->loss.rng, &expected_rng,
                      sizeof expected_rng);
  test_sim_free_checked(sim);

  o = (struct scenario_overrides){.run = 2};
  sim = load_ok("tests/scenarios/good-minimal.xml", &o);
  assert_int_equal(sim->seed, 7);
  assert_int_equal(sim->run, 2);
  test_sim_free_checked(sim);
}

/* Every file in tests/bad, the line its error must name, and a fragment
 * of the message. */
static const struct bad_case {
  const char *file;
  int code;
  int line;
  const char *fragment;
} bad_cases[] = {
    {"not-well-formed.xml", MIPSIM_SCENARIO_ERROR_SYNTAX, 9,
     "Opening and ending tag mismatch"},
    {"empty.xml", MIPSIM_SCENARIO_ERROR_SYNTAX, 1, "Document is empty"},
    /* Loaded with no protocol module: no scheme is known and roles
     * cannot be loaded (test-ro checks them with the modules). */
    {"role-duplicate-peer.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "mobility: scheme: 'mip4-optimized': this build of mipsim has no "
     "module that implements a mobility scheme"},
    {"ro-bad-lifetime.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "mobility: scheme: 'mip4-optimized': this build of mipsim has no "
     "module"},
    {"role-without-mobility.xml", MIPSIM_SCENARIO_ERROR_INVALID, 5,
     "correspondent: this element is in the schema but this build of "
     "mipsim cannot load it"},
    {"mobility-unknown-scheme.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "mobility: scheme: 'mip6-tunnel': this build of mipsim has no module"},
    {"role-twice.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "mobility: scheme: 'mip4-triangle': this build of mipsim has no "
     "module"},
    {"role-missing-sa.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "mobility: scheme: 'mip4-triangle': this build of mipsim has no "
     "module"},
    {"mobility-twice.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "mobility: scheme: 'mip4-triangle': this build of mipsim has no "
     "module"},
    {"doctype.xml", MIPSIM_SCENARIO_ERROR_SYNTAX, 2,
     "DOCTYPE declarations are not allowed"},
    {"unknown-element.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 14,
     "Did not expect element switch there"},
    {"unknown-attribute.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 5,
     "Invalid attribute colour for element host"},
    {"missing-attribute.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 10,
     "Element link failed to validate attributes"},
    {"wrong-namespace.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 2,
     "wrong namespace: expecting urn:mipsim:scenario:1"},
    {"bad-keyword.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 3,
     "Invalid attribute mode for element routing"},
    {"dangling-node.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "end: node: there is no host or router named 'c'"},
    {"duplicate-node.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "router: duplicate node name 'a' (first defined on line 3)"},
    {"duplicate-link.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "lan: duplicate link name 'l1' (first defined on line 6)"},
    {"duplicate-flow.xml", MIPSIM_SCENARIO_ERROR_INVALID, 15,
     "ping: duplicate flow name 'f1'"},
    {"bad-name.xml", MIPSIM_SCENARIO_ERROR_INVALID, 5,
     "host: name '2b' is not a valid name"},
    {"bad-ipv4.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "end: ipv4: '10.0.0.300' is not an IPv4 or IPv6 address"},
    {"bad-prefix-length.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "prefix length must be 0 to 32"},
    {"family-mismatch.xml", MIPSIM_SCENARIO_ERROR_INVALID, 11,
     "end: ipv4: '2001:db8::1/64' is an IPv6 address"},
    {"duplicate-address.xml", MIPSIM_SCENARIO_ERROR_INVALID, 11,
     "address 10.0.1.1 is already used on line 7"},
    {"bad-delay-unit.xml", MIPSIM_SCENARIO_ERROR_INVALID, 10,
     "link: delay: '5 parsecs' is not a time: unknown unit 'parsecs'"},
    {"bad-rate.xml", MIPSIM_SCENARIO_ERROR_INVALID, 10,
     "link: bandwidth: '10MB' is not a rate: unknown unit 'MB'"},
    {"mtu-too-small.xml", MIPSIM_SCENARIO_ERROR_INVALID, 10,
     "link: mtu: '40B' is out of range (68B to 65535B)"},
    {"three-ends.xml", MIPSIM_SCENARIO_ERROR_INVALID, 13,
     "end: link l2 is point-to-point and already has two ends"},
    {"one-end.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "link: a point-to-point link needs two <end>s, l1 has 1"},
    {"ingress-filter-host.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "end: ingress-filter: b is a host"},
    {"route-gateway-off-subnet.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "route: via: 10.0.2.1 is on none of a's subnets"},
    {"route-host-bits.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "did you mean 10.0.2.0/24?"},
    {"cbr-no-family.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "cbr: to: b has no IPv6 address"},
    {"cbr-self.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "cbr: from and to are both a"},
    {"cbr-interval-and-rate.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "cbr: give either interval or rate"},
    {"ping-count-zero.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "ping: count: must be at least 1, not 0"},
    {"fault-after-end.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "fault: down: at or after the end of the scenario"},
    {"fault-up-before-down.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "fault: up: must be after down"},
    {"fault-overlap.xml", MIPSIM_SCENARIO_ERROR_INVALID, 15,
     "fault: overlaps the fault on line 14"},
    {"zero-duration.xml", MIPSIM_SCENARIO_ERROR_INVALID, 2,
     "scenario: duration: must be greater than zero"},
    {"wireless-bad-policy.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 6,
     "Invalid attribute policy for element wireless"},
    {"cell-negative-radius.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "cell: radius: must be greater than zero, not -5m"},
    {"two-movements.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "velocity: mn already moves as the <position> on line 5 says"},
    {"radio-no-position.xml", MIPSIM_SCENARIO_ERROR_INVALID, 5,
     "wireless: mn has a radio but no position or moves"},
    {"move-unknown-cell.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "move: cell: there is no cell named 'c9'"},
    {"move-after-end.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "move: at: at or after the end of the scenario"},
    {"moves-not-increasing.xml", MIPSIM_SCENARIO_ERROR_INVALID, 8,
     "move: at: the previous move of mn/wlan0 is at 5s"},
    {"move-which-radio.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "move: wireless: mn has 2 radios; say which one moves"},
    {"ap-on-host.xml", MIPSIM_SCENARIO_ERROR_INVALID, 13,
     "ap: node: cn is a host"},
    {"cell-no-ap.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "cell: c1 needs an access point"},
    {"cell-ap-and-bridge.xml", MIPSIM_SCENARIO_ERROR_INVALID, 15,
     "ap: cell c1 already has an access point (the <bridge> on line 14)"},
    {"cell-name-taken.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "cell: name 'cn' is taken by the node on line 3"},
    {"bridge-unknown-lan.xml", MIPSIM_SCENARIO_ERROR_INVALID, 13,
     "bridge: lan: there is no link or lan named 'office'"},
    {"bridge-mtu.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "cell: mtu: 1400B differs from the 1500B of lan home"},
    {"bad-distance-unit.xml", MIPSIM_SCENARIO_ERROR_INVALID, 5,
     "position: x: '5 parsecs' is not a distance: unknown unit 'parsecs'"},
    {"bad-speed-unit.xml", MIPSIM_SCENARIO_ERROR_INVALID, 5,
     "velocity: vx: '10 knots' is not a speed: unknown unit 'knots'"},
    {"random-waypoint-x-range.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "random-waypoint: x-min must be less than x-max"},
    {"waypoint-first-not-zero.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "waypoint: at: the first waypoint is where the host starts, at 0s"},
    {"waypoint-too-early.xml", MIPSIM_SCENARIO_ERROR_INVALID, 8,
     "waypoint: at: the host leaves the previous waypoint at 12s"},
    {"onoff-pareto-shape.xml", MIPSIM_SCENARIO_ERROR_INVALID, 16,
     "onoff: shape: must be greater than 1, not 1"},
    {"duplicate-wireless.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "wireless: duplicate wireless name 'wlan0' on mn (first defined on "
     "line 6)"},
    {"duplicate-wireless-address.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "wireless: ipv4: address 10.1.0.2 is already used on line 9"},
    {"record-bin-zero.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "record: bin: must be greater than zero"},
    {"tcp-bulk-window-too-large.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "tcp-bulk: window: '70000B' is out of range (1B to 65535B: without "
     "window scaling"},
    {"tcp-bulk-stop-before-start.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "tcp-bulk: stop: must be after start"},
    {"tcp-rr-no-response.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 14,
     "Element tcp-rr failed to validate attributes"},
    {"tcp-rr-negative-request.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "tcp-rr: request: '-300B' is not a size"},
    {"tcp-rr-zero-request.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "tcp-rr: request: '0' is out of range (1B to 4294967295B)"},
    {"tcp-port-taken.xml", MIPSIM_SCENARIO_ERROR_INVALID, 16,
     "tcp-rr: port: 8080 on b is already used by the flow on line 14"},
    /* The third flow element's default port is 40002. */
    {"tcp-default-port-taken.xml", MIPSIM_SCENARIO_ERROR_INVALID, 16,
     "tcp-bulk: port: 40002 (the default) on b is already used by the flow "
     "on line 15"},
    {"tcp-unknown-attribute.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 14,
     "Invalid attribute ttl for element tcp-bulk"},
    {"dhcp-pool-outside-subnet.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "dhcp-server: the pool's first address 10.3.0.100 is not on the "
     "subnet 10.1.0.0/24 of r/office"},
    {"dhcp-pool-holds-address.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "dhcp-server: the pool 10.1.0.2-10.1.0.50 holds 10.1.0.10, the address "
     "of the interface on line 12"},
    {"dhcp-client-has-address.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "dhcp-client: laptop/office already has the IPv4 address "
     "10.1.0.20/24"},
    {"dhcp-server-not-attached.xml", MIPSIM_SCENARIO_ERROR_INVALID, 4,
     "dhcp-server: link: r is not attached to lab"},
    {"dhcp-lease-fraction.xml", MIPSIM_SCENARIO_ERROR_INVALID, 5,
     "dhcp-server: the lease must be a whole number of seconds"},
    {"dhcp-client-both.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 6,
     "Invalid attribute link for element dhcp-client"},
    {"dhcp-unknown-radio.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "dhcp-client: wireless: mn has no <wireless> named 'wlan1'"},
    {"dhcp-two-clients.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "dhcp-client: mn/wlan0 already has a DHCP client"},
};

static void check_rejected(const char *path, int code, int line,
                           const char *fragment) {
  g_autoptr(GError) error = NULL;
  struct sim *sim = scenario_load(path, NULL, NULL, &error);
  if (sim) {
    test_sim_free_checked(sim);
    fail_msg("%s was accepted", path);
  }
  assert_non_null(error);
  assert_true(g_error_matches(error, MIPSIM_SCENARIO_ERROR, code));
  g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, line);
  if (!g_str_has_prefix(error->message, prefix) ||
      !strstr(error->message, fragment))
    fail_msg("%s: got \"%s\", expected \"%s...%s\"", path, error->message,
             prefix, fragment);
}

static void test_bad_files(void **state) {
  (void)state;
  g_autofree char *dir = source_path("tests/bad");
  for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
    const struct bad_case *c = &bad_cases[i];
    g_autofree char *path = g_build_filename(dir, c->file, NULL);
    check_rejected(path, c->code, c->line, c->fragment);
  }

  /* A file added to tests/bad without an entry above is a mistake. */
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  assert_non_null(d);
  const char *name;
  unsigned files = 0;
  while ((name = g_dir_read_name(d))) {
    if (!g_str_has_suffix(name, ".xml"))
      continue;
    files++;
    size_t i = 0;
    while (i < G_N_ELEMENTS(bad_cases) && strcmp(bad_cases[i].file, name))
      i++;
    if (i == G_N_ELEMENTS(bad_cases))
      fail_msg("tests/bad/%s has no entry in bad_cases", name);
  }
  assert_int_equal(files, G_N_ELEMENTS(bad_cases));
}

/* Temporary files for the tests below, removed by teardown. */
struct tmp {
  char *dir;
  GPtrArray *files;
};

static int tmp_setup(void **state) {
  struct tmp *t = g_new0(struct tmp, 1);
  t->dir = g_dir_make_tmp("mipsim-test-scenario-XXXXXX", NULL);
  t->files = g_ptr_array_new_with_free_func(g_free);
  *state = t;
  return t->dir ? 0 : -1;
}

static int tmp_teardown(void **state) {
  struct tmp *t = *state;
  for (guint i = 0; i < t->files->len; i++)
    g_remove(g_ptr_array_index(t->files, i));
  g_rmdir(t->dir);
  g_ptr_array_unref(t->files);
  g_free(t->dir);
  g_free(t);
  return 0;
}

static char *tmp_write(struct tmp *t, const char *name, const char *text,
                       gssize len) {
  char *path = g_build_filename(t->dir, name, NULL);
  assert_true(g_file_set_contents(path, text, len, NULL));
  g_ptr_array_add(t->files, g_strdup(path));
  return path;
}

static const char tiny[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario xmlns=\"urn:mipsim:scenario:1\" duration=\"1s\">\n"
    "  <host name=\"a\"/>\n"
    "</scenario>\n";

static void test_defaults_and_io(void **state) {
  struct tmp *t = *state;
  g_autofree char *path = tmp_write(t, "my-net.xml", tiny, -1);
  g_autoptr(GError) error = NULL;
  struct sim *sim = scenario_load(path, NULL, NULL, &error);
  assert_non_null(sim);
  /* The name comes from the file, the seed defaults to 1. */
  assert_string_equal(sim->name, "my-net");
  assert_int_equal(sim->seed, 1);
  assert_true(sim->computed_routes);
  assert_int_equal(sim->metric, ROUTE_METRIC_DELAY);
  assert_false(sim->record_pcap);
  assert_int_equal(sim->flows->len, 0);
  test_sim_free_checked(sim);

  g_autofree char *missing = g_build_filename(t->dir, "missing.xml", NULL);
  sim = scenario_load(missing, NULL, NULL, &error);
  assert_null(sim);
  assert_true(
      g_error_matches(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO));
  g_autofree char *prefix = g_strdup_printf("%s:0: ", missing);
  assert_true(g_str_has_prefix(error->message, prefix));
  g_clear_error(&error);

  /* A directory is not read (nor would a FIFO be, which would block). */
  sim = scenario_load(t->dir, NULL, NULL, &error);
  assert_null(sim);
  assert_true(
      g_error_matches(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO));
}

/* MIPSIM_SCHEMA_DIR wins; a missing or broken schema is an I/O error that
 * names the schema file. */
static void test_schema_dir(void **state) {
  struct tmp *t = *state;
  g_autofree char *path = tmp_write(t, "tiny.xml", tiny, -1);
  g_autofree char *old = g_strdup(g_getenv("MIPSIM_SCHEMA_DIR"));
  assert_true(g_setenv("MIPSIM_SCHEMA_DIR", t->dir, TRUE));

  g_autofree char *schema = scenario_schema_path();
  g_autofree char *expected = g_build_filename(t->dir, "mipsim.rng", NULL);
  assert_string_equal(schema, expected);

  g_autoptr(GError) error = NULL;
  assert_null(scenario_load(path, NULL, NULL, &error));
  assert_true(
      g_error_matches(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO));
  assert_true(g_str_has_prefix(error->message, expected));
  g_clear_error(&error);

  g_free(tmp_write(t, "mipsim.rng",
                   "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\">"
                   "<start><ref name=\"nowhere\"/></start></grammar>",
                   -1));
  assert_null(scenario_load(path, NULL, NULL, &error));
  assert_true(
      g_error_matches(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO));
  g_autofree char *prefix = g_strdup_printf("%s:1: ", expected);
  assert_true(g_str_has_prefix(error->message, prefix));

  if (old)
    g_setenv("MIPSIM_SCHEMA_DIR", old, TRUE);
  else
    g_unsetenv("MIPSIM_SCHEMA_DIR");
  g_autofree char *source = scenario_schema_path();
  assert_true(g_file_test(source, G_FILE_TEST_IS_REGULAR));
}

/* The demo and the mobile scenario cut at every 50th byte: each piece is
 * rejected (only the whole file is accepted), with a located message, and
 * nothing leaks. */
static void truncate_file(struct tmp *t, const char *relative) {
  g_autofree char *whole = source_path(relative);
  g_autofree char *text = NULL;
  gsize len = 0;
  assert_true(g_file_get_contents(whole, &text, &len, NULL));
  g_autofree char *name = g_path_get_basename(relative);
  g_autofree char *path = tmp_write(t, name, "", 0);
  g_autofree char *prefix = g_strdup_printf("%s:", path);
  for (gsize cut = 0; cut < len; cut += 50) {
    assert_true(g_file_set_contents(path, text, (gssize)cut, NULL));
    g_autoptr(GError) error = NULL;
    struct sim *sim = scenario_load(path, NULL, NULL, &error);
    /* Only whitespace is missing after the root element's end. */
    if (sim) {
      assert_true(cut > len - 3);
      test_sim_free_checked(sim);
      continue;
    }
    assert_true(g_str_has_prefix(error->message, prefix));
  }
}

static void test_truncated(void **state) {
  truncate_file(*state, "scenarios/demo.xml");
  truncate_file(*state, "tests/scenarios/good-mobile.xml");
}

/* Over a long run, an exponential on/off source with means on 1 s and off
 * 1.5 s is on about 40 % of the time; a Pareto one with the same means
 * draws other periods from its own stream. */
static const char onoff_run[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario xmlns=\"urn:mipsim:scenario:1\" duration=\"1000s\">\n"
    "  <host name=\"a\"/>\n"
    "  <host name=\"b\"/>\n"
    "  <link name=\"l\" bandwidth=\"100Mbps\" delay=\"1ms\">\n"
    "    <end node=\"a\" ipv4=\"10.0.0.1/24\"/>\n"
    "    <end node=\"b\" ipv4=\"10.0.0.2/24\"/>\n"
    "  </link>\n"
    "  <onoff name=\"e\" from=\"a\" to=\"b\" interval=\"100ms\" on=\"1s\"\n"
    "         off=\"1.5s\"/>\n"
    "  <onoff name=\"p\" from=\"a\" to=\"b\" interval=\"100ms\" on=\"1s\"\n"
    "         off=\"1.5s\" distribution=\"pareto\" shape=\"1.5\"/>\n"
    "</scenario>\n";

static void test_onoff_periods(void **state) {
  struct tmp *t = *state;
  g_autofree char *path = tmp_write(t, "onoff.xml", onoff_run, -1);
  g_autoptr(GError) error = NULL;
  struct sim *sim = scenario_load(path, NULL, NULL, &error);
  assert_non_null(sim);
  sim_run(sim, 0, NULL, NULL);
  struct flow *e = g_ptr_array_index(sim->flows, 0);
  struct flow *p = g_ptr_array_index(sim->flows, 1);
  /* Always on, each would send 10000 datagrams. */
  assert_true(e->sent > 3500 && e->sent < 4500);
  assert_true(p->sent > 0 && p->sent < 10000 && p->sent != e->sent);
  test_sim_free_checked(sim);
}

/* TCP applications: kinds, addresses and defaults of the flows, then a
 * run in which every transfer and exchange completes.  The sinks' ports
 * are unique per node only: "udp" may take b's TCP port 40000 on a.
 * RTT 40 ms: a 2920-byte window caps "narrow" at 2 segments per RTT,
 * while "wide" (default window, 65535 bytes) is done after a few RTTs of
 * slow start. */
static const char tcp_run[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario xmlns=\"urn:mipsim:scenario:1\" duration=\"5s\">\n"
    "  <host name=\"a\"/>\n"
    "  <router name=\"r\"/>\n"
    "  <host name=\"b\"/>\n"
    "  <link name=\"l1\" bandwidth=\"100Mbps\" delay=\"10ms\">\n"
    "    <end node=\"a\" ipv4=\"10.0.1.1/24\" ipv6=\"2001:db8:1::1/64\"/>\n"
    "    <end node=\"r\" ipv4=\"10.0.1.2/24\" ipv6=\"2001:db8:1::2/64\"/>\n"
    "  </link>\n"
    "  <link name=\"l2\" bandwidth=\"100Mbps\" delay=\"10ms\">\n"
    "    <end node=\"r\" ipv4=\"10.0.2.1/24\" ipv6=\"2001:db8:2::1/64\"/>\n"
    "    <end node=\"b\" ipv4=\"10.0.2.2/24\" ipv6=\"2001:db8:2::2/64\"/>\n"
    "  </link>\n"
    "  <tcp-bulk name=\"wide\" from=\"a\" to=\"b\" size=\"100kB\"/>\n"
    "  <tcp-bulk name=\"narrow\" from=\"a\" to=\"b\" size=\"100kB\"\n"
    "            window=\"2920B\"/>\n"
    "  <tcp-bulk name=\"endless\" from=\"a\" to=\"b\" window=\"8KiB\"\n"
    "            start=\"1s\" stop=\"2s\"/>\n"
    "  <tcp-rr name=\"web\" from=\"b\" to=\"a\" family=\"ipv6\"\n"
    "          port=\"8080\" request=\"300B\" response=\"20KB\"\n"
    "          think=\"100ms\" count=\"5\"/>\n"
    "  <tcp-rr name=\"chat\" from=\"a\" to=\"b\" address=\"10.0.2.2\"\n"
    "          request=\"1B\" response=\"1B\" count=\"0\" think=\"1s\"\n"
    "          start=\"1s\" stop=\"3500ms\"/>\n"
    "  <cbr name=\"udp\" from=\"b\" to=\"a\" port=\"40000\"\n"
    "       interval=\"100ms\"/>\n"
    "</scenario>\n";

static void assert_tcp_done(const struct sim *sim, const char *name,
                            uint64_t delivered, uint64_t exchanges) {
  struct tcp_app_report r;
  assert_true(tcp_app_report(sim, name, &r));
  if (delivered)
    assert_int_equal(r.delivered, delivered);
  assert_int_equal(r.exchanges, exchanges);
  assert_int_equal(r.corrupt, 0);
  assert_int_equal(r.excess, 0);
  /* The client closes first and is in TIME-WAIT (60 s) when the run
   * ends; the server has closed. */
  assert_false(r.client_closed);
  assert_true(r.server_closed);
  assert_int_equal(r.server_why, TCP_CLOSED_NORMAL);
}

static void test_tcp_flows(void **state) {
  struct tmp *t = *state;
  g_autofree char *path = tmp_write(t, "tcp.xml", tcp_run, -1);
  g_autoptr(GError) error = NULL;
  struct sim *sim = scenario_load(path, NULL, NULL, &error);
  if (!sim)
    fail_msg("%s", error->message);

  assert_int_equal(sim->flows->len, 6);
  static const struct {
    const char *name, *kind, *delay_kind, *src, *dst;
  } expected[] = {
      {"wide", "tcp-bulk", "-", "10.0.1.1", "10.0.2.2"},
      {"narrow", "tcp-bulk", "-", "10.0.1.1", "10.0.2.2"},
      {"endless", "tcp-bulk", "-", "10.0.1.1", "10.0.2.2"},
      {"web", "tcp-rr", "response", "2001:db8:2::2", "2001:db8:1::1"},
      {"chat", "tcp-rr", "response", "10.0.1.1", "10.0.2.2"},
      {"udp", "udp-cbr", "one-way", "10.0.2.2", "10.0.1.1"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
    struct flow *f = g_ptr_array_index(sim->flows, i);
    assert_string_equal(f->name, expected[i].name);
    assert_string_equal(f->kind, expected[i].kind);
    assert_string_equal(f->delay_kind, expected[i].delay_kind);
    assert_addr(&f->src, expected[i].src);
    assert_addr(&f->dst, expected[i].dst);
    assert_int_equal(f->is_tcp, i < 5);
  }

  sim_run(sim, 0, NULL, NULL);
  assert_tcp_done(sim, "wide", 100000, 0);
  assert_tcp_done(sim, "narrow", 100000, 0);
  assert_tcp_done(sim, "web", 5 * 20000, 5);
  /* Requests at 1 s, 2 s, 3 s: none may start at 3.5 s or later. */
  assert_tcp_done(sim, "chat", 3, 3);
  /* No size: it sends until stop, then closes. */
  struct tcp_app_report r;
  assert_true(tcp_app_report(sim, "endless", &r));
  assert_true(r.delivered > 100000);
  assert_tcp_done(sim, "endless", 0, 0);
  assert_false(tcp_app_report(sim, "udp", &r));

  struct flow *wide = test_flow(sim, "wide");
  struct flow *narrow = test_flow(sim, "narrow");
  assert_int_equal(wide->received_bytes, 100000);
  assert_int_equal(narrow->received_bytes, 100000);
  assert_true(wide->completed - wide->started < 600 * SIM_MS);
  /* 100000 / 2920 windows, one per RTT of at least 40 ms. */
  assert_true(narrow->completed - narrow->started > 1300 * SIM_MS);
  struct flow *web = test_flow(sim, "web");
  assert_int_equal(web->received, 5);
  assert_true(web->completed >= 0);
  /* Only a count completes a request/response flow. */
  assert_int_equal(test_flow(sim, "chat")->completed, -1);
  assert_int_equal(test_flow(sim, "endless")->completed, -1);
  assert_true(test_flow(sim, "udp")->received > 0);
  test_sim_free_checked(sim);
}

/* The TCP test scenario: the bulk transfer completes despite the outage,
 * which costs retransmission timeouts, and every exchange completes. */
static void test_tcp_scenario(void **state) {
  (void)state;
  struct sim *sim = load_ok("tests/scenarios/tcp.xml", NULL);
  assert_int_equal(sim->bin_width, 100 * SIM_MS);
  assert_int_equal(sim->faults->len, 2);
  struct flow *ftp = test_flow(sim, "ftp");
  struct flow *web = test_flow(sim, "web");
  assert_string_equal(ftp->kind, "tcp-bulk");
  assert_string_equal(web->kind, "tcp-rr");
  assert_int_equal(web->dst.family, 6);
  sim_run(sim, 0, NULL, NULL);
  assert_tcp_done(sim, "ftp", 2000000, 0);
  assert_tcp_done(sim, "web", 10 * 20000, 10);
  assert_true(ftp->completed >= 0 && web->completed >= 0);
  assert_true(ftp->timeouts >= 1 && ftp->retransmits >= 1);
  test_sim_free_checked(sim);
}

/* Loads share nothing: several threads load at once. */
static gpointer load_repeatedly(gpointer data) {
  for (int i = 0; i < 5; i++) {
    struct sim *sim = scenario_load(data, NULL, NULL, NULL);
    if (!sim)
      return GINT_TO_POINTER(FALSE);
    /* cmocka may fail a test only from the thread running it: the leak
     * check of test_sim_free_checked, by hand. */
    sim_teardown(sim);
    bool drained =
        sched_pending_count(&sim->sched) == 0 && pkt_pool_live(&sim->pool) == 0;
    sim_free(sim);
    if (!drained)
      return GINT_TO_POINTER(FALSE);
  }
  return GINT_TO_POINTER(TRUE);
}

static void test_threads(void **state) {
  (void)state;
  g_autofree char *demo = source_path("scenarios/demo.xml");
  GThread *threads[4];
  for (unsigned i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("load", load_repeatedly, demo);
  for (unsigned i = 0; i < G_N_ELEMENTS(threads); i++)
    assert_true(GPOINTER_TO_INT(g_thread_join(threads[i])));
}

/* ---- The loader API: readers and references ---- */

/* A document named t.xml whose element <el ATTRS/> is on line 2. */
static xmlDoc *reader_doc(const char *attrs, xmlNode **el) {
  g_autofree char *text = g_strdup_printf("<doc>\n<el %s/>\n</doc>\n", attrs);
  xmlDoc *doc = xmlReadMemory(text, (int)strlen(text), "t.xml", NULL, 0);
  assert_non_null(doc);
  *el = xmlDocGetRootElement(doc)->children;
  while ((*el)->type != XML_ELEMENT_NODE)
    *el = (*el)->next;
  return doc;
}

/* The error names file, line and element, then says problem (the units
 * parsers may add an example after it). */
static void assert_located(GError **error, const char *problem) {
  assert_non_null(*error);
  g_autofree char *expected = g_strconcat("t.xml:2: el: ", problem, NULL);
  if (!g_str_has_prefix((*error)->message, expected))
    fail_msg("got \"%s\", expected \"%s...\"", (*error)->message, expected);
  assert_true(g_error_matches(*error, MIPSIM_SCENARIO_ERROR,
                              MIPSIM_SCENARIO_ERROR_INVALID));
  g_clear_error(error);
}

/* Each reader of the family: a good value, a bad unit or syntax, a value
 * out of range; an absent attribute keeps the default. */
static void test_load_readers(void **state) {
  (void)state;
  struct load_ctx ctx;
  load_ctx_init(&ctx, "t.xml", NULL);
  xmlNode *el;
  xmlDoc *doc = reader_doc(
      "t=\"10ms\" badt=\"5 parsecs\" zero=\"0s\" r=\"10Mbps\" badr=\"10MB\" "
      "s=\"1500B\" small=\"40B\" c=\"7\" c0=\"0\" big=\"300\" badc=\"7x\" "
      "p=\"0.25\" badp=\"1.5\" yes=\"true\" no=\"false\" x=\"-5km\" "
      "far=\"200000km\" badx=\"5 parsecs\" v=\"3m/s\" fast=\"400000000m/s\" "
      "badv=\"10 knots\" n=\"2.5\" a=\"10.0.0.1\" a6=\"2001:db8::1\" "
      "bada=\"10.0.0.300\" k=\"sticky\" badk=\"random\" k3=\"b\" "
      "badk3=\"d\" pfx=\"10.0.0.1/24\" net=\"10.0.0.0/24\" "
      "pfx6=\"2001:db8::1/64\"",
      &el);
  g_autoptr(GError) error = NULL;

  int64_t t = -1;
  assert_true(load_get_time(&ctx, el, "absent", &t, &error));
  assert_int_equal(t, -1);
  assert_true(load_get_time(&ctx, el, "t", &t, &error));
  assert_int_equal(t, 10 * SIM_MS);
  assert_false(load_get_time(&ctx, el, "badt", &t, &error));
  assert_located(&error, "badt: '5 parsecs' is not a time: unknown unit "
                         "'parsecs'");
  t = -1;
  assert_true(load_get_duration(&ctx, el, "t", &t, &error));
  assert_int_equal(t, 10 * SIM_MS);
  assert_false(load_get_duration(&ctx, el, "zero", &t, &error));
  assert_located(&error, "zero: must be greater than zero");

  uint64_t u = 0;
  assert_true(load_get_rate(&ctx, el, "r", &u, &error));
  assert_int_equal(u, 10000000);
  assert_false(load_get_rate(&ctx, el, "badr", &u, &error));
  assert_located(&error, "badr: '10MB' is not a rate: unknown unit 'MB'");

  assert_true(load_get_size(&ctx, el, "s", 68, 65535, &u, &error));
  assert_int_equal(u, 1500);
  assert_false(load_get_size(&ctx, el, "small", 68, 65535, &u, &error));
  assert_located(&error, "small: '40B' is out of range (68B to 65535B)");
  assert_false(load_get_size(&ctx, el, "badt", 0, 10, &u, &error));
  assert_true(g_str_has_prefix(error->message, "t.xml:2: el: badt: '5 "
                                               "parsecs' is not a size"));
  g_clear_error(&error);

  assert_true(load_get_count(&ctx, el, "c", 1, 255, &u, &error));
  assert_int_equal(u, 7);
  assert_false(load_get_count(&ctx, el, "c0", 1, UINT64_MAX, &u, &error));
  assert_located(&error, "c0: must be at least 1, not 0");
  assert_false(load_get_count(&ctx, el, "big", 1, 255, &u, &error));
  assert_located(&error, "big: 300 is out of range (1 to 255)");
  assert_false(load_get_count(&ctx, el, "badc", 1, 255, &u, &error));
  assert_true(g_str_has_prefix(error->message, "t.xml:2: el: badc: "));
  g_clear_error(&error);

  double d = 0;
  assert_true(load_get_probability(&ctx, el, "p", &d, &error));
  assert_float_equal(d, 0.25, 1e-12);
  assert_false(load_get_probability(&ctx, el, "badp", &d, &error));
  assert_located(&error, "badp: '1.5' is not a probability (expected 0 to "
                         "1, or 0% to 100%)");

  bool b = false;
  load_get_bool(el, "yes", &b);
  assert_true(b);
  load_get_bool(el, "absent", &b);
  assert_true(b);
  load_get_bool(el, "no", &b);
  assert_false(b);

  assert_true(load_get_distance(&ctx, el, "x", LOAD_ANY_SIGN, &d, &error));
  assert_float_equal(d, -5000, 1e-9);
  assert_false(load_get_distance(&ctx, el, "x", LOAD_POSITIVE, &d, &error));
  assert_located(&error, "x: must be greater than zero, not -5km");
  assert_false(load_get_distance(&ctx, el, "x", LOAD_NOT_NEGATIVE, &d, &error));
  assert_located(&error, "x: must not be negative, not -5km");
  assert_false(load_get_distance(&ctx, el, "far", LOAD_ANY_SIGN, &d, &error));
  assert_located(&error,
                 "far: 200000km is out of range (-100000km to 100000km)");
  assert_false(load_get_distance(&ctx, el, "badx", LOAD_ANY_SIGN, &d, &error));
  assert_located(&error, "badx: '5 parsecs' is not a distance: unknown unit "
                         "'parsecs'");

  assert_true(load_get_speed(&ctx, el, "v", LOAD_POSITIVE, &d, &error));
  assert_float_equal(d, 3, 1e-12);
  assert_false(load_get_speed(&ctx, el, "fast", LOAD_POSITIVE, &d, &error));
  assert_located(&error, "fast: 400000000m/s is out of range (at most "
                         "299792458m/s, the speed of light)");
  assert_false(load_get_speed(&ctx, el, "badv", LOAD_ANY_SIGN, &d, &error));
  assert_located(&error, "badv: '10 knots' is not a speed: unknown unit "
                         "'knots'");

  assert_true(load_get_number(&ctx, el, "n", &d, &error));
  assert_float_equal(d, 2.5, 1e-12);
  assert_false(load_get_number(&ctx, el, "x", &d, &error));
  assert_true(g_str_has_prefix(error->message, "t.xml:2: el: x: "));
  g_clear_error(&error);

  uint32_t v4 = 0;
  assert_true(load_get_v4(&ctx, el, "a", &v4, &error));
  assert_int_equal(v4, 0x0a000001);
  assert_false(load_get_v4(&ctx, el, "a6", &v4, &error));
  assert_located(&error, "a6: '2001:db8::1' is not an IPv4 address");
  assert_false(load_get_v4(&ctx, el, "bada", &v4, &error));
  assert_located(&error, "bada: '10.0.0.300' is not an IPv4 or IPv6 address");

  static const struct load_keyword two[] = {
      {"nearest", 1}, {"sticky", 2}, {NULL, 0}};
  static const struct load_keyword three[] = {
      {"a", 1}, {"b", 2}, {"c", 3}, {NULL, 0}};
  int k = 0;
  assert_true(load_get_keyword(&ctx, el, "k", two, &k, &error));
  assert_int_equal(k, 2);
  assert_false(load_get_keyword(&ctx, el, "badk", two, &k, &error));
  assert_located(&error, "badk: 'random' is neither nearest nor sticky");
  k = 0;
  assert_true(load_get_keyword(&ctx, el, "k3", three, &k, &error));
  assert_int_equal(k, 2);
  assert_false(load_get_keyword(&ctx, el, "badk3", three, &k, &error));
  assert_located(&error, "badk3: 'd' is not one of a, b or c");

  /* An interface address is claimed: the second use names the first. */
  struct prefix p = {0};
  assert_true(load_get_iface_addr(&ctx, el, "pfx", 4, &p, &error));
  assert_prefix(&p, "10.0.0.1/24");
  assert_false(load_get_iface_addr(&ctx, el, "pfx", 4, &p, &error));
  assert_located(&error, "pfx: address 10.0.0.1 is already used on line 2");
  assert_false(load_get_iface_addr(&ctx, el, "net", 4, &p, &error));
  assert_located(&error,
                 "net: 10.0.0.0/24 is the network address of its subnet");
  assert_false(load_get_iface_addr(&ctx, el, "pfx6", 4, &p, &error));
  assert_located(&error, "pfx6: '2001:db8::1/64' is an IPv6 address");

  /* Modules' readers are the same family. */
  struct module_ctx mctx = {.path = "t.xml"};
  assert_false(module_get_time(el, "zero", &t, &mctx, &error));
  assert_located(&error, "zero: must be greater than zero");
  unsigned count = 3;
  assert_true(module_get_count(el, "absent", &count, &mctx, &error));
  assert_int_equal(count, 3);
  assert_false(module_get_count(el, "c0", &count, &mctx, &error));
  assert_located(&error, "c0: 0 is out of range (1 to 100000)");
  assert_false(module_get_v4(el, "absent", &v4, true, &mctx, &error));
  assert_located(&error, "absent: missing");
  module_error(&error, &mctx, el, "%s", "problem");
  assert_located(&error, "problem");

  xmlFreeDoc(doc);
  load_ctx_clear(&ctx);
}

/* References resolve names of their kind, and name what is missing. */
static void test_load_refs(void **state) {
  (void)state;
  struct sim *sim = sim_new("refs", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct link *l = link_new(sim, "l", &link_p2p_ops, 1000000, SIM_MS);
  struct link *m = link_new(sim, "m", &link_p2p_ops, 1000000, SIM_MS);
  struct iface *a_l = iface_new(a, l);
  struct load_ctx ctx;
  load_ctx_init(&ctx, "t.xml", sim);
  xmlNode *el;
  xmlDoc *doc = reader_doc("name=\"a\" node=\"a\" ghost=\"zz\" link=\"l\" "
                           "other=\"m\" cell=\"c9\" wireless=\"w\"",
                           &el);
  g_autoptr(GError) error = NULL;

  struct load_name *d = load_define(&ctx, el, LOAD_NODE, "node", &error);
  assert_non_null(d);
  d->obj = a;
  assert_null(load_define(&ctx, el, LOAD_NODE, "node", &error));
  assert_located(&error, "duplicate node name 'a' (first defined on line 2)");
  load_define_key(&ctx, LOAD_LINK, "l", l, el);
  load_define_key(&ctx, LOAD_LINK, "m", m, el);

  struct node *node = NULL;
  assert_true(load_node_ref(&ctx, el, "node", &node, &error));
  assert_ptr_equal(node, a);
  assert_false(load_node_ref(&ctx, el, "ghost", &node, &error));
  assert_located(&error, "ghost: there is no host or router named 'zz'");
  assert_false(load_node_ref(&ctx, el, "absent", &node, &error));
  assert_located(&error, "the absent attribute is missing");

  struct link *link = NULL;
  assert_true(load_link_ref(&ctx, el, "link", &link, &error));
  assert_ptr_equal(link, l);
  assert_false(load_link_ref(&ctx, el, "ghost", &link, &error));
  assert_located(&error, "ghost: there is no link or lan named 'zz'");

  struct iface *iface = NULL;
  assert_true(load_link_iface_ref(&ctx, el, "link", a, &iface, &error));
  assert_ptr_equal(iface, a_l);
  assert_false(load_link_iface_ref(&ctx, el, "other", a, &iface, &error));
  assert_located(&error, "other: a is not attached to m");

  struct cell *cell = NULL;
  assert_false(load_cell_ref(&ctx, el, "cell", &cell, &error));
  assert_located(&error, "cell: there is no cell named 'c9'");
  load_define_key(&ctx, LOAD_RADIO, "a/w", a_l, el);
  assert_true(load_radio_ref(&ctx, el, "wireless", a, &iface, &error));
  assert_ptr_equal(iface, a_l);
  assert_false(load_radio_ref(&ctx, el, "name", a, &iface, &error));
  assert_located(&error, "name: a has no <wireless> named 'a'");

  /* Claims hold a key for the first element. */
  assert_int_equal(load_claim(&ctx, "port", "a 40000", el), 0);
  assert_int_equal(load_claim(&ctx, "port", "a 40000", el), 2);
  assert_int_equal(load_claim(&ctx, "route", "a 40000", el), 0);

  xmlFreeDoc(doc);
  load_ctx_clear(&ctx);
  sim_free(sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_minimal),
      cmocka_unit_test(test_demo),
      cmocka_unit_test(test_good_mobile),
      cmocka_unit_test(test_handoff_scenario),
      cmocka_unit_test(test_dhcp_scenario),
      cmocka_unit_test(test_units_distance_speed),
      cmocka_unit_test(test_overrides),
      cmocka_unit_test(test_bad_files),
      cmocka_unit_test_setup_teardown(test_defaults_and_io, tmp_setup,
                                      tmp_teardown),
      cmocka_unit_test_setup_teardown(test_schema_dir, tmp_setup, tmp_teardown),
      cmocka_unit_test_setup_teardown(test_onoff_periods, tmp_setup,
                                      tmp_teardown),
      cmocka_unit_test_setup_teardown(test_tcp_flows, tmp_setup, tmp_teardown),
      cmocka_unit_test(test_tcp_scenario),
      cmocka_unit_test_setup_teardown(test_truncated, tmp_setup, tmp_teardown),
      cmocka_unit_test(test_threads),
      cmocka_unit_test(test_load_readers),
      cmocka_unit_test(test_load_refs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
