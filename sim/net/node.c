/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Nodes and their life cycle. */
#include "sim/net/node.h"

#include <string.h>

#include "sim/core/fault.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"

static void nodes_free(struct sim *sim) {
  for (guint i = 0; i < sim->nodes->len; i++)
    node_free(g_ptr_array_index(sim->nodes, i));
}

static void nodes_count_drop(struct node *node, G_GNUC_UNUSED struct link *link,
                             uint32_t reason) {
  if (node)
    drop_counters_add(&node->cnt.drops, reason);
}

static const struct sim_subsystem nodes = {
    .name = "nodes", .free = nodes_free, .count_drop = nodes_count_drop};

struct node *node_new(struct sim *sim, const char *name, bool router) {
  sim_use(sim, &nodes);
  struct node *node = g_new0(struct node, 1);
  node->sim = sim;
  node->name = g_strdup(name);
  node->id = sim->nodes->len;
  node->router = router;
  node->up = true;
  node->ip4_next_id = 1;
  /* The kernel's transports are handlers like any module's (ip.h). */
  ip_proto_register(node, 4, IPPROTO_NUM_UDP, udp_input, NULL);
  ip_proto_register(node, 6, IPPROTO_NUM_UDP, udp_input, NULL);
  ip_proto_register(node, 4, IPPROTO_NUM_TCP, tcp_input, NULL);
  ip_proto_register(node, 6, IPPROTO_NUM_TCP, tcp_input, NULL);
  ip_proto_register(node, 4, IPPROTO_NUM_ICMP, icmp_input, NULL);
  ip_proto_register(node, 6, IPPROTO_NUM_ICMPV6, icmp6_input, NULL);
  g_ptr_array_add(sim->nodes, node);
  return node;
}

void node_free(struct node *node) {
  for (uint32_t i = 0; i < node->n_ifaces; i++)
    iface_free(node->ifaces[i]);
  g_free(node->ifaces);
  for (guint i = 0; i < node->sim->subsystems->len; i++) {
    const struct sim_subsystem *sub =
        g_ptr_array_index(node->sim->subsystems, i);
    if (sub->node_free)
      sub->node_free(node);
  }
  /* The IP layer and its dispatch tables are every node's. */
  ip__node_free(node);
  udp__node_free(node);
  tcp__node_free(node);
  icmp__node_free(node);
  drop_counters_free(&node->cnt.drops);
  g_free(node->module_states);
  g_free(node->name);
  g_free(node);
}

void node_set_up(struct node *node, bool up) {
  node->up = up;
}

static void switch_node(void *node, bool up) {
  node_set_up(node, up);
}

void node_fault_at(struct node *node, int64_t at, bool up) {
  fault_at(node->sim, at, switch_node, node, up);
}

struct node *node_find(const struct sim *sim, const char *name) {
  for (guint i = 0; i < sim->nodes->len; i++) {
    struct node *n = g_ptr_array_index(sim->nodes, i);
    if (strcmp(n->name, name) == 0)
      return n;
  }
  return NULL;
}

bool node_first_addr(const struct node *node, int family, struct ip_addr *out) {
  for (uint32_t i = 0; i < node->n_ifaces; i++) {
    const struct prefix *p = iface_addr(node->ifaces[i], family);
    if (p) {
      *out = p->addr;
      return true;
    }
  }
  return false;
}

bool node_has_addr(const struct node *node, const struct ip_addr *a) {
  for (uint32_t i = 0; i < node->n_ifaces; i++)
    if (iface_has_addr(node->ifaces[i], a))
      return true;
  return false;
}

struct iface *node_iface_on(const struct node *node, const struct link *link) {
  for (uint32_t i = 0; i < node->n_ifaces; i++)
    if (node->ifaces[i]->link == link)
      return node->ifaces[i];
  return NULL;
}
