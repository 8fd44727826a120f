/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IP layer of a node, both families: input, forwarding, output, hooks
 * and protocol handlers.  Protocol modules plug in here; the kernel knows
 * nothing about them. */
#ifndef MIPSIM_IP_H
#define MIPSIM_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "hook.h"

struct node;
struct iface;
struct pkt;

#define IP_DEFAULT_TTL 64

/* Register fn at a hook point of node; hooks run in registration order. */
void ip_hook_add(struct node *node, enum ip_hook hook, ip_hook_fn fn,
                 void *ctx);
void ip_hook_remove(struct node *node, enum ip_hook hook, ip_hook_fn fn,
                    void *ctx);

/* Receives the packets for this node of one IP protocol (pkt->data at the
 * IP header).  Consumes pkt.  Takes precedence over the kernel's own
 * handling of that protocol (UDP, ICMP, ICMPv6). */
typedef void (*ip_proto_fn)(void *ctx, struct node *node, struct pkt *pkt,
                            struct iface *in);
void ip_proto_register(struct node *node, int family, uint8_t proto,
                       ip_proto_fn fn, void *ctx);
void ip_proto_unregister(struct node *node, int family, uint8_t proto);

/* What a sender asks of the IP layer.  src.family 0: the address of the
 * outgoing interface. */
struct ip_tx {
  struct ip_addr src;
  struct ip_addr dst;
  uint8_t proto;
  uint8_t ttl;   /* 0: IP_DEFAULT_TTL */
  uint8_t tos;
  bool df;
};

/* pkt->data holds the transport segment; prepends the IPv4 or IPv6 header
 * (by tx->dst.family) and sends it with ip_output.  Consumes pkt.
 * Transport checksums that cover a pseudo-header need the source address:
 * call ip_select_source first when tx->src is unset. */
void ip_send(struct node *node, struct pkt *pkt, const struct ip_tx *tx);

/* The same, out through oif to next hop gw (gw.family 0: the destination
 * is on the link), for destinations without a route (multicast,
 * broadcast) or a neighbour reached outside the routing table. */
void ip_send_via(struct node *node, struct pkt *pkt, const struct ip_tx *tx,
                 struct iface *oif, const struct ip_addr *gw);

/* A complete IP packet this node originates (or re-originates, such as a
 * tunnel's outer packet): LOCAL_OUT hooks, routing, POST_ROUTING, then the
 * link.  Consumes pkt. */
void ip_output(struct node *node, struct pkt *pkt);
/* The same, bypassing the route lookup: out through oif to next hop gw
 * (gw.family 0: the packet's destination is on the link). */
void ip_output_via(struct node *node, struct pkt *pkt, struct iface *oif,
                   const struct ip_addr *gw);

/* The source address the node would use towards dst; false if no route. */
bool ip_select_source(struct node *node, const struct ip_addr *dst,
                      struct ip_addr *src);

/* Called by interfaces with pkt->data at the IP header. Consumes pkt. */
void ip_input(struct iface *in, struct pkt *pkt);
/* A packet known to be for this node (a tunnel endpoint's inner packet):
 * validated, then LOCAL_IN and the protocol, whatever its destination
 * address.  Consumes pkt. */
void ip_deliver_local(struct node *node, struct pkt *pkt, struct iface *in);

/* Read the addresses of a packet whose data is at its IP header. */
bool ip_packet_addrs(const struct pkt *pkt, struct ip_addr *src,
                     struct ip_addr *dst);

/* Kernel side: frees the node's hooks and handlers. */
void ip__node_free(struct node *node);

#endif
