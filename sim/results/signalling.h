/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Counts of the control messages protocol modules send, by node and
 * message name, for signalling.tsv: the cost of a protocol next to its
 * benefit. */
#ifndef MIPSIM_SIGNALLING_H
#define MIPSIM_SIGNALLING_H

#include <stdint.h>

struct node;
struct sim;

/* node sent one message called name (e.g. "registration_request") of
 * bytes bytes at the IP layer. */
void signalling_count(struct node *node, const char *name, uint32_t bytes);

/* The table, or NULL when no control message was sent. */
char *signalling_table(const struct sim *sim);

#endif
