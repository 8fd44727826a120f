/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Route lookup: a node's connected and static routes first, then the
 * routes computed from the topology (shortest path by delay or hops). */
#ifndef MIPSIM_ROUTE_H
#define MIPSIM_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/net/addr.h"

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

/* The shortest path between two nodes as the topology is now, for path
 * stretch: a Dijkstra by propagation delay (ties: fewer links) over every
 * link, where routers and bridges relay and hosts do not (the endpoints
 * may be hosts).  Radios count where they are attached now (a radio
 * between cells has no link).  Links, interfaces and nodes count whether
 * up or down: routes are static, so this is the path routing would take
 * if it followed the shortest one.  False if to cannot be reached from
 * from; from == to gives 0 and 0.  Cached per (from, to) until the
 * topology changes (see route_topology_changed): a hit costs one hash
 * lookup. */
bool route_shortest(struct sim *sim, struct node *from, struct node *to,
                    int64_t *prop, uint32_t *hops);

/* iface joined or left its link (link_attach, link_detach call this).  A
 * host's radio moving changes only the paths that end at that host, since
 * hosts do not relay: it bumps the host's attachment stamp, which the
 * cached shortest paths from or to it compare.  Any other change (wired
 * interfaces, a router's or bridge's radio) bumps the topology generation,
 * which every cached shortest path compares. */
void route_topology_changed(struct iface *iface);

/* Forget cached lookups after the topology or a table changed. */
void route_invalidate(struct sim *sim);

#endif
