/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet: framing, neighbour resolution for IP next hops, and the LAN
 * link kind, a shared medium whose unicast delivery is a learning
 * bridge's. */
#ifndef MIPSIM_ETH_H
#define MIPSIM_ETH_H

#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/net/addr.h"
#include "sim/net/inet.h"
#include "sim/net/link.h"

struct iface;
struct node;
struct pkt;

extern const uint8_t ETH_BROADCAST[6];

/* Frames an IP packet (data at the IP header) for next hop nh on a LAN
 * interface, resolving nh's MAC first (the packet may wait for ARP).
 * Consumes pkt. */
void eth_output_ip(struct iface *oif, struct pkt *pkt,
                   const struct ip_addr *nh);
/* Pushes the Ethernet header (padding the frame to the 60-byte minimum)
 * and sends it.  Consumes pkt. */
void eth_send(struct iface *oif, struct pkt *pkt, const uint8_t dst[6],
              uint16_t ethertype);
/* A frame arrived on a LAN interface (data at the Ethernet header). */
void eth_input(struct iface *in, struct pkt *pkt);

/* ---- the LAN link kind -------------------------------------------------
 * A LAN knows where each MAC address is, as a learning bridge does: a
 * station's address is registered when it attaches (and forgotten, the
 * station marked as gone, when it detaches), and a source address it has
 * never seen is learned from the frame.  A unicast frame goes to the one
 * station its destination was learned at; an unknown destination is
 * flooded: each station's NIC drops what is not addressed to it, and a
 * bridge port takes it if the far side has the station.  A transparent
 * bridge (eth_bridge) tells each side of the stations attaching to or
 * leaving the other, as an access point's layer-2 update frame does on
 * association, so a LAN knows every station of its cells at once. */
extern const struct link_ops eth_lan_ops;

/* The operations of the LAN kind but its name, for kinds that are LANs
 * with something more (a wireless cell): {.name = "...", ETH_LAN_OPS}. */
#define ETH_LAN_OPS                                                            \
  .framing = LINK_FRAMING_ETHERNET, .pcap_dlt = DLT_EN10MB,                    \
  .shared_medium = true, .output = eth_lan_output, .input = eth_input,         \
  .deliver = eth_lan_deliver, .attach = eth_lan_attach,                        \
  .detach = eth_lan_detach, .free = eth_lan_free

void eth_lan_output(struct iface *oif, struct pkt *pkt,
                    const struct ip_addr *gw);
void eth_lan_deliver(struct link *link, struct iface *from, struct pkt *pkt);
void eth_lan_attach(struct link *link, struct iface *iface);
void eth_lan_detach(struct link *link, struct iface *iface);
void eth_lan_free(struct link *link);

/* The interface of the LAN (a station, or a bridge port leading to it)
 * where unicast frames to mac go; NULL if unknown or gone. */
struct iface *eth_lan_station(struct link *link, const uint8_t mac[6]);

/* Gives node a transparent bridge between LANs a and b: an interface on
 * each (a's returned first, then b's), frames received on one sent out of
 * the other, each side learning the other's stations at the bridge's
 * port. */
struct iface *eth_bridge(struct node *node, struct link *a, struct link *b);

#endif
