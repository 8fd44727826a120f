/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A simulation run and its life cycle. */
#include "sim/core/sim.h"

#include "sim/core/app.h"
#include "sim/core/fault.h"

struct sim *sim_new(const char *name, uint64_t seed, uint32_t run) {
  struct sim *sim = g_new0(struct sim, 1);
  sched_init(&sim->sched);
  pkt_pool_init(&sim->pool);
  sim->name = g_strdup(name);
  sim->seed = seed;
  sim->run = run;
  sim->duration = 10 * SIM_S;
  sim->nodes = g_ptr_array_new();
  sim->links = g_ptr_array_new();
  sim->ifaces = g_ptr_array_new();
  sim->apps = g_ptr_array_new();
  sim->faults = g_ptr_array_new();
  sim->flows = g_ptr_array_new();
  sim->cells = g_ptr_array_new();
  sim->tables = g_array_new(FALSE, FALSE, sizeof(struct sim_table));
  sim->subsystems = g_ptr_array_new();
  sim->computed_routes = true;
  sim->metric = ROUTE_METRIC_DELAY;
  return sim;
}

void sim_teardown(struct sim *sim) {
  pkt_pool_drop_in_flight(&sim->pool, &sim->sched);
  for (guint i = 0; i < sim->apps->len; i++) {
    struct app *app = g_ptr_array_index(sim->apps, i);
    app->ops->free(app);
  }
  g_ptr_array_set_size(sim->apps, 0);
  for (guint i = 0; i < sim->subsystems->len; i++) {
    const struct sim_subsystem *sub = g_ptr_array_index(sim->subsystems, i);
    if (sub->stop)
      sub->stop(sim);
  }
  fault_free_all(sim);
  for (guint i = 0; i < sim->subsystems->len; i++) {
    const struct sim_subsystem *sub = g_ptr_array_index(sim->subsystems, i);
    if (sub->free)
      sub->free(sim);
  }
  /* Teardown may run twice (a test checks for leaks, then frees). */
  g_ptr_array_set_size(sim->subsystems, 0);
  g_ptr_array_set_size(sim->nodes, 0);
  g_ptr_array_set_size(sim->ifaces, 0);
  g_ptr_array_set_size(sim->links, 0);
  g_ptr_array_set_size(sim->flows, 0);
}

void sim_free(struct sim *sim) {
  if (!sim)
    return;
  sim_teardown(sim);
  /* An event still pending belongs to an owner that was freed without
   * cancelling it, which would have fired into freed memory.  Clearing
   * the queue would write into that memory too: the queue is left
   * allocated instead, for LeakSanitizer to report beside the warning. */
  uint32_t pending = sched_pending_count(&sim->sched);
  if (pending)
    g_warning("%u events still pending after the end of the run", pending);
  else
    sched_clear(&sim->sched);
  g_ptr_array_free(sim->subsystems, TRUE);
  pkt_pool_clear(&sim->pool);
  g_ptr_array_free(sim->nodes, TRUE);
  g_ptr_array_free(sim->links, TRUE);
  g_ptr_array_free(sim->ifaces, TRUE);
  g_ptr_array_free(sim->apps, TRUE);
  g_ptr_array_free(sim->faults, TRUE);
  g_ptr_array_free(sim->flows, TRUE);
  g_ptr_array_free(sim->cells, TRUE);
  for (guint i = 0; i < sim->tables->len; i++)
    g_free(g_array_index(sim->tables, struct sim_table, i).name);
  g_array_free(sim->tables, TRUE);
  drop__registry_free(&sim->drop_reasons);
  g_free(sim->name);
  g_free(sim);
}

void sim_use(struct sim *sim, const struct sim_subsystem *sub) {
  for (guint i = 0; i < sim->subsystems->len; i++)
    if (g_ptr_array_index(sim->subsystems, i) == sub)
      return;
  g_ptr_array_add(sim->subsystems, (gpointer)sub);
}

void sim_add_table(struct sim *sim, const char *name, sim_table_fn make,
                   void *ctx) {
  struct sim_table t = {.name = g_strdup(name), .make = make, .ctx = ctx};
  g_array_append_val(sim->tables, t);
}

void sim_rng(const struct sim *sim, struct rng *r, const char *name) {
  rng_init(r, sim->seed, sim->run, name);
}

void sim_observe(struct sim *sim, struct observer *obs) {
  obs->next = sim->observers;
  sim->observers = obs;
}

void sim_unobserve(struct sim *sim, struct observer *obs) {
  for (struct observer **p = &sim->observers; *p; p = &(*p)->next) {
    if (*p == obs) {
      *p = obs->next;
      return;
    }
  }
}

void sim_drop(struct sim *sim, struct node *node, struct link *link,
              struct pkt *pkt, uint32_t reason) {
  for (guint i = 0; i < sim->subsystems->len; i++) {
    const struct sim_subsystem *sub = g_ptr_array_index(sim->subsystems, i);
    if (sub->count_drop)
      sub->count_drop(node, link, reason);
  }
  for (struct observer *o = sim->observers; o; o = o->next)
    if (o->on_drop)
      o->on_drop(o->ctx, node, link, pkt, reason);
  pkt_free(pkt);
}

static void before_app(struct sim *sim, guint app) {
  for (guint i = 0; i < sim->subsystems->len; i++) {
    const struct sim_subsystem *sub = g_ptr_array_index(sim->subsystems, i);
    if (sub->before_app)
      sub->before_app(sim, app);
  }
}

/* The run advances in slices of simulated time so that the wall clock can
 * be looked at between them without adding events, which would change the
 * event count and the tie-break sequence of a run shown on a terminal. */
#define PROGRESS_SLICE (10 * SIM_MS)

void sim_run(struct sim *sim, int64_t until, sim_progress_fn progress,
             void *ctx) {
  int64_t end = sim->duration;
  if (until > 0 && until < end)
    end = until;
  for (guint i = 0; i < sim->apps->len; i++) {
    struct app *app = g_ptr_array_index(sim->apps, i);
    before_app(sim, i);
    app->ops->start(app);
  }
  before_app(sim, G_MAXUINT);
  fault_start(sim);
  for (guint i = 0; i < sim->subsystems->len; i++) {
    const struct sim_subsystem *sub = g_ptr_array_index(sim->subsystems, i);
    if (sub->start)
      sub->start(sim);
  }
  if (!progress) {
    sched_run(&sim->sched, end, &sim->stop);
  } else {
    gint64 last_wall = g_get_monotonic_time();
    while (sim_now(sim) < end && !sim->stop) {
      int64_t slice_end = end - sim_now(sim) > PROGRESS_SLICE
                              ? sim_now(sim) + PROGRESS_SLICE
                              : end;
      sched_run(&sim->sched, slice_end, &sim->stop);
      gint64 wall = g_get_monotonic_time();
      if (wall - last_wall >= G_USEC_PER_SEC) {
        last_wall = wall;
        progress(ctx, sim);
      }
    }
  }
  for (guint i = 0; i < sim->subsystems->len; i++) {
    const struct sim_subsystem *sub = g_ptr_array_index(sim->subsystems, i);
    if (sub->finish)
      sub->finish(sim);
  }
}
