/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared unit-test helpers: topologies, scenario loading, the leak check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include <libxml/parser.h>
#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/pkt.h"
#include "sim/net/addr.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"
#include "sim/scenario/scenario.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/radio.h"
#include "tests/unit/helpers.h"

struct ip_addr test_ip(const char *text) {
  struct ip_addr a;
  if (!addr_parse(text, &a, NULL))
    fail_msg("bad address %s", text);
  return a;
}

struct prefix test_prefix(const char *text) {
  struct prefix p;
  if (!prefix_parse(text, &p, NULL))
    fail_msg("bad prefix %s", text);
  return p;
}

void test_addr(struct iface *iface, const char *prefix) {
  struct prefix p = test_prefix(prefix);
  iface_add_addr(iface, &p);
}

struct iface *test_attach(struct node *node, struct link *link,
                          const char *prefix) {
  struct iface *i = iface_new(node, link);
  if (prefix)
    test_addr(i, prefix);
  return i;
}

struct link *test_p2p(struct sim *sim, const char *name, struct node *a,
                      const char *addr_a, struct node *b, const char *addr_b,
                      uint64_t bps, int64_t delay) {
  struct link *l = link_new(sim, name, &link_p2p_ops, bps, delay);
  test_attach(a, l, addr_a);
  test_attach(b, l, addr_b);
  return l;
}

struct link *test_lan(struct sim *sim, const char *name, uint64_t bps,
                      int64_t delay) {
  return link_new(sim, name, &eth_lan_ops, bps, delay);
}

static struct cell *gap_cell(struct sim *sim, const char *name, double x,
                             struct link *lan) {
  struct link *l = link_new(sim, name, &cell_link_ops, 11000000, SIM_US);
  struct cell *c = cell_new(sim, name, (struct vec2){x, 0}, 100, l);
  cell_bridge(c, lan);
  return c;
}

struct sim *test_gap_world(const char *name, struct cell **c1,
                           struct cell **c2) {
  struct sim *sim = sim_new(name, 1, 0);
  sim->duration = 10 * SIM_S;
  struct link *lan = test_lan(sim, "lan", 100000000, SIM_US);
  struct cell *a = gap_cell(sim, "c1", 0, lan);
  struct cell *b = gap_cell(sim, "c2", 500, lan);
  struct node *cn = node_new(sim, "cn", false);
  test_attach(cn, lan, "10.0.0.1/24");
  struct node *mn = node_new(sim, "mn", false);
  struct iface *w = radio_new(mn, "wlan", ASSOC_NEAREST, 0, 200 * SIM_MS);
  test_addr(w, "10.0.0.2/24");
  radio_add_move(w, 0, a);
  radio_add_move(w, 5 * SIM_S, b);
  struct cbr_config cfg = {.name = "f",
                           .from = cn,
                           .sink = mn,
                           .dst = test_ip("10.0.0.2"),
                           .port = 40000,
                           .size = 100,
                           .interval = 10 * SIM_MS,
                           .start = SIM_MS,
                           .stop = 9 * SIM_S};
  assert_true(cbr_new(sim, &cfg, NULL));
  if (c1)
    *c1 = a;
  if (c2)
    *c2 = b;
  return sim;
}

struct flow *test_flow(const struct sim *sim, const char *name) {
  for (guint i = 0; i < sim->flows->len; i++) {
    struct flow *f = g_ptr_array_index(sim->flows, i);
    if (strcmp(f->name, name) == 0)
      return f;
  }
  fail_msg("no flow %s", name);
  return NULL;
}

struct sim *test_scenario_text(const char *xml, const char *name,
                               const struct module *const *modules) {
  xmlDoc *doc =
      xmlReadMemory(xml, (int)strlen(xml), name, NULL, XML_PARSE_NONET);
  if (!doc)
    fail_msg("%s: not well-formed XML", name);
  GError *error = NULL;
  struct sim *sim = scenario_load_doc(doc, name, modules, NULL, &error);
  xmlFreeDoc(doc);
  if (!sim) {
    char *msg = g_strdup(error->message);
    g_error_free(error);
    fail_msg("%s", msg);
  }
  return sim;
}

struct sim *test_scenario_file(const char *path,
                               const struct module *const *modules,
                               const struct scenario_overrides *overrides) {
  GError *error = NULL;
  struct sim *sim = scenario_load(path, modules, overrides, &error);
  if (!sim) {
    char *msg = g_strdup(error->message);
    g_error_free(error);
    fail_msg("%s", msg);
  }
  return sim;
}

void test_assert_idle(struct sim *sim) {
  uint32_t events = sched_pending_count(&sim->sched);
  uint64_t packets = pkt_pool_live(&sim->pool);
  if (events || packets)
    fail_msg("%u events pending and %" G_GUINT64_FORMAT " packets live, "
             "none expected",
             events, packets);
}

void test_sim_free_checked(struct sim *sim) {
  if (!sim)
    return;
  sim_teardown(sim);
  test_assert_idle(sim);
  sim_free(sim);
}

void test_pool_free_checked(struct pkt_pool *pool) {
  if (pkt_pool_live(pool))
    fail_msg("%" G_GUINT64_FORMAT " packets live, none expected",
             pkt_pool_live(pool));
  pkt_pool_clear(pool);
}

GByteArray *test_ip4_wrap(uint8_t proto, uint32_t src, uint32_t dst,
                          uint8_t ttl, const uint8_t *payload, size_t len) {
  GByteArray *p = g_byte_array_sized_new((guint)(IP4_HLEN + len));
  g_byte_array_set_size(p, IP4_HLEN);
  uint8_t *h = p->data;
  memset(h, 0, IP4_HLEN);
  h[IP4_OFF_VHL] = 0x45;
  put_be16(h + IP4_OFF_LEN, (uint16_t)(IP4_HLEN + len));
  h[IP4_OFF_TTL] = ttl;
  h[IP4_OFF_PROTO] = proto;
  put_be32(h + IP4_OFF_SRC, src);
  put_be32(h + IP4_OFF_DST, dst);
  put_be16(h + IP4_OFF_CSUM, inet_checksum(h, IP4_HLEN));
  g_byte_array_append(p, payload, (guint)len);
  return p;
}

GByteArray *test_udp4_wrap(uint32_t src, uint32_t dst, uint8_t ttl,
                           uint16_t sport, uint16_t dport,
                           const uint8_t *payload, size_t len) {
  g_autoptr(GByteArray) u = g_byte_array_sized_new((guint)(UDP_HLEN + len));
  g_byte_array_set_size(u, UDP_HLEN);
  put_be16(u->data, sport);
  put_be16(u->data + 2, dport);
  put_be16(u->data + 4, (uint16_t)(UDP_HLEN + len));
  put_be16(u->data + 6, 0);
  g_byte_array_append(u, payload, (guint)len);
  struct ip_addr s = addr_v4(src), d = addr_v4(dst);
  uint16_t c = inet_pseudo_checksum(&s, &d, IPPROTO_NUM_UDP, u->data, u->len);
  put_be16(u->data + 6, c ? c : 0xffff);
  return test_ip4_wrap(IPPROTO_NUM_UDP, src, dst, ttl, u->data, u->len);
}

uint8_t *test_exact(const uint8_t *b, size_t len) {
  return g_memdup2(b, len ? len : 1);
}
