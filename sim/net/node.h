/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Nodes: hosts and routers, with their interfaces, routing table and the
 * hooks and handlers protocol modules register on their IP layer. */
#ifndef MIPSIM_NODE_H
#define MIPSIM_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/dispatch.h"
#include "sim/core/drop.h"
#include "sim/core/sim.h"
#include "sim/net/addr.h"
#include "sim/net/hook.h"

struct iface;
struct tcp_state;
struct reasm_table;
struct rtable;
struct mobility;
struct radio_listener;

struct node_counters {
  uint64_t ip_received; /* IP packets that arrived on an interface */
  uint64_t ip_sent;     /* IP packets this node originated */
  uint64_t ip_forwarded;
  uint64_t ip_delivered; /* handed to a local protocol */
  uint64_t icmp_errors_sent;
  uint64_t fragments_sent;
  uint64_t reassembled;
  struct drop_counters drops;
};

struct route_cache {
  struct ip_addr dst;
  uint32_t generation;
  struct iface *oif;
  struct ip_addr gw;
};

struct node {
  struct sim *sim;
  char *name;
  uint32_t id;
  bool router;
  bool up;
  struct iface **ifaces;
  uint32_t n_ifaces;
  struct rtable *rt; /* connected and static routes; NULL if none */
  /* The rules of the tables below are in ip.h. */
  GArray *hooks[IP_HOOK_COUNT]; /* struct ip_hook_entry; NULL if none */
  struct dispatch protos;       /* (family << 8 | protocol) -> handlers */
  struct dispatch udp;          /* port -> handlers */
  struct tcp_state *tcp;        /* NULL until the node uses TCP */
  struct dispatch icmp;         /* (family << 8 | type) -> handlers */
  struct reasm_table *reasm;
  struct route_cache rcache;
  struct mobility *mobility; /* NULL: the node has no position */
  struct radio_listener *radio_listeners;
  uint16_t ip4_next_id;
  uint32_t ip6_next_frag_id;
  struct node_counters cnt;
  /* Protocol modules' state, by module index (module.h); the kernel
   * frees the states with the run, the node only the array. */
  void **module_states;
  uint32_t n_module_states;
};

/* The node is owned by sim.  Names are unique (checked by the caller). */
struct node *node_new(struct sim *sim, const char *name, bool router);
void node_free(struct node *node);
/* A node that is down drops everything it receives or sends. */
void node_set_up(struct node *node, bool up);
/* The node goes down (up false) or comes back up at time at (fault.h). */
void node_fault_at(struct node *node, int64_t at, bool up);
/* The node called name, or NULL. */
struct node *node_find(const struct sim *sim, const char *name);

/* The first address of family (4 or 6) on any interface; false if none. */
bool node_first_addr(const struct node *node, int family, struct ip_addr *out);
/* Is a an address of one of this node's interfaces? */
bool node_has_addr(const struct node *node, const struct ip_addr *a);
struct iface *node_iface_on(const struct node *node, const struct link *link);

#endif
