/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Why a packet died.  Every drop has a reason, counted per node and per
 * link and shown to observers, so that losses can be explained. */
#ifndef MIPSIM_DROP_H
#define MIPSIM_DROP_H

#include <glib.h>
#include <stdint.h>

struct sim;

/* The kernel's reasons: fixed, the first ids.  A protocol module's reasons
 * are registered per run (drop_reason_register) and numbered from
 * DROP_KERNEL_COUNT, so what a module drops is counted under its own name
 * rather than as "filtered".  A reason is passed around as a uint32_t
 * holding either. */
enum drop_reason {
  DROP_QUEUE_FULL,       /* drop-tail queue at its limit */
  DROP_LINK_DOWN,        /* sent on, or in flight over, a link that is down */
  DROP_LOSS,             /* the link's loss model corrupted it */
  DROP_NODE_DOWN,        /* arrived at, or sent by, a node that is down */
  DROP_NO_ROUTE,         /* no route to the destination */
  DROP_TTL_EXPIRED,      /* TTL or hop limit reached zero */
  DROP_MALFORMED,        /* failed header parsing */
  DROP_BAD_CHECKSUM,     /* IPv4 header checksum wrong */
  DROP_UNREACHABLE,      /* no handler for the protocol or port */
  DROP_FILTERED,         /* a hook dropped it without a reason of its own */
  DROP_INGRESS_FILTER,   /* source address not topologically correct */
  DROP_TOO_BIG,          /* larger than the MTU with DF set (or IPv6) */
  DROP_REASSEMBLY,       /* fragments never completed */
  DROP_NEIGH_UNRESOLVED, /* ARP / neighbour resolution failed */
  DROP_NOT_FOR_US,       /* a host got a packet for another address */
  DROP_HANDOFF,          /* its wireless end left the cell (or was between
                          * cells) while it was queued or in flight */
  DROP_KERNEL_COUNT
};

/* The modules' reasons of one run, in registration order. */
struct drop_registry {
  GPtrArray *names; /* char *, owned; index = id - DROP_KERNEL_COUNT */
  GHashTable *ids;  /* name -> id + 1, the names borrowed from names */
};

/* The id of the reason called name in this run, registered on first use:
 * a module calls it when it configures a node, so that the result tables
 * have the reason's column in every run of a scenario, dropped or not.
 * name is lower case letters, digits and underscores (it becomes the
 * column drop_<name>_pkts) and starts with the module's name. */
uint32_t drop_reason_register(struct sim *sim, const char *name);
/* The name of a kernel or registered reason; "unknown" for other ids. */
const char *drop_reason_name(const struct sim *sim, uint32_t reason);
/* Kernel and registered reasons: ids are below this. */
uint32_t drop_reason_count(const struct sim *sim);
void drop__registry_free(struct drop_registry *r);

/* Drop counters of a node or a link, by reason id (the kernel's and the
 * registered), allocated at the first drop: most nodes and links of a
 * large topology never drop, and the counters would be most of their
 * memory. */
struct drop_counters {
  uint64_t *n; /* len of them; NULL: nothing dropped yet */
  uint32_t len;
};
void drop_counters_add(struct drop_counters *c, uint32_t reason);
uint64_t drop_counters_get(const struct drop_counters *c, uint32_t reason);
void drop_counters_free(struct drop_counters *c);

#endif
