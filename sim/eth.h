/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ethernet framing on LANs, and neighbour resolution for IP next hops. */
#ifndef MIPSIM_ETH_H
#define MIPSIM_ETH_H

#include <stdint.h>

#include "addr.h"

struct iface;
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

#endif
