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
  DROP_QUEUE_FULL,        /* drop-tail queue at its limit */
  DROP_LINK_DOWN,         /* sent on, or in flight over, a link that is down */
  DROP_LOSS,              /* the link's loss model corrupted it */
  DROP_NODE_DOWN,         /* arrived at, or sent by, a node that is down */
  DROP_NO_ROUTE,          /* no route to the destination */
  DROP_TTL_EXPIRED,       /* TTL or hop limit reached zero */
  DROP_MALFORMED,         /* failed header parsing */
  DROP_BAD_CHECKSUM,      /* IPv4 header checksum wrong */
  DROP_UNREACHABLE,       /* no handler for the protocol or port */
  DROP_FILTERED,          /* a hook dropped it without a reason of its own */
  DROP_INGRESS_FILTER,    /* source address not topologically correct */
  DROP_TOO_BIG,           /* larger than the MTU with DF set (or IPv6) */
  DROP_REASSEMBLY,        /* fragments never completed */
  DROP_NEIGH_UNRESOLVED,  /* ARP / neighbour resolution failed */
  DROP_NOT_FOR_US,        /* a host got a packet for another address */
  DROP_HANDOFF,           /* its wireless end left the cell (or was between
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

/* Drop counters of a node or a link: the kernel's reasons in a fixed array
 * (kernel[DROP_KERNEL_COUNT]), the modules' in *registered, an array of
 * uint64_t by id - DROP_KERNEL_COUNT created and grown when one of them is
 * first counted. */
void drop__count_registered(GArray **registered, uint32_t reason);
static inline void drop_count(uint64_t *kernel, GArray **registered,
                              uint32_t reason) {
  if (reason < DROP_KERNEL_COUNT)
    kernel[reason]++;
  else
    drop__count_registered(registered, reason);
}
uint64_t drop_counted(const uint64_t *kernel, const GArray *registered,
                      uint32_t reason);

#endif
