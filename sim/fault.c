/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scheduled link and node failures and recoveries. */
#include "fault.h"

#include <glib.h>

#include "link.h"
#include "node.h"
#include "sim.h"

struct fault {
  struct sched_event ev;
  struct sim *sim;
  struct link *link; /* one of link, node */
  struct node *node;
  int64_t at;
  bool up;
};

static void fault_fire(struct sched_event *ev) {
  struct fault *f = SIM_CONTAINER_OF(ev, struct fault, ev);
  if (f->link)
    link_set_up(f->link, f->up);
  else
    node_set_up(f->node, f->up);
}

static void add(struct sim *sim, struct link *link, struct node *node,
                int64_t at, bool up) {
  struct fault *f = g_new0(struct fault, 1);
  sched_event_init(&f->ev, fault_fire);
  f->sim = sim;
  f->link = link;
  f->node = node;
  f->at = at;
  f->up = up;
  g_ptr_array_add(sim->faults, f);
}

void fault_link_at(struct sim *sim, struct link *link, int64_t at, bool up) {
  add(sim, link, NULL, at, up);
}

void fault_node_at(struct sim *sim, struct node *node, int64_t at, bool up) {
  add(sim, NULL, node, at, up);
}

void fault_start(struct sim *sim) {
  for (guint i = 0; i < sim->faults->len; i++) {
    struct fault *f = g_ptr_array_index(sim->faults, i);
    sched_at(&sim->sched, &f->ev, f->at);
  }
}

void fault_free_all(struct sim *sim) {
  for (guint i = 0; i < sim->faults->len; i++) {
    struct fault *f = g_ptr_array_index(sim->faults, i);
    sched_cancel(&sim->sched, &f->ev);
    g_free(f);
  }
  g_ptr_array_set_size(sim->faults, 0);
}
