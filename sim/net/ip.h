/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IP layer of a node, both families: input, forwarding, output, hooks
 * and protocol handlers.  Protocol modules plug in here; the kernel knows
 * nothing about them. */
#ifndef MIPSIM_IP_H
#define MIPSIM_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/net/addr.h"
#include "sim/net/hook.h"

struct node;
struct iface;
struct pkt;

#define IP_DEFAULT_TTL 64

/* ---- The packet a hook or a handler gets --------------------------------
 *
 * Every hook and every protocol, port or ICMP type handler may assume:
 *
 * - pkt->data is at the IP header (read the version nibble for the
 *   family); a UDP port handler gets it at the UDP payload instead, with
 *   the addresses and ports in struct udp_rx; an ICMP handler gets the
 *   offset of the ICMP header.
 * - Received packets (PRE_ROUTING onwards) were validated: version 4 or 6,
 *   IPv4 header length at least 20 and within the total length, IPv4
 *   header checksum correct, and pkt->len trimmed to the total length
 *   (link padding gone).  IPv6 extension headers are not parsed.  A
 *   packet a node originates (LOCAL_OUT, POST_ROUTING) is as its sender
 *   built it: hooks there check the length before reading.
 * - TTL / hop limit: as received in PRE_ROUTING and LOCAL_IN and for the
 *   handlers; already decremented (checksum fixed) in FORWARD and in
 *   POST_ROUTING of a forwarded packet.
 * - Fragments: PRE_ROUTING and FORWARD may see IPv4 fragments; LOCAL_IN
 *   and every handler get the reassembled datagram.
 * - Transport checksums (UDP, TCP, ICMP) are checked by the kernel's
 *   handlers before a port or ICMP type handler is called, never before a
 *   hook or a protocol handler.
 * - Ownership: the packet is lent to a hook for the call.  IP_ACCEPT gives
 *   it back (maybe rewritten); ip_drop() gives it back for the kernel to
 *   free and count under the reason; IP_STOLEN means the hook now owns it
 *   (freed, queued or sent it).  A handler that takes a packet owns it; one
 *   that declines must leave it unchanged (not pulled, not rewritten).
 * - Rewriting: a hook may rewrite the packet in place, push or pull
 *   headers (encapsulation, decapsulation); it then fixes the IPv4 header
 *   checksum and any transport checksum whose pseudo-header covers what it
 *   changed.  After PRE_ROUTING the kernel reads the addresses again, so a
 *   rewritten destination is routed as such.
 * - Hooks and handlers run inside an event: they may send packets and
 *   schedule events, but must not add or remove hooks at the point, or
 *   handlers of the key, they are called for. */

/* Register fn at a hook point of node with a priority (IP_HOOK_PRIO_* in
 * hook.h): hooks run by ascending priority, then in registration order.
 * The same (fn, ctx) twice at one point is a programmer error. */
void ip_hook_add(struct node *node, enum ip_hook hook, int priority,
                 ip_hook_fn fn, void *ctx);
void ip_hook_remove(struct node *node, enum ip_hook hook, ip_hook_fn fn,
                    void *ctx);

/* ---- The dispatch rule -------------------------------------------------
 *
 * IP protocol numbers, UDP ports and ICMP / ICMPv6 types follow one rule:
 * handlers chain in registration order, and each returns whether it took
 * the packet (then owns it) or declined (left it untouched for the next).
 * A packet no handler takes gets the kernel's default: for a protocol, an
 * ICMP protocol unreachable (IPv4) and a drop counted as unreachable; for
 * a UDP port, a port unreachable and the same drop; for an ICMP type, an
 * echo request is answered and anything else is discarded uncounted.
 *
 * Why chains rather than one owner: several modules on one node share the
 * tunnel protocols (4, 55, 47) as endpoints of their own tunnels, and
 * control ports such as 434 will be shared the same way; each recognises
 * its own packets.  Refusing duplicates would force them to agree on a
 * demultiplexer outside the kernel.  The kernel's UDP, TCP, ICMP and
 * ICMPv6 take their numbers through ip_proto_register on every node when
 * it is created, so a module registering the same number comes after them
 * in the chain.
 *
 * Registering the very same (fn, ctx) twice for one key is a programmer
 * error.  Registration is O(1).  An application that wants a port for
 * itself (a sink, a DHCP server) is a different question, answered by the
 * scenario loader with udp_port_taken before it registers. */

/* Receives the packets for this node of one IP protocol (pkt->data at the
 * IP header).  Returns true if it took (consumed) pkt. */
typedef bool (*ip_proto_fn)(void *ctx, struct node *node, struct pkt *pkt,
                            struct iface *in);
void ip_proto_register(struct node *node, int family, uint8_t proto,
                       ip_proto_fn fn, void *ctx);
void ip_proto_unregister(struct node *node, int family, uint8_t proto,
                         ip_proto_fn fn, void *ctx);

/* What a sender asks of the IP layer.  src.family 0: the address of the
 * outgoing interface. */
struct ip_tx {
  struct ip_addr src;
  struct ip_addr dst;
  uint8_t proto;
  uint8_t ttl; /* 0: IP_DEFAULT_TTL */
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
