/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the files of the Mobile IPv4 module share: per-node state, the
 * security associations, counters named after the RFC 2006 MIB, and the
 * helpers that put messages on the wire.  Other modules use mip4.h. */
#ifndef MIPSIM_MIP4_INTERNAL_H
#define MIPSIM_MIP4_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocols/encap/encap.h"
#include "protocols/encap/tunnel.h"
#include "protocols/mip4/mip4.h"
#include "protocols/mip4/packets.h"
#include "sim/core/rng.h"
#include "sim/core/sched.h"

struct sim;
struct node;
struct iface;
struct pkt;
struct udp_rx;

/* A security association with a peer, by its address (a foreign or home
 * agent) or its home address (a mobile node seen by a foreign agent). */
struct mip4_peer_sa {
  uint32_t addr;
  struct mip4_sa sa;
};

/* The association with addr in an array of struct mip4_peer_sa, or NULL. */
const struct mip4_sa *mip4_peer_sa(const GArray *peers, uint32_t addr);
/* Copies msg up to the end of the extension ext (the part an
 * authenticator protects), to relay it without what followed. */
GByteArray *mip4_msg_through(const uint8_t *msg, size_t len,
                             const struct mip4_ext *ext);

/* One node's Mobile IPv4 roles (the module's node state): a node may be
 * home and foreign agent at once; each role registers the tunnel
 * endpoints it terminates with protocols/encap. */
struct mip4_node {
  struct node *node;
  struct mip4_ha *ha;
  struct mip4_fa *fa;
  struct mip4_mn *mn;
  /* What the extensions add up to (zeroed: none). */
  struct {
    uint8_t rrq_flags;
    uint16_t adv_flags;
    struct mip4_ext_set understood;
  } ext;
  GArray *exts;     /* struct mip4_extension, in registration order */
  GArray *handlers; /* struct mip4_msg_handler, other types */
  uint32_t drop_reverse_refused; /* registered for the run */
};

/* Calls fn of every extension that has it, in registration order. */
#define MIP4_EXT_CALL(owner, fn, ...)                                          \
  do {                                                                         \
    const GArray *exts_ = (owner)->exts;                                       \
    for (guint i_ = 0; exts_ && i_ < exts_->len; i_++) {                       \
      const struct mip4_extension *e_ =                                        \
          &g_array_index(exts_, struct mip4_extension, i_);                    \
      if (e_->fn)                                                              \
        e_->fn(e_->ctx, __VA_ARGS__);                                          \
    }                                                                          \
  } while (0)

/* Offers a stray tunnelled packet to the extensions in turn; true if one
 * took it. */
bool mip4_ext_fa_stray(struct mip4_node *m, struct pkt *pkt,
                       uint32_t tunnel_src);

/* The Mobile IPv4 state of node, created on first use. */
struct mip4_node *mip4_node_of(struct sim *sim, struct node *node);
/* The module's configure hook (config.c): element is one of its roles. */
gboolean mip4_configure(struct sim *sim, struct node *node, xmlNode *el,
                        const struct module_ctx *ctx, GError **error);

/* ---- agents (agent.c) ---- */

/* Advertising on one interface, shared by home and foreign agents. */
struct mip4_advertiser {
  struct mip4_node *owner;
  struct iface *iface;
  int64_t interval;
  uint16_t flags;        /* MIP4_ADV_* */
  uint16_t max_lifetime; /* registration lifetime accepted, s */
  uint32_t coa;          /* 0: none (a home agent only) */
  uint16_t seq;
  struct sched_event tick;
};

void mip4_advertiser_init(struct mip4_advertiser *adv, struct mip4_node *owner,
                          struct iface *iface, int64_t interval);
void mip4_advertiser_start(struct mip4_advertiser *adv);
void mip4_advertiser_stop(struct mip4_advertiser *adv);

/* ---- sending (node.c) ---- */

/* A registration message (payload bytes) over UDP from src:434 to
 * dst:dport, counted in signalling.tsv under its message name.  oif
 * non-NULL: straight out of that interface to dst on-link. */
void mip4_send_udp(struct mip4_node *mn, const GByteArray *msg, uint32_t src,
                   uint32_t dst, uint16_t dport, uint8_t ttl,
                   struct iface *oif);
/* The same with the name it is counted under. */
void mip4_send_named(struct mip4_node *m, const char *name,
                     const GByteArray *msg, uint32_t src, uint32_t dst,
                     uint16_t dport, uint8_t ttl, struct iface *oif);

/* ---- roles ---- */

struct mip4_ha;
struct mip4_fa;
struct mip4_mn;

void mip4_ha_start(struct mip4_ha *ha);
void mip4_ha_free(struct mip4_ha *ha);
void mip4_fa_start(struct mip4_fa *fa);
void mip4_fa_free(struct mip4_fa *fa);
void mip4_mn_start(struct mip4_mn *mn);
void mip4_mn_free(struct mip4_mn *mn);

/* Registration messages for a node, by role. */
void mip4_ha_rx(struct mip4_ha *ha, const uint8_t *msg, size_t len,
                const struct udp_rx *rx);
void mip4_fa_rx(struct mip4_fa *fa, const uint8_t *msg, size_t len,
                const struct udp_rx *rx);
void mip4_mn_rx(struct mip4_mn *mn, const uint8_t *msg, size_t len,
                const struct udp_rx *rx);
/* Is addr this role's own address (where its messages go)? */
bool mip4_ha_owns(const struct mip4_ha *ha, uint32_t addr);
bool mip4_fa_owns(const struct mip4_fa *fa, uint32_t addr);

#endif
