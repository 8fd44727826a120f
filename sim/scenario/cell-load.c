/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loader of <cell>: a wireless cell, its channel, its access point
 * (a router's <ap> or a <bridge> onto a LAN) and its loss. */
#include "sim/scenario/load.h"

#include "sim/core/sim.h"
#include "sim/net/eth.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/wireless/cell.h"

/* A cell's name is also the name of its channel (a link) and of its
 * bridge (a node), so it must be free in all three namespaces. */
static struct load_name *define_cell(struct load_ctx *ld, const xmlNode *n,
                                     GError **error) {
  struct load_name *d = load_define(ld, n, LOAD_CELL, "cell", error);
  if (!d)
    return NULL;
  g_autofree char *name = load_attr(n, "name");
  const struct load_name *link = load_lookup(ld, LOAD_LINK, name);
  const struct load_name *node = load_lookup(ld, LOAD_NODE, name);
  if (link || node) {
    load_error(error, ld, n,
               "name '%s' is taken by the %s on line %ld (a "
               "cell's channel is a link of that name, and its bridge a "
               "node)",
               name, link ? "link or lan" : "node",
               link ? link->line : node->line);
    return NULL;
  }
  return d;
}

/* The <ap> or <bridge> of a cell, and its <loss>; fails unless there is
 * exactly one access point. */
static gboolean cell_children(const struct load_ctx *ld, const xmlNode *n,
                              const char *name, xmlNode **ap, xmlNode **loss,
                              GError **error) {
  *ap = *loss = NULL;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (load_is_element(c, "loss")) {
      *loss = c;
      continue;
    }
    if (!load_is_element(c, "ap") && !load_is_element(c, "bridge"))
      return load_unknown(error, ld, c);
    if (*ap)
      return load_error(error, ld, c,
                        "cell %s already has an access point "
                        "(the <%s> on line %ld)",
                        name, (const char *)(*ap)->name, xmlGetLineNo(*ap));
    *ap = c;
  }
  if (!*ap)
    return load_error(error, ld, n,
                      "%s needs an access point: an <ap> (a "
                      "router's interface) or a <bridge> (onto a lan)",
                      name);
  return TRUE;
}

/* The LAN a <bridge> names: a real LAN, not a point-to-point link or
 * another cell's channel. */
static struct link *bridged_lan(const struct load_ctx *ld, const xmlNode *n,
                                GError **error) {
  struct link *lan;
  if (!load_link_ref(ld, n, "lan", &lan, error))
    return NULL;
  if (lan->ops != &eth_lan_ops) {
    load_error(error, ld, n, "lan: %s is %s; a cell is bridged onto a lan",
               lan->name,
               cell_of_link(lan) ? "a cell" : "a point-to-point link");
    return NULL;
  }
  return lan;
}

/* <loss model="distance">: loss grows from near the access point to the
 * edge of the cell. */
static gboolean load_distance_loss(struct load_ctx *ld, xmlNode *n,
                                   struct link *link, GError **error) {
  struct cell *cell = cell_of_link(link);
  cell->distance_loss = true;
  cell->loss_near = 0.0;
  cell->loss_exponent = 2.0;
  return LOAD_NEED(ld, n, error, "edge") &&
         load_get_probability(ld, n, "near", &cell->loss_near, error) &&
         load_get_probability(ld, n, "edge", &cell->loss_edge, error) &&
         load_get_number(ld, n, "exponent", &cell->loss_exponent, error);
}

gboolean cell_load_cell(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct load_name *d = define_cell(ld, n, error);
  struct vec2 pos = {0, 0};
  double radius = 0;
  uint64_t bps = 0, mtu = LINK_DEFAULT_MTU, queue = LINK_DEFAULT_QUEUE;
  int64_t delay = 0;
  if (!d ||
      !LOAD_NEED(ld, n, error, "x", "y", "radius", "bandwidth", "delay") ||
      !load_get_distance(ld, n, "x", LOAD_ANY_SIGN, &pos.x, error) ||
      !load_get_distance(ld, n, "y", LOAD_ANY_SIGN, &pos.y, error) ||
      !load_get_distance(ld, n, "radius", LOAD_POSITIVE, &radius, error) ||
      !link_load_params(ld, n, &bps, &delay, &mtu, &queue, error))
    return FALSE;
  g_autofree char *name = load_attr(n, "name");
  xmlNode *ap, *loss;
  if (!cell_children(ld, n, name, &ap, &loss, error))
    return FALSE;

  /* Resolve the access point before building anything. */
  struct link *lan = NULL;
  if (load_is_element(ap, "bridge")) {
    lan = bridged_lan(ld, ap, error);
    if (!lan)
      return FALSE;
    /* The bridge joins the cell to the LAN's subnet, which has one MTU. */
    if (!load_has_attr(n, "mtu"))
      mtu = lan->mtu;
    else if (mtu != lan->mtu)
      return load_error(error, ld, n,
                        "mtu: %" G_GUINT64_FORMAT "B differs "
                        "from the %uB of lan %s, which the cell is bridged "
                        "onto",
                        mtu, lan->mtu, lan->name);
  } else {
    struct node *node;
    if (!load_node_ref(ld, ap, "node", &node, error))
      return FALSE;
    if (!node->router)
      return load_error(error, ld, ap,
                        "node: %s is a host; an access point "
                        "is a router's interface (or bridge the cell onto a "
                        "lan)",
                        node->name);
  }

  struct link *link = link_new(ld->sim, name, &cell_link_ops, bps, delay);
  link->mtu = (uint32_t)mtu;
  link->queue_limit = (uint32_t)queue;
  load_define_key(ld, LOAD_LINK, name, link, n);
  struct cell *cell = cell_new(ld->sim, name, pos, radius, link);
  d->obj = cell;

  bool has_ipv6 = false;
  if (lan)
    cell_bridge(cell, lan);
  else if (!link_load_iface(ld, ap, link, &has_ipv6, error))
    return FALSE;
  if (loss && !link_load_loss(ld, loss, link, load_distance_loss, error))
    return FALSE;
  if (has_ipv6 && mtu < LOAD_IPV6_MIN_MTU)
    return load_error(error, ld, n,
                      "mtu %" G_GUINT64_FORMAT "B is below "
                      "the IPv6 minimum of %uB, and %s carries IPv6",
                      mtu, LOAD_IPV6_MIN_MTU, name);
  return TRUE;
}
