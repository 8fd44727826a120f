/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The home agent role: configuration and the mobility binding table. */
#ifndef MIPSIM_MIP4_HA_H
#define MIPSIM_MIP4_HA_H

#include "protocols/mip4/internal.h"

/* A mobile node this home agent serves. */
struct mip4_ha_client {
  uint32_t home_addr;
  struct mip4_sa sa;
  bool nonces;         /* replay protection by nonces, not timestamps */
  uint32_t nonce;      /* nonces: the one the node must use next */
  uint64_t last_ident; /* timestamps: the last accepted one */
};

/* One care-of address of a home address; with simultaneous bindings a
 * home address has several, in a list. */
struct mip4_binding {
  struct mip4_ha *ha;
  struct mip4_binding *next;
  uint32_t home_addr;
  uint32_t coa;
  uint64_t ident;
  uint16_t lifetime; /* granted, s */
  int64_t expires;   /* then (SIM_TIME_MAX: never) */
  uint8_t flags;     /* of the request accepted */
  enum encap_kind encap;
  bool reverse;      /* reverse tunnel accepted */
  bool broadcast;    /* B: home broadcasts are tunnelled too */
  bool decapsulates; /* D: a co-located care-of address */
  struct sched_event expiry;
};

/* Counters named after the RFC 2006 MIB objects (haCounterEntry,
 * haRegNodeCounterEntry; the MIB's own spelling), then the ones the MIB
 * lacks. */
/* One counter a line (clang-format 14 would pack them into a
 * staircase). */
/* clang-format off */
#define MIP4_HA_COUNTERS(X)                                                    \
  X(haRegRequestsReceived)                                                     \
  X(haDeRegRequestsReceived)                                                   \
  X(haServiceRequestsAccepted)                                                 \
  X(haServiceRequestsDenied)                                                   \
  X(haMultiBindingUnsupported)                                                 \
  X(haMNAuthenticationFailure)                                                 \
  X(haIDMismatch)                                                              \
  X(haFAAuthenticationFailure)                                                 \
  X(haPoorlyFormedRequest)                                                     \
  X(haRegRepliesSent)                                                          \
  X(haDeRegRepliesSent)                                                        \
  X(haGratuitiousARPsSent)                                                     \
  X(haEncapsulationUnavailable)                                                \
  X(haReverseTunnelUnavailable)                                                \
  X(haTunnelledPackets)                                                        \
  X(haReverseTunnelledPackets)                                                 \
  X(haBroadcastsTunnelled)
/* clang-format on */

struct mip4_ha_counters {
#define MIP4_FIELD(name) uint64_t name;
  MIP4_HA_COUNTERS(MIP4_FIELD)
#undef MIP4_FIELD
};

struct mip4_ha {
  struct mip4_node *owner;
  struct iface *home; /* the interface on the home network */
  uint32_t addr;      /* its address there: the Home Agent field */
  struct mip4_advertiser adv;
  uint16_t max_lifetime;         /* s */
  bool reverse_tunnel;           /* offers RFC 3024 reverse tunnelling */
  bool simultaneous;             /* keeps several care-of addresses (S) */
  bool minimal, gre;             /* encapsulations offered besides IP-in-IP */
  int64_t replay_tolerance;      /* timestamps: allowed clock difference */
  GArray *clients;               /* struct mip4_ha_client */
  GArray *agent_sas;             /* struct mip4_peer_sa, by foreign agent */
  GHashTable *bindings;          /* home address -> first struct mip4_binding */
  struct rng nonces;             /* the nonces it hands out */
  struct sched_event gratuitous; /* repeats of gratuitous ARP */
  GArray *gratuitous_due;        /* home addresses to announce again */
  struct mip4_ha_counters cnt;
};

struct mip4_ha *mip4_ha_new(struct mip4_node *owner, struct iface *home,
                            int64_t advert_interval);
void mip4_ha_add_client(struct mip4_ha *ha, uint32_t home_addr,
                        const struct mip4_sa *sa, bool nonces);
/* The latest binding of a home address (the head of its list), or NULL. */
const struct mip4_binding *mip4_ha_binding(const struct mip4_ha *ha,
                                           uint32_t home_addr);

#endif
