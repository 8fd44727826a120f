/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wireless cells: an access point with a position and a coverage radius on
 * a wireless channel (a shared link with its own bandwidth, delay, MTU and
 * loss).  The access point is a router's interface on the channel, or a
 * bridge that joins the channel to a LAN. */
#ifndef MIPSIM_CELL_H
#define MIPSIM_CELL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/wireless/mobility.h"

struct sim;
struct link;
struct link_ops;
struct iface;
struct pkt;

struct cell {
  struct sim *sim;
  char *name;
  uint32_t id;       /* index in sim->cells */
  struct vec2 pos;   /* metres */
  double radius;     /* metres */
  struct link *link; /* the channel, of kind cell_link_ops */
  /* Loss rising with distance from the access point: a frame to or from a
   * mobile node at distance d is lost with probability
   * near + (edge - near) * (d / radius)^exponent. */
  bool distance_loss;
  double loss_near, loss_edge, loss_exponent;
  uint32_t query_stamp; /* spatial index bookkeeping */
};

/* A wireless channel: a LAN whose frames the cell's loss model (in
 * distance or the link's own) may destroy. */
extern const struct link_ops cell_link_ops;

/* The cell owns nothing but itself; link is the channel (kind
 * cell_link_ops) created by the caller.  The cell becomes the channel's
 * loss provider. */
struct cell *cell_new(struct sim *sim, const char *name, struct vec2 pos,
                      double radius, struct link *link);
/* The cell whose channel link is; NULL if it is none's. */
struct cell *cell_of_link(const struct link *link);
struct cell *sim_find_cell(const struct sim *sim, const char *name);

/* Bridge the cell's channel onto a LAN: a transparent bridge node named
 * after the cell relays frames between the two, so mobile nodes on the
 * cell are stations of the LAN's subnet. */
struct node *cell_bridge(struct cell *cell, struct link *lan);

/* Cells whose coverage disc meets the box [lo, hi], each once. */
void cell_query(struct sim *sim, struct vec2 lo, struct vec2 hi,
                GPtrArray *out);

/* Does the loss model of the cell's channel destroy a frame exchanged with
 * a mobile node at distance d?  Draws from the channel's stream. */
bool cell_frame_lost(struct cell *cell, double d);

/* Side of the spatial index's buckets (the largest coverage diameter). */
double cell_bucket_width(struct sim *sim);

/* Distance from the cell's access point to p. */
double cell_distance(const struct cell *cell, struct vec2 p);

#endif
