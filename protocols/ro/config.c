/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How route optimisation takes up the roles under the mip4-optimized and
 * mip4-smooth schemes: every node with a role gets its state, in the mode
 * the scheme names, with the settings of the role's <route-optimization>
 * child and the role's security associations as its peers (a home agent
 * signs updates to a correspondent with their association, a
 * correspondent checks them with it). */
#include <string.h>

#include "protocols/ro/internal.h"
#include "protocols/ro/ro.h"
#include "sim/core/sim.h"
#include "sim/net/node.h"

/* The role's associations (the loader has checked that their peers
 * differ), but for peers the node knows already from another of its roles
 * (more: the first one wins). */
static gboolean get_peers(struct ro_node *rn, const xmlNode *role, bool more,
                          const struct module_ctx *ctx, GError **error) {
  for (const xmlNode *c = role->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE ||
        strcmp((const char *)c->name, "security-association") != 0)
      continue;
    struct ro_peer p = {0};
    if (!module_get_v4(c, "peer", &p.addr, true, ctx, error) ||
        !mip4_sa_from_xml(c, &p.sa, ctx, error))
      return FALSE;
    if (!more || !ro_peer_sa(rn, p.addr))
      g_array_append_val(rn->peers, p);
  }
  return TRUE;
}

gboolean ro_configure(struct sim *sim, struct node *node, xmlNode *el,
                      const struct module_ctx *ctx, GError **error) {
  bool fresh = !module_node_state(node, &ro_module);
  struct ro_node *rn = fresh
                           ? ro_node_new(sim, node,
                                         strcmp(ctx->scheme, "mip4-smooth") == 0
                                             ? RO_MODE_SMOOTH
                                             : RO_MODE_OPTIMIZED)
                           : module_node_state(node, &ro_module);
  const xmlNode *set = module_settings(el, &ro_module);
  bool refresh = rn->refresh != 0;
  if (set &&
      (!module_get_count(set, "cache-size", &rn->cache_size, ctx, error) ||
       !module_get_time(set, "update-interval", &rn->update_interval, ctx,
                        error) ||
       !mip4_lifetime_from_xml(set, "binding-lifetime", &rn->lifetime_max, ctx,
                               error) ||
       !module_get_bool(set, "refresh", &refresh) ||
       !module_get_time(set, "refresh-before", &rn->refresh, ctx, error) ||
       !mip4_lifetime_from_xml(set, "smooth-lifetime", &rn->smooth_lifetime,
                               ctx, error)))
    return FALSE;
  if (!get_peers(rn, el, !fresh, ctx, error))
    return FALSE;
  if (!refresh)
    rn->refresh = 0;
  if (fresh)
    ro_node_attach(rn);
  return TRUE;
}
