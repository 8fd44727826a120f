/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet II framing, the demultiplexing of received frames, and LANs.
 *
 * IPv6 next hops are resolved by looking the address up among the
 * stations of the LAN: neighbour discovery is not simulated yet (it comes
 * with the Mobile IPv6 module), so IPv6 has no resolution delay or
 * neighbour-discovery traffic. */
#include "sim/net/eth.h"

#include <glib.h>
#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/arp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"

const uint8_t ETH_BROADCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

#define ETH_MIN_FRAME 60 /* without the frame check sequence */

void eth_send(struct iface *oif, struct pkt *pkt, const uint8_t dst[6],
              uint16_t ethertype) {
  uint8_t *h = pkt_push(pkt, ETH_HLEN);
  memcpy(h, dst, 6);
  memcpy(h + 6, oif->mac, 6);
  put_be16(h + 12, ethertype);
  if (pkt->len < ETH_MIN_FRAME)
    pkt_put(pkt, ETH_MIN_FRAME - pkt->len);
  link_send(oif, pkt);
}

static bool ip6_neighbour(struct iface *oif, const struct in6 *nh,
                          uint8_t mac[6]) {
  if (nh->b[0] == 0xff) { /* multicast: 33:33 + low 32 bits (RFC 2464) */
    mac[0] = 0x33;
    mac[1] = 0x33;
    memcpy(mac + 2, nh->b + 12, 4);
    return true;
  }
  struct ip_addr a = addr_v6(nh);
  struct link *link = oif->link;
  for (uint32_t i = 0; i < link->n_ends; i++) {
    if (iface_has_addr(link->ends[i], &a)) {
      memcpy(mac, link->ends[i]->mac, 6);
      return true;
    }
  }
  /* Stations beyond a bridge (mobile nodes on bridged cells) are on the
   * same subnet too. */
  for (uint32_t i = 0; i < link->n_ends; i++) {
    struct iface *port = link->ends[i]->bridge_peer;
    for (uint32_t k = 0; port && k < port->link->n_ends; k++) {
      if (iface_has_addr(port->link->ends[k], &a)) {
        memcpy(mac, port->link->ends[k]->mac, 6);
        return true;
      }
    }
  }
  return false;
}

void eth_output_ip(struct iface *oif, struct pkt *pkt,
                   const struct ip_addr *nh) {
  if (nh->family == 4) {
    uint32_t ip = nh->v4;
    const struct prefix *own = iface_addr(oif, 4);
    bool directed_bcast = own && own->len < 31 &&
                          (ip | v4_mask(own->len)) == 0xffffffffu &&
                          ((ip ^ own->addr.v4) & v4_mask(own->len)) == 0;
    if (ip == 0xffffffffu || directed_bcast) {
      eth_send(oif, pkt, ETH_BROADCAST, ETHERTYPE_IPV4);
    } else if ((ip >> 28) == 0xe) { /* multicast: 01:00:5e + low 23 bits */
      uint8_t mac[6] = {0x01,
                        0x00,
                        0x5e,
                        (uint8_t)((ip >> 16) & 0x7f),
                        (uint8_t)(ip >> 8),
                        (uint8_t)ip};
      eth_send(oif, pkt, mac, ETHERTYPE_IPV4);
    } else {
      arp_output(oif, pkt, ip);
    }
    return;
  }
  uint8_t mac[6];
  if (!ip6_neighbour(oif, &nh->v6, mac)) {
    sim_drop(oif->node->sim, oif->node, NULL, pkt, DROP_NEIGH_UNRESOLVED);
    return;
  }
  eth_send(oif, pkt, mac, ETHERTYPE_IPV6);
}

void eth_input(struct iface *in, struct pkt *pkt) {
  struct node *node = in->node;
  uint16_t type;
  if (!get_be16(pkt->data, pkt->len, 12, &type)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return;
  }
  pkt_pull(pkt, ETH_HLEN);
  switch (type) {
  case ETHERTYPE_ARP:
    arp_input(in, pkt);
    break;
  case ETHERTYPE_IPV4:
  case ETHERTYPE_IPV6:
    ip_input(in, pkt);
    break;
  default:
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
  }
}

/* ---- the LAN link kind ------------------------------------------------- */

/* Where each MAC address (packed in a uint64) is reached: the interface on
 * the link, or NULL for a station that has left. */
struct lan {
  GHashTable *where;
};

static uint64_t mac_key(const uint8_t mac[6]) {
  uint64_t k = 0;
  for (int i = 0; i < 6; i++)
    k = k << 8 | mac[i];
  return k;
}

static struct lan *lan_of(struct link *link) {
  if (!link->priv) {
    struct lan *lan = g_new0(struct lan, 1);
    lan->where =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    link->priv = lan;
  }
  return link->priv;
}

static void lan_set(struct link *link, uint64_t key, struct iface *port) {
  gint64 k = (gint64)key;
  g_hash_table_insert(lan_of(link)->where, g_memdup2(&k, sizeof k), port);
}

/* The station key left through port, unless it has been learned elsewhere
 * meanwhile.  Its entry stays, marked gone, so that frames still addressed
 * to it are counted as lost to the handoff. */
static void lan_forget(struct link *link, uint64_t key, struct iface *port) {
  gint64 k = (gint64)key;
  if (link->priv && g_hash_table_lookup(lan_of(link)->where, &k) == port)
    lan_set(link, key, NULL);
}

/* Teaches to_port's link the stations of from_port's link. */
static void bridge_teach(struct iface *from_port, struct iface *to_port) {
  struct link *from = from_port->link;
  for (uint32_t i = 0; i < from->n_ends; i++)
    if (!from->ends[i]->bridge_peer)
      lan_set(to_port->link, mac_key(from->ends[i]->mac), to_port);
}

/* A station attached to or left the link: the far side of each bridge on
 * the link learns it at the bridge's port, or forgets it.  One hop only:
 * a LAN then knows every station of its cells, while a cell reaches what
 * lies beyond its bridge through the bridge (see lan_flood) and need not
 * hear of every handoff in the other cells.  A bridge port is nobody's
 * destination: once both its ends are attached, each side learns the
 * other's stations. */
void eth_lan_attach(struct link *link, struct iface *iface) {
  struct iface *peer = iface->bridge_peer;
  if (peer) {
    if (peer->link) {
      bridge_teach(iface, peer);
      bridge_teach(peer, iface);
    }
    return;
  }
  uint64_t key = mac_key(iface->mac);
  lan_set(link, key, iface);
  for (uint32_t i = 0; i < link->n_ends; i++) {
    struct iface *b = link->ends[i]->bridge_peer;
    if (b && b->link)
      lan_set(b->link, key, b);
  }
}

void eth_lan_detach(struct link *link, struct iface *iface) {
  uint64_t key = mac_key(iface->mac);
  lan_forget(link, key, iface);
  for (uint32_t i = 0; i < link->n_ends; i++) {
    struct iface *b = link->ends[i]->bridge_peer;
    if (b && b->link)
      lan_forget(b->link, key, b);
  }
}

void eth_lan_free(struct link *link) {
  struct lan *lan = link->priv;
  if (!lan)
    return;
  g_hash_table_destroy(lan->where);
  g_free(lan);
  link->priv = NULL;
}

struct iface *eth_lan_station(struct link *link, const uint8_t mac[6]) {
  gint64 k = (gint64)mac_key(mac);
  return link->priv ? g_hash_table_lookup(lan_of(link)->where, &k) : NULL;
}

struct iface *eth_bridge(struct node *node, struct link *a, struct link *b) {
  struct iface *pa = iface_new_unattached(node, a->name);
  struct iface *pb = iface_new_unattached(node, b->name);
  pa->bridge_peer = pb;
  pb->bridge_peer = pa;
  link_attach(a, pa);
  link_attach(b, pb);
  return pa;
}

void eth_lan_output(struct iface *oif, struct pkt *pkt,
                    const struct ip_addr *gw) {
  struct ip_addr target = *gw;
  if (target.family == 0) {
    struct ip_addr src;
    ip_packet_addrs(pkt, &src, &target);
  }
  eth_output_ip(oif, pkt, &target);
}

/* Floods a frame for an unknown station: the NICs whose address it is
 * take it, the others drop it unseen, and a bridge port takes it when the
 * far side has the station (a bridge's filtering database is the far
 * side's table), so a frame for a station nobody has is not relayed into
 * every cell of a LAN. */
static void lan_flood(struct link *link, struct iface *from, struct pkt *pkt) {
  struct iface *taker = NULL;
  enum drop_reason why = DROP_NEIGH_UNRESOLVED;
  gint64 dst = (gint64)mac_key(pkt->data);
  for (uint32_t i = 0; i < link->n_ends; i++) {
    struct iface *end = link->ends[i];
    if (end == from)
      continue;
    struct iface *peer = end->bridge_peer;
    if (peer) {
      gpointer there = NULL;
      if (!peer->link || !peer->link->priv ||
          !g_hash_table_lookup_extended(lan_of(peer->link)->where, &dst, NULL,
                                        &there) ||
          there == peer)
        continue;
      if (!there) { /* the station has left the far side */
        why = DROP_HANDOFF;
        continue;
      }
    } else if (memcmp(end->mac, pkt->data, 6) != 0) {
      continue;
    }
    if (taker)
      link_receive(link, taker, pkt_clone(pkt));
    taker = end;
  }
  if (!taker) {
    sim_drop(link->sim, NULL, link, pkt, why);
    return;
  }
  link_receive(link, taker, pkt);
}

void eth_lan_deliver(struct link *link, struct iface *from, struct pkt *pkt) {
  if (pkt->len < 6) {
    sim_drop(link->sim, NULL, link, pkt, DROP_MALFORMED);
    return;
  }
  struct lan *lan = lan_of(link);
  if (pkt->data[0] & 1) { /* broadcast or multicast: every other station */
    for (uint32_t i = 0; i < link->n_ends; i++)
      if (link->ends[i] != from)
        link_receive(link, link->ends[i], pkt_clone(pkt));
    pkt_free(pkt);
    return;
  }
  /* Learn the source of unicast frames (broadcasts, which a bridged LAN
   * floods into every cell, would cost a lookup per cell and teach nothing
   * the unicast traffic does not).  A station gone stays gone, so its
   * frames still being relayed do not bring it back. */
  if (pkt->len >= 12 && !(pkt->data[6] & 1)) {
    gint64 src = (gint64)mac_key(pkt->data + 6);
    if (!g_hash_table_contains(lan->where, &src))
      lan_set(link, (uint64_t)src, from);
  }
  gint64 dst = (gint64)mac_key(pkt->data);
  gpointer port;
  if (!g_hash_table_lookup_extended(lan->where, &dst, NULL, &port)) {
    lan_flood(link, from, pkt);
    return;
  }
  /* Gone, or behind the very bridge port the frame came in by (it moved
   * to another side while the frame was relayed here). */
  struct iface *to = port;
  if (!to || (to == from && from->bridge_peer)) {
    sim_drop(link->sim, NULL, link, pkt, DROP_HANDOFF);
    return;
  }
  link_receive(link, to, pkt);
}

const struct link_ops eth_lan_ops = {.name = "lan", ETH_LAN_OPS};
