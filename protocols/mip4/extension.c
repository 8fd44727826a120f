/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read-only views of a node's Mobile IPv4 roles for extensions of the
 * protocol (mip4.h): what route optimisation needs to know of a home
 * agent's bindings, an agent's addresses and associations, without the
 * roles' structures. */
#include "protocols/mip4/fa.h"
#include "protocols/mip4/ha.h"
#include "protocols/mip4/internal.h"
#include "protocols/mip4/mip4.h"
#include "protocols/mip4/mn.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/scenario/module.h"

bool mip4_ha_lookup(struct sim *sim, struct node *node, uint32_t home_addr,
                    struct mip4_binding_view *out) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  const struct mip4_binding *b =
      m && m->ha ? mip4_ha_binding(m->ha, home_addr) : NULL;
  if (!b)
    return false;
  *out = (struct mip4_binding_view){
      .coa = b->coa, .flags = b->flags, .expires = b->expires};
  return true;
}

uint32_t mip4_ha_address(struct sim *sim, struct node *node) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  return m && m->ha ? m->ha->addr : 0;
}

uint32_t mip4_fa_address(struct sim *sim, struct node *node) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  return m && m->fa ? m->fa->coa : 0;
}

uint32_t mip4_mn_home_address(struct sim *sim, struct node *node) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  return m && m->mn ? m->mn->home_addr : 0;
}

struct iface *mip4_mn_radio(struct sim *sim, struct node *node) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  return m && m->mn ? m->mn->iface : NULL;
}

const struct mip4_sa *mip4_fa_mobile_sa(struct sim *sim, struct node *node,
                                        uint32_t home_addr) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  return m && m->fa ? mip4_peer_sa(m->fa->sas, home_addr) : NULL;
}

const struct mip4_sa *mip4_mn_agent_sa(struct sim *sim, struct node *node,
                                       uint32_t agent) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  return m && m->mn ? mip4_peer_sa(m->mn->agent_sas, agent) : NULL;
}

bool mip4_fa_forget(struct sim *sim, struct node *node, uint32_t home_addr,
                    uint32_t *home_agent) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  const struct mip4_visitor *v =
      m && m->fa ? mip4_fa_visitor(m->fa, home_addr) : NULL;
  if (!v)
    return false;
  *home_agent = v->home_agent;
  return mip4_fa_forget_visitor(m->fa, home_addr);
}

bool mip4_fa_deliver(struct sim *sim, struct node *node, struct pkt *pkt) {
  struct mip4_node *m = module_node_state(node, &mip4_module);
  if (!m || !m->fa || pkt->len < IP4_HLEN ||
      !mip4_fa_visitor(m->fa, load_be32(pkt->data + IP4_OFF_DST)))
    return false;
  m->fa->cnt.faDecapsulatedPackets++;
  ip_output_via(node, pkt, m->fa->iface, NULL);
  return true;
}
