/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route optimisation module and its state in a run and at each
 * node: messages on UDP port 434 dispatched to the roles, sending, rate
 * limits and ro_counters.tsv. */
#include <string.h>

#include "protocols/ro/internal.h"
#include "protocols/ro/ro.h"
#include "sim/core/sim.h"
#include "sim/net/addr.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"
#include "sim/results/handoff.h"
#include "sim/wireless/radio.h"

/* ---- the run ------------------------------------------------------------ */

static void world_stop(G_GNUC_UNUSED struct sim *sim, void *run_state) {
  struct ro_world *w = run_state;
  g_hash_table_destroy(w->mobiles);
  g_hash_table_destroy(w->bound);
  g_hash_table_destroy(w->forwarded);
}

struct ro_world *ro_world_of(struct sim *sim) {
  bool created;
  struct ro_world *w = module_run_state_attach(sim, &ro_module, &created);
  if (!created)
    return w;
  w->mobiles = g_hash_table_new(g_direct_hash, g_direct_equal);
  w->bound = g_hash_table_new(g_direct_hash, g_direct_equal);
  w->forwarded = g_hash_table_new(g_direct_hash, g_direct_equal);
  return w;
}

/* ---- helpers ------------------------------------------------------------ */

enum ro_mode ro_mode_of(const struct ro_node *rn) {
  return rn->mode;
}

struct sim *ro_sim(const struct ro_node *rn) {
  return rn->sim;
}

int64_t ro_now(const struct ro_node *rn) {
  return sim_now(rn->sim);
}

const struct mip4_sa *ro_peer_sa(const struct ro_node *rn, uint32_t addr) {
  for (guint i = 0; i < rn->peers->len; i++) {
    const struct ro_peer *p = &g_array_index(rn->peers, struct ro_peer, i);
    if (p->addr == addr)
      return &p->sa;
  }
  return NULL;
}

void ro_send(struct ro_node *rn, const char *name, const GByteArray *msg,
             uint32_t src, uint32_t dst) {
  mip4_send(ro_sim(rn), rn->node, name, msg, src, dst);
}

uint32_t ro_source_for(const struct ro_node *rn, uint32_t dst) {
  struct ip_addr to = addr_v4(dst), src = {0};
  return ip_select_source(rn->node, &to, &src) ? src.v4 : 0;
}

bool ro_may_send(GHashTable *last, uint32_t a, uint32_t b, int64_t now,
                 int64_t interval) {
  uint64_t key = (uint64_t)a << 32 | b;
  int64_t *t = g_hash_table_lookup(last, &key);
  if (t && now - *t < interval)
    return false;
  if (!t) {
    t = g_new(int64_t, 1);
    g_hash_table_insert(last, g_memdup2(&key, sizeof key), t);
  }
  *t = now;
  return true;
}

/* ---- messages ----------------------------------------------------------- */

static void msg_rx(void *ctx, const uint8_t *msg, size_t len,
                   const struct udp_rx *rx) {
  struct ro_node *rn = ctx;
  if (rx->src.family != 4)
    return;
  switch (msg[0]) {
  case RO_MSG_UPDATE:
    ro_cn_update_rx(rn, msg, len, rx);
    return;
  case RO_MSG_REQUEST:
    ro_ha_request_rx(rn, msg, len, rx);
    return;
  case RO_MSG_WARNING:
    ro_ha_warning_rx(rn, msg, len, rx);
    return;
  case RO_MSG_ACK: {
    struct ro_ack a;
    if (ro_ack_decode(msg, len, &a, NULL) != MIP4_OK)
      return;
    rn->cnt.acks_received++;
    if (mip4_mn_home_address(ro_sim(rn), rn->node) == a.home_addr)
      ro_smooth_ack_rx(rn, &a);
    else
      ro_ha_ack_rx(rn, &a, rx->src.v4);
    return;
  }
  }
}

void ro_send_ack(struct ro_node *rn, const struct ro_update *u, uint8_t status,
                 uint32_t src, uint32_t to) {
  struct ro_ack a = {
      .status = status, .home_addr = u->home_addr, .ident = u->ident};
  g_autoptr(GByteArray) out = g_byte_array_new();
  ro_ack_append(out, &a);
  rn->cnt.acks_sent++;
  ro_send(rn, "binding_acknowledge", out, src ? src : ro_source_for(rn, to),
          to);
}

/* ---- the node ----------------------------------------------------------- */

/* Every handoff row of a mobile node gets a forwarded_pkts value, zero
 * unless a previous foreign agent forwards some. */
static void link_change(G_GNUC_UNUSED struct sim *sim,
                        G_GNUC_UNUSED struct node *node, void *state,
                        struct iface *iface, bool up) {
  struct ro_node *rn = state;
  int row = radio_last_handoff(iface);
  if (up && row >= 0 && iface == mip4_mn_radio(ro_sim(rn), rn->node))
    handoff_annotate(ro_sim(rn), row, "forwarded_pkts", 0);
}

static void node_start(struct sim *sim, struct node *node, void *state) {
  struct ro_node *rn = state;
  uint32_t home = mip4_mn_home_address(sim, node);
  if (home)
    g_hash_table_insert(rn->world->mobiles, GUINT_TO_POINTER(home), node);
}

/* Also for a node whose configuration failed half way. */
static void node_stop(G_GNUC_UNUSED struct sim *sim,
                      G_GNUC_UNUSED struct node *node, void *state) {
  struct ro_node *rn = state;
  ro_smooth_free(rn);
  ro_cache_free(rn->cache);
  g_hash_table_destroy(rn->sent);
  g_hash_table_destroy(rn->warned);
  g_array_free(rn->peers, TRUE);
}

struct ro_node *ro_node_new(struct sim *sim, struct node *node,
                            enum ro_mode mode) {
  bool created;
  struct ro_node *rn = module_node_state_attach(node, &ro_module, &created);
  if (!created)
    return NULL;
  rn->sim = sim;
  rn->node = node;
  rn->world = ro_world_of(sim);
  rn->mode = mode;
  rn->peers = g_array_new(FALSE, FALSE, sizeof(struct ro_peer));
  rn->cache_size = 1024;
  rn->update_interval = SIM_S;
  rn->refresh = 2 * SIM_S;
  rn->smooth_lifetime = 10;
  rn->sent = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  rn->warned =
      g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  return rn;
}

void ro_node_attach(struct ro_node *rn) {
  struct sim *sim = ro_sim(rn);
  struct mip4_extension ext = {.ctx = rn, .rrq_flags = RO_RRQ_P};
  mip4_ext_set_add(&ext.understood, RO_EXT_WARNING);
  mip4_ext_set_add(&ext.understood, RO_EXT_PREV_FA);
  ro_cn_init(rn);
  ro_ha_init(rn, &ext);
  ro_smooth_init(rn, &ext);
  mip4_extend(sim, rn->node, &ext);
  for (uint8_t t = RO_MSG_WARNING; t <= RO_MSG_ACK; t++)
    mip4_handle_msg(sim, rn->node, t, msg_rx, rn);
}

/* ---- ro_counters.tsv ---------------------------------------------------- */

static char *counters_table(const struct sim *sim, G_GNUC_UNUSED void *ctx) {
  GString *s = g_string_new("node\tcounter\tvalue\n");
  for (guint i = 0; i < sim->nodes->len; i++) {
    const struct ro_node *rn =
        module_node_state(g_ptr_array_index(sim->nodes, i), &ro_module);
    if (!rn)
      continue;
    const char *name = rn->node->name;
#define ROW(c, v)                                                              \
  g_string_append_printf(s, "%s\t%s\t%" G_GUINT64_FORMAT "\n", name, c,        \
                         (guint64)(v));
#define CNT_ROW(c) ROW(#c, rn->cnt.c)
    RO_COUNTERS(CNT_ROW)
    const struct ro_cache_stats *cs = ro_cache_stats(rn->cache);
    ROW("cache_hits", cs->hits)
    ROW("cache_misses", cs->misses)
    ROW("cache_inserted", cs->inserted)
    ROW("cache_updated", cs->updated)
    ROW("cache_deleted", cs->deleted)
    ROW("cache_expired", cs->expired)
    ROW("cache_evicted", cs->evicted)
    ROW("cache_entries", ro_cache_size(rn->cache))
#undef CNT_ROW
#undef ROW
  }
  return g_string_free(s, FALSE);
}

static void report(struct sim *sim) {
  sim_add_table(sim, "ro_counters.tsv", counters_table, NULL);
}

/* Route optimisation extends Mobile IPv4 in every role, under the
 * schemes that use it (mip4-triangle is Mobile IPv4 alone). */
static const char *const schemes[] = {"mip4-optimized", "mip4-smooth", NULL};

const struct module ro_module = {
    .name = "ro",
    .schemes = schemes,
    .roles = module_roles,
    .settings = "route-optimization",
    .node_state_size = sizeof(struct ro_node),
    .run_state_size = sizeof(struct ro_world),
    .configure = ro_configure,
    .report = report,
    .start = node_start,
    .link_change = link_change,
    .stop = node_stop,
    .stop_run = world_stop,
};
