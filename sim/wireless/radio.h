/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A mobile node's wireless interface: which cell it is associated with,
 * chosen by a policy as the node moves, with a layer-2 handoff delay
 * during which it carries nothing.  Protocol modules learn of every attach
 * and detach through listeners; the radio knows nothing of them. */
#ifndef MIPSIM_RADIO_H
#define MIPSIM_RADIO_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/core/sched.h"

struct sim;
struct node;
struct iface;
struct cell;

enum assoc_policy {
  /* Always the nearest access point in range; switch to another when it is
   * nearer than the current one by more than the hysteresis (metres). */
  ASSOC_NEAREST,
  /* Stay until out of range (radius + hysteresis), then the nearest. */
  ASSOC_STICKY,
};

#define RADIO_DEFAULT_L2_DELAY (50 * SIM_MS)

/* What the next boundary event means. */
enum radio_event {
  RADIO_EV_NONE,
  RADIO_EV_SEGMENT_END,
  RADIO_EV_ENTER,  /* other enters coverage */
  RADIO_EV_LEAVE,  /* other leaves coverage */
  RADIO_EV_MARGIN, /* the current cell's radius + hysteresis passed */
  RADIO_EV_NEARER, /* other became nearer than current by hysteresis */
};

struct radio {
  struct iface *iface;
  enum assoc_policy policy;
  double hysteresis;
  int64_t l2_delay;
  struct cell *cell;   /* associated, carrying traffic */
  struct cell *target; /* associating: joins at assoc.time */
  bool beyond_margin;  /* sticky: past the current cell's margin */
  GPtrArray *in_range; /* cells whose disc holds the node */
  struct sched_event boundary;
  enum radio_event next_kind;
  struct cell *next_cell;
  struct sched_event assoc;
  guint handoff; /* index in sim->handoffs of the pending row */
  /* Discrete moves: "at t attach to cell", sorted by time. */
  GArray *moves; /* struct radio_move */
  guint next_move;
  struct sched_event move;
  struct cell *forced; /* discrete mode: the cell ordered last */
};

/* One row of the run's handoff log, sim->handoffs (handoffs.tsv): a radio
 * leaving one cell for another.  The radio writes the layer-2 facts; the
 * handoff meter (handoff.h), told of each row by the observers' on_handoff,
 * adds what the handoff cost and the milestones modules mark. */
#define RADIO_HANDOFF_MILESTONES 4
struct handoff {
  struct iface *iface;
  int64_t start;    /* left the old cell (or decided to join) */
  int64_t attached; /* joined the new cell; -1 if it did not */
  struct cell *from, *to;
  int64_t l2_delay;
  /* When each milestone was last marked, by bit position; -1: never. */
  int64_t milestone[RADIO_HANDOFF_MILESTONES];
};

struct radio_move {
  int64_t at;
  struct cell *cell;
};

/* The row of handoffs.tsv of the iface's latest handoff, or -1 if it has
 * had none (it started in its cell). */
int radio_last_handoff(const struct iface *iface);

/* Attach/detach notification: iface joined (up) or left (!up) cell. */
typedef void (*radio_listener_fn)(void *ctx, struct iface *iface,
                                  struct cell *cell, bool up);
void radio_listen(struct node *node, radio_listener_fn fn, void *ctx);

/* Creates the wireless interface of node (not on any link until it
 * associates).  A node with moves follows them and ignores geometry. */
struct iface *radio_new(struct node *node, const char *name,
                        enum assoc_policy policy, double hysteresis,
                        int64_t l2_delay);
void radio_add_move(struct iface *iface, int64_t at, struct cell *cell);

#endif
