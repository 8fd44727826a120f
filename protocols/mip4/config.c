/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How the Mobile IPv4 module implements the scheme-neutral roles: the
 * home agent, the access router as a foreign agent, the mobile node (the
 * correspondent needs nothing of base Mobile IPv4), from the roles'
 * attributes and security associations and their <mip4> settings. */
#include <string.h>

#include "protocols/mip4/fa.h"
#include "protocols/mip4/ha.h"
#include "protocols/mip4/mip4.h"
#include "protocols/mip4/mn.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/net/addr.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/scenario/module.h"

gboolean mip4_lifetime_from_xml(const xmlNode *el, const char *name,
                                uint16_t *out, const struct module_ctx *ctx,
                                GError **error) {
  int64_t t = -1;
  if (!module_get_time(el, name, &t, ctx, error))
    return FALSE;
  if (t < 0)
    return TRUE;
  if (t % SIM_S != 0 || t / SIM_S > 65534) {
    module_error(error, ctx, el,
                 "%s: a Mobile IP lifetime is whole seconds, 1s to "
                 "65534s",
                 name);
    return FALSE;
  }
  *out = (uint16_t)(t / SIM_S);
  return TRUE;
}

/* "timestamps" (the default) or "nonces". */
static gboolean get_replay(const xmlNode *el, bool *nonces,
                           const struct module_ctx *ctx, GError **error) {
  g_autofree char *v = module_attr(el, "replay");
  *nonces = v && strcmp(v, "nonces") == 0;
  if (v && !*nonces && strcmp(v, "timestamps") != 0) {
    module_error(error, ctx, el, "replay: '%s' is not timestamps or nonces", v);
    return FALSE;
  }
  return TRUE;
}

gboolean mip4_sa_from_xml(const xmlNode *el, struct mip4_sa *sa,
                          const struct module_ctx *ctx, GError **error) {
  g_autofree char *spi = module_attr(el, "spi");
  g_autofree char *key = module_attr(el, "key");
  g_autofree char *alg = module_attr(el, "algorithm");
  uint64_t n;
  if (!spi || !units_parse_count(spi, &n, NULL) || n < 256 || n > 0xffffffffu) {
    /* SPIs 0-255 are reserved (RFC 5944 1.6). */
    module_error(error, ctx, el,
                 "spi: '%s' is not a number from 256 to "
                 "4294967295",
                 spi ? spi : "");
    return FALSE;
  }
  sa->spi = (uint32_t)n;
  if (!key || !mip4_parse_key(key, sa)) {
    module_error(error, ctx, el,
                 "key: '%s' is not a key in hex (2 to 128 "
                 "digits, an even number)",
                 key ? key : "");
    return FALSE;
  }
  if (!alg || strcmp(alg, "hmac-md5") == 0) {
    sa->alg = MIP4_AUTH_HMAC_MD5;
  } else if (strcmp(alg, "prefix-suffix-md5") == 0) {
    sa->alg = MIP4_AUTH_PREFIX_SUFFIX_MD5;
  } else if (strcmp(alg, "rfc2002") == 0) {
    sa->alg = MIP4_AUTH_RFC2002;
  } else {
    module_error(error, ctx, el,
                 "algorithm: '%s' is not hmac-md5, "
                 "prefix-suffix-md5 or rfc2002",
                 alg);
    return FALSE;
  }
  return TRUE;
}

/* Appends role's security associations to peers, but for the one with
 * peer skip (0: none). */
static gboolean get_sas(const xmlNode *role, uint32_t skip, GArray *peers,
                        const struct module_ctx *ctx, GError **error) {
  for (const xmlNode *c = role->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE ||
        strcmp((const char *)c->name, "security-association") != 0)
      continue;
    struct mip4_peer_sa p = {0};
    if (!module_get_v4(c, "peer", &p.addr, true, ctx, error) ||
        !mip4_sa_from_xml(c, &p.sa, ctx, error))
      return FALSE;
    if (p.addr != skip)
      g_array_append_val(peers, p);
  }
  return TRUE;
}

/* The association with peer, required: error names what it is for. */
static gboolean get_sa(const xmlNode *role, uint32_t peer, const char *what,
                       struct mip4_sa *sa, bool *nonces,
                       const struct module_ctx *ctx, GError **error) {
  const xmlNode *el = module_role_sa(role, peer);
  if (!el) {
    char a[ADDR_STRLEN];
    struct ip_addr ip = addr_v4(peer);
    addr_format(&ip, a);
    module_error(error, ctx, role,
                 "no <security-association peer=\"%s\"> "
                 "for %s",
                 a, what);
    return FALSE;
  }
  return mip4_sa_from_xml(el, sa, ctx, error) &&
         get_replay(el, nonces, ctx, error);
}

static bool is_named(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE &&
         strcmp((const char *)n->name, name) == 0;
}

/* The node's interface on the link (or cell) named by the attribute. */
static struct iface *get_iface(struct sim *sim, struct node *node,
                               const xmlNode *el, const char *name,
                               const struct module_ctx *ctx, GError **error) {
  g_autofree char *v = module_attr(el, name);
  struct link *link = v ? link_find(sim, v) : NULL;
  struct iface *iface = link ? node_iface_on(node, link) : NULL;
  if (!iface || !iface_addr(iface, 4)) {
    module_error(error, ctx, el,
                 "%s: %s has no IPv4 interface on a link "
                 "called '%s'",
                 name, node->name, v ? v : "");
    return NULL;
  }
  return iface;
}

static gboolean get_encaps(const xmlNode *el, bool *minimal, bool *gre,
                           const struct module_ctx *ctx, GError **error) {
  g_autofree char *v = module_attr(el, "encapsulations");
  if (!v)
    return TRUE;
  *minimal = *gre = false;
  g_auto(GStrv) words = g_strsplit_set(v, " ,", -1);
  for (char **w = words; *w; w++) {
    if (**w == '\0' || strcmp(*w, "ipip") == 0)
      continue;
    if (strcmp(*w, "minimal") == 0)
      *minimal = true;
    else if (strcmp(*w, "gre") == 0)
      *gre = true;
    else {
      module_error(error, ctx, el,
                   "encapsulations: '%s' is not ipip, "
                   "minimal or gre",
                   *w);
      return FALSE;
    }
  }
  return TRUE;
}

/* The <mip4> settings of role, or an empty element's worth: role
 * itself, which has none of the attributes the settings read. */
static const xmlNode *settings_of(const xmlNode *role) {
  const xmlNode *m = module_settings(role, &mip4_module);
  return m ? m : role;
}

/* The agents' tunnel settings (the callers read the advertisement
 * interval first: the agent is created with it). */
static gboolean get_agent_settings(const xmlNode *set, bool *minimal, bool *gre,
                                   bool *reverse_tunnel,
                                   const struct module_ctx *ctx,
                                   GError **error) {
  return get_encaps(set, minimal, gre, ctx, error) &&
         module_get_bool(set, "reverse-tunnel", reverse_tunnel);
}

static gboolean configure_ha(struct sim *sim, struct node *node, xmlNode *el,
                             const struct module_ctx *ctx, GError **error) {
  const xmlNode *set = settings_of(el);
  struct iface *home = get_iface(sim, node, el, "link", ctx, error);
  int64_t interval = SIM_S;
  if (!home || !module_get_time(set, "advertise", &interval, ctx, error))
    return FALSE;
  struct mip4_node *m = mip4_node_of(sim, node);
  if (m->ha) {
    module_error(error, ctx, el, "%s is already a home agent", node->name);
    return FALSE;
  }
  struct mip4_ha *ha = mip4_ha_new(m, home, interval);
  if (!mip4_lifetime_from_xml(el, "max-lifetime", &ha->max_lifetime, ctx,
                              error) ||
      !get_agent_settings(set, &ha->minimal, &ha->gre, &ha->reverse_tunnel, ctx,
                          error) ||
      !module_get_bool(set, "simultaneous", &ha->simultaneous) ||
      !module_get_time(set, "replay-tolerance", &ha->replay_tolerance, ctx,
                       error))
    return FALSE;
  /* The associations by peer, so that set-up stays linear in the number
   * of mobile nodes served. */
  g_autoptr(GArray) all =
      g_array_new(FALSE, FALSE, sizeof(struct mip4_peer_sa));
  if (!get_sas(el, 0, all, ctx, error))
    return FALSE;
  g_autoptr(GPtrArray) els = g_ptr_array_new();
  g_autoptr(GHashTable) by_peer =
      g_hash_table_new(g_direct_hash, g_direct_equal);
  for (xmlNode *c = el->children; c; c = c->next)
    if (is_named(c, "security-association")) {
      g_ptr_array_add(els, c);
      g_hash_table_insert(
          by_peer,
          GUINT_TO_POINTER(
              g_array_index(all, struct mip4_peer_sa, els->len - 1).addr),
          GUINT_TO_POINTER(els->len));
    }
  g_autofree bool *taken = g_new0(bool, all->len + 1);
  const struct prefix *own = iface_addr(home, 4);
  for (xmlNode *c = el->children; c; c = c->next) {
    if (!is_named(c, "mobile"))
      continue;
    uint32_t hoa;
    struct mip4_sa sa;
    bool nonces = false;
    if (!module_get_v4(c, "home-address", &hoa, true, ctx, error))
      return FALSE;
    guint i =
        GPOINTER_TO_UINT(g_hash_table_lookup(by_peer, GUINT_TO_POINTER(hoa)));
    if (!i) /* none: get_sa says so */
      return get_sa(el, hoa, "this mobile node", &sa, &nonces, ctx, error);
    if (taken[i]) {
      module_error(error, ctx, c,
                   "home-address: a second <mobile> with "
                   "this address");
      return FALSE;
    }
    if (((hoa ^ own->addr.v4) & v4_mask(own->len)) != 0) {
      module_error(error, ctx, c,
                   "home-address: not on the home agent's "
                   "subnet of its link");
      return FALSE;
    }
    if (!get_replay(g_ptr_array_index(els, i - 1), &nonces, ctx, error))
      return FALSE;
    mip4_ha_add_client(
        ha, hoa, &g_array_index(all, struct mip4_peer_sa, i - 1).sa, nonces);
    taken[i] = true;
  }
  /* The rest are the agents' (Foreign-Home). */
  for (guint i = 0; i < all->len; i++)
    if (!taken[i + 1])
      g_array_append_val(ha->agent_sas,
                         g_array_index(all, struct mip4_peer_sa, i));
  return TRUE;
}

/* The access router, as a foreign agent.  Its associations serve by
 * peer: with mobile nodes (by home address) and home agents. */
static gboolean configure_fa(struct sim *sim, struct node *node, xmlNode *el,
                             const struct module_ctx *ctx, GError **error) {
  const xmlNode *set = settings_of(el);
  struct iface *iface = get_iface(sim, node, el, "link", ctx, error);
  int64_t interval = SIM_S;
  if (!iface || !module_get_time(set, "advertise", &interval, ctx, error))
    return FALSE;
  struct mip4_node *m = mip4_node_of(sim, node);
  if (m->fa) {
    module_error(error, ctx, el, "%s is already a foreign agent", node->name);
    return FALSE;
  }
  struct mip4_fa *fa = mip4_fa_new(m, iface, interval);
  return get_sas(el, 0, fa->sas, ctx, error) &&
         mip4_lifetime_from_xml(el, "max-lifetime", &fa->max_lifetime, ctx,
                                error) &&
         get_agent_settings(set, &fa->minimal, &fa->gre, &fa->reverse_tunnel,
                            ctx, error) &&
         module_get_count(set, "max-pending", &fa->max_pending, ctx, error);
}

static gboolean configure_mn(struct sim *sim, struct node *node, xmlNode *el,
                             const struct module_ctx *ctx, GError **error) {
  const xmlNode *set = settings_of(el);
  g_autofree char *radio_name = module_attr(el, "wireless");
  struct iface *radio = NULL;
  for (uint32_t i = 0; i < node->n_ifaces; i++) {
    struct iface *f = node->ifaces[i];
    const char *short_name = strchr(f->name, '/') + 1;
    if (f->radio && (!radio_name || strcmp(short_name, radio_name) == 0)) {
      radio = f;
      break;
    }
  }
  if (!radio || !iface_addr(radio, 4)) {
    module_error(error, ctx, el,
                 "wireless: %s has no radio%s%s with an "
                 "IPv4 address",
                 node->name, radio_name ? " called " : "",
                 radio_name ? radio_name : "");
    return FALSE;
  }
  const struct prefix *home = iface_addr(radio, 4);
  uint32_t hoa = home->addr.v4, ha_addr = 0;
  struct mip4_sa sa = {0};
  bool nonces = false;
  if (!module_get_v4(el, "home-address", &hoa, false, ctx, error) ||
      !module_get_v4(el, "home-agent", &ha_addr, true, ctx, error) ||
      !get_sa(el, ha_addr, "the home agent", &sa, &nonces, ctx, error))
    return FALSE;
  struct mip4_node *m = mip4_node_of(sim, node);
  if (m->mn) {
    module_error(error, ctx, el, "%s is already a mobile node", node->name);
    return FALSE;
  }
  struct mip4_mn *mn = mip4_mn_new(m, radio, hoa, home->len, ha_addr, &sa);
  mn->nonces = nonces;
  g_autofree char *detection = module_attr(set, "detection");
  g_autofree char *encap = module_attr(set, "encapsulation");
  if (detection && strcmp(detection, "lazy") == 0)
    mn->eager = false;
  else if (detection && strcmp(detection, "eager") != 0) {
    module_error(error, ctx, set, "detection: '%s' is not eager or lazy",
                 detection);
    return FALSE;
  }
  if (encap && strcmp(encap, "minimal") == 0)
    mn->encap = ENCAP_MINIMAL;
  else if (encap && strcmp(encap, "gre") == 0)
    mn->encap = ENCAP_GRE;
  else if (encap && strcmp(encap, "ipip") != 0) {
    module_error(error, ctx, set,
                 "encapsulation: '%s' is not ipip, minimal "
                 "or gre",
                 encap);
    return FALSE;
  }
  /* The others are foreign agents' (Mobile-Foreign). */
  if (!get_sas(el, ha_addr, mn->agent_sas, ctx, error))
    return FALSE;
  g_autofree char *mode = module_attr(set, "care-of");
  if (mode && strcmp(mode, "colocated") == 0) {
    if (!mip4_mn_set_colocated(mn)) {
      module_error(error, ctx, set,
                   "care-of: %s's radio cannot run a DHCP "
                   "client (UDP port 68 taken, or a client already)",
                   node->name);
      return FALSE;
    }
  } else if (mode && strcmp(mode, "foreign-agent") != 0) {
    module_error(error, ctx, set,
                 "care-of: '%s' is not foreign-agent or "
                 "colocated",
                 mode);
    return FALSE;
  }
  g_autofree char *delivery = module_attr(set, "delivery");
  if (delivery && strcmp(delivery, "encapsulating") == 0) {
    mn->encapsulating = true;
  } else if (delivery && strcmp(delivery, "direct") != 0) {
    module_error(error, ctx, set,
                 "delivery: '%s' is not direct or "
                 "encapsulating",
                 delivery);
    return FALSE;
  }
  return mip4_lifetime_from_xml(el, "lifetime", &mn->lifetime, ctx, error) &&
         module_get_bool(set, "solicit-on-attach", &mn->solicit_on_attach) &&
         module_get_bool(set, "reverse-tunnel", &mn->reverse_tunnel) &&
         module_get_bool(set, "simultaneous", &mn->simultaneous) &&
         module_get_bool(set, "broadcast", &mn->broadcast);
}

/* A correspondent needs nothing of base Mobile IPv4: any host is one. */
gboolean mip4_configure(struct sim *sim, struct node *node, xmlNode *el,
                        const struct module_ctx *ctx, GError **error) {
  if (is_named(el, "home-agent"))
    return configure_ha(sim, node, el, ctx, error);
  if (is_named(el, "access-router"))
    return configure_fa(sim, node, el, ctx, error);
  if (is_named(el, "mobile-node"))
    return configure_mn(sim, node, el, ctx, error);
  return TRUE;
}
