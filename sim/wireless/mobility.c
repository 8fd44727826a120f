/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Movement models as sequences of constant-velocity segments.  Random
 * waypoint (Johnson and Maltz) draws destination, speed and pause from the
 * node's own stream in a fixed order, so a path depends only on the seed
 * and the node's name. */
#include "sim/wireless/mobility.h"

#include <math.h>

#include "sim/core/app.h"
#include "sim/core/sched.h"
#include "sim/core/sim.h"
#include "sim/net/node.h"

static struct mobility *alloc(enum mobility_kind kind, struct vec2 pos) {
  struct mobility *m = g_new0(struct mobility, 1);
  m->kind = kind;
  m->seg = (struct segment){.start = 0, .end = SIM_TIME_MAX, .from = pos};
  return m;
}

struct mobility *mobility_static(struct vec2 pos) {
  return alloc(MOBILITY_STATIC, pos);
}

struct mobility *mobility_constant_velocity(struct vec2 pos,
                                            struct vec2 vel_mps) {
  struct mobility *m = alloc(MOBILITY_CONSTANT_VELOCITY, pos);
  m->seg.vel = (struct vec2){vel_mps.x / 1e9, vel_mps.y / 1e9};
  return m;
}

struct vec2 segment_at(const struct segment *s, int64_t t) {
  double dt = (double)(t - s->start);
  return (struct vec2){s->from.x + s->vel.x * dt, s->from.y + s->vel.y * dt};
}

static double dist(struct vec2 a, struct vec2 b) {
  return hypot(b.x - a.x, b.y - a.y);
}

/* A segment from `from` at `start` reaching `to` after `duration`. */
static struct segment travel(struct vec2 from, struct vec2 to, int64_t start,
                             int64_t duration) {
  struct segment s = {.start = start, .end = start + duration, .from = from};
  if (duration > 0)
    s.vel = (struct vec2){(to.x - from.x) / (double)duration,
                          (to.y - from.y) / (double)duration};
  return s;
}

static struct segment pause_at(struct vec2 pos, int64_t start,
                               int64_t duration) {
  return (struct segment){.start = start,
                          .end = duration < 0 ? SIM_TIME_MAX : start + duration,
                          .from = pos};
}

/* Scripted waypoints: travel to the next waypoint, then pause there. */
static void next_waypoint_segment(struct mobility *m) {
  struct vec2 here = segment_at(&m->seg, m->seg.end);
  int64_t now = m->seg.end;
  if (!m->paused && m->next > 0) {
    const struct waypoint *w =
        &g_array_index(m->waypoints, struct waypoint, m->next - 1);
    if (w->pause > 0) {
      m->seg = pause_at(w->pos, now, w->pause);
      m->paused = true;
      return;
    }
  }
  m->paused = false;
  if (m->next >= m->waypoints->len) {
    m->seg = pause_at(here, now, -1);
    m->paused = true;
    return;
  }
  const struct waypoint *w =
      &g_array_index(m->waypoints, struct waypoint, m->next++);
  int64_t duration =
      w->at >= 0 ? w->at - now
                 : (int64_t)llround(dist(here, w->pos) / w->speed * 1e9);
  if (duration < 0)
    duration = 0;
  m->seg = travel(here, w->pos, now, duration);
  m->seg.from = here;
}

struct mobility *mobility_waypoints(GArray *waypoints) {
  g_return_val_if_fail(waypoints->len > 0, NULL);
  const struct waypoint *first = &g_array_index(waypoints, struct waypoint, 0);
  struct mobility *m = alloc(MOBILITY_WAYPOINTS, first->pos);
  m->waypoints = waypoints;
  m->next = 1;
  /* Wait at the first waypoint for its pause, then travel on. */
  m->seg = pause_at(first->pos, 0, first->pause);
  m->paused = true;
  if (first->pause == 0)
    next_waypoint_segment(m);
  return m;
}

static double uniform(struct rng *r, double lo, double hi) {
  return lo + (hi - lo) * rng_uniform(r);
}

static void next_random_segment(struct mobility *m) {
  struct vec2 here = segment_at(&m->seg, m->seg.end);
  int64_t now = m->seg.end;
  if (!m->paused && (m->pause_max > 0)) {
    int64_t pause = m->pause_min +
                    (int64_t)rng_below(
                        &m->rng, (uint64_t)(m->pause_max - m->pause_min) + 1);
    m->seg = pause_at(here, now, pause);
    m->paused = true;
    if (pause > 0)
      return;
  }
  m->paused = false;
  struct vec2 to = {uniform(&m->rng, m->area_min.x, m->area_max.x),
                    uniform(&m->rng, m->area_min.y, m->area_max.y)};
  double speed = uniform(&m->rng, m->speed_min, m->speed_max);
  int64_t duration = (int64_t)llround(dist(here, to) / speed * 1e9);
  m->seg = travel(here, to, now, duration > 0 ? duration : 1);
}

struct mobility *mobility_random_waypoint(struct vec2 area_min,
                                          struct vec2 area_max,
                                          double speed_min, double speed_max,
                                          int64_t pause_min, int64_t pause_max,
                                          const struct rng *stream,
                                          const struct vec2 *start) {
  struct mobility *m = alloc(MOBILITY_RANDOM_WAYPOINT, area_min);
  m->area_min = area_min;
  m->area_max = area_max;
  m->speed_min = speed_min;
  m->speed_max = speed_max;
  m->pause_min = pause_min;
  m->pause_max = pause_max;
  m->rng = *stream;
  struct vec2 pos =
      start ? *start
            : (struct vec2){uniform(&m->rng, area_min.x, area_max.x),
                            uniform(&m->rng, area_min.y, area_max.y)};
  /* A zero-length first segment: the first call draws a destination. */
  m->seg = (struct segment){.start = 0, .end = 0, .from = pos};
  m->paused = true;
  next_random_segment(m);
  return m;
}

void mobility_free(struct mobility *m) {
  if (!m)
    return;
  if (m->waypoints)
    g_array_free(m->waypoints, TRUE);
  g_free(m);
}

static void node_mobility_free(struct node *node) {
  mobility_free(node->mobility);
  node->mobility = NULL;
}

static const struct sim_subsystem movement = {.name = "movement",
                                              .node_free = node_mobility_free};

void mobility_set(struct node *node, struct mobility *m) {
  sim_use(node->sim, &movement);
  mobility_free(node->mobility);
  node->mobility = m;
}

void mobility_advance(struct mobility *m, int64_t t) {
  while (t >= m->seg.end) {
    if (m->kind == MOBILITY_WAYPOINTS)
      next_waypoint_segment(m);
    else if (m->kind == MOBILITY_RANDOM_WAYPOINT)
      next_random_segment(m);
    else
      break;
  }
}

struct vec2 mobility_position(struct mobility *m, int64_t t) {
  mobility_advance(m, t);
  return segment_at(&m->seg, t);
}

struct position_recorder {
  struct app app;
  struct sched_event tick;
};

static void sample(struct sched_event *ev) {
  struct position_recorder *r =
      SIM_CONTAINER_OF(ev, struct position_recorder, tick);
  struct sim *sim = r->app.sim;
  int64_t now = sim_now(sim);
  for (guint i = 0; i < sim->nodes->len; i++) {
    struct node *n = g_ptr_array_index(sim->nodes, i);
    if (!n->mobility)
      continue;
    struct vec2 p = mobility_position(n->mobility, now);
    struct position_sample s = {.node = n->id, .t = now, .x = p.x, .y = p.y};
    g_array_append_val(sim->positions, s);
  }
  sched_in(&sim->sched, ev, sim->positions_interval);
}

static void recorder_start(struct app *app) {
  struct position_recorder *r = (struct position_recorder *)app;
  sched_at(&app->sim->sched, &r->tick, 0);
}

/* The samples are the recorder's: they go with it, after the results are
 * written. */
static void recorder_free(struct app *app) {
  struct position_recorder *r = (struct position_recorder *)app;
  sched_cancel(&app->sim->sched, &r->tick);
  g_array_free(app->sim->positions, TRUE);
  app->sim->positions = NULL;
  g_free(app->name);
  g_free(r);
}

static const struct app_ops recorder_ops = {
    .kind = "positions",
    .start = recorder_start,
    .free = recorder_free,
};

void mobility_record_positions(struct sim *sim) {
  g_return_if_fail(sim->positions_interval > 0 && !sim->positions);
  sim->positions = g_array_new(FALSE, FALSE, sizeof(struct position_sample));
  struct position_recorder *r = g_new0(struct position_recorder, 1);
  r->app = (struct app){
      .ops = &recorder_ops, .sim = sim, .name = g_strdup("positions")};
  sched_event_init(&r->tick, sample);
  app_register(sim, &r->app);
}
