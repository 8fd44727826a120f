/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loaders of <routing> (how routes are made) and <route> (a static
 * route of a node). */
#include "sim/scenario/load.h"

#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/addr.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"

gboolean route_load_routing(struct load_ctx *ld, xmlNode *n, GError **error) {
  static const struct load_keyword modes[] = {
      {"computed", true}, {"static", false}, {NULL, 0}};
  static const struct load_keyword metrics[] = {
      {"delay", ROUTE_METRIC_DELAY}, {"hops", ROUTE_METRIC_HOPS}, {NULL, 0}};
  int computed = true, metric = ROUTE_METRIC_DELAY;
  if (!load_get_keyword(ld, n, "mode", modes, &computed, error) ||
      !load_get_keyword(ld, n, "metric", metrics, &metric, error))
    return FALSE;
  ld->sim->computed_routes = computed;
  ld->sim->metric = (enum route_metric)metric;
  return TRUE;
}

gboolean route_load_route(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct node *node;
  if (!LOAD_NEED(ld, n, error, "node", "prefix") ||
      !load_node_ref(ld, n, "node", &node, error))
    return FALSE;
  g_autofree char *text = load_attr(n, "prefix");
  struct prefix p;
  g_autoptr(GError) local = NULL;
  if (!prefix_parse(text, &p, &local))
    return load_error(error, ld, n, "prefix: %s", local->message);
  struct prefix net = prefix_network(&p);
  char buf[ADDR_STRLEN];
  if (!addr_equal(&net.addr, &p.addr))
    return load_error(error, ld, n,
                      "prefix: %s has host bits set (did you "
                      "mean %s/%u?)",
                      text, addr_format(&net.addr, buf), p.len);

  struct iface *oif = NULL;
  if (load_has_attr(n, "link") &&
      !load_link_iface_ref(ld, n, "link", node, &oif, error))
    return FALSE;
  struct ip_addr gw = {0};
  g_autofree char *via = load_attr(n, "via");
  if (via) {
    if (!addr_parse(via, &gw, &local))
      return load_error(error, ld, n, "via: %s", local->message);
    if (gw.family != p.addr.family)
      return load_error(error, ld, n,
                        "via: %s is not an %s address like "
                        "the prefix %s",
                        via, load_family_name(p.addr.family), text);
    if (node_has_addr(node, &gw))
      return load_error(error, ld, n, "via: %s is an address of %s itself", via,
                        node->name);
    if (oif && !iface_on_link(oif, &gw))
      return load_error(error, ld, n,
                        "via: %s is not on a subnet of %s's "
                        "interface on %s",
                        via, node->name, oif->link->name);
  } else if (!oif) {
    return load_error(error, ld, n,
                      "needs via (the next router), link (for "
                      "a destination on the link), or both");
  }

  g_autofree char *key =
      g_strdup_printf("%s %s/%u", node->name, addr_format(&p.addr, buf), p.len);
  long line = load_claim(ld, "route", key, n);
  if (line)
    return load_error(error, ld, n,
                      "%s already has a route to %s (line "
                      "%ld)",
                      node->name, text, line);

  if (!route_add(node, &p, oif, &gw))
    return load_error(error, ld, n, "via: %s is on none of %s's subnets", via,
                      node->name);
  return TRUE;
}
