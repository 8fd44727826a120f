/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The handoff meter: one definition of what a handoff costs the flows
 * towards a mobile node (service interruption, loss, duplicates,
 * reordering), whatever mobility scheme runs, plus the milestones the
 * scheme's module marks.  doc/results-handoffs.md defines every column. */
#ifndef MIPSIM_HANDOFF_H
#define MIPSIM_HANDOFF_H

#include <stdint.h>

#include "sim/wireless/radio.h"

struct sim;
struct node;

/* Milestones a mobility scheme reaches in a handoff, named for no scheme
 * in particular.  Bits, so that one call may mark several. */
enum handoff_milestone {
  HANDOFF_MOVEMENT_DETECTED = 1 << 0,  /* the node knows it moved */
  HANDOFF_ADDRESS_CONFIGURED = 1 << 1, /* it has an address on the new link */
  HANDOFF_REGISTRATION_SENT = 1 << 2,  /* registration or binding update */
  HANDOFF_REGISTRATION_ANSWERED = 1 << 3, /* accepted */
};
#define HANDOFF_MILESTONE_COUNT RADIO_HANDOFF_MILESTONES

/* The meter measures every delivery at a node with a radio from now on
 * (flows call it when they are created, before the run). */
void handoff_meter_use(struct sim *sim);

/* A module marks milestones (a mask of enum handoff_milestone) of the
 * node's latest handoff.  Each keeps the time of its latest mark, so a
 * retransmitted registration counts from the retransmission, until
 * HANDOFF_REGISTRATION_ANSWERED is marked: after that the handoff's
 * milestones no longer move (a renewal is not part of it).  Marks before
 * the node's first handoff are ignored. */
void handoff_mark(struct sim *sim, struct node *node, unsigned milestones);

/* The row of the node's latest handoff, or -1 if it has had none. */
int handoff_current(const struct sim *sim, const struct node *node);

/* Protocol modules add columns of their own to handoffs.tsv: a value (a
 * time in seconds, a count) for a row; rows without one show "-".
 * Columns appear after the meter's, in the order they were first given a
 * value. */
void handoff_annotate(struct sim *sim, int row, const char *column,
                      double value);
/* The value of row in column (the meter's columns or a module's), as
 * handoffs.tsv prints it; NAN for none.  Meter columns count deliveries
 * up to now: call it after the run. */
double handoff_value(const struct sim *sim, int row, const char *column);

/* handoffs.tsv and handoff_flows.tsv; transfer full. */
char *handoff_table(const struct sim *sim);
char *handoff_flows_table(const struct sim *sim);

#endif
