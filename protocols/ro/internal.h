/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the files of the route optimisation module share.  The module
 * sees Mobile IPv4 only through protocols/mip4/mip4.h. */
#ifndef MIPSIM_RO_INTERNAL_H
#define MIPSIM_RO_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocols/encap/tunnel.h"
#include "protocols/mip4/mip4.h"
#include "protocols/ro/cache.h"
#include "protocols/ro/packets.h"
#include "sim/core/sched.h"

struct sim;
struct node;
struct udp_rx;

/* How a node treats mobile nodes' traffic, from the scenario's
 * <mobility scheme>.  The module takes no part in mip4-triangle: a node
 * without its state is what triangle routing was. */
enum ro_mode {
  RO_MODE_OPTIMIZED, /* binding caches and updates */
  RO_MODE_SMOOTH,    /* and smooth handoffs through previous agents */
};

/* An association with a peer: at a correspondent or foreign agent the
 * home agent whose updates it trusts, at a home agent a correspondent. */
struct ro_peer {
  uint32_t addr;
  struct mip4_sa sa;
};

/* Counters of ro_counters.tsv, besides the cache's. */
/* One counter a line (clang-format 14 would pack them into a
 * staircase). */
/* clang-format off */
#define RO_COUNTERS(X)                                                         \
  X(updates_sent)                                                              \
  X(updates_rate_limited)                                                      \
  X(updates_received)                                                          \
  X(updates_accepted)                                                          \
  X(updates_auth_failed)                                                       \
  X(updates_replayed)                                                          \
  X(updates_poorly_formed)                                                     \
  X(acks_sent)                                                                 \
  X(acks_received)                                                             \
  X(requests_sent)                                                             \
  X(requests_received)                                                         \
  X(warnings_sent)                                                             \
  X(warnings_received)                                                         \
  X(tunnelled_direct)                                                          \
  X(stale_uses)                                                                \
  X(prev_fa_notifications)                                                     \
  X(smooth_updates_sent)                                                       \
  X(smooth_retransmissions)                                                    \
  X(forwarded)                                                                 \
  X(delivered_early)
/* clang-format on */

struct ro_counters {
#define RO_FIELD(name) uint64_t name;
  RO_COUNTERS(RO_FIELD)
#undef RO_FIELD
};

/* What the module knows across a run (its run state). */
struct ro_world {
  GHashTable *mobiles;   /* home address -> struct node (mobile nodes) */
  GHashTable *bound;     /* home address -> care-of address at its home
                            agent, to count uses of stale entries */
  GHashTable *forwarded; /* handoffs.tsv row -> packets forwarded */
};

/* A pending smooth handoff at a mobile node: the Binding Update its new
 * foreign agent sent the previous one, resent by the node until
 * acknowledged (optim-11 3.2). */
struct ro_smooth {
  bool pending;
  uint32_t prev_fa;
  GByteArray *update; /* the message, authenticator included */
  uint64_t ident;
  unsigned tries;
  struct sched_event retx;
};

/* A node's route optimisation (the module's node state). */
struct ro_node {
  struct sim *sim;
  struct node *node;
  struct ro_world *world;
  enum ro_mode mode;
  /* Configuration. */
  GArray *peers; /* struct ro_peer */
  unsigned cache_size;
  int64_t update_interval;  /* home agent: updates per binding, at most */
  uint16_t lifetime_max;    /* home agent: cap on updates' lifetime */
  int64_t refresh;          /* correspondent: ask this long before expiry */
  uint16_t smooth_lifetime; /* mobile node: forwarding pointer, s */
  /* State. */
  struct ro_cache *cache;
  GHashTable *sent;        /* home agent: struct ro_sent by peer and
                              home address */
  GHashTable *warned;      /* warnings sent: (target, home) -> time */
  struct ro_smooth smooth; /* mobile node */
  uint64_t last_ident;     /* home agent: of the last update sent */
  struct ro_counters cnt;
};

/* The run's state, created with the first node.  A node's, created by
 * ro_node_new (NULL if node has one already) with its defaults;
 * ro_node_attach hooks it, configured, into the node's Mobile IPv4
 * state. */
struct ro_world *ro_world_of(struct sim *sim);
struct ro_node *ro_node_new(struct sim *sim, struct node *node,
                            enum ro_mode mode);
void ro_node_attach(struct ro_node *rn);
/* The module's configure hooks (config.c). */
gboolean ro_configure(struct sim *sim, struct node *node, xmlNode *el,
                      const struct module_ctx *ctx, GError **error);

enum ro_mode ro_mode_of(const struct ro_node *rn);
struct sim *ro_sim(const struct ro_node *rn);
int64_t ro_now(const struct ro_node *rn);
const struct mip4_sa *ro_peer_sa(const struct ro_node *rn, uint32_t addr);
/* Sends msg from src to dst:434, counted under name. */
void ro_send(struct ro_node *rn, const char *name, const GByteArray *msg,
             uint32_t src, uint32_t dst);
/* The node's IPv4 address towards dst (the source a route gives). */
uint32_t ro_source_for(const struct ro_node *rn, uint32_t dst);
/* Rate limit: true (and the time noted) if nothing went to this pair
 * within interval. */
bool ro_may_send(GHashTable *last, uint32_t a, uint32_t b, int64_t now,
                 int64_t interval);

/* Roles (correspondent.c, home.c, smooth.c). */
void ro_cn_init(struct ro_node *rn);
void ro_ha_init(struct ro_node *rn, struct mip4_extension *ext);
void ro_smooth_init(struct ro_node *rn, struct mip4_extension *ext);
void ro_smooth_free(struct ro_node *rn);

/* Messages, by role. */
void ro_cn_update_rx(struct ro_node *rn, const uint8_t *msg, size_t len,
                     const struct udp_rx *rx);
void ro_ha_request_rx(struct ro_node *rn, const uint8_t *msg, size_t len,
                      const struct udp_rx *rx);
void ro_ha_warning_rx(struct ro_node *rn, const uint8_t *msg, size_t len,
                      const struct udp_rx *rx);
void ro_ha_ack_rx(struct ro_node *rn, const struct ro_ack *a, uint32_t from);
void ro_smooth_ack_rx(struct ro_node *rn, const struct ro_ack *a);
/* A previous foreign agent's Binding Update from the new one, which the
 * mobile node authenticated (smooth.c). */
void ro_smooth_update_rx(struct ro_node *rn, const struct ro_update *u,
                         const uint8_t *msg, size_t len,
                         const struct ro_exts *exts, uint32_t from);

/* Acknowledges an update (status RO_ACK_*) from src (0: the address a
 * route to `to` gives). */
void ro_send_ack(struct ro_node *rn, const struct ro_update *u, uint8_t status,
                 uint32_t src, uint32_t to);

#endif
