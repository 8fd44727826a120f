/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scenario elements of the Mobile IPv4 module: <home-agent>,
 * <foreign-agent> (inside <router>) and <mobile-node> (inside <host>),
 * each a role of the node it is in. */
#include <string.h>

#include "protocols/mip4/fa.h"
#include "protocols/mip4/ha.h"
#include "protocols/mip4/mip4.h"
#include "protocols/mip4/mn.h"
#include "sim/addr.h"
#include "sim/iface.h"
#include "sim/link.h"
#include "sim/module.h"
#include "sim/node.h"
#include "sim/sim.h"
#include "sim/units.h"

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
                 "65534s", name);
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
    module_error(error, ctx, el, "replay: '%s' is not timestamps or nonces",
                 v);
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
  if (!spi || !units_parse_count(spi, &n, NULL) || n < 256 ||
      n > 0xffffffffu) {
    /* SPIs 0-255 are reserved (RFC 5944 1.6). */
    module_error(error, ctx, el, "spi: '%s' is not a number from 256 to "
                 "4294967295", spi ? spi : "");
    return FALSE;
  }
  sa->spi = (uint32_t)n;
  if (!key || !mip4_parse_key(key, sa)) {
    module_error(error, ctx, el, "key: '%s' is not a key in hex (2 to 128 "
                 "digits, an even number)", key ? key : "");
    return FALSE;
  }
  if (!alg || strcmp(alg, "hmac-md5") == 0) {
    sa->alg = MIP4_AUTH_HMAC_MD5;
  } else if (strcmp(alg, "prefix-suffix-md5") == 0) {
    sa->alg = MIP4_AUTH_PREFIX_SUFFIX_MD5;
  } else if (strcmp(alg, "rfc2002") == 0) {
    sa->alg = MIP4_AUTH_RFC2002;
  } else {
    module_error(error, ctx, el, "algorithm: '%s' is not hmac-md5, "
                 "prefix-suffix-md5 or rfc2002", alg);
    return FALSE;
  }
  return TRUE;
}

/* An <agent address="..."> or <mobile home-address="..."> child: a
 * security association with that peer, appended to peers. */
static gboolean get_peer(const xmlNode *el, const char *key_attr,
                         GArray *peers, const struct module_ctx *ctx,
                         GError **error) {
  struct mip4_peer_sa p = {0};
  if (!module_get_v4(el, key_attr, &p.addr, true, ctx, error) ||
      !mip4_sa_from_xml(el, &p.sa, ctx, error))
    return FALSE;
  if (mip4_peer_sa(peers, p.addr)) {
    module_error(error, ctx, el, "%s: a second association with the same "
                 "peer", key_attr);
    return FALSE;
  }
  g_array_append_val(peers, p);
  return TRUE;
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
    module_error(error, ctx, el, "%s: %s has no IPv4 interface on a link "
                 "called '%s'", name, node->name, v ? v : "");
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
      module_error(error, ctx, el, "encapsulations: '%s' is not ipip, "
                   "minimal or gre", *w);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean configure_ha(struct sim *sim, struct node *node,
                             xmlNode *el, const struct module_ctx *ctx,
                             GError **error) {
  struct iface *home = get_iface(sim, node, el, "link", ctx, error);
  int64_t interval = SIM_S;
  if (!home || !module_get_time(el, "advertise", &interval, ctx, error))
    return FALSE;
  struct mip4_node *m = mip4_node_of(sim, node);
  if (m->ha) {
    module_error(error, ctx, el, "%s is already a home agent", node->name);
    return FALSE;
  }
  struct mip4_ha *ha = mip4_ha_new(m, home, interval);
  if (!mip4_lifetime_from_xml(el, "max-lifetime", &ha->max_lifetime, ctx, error) ||
      !get_encaps(el, &ha->minimal, &ha->gre, ctx, error) ||
      !module_get_bool(el, "reverse-tunnel", &ha->reverse_tunnel) ||
      !module_get_bool(el, "simultaneous", &ha->simultaneous) ||
      !module_get_time(el, "replay-tolerance", &ha->replay_tolerance, ctx, error))
    return FALSE;
  const struct prefix *own = iface_addr(home, 4);
  for (xmlNode *c = el->children; c; c = c->next) {
    if (is_named(c, "agent")) {
      if (!get_peer(c, "address", ha->agent_sas, ctx, error))
        return FALSE;
      continue;
    }
    if (!is_named(c, "mobile"))
      continue;
    uint32_t hoa;
    struct mip4_sa sa = {0};
    bool nonces;
    if (!module_get_v4(c, "home-address", &hoa, true, ctx, error) ||
        !mip4_sa_from_xml(c, &sa, ctx, error) || !get_replay(c, &nonces, ctx, error))
      return FALSE;
    if (((hoa ^ own->addr.v4) & v4_mask(own->len)) != 0) {
      module_error(error, ctx, c, "home-address: not on the home agent's "
                   "subnet of its link");
      return FALSE;
    }
    mip4_ha_add_client(ha, hoa, &sa, nonces);
  }
  return TRUE;
}

static gboolean configure_fa(struct sim *sim, struct node *node,
                             xmlNode *el, const struct module_ctx *ctx,
                             GError **error) {
  struct iface *iface = get_iface(sim, node, el, "link", ctx, error);
  int64_t interval = SIM_S;
  if (!iface || !module_get_time(el, "advertise", &interval, ctx, error))
    return FALSE;
  struct mip4_node *m = mip4_node_of(sim, node);
  if (m->fa) {
    module_error(error, ctx, el, "%s is already a foreign agent", node->name);
    return FALSE;
  }
  struct mip4_fa *fa = mip4_fa_new(m, iface, interval);
  for (xmlNode *c = el->children; c; c = c->next) {
    if (is_named(c, "agent") &&
        !get_peer(c, "address", fa->agent_sas, ctx, error))
      return FALSE;
    if (is_named(c, "mobile") &&
        !get_peer(c, "home-address", fa->mobile_sas, ctx, error))
      return FALSE;
  }
  return mip4_lifetime_from_xml(el, "max-lifetime", &fa->max_lifetime, ctx, error) &&
         get_encaps(el, &fa->minimal, &fa->gre, ctx, error) &&
         module_get_bool(el, "reverse-tunnel", &fa->reverse_tunnel) &&
         module_get_count(el, "max-pending", &fa->max_pending, ctx, error);
}

static gboolean configure_mn(struct sim *sim, struct node *node,
                             xmlNode *el, const struct module_ctx *ctx,
                             GError **error) {
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
    module_error(error, ctx, el, "wireless: %s has no radio%s%s with an "
                 "IPv4 address", node->name, radio_name ? " called " : "",
                 radio_name ? radio_name : "");
    return FALSE;
  }
  const struct prefix *home = iface_addr(radio, 4);
  uint32_t hoa = home->addr.v4, ha_addr = 0;
  struct mip4_sa sa = {0};
  if (!module_get_v4(el, "home-address", &hoa, false, ctx, error) ||
      !module_get_v4(el, "home-agent", &ha_addr, true, ctx, error) ||
      !mip4_sa_from_xml(el, &sa, ctx, error))
    return FALSE;
  struct mip4_node *m = mip4_node_of(sim, node);
  if (m->mn) {
    module_error(error, ctx, el, "%s is already a mobile node", node->name);
    return FALSE;
  }
  struct mip4_mn *mn = mip4_mn_new(m, radio, hoa, home->len, ha_addr, &sa);
  g_autofree char *detection = module_attr(el, "detection");
  g_autofree char *encap = module_attr(el, "encapsulation");
  if (detection && strcmp(detection, "lazy") == 0)
    mn->eager = false;
  else if (detection && strcmp(detection, "eager") != 0) {
    module_error(error, ctx, el, "detection: '%s' is not eager or lazy",
                 detection);
    return FALSE;
  }
  if (encap && strcmp(encap, "minimal") == 0)
    mn->encap = ENCAP_MINIMAL;
  else if (encap && strcmp(encap, "gre") == 0)
    mn->encap = ENCAP_GRE;
  else if (encap && strcmp(encap, "ipip") != 0) {
    module_error(error, ctx, el, "encapsulation: '%s' is not ipip, minimal "
                 "or gre", encap);
    return FALSE;
  }
  for (xmlNode *c = el->children; c; c = c->next)
    if (is_named(c, "agent") &&
        !get_peer(c, "address", mn->agent_sas, ctx, error))
      return FALSE;
  g_autofree char *mode = module_attr(el, "care-of");
  if (mode && strcmp(mode, "colocated") == 0) {
    if (!mip4_mn_set_colocated(mn)) {
      module_error(error, ctx, el, "care-of: %s's radio cannot run a DHCP "
                   "client (UDP port 68 taken, or a client already)",
                   node->name);
      return FALSE;
    }
  } else if (mode && strcmp(mode, "foreign-agent") != 0) {
    module_error(error, ctx, el, "care-of: '%s' is not foreign-agent or "
                 "colocated", mode);
    return FALSE;
  }
  g_autofree char *delivery = module_attr(el, "delivery");
  if (delivery && strcmp(delivery, "encapsulating") == 0) {
    mn->encapsulating = true;
  } else if (delivery && strcmp(delivery, "direct") != 0) {
    module_error(error, ctx, el, "delivery: '%s' is not direct or "
                 "encapsulating", delivery);
    return FALSE;
  }
  return get_replay(el, &mn->nonces, ctx, error) &&
         mip4_lifetime_from_xml(el, "lifetime", &mn->lifetime, ctx, error) &&
         module_get_bool(el, "solicit-on-attach", &mn->solicit_on_attach) &&
         module_get_bool(el, "reverse-tunnel", &mn->reverse_tunnel) &&
         module_get_bool(el, "simultaneous", &mn->simultaneous) &&
         module_get_bool(el, "broadcast", &mn->broadcast);
}

gboolean mip4_configure(struct sim *sim, struct node *node, xmlNode *el,
                        const struct module_ctx *ctx, GError **error) {
  if (is_named(el, "home-agent"))
    return configure_ha(sim, node, el, ctx, error);
  if (is_named(el, "foreign-agent"))
    return configure_fa(sim, node, el, ctx, error);
  return configure_mn(sim, node, el, ctx, error);
}
