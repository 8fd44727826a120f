/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The foreign agent role: configuration and the visitor list. */
#ifndef MIPSIM_MIP4_FA_H
#define MIPSIM_MIP4_FA_H

#include "protocols/mip4/internal.h"

struct mip4_visitor {
  struct mip4_fa *fa;
  uint32_t home_addr;
  uint32_t home_agent;
  uint16_t src_port;     /* the mobile node's UDP source port */
  uint64_t ident;        /* of the request pending or accepted */
  uint16_t requested;    /* lifetime asked for, s */
  bool pending;          /* relayed, no reply yet ... */
  int64_t pending_until; /* ... until then: reply 78 */
  bool active;           /* a registration is in force ... */
  int64_t expires;       /* ... until then (SIM_TIME_MAX: for ever) */
  bool reverse;          /* reverse tunnel its packets */
  bool encapsulating;    /* it tunnels them to us first (RFC 3024 5.1) */
  enum encap_kind encap;
  struct sched_event timer; /* the earlier of the two deadlines */
};

/* Counters named after the RFC 2006 faRegistration group (the MIB's own
 * spelling), then the ones the MIB lacks. */
/* One counter a line (clang-format 14 would pack them into a
 * staircase). */
/* clang-format off */
#define MIP4_FA_COUNTERS(X)                                                    \
  X(faRegRequestsReceived)                                                     \
  X(faRegRequestsRelayed)                                                      \
  X(faInsufficientResource)                                                    \
  X(faMNAuthenticationFailure)                                                 \
  X(faHAAuthenticationFailure)                                                 \
  X(faRegLifetimeTooLong)                                                      \
  X(faPoorlyFormedRequests)                                                    \
  X(faEncapsulationUnavailable)                                                \
  X(faReverseTunnelUnavailable)                                                \
  X(faInvalidCareOfAddress)                                                    \
  X(faRegistrationTimeout)                                                     \
  X(faRegRepliesRecieved)                                                      \
  X(faRegRepliesRelayed)                                                       \
  X(faPoorlyFormedReplies)                                                     \
  X(faDecapsulatedPackets)                                                     \
  X(faReverseTunnelledPackets)                                                 \
  X(faDeliveryStyleUnsupported)
/* clang-format on */

struct mip4_fa_counters {
#define MIP4_FIELD(name) uint64_t name;
  MIP4_FA_COUNTERS(MIP4_FIELD)
#undef MIP4_FIELD
};

struct mip4_fa {
  struct mip4_node *owner;
  struct iface *iface; /* where visitors are: a cell or LAN */
  uint32_t coa;
  struct mip4_advertiser adv;
  uint16_t max_lifetime;
  bool reverse_tunnel, minimal, gre;
  unsigned max_pending;    /* RFC 5944 3.7.1: typically 5 */
  int64_t pending_timeout; /* 7 s: then reply 78 */
  GHashTable *visitors;    /* home address -> struct mip4_visitor */
  GArray *sas; /* struct mip4_peer_sa: mobile nodes' by home address,
                * home agents' by address (one list, as the role has) */
  struct mip4_fa_counters cnt;
};

struct mip4_fa *mip4_fa_new(struct mip4_node *owner, struct iface *iface,
                            int64_t advert_interval);
/* Removes the visitor entry of home_addr; false if there was none. */
bool mip4_fa_forget_visitor(struct mip4_fa *fa, uint32_t home_addr);
const struct mip4_visitor *mip4_fa_visitor(const struct mip4_fa *fa,
                                           uint32_t home_addr);

#endif
