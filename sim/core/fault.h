/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fault injection: things (links, nodes) that go down and come back up at
 * given times. */
#ifndef MIPSIM_FAULT_H
#define MIPSIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct sim;

/* Switches target down or up.  What a fault switches provides it, so the
 * run's faults know nothing of links and nodes. */
typedef void (*fault_switch_fn)(void *target, bool up);

/* At time at, fn(target, up). */
void fault_at(struct sim *sim, int64_t at, fault_switch_fn fn, void *target,
              bool up);
/* Arms the scheduled faults (called when the run starts). */
void fault_start(struct sim *sim);
void fault_free_all(struct sim *sim);

#endif
