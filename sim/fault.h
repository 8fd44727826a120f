/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fault injection: links and nodes that go down and come back up at given
 * times. */
#ifndef MIPSIM_FAULT_H
#define MIPSIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct sim;
struct link;
struct node;

void fault_link_at(struct sim *sim, struct link *link, int64_t at, bool up);
void fault_node_at(struct sim *sim, struct node *node, int64_t at, bool up);
/* Arms the scheduled faults (called when the run starts). */
void fault_start(struct sim *sim);
void fault_free_all(struct sim *sim);

#endif
