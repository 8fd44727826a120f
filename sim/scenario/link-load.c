/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loaders of <link> and <lan>, of the interfaces that attach nodes
 * to them, and of their <loss>. */
#include "sim/scenario/load.h"

#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/addr.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"

#define MTU_MIN 68
#define MTU_MAX 65535
/* Every sending interface may queue this many frames; the bound keeps a
 * typo from asking for gigabytes of queue. */
#define QUEUE_MAX 1000000

gboolean link_load_params(struct load_ctx *ld, const xmlNode *n, uint64_t *bps,
                          int64_t *delay, uint64_t *mtu, uint64_t *queue,
                          GError **error) {
  return LOAD_NEED(ld, n, error, "bandwidth", "delay") &&
         load_get_rate(ld, n, "bandwidth", bps, error) &&
         load_get_time(ld, n, "delay", delay, error) &&
         load_get_size(ld, n, "mtu", MTU_MIN, MTU_MAX, mtu, error) &&
         load_get_count(ld, n, "queue", 1, QUEUE_MAX, queue, error);
}

gboolean link_load_iface(struct load_ctx *ld, xmlNode *n, struct link *link,
                         bool *has_ipv6, GError **error) {
  struct node *node;
  if (!load_node_ref(ld, n, "node", &node, error))
    return FALSE;
  if (node_iface_on(node, link))
    return load_error(error, ld, n, "node %s is attached to %s %s twice",
                      node->name, link->ops == &link_p2p_ops ? "link" : "lan",
                      link->name);
  bool filter = false;
  load_get_bool(n, "ingress-filter", &filter);
  if (filter && !node->router)
    return load_error(error, ld, n,
                      "ingress-filter: %s is a host; only "
                      "routers filter",
                      node->name);

  struct prefix v4 = {0}, v6 = {0};
  if (!load_get_iface_addr(ld, n, "ipv4", 4, &v4, error) ||
      !load_get_iface_addr(ld, n, "ipv6", 6, &v6, error) ||
      !load_no_children(ld, n, error))
    return FALSE;
  struct iface *iface = iface_new(node, link);
  if (v4.addr.family)
    iface_add_addr(iface, &v4);
  if (v6.addr.family) {
    iface_add_addr(iface, &v6);
    *has_ipv6 = true;
  }
  iface->ingress_filter = filter;
  return TRUE;
}

gboolean link_load_loss(struct load_ctx *ld, xmlNode *n, struct link *link,
                        link_load_model_fn distance, GError **error) {
  if (!LOAD_NEED(ld, n, error, "model"))
    return FALSE;
  g_autofree char *model = load_attr(n, "model");
  struct loss_model *m = &link->loss;
  if (strcmp(model, "distance") == 0) {
    if (!distance)
      return load_error(error, ld, n,
                        "model: the distance model is for "
                        "cells");
    if (!distance(ld, n, link, error))
      return FALSE;
  } else if (strcmp(model, "bernoulli") == 0) {
    m->kind = LOSS_BERNOULLI;
    if (!LOAD_NEED(ld, n, error, "p") ||
        !load_get_probability(ld, n, "p", &m->p, error))
      return FALSE;
  } else {
    /* Gilbert's original model: no loss in the good state, all frames
     * lost in the bad one, unless told otherwise. */
    m->kind = LOSS_GILBERT_ELLIOTT;
    m->loss_good = 0.0;
    m->loss_bad = 1.0;
    if (!LOAD_NEED(ld, n, error, "p-good-bad", "p-bad-good") ||
        !load_get_probability(ld, n, "p-good-bad", &m->p_good_bad, error) ||
        !load_get_probability(ld, n, "p-bad-good", &m->p_bad_good, error) ||
        !load_get_probability(ld, n, "loss-good", &m->loss_good, error) ||
        !load_get_probability(ld, n, "loss-bad", &m->loss_bad, error))
      return FALSE;
  }
  /* Every model, the distance model of cells included, draws from the
   * link's stream. */
  m->bad = false;
  g_autofree char *stream = g_strdup_printf("link/%s/loss", link->name);
  sim_rng(ld->sim, &m->rng, stream);
  return TRUE;
}

gboolean link_load_link(struct load_ctx *ld, xmlNode *n, GError **error) {
  bool lan = strcmp((const char *)n->name, "lan") == 0;
  uint64_t bps = 0, mtu = LINK_DEFAULT_MTU, queue = LINK_DEFAULT_QUEUE;
  int64_t delay = 0;
  struct load_name *d = load_define(ld, n, LOAD_LINK, "link", error);
  if (!d || !link_load_params(ld, n, &bps, &delay, &mtu, &queue, error))
    return FALSE;
  g_autofree char *name = load_attr(n, "name");

  /* A point-to-point link takes exactly two interfaces: count them before
   * attaching any.  Every child but <loss> is an interface. */
  if (!lan) {
    unsigned ends = 0;
    for (xmlNode *c = n->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE || load_is_element(c, "loss"))
        continue;
      if (++ends > 2)
        return load_error(error, ld, c,
                          "link %s is point-to-point and "
                          "already has two ends (use a <lan> to connect "
                          "more nodes)",
                          name);
    }
    if (ends < 2)
      return load_error(error, ld, n,
                        "a point-to-point link needs two "
                        "<end>s, %s has %u",
                        name, ends);
  }

  struct link *link =
      link_new(ld->sim, name, lan ? &eth_lan_ops : &link_p2p_ops, bps, delay);
  d->obj = link;
  link->mtu = (uint32_t)mtu;
  link->queue_limit = (uint32_t)queue;

  bool has_ipv6 = false;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    gboolean ok = load_is_element(c, "loss")
                      ? link_load_loss(ld, c, link, NULL, error)
                      : link_load_iface(ld, c, link, &has_ipv6, error);
    if (!ok)
      return FALSE;
  }
  if (has_ipv6 && mtu < LOAD_IPV6_MIN_MTU)
    return load_error(error, ld, n,
                      "mtu %" G_GUINT64_FORMAT "B is below "
                      "the IPv6 minimum of %uB, and %s carries IPv6",
                      mtu, LOAD_IPV6_MIN_MTU, name);
  return TRUE;
}
