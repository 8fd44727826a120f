/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Why a packet died.  Every drop has a reason, counted per node and per
 * link and shown to observers, so that losses can be explained. */
#ifndef MIPSIM_DROP_H
#define MIPSIM_DROP_H

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
  DROP_FILTERED,          /* a protocol module's hook dropped it */
  DROP_INGRESS_FILTER,    /* source address not topologically correct */
  DROP_TOO_BIG,           /* larger than the MTU with DF set (or IPv6) */
  DROP_REASSEMBLY,        /* fragments never completed */
  DROP_NEIGH_UNRESOLVED,  /* ARP / neighbour resolution failed */
  DROP_NOT_FOR_US,        /* a host got a packet for another address */
  DROP_HANDOFF,           /* its wireless end left the cell (or was between
                           * cells) while it was queued or in flight */
  DROP_REASON_COUNT
};

const char *drop_reason_name(enum drop_reason r);

#endif
