/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tunnel MTU soft state.  An error from inside a tunnel quotes the outer
 * header and only 8 bytes of the inner packet, too little to relay it to
 * the original sender (RFC 2003 4): the encapsulator keeps the MTU it
 * reports instead, and answers the next packet that would not fit. */
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
  GHashTable *mtu; /* exit address -> MTU reported from inside */
};

/* "Fragmentation needed" about one of our tunnel packets: remember the
 * next-hop MTU it gives for that tunnel's exit. */
static bool on_unreachable(void *ctx, struct node *node, struct pkt *pkt,
                           uint32_t off, struct iface *in) {
  struct tunnel_state *t = ctx;
  uint32_t quoted = off + ICMP_HLEN;
  uint8_t code, vhl, proto;
  uint16_t mtu;
  uint32_t src, dst;
  if (!get_u8(pkt->data, pkt->len, off + 1, &code) ||
      code != ICMP_UNREACH_NEEDFRAG ||
      !get_be16(pkt->data, pkt->len, off + 6, &mtu) ||
      !get_u8(pkt->data, pkt->len, quoted, &vhl) || (vhl >> 4) != 4 ||
      !get_u8(pkt->data, pkt->len, quoted + IP4_OFF_PROTO, &proto) ||
      !get_be32(pkt->data, pkt->len, quoted + IP4_OFF_SRC, &src) ||
      !get_be32(pkt->data, pkt->len, quoted + IP4_OFF_DST, &dst) ||
      !encap_is_tunnel(proto))
    return false;
  struct ip_addr own = addr_v4(src);
  if (!node_has_addr(node, &own) || mtu < 68)
    return false;
  g_hash_table_insert(t->mtu, GUINT_TO_POINTER(dst), GUINT_TO_POINTER(mtu));
  pkt_free(pkt);
  return true;
}

struct tunnel_state *tunnel_state_new(struct node *node) {
  struct tunnel_state *t = g_new0(struct tunnel_state, 1);
  t->node = node;
  t->mtu = g_hash_table_new(g_direct_hash, g_direct_equal);
  icmp_register(node, 4, ICMP_DEST_UNREACH, on_unreachable, t);
  return t;
}

void tunnel_state_free(struct tunnel_state *t) {
  if (!t)
    return;
  g_hash_table_destroy(t->mtu);
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
                 uint32_t exit, uint32_t overhead) {
  if (inner->len < IP4_HLEN || !(load_be16(inner->data + IP4_OFF_FRAG) & IP4_DF))
    return true;
  uint32_t mtu = tunnel_mtu(t, exit);
  if (inner->len + overhead <= mtu)
    return true;
  icmp_send_error(t->node, inner, ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG,
                  mtu - overhead);
  return false;
}
