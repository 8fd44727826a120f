/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark of scenario set-up: generated Mobile IPv4 scenarios with 1,000
 * and 10,000 mobile nodes (--quick: 100 and 1,000), loaded and started,
 * time per node at each size and their ratio (set-up must grow linearly
 * in the number of nodes). */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocols/registry.h"
#include "sim/core/sim.h"
#include "sim/scenario/scenario.h"

#define GRID 10     /* 10 x 10 foreign-agent cells */
#define SPACING 200 /* metres between access points */
#define REPEATS 5
#define TARGET_RATIO 1.5
#define KEY "00112233445566778899aabbccddeeff"

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One home agent on a home LAN, GRID x GRID cells each served by its own
 * foreign agent, a correspondent, and n mobile nodes spread over the
 * cells, each the sink of one CBR flow from the correspondent. */
static char *scenario_text(int n) {
  GString *s = g_string_new(
      "<?xml version='1.0'?>\n"
      "<scenario xmlns='urn:mipsim:scenario:1' name='setup' duration='10s'>\n"
      "<mobility scheme='mip4-triangle'/>\n"
      "<host name='cn'/>\n<host name='lan'/>\n<router name='core'/>\n"
      "<router name='ha'>\n<home-agent link='home'>\n"
      "<mip4 advertise='1s'/>\n");
  for (int i = 0; i < n; i++)
    g_string_append_printf(s,
                           "<mobile home-address='10.1.%d.%d'/>"
                           "<security-association peer='10.1.%d.%d' "
                           "spi='256' key='" KEY "'/>\n",
                           (i + 10) / 256, (i + 10) % 256, (i + 10) / 256,
                           (i + 10) % 256);
  g_string_append(s, "</home-agent>\n</router>\n");
  for (int c = 0; c < GRID * GRID; c++)
    g_string_append_printf(s,
                           "<router name='fa%d'><access-router link='v%d'>"
                           "<mip4 advertise='1s'/></access-router></router>\n",
                           c, c);
  for (int i = 0; i < n; i++)
    g_string_append_printf(
        s,
        "<host name='mn%d'><wireless name='wlan' ipv4='10.1.%d.%d/16'/>"
        "<move at='0s' cell='v%d'/><mobile-node home-agent='10.1.0.1'>"
        "<security-association peer='10.1.0.1' spi='256' key='" KEY "'/>"
        "</mobile-node></host>\n",
        i, (i + 10) / 256, (i + 10) % 256, i % (GRID * GRID));
  g_string_append(s, "<link name='l-cn' bandwidth='1Gbps' delay='1ms'>"
                     "<end node='cn' ipv4='10.0.0.2/30'/>"
                     "<end node='core' ipv4='10.0.0.1/30'/></link>\n"
                     "<link name='l-ha' bandwidth='1Gbps' delay='1ms'>"
                     "<end node='core' ipv4='10.0.1.1/30'/>"
                     "<end node='ha' ipv4='10.0.1.2/30'/></link>\n"
                     "<lan name='home' bandwidth='1Gbps' delay='1us'>"
                     "<attach node='ha' ipv4='10.1.0.1/16'/>"
                     "<attach node='lan' ipv4='10.1.0.2/16'/></lan>\n");
  for (int c = 0; c < GRID * GRID; c++)
    g_string_append_printf(
        s,
        "<link name='l-fa%d' bandwidth='1Gbps' delay='1ms'>"
        "<end node='core' ipv4='10.200.%d.%d/30'/>"
        "<end node='fa%d' ipv4='10.200.%d.%d/30'/></link>\n"
        "<cell name='v%d' x='%dm' y='%dm' radius='150m' bandwidth='54Mbps' "
        "delay='1us'><ap node='fa%d' ipv4='172.16.%d.1/24'/></cell>\n",
        c, c * 4 / 256, c * 4 % 256 + 1, c, c * 4 / 256, c * 4 % 256 + 2, c,
        SPACING * (c % GRID), SPACING * (c / GRID), c, c);
  for (int i = 0; i < n; i++)
    g_string_append_printf(s,
                           "<cbr name='f%d' from='cn' to='mn%d' port='40000' "
                           "size='100B' interval='1s' start='1s'/>\n",
                           i, i);
  g_string_append(s, "</scenario>\n");
  return g_string_free(s, FALSE);
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median over REPEATS of the wall time to load path and start the run
 * (simulated up to 1 ns, which starts every module and application). */
static double setup_seconds(const char *path, double *load_s) {
  double total[REPEATS], load[REPEATS];
  for (int r = 0; r < REPEATS; r++) {
    GError *error = NULL;
    double t0 = seconds_now();
    struct sim *sim = scenario_load(path, registry_modules, NULL, &error);
    if (!sim) {
      fprintf(stderr, "bench-setup: %s\n", error->message);
      exit(1);
    }
    double t1 = seconds_now();
    sim_run(sim, 1, NULL, NULL);
    double t2 = seconds_now();
    sim_free(sim);
    load[r] = t1 - t0;
    total[r] = t2 - t0;
  }
  qsort(total, REPEATS, sizeof *total, compare);
  qsort(load, REPEATS, sizeof *load, compare);
  *load_s = load[REPEATS / 2];
  return total[REPEATS / 2];
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  const int sizes[] = {quick ? 100 : 1000, quick ? 1000 : 10000};
  double per_node[G_N_ELEMENTS(sizes)];
  g_autofree char *dir = g_dir_make_tmp("bench-setup-XXXXXX", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++) {
    int n = sizes[i];
    g_autofree char *text = scenario_text(n);
    g_autofree char *path = g_strdup_printf("%s/setup-%d.xml", dir, n);
    if (!g_file_set_contents(path, text, -1, NULL))
      abort();
    double load_s;
    double total_s = setup_seconds(path, &load_s);
    g_unlink(path);
    per_node[i] = total_s / n;
    printf("%d mobile nodes, %d cells: load %.3f s, load + start %.3f s, "
           "%.1f us per node\n",
           n, GRID * GRID, load_s, total_s, per_node[i] * 1e6);
    printf("bench: setup_mip4_%d_per_node_us %.1f us\n", n, per_node[i] * 1e6);
  }
  g_rmdir(dir);
  double ratio = per_node[1] / per_node[0];
  printf("  per node at %d / at %d: %.2f (target < %.1f: %s)\n", sizes[1],
         sizes[0], ratio, TARGET_RATIO, ratio < TARGET_RATIO ? "PASS" : "MISS");
  printf("bench: setup_mip4_per_node_ratio %.2f x\n", ratio);
  return 0;
}
