/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tunnels of a node.
 *
 * One node state (struct encap_node) per node that tunnels, whoever the
 * modules: a home agent, a foreign agent, a mobile node and a route
 * optimising correspondent on one node share it.  It holds:
 *
 * - the endpoint table, searched by the one handler encap registers for
 *   each tunnel protocol (4, 55, 47), so that several modules terminate
 *   tunnels on one node without taking the protocol from each other;
 * - the soft state of the tunnels the node originates (RFC 2003 4): an
 *   error from inside a tunnel quotes the outer header and only 8 bytes
 *   of the inner packet, too little to relay it to the original sender,
 *   so the encapsulator keeps what it reports instead (the MTU, the
 *   exit's reachability) and answers the next packets that would meet the
 *   same fate.  One table per node, fed by one ICMP handler, so that an
 *   error about a tunnel reaches every module sending into it.
 *
 * encap_tunnel_send applies that state, encapsulates, marks the outer
 * packet with the node's id and sends it.  The table is a short array
 * searched linearly: a node terminates a handful of tunnel addresses (a
 * home agent one for all its mobile nodes), not one per peer. */
#include "protocols/encap/tunnel.h"

#include <glib.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"
#include "sim/scenario/module.h"

struct encap_endpoint {
  uint32_t local;
  uint32_t remote; /* 0: any */
  unsigned kinds;
  encap_rx_fn fn;
  void *ctx;
};

struct encap_node {
  struct node *node;
  GPtrArray *endpoints;    /* struct encap_endpoint, owned, by age */
  GHashTable *mtu;         /* exit address -> MTU reported from inside */
  GHashTable *unreachable; /* exit address -> int64_t* time reported */
};

static bool kind_of(uint8_t proto, enum encap_kind *kind) {
  switch (proto) {
  case IPPROTO_NUM_IPIP:
    *kind = ENCAP_IPIP;
    return true;
  case IPPROTO_NUM_MINENC:
    *kind = ENCAP_MINIMAL;
    return true;
  case IPPROTO_NUM_GRE:
    *kind = ENCAP_GRE;
    return true;
  }
  return false;
}

static const struct encap_endpoint *lookup(const struct encap_node *en,
                                           uint32_t local, uint32_t remote,
                                           enum encap_kind kind) {
  const struct encap_endpoint *any = NULL;
  for (guint i = 0; i < en->endpoints->len; i++) {
    const struct encap_endpoint *ep = g_ptr_array_index(en->endpoints, i);
    if (!ep->local || ep->local != local || !(ep->kinds & ENCAP_KIND_BIT(kind)))
      continue;
    if (ep->remote == remote)
      return ep;
    if (!ep->remote && !any)
      any = ep;
  }
  return any;
}

static bool tunnel_rx(void *ctx, struct node *node, struct pkt *pkt,
                      struct iface *in) {
  struct encap_node *en = ctx;
  uint8_t proto;
  uint32_t src, dst;
  enum encap_kind kind;
  if (!get_u8(pkt->data, pkt->len, IP4_OFF_PROTO, &proto) ||
      !get_be32(pkt->data, pkt->len, IP4_OFF_SRC, &src) ||
      !get_be32(pkt->data, pkt->len, IP4_OFF_DST, &dst) ||
      !kind_of(proto, &kind))
    return false;
  const struct encap_endpoint *ep = lookup(en, dst, src, kind);
  if (!ep)
    return false;
  struct encap_rx rx = {.in = in};
  if (!encap_pop(pkt, &rx.outer_src, &rx.outer_dst, &rx.kind)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return true;
  }
  /* The inner packet is nobody's tunnel packet until a node tunnels it. */
  pkt->meta.tunnel_origin = 0;
  ep->fn(ep->ctx, node, pkt, &rx);
  return true;
}

/* An unreachable error about one of our tunnel packets: "fragmentation
 * needed" gives the tunnel's MTU; net, host, protocol and port
 * unreachable say the exit cannot be reached for now. */
static bool on_unreachable(void *ctx, struct node *node, struct pkt *pkt,
                           uint32_t off, struct iface *in) {
  struct encap_node *en = ctx;
  uint32_t quoted = off + ICMP_HLEN;
  uint8_t code, vhl, proto;
  uint16_t mtu;
  uint32_t src, dst;
  enum encap_kind kind;
  if (!get_u8(pkt->data, pkt->len, off + 1, &code) ||
      !get_be16(pkt->data, pkt->len, off + 6, &mtu) ||
      !get_u8(pkt->data, pkt->len, quoted, &vhl) || (vhl >> 4) != 4 ||
      !get_u8(pkt->data, pkt->len, quoted + IP4_OFF_PROTO, &proto) ||
      !get_be32(pkt->data, pkt->len, quoted + IP4_OFF_SRC, &src) ||
      !get_be32(pkt->data, pkt->len, quoted + IP4_OFF_DST, &dst) ||
      !kind_of(proto, &kind))
    return false;
  struct ip_addr own = addr_v4(src);
  if (!node_has_addr(node, &own))
    return false;
  if (code == ICMP_UNREACH_NEEDFRAG) {
    if (mtu < 68)
      return false;
    g_hash_table_insert(en->mtu, GUINT_TO_POINTER(dst), GUINT_TO_POINTER(mtu));
  } else if (code <= ICMP_UNREACH_PORT) {
    int64_t now = sim_now(node->sim);
    g_hash_table_insert(en->unreachable, GUINT_TO_POINTER(dst),
                        g_memdup2(&now, sizeof now));
  } else {
    return false;
  }
  pkt_free(pkt);
  return true;
}

static struct encap_node *encap_node_of(struct node *node) {
  bool created;
  struct encap_node *en =
      module_node_state_attach(node, &encap_module, &created);
  if (!created)
    return en;
  en->node = node;
  en->endpoints = g_ptr_array_new_with_free_func(g_free);
  en->mtu = g_hash_table_new(g_direct_hash, g_direct_equal);
  en->unreachable =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  ip_proto_register(node, 4, IPPROTO_NUM_IPIP, tunnel_rx, en);
  ip_proto_register(node, 4, IPPROTO_NUM_MINENC, tunnel_rx, en);
  ip_proto_register(node, 4, IPPROTO_NUM_GRE, tunnel_rx, en);
  icmp_register(node, 4, ICMP_DEST_UNREACH, on_unreachable, en);
  return en;
}

void encap_use(struct node *node) {
  encap_node_of(node);
}

/* Also for a node whose configuration failed half way. */
static void encap_stop(G_GNUC_UNUSED struct sim *sim,
                       G_GNUC_UNUSED struct node *node, void *state) {
  struct encap_node *en = state;
  if (en->endpoints)
    g_ptr_array_free(en->endpoints, TRUE);
  if (en->mtu)
    g_hash_table_destroy(en->mtu);
  if (en->unreachable)
    g_hash_table_destroy(en->unreachable);
}

const struct module encap_module = {
    .name = "encap",
    .node_state_size = sizeof(struct encap_node),
    .stop = encap_stop,
};

struct encap_endpoint *encap_endpoint_add(struct node *node, uint32_t local,
                                          uint32_t remote, unsigned kinds,
                                          encap_rx_fn fn, void *ctx) {
  g_return_val_if_fail(fn != NULL, NULL);
  struct encap_node *en = encap_node_of(node);
  struct encap_endpoint *ep = g_new(struct encap_endpoint, 1);
  *ep = (struct encap_endpoint){
      .local = local, .remote = remote, .kinds = kinds, .fn = fn, .ctx = ctx};
  g_ptr_array_add(en->endpoints, ep);
  return ep;
}

void encap_endpoint_set_local(struct encap_endpoint *ep, uint32_t local) {
  ep->local = local;
}

/* ---- sending ----------------------------------------------------------- */

uint32_t encap_tunnel_mtu(struct node *node, uint32_t exit) {
  struct encap_node *en = encap_node_of(node);
  struct ip_addr dst = addr_v4(exit);
  struct nexthop nh;
  uint32_t mtu =
      route_lookup(node, &dst, &nh) ? nh.oif->link->mtu : LINK_DEFAULT_MTU;
  uint32_t learnt =
      GPOINTER_TO_UINT(g_hash_table_lookup(en->mtu, GUINT_TO_POINTER(exit)));
  return learnt && learnt < mtu ? learnt : mtu;
}

/* May inner, grown by overhead bytes, go into the tunnel to exit?  If not,
 * the inner sender is told why (RFC 2003 4, 5.1) and *why says which
 * drop it is. */
static bool fits(struct encap_node *en, const struct pkt *inner, uint32_t exit,
                 uint32_t overhead, enum drop_reason *why) {
  struct node *node = en->node;
  const int64_t *when =
      g_hash_table_lookup(en->unreachable, GUINT_TO_POINTER(exit));
  if (when && sim_now(node->sim) - *when < ENCAP_UNREACHABLE_HOLD) {
    icmp_send_error(node, inner, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 0);
    *why = DROP_UNREACHABLE;
    return false;
  }
  if (inner->len < IP4_HLEN ||
      !(load_be16(inner->data + IP4_OFF_FRAG) & IP4_DF))
    return true;
  uint32_t mtu = encap_tunnel_mtu(node, exit);
  if (inner->len + overhead <= mtu)
    return true;
  icmp_send_error(node, inner, ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG,
                  mtu - overhead);
  *why = DROP_TOO_BIG;
  return false;
}

bool encap_tunnel_send(struct node *node, struct pkt *inner,
                       const struct encap_tx *tx) {
  struct encap_node *en = encap_node_of(node);
  enum drop_reason why;
  if (!fits(en, inner, tx->dst, encap_overhead(tx->kind, !tx->forwarding),
            &why)) {
    sim_drop(node->sim, node, NULL, inner, why);
    return false;
  }
  switch (encap_push(inner, tx->kind, tx->src, tx->dst, IP_DEFAULT_TTL,
                     node->ip4_next_id++, tx->forwarding)) {
  case ENCAP_OK:
    break;
  case ENCAP_TTL_EXPIRED:
    /* RFC 2003 3.1: discarded, and the sender SHOULD be told. */
    icmp_send_error(node, inner, ICMP_TIME_EXCEEDED, 0, 0);
    sim_drop(node->sim, node, NULL, inner, DROP_TTL_EXPIRED);
    return false;
  case ENCAP_NOT_POSSIBLE:
  case ENCAP_MALFORMED:
    sim_drop(node->sim, node, NULL, inner, DROP_MALFORMED);
    return false;
  }
  inner->meta.tunnel_origin = node->id + 1;
  if (tx->oif)
    ip_output_via(node, inner, tx->oif, NULL);
  else
    ip_output(node, inner);
  return true;
}

bool encap_is_own_outer(const struct node *node, const struct pkt *pkt) {
  return pkt->meta.tunnel_origin == node->id + 1;
}
