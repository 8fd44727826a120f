/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Association and handoff of wireless interfaces.
 *
 * Nothing is polled.  On the node's current movement segment the radio
 * solves for the first instant something changes: it enters or leaves a
 * cell's disc (|p(t) - c| = r, a quadratic in t), passes the current
 * cell's radius plus hysteresis (sticky policy), or another cell in range
 * becomes nearer than the current one by the hysteresis (nearest policy:
 * |p - b| = |p - c| - h, linear in t when h = 0 and found by bracketing
 * and bisection to the nanosecond otherwise).  It schedules that one
 * event, applies it when it fires, decides which cell it wants, and solves
 * again.  Segments are examined in windows of one spatial-index bucket, so
 * a long straight path does not gather every cell on its way at once.
 *
 * A handoff detaches the interface from the old cell at once (frames
 * queued or in flight to or from it are lost) and attaches it to the new
 * one after the layer-2 delay (scan, authenticate, associate). */
#include "sim/wireless/radio.h"

#include <math.h>

#include "sim/core/sim.h"
#include "sim/net/arp.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/mobility.h"

struct radio_listener {
  radio_listener_fn fn;
  void *ctx;
  struct radio_listener *next;
};

static void radio_start_all(struct sim *sim);
static void radio_free(struct iface *iface);
static void listeners_free(struct node *node);

static void handoffs_free(struct sim *sim) {
  if (sim->handoffs)
    g_array_free(sim->handoffs, TRUE);
  sim->handoffs = NULL;
}

static const struct sim_subsystem radios = {.name = "radios",
                                            .start = radio_start_all,
                                            .free = handoffs_free,
                                            .node_free = listeners_free,
                                            .iface_free = radio_free};

void radio_listen(struct node *node, radio_listener_fn fn, void *ctx) {
  sim_use(node->sim, &radios);
  struct radio_listener *l = g_new0(struct radio_listener, 1);
  l->fn = fn;
  l->ctx = ctx;
  struct radio_listener **tail = &node->radio_listeners;
  while (*tail)
    tail = &(*tail)->next;
  *tail = l;
}

static void listeners_free(struct node *node) {
  while (node->radio_listeners) {
    struct radio_listener *l = node->radio_listeners;
    node->radio_listeners = l->next;
    g_free(l);
  }
}

static void notify(struct iface *iface, struct cell *cell, bool up) {
  for (struct radio_listener *l = iface->node->radio_listeners; l; l = l->next)
    l->fn(l->ctx, iface, cell, up);
}

static struct sim *sim_of(const struct radio *r) {
  return r->iface->node->sim;
}

static struct vec2 here(struct radio *r) {
  struct node *n = r->iface->node;
  return n->mobility ? mobility_position(n->mobility, sim_now(n->sim))
                     : (struct vec2){0, 0};
}

int radio_last_handoff(const struct iface *iface) {
  GArray *rows = iface->node->sim->handoffs;
  for (guint i = rows->len; i-- > 0;)
    if (g_array_index(rows, struct handoff, i).iface == iface)
      return (int)i;
  return -1;
}

/* ---- attach and detach ------------------------------------------------- */

static void attach(struct radio *r, struct cell *cell) {
  r->cell = cell;
  r->beyond_margin = false;
  link_attach(cell->link, r->iface);
  r->iface->up = true;
  notify(r->iface, cell, true);
}

static void detach(struct radio *r) {
  struct cell *old = r->cell;
  r->cell = NULL;
  r->iface->up = false;
  arp_flush(r->iface);
  link_detach(old->link, r->iface);
  notify(r->iface, old, false);
}

static void assoc_done(struct sched_event *ev) {
  struct radio *r = SIM_CONTAINER_OF(ev, struct radio, assoc);
  struct cell *cell = r->target;
  r->target = NULL;
  g_array_index(sim_of(r)->handoffs, struct handoff, r->handoff).attached =
      sim_now(sim_of(r));
  attach(r, cell);
}

/* A new row of the handoff log, told to the observers (the handoff
 * meter). */
static guint log_handoff(struct sim *sim, struct iface *iface,
                         struct cell *from, struct cell *to, int64_t l2_delay) {
  struct handoff h = {.iface = iface,
                      .start = sim_now(sim),
                      .attached = -1,
                      .from = from,
                      .to = to,
                      .l2_delay = l2_delay};
  for (int i = 0; i < RADIO_HANDOFF_MILESTONES; i++)
    h.milestone[i] = -1;
  g_array_append_val(sim->handoffs, h);
  guint row = sim->handoffs->len - 1;
  for (struct observer *o = sim->observers; o; o = o->next)
    if (o->on_handoff)
      o->on_handoff(o->ctx, row);
  return row;
}

/* Leave the current cell (if any) and head for want (NULL: stay
 * detached), paying the layer-2 delay. */
static void switch_to(struct radio *r, struct cell *want) {
  struct sim *sim = sim_of(r);
  struct cell *from = r->cell;
  if (r->target)
    sched_cancel(&sim->sched, &r->assoc); /* its row stays, unattached */
  r->target = NULL;
  if (from)
    detach(r);
  if (!from && !want)
    return;
  r->handoff = log_handoff(sim, r->iface, from, want, want ? r->l2_delay : 0);
  if (!want)
    return;
  r->target = want;
  sched_in(&sim->sched, &r->assoc, r->l2_delay);
}

/* ---- geometry ---------------------------------------------------------- */

static bool in_range(const struct radio *r, const struct cell *c) {
  for (guint i = 0; i < r->in_range->len; i++)
    if (g_ptr_array_index(r->in_range, i) == c)
      return true;
  return false;
}

static struct cell *nearest_in_range(struct radio *r, struct vec2 p) {
  struct cell *best = NULL;
  double best_d = INFINITY;
  for (guint i = 0; i < r->in_range->len; i++) {
    struct cell *c = g_ptr_array_index(r->in_range, i);
    double d = cell_distance(c, p);
    if (d < best_d || (d == best_d && best && c->id < best->id)) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

/* The cell the radio has or is joining. */
static struct cell *current(const struct radio *r) {
  return r->target ? r->target : r->cell;
}

/* Roots of |from + vel * tau - c| = radius, tau in ns; false if none. */
static bool circle_roots(const struct segment *seg, int64_t t, struct vec2 c,
                         double radius, double *t1, double *t2) {
  struct vec2 p = segment_at(seg, t);
  double dx = p.x - c.x, dy = p.y - c.y;
  double a = seg->vel.x * seg->vel.x + seg->vel.y * seg->vel.y;
  double b = 2 * (seg->vel.x * dx + seg->vel.y * dy);
  double cc = dx * dx + dy * dy - radius * radius;
  if (a == 0)
    return false;
  double disc = b * b - 4 * a * cc;
  if (disc <= 0)
    return false;
  double sq = sqrt(disc);
  /* The numerically stable pair of formulas. */
  double q = -0.5 * (b + (b >= 0 ? sq : -sq));
  double r1 = q / a, r2 = q != 0 ? cc / q : r1;
  *t1 = fmin(r1, r2);
  *t2 = fmax(r1, r2);
  return true;
}

static double nearer_gap(struct vec2 p0, struct vec2 vel, double tau,
                         const struct cell *cur, const struct cell *other,
                         double h) {
  struct vec2 p = {p0.x + vel.x * tau, p0.y + vel.y * tau};
  return cell_distance(cur, p) - cell_distance(other, p) - h;
}

/* g(tau) = |p - cur| - |p - other| - h: positive once other is nearer by
 * more than h.  First tau in (lo, hi] where g turns positive, or -1. */
static double nearer_time(const struct segment *seg, int64_t t,
                          const struct cell *cur, const struct cell *other,
                          double h, double hi) {
  const double lo = 0.5;
  if (h == 0) {
    /* |p-c|^2 - |p-o|^2 is linear in tau: k0 + k1 tau. */
    struct vec2 p = segment_at(seg, t);
    double k0 = (p.x - cur->pos.x) * (p.x - cur->pos.x) +
                (p.y - cur->pos.y) * (p.y - cur->pos.y) -
                (p.x - other->pos.x) * (p.x - other->pos.x) -
                (p.y - other->pos.y) * (p.y - other->pos.y);
    double k1 = 2 * (seg->vel.x * (other->pos.x - cur->pos.x) +
                     seg->vel.y * (other->pos.y - cur->pos.y));
    if (k1 <= 0 || k0 > 0)
      return -1;
    double tau = -k0 / k1;
    return tau > lo && tau <= hi ? tau : -1;
  }
  /* g has at most one extremum along a line, so 32 samples bracket its
   * first sign change on any window a node covers. */
  enum { SAMPLES = 32 };
  struct vec2 p0 = segment_at(seg, t);
  double prev_tau = lo, prev_g = 0;
  for (int i = 0; i <= SAMPLES; i++) {
    double tau = lo + (hi - lo) * i / SAMPLES;
    double g = nearer_gap(p0, seg->vel, tau, cur, other, h);
    if (i == 0 && g > 0)
      return -1; /* already nearer: decide() handles it, not an event */
    if (i > 0 && prev_g <= 0 && g > 0) {
      double a = prev_tau, b = tau;
      while (b - a > 0.5) {
        double m = 0.5 * (a + b);
        if (nearer_gap(p0, seg->vel, m, cur, other, h) > 0)
          b = m;
        else
          a = m;
      }
      return b;
    }
    prev_tau = tau;
    prev_g = g;
  }
  return -1;
}

static void consider(struct radio *r, double tau, enum radio_event kind,
                     struct cell *cell, double *best) {
  if (tau > 0.5 && tau < *best) {
    *best = tau;
    r->next_kind = kind;
    r->next_cell = cell;
  }
}

static void boundary_fire(struct sched_event *ev);

/* Schedules the next event of the radio on the node's path from now. */
static void plan(struct radio *r) {
  struct sim *sim = sim_of(r);
  struct node *n = r->iface->node;
  int64_t now = sim_now(sim);
  sched_cancel(&sim->sched, &r->boundary);
  r->next_kind = RADIO_EV_NONE;
  if (!n->mobility || r->moves)
    return;
  mobility_advance(n->mobility, now);
  const struct segment *seg = &n->mobility->seg;
  double speed = hypot(seg->vel.x, seg->vel.y); /* m/ns */
  int64_t window_end = seg->end;
  if (speed > 0 && sim->cells->len > 0) {
    double bucket_ns = cell_bucket_width(sim) / speed;
    if (bucket_ns < (double)(window_end - now))
      window_end = now + (int64_t)ceil(bucket_ns);
  }
  if (window_end > sim->duration + 1)
    window_end = sim->duration + 1;
  double best = (double)(window_end - now);
  r->next_kind = RADIO_EV_SEGMENT_END;
  r->next_cell = NULL;
  if (speed > 0 && window_end > now) {
    struct vec2 a = segment_at(seg, now), b = segment_at(seg, window_end);
    struct vec2 lo = {fmin(a.x, b.x), fmin(a.y, b.y)};
    struct vec2 hi = {fmax(a.x, b.x), fmax(a.y, b.y)};
    struct cell *cur = current(r);
    GPtrArray *cands = g_ptr_array_new();
    cell_query(sim, lo, hi, cands);
    /* Cells in range stay candidates even if the box misses their disc's
     * far side: they must be left first. */
    for (guint i = 0; i < r->in_range->len; i++)
      if (!g_ptr_array_find(cands, g_ptr_array_index(r->in_range, i), NULL))
        g_ptr_array_add(cands, g_ptr_array_index(r->in_range, i));
    for (guint i = 0; i < cands->len; i++) {
      struct cell *c = g_ptr_array_index(cands, i);
      double t1, t2;
      if (circle_roots(seg, now, c->pos, c->radius, &t1, &t2)) {
        if (in_range(r, c))
          consider(r, t2, RADIO_EV_LEAVE, c, &best);
        else
          consider(r, t1, RADIO_EV_ENTER, c, &best);
      }
      if (r->policy == ASSOC_NEAREST && cur && c != cur && in_range(r, c) &&
          in_range(r, cur))
        consider(r, nearer_time(seg, now, cur, c, r->hysteresis, best),
                 RADIO_EV_NEARER, c, &best);
    }
    g_ptr_array_free(cands, TRUE);
    if (r->policy == ASSOC_STICKY && cur && r->hysteresis > 0 &&
        !r->beyond_margin) {
      double t1, t2;
      if (circle_roots(seg, now, cur->pos, cur->radius + r->hysteresis, &t1,
                       &t2))
        consider(r, t2, RADIO_EV_MARGIN, cur, &best);
    }
  }
  if (r->next_kind == RADIO_EV_SEGMENT_END && window_end == SIM_TIME_MAX)
    return; /* standing still for ever */
  int64_t at = now + (int64_t)ceil(best);
  if (at <= now)
    at = now + 1;
  if (at > sim->duration)
    return;
  sched_at(&sim->sched, &r->boundary, at);
}

/* Which cell the radio should be with now, given its in-range set. */
static void decide(struct radio *r, enum radio_event ev, struct cell *evc) {
  struct vec2 p = here(r);
  struct cell *cur = current(r);
  struct cell *want = cur;
  if (r->policy == ASSOC_STICKY) {
    bool keep =
        cur && (in_range(r, cur) || (r->hysteresis > 0 && !r->beyond_margin));
    if (!keep)
      want = nearest_in_range(r, p);
  } else {
    struct cell *best = nearest_in_range(r, p);
    if (!cur || !in_range(r, cur))
      want = best;
    else if (ev == RADIO_EV_NEARER && in_range(r, evc))
      want = evc;
    else if (best && best != cur &&
             cell_distance(best, p) < cell_distance(cur, p) - r->hysteresis)
      want = best;
  }
  if (want != cur)
    switch_to(r, want);
}

static void boundary_fire(struct sched_event *ev) {
  struct radio *r = SIM_CONTAINER_OF(ev, struct radio, boundary);
  struct cell *c = r->next_cell;
  switch (r->next_kind) {
  case RADIO_EV_ENTER:
    g_ptr_array_add(r->in_range, c);
    break;
  case RADIO_EV_LEAVE:
    g_ptr_array_remove(r->in_range, c);
    break;
  case RADIO_EV_MARGIN:
    r->beyond_margin = true;
    break;
  default:
    break;
  }
  decide(r, r->next_kind, c);
  plan(r);
}

/* ---- discrete moves ---------------------------------------------------- */

static void move_fire(struct sched_event *ev) {
  struct radio *r = SIM_CONTAINER_OF(ev, struct radio, move);
  struct radio_move *m =
      &g_array_index(r->moves, struct radio_move, r->next_move++);
  if (m->cell != current(r))
    switch_to(r, m->cell);
  if (r->next_move < r->moves->len)
    sched_at(&sim_of(r)->sched, ev,
             g_array_index(r->moves, struct radio_move, r->next_move).at);
}

static gint by_time(gconstpointer a, gconstpointer b) {
  const struct radio_move *x = a, *y = b;
  return x->at < y->at ? -1 : x->at > y->at;
}

void radio_add_move(struct iface *iface, int64_t at, struct cell *cell) {
  struct radio *r = iface->radio;
  if (!r->moves)
    r->moves = g_array_new(FALSE, FALSE, sizeof(struct radio_move));
  struct radio_move m = {.at = at, .cell = cell};
  g_array_append_val(r->moves, m);
  g_array_sort(r->moves, by_time);
}

/* ---- life cycle -------------------------------------------------------- */

struct iface *radio_new(struct node *node, const char *name,
                        enum assoc_policy policy, double hysteresis,
                        int64_t l2_delay) {
  sim_use(node->sim, &radios);
  struct iface *iface = iface_new_unattached(node, name);
  struct radio *r = g_new0(struct radio, 1);
  r->iface = iface;
  r->policy = policy;
  r->hysteresis = hysteresis;
  r->l2_delay = l2_delay;
  r->in_range = g_ptr_array_new();
  sched_event_init(&r->boundary, boundary_fire);
  sched_event_init(&r->assoc, assoc_done);
  sched_event_init(&r->move, move_fire);
  iface->radio = r;
  iface->up = false;
  if (!node->sim->handoffs)
    node->sim->handoffs = g_array_new(FALSE, TRUE, sizeof(struct handoff));
  return iface;
}

static void radio_start(struct radio *r) {
  struct sim *sim = sim_of(r);
  if (r->moves) {
    /* A move at time 0 is where the node starts: no handoff. */
    struct radio_move *first = &g_array_index(r->moves, struct radio_move, 0);
    if (first->at == 0) {
      attach(r, first->cell);
      r->next_move = 1;
    }
    if (r->next_move < r->moves->len)
      sched_at(&sim->sched, &r->move,
               g_array_index(r->moves, struct radio_move, r->next_move).at);
    return;
  }
  if (!r->iface->node->mobility)
    return;
  /* Powered on inside coverage: associated from the start. */
  struct vec2 p = here(r);
  GPtrArray *found = g_ptr_array_new();
  cell_query(sim, p, p, found);
  for (guint i = 0; i < found->len; i++) {
    struct cell *c = g_ptr_array_index(found, i);
    if (cell_distance(c, p) <= c->radius)
      g_ptr_array_add(r->in_range, c);
  }
  g_ptr_array_free(found, TRUE);
  struct cell *best = nearest_in_range(r, p);
  if (best)
    attach(r, best);
  plan(r);
}

/* The run starts: every radio's first association and boundary events. */
static void radio_start_all(struct sim *sim) {
  for (guint i = 0; i < sim->ifaces->len; i++) {
    struct iface *iface = g_ptr_array_index(sim->ifaces, i);
    if (iface->radio)
      radio_start(iface->radio);
  }
}

static void radio_free(struct iface *iface) {
  struct radio *r = iface->radio;
  if (!r)
    return;
  struct sched *s = &iface->node->sim->sched;
  sched_cancel(s, &r->boundary);
  sched_cancel(s, &r->assoc);
  sched_cancel(s, &r->move);
  g_ptr_array_free(r->in_range, TRUE);
  if (r->moves)
    g_array_free(r->moves, TRUE);
  g_free(r);
  iface->radio = NULL;
}
