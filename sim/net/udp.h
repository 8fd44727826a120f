/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UDP over IPv4 and IPv6, with sockets bound by port. */
#ifndef MIPSIM_UDP_H
#define MIPSIM_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/net/addr.h"

struct node;
struct iface;
struct pkt;

struct udp_rx {
  struct ip_addr src, dst;
  uint16_t sport, dport;
  uint8_t ttl; /* TTL or hop limit as received */
  struct iface *in;
};

/* pkt->data at the UDP payload.  Returns true if it took (consumed) pkt;
 * false leaves it, untouched, to the next handler of the port (the rule in
 * ip.h). */
typedef bool (*udp_rx_fn)(void *ctx, struct node *node, struct pkt *pkt,
                          const struct udp_rx *rx);

void udp_register(struct node *node, uint16_t port, udp_rx_fn fn, void *ctx);
void udp_unregister(struct node *node, uint16_t port, udp_rx_fn fn, void *ctx);
/* Has port a handler?  The dispatch rule lets handlers share a port; an
 * application that must have one to itself (a traffic sink, a DHCP server)
 * asks this when the scenario is loaded and reports the clash there. */
bool udp_port_taken(const struct node *node, uint16_t port);

/* pkt->data holds the payload.  src.family 0: chosen by the route.
 * Consumes pkt. */
void udp_send(struct node *node, struct pkt *pkt, const struct ip_addr *src,
              const struct ip_addr *dst, uint16_t sport, uint16_t dport,
              uint8_t ttl);

/* Kernel side: the handler of IP protocol 17 on every node (an
 * ip_proto_fn; data at the IP header).  Takes every packet. */
bool udp_input(void *ctx, struct node *node, struct pkt *pkt, struct iface *in);

void udp__node_free(struct node *node);

#endif
