/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 fragmentation (RFC 791) and reassembly at the destination. */
#ifndef MIPSIM_FRAG_H
#define MIPSIM_FRAG_H

#include <stdint.h>

#include "sim/core/sched.h"

struct node;
struct pkt;

/* RFC 1122 suggests 60 to 120 s; Linux uses 30 s (ipfrag_time). */
#define FRAG_REASSEMBLY_TIMEOUT (30 * SIM_S)

typedef void (*frag_out_fn)(void *ctx, struct pkt *fragment);

/* Splits pkt (data at an IPv4 header without DF, longer than mtu) into
 * fragments of at most mtu bytes, each given to out.  Consumes pkt. */
void frag_fragment(struct node *node, struct pkt *pkt, uint32_t mtu,
                   frag_out_fn out, void *ctx);

/* Takes a fragment addressed to node; returns the whole datagram once the
 * last missing piece arrived, else NULL.  Consumes pkt. */
struct pkt *frag_reassemble(struct node *node, struct pkt *pkt);

#endif
