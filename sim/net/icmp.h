/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ICMP (IPv4) and ICMPv6: echo, error messages, and handlers that modules
 * and applications register by message type. */
#ifndef MIPSIM_ICMP_H
#define MIPSIM_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/net/addr.h"

struct node;
struct iface;
struct pkt;

enum {
  ICMP_ECHO_REPLY = 0,
  ICMP_DEST_UNREACH = 3,
  ICMP_ROUTER_ADV = 9,
  ICMP_ROUTER_SOLICIT = 10,
  ICMP_TIME_EXCEEDED = 11,
  ICMP_ECHO_REQUEST = 8,
};
enum {
  ICMP_UNREACH_NET = 0,
  ICMP_UNREACH_HOST = 1,
  ICMP_UNREACH_PROTO = 2,
  ICMP_UNREACH_PORT = 3,
  ICMP_UNREACH_NEEDFRAG = 4,
  ICMP_UNREACH_ADMIN = 13,
};
enum {
  ICMP6_DEST_UNREACH = 1,
  ICMP6_PACKET_TOO_BIG = 2,
  ICMP6_TIME_EXCEEDED = 3,
  ICMP6_ECHO_REQUEST = 128,
  ICMP6_ECHO_REPLY = 129,
};
enum {
  ICMP6_UNREACH_NOROUTE = 0,
  ICMP6_UNREACH_ADMIN = 1,
  ICMP6_UNREACH_ADDR = 3,
  ICMP6_UNREACH_PORT = 4,
};

/* An ICMP message for this node, of a type a handler registered for, its
 * checksum checked.  pkt->data at the IP header; icmp_off is the offset of
 * the ICMP header.  Returns true if the handler took (consumed) the packet;
 * false lets the next handler, and then the kernel, see it (the rule in
 * ip.h: an unclaimed echo request is answered). */
typedef bool (*icmp_rx_fn)(void *ctx, struct node *node, struct pkt *pkt,
                           uint32_t icmp_off, struct iface *in);
void icmp_register(struct node *node, int family, uint8_t type, icmp_rx_fn fn,
                   void *ctx);
void icmp_unregister(struct node *node, int family, uint8_t type, icmp_rx_fn fn,
                     void *ctx);

/* Send an ICMP error about the offending packet (data at its IP header,
 * borrowed) back to its source, following RFC 1812 / RFC 4443: never about
 * an ICMP error, a non-first fragment, or a multicast / broadcast packet.
 * param is the next-hop MTU for "fragmentation needed" and "packet too
 * big", 0 otherwise. */
void icmp_send_error(struct node *node, const struct pkt *offending,
                     uint8_t type, uint8_t code, uint32_t param);

/* An echo request from node to dst: payload of len bytes (copied). */
void icmp_send_echo(struct node *node, const struct ip_addr *dst, uint16_t id,
                    uint16_t seq, const uint8_t *payload, uint32_t len,
                    uint8_t ttl, uint32_t flow);

/* Kernel side: the handlers of IP protocols 1 (IPv4) and 58 (IPv6) on
 * every node (ip_proto_fn; data at the IP header).  They take every
 * packet. */
bool icmp_input(void *ctx, struct node *node, struct pkt *pkt,
                struct iface *in);
bool icmp6_input(void *ctx, struct node *node, struct pkt *pkt,
                 struct iface *in);

void icmp__node_free(struct node *node);

#endif
