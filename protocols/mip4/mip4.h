/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Mobile IPv4 module's public interface: its scenario elements, and
 * what extensions of the base protocol (route optimisation) may use of a
 * node's Mobile IPv4 roles without reaching into them: message types of
 * their own on UDP port 434, request flags and extensions they give a
 * meaning to, a few events, and read-only views of the role state. */
#ifndef MIPSIM_MIP4_H
#define MIPSIM_MIP4_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/mip4/packets.h"
#include "sim/scenario/module.h"

struct sim;
struct node;
struct pkt;
struct udp_rx;

/* The module: every role under the mip4-* schemes, settings in <mip4>. */
extern const struct module mip4_module;

/* A mobility security association (RFC 5944 3.5.1). */
struct mip4_sa {
  uint32_t spi;
  enum mip4_auth_alg alg;
  uint8_t key[64];
  size_t key_len;
};

/* Decodes an authentication key given in hex ("0x" optional). */
gboolean mip4_parse_key(const char *text, struct mip4_sa *sa);
/* The association an element's spi, key and algorithm attributes give. */
gboolean mip4_sa_from_xml(const xmlNode *el, struct mip4_sa *sa,
                          const struct module_ctx *ctx, GError **error);
/* A lifetime attribute in whole seconds, 1 to 65534 (65535 means
 * infinite); absent: *out unchanged. */
gboolean mip4_lifetime_from_xml(const xmlNode *el, const char *name,
                                uint16_t *out, const struct module_ctx *ctx,
                                GError **error);

/* What an extension of the protocol adds to one node's roles.  Every
 * callback may be NULL; ctx is passed back to each. */
struct mip4_extension {
  void *ctx;
  /* Registration Request flags the extension gives a meaning to (e.g.
   * the P bit): agents no longer deny requests that set them. */
  uint8_t rrq_flags;
  /* Agent Advertisement flags a foreign agent adds (MIP4_ADV_*). */
  uint16_t adv_flags;
  /* Registration extensions 0-127 it understands: agents no longer
   * discard requests that carry them (RFC 5944 1.8). */
  struct mip4_ext_set understood;
  /* Home agent: it accepted a registration (lifetime 0: the node
   * deregistered); msg is the request as received. */
  void (*ha_registered)(void *ctx, const struct mip4_rrq *r, const uint8_t *msg,
                        size_t len, uint16_t lifetime);
  /* Home agent: it intercepted a packet from src for home_addr and
   * tunnelled it to the node's care-of address. */
  void (*ha_tunnelled)(void *ctx, uint32_t src, uint32_t home_addr);
  /* Foreign agent: it relayed a request from a visitor on its link to
   * the home agent; msg is the request as the visitor sent it. */
  void (*fa_relayed)(void *ctx, const struct mip4_rrq *r, const uint8_t *msg,
                     size_t len);
  /* Foreign agent: a tunnel from tunnel_src brought pkt (decapsulated,
   * data at the inner IP header) for a node that is not its visitor.
   * Returns true if it took pkt, false to let the agent drop it. */
  bool (*fa_stray)(void *ctx, struct pkt *pkt, uint32_t tunnel_src);
  /* Mobile node: a request is being built; msg ends with the
   * Mobile-Home authenticator, so what is appended is for the foreign
   * agent.  prev_coa is the care-of address of the last registration
   * accepted (0: none, or the node was at home); agent_flags are those
   * the foreign agent advertises. */
  void (*mn_request)(void *ctx, const struct mip4_rrq *r, GByteArray *msg,
                     uint32_t prev_coa, uint16_t agent_flags);
};

/* Attaches ext to node's Mobile IPv4 state.  A node may have several
 * extensions: their flags and understood extensions add up, and their
 * callbacks are called in the order they were attached (fa_stray until
 * one takes the packet). */
void mip4_extend(struct sim *sim, struct node *node,
                 const struct mip4_extension *ext);

/* A handler for messages of type on node's UDP port 434 (which the
 * module owns); pkt->data is the payload.  The handler consumes
 * nothing: the module frees the packet. */
typedef void (*mip4_msg_fn)(void *ctx, const uint8_t *msg, size_t len,
                            const struct udp_rx *rx);
void mip4_handle_msg(struct sim *sim, struct node *node, uint8_t type,
                     mip4_msg_fn fn, void *ctx);

/* Sends msg over UDP from src:434 to dst:434 (oif NULL: as routed),
 * counted in signalling.tsv as name. */
void mip4_send(struct sim *sim, struct node *node, const char *name,
               const GByteArray *msg, uint32_t src, uint32_t dst);

/* ---- Read-only views of the roles (false / NULL / 0: no such role) ---- */

/* A home agent's binding of home_addr (its latest care-of address). */
struct mip4_binding_view {
  uint32_t coa;
  uint8_t flags;   /* of the request accepted (MIP4_RRQ_*) */
  int64_t expires; /* sim time; SIM_TIME_MAX: for ever */
};
bool mip4_ha_lookup(struct sim *sim, struct node *node, uint32_t home_addr,
                    struct mip4_binding_view *out);
/* The address of the node's home agent, foreign agent (its care-of
 * address); 0 if it has no such role. */
uint32_t mip4_ha_address(struct sim *sim, struct node *node);
uint32_t mip4_fa_address(struct sim *sim, struct node *node);
/* A mobile node's home address, and its radio. */
uint32_t mip4_mn_home_address(struct sim *sim, struct node *node);
struct iface *mip4_mn_radio(struct sim *sim, struct node *node);
/* The association a foreign agent shares with the mobile node home_addr,
 * and a mobile node with the foreign agent addr (Mobile-Foreign). */
const struct mip4_sa *mip4_fa_mobile_sa(struct sim *sim, struct node *node,
                                        uint32_t home_addr);
const struct mip4_sa *mip4_mn_agent_sa(struct sim *sim, struct node *node,
                                       uint32_t agent);
/* A foreign agent forgets its visitor home_addr (a smooth handoff's
 * Binding Update says it left); false if it had none, else *home_agent
 * is the visitor's home agent. */
bool mip4_fa_forget(struct sim *sim, struct node *node, uint32_t home_addr,
                    uint32_t *home_agent);
/* A foreign agent delivers pkt (data at the IP header) on its link if its
 * destination is a visitor, registered or with a request pending (a
 * smooth handoff's packets may come before the reply); consumes pkt if
 * it returns true. */
bool mip4_fa_deliver(struct sim *sim, struct node *node, struct pkt *pkt);

#endif
