/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Mobile IPv4 module and the state of one node: its roles, the UDP
 * port 434 demultiplexing between them, its extensions, and the sending
 * of registration messages.  Tunnels reach the roles through the
 * endpoints each registers with protocols/encap. */
#include <string.h>

#include "protocols/mip4/fa.h"
#include "protocols/mip4/ha.h"
#include "protocols/mip4/internal.h"
#include "protocols/mip4/mn.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"
#include "sim/results/signalling.h"
#include "sim/scenario/module.h"

static void roles_start(G_GNUC_UNUSED struct sim *sim,
                        G_GNUC_UNUSED struct node *node, void *state) {
  struct mip4_node *m = state;
  if (m->ha)
    mip4_ha_start(m->ha);
  if (m->fa)
    mip4_fa_start(m->fa);
  if (m->mn)
    mip4_mn_start(m->mn);
}

static void roles_stop(G_GNUC_UNUSED struct sim *sim,
                       G_GNUC_UNUSED struct node *node, void *state) {
  struct mip4_node *m = state;
  if (m->ha)
    mip4_ha_free(m->ha);
  if (m->fa)
    mip4_fa_free(m->fa);
  if (m->mn)
    mip4_mn_free(m->mn);
  if (m->handlers)
    g_array_free(m->handlers, TRUE);
  if (m->exts)
    g_array_free(m->exts, TRUE);
}

struct mip4_msg_handler {
  uint8_t type;
  mip4_msg_fn fn;
  void *ctx;
};

static const struct mip4_msg_handler *handler_of(const struct mip4_node *m,
                                                 uint8_t type) {
  for (guint i = 0; m->handlers && i < m->handlers->len; i++) {
    const struct mip4_msg_handler *h =
        &g_array_index(m->handlers, struct mip4_msg_handler, i);
    if (h->type == type)
      return h;
  }
  return NULL;
}

/* Registration messages: requests to a home agent's address go to it,
 * other requests to the foreign agent that hears them; replies to the
 * foreign agent that relayed the request, or to the mobile node.  Other
 * types go to the extension that handles them. */
static bool port434_rx(void *ctx, struct node *node, struct pkt *pkt,
                       const struct udp_rx *rx) {
  struct mip4_node *m = ctx;
  uint8_t type = pkt->len ? pkt->data[0] : 0;
  uint32_t dst = rx->dst.v4;
  const struct mip4_msg_handler *h = handler_of(m, type);
  if (h && pkt->len)
    h->fn(h->ctx, pkt->data, pkt->len, rx);
  else if (rx->dst.family == 4) {
    if (type == MIP4_MSG_RRQ) {
      if (m->ha && mip4_ha_owns(m->ha, dst))
        mip4_ha_rx(m->ha, pkt->data, pkt->len, rx);
      else if (m->fa)
        mip4_fa_rx(m->fa, pkt->data, pkt->len, rx);
    } else if (type == MIP4_MSG_RRP) {
      if (m->fa && mip4_fa_owns(m->fa, dst))
        mip4_fa_rx(m->fa, pkt->data, pkt->len, rx);
      else if (m->mn)
        mip4_mn_rx(m->mn, pkt->data, pkt->len, rx);
    }
  }
  pkt_free(pkt);
  return true;
}

/* mip4_counters.tsv: every counter of every role, one per row, so that
 * roles with different counters share one table. */
static char *counters_table(const struct sim *sim, G_GNUC_UNUSED void *ctx) {
  GString *s = g_string_new("node\trole\tcounter\tvalue\n");
  for (guint i = 0; i < sim->nodes->len; i++) {
    const struct mip4_node *m =
        module_node_state(g_ptr_array_index(sim->nodes, i), &mip4_module);
    if (!m)
      continue;
    const char *name = m->node->name;
#define ROW(role, c)                                                           \
  g_string_append_printf(s, "%s\t%s\t%s\t%" G_GUINT64_FORMAT "\n", name, role, \
                         #c, cnt->c);
#define HA_ROW(c) ROW("home-agent", c)
#define FA_ROW(c) ROW("foreign-agent", c)
#define MN_ROW(c) ROW("mobile-node", c)
    if (m->ha) {
      const struct mip4_ha_counters *cnt = &m->ha->cnt;
      MIP4_HA_COUNTERS(HA_ROW)
    }
    if (m->fa) {
      const struct mip4_fa_counters *cnt = &m->fa->cnt;
      MIP4_FA_COUNTERS(FA_ROW)
    }
    if (m->mn) {
      const struct mip4_mn_counters *cnt = &m->mn->cnt;
      MIP4_MN_COUNTERS(MN_ROW)
    }
#undef ROW
#undef HA_ROW
#undef FA_ROW
#undef MN_ROW
  }
  return g_string_free(s, FALSE);
}

static void report(struct sim *sim) {
  sim_add_table(sim, "mip4_counters.tsv", counters_table, NULL);
}

struct mip4_node *mip4_node_of(G_GNUC_UNUSED struct sim *sim,
                               struct node *node) {
  bool created;
  struct mip4_node *m = module_node_state_attach(node, &mip4_module, &created);
  if (!created)
    return m;
  m->node = node;
  encap_use(node);
  /* A reverse-tunnelled packet from a care-of address with no binding
   * (forged, or stale after a handoff) or with no reverse tunnelling
   * registered. */
  m->drop_reverse_refused =
      drop_reason_register(sim, "mip4_reverse_tunnel_refused");
  udp_register(node, MIP4_PORT, port434_rx, m);
  return m;
}

void mip4_extend(struct sim *sim, struct node *node,
                 const struct mip4_extension *ext) {
  struct mip4_node *m = mip4_node_of(sim, node);
  if (!m->exts)
    m->exts = g_array_new(FALSE, FALSE, sizeof(struct mip4_extension));
  g_array_append_val(m->exts, *ext);
  m->ext.rrq_flags |= ext->rrq_flags;
  m->ext.adv_flags |= ext->adv_flags;
  for (size_t i = 0; i < G_N_ELEMENTS(ext->understood.bits); i++)
    m->ext.understood.bits[i] |= ext->understood.bits[i];
}

bool mip4_ext_fa_stray(struct mip4_node *m, struct pkt *pkt,
                       uint32_t tunnel_src) {
  for (guint i = 0; m->exts && i < m->exts->len; i++) {
    const struct mip4_extension *e =
        &g_array_index(m->exts, struct mip4_extension, i);
    if (e->fa_stray && e->fa_stray(e->ctx, pkt, tunnel_src))
      return true;
  }
  return false;
}

/* Every role, in every form of the scheme: route optimisation extends
 * the triangle. */
static const char *const schemes[] = {"mip4-triangle", "mip4-optimized",
                                      "mip4-smooth", NULL};

const struct module mip4_module = {
    .name = "mip4",
    .schemes = schemes,
    .roles = module_roles,
    .settings = "mip4",
    .node_state_size = sizeof(struct mip4_node),
    .configure = mip4_configure,
    .report = report,
    .start = roles_start,
    .stop = roles_stop,
};

void mip4_handle_msg(struct sim *sim, struct node *node, uint8_t type,
                     mip4_msg_fn fn, void *ctx) {
  struct mip4_node *m = mip4_node_of(sim, node);
  if (!m->handlers)
    m->handlers = g_array_new(FALSE, FALSE, sizeof(struct mip4_msg_handler));
  struct mip4_msg_handler h = {.type = type, .fn = fn, .ctx = ctx};
  g_array_append_val(m->handlers, h);
}

void mip4_send(struct sim *sim, struct node *node, const char *name,
               const GByteArray *msg, uint32_t src, uint32_t dst) {
  mip4_send_named(mip4_node_of(sim, node), name, msg, src, dst, MIP4_PORT,
                  IP_DEFAULT_TTL, NULL);
}

void mip4_send_udp(struct mip4_node *m, const GByteArray *msg, uint32_t src,
                   uint32_t dst, uint16_t dport, uint8_t ttl,
                   struct iface *oif) {
  const char *name = msg->data[0] == MIP4_MSG_RRQ ? "registration_request"
                                                  : "registration_reply";
  mip4_send_named(m, name, msg, src, dst, dport, ttl, oif);
}

void mip4_send_named(struct mip4_node *m, const char *name,
                     const GByteArray *msg, uint32_t src, uint32_t dst,
                     uint16_t dport, uint8_t ttl, struct iface *oif) {
  struct node *node = m->node;
  struct pkt *p = pkt_new(&node->sim->pool, msg->len);
  memcpy(p->data, msg->data, msg->len);
  /* Counted at the IP layer: payload + UDP + IPv4 headers. */
  signalling_count(node, name, msg->len + UDP_HLEN + IP4_HLEN);
  struct ip_addr from = addr_v4(src), to = addr_v4(dst);
  uint16_t len = (uint16_t)(p->len + UDP_HLEN);
  uint8_t *u = pkt_push(p, UDP_HLEN);
  put_be16(u, MIP4_PORT);
  put_be16(u + 2, dport);
  put_be16(u + 4, len);
  put_be16(u + 6, 0);
  uint16_t csum = inet_pseudo_checksum(&from, &to, IPPROTO_NUM_UDP, u, len);
  put_be16(u + 6, csum ? csum : 0xffff);
  struct ip_tx tx = {
      .src = from, .dst = to, .proto = IPPROTO_NUM_UDP, .ttl = ttl};
  if (oif)
    ip_send_via(node, p, &tx, oif, NULL);
  else
    ip_send(node, p, &tx);
}

const struct mip4_sa *mip4_peer_sa(const GArray *peers, uint32_t addr) {
  for (guint i = 0; i < peers->len; i++) {
    const struct mip4_peer_sa *p =
        &g_array_index(peers, struct mip4_peer_sa, i);
    if (p->addr == addr)
      return &p->sa;
  }
  return NULL;
}

GByteArray *mip4_msg_through(const uint8_t *msg, size_t len,
                             const struct mip4_ext *ext) {
  size_t n = ext->present ? ext->off + ext->len : len;
  GByteArray *out = g_byte_array_sized_new((guint)n);
  g_byte_array_append(out, msg, (guint)n);
  return out;
}

gboolean mip4_parse_key(const char *text, struct mip4_sa *sa) {
  if (g_str_has_prefix(text, "0x") || g_str_has_prefix(text, "0X"))
    text += 2;
  size_t n = strlen(text);
  if (n == 0 || n % 2 != 0 || n / 2 > sizeof sa->key)
    return FALSE;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = g_ascii_xdigit_value(text[2 * i]);
    int lo = g_ascii_xdigit_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return FALSE;
    sa->key[i] = (uint8_t)(hi << 4 | lo);
  }
  sa->key_len = n / 2;
  return TRUE;
}
