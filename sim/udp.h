/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UDP over IPv4 and IPv6, with sockets bound by port. */
#ifndef MIPSIM_UDP_H
#define MIPSIM_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

struct node;
struct iface;
struct pkt;

struct udp_rx {
  struct ip_addr src, dst;
  uint16_t sport, dport;
  uint8_t ttl;       /* TTL or hop limit as received */
  struct iface *in;
};

/* pkt->data at the UDP payload.  Consumes pkt. */
typedef void (*udp_rx_fn)(void *ctx, struct node *node, struct pkt *pkt,
                          const struct udp_rx *rx);

/* False if the port is taken. */
bool udp_bind(struct node *node, uint16_t port, udp_rx_fn fn, void *ctx);
void udp_unbind(struct node *node, uint16_t port);

/* pkt->data holds the payload.  src.family 0: chosen by the route.
 * Consumes pkt. */
void udp_send(struct node *node, struct pkt *pkt, const struct ip_addr *src,
              const struct ip_addr *dst, uint16_t sport, uint16_t dport,
              uint8_t ttl);

/* Kernel side: local delivery of a UDP packet (data at the IP header). */
void udp_input(struct node *node, struct pkt *pkt, struct iface *in);

void udp__node_free(struct node *node);

#endif
