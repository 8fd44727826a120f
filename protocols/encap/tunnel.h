/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The soft state of the tunnels a node originates (RFC 2003 5): the MTU
 * of each tunnel, learnt from "fragmentation needed" errors about the
 * node's own tunnel packets, so that the original senders are told the
 * size that fits instead of their packets vanishing in the tunnel. */
#ifndef MIPSIM_TUNNEL_H
#define MIPSIM_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

struct node;
struct pkt;
struct tunnel_state;

/* Listens for ICMP errors on node.  Transfer full. */
struct tunnel_state *tunnel_state_new(struct node *node);
void tunnel_state_free(struct tunnel_state *t);

/* Would inner (data at its IPv4 header), grown by overhead bytes, fit the
 * tunnel to exit?  If not and it forbids fragmentation, the inner sender
 * gets "fragmentation needed" with the tunnel MTU less the overhead
 * (RFC 2003 5.1) and the answer is false: the caller drops the packet.
 * Packets that may be fragmented always fit (the tunnel packet is
 * fragmented on its way). */
bool tunnel_fits(struct tunnel_state *t, const struct pkt *inner,
                 uint32_t exit, uint32_t overhead);

/* The tunnel MTU known for exit: the first link's MTU, or less if the
 * tunnel reported less. */
uint32_t tunnel_mtu(struct tunnel_state *t, uint32_t exit);

#endif
