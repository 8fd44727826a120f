/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Movement: where a node is at any time.  Every model produces a path of
 * straight segments at constant velocity (a pause is a segment with zero
 * velocity), one segment at a time, so that cell boundary crossings can be
 * solved exactly on each segment. */
#ifndef MIPSIM_MOBILITY_H
#define MIPSIM_MOBILITY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/core/rng.h"

struct node;
struct sim;

/* One row of positions.tsv. */
struct position_sample {
  uint32_t node;
  int64_t t;
  double x, y;
};
struct vec2 {
  double x, y;
};

/* The node is at from + vel * (t - start) for start <= t < end (end may be
 * SIM_TIME_MAX: the last segment lasts for ever). Velocity in m/ns. */
struct segment {
  int64_t start, end;
  struct vec2 from;
  struct vec2 vel;
};

enum mobility_kind {
  MOBILITY_STATIC,
  MOBILITY_WAYPOINTS, /* scripted */
  MOBILITY_RANDOM_WAYPOINT,
  MOBILITY_CONSTANT_VELOCITY,
};

struct waypoint {
  struct vec2 pos;
  int64_t at;    /* arrival time; or -1: computed from speed */
  double speed;  /* m/s, when at is -1 */
  int64_t pause; /* after arriving */
};

struct mobility {
  enum mobility_kind kind;
  struct segment seg; /* the current segment */
  /* Scripted waypoints: the list, and the next one to head for. */
  GArray *waypoints; /* struct waypoint */
  guint next;
  bool paused; /* the current segment is a pause */
  /* Random waypoint: the area, speed and pause ranges, and the stream. */
  struct vec2 area_min, area_max;
  double speed_min, speed_max; /* m/s */
  int64_t pause_min, pause_max;
  struct rng rng;
};

/* Each returns a mobility starting at time 0 at the given position.
 * Transfer full. */
struct mobility *mobility_static(struct vec2 pos);
struct mobility *mobility_constant_velocity(struct vec2 pos,
                                            struct vec2 vel_mps);
/* The node starts at the first waypoint (its time must be 0). */
struct mobility *mobility_waypoints(GArray *waypoints);
/* Starts at a random point of the area (or at *start if not NULL). */
struct mobility *mobility_random_waypoint(struct vec2 area_min,
                                          struct vec2 area_max,
                                          double speed_min, double speed_max,
                                          int64_t pause_min, int64_t pause_max,
                                          const struct rng *stream,
                                          const struct vec2 *start);
void mobility_free(struct mobility *m);
/* node moves as m (transfer full), which its end frees. */
void mobility_set(struct node *node, struct mobility *m);

/* Moves to the segment holding t (t must not go backwards). */
void mobility_advance(struct mobility *m, int64_t t);
/* Position at t within the current segment. */
struct vec2 segment_at(const struct segment *s, int64_t t);
/* Position at t (advancing the model to t). */
struct vec2 mobility_position(struct mobility *m, int64_t t);

/* Sample every node that has a position each sim->positions_interval
 * into sim->positions (an application of the run). */
void mobility_record_positions(struct sim *sim);

#endif
