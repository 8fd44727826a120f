/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tunnel soft state.  An error from inside a tunnel quotes the outer
 * header and only 8 bytes of the inner packet, too little to relay it to
 * the original sender (RFC 2003 4): the encapsulator keeps what it
 * reports instead (the MTU, the exit's reachability) and answers the next
 * packets that would meet the same fate. */
#include "protocols/encap/tunnel.h"

#include <glib.h>

#include "protocols/encap/encap.h"
#include "sim/icmp.h"
#include "sim/iface.h"
#include "sim/inet.h"
#include "sim/link.h"
#include "sim/node.h"
#include "sim/pkt.h"
#include "sim/route.h"
#include "sim/sim.h"

struct tunnel_state {
  struct node *node;
  GHashTable *mtu;         /* exit address -> MTU reported from inside */
  GHashTable *unreachable; /* exit address -> int64_t* time reported */
};

/* An unreachable error about one of our tunnel packets: "fragmentation
 * needed" gives the tunnel's MTU; net, host, protocol and port
 * unreachable say the exit cannot be reached for now. */
static bool on_unreachable(void *ctx, struct node *node, struct pkt *pkt,
                           uint32_t off, struct iface *in) {
  struct tunnel_state *t = ctx;
  uint32_t quoted = off + ICMP_HLEN;
  uint8_t code, vhl, proto;
  uint16_t mtu;
  uint32_t src, dst;
  if (!get_u8(pkt->data, pkt->len, off + 1, &code) ||
      !get_be16(pkt->data, pkt->len, off + 6, &mtu) ||
      !get_u8(pkt->data, pkt->len, quoted, &vhl) || (vhl >> 4) != 4 ||
      !get_u8(pkt->data, pkt->len, quoted + IP4_OFF_PROTO, &proto) ||
      !get_be32(pkt->data, pkt->len, quoted + IP4_OFF_SRC, &src) ||
      !get_be32(pkt->data, pkt->len, quoted + IP4_OFF_DST, &dst) ||
      !encap_is_tunnel(proto))
    return false;
  struct ip_addr own = addr_v4(src);
  if (!node_has_addr(node, &own))
    return false;
  if (code == ICMP_UNREACH_NEEDFRAG) {
    if (mtu < 68)
      return false;
    g_hash_table_insert(t->mtu, GUINT_TO_POINTER(dst),
                        GUINT_TO_POINTER(mtu));
  } else if (code <= ICMP_UNREACH_PORT) {
    int64_t now = sim_now(node->sim);
    g_hash_table_insert(t->unreachable, GUINT_TO_POINTER(dst),
                        g_memdup2(&now, sizeof now));
  } else {
    return false;
  }
  pkt_free(pkt);
  return true;
}

struct tunnel_state *tunnel_state_new(struct node *node) {
  struct tunnel_state *t = g_new0(struct tunnel_state, 1);
  t->node = node;
  t->mtu = g_hash_table_new(g_direct_hash, g_direct_equal);
  t->unreachable =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  icmp_register(node, 4, ICMP_DEST_UNREACH, on_unreachable, t);
  return t;
}

void tunnel_state_free(struct tunnel_state *t) {
  if (!t)
    return;
  g_hash_table_destroy(t->mtu);
  g_hash_table_destroy(t->unreachable);
  g_free(t);
}

uint32_t tunnel_mtu(struct tunnel_state *t, uint32_t exit) {
  struct ip_addr dst = addr_v4(exit);
  struct nexthop nh;
  uint32_t mtu = route_lookup(t->node, &dst, &nh) ? nh.oif->link->mtu
                                                  : LINK_DEFAULT_MTU;
  uint32_t learnt =
      GPOINTER_TO_UINT(g_hash_table_lookup(t->mtu, GUINT_TO_POINTER(exit)));
  return learnt && learnt < mtu ? learnt : mtu;
}

bool tunnel_fits(struct tunnel_state *t, const struct pkt *inner,
                 uint32_t exit, uint32_t overhead, enum drop_reason *why) {
  const int64_t *when =
      g_hash_table_lookup(t->unreachable, GUINT_TO_POINTER(exit));
  if (when && sim_now(t->node->sim) - *when < TUNNEL_UNREACHABLE_HOLD) {
    icmp_send_error(t->node, inner, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 0);
    *why = DROP_UNREACHABLE;
    return false;
  }
  if (inner->len < IP4_HLEN || !(load_be16(inner->data + IP4_OFF_FRAG) & IP4_DF))
    return true;
  uint32_t mtu = tunnel_mtu(t, exit);
  if (inner->len + overhead <= mtu)
    return true;
  icmp_send_error(t->node, inner, ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG,
                  mtu - overhead);
  *why = DROP_TOO_BIG;
  return false;
}
