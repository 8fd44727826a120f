/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet II framing and the demultiplexing of received frames.
 *
 * IPv6 next hops are resolved by looking the address up among the
 * stations of the LAN: neighbour discovery is not simulated yet (it comes
 * with the Mobile IPv6 module), so IPv6 has no resolution delay or
 * neighbour-discovery traffic. */
#include "eth.h"

#include <string.h>

#include "arp.h"
#include "iface.h"
#include "inet.h"
#include "ip.h"
#include "link.h"
#include "node.h"
#include "pkt.h"
#include "sim.h"

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
      uint8_t mac[6] = {0x01, 0x00, 0x5e, (uint8_t)((ip >> 16) & 0x7f),
                        (uint8_t)(ip >> 8), (uint8_t)ip};
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
