/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IP hook points protocol modules attach to, their priorities, and the
 * verdict a hook returns. */
#ifndef MIPSIM_HOOK_H
#define MIPSIM_HOOK_H

#include <stdint.h>

#include "sim/core/drop.h"

struct node;
struct pkt;
struct iface;

enum ip_hook {
  IP_HOOK_PRE_ROUTING,  /* every packet received, before the route lookup */
  IP_HOOK_LOCAL_IN,     /* packets for this node, before the protocol */
  IP_HOOK_FORWARD,      /* packets being forwarded, out chosen */
  IP_HOOK_LOCAL_OUT,    /* packets this node originates, before routing */
  IP_HOOK_POST_ROUTING, /* every packet leaving, out chosen */
  IP_HOOK_COUNT
};

/* Hooks of one point run by ascending priority, and in registration order
 * within one priority.  Scenario documents list modules in any order, so
 * the order two modules' hooks see a packet is written here, not left to
 * the XML.  A module picks a band and, when two of its hooks (or hooks of
 * modules it knows) may share a point on one node, an offset inside it. */
enum {
  /* Kernel policy and test instruments: loss injection, firewalls.  They
   * see packets as they arrived, before any module rewrites them. */
  IP_HOOK_PRIO_FILTER = 1000,
  /* Tunnel endpoints that unwrap or claim packets before anyone reads the
   * inner addresses. */
  IP_HOOK_PRIO_TUNNEL = 2000,
  /* Mobility: interception, reverse tunnelling, route optimization.  Within
   * the band (Mobile IPv4 and its extensions): +10 route optimization, +20
   * home agent, +30 foreign agent and mobile node. */
  IP_HOOK_PRIO_MOBILITY = 3000,
  /* Observers last: they see what every other hook let through and must
   * return IP_ACCEPT without changing the packet. */
  IP_HOOK_PRIO_OBSERVE = 4000,
};

enum ip_verdict_kind {
  IP_VERDICT_ACCEPT, /* continue with the next hook, then the kernel */
  IP_VERDICT_DROP,   /* the kernel frees it and counts reason */
  IP_VERDICT_STOLEN, /* the hook took the packet (freed, queued or sent it) */
};

struct ip_verdict {
  enum ip_verdict_kind kind;
  uint32_t reason; /* IP_VERDICT_DROP: an enum drop_reason or a registered
                    * reason (drop_reason_register) */
};

#define IP_ACCEPT ((struct ip_verdict){.kind = IP_VERDICT_ACCEPT})
#define IP_STOLEN ((struct ip_verdict){.kind = IP_VERDICT_STOLEN})

/* Drop the packet, counted under reason at the node and shown to
 * observers. */
static inline struct ip_verdict ip_drop(uint32_t reason) {
  return (struct ip_verdict){.kind = IP_VERDICT_DROP, .reason = reason};
}

/* What a hook may assume and do is written in ip.h ("The packet a hook or
 * a handler gets"); in and out are the receiving interface (NULL for
 * LOCAL_OUT) and the chosen output interface (FORWARD, POST_ROUTING; NULL
 * otherwise). */
typedef struct ip_verdict (*ip_hook_fn)(void *ctx, struct node *node,
                                        struct pkt *pkt, struct iface *in,
                                        struct iface *out);

#endif
