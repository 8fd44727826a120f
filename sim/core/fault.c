/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scheduled failures and recoveries. */
#include "sim/core/fault.h"

#include <glib.h>

#include "sim/core/sim.h"

struct fault {
  struct sched_event ev;
  fault_switch_fn fn;
  void *target;
  int64_t at;
  bool up;
};

static void fault_fire(struct sched_event *ev) {
  struct fault *f = SIM_CONTAINER_OF(ev, struct fault, ev);
  f->fn(f->target, f->up);
}

void fault_at(struct sim *sim, int64_t at, fault_switch_fn fn, void *target,
              bool up) {
  struct fault *f = g_new0(struct fault, 1);
  sched_event_init(&f->ev, fault_fire);
  f->fn = fn;
  f->target = target;
  f->at = at;
  f->up = up;
  g_ptr_array_add(sim->faults, f);
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
