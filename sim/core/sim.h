/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One simulation run: clock, event queue, random streams, packets, nodes
 * and links.  No global mutable state: runs may execute in parallel
 * threads, and a run's output depends only on its scenario and seed. */
#ifndef MIPSIM_SIM_H
#define MIPSIM_SIM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/core/drop.h"
#include "sim/core/observer.h"
#include "sim/core/pkt.h"
#include "sim/core/rng.h"
#include "sim/core/sched.h"

struct node;
struct link;
struct iface;
struct routing;
struct app;
struct cell_index;
struct signalling;
struct handoff_meter;
struct module_set;

enum route_metric { ROUTE_METRIC_DELAY, ROUTE_METRIC_HOPS };

struct sim {
  struct sched sched;
  struct pkt_pool pool;
  char *name;
  uint64_t seed;
  uint32_t run;
  int64_t duration;  /* the run ends at this time */
  GPtrArray *nodes;  /* struct node *, owned; index = node->id */
  GPtrArray *links;  /* struct link *, owned; index = link->id */
  GPtrArray *ifaces; /* struct iface *, borrowed; index = iface->id */
  GPtrArray *apps;   /* struct app *, owned */
  GPtrArray *faults; /* scheduled up/down changes, owned */
  GPtrArray *flows;  /* struct flow *, owned; index = flow->id - 1 */
  GPtrArray *cells;  /* struct cell *, owned; index = cell->id */
  struct cell_index *cell_index;
  GArray *handoffs; /* struct handoff, in the order they began;
                     * NULL until a radio exists (radio.c) */
  struct handoff_meter *handoff_meter; /* NULL until a flow exists */
  int64_t positions_interval;          /* positions.tsv sampling; 0: none */
  GArray *positions;                   /* struct position_sample; NULL unless
                                        * sampled (mobility.c) */
  GArray *tables;                /* struct sim_table: modules' result tables */
  struct module_set *modules;    /* modules' indexes and state (module.c) */
  struct signalling *signalling; /* control messages sent, by node */
  bool record_pcap;              /* write DIR/pcap/<link>.pcap */
  /* Time series bins (timeseries.tsv); 0: no time series.  They cost a
   * bin per flow per bin width of run time, so they are asked for. */
  int64_t bin_width;
  struct observer *observers;
  struct drop_registry drop_reasons; /* modules' drop reasons */
  /* Routes computed from the topology, unless the scenario is static. */
  bool computed_routes;
  enum route_metric metric;
  struct routing *routing;
  GPtrArray *subsystems; /* const struct sim_subsystem *, in use order */
  volatile bool stop;
};

/* A part of the kernel with state in the run or in its nodes (nodes and
 * links themselves, routing, cells, radios, flows, modules, a protocol's
 * per-node tables...).  It calls sim_use when it first creates such state;
 * the run and the node then start, finish and free it without naming it,
 * so the run depends on nothing built on it.  One constant struct per
 * subsystem; every hook may be NULL. */
struct sim_subsystem {
  const char *name;
  /* sim_run: before application number app starts, and once more (app
   * G_MAXUINT) after the last, before faults and start. */
  void (*before_app)(struct sim *sim, guint app);
  /* sim_run: once applications and faults have started, in use order. */
  void (*start)(struct sim *sim);
  /* sim_run: once the clock has stopped. */
  void (*finish)(struct sim *sim);
  /* sim_teardown, after applications, before faults and before any
   * subsystem is freed: for state whose end still uses other subsystems'
   * state. */
  void (*stop)(struct sim *sim);
  /* sim_teardown, in use order, after applications and faults: each owner
   * cancels its own events (only frames on links were dropped before). */
  void (*free)(struct sim *sim);
  /* sim_drop: counts the drop at node and/or link (either may be NULL). */
  void (*count_drop)(struct node *node, struct link *link, uint32_t reason);
  /* node_free and iface_free: the node's or interface's share. */
  void (*node_free)(struct node *node);
  void (*iface_free)(struct iface *iface);
};

/* Registers sub with the run unless it is already (cheap: a handful of
 * subsystems, used when state is created, never per packet). */
void sim_use(struct sim *sim, const struct sim_subsystem *sub);

/* A result table: make() returns the whole TSV text (header row first),
 * written as DIR/name at the end of the run. */
typedef char *(*sim_table_fn)(const struct sim *sim, void *ctx);
struct sim_table {
  char *name;
  sim_table_fn make;
  void *ctx;
};
void sim_add_table(struct sim *sim, const char *name, sim_table_fn make,
                   void *ctx);

struct sim *sim_new(const char *name, uint64_t seed, uint32_t run);
/* The end of a run: drops the frames still on links, then frees the
 * applications, faults, nodes, links, flows and cells, each of which
 * cancels its own events and frees the packets it holds.  Afterwards no
 * event is pending and no packet is live unless one leaked: sim_free
 * reports those, and tests assert it.  Results must be written before. */
void sim_teardown(struct sim *sim);
/* Tears down (if not yet done) and frees. */
void sim_free(struct sim *sim);

static inline int64_t sim_now(const struct sim *sim) {
  return sim->sched.now;
}

/* A stream derived from (seed, run, name); names are like "link/core/loss".*/
void sim_rng(const struct sim *sim, struct rng *r, const char *name);

void sim_observe(struct sim *sim, struct observer *obs);
void sim_unobserve(struct sim *sim, struct observer *obs);

/* Has the subsystems count the drop at node and/or link (either may be
 * NULL), tells the observers, and frees the packet. */
void sim_drop(struct sim *sim, struct node *node, struct link *link,
              struct pkt *pkt, uint32_t reason);

/* Starts the applications, each after the subsystems' before_app, and
 * scheduled faults, then the subsystems, then runs until the duration
 * (or until, if smaller and > 0).  progress, if set, is called about every
 * wall-clock second. */
typedef void (*sim_progress_fn)(void *ctx, const struct sim *sim);
void sim_run(struct sim *sim, int64_t until, sim_progress_fn progress,
             void *ctx);

#endif
