/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark of packet forwarding along chains of routers: hop rate, events
 * per hop, memory per node, and the time to set up a 50,000-node chain
 * through the API and from a scenario file. */
#include <glib.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sim/apps/traffic.h"
#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"
#include "sim/scenario/scenario.h"

#define REPEATS 5
#define LINK_BPS 1000000000ULL
#define LINK_DELAY (100 * SIM_US)
#define PAYLOAD 512
#define INTERVAL (10 * SIM_US)
#define PORT 40000
#define BIG_CHAIN 50000
/* A TTL cannot cross more than 254 routers, so on longer chains every
 * TTL_REFRESH-th router restores it: few enough hooks (one per 200 nodes)
 * not to show in the bytes per node. */
#define TTL_REFRESH 200
#define TTL_MAX_ROUTERS 254

/* Forwarded hops per timed run: 1 to 2 s at the rates measured when this
 * benchmark was written (5M to 10M hops/s). */
#define HOPS_FULL 10000000
#define HOPS_QUICK 200000

/* The targets the kernel has to meet. */
#define TARGET_CHAIN16_HOPS 2000000.0
#define TARGET_CHAIN256_HOPS 1300000.0
#define TARGET_EVENTS_PER_HOP 2.0
#define TARGET_BYTES_PER_NODE 4096.0
#define TARGET_SETUP_S 1.0

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof v[0], cmp_double);
  return v[n / 2];
}

/* Heap bytes in use.  Blocks above the mmap threshold (the big pointer
 * arrays of a 50,000-node run) are not in uordblks, so hblkhd is added. */
static double heap_bytes(void) {
  struct mallinfo2 mi = mallinfo2();
  return (double)(mi.uordblks + mi.hblkhd);
}

static const char *verdict(bool ok) {
  return ok ? "PASS" : "MISS";
}

/* Link i of a chain is the /30 10.0.0.0 + 4i: room for 4M links. */
static uint32_t link_net(uint32_t i) {
  return 0x0a000000u + 4 * i;
}

/* A PRE_ROUTING hook: TTL back to 255, checksum updated (RFC 1624). */
static struct ip_verdict refresh_ttl(void *ctx, struct node *node,
                                     struct pkt *pkt, struct iface *in,
                                     struct iface *out) {
  uint8_t *h = pkt->data;
  if (pkt->len < IP4_HLEN || h[0] >> 4 != 4)
    return IP_ACCEPT;
  uint16_t old = load_be16(h + IP4_OFF_TTL);
  h[IP4_OFF_TTL] = 255;
  put_be16(h + IP4_OFF_CSUM,
           inet_csum_update16(load_be16(h + IP4_OFF_CSUM), old,
                              load_be16(h + IP4_OFF_TTL)));
  return IP_ACCEPT;
}

/* n nodes, hosts at the ends and routers between, and a UDP CBR flow from
 * the first to the last (count 0: until the end of the run). */
static struct sim *chain_new(uint32_t n, int64_t duration, uint64_t count) {
  struct sim *sim = sim_new("chain", 1, 0);
  sim->duration = duration;
  bool refresh = n - 2 > TTL_MAX_ROUTERS;
  char name[32];
  for (uint32_t i = 0; i < n; i++) {
    snprintf(name, sizeof name, "n%u", i);
    struct node *node = node_new(sim, name, i > 0 && i < n - 1);
    if (refresh && node->router && i % TTL_REFRESH == 0)
      ip_hook_add(node, IP_HOOK_PRE_ROUTING, IP_HOOK_PRIO_FILTER, refresh_ttl,
                  NULL);
  }
  for (uint32_t i = 0; i + 1 < n; i++) {
    snprintf(name, sizeof name, "l%u", i);
    struct link *l = link_new(sim, name, &link_p2p_ops, LINK_BPS, LINK_DELAY);
    struct prefix a = {.addr = addr_v4(link_net(i) + 1), .len = 30};
    struct prefix b = {.addr = addr_v4(link_net(i) + 2), .len = 30};
    iface_add_addr(iface_new(g_ptr_array_index(sim->nodes, i), l), &a);
    iface_add_addr(iface_new(g_ptr_array_index(sim->nodes, i + 1), l), &b);
  }
  struct cbr_config cfg = {
      .name = "f",
      .from = g_ptr_array_index(sim->nodes, 0),
      .sink = g_ptr_array_index(sim->nodes, n - 1),
      .dst = addr_v4(link_net(n - 2) + 2),
      .port = PORT,
      .size = PAYLOAD,
      .interval = INTERVAL,
      .count = count,
      .ttl = 255,
  };
  GError *error = NULL;
  if (!cbr_new(sim, &cfg, &error))
    g_error("cbr_new: %s", error->message);
  return sim;
}

static uint64_t hops(const struct sim *sim) {
  uint64_t sum = 0;
  for (guint i = 0; i < sim->links->len; i++)
    sum += ((struct link *)g_ptr_array_index(sim->links, i))->cnt.rx_packets;
  return sum;
}

struct forward_result {
  double hops_per_s; /* median */
  double events_per_hop;
  double wall_s; /* median length of a run, in wall-clock seconds */
};

/* Forwards for long enough to make about hop_budget hops; each repetition
 * builds a fresh chain so that every run does the same work. */
static struct forward_result forward(uint32_t n, uint64_t hop_budget,
                                     int repeats) {
  int64_t duration = (int64_t)(hop_budget / (n - 1)) * INTERVAL;
  double rates[REPEATS], walls[REPEATS];
  double events_per_hop = 0;
  for (int r = 0; r < repeats; r++) {
    struct sim *sim = chain_new(n, duration, 0);
    double t0 = seconds_now();
    sim_run(sim, 0, NULL, NULL);
    double t1 = seconds_now();
    uint64_t h = hops(sim);
    g_assert(h > 0);
    rates[r] = (double)h / (t1 - t0);
    walls[r] = t1 - t0;
    events_per_hop = (double)sim->sched.dispatched / (double)h;
    sim_free(sim);
  }
  return (struct forward_result){.hops_per_s = median(rates, repeats),
                                 .events_per_hop = events_per_hop,
                                 .wall_s = median(walls, repeats)};
}

static void report_forward(const char *tag, uint32_t n,
                           const struct forward_result *res, double target,
                           int repeats) {
  printf("chain of %u nodes (%u hops), median of %d runs of %.2f s:\n", n,
         n - 1, repeats, res->wall_s);
  printf("  %.2fM hops/s (target >= %.1fM): %s\n", res->hops_per_s / 1e6,
         target / 1e6, verdict(res->hops_per_s >= target));
  printf("bench: %s_hops_per_s %.0f hops/s\n", tag, res->hops_per_s);
  printf("  %.3f events per hop (target <= %.0f): %s\n", res->events_per_hop,
         TARGET_EVENTS_PER_HOP,
         verdict(res->events_per_hop <= TARGET_EVENTS_PER_HOP));
  printf("bench: %s_events_per_hop %.3f events/hop\n", tag,
         res->events_per_hop);
}

struct setup_result {
  double setup_s;      /* median: build, route, first packet across */
  double build_s;      /* median: the API calls alone */
  double built_bytes;  /* heap taken by the topology */
  double routed_bytes; /* and by the routes of the first packet */
};

/* Builds the big chain and sends one packet across it; the first route
 * lookup, at the source, computes the routing tree. */
static struct setup_result setup(int repeats) {
  double setups[REPEATS], builds[REPEATS];
  struct setup_result res = {0};
  for (int r = 0; r < repeats; r++) {
    double before = heap_bytes();
    double t0 = seconds_now();
    /* The packet needs about 5.2 s of simulated time to cross. */
    struct sim *sim = chain_new(BIG_CHAIN, 10 * SIM_S, 1);
    double t1 = seconds_now();
    double built = heap_bytes();
    sim_run(sim, 0, NULL, NULL);
    double t2 = seconds_now();
    double routed = heap_bytes();
    struct flow *f = g_ptr_array_index(sim->flows, 0);
    if (f->received != 1)
      g_error("the packet did not cross the %u-node chain", BIG_CHAIN);
    setups[r] = t2 - t0;
    builds[r] = t1 - t0;
    /* Only the first run starts from a fresh heap: GLib's slice allocator
     * keeps the blocks sim_free returns, so later runs would seem to need
     * less. */
    if (r == 0) {
      res.built_bytes = built - before;
      res.routed_bytes = routed - before;
    }
    sim_free(sim);
  }
  res.setup_s = median(setups, repeats);
  res.build_s = median(builds, repeats);
  return res;
}

/* The same chain and flow as chain_new, as a scenario file. */
static char *write_chain_xml(uint32_t n) {
  GString *x =
      g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<scenario xmlns=\"urn:mipsim:scenario:1\" name=\"chain\" "
                   "duration=\"10s\" seed=\"1\">\n"
                   "  <routing mode=\"computed\" metric=\"delay\"/>\n");
  for (uint32_t i = 0; i < n; i++)
    g_string_append_printf(x, "  <%s name=\"n%u\"/>\n",
                           i > 0 && i < n - 1 ? "router" : "host", i);
  for (uint32_t i = 0; i + 1 < n; i++) {
    uint32_t net = link_net(i);
    g_string_append_printf(
        x,
        "  <link name=\"l%u\" bandwidth=\"1Gbps\" delay=\"100us\">\n"
        "    <end node=\"n%u\" ipv4=\"10.%u.%u.%u/30\"/>\n"
        "    <end node=\"n%u\" ipv4=\"10.%u.%u.%u/30\"/>\n"
        "  </link>\n",
        i, i, (net >> 16) & 0xff, (net >> 8) & 0xff, (net & 0xff) + 1, i + 1,
        (net >> 16) & 0xff, (net >> 8) & 0xff, (net & 0xff) + 2);
  }
  g_string_append_printf(x,
                         "  <cbr name=\"f\" from=\"n0\" to=\"n%u\" "
                         "family=\"ipv4\" port=\"%d\" size=\"%dB\" "
                         "interval=\"10us\" count=\"1\" ttl=\"255\"/>\n"
                         "</scenario>\n",
                         n - 1, PORT, PAYLOAD);
  char *path = NULL;
  GError *error = NULL;
  int fd = g_file_open_tmp("bench-forward-XXXXXX.xml", &path, &error);
  if (fd < 0)
    g_error("g_file_open_tmp: %s", error->message);
  close(fd);
  if (!g_file_set_contents(path, x->str, (gssize)x->len, &error))
    g_error("%s: %s", path, error->message);
  g_string_free(x, TRUE);
  return path;
}

static double xml_load(int repeats) {
  char *path = write_chain_xml(BIG_CHAIN);
  double loads[REPEATS];
  for (int r = 0; r < repeats; r++) {
    GError *error = NULL;
    double t0 = seconds_now();
    struct sim *sim = scenario_load(path, NULL, NULL, &error);
    double t1 = seconds_now();
    if (!sim)
      g_error("%s", error->message);
    g_assert(sim->nodes->len == BIG_CHAIN);
    loads[r] = t1 - t0;
    sim_free(sim);
  }
  g_unlink(path);
  g_free(path);
  return median(loads, repeats);
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  if (argc > 2 || (argc == 2 && !quick)) {
    fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
    return 2;
  }
  int repeats = quick ? 1 : REPEATS;
  uint64_t budget = quick ? HOPS_QUICK : HOPS_FULL;

  printf("1 Gb/s links with 100 us delay; UDP, %d B payloads every 10 us\n",
         PAYLOAD);
  struct forward_result c16 = forward(16, budget, repeats);
  report_forward("chain16", 16, &c16, TARGET_CHAIN16_HOPS, repeats);
  struct forward_result c256 = forward(256, budget, repeats);
  report_forward("chain256", 256, &c256, TARGET_CHAIN256_HOPS, repeats);

  struct setup_result s = setup(repeats);
  double per_node = s.routed_bytes / BIG_CHAIN;
  printf("chain of %d nodes (times: median of %d):\n", BIG_CHAIN, repeats);
  printf("  %.0f heap bytes per node (%.0f topology, %.0f routes) "
         "(target <= %.0f): %s\n",
         per_node, s.built_bytes / BIG_CHAIN,
         (s.routed_bytes - s.built_bytes) / BIG_CHAIN, TARGET_BYTES_PER_NODE,
         verdict(per_node <= TARGET_BYTES_PER_NODE));
  printf("bench: chain50k_bytes_per_node %.0f B\n", per_node);
  printf("  set up and first packet across in %.3f s (API calls %.3f s) "
         "(target < %.0f s): %s\n",
         s.setup_s, s.build_s, TARGET_SETUP_S,
         verdict(s.setup_s < TARGET_SETUP_S));
  printf("bench: chain50k_setup_s %.3f s\n", s.setup_s);
  double xml_s = xml_load(repeats);
  printf("  loaded from XML in %.3f s\n", xml_s);
  printf("bench: chain50k_xml_load_s %.3f s\n", xml_s);

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("peak RSS %.1f MiB\n", (double)ru.ru_maxrss / 1024);
  printf("bench: peak_rss_kib %ld KiB\n", ru.ru_maxrss);
  return 0;
}
