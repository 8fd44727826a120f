/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Observers (statistics, traces) subscribe to packet events; the data path
 * calls them without knowing what they are. */
#ifndef MIPSIM_OBSERVER_H
#define MIPSIM_OBSERVER_H

#include <stdint.h>

#include "sim/core/drop.h"

struct flow;
struct link;
struct node;
struct pkt;

/* Callbacks may be NULL.  They must not keep or change the packet. */
struct observer {
  void *ctx;
  /* A frame finished crossing link (it reached the receiver's side; a frame
   * the loss model corrupted is reported with pkt->lost set).  Only links
   * with link->traced set report. */
  void (*on_wire)(void *ctx, const struct link *link, const struct pkt *pkt);
  /* A packet is dropped; node or link (or both) may be NULL.  reason is a
   * kernel or a module's reason: drop_reason_name gives its name. */
  void (*on_drop)(void *ctx, const struct node *node, const struct link *link,
                  const struct pkt *pkt, uint32_t reason);
  /* A packet of flow, its sequence number seq, is handed to the flow's
   * application at node (a sink, or an echo source taking a reply),
   * duplicates included; flow's statistics do not count it yet. */
  void (*on_delivery)(void *ctx, struct node *node, struct flow *flow,
                      const struct pkt *pkt, uint32_t seq);
  /* A radio began a handoff: row of sim->handoffs (radio.h) is new. */
  void (*on_handoff)(void *ctx, unsigned row);
  struct observer *next;
};

#endif
