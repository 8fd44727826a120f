/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The soft state of the tunnels a node originates (RFC 2003 4, 5): the MTU
 * of each tunnel, learnt from "fragmentation needed" errors about the
 * node's own tunnel packets, and whether its exit is reachable, learnt
 * from "unreachable" errors, so that the original senders are told the
 * size that fits, or that the destination cannot be reached, instead of
 * their packets vanishing in the tunnel. */
#ifndef MIPSIM_TUNNEL_H
#define MIPSIM_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/drop.h"
#include "sim/sched.h"

struct node;
struct pkt;
struct tunnel_state;

/* Listens for ICMP errors on node.  Transfer full. */
struct tunnel_state *tunnel_state_new(struct node *node);
void tunnel_state_free(struct tunnel_state *t);

/* How long an "unreachable" from inside a tunnel is believed. */
#define TUNNEL_UNREACHABLE_HOLD (5 * SIM_S)

/* May inner (data at its IPv4 header), grown by overhead bytes, go into
 * the tunnel to exit?  Not if the exit was reported unreachable in the
 * last TUNNEL_UNREACHABLE_HOLD: the inner sender gets "host unreachable"
 * (RFC 2003 4).  Not if it forbids fragmentation and does not fit: the
 * sender gets "fragmentation needed" with the tunnel MTU less the
 * overhead (RFC 2003 5.1).  On false the caller drops the packet for
 * the reason given in *why. */
bool tunnel_fits(struct tunnel_state *t, const struct pkt *inner,
                 uint32_t exit, uint32_t overhead, enum drop_reason *why);

/* The tunnel MTU known for exit: the first link's MTU, or less if the
 * tunnel reported less. */
uint32_t tunnel_mtu(struct tunnel_state *t, uint32_t exit);

#endif
