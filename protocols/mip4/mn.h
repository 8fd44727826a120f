/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mobile node role. */
#ifndef MIPSIM_MIP4_MN_H
#define MIPSIM_MIP4_MN_H

#include "protocols/mip4/internal.h"

/* An agent as its latest advertisement describes it. */
struct mip4_agent_info {
  bool valid;
  uint32_t addr; /* the router address advertised */
  uint8_t prefix_len;
  uint32_t coa;   /* the first care-of address, 0 if none */
  bool home;      /* on the home network */
  uint16_t flags; /* MIP4_ADV_* */
  uint16_t max_lifetime;
  int64_t expires; /* the advertisement's lifetime runs out */
};

enum mip4_mn_state {
  MIP4_MN_AT_HOME,
  MIP4_MN_REGISTERING,
  MIP4_MN_REGISTERED,
  MIP4_MN_DEREGISTERING,
  MIP4_MN_DENIED, /* refused: waits for another agent */
};

/* Counters named after the RFC 2006 mnDiscovery and mnRegistration
 * groups (the MIB's own spelling), then the ones the MIB lacks. */
/* One counter a line (clang-format 14 would pack them into a
 * staircase). */
/* clang-format off */
#define MIP4_MN_COUNTERS(X)                                                    \
  X(mnSolicitationsSent)                                                       \
  X(mnAdvertisementsReceived)                                                  \
  X(mnMoveFromHAToFA)                                                          \
  X(mnMoveFromFAToFA)                                                          \
  X(mnMoveFromFAToHA)                                                          \
  X(mnGratuitousARPsSend)                                                      \
  X(mnRegRequestsSent)                                                         \
  X(mnDeRegRequestsSent)                                                       \
  X(mnRegRepliesRecieved)                                                      \
  X(mnDeRegRepliesRecieved)                                                    \
  X(mnRepliesInvalidID)                                                        \
  X(mnRepliesHAAuthenticationFailure)                                          \
  X(mnRepliesFAAuthenticationFailure)                                          \
  X(mnRegRequestsAccepted)                                                     \
  X(mnRegRequestsDeniedByHA)                                                   \
  X(mnRegRequestsDeniedByFA)                                                   \
  X(mnRegRequestsDeniedByHADueToID)                                            \
  X(mnRegRequestsRetransmitted)
/* clang-format on */

struct mip4_mn_counters {
#define MIP4_FIELD(name) uint64_t name;
  MIP4_MN_COUNTERS(MIP4_FIELD)
#undef MIP4_FIELD
};

struct mip4_mn {
  struct mip4_node *owner;
  struct iface *iface; /* the radio */
  uint32_t home_addr;
  uint8_t home_prefix_len;
  uint32_t home_agent;
  struct mip4_sa sa;
  GArray *agent_sas;      /* struct mip4_peer_sa, by foreign agent */
  uint16_t lifetime;      /* asked for, s */
  bool eager;             /* prefix-based move detection */
  bool solicit_on_attach; /* link-layer attach as a hint */
  bool reverse_tunnel;
  bool encapsulating; /* RFC 3024 encapsulating delivery style */
  /* Co-located care-of address: one leased by DHCP on the visited link;
   * the node registers with its home agent directly and decapsulates its
   * tunnel itself (D flag). */
  struct dhcp_client *dhcp;            /* NULL: foreign agent care-of address */
  uint32_t colocated;                  /* the address leased, 0 while none */
  struct encap_endpoint *colocated_ep; /* its tunnel endpoint */
  bool simultaneous;                   /* S: keep earlier care-of addresses */
  bool broadcast;                      /* B: receive home broadcasts */
  enum encap_kind encap;
  struct mip4_agent_info agent; /* the agent in use */
  uint32_t router;              /* the default router set, 0: none */
  struct mip4_agent_info other; /* lazy: another one heard meanwhile */
  struct sched_event agent_expiry;
  enum mip4_mn_state state;
  /* The registration in progress or in force. */
  bool nonces;    /* replay protection by nonces */
  uint32_t nonce; /* the home agent's latest nonce */
  struct rng rng; /* the low halves of nonce idents */
  uint64_t ident;
  uint32_t registered_coa; /* of the last accepted registration */
  int64_t clock_offset;    /* learnt from a 133 reply */
  uint16_t asked;          /* lifetime in the request */
  int64_t sent_at;
  int64_t retx_interval;
  struct sched_event retx, renew;
  /* Solicitation (RFC 5944 2.4): three at one per second, then doubling
   * up to a minute. */
  struct sched_event solicit;
  bool soliciting; /* until an advertisement is heard */
  unsigned solicits;
  int64_t solicit_interval;
  /* The current handoff: its first advertisement is a column of
   * handoffs.tsv of mip4's own (adv_heard_s). */
  int handoff_row;
  bool await_advert;
  struct mip4_mn_counters cnt;
};

struct mip4_mn *mip4_mn_new(struct mip4_node *owner, struct iface *radio,
                            uint32_t home_addr, uint8_t home_prefix_len,
                            uint32_t home_agent, const struct mip4_sa *sa);
/* Use co-located care-of addresses from DHCP; false if the radio cannot
 * have a DHCP client. */
bool mip4_mn_set_colocated(struct mip4_mn *mn);

#endif
