/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark of the wireless world: 1,000 nodes moving by random waypoint
 * over 400 cells for one simulated hour, each receiving a 1 packet/s UDP
 * flow: wall time and peak memory. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/apps/traffic.h"
#include "sim/core/sim.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/mobility.h"
#include "sim/wireless/radio.h"

#define NODES 1000
#define GRID 20       /* 20 x 20 = 400 cells */
#define SPACING 100.0 /* metres between access points */
#define RADIUS 75.0   /* overlapping neighbours, gaps at corners */
#define TARGET_WALL_S 30.0
#define TARGET_RSS_MIB 500.0

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* All cells bridged onto one LAN, so every node keeps its address (and
 * its flow) wherever it goes: no Mobile IP is needed for the traffic to
 * follow it, only layer-2 handoffs. */
static struct sim *build(int64_t duration) {
  struct sim *sim = sim_new("mobility", 1, 0);
  sim->duration = duration;
  struct link *lan = link_new(sim, "core", &eth_lan_ops, 1000000000, SIM_US);
  lan->queue_limit = 1000;
  for (int i = 0; i < GRID * GRID; i++) {
    char name[32];
    g_snprintf(name, sizeof name, "cell%d", i);
    struct link *air = link_new(sim, name, &cell_link_ops, 54000000, SIM_US);
    struct vec2 pos = {SPACING * (i % GRID + 0.5), SPACING * (i / GRID + 0.5)};
    cell_bridge(cell_new(sim, name, pos, RADIUS, air), lan);
  }
  struct node *server = node_new(sim, "server", false);
  struct prefix p = {.addr = addr_v4(0x0a000001), .len = 16};
  iface_add_addr(iface_new(server, lan), &p);
  struct vec2 lo = {0, 0}, hi = {SPACING * GRID, SPACING * GRID};
  for (int i = 0; i < NODES; i++) {
    char name[32];
    g_snprintf(name, sizeof name, "mn%d", i);
    struct node *mn = node_new(sim, name, false);
    g_autofree char *stream = g_strdup_printf("node/%s/movement", name);
    struct rng r;
    sim_rng(sim, &r, stream);
    mobility_set(
        mn, mobility_random_waypoint(lo, hi, 1, 20, 0, 10 * SIM_S, &r, NULL));
    struct iface *w = radio_new(mn, "wlan", ASSOC_NEAREST, 5, 50 * SIM_MS);
    struct prefix a = {.addr = addr_v4(0x0a000100 + (uint32_t)i), .len = 16};
    iface_add_addr(w, &a);
    struct cbr_config cfg = {.name = name,
                             .from = server,
                             .sink = mn,
                             .dst = a.addr,
                             .port = 40000,
                             .size = 100,
                             .interval = SIM_S,
                             .start = (int64_t)i * SIM_MS};
    if (!cbr_new(sim, &cfg, NULL))
      abort();
  }
  return sim;
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  int64_t duration = quick ? 60 * SIM_S : 3600 * SIM_S;
  double t0 = seconds_now();
  struct sim *sim = build(duration);
  double t1 = seconds_now();
  sim_run(sim, 0, NULL, NULL);
  double t2 = seconds_now();
  uint64_t sent = 0, received = 0;
  for (guint i = 0; i < sim->flows->len; i++) {
    struct flow *f = g_ptr_array_index(sim->flows, i);
    sent += f->sent;
    received += f->received;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double rss_mib = (double)ru.ru_maxrss / 1024.0;
  double wall = t2 - t0;
  printf("%d nodes, random waypoint over %d cells, %.0f s simulated:\n", NODES,
         GRID * GRID, (double)duration / 1e9);
  printf("  set-up %.3f s, run %.3f s, %" G_GUINT64_FORMAT " events, "
         "%u handoffs, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
         " packets delivered\n",
         t1 - t0, t2 - t1, sim->sched.dispatched, sim->handoffs->len, received,
         sent);
  printf("  wall %.2f s (target < %.0f s: %s), peak RSS %.1f MiB (target < "
         "%.0f MiB: %s)\n",
         wall, TARGET_WALL_S, wall < TARGET_WALL_S ? "PASS" : "MISS", rss_mib,
         TARGET_RSS_MIB, rss_mib < TARGET_RSS_MIB ? "PASS" : "MISS");
  printf("bench: mobility_1000x400_%s_wall_s %.2f s\n", quick ? "1min" : "1h",
         wall);
  printf("bench: mobility_1000x400_%s_peak_rss_mib %.1f MiB\n",
         quick ? "1min" : "1h", rss_mib);
  printf("bench: mobility_1000x400_%s_events %" G_GUINT64_FORMAT " events\n",
         quick ? "1min" : "1h", sim->sched.dispatched);
  printf("bench: mobility_1000x400_%s_handoffs %u handoffs\n",
         quick ? "1min" : "1h", sim->handoffs->len);
  sim_free(sim);
  return 0;
}
