/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loader of <host> and <router>: the node itself (its children are
 * loaded by later passes). */
#include "sim/scenario/load.h"

#include <string.h>

#include "sim/net/node.h"

gboolean node_load_node(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct load_name *d = load_define(ld, n, LOAD_NODE, "node", error);
  if (!d)
    return FALSE;
  g_autofree char *name = load_attr(n, "name");
  bool router = strcmp((const char *)n->name, "router") == 0;
  d->obj = node_new(ld->sim, name, router);
  /* A host's children are movement and radios, loaded once the cells
   * exist (mobility_load_host); a router's are protocol modules' and
   * services'. */
  if (router)
    for (const xmlNode *c = n->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE && !ld->elsewhere(ld, c))
        return load_unknown(error, ld, c);
  return TRUE;
}
