/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interfaces: addresses, MAC, and the hand-off of received frames. */
#include "sim/net/iface.h"

#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"

struct iface *iface_new(struct node *node, struct link *link) {
  struct iface *iface = iface_new_unattached(node, link->name);
  link_attach(link, iface);
  return iface;
}

struct iface *iface_new_unattached(struct node *node, const char *name) {
  struct sim *sim = node->sim;
  struct iface *iface = g_new0(struct iface, 1);
  iface->node = node;
  iface->id = sim->ifaces->len;
  iface->name = g_strdup_printf("%s/%s", node->name, name);
  iface->mac[0] = 0x02; /* locally administered, unicast */
  iface->mac[2] = (uint8_t)(iface->id >> 24);
  iface->mac[3] = (uint8_t)(iface->id >> 16);
  iface->mac[4] = (uint8_t)(iface->id >> 8);
  iface->mac[5] = (uint8_t)iface->id;
  iface->up = true;
  iface->addrs = g_array_new(FALSE, FALSE, sizeof(struct prefix));
  g_ptr_array_add(sim->ifaces, iface);
  node->ifaces = g_renew(struct iface *, node->ifaces, node->n_ifaces + 1);
  node->ifaces[node->n_ifaces++] = iface;
  return iface;
}

void iface_free(struct iface *iface) {
  struct sim *sim = iface->node->sim;
  for (guint i = 0; i < sim->subsystems->len; i++) {
    const struct sim_subsystem *sub = g_ptr_array_index(sim->subsystems, i);
    if (sub->iface_free)
      sub->iface_free(iface);
  }
  if (iface->proxy_arp)
    g_hash_table_destroy(iface->proxy_arp);
  g_free(iface->txq.start);
  g_array_free(iface->addrs, TRUE);
  g_free(iface->name);
  g_free(iface);
}

void iface_add_addr(struct iface *iface, const struct prefix *p) {
  g_array_append_val(iface->addrs, *p);
  route_invalidate(iface->node->sim);
}

bool iface_del_addr(struct iface *iface, const struct ip_addr *a) {
  for (guint i = 0; i < iface->addrs->len; i++) {
    if (addr_equal(&g_array_index(iface->addrs, struct prefix, i).addr, a)) {
      g_array_remove_index(iface->addrs, i);
      route_invalidate(iface->node->sim);
      return true;
    }
  }
  return false;
}

const struct prefix *iface_addr(const struct iface *iface, int family) {
  for (guint i = 0; i < iface->addrs->len; i++) {
    const struct prefix *p = &g_array_index(iface->addrs, struct prefix, i);
    if (p->addr.family == family)
      return p;
  }
  return NULL;
}

bool iface_has_addr(const struct iface *iface, const struct ip_addr *a) {
  for (guint i = 0; i < iface->addrs->len; i++)
    if (addr_equal(&g_array_index(iface->addrs, struct prefix, i).addr, a))
      return true;
  return false;
}

bool iface_on_link(const struct iface *iface, const struct ip_addr *a) {
  for (guint i = 0; i < iface->addrs->len; i++)
    if (prefix_contains(&g_array_index(iface->addrs, struct prefix, i), a))
      return true;
  return false;
}

void iface_receive(struct iface *iface, struct pkt *pkt) {
  if (iface->bridge_peer) {
    /* A transparent bridge relays the frame unchanged. */
    link_send(iface->bridge_peer, pkt);
    return;
  }
  iface->link->ops->input(iface, pkt);
}
