/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Route lookup: a node's connected and static routes first, then the
 * routes computed from the topology (shortest path by delay or hops). */
#ifndef MIPSIM_ROUTE_H
#define MIPSIM_ROUTE_H

#include <stdbool.h>

#include "addr.h"

struct node;
struct iface;
struct sim;

struct nexthop {
  struct iface *oif;
  struct ip_addr gw; /* family 0: the destination itself is on the link */
};

/* Longest-prefix match for dst; false if there is no route. */
bool route_lookup(struct node *node, const struct ip_addr *dst,
                  struct nexthop *out);

/* A static route.  gw.family 0: on-link through oif.  oif NULL: the
 * interface whose subnet holds gw. */
bool route_add(struct node *node, const struct prefix *p, struct iface *oif,
               const struct ip_addr *gw);
bool route_del(struct node *node, const struct prefix *p);

/* Forget cached lookups after the topology or a table changed. */
void route_invalidate(struct sim *sim);
void route_free_node(struct node *node);
void routing_free(struct sim *sim);

#endif
