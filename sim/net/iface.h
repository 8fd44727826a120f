/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interfaces: a node's attachment to one link, with its addresses, MAC,
 * transmit queue and (on LANs) neighbour caches. */
#ifndef MIPSIM_IFACE_H
#define MIPSIM_IFACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/net/addr.h"

struct node;
struct link;
struct arp_cache;
struct radio;
struct pkt;

/* Start times of the frames waiting in a drop-tail transmit queue.  Frames
 * are given their transmission slot when queued, so the queue is a ring of
 * future start times: those not yet reached are still waiting. */
struct txq {
  int64_t *start;
  uint32_t head, count, cap;
};

struct iface {
  struct node *node;
  struct link *link;
  uint32_t id; /* index in sim->ifaces */
  uint32_t link_index;
  char *name;     /* "node/link" */
  uint8_t mac[6]; /* 02:00 followed by the id: unique in the run */
  bool up;
  /* Drop arriving packets whose source address would not be routed back
   * out of this interface (strict reverse-path check, RFC 3704). */
  bool ingress_filter;
  GArray *addrs; /* struct prefix: IPv4 and IPv6 addresses */
  int64_t tx_busy_until;
  struct txq txq;
  struct arp_cache *arp; /* LANs only, created on first use */
  GHashTable *proxy_arp; /* IPv4 addresses answered for; NULL if none */
  /* A mobile node's wireless interface: link is the cell it is associated
   * with, NULL between cells.  Such interfaces take no part in route
   * computation (the topology is the wired one plus access points). */
  struct radio *radio;
  /* A bridge port: frames received here are sent out of the peer port. */
  struct iface *bridge_peer;
};

/* Attaches node to link (see link_attach). */
struct iface *iface_new(struct node *node, struct link *link);
/* An interface on no link yet (a radio), named node/name. */
struct iface *iface_new_unattached(struct node *node, const char *name);
void iface_free(struct iface *iface);

/* Adds an interface address; the connected route follows it. */
void iface_add_addr(struct iface *iface, const struct prefix *p);
bool iface_del_addr(struct iface *iface, const struct ip_addr *a);
/* The first address of the family, or NULL. */
const struct prefix *iface_addr(const struct iface *iface, int family);
bool iface_has_addr(const struct iface *iface, const struct ip_addr *a);
/* Is a on one of the interface's subnets? */
bool iface_on_link(const struct iface *iface, const struct ip_addr *a);

/* Frames are delivered to the interface by its link; the interface passes
 * them to ARP or IP.  pkt->data is at the frame start.  Consumes pkt. */
void iface_receive(struct iface *iface, struct pkt *pkt);

#endif
