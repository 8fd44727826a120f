/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The <route-optimization> element.  At the top of a scenario it sets the
 * mode of every node that does not choose its own; inside a <host> or
 * <router> it makes that node implement route optimisation in whatever
 * roles it has: a correspondent's binding cache (any node), a home
 * agent's updates, a foreign agent's smooth handoffs, a mobile node's
 * Previous Foreign Agent Notifications.  <peer> children are the
 * associations between home agents and correspondents. */
#include <string.h>

#include "protocols/ro/internal.h"
#include "protocols/ro/ro.h"
#include "sim/node.h"
#include "sim/sim.h"

static gboolean get_mode(const xmlNode *el, int *mode,
                         const struct module_ctx *ctx, GError **error) {
  g_autofree char *v = module_attr(el, "mode");
  if (!v)
    return TRUE;
  static const char *const names[] = {"triangle", "optimized", "smooth"};
  for (int i = 0; i < (int)G_N_ELEMENTS(names); i++)
    if (strcmp(v, names[i]) == 0) {
      *mode = i;
      return TRUE;
    }
  module_error(error, ctx, el, "mode: '%s' is not triangle, optimized or "
               "smooth", v);
  return FALSE;
}

static gboolean get_peers(struct ro_node *rn, const xmlNode *el,
                          const struct module_ctx *ctx, GError **error) {
  for (const xmlNode *c = el->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    struct ro_peer p = {0};
    if (!module_get_v4(c, "address", &p.addr, true, ctx, error) ||
        !mip4_sa_from_xml(c, &p.sa, ctx, error))
      return FALSE;
    if (ro_peer_sa(rn, p.addr)) {
      module_error(error, ctx, c, "address: a second association with the "
                   "same peer");
      return FALSE;
    }
    g_array_append_val(rn->peers, p);
  }
  return TRUE;
}

gboolean ro_configure(struct sim *sim, struct node *node, xmlNode *el,
                      const struct module_ctx *ctx, GError **error) {
  int mode = -1;
  if (!get_mode(el, &mode, ctx, error))
    return FALSE;
  struct ro_node *rn = ro_node_new(sim, node, mode);
  if (!rn) {
    module_error(error, ctx, el, "%s already has a <route-optimization>",
                 node->name);
    return FALSE;
  }
  bool refresh = true;
  if (!module_get_count(el, "cache-size", &rn->cache_size, ctx, error) ||
      !module_get_time(el, "update-interval", &rn->update_interval, ctx,
                       error) ||
      !mip4_lifetime_from_xml(el, "binding-lifetime", &rn->lifetime_max, ctx,
                              error) ||
      !module_get_bool(el, "refresh", &refresh) ||
      !module_get_time(el, "refresh-before", &rn->refresh, ctx, error) ||
      !mip4_lifetime_from_xml(el, "smooth-lifetime", &rn->smooth_lifetime,
                              ctx, error) ||
      !get_peers(rn, el, ctx, error))
    return FALSE;
  if (!refresh)
    rn->refresh = 0;
  ro_node_attach(rn);
  return TRUE;
}

gboolean ro_configure_scenario(struct sim *sim, xmlNode *el,
                               const struct module_ctx *ctx, GError **error) {
  int mode = RO_MODE_SMOOTH;
  if (!get_mode(el, &mode, ctx, error))
    return FALSE;
  ro_world_of(sim)->mode = (enum ro_mode)mode;
  return TRUE;
}
