/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links.  A frame is given its transmission slot when it is queued: its
 * start is when the sender's channel (its own direction, or the shared
 * medium of a kind that has one) falls free, and its arrival at the far
 * end is start + size/bandwidth + delay.  So a frame costs one event per
 * hop, its delivery, and the drop-tail queue is the ring of start times
 * not yet reached.  Where the frame goes from there is the kind's
 * business (ops->deliver); point-to-point links are implemented here. */
#include "sim/net/link.h"

#include <glib.h>
#include <pcap/dlt.h>
#include <string.h>

#include "sim/core/fault.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/net/iface.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/net/route.h"

static void links_free(struct sim *sim) {
  for (guint i = 0; i < sim->links->len; i++)
    link_free(g_ptr_array_index(sim->links, i));
}

static void links_count_drop(G_GNUC_UNUSED struct node *node, struct link *link,
                             uint32_t reason) {
  if (link)
    drop_counters_add(&link->cnt.drops, reason);
}

static const struct sim_subsystem links = {
    .name = "links", .free = links_free, .count_drop = links_count_drop};

struct link *link_new(struct sim *sim, const char *name,
                      const struct link_ops *ops, uint64_t bps, int64_t delay) {
  sim_use(sim, &links);
  struct link *link = g_new0(struct link, 1);
  link->sim = sim;
  link->name = g_strdup(name);
  link->id = sim->links->len;
  link->ops = ops;
  link->bps = bps;
  link->delay = delay;
  link->mtu = LINK_DEFAULT_MTU;
  link->queue_limit = LINK_DEFAULT_QUEUE;
  link->up = true;
  g_ptr_array_add(sim->links, link);
  return link;
}

void link_free(struct link *link) {
  if (link->ops->free)
    link->ops->free(link);
  drop_counters_free(&link->cnt.drops);
  g_free(link->ends);
  g_free(link->name);
  g_free(link);
}

void link_attach(struct link *link, struct iface *iface) {
  g_return_if_fail(!link->ops->max_ends || link->n_ends < link->ops->max_ends);
  iface->link = link;
  iface->link_index = link->n_ends;
  link->ends = g_renew(struct iface *, link->ends, link->n_ends + 1);
  link->ends[link->n_ends++] = iface;
  if (link->ops->attach)
    link->ops->attach(link, iface);
  route_topology_changed(iface);
}

static void txq_flush(struct txq *q) {
  q->head = 0;
  q->count = 0;
}

void link_detach(struct link *link, struct iface *iface) {
  uint32_t i = iface->link_index;
  g_return_if_fail(i < link->n_ends && link->ends[i] == iface);
  if (link->ops->detach)
    link->ops->detach(link, iface);
  memmove(link->ends + i, link->ends + i + 1,
          (link->n_ends - i - 1) * sizeof *link->ends);
  link->n_ends--;
  for (; i < link->n_ends; i++)
    link->ends[i]->link_index = i;
  iface->link = NULL;
  route_topology_changed(iface);
  int64_t now = sim_now(link->sim);
  if (iface->tx_busy_until > now)
    iface->tx_busy_until = now;
  txq_flush(&iface->txq);
}

void link_set_loss(struct link *link, link_loss_fn fn, void *ctx) {
  link->loss_fn = fn;
  link->loss_ctx = ctx;
}

void link_set_up(struct link *link, bool up) {
  if (link->up == up)
    return;
  link->up = up;
  if (up)
    return;
  /* Frames queued or on the wire are lost; they are dropped as their
   * deliveries come due, recognised by the old epoch. */
  link->epoch++;
  int64_t now = sim_now(link->sim);
  /* Transmissions booked beyond now never happen: take them out of the
   * busy time. */
  if (link->channel_busy_until > now)
    link->cnt.busy_ns -= link->channel_busy_until - now;
  link->channel_busy_until = now;
  for (uint32_t i = 0; i < link->n_ends; i++) {
    struct iface *end = link->ends[i];
    if (end->tx_busy_until > now)
      link->cnt.busy_ns -= end->tx_busy_until - now;
    end->tx_busy_until = now;
    txq_flush(&end->txq);
  }
}

static void switch_link(void *link, bool up) {
  link_set_up(link, up);
}

void link_fault_at(struct link *link, int64_t at, bool up) {
  fault_at(link->sim, at, switch_link, link, up);
}

struct link *link_find(const struct sim *sim, const char *name) {
  for (guint i = 0; i < sim->links->len; i++) {
    struct link *l = g_ptr_array_index(sim->links, i);
    if (strcmp(l->name, name) == 0)
      return l;
  }
  return NULL;
}

/* Forget the queued frames whose transmission has started by now. */
static void txq_advance(struct txq *q, int64_t now) {
  while (q->count > 0 && q->start[q->head] <= now) {
    q->head = (q->head + 1) % q->cap;
    q->count--;
  }
}

static void txq_push(struct txq *q, int64_t start, uint32_t limit) {
  if (q->count == q->cap) {
    uint32_t cap = q->cap ? q->cap * 2 : 8;
    if (cap > limit)
      cap = limit;
    int64_t *ring = g_new(int64_t, cap);
    for (uint32_t i = 0; i < q->count; i++)
      ring[i] = q->start[(q->head + i) % q->cap];
    g_free(q->start);
    q->start = ring;
    q->cap = cap;
    q->head = 0;
  }
  q->start[(q->head + q->count) % q->cap] = start;
  q->count++;
}

static void deliver(struct sched_event *ev);

void link_send(struct iface *from, struct pkt *pkt) {
  struct link *link = from->link;
  if (!link) { /* a radio between cells */
    struct node *node = from->node;
    sim_drop(node->sim, node, NULL, pkt, DROP_HANDOFF);
    return;
  }
  struct sim *sim = link->sim;
  if (!link->up || !from->up) {
    sim_drop(sim, NULL, link, pkt, DROP_LINK_DOWN);
    return;
  }
  int64_t now = sim_now(sim);
  int64_t *busy = link->ops->shared_medium ? &link->channel_busy_until
                                           : &from->tx_busy_until;
  int64_t start = *busy > now ? *busy : now;
  if (start > now) {
    txq_advance(&from->txq, now);
    if (from->txq.count >= link->queue_limit) {
      sim_drop(sim, NULL, link, pkt, DROP_QUEUE_FULL);
      return;
    }
    txq_push(&from->txq, start, link->queue_limit);
  }
  int64_t tx = units_tx_time(pkt->len, link->bps);
  *busy = start + tx;
  link->cnt.tx_packets++;
  link->cnt.tx_bytes += pkt->len;
  link->cnt.busy_ns += tx;
  pkt->tx_iface = from;
  pkt->tx_link = link;
  pkt->link_epoch = link->epoch;
  if (link->loss_fn)
    pkt->lost = link->loss_fn(link->loss_ctx, link, from, pkt);
  else /* most links have no loss model: spare them the call */
    pkt->lost = link->loss.kind != LOSS_NONE && loss_draw(&link->loss);
  sched_event_init(&pkt->ev, deliver);
  sched_at(&sim->sched, &pkt->ev, start + tx + link->delay);
}

void link_receive(struct link *link, struct iface *to, struct pkt *pkt) {
  if (!to->up) {
    sim_drop(link->sim, NULL, link, pkt, DROP_LINK_DOWN);
    return;
  }
  link->cnt.rx_packets++;
  link->cnt.rx_bytes += pkt->len;
  /* The path the packet has taken: this link is crossed. */
  pkt->meta.hops++;
  pkt->meta.prop += link->delay;
  iface_receive(to, pkt);
}

static void deliver(struct sched_event *ev) {
  struct pkt *pkt = SIM_CONTAINER_OF(ev, struct pkt, ev);
  struct iface *from = pkt->tx_iface;
  struct link *link = pkt->tx_link;
  struct sim *sim = link->sim;
  pkt->tx_iface = NULL;
  pkt->tx_link = NULL;
  if (pkt->link_epoch != link->epoch || !link->up) {
    sim_drop(sim, NULL, link, pkt, DROP_LINK_DOWN);
    return;
  }
  if (from->link != link) { /* the sender left the cell meanwhile */
    sim_drop(sim, NULL, link, pkt, DROP_HANDOFF);
    return;
  }
  if (link->traced)
    for (struct observer *o = sim->observers; o; o = o->next)
      if (o->on_wire)
        o->on_wire(o->ctx, link, pkt);
  if (pkt->lost) {
    sim_drop(sim, NULL, link, pkt, DROP_LOSS);
    return;
  }
  link->ops->deliver(link, from, pkt);
}

void link_output(struct iface *oif, struct pkt *pkt, const struct ip_addr *gw) {
  oif->link->ops->output(oif, pkt, gw);
}

/* ---- point-to-point links ---------------------------------------------- */

static void p2p_output(struct iface *oif, struct pkt *pkt,
                       const struct ip_addr *gw) {
  (void)gw; /* the far end is the only next hop */
  link_send(oif, pkt);
}

static void p2p_deliver(struct link *link, struct iface *from,
                        struct pkt *pkt) {
  if (link->n_ends < 2) {
    sim_drop(link->sim, NULL, link, pkt, DROP_LINK_DOWN);
    return;
  }
  link_receive(link, link->ends[link->ends[0] == from ? 1 : 0], pkt);
}

const struct link_ops link_p2p_ops = {
    .name = "p2p",
    .framing = LINK_FRAMING_RAW_IP,
    .pcap_dlt = DLT_RAW,
    .max_ends = 2,
    .shared_medium = false,
    .output = p2p_output,
    .input = ip_input,
    .deliver = p2p_deliver,
};
