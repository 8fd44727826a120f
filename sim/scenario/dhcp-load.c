/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loaders of <dhcp-server> and <dhcp-client>, children of <router>
 * and <host>. */
#include "sim/scenario/load.h"

#include "sim/net/addr.h"
#include "sim/net/iface.h"
#include "sim/net/node.h"
#include "sim/services/dhcp.h"

/* The address, among those interfaces claim, that a pool holds and
 * that was defined first. */
struct pool_search {
  uint32_t first, last;
  const char *taken;
  long line;
};

static void search_pool(gpointer key, gpointer line, gpointer data) {
  struct pool_search *ps = data;
  struct ip_addr a;
  long at = (long)GPOINTER_TO_SIZE(line);
  if (addr_parse(key, &a, NULL) && a.family == 4 && a.v4 >= ps->first &&
      a.v4 <= ps->last && (!ps->taken || at < ps->line)) {
    ps->taken = key;
    ps->line = at;
  }
}

static gboolean load_server(struct load_ctx *ld, xmlNode *n, struct node *node,
                            GError **error) {
  if (!node->router)
    return load_error(error, ld, n,
                      "%s is a host; a DHCP server runs on a "
                      "router",
                      node->name);
  uint32_t first = 0, last = 0, router = 0;
  int64_t lease = DHCP_DEFAULT_LEASE;
  struct iface *iface;
  if (!LOAD_NEED(ld, n, error, "link", "first", "last") ||
      !load_link_iface_ref(ld, n, "link", node, &iface, error) ||
      !load_get_v4(ld, n, "first", &first, error) ||
      !load_get_v4(ld, n, "last", &last, error) ||
      !load_get_v4(ld, n, "router", &router, error) ||
      !load_get_time(ld, n, "lease", &lease, error))
    return FALSE;
  /* No address the scenario gives an interface may be leased; name the
   * first defined of those the pool holds. */
  struct pool_search ps = {.first = first, .last = last};
  if (first <= last)
    load_claims_foreach(ld, "addr", search_pool, &ps);
  if (ps.taken) {
    g_autofree char *f = load_attr(n, "first"), *l = load_attr(n, "last");
    return load_error(error, ld, n,
                      "the pool %s-%s holds %s, the address "
                      "of the interface on line %ld",
                      f, l, ps.taken, ps.line);
  }
  g_autoptr(GError) local = NULL;
  struct dhcp_server *s =
      dhcp_server_new(node, iface, first, last, lease, &local);
  if (!s || (load_has_attr(n, "router") &&
             !dhcp_server_set_router(s, router, &local)))
    return load_error(error, ld, n, "%s", local->message);
  return TRUE;
}

static gboolean load_client(struct load_ctx *ld, xmlNode *n, struct node *node,
                            GError **error) {
  if (node->router)
    return load_error(error, ld, n,
                      "%s is a router; a DHCP client runs on "
                      "a host",
                      node->name);
  bool wireless = load_has_attr(n, "wireless");
  if (wireless == load_has_attr(n, "link"))
    return load_error(error, ld, n,
                      "give either wireless (a radio of %s) or "
                      "link (a link it is attached to)",
                      node->name);
  struct iface *iface;
  if (wireless ? !load_radio_ref(ld, n, "wireless", node, &iface, error)
               : !load_link_iface_ref(ld, n, "link", node, &iface, error))
    return FALSE;
  const struct prefix *p = iface_addr(iface, 4);
  if (p) {
    char text[ADDR_STRLEN];
    return load_error(error, ld, n,
                      "%s already has the IPv4 address %s/%u; "
                      "the interface of a DHCP client has none of its own",
                      iface->name, addr_format(&p->addr, text), p->len);
  }
  /* With the checks above, and port 68 free of flows until the traffic
   * pass, only a second client for the interface fails here. */
  if (!dhcp_client_new(iface, NULL, NULL, NULL))
    return load_error(error, ld, n, "%s already has a DHCP client",
                      iface->name);
  return TRUE;
}

gboolean dhcp_load_node(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct node *node;
  if (!load_node_ref(ld, n, "name", &node, error))
    return FALSE;
  for (xmlNode *c = n->children; c; c = c->next) {
    gboolean ok = TRUE;
    if (load_is_element(c, "dhcp-server"))
      ok = load_server(ld, c, node, error);
    else if (load_is_element(c, "dhcp-client"))
      ok = load_client(ld, c, node, error);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}
