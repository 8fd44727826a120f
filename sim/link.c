/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links.  A frame is given its transmission slot when it is queued: its
 * start is when the sender's channel (point-to-point: its own direction;
 * LAN: the shared medium) falls free, and its arrival at the far end is
 * start + size/bandwidth + delay.  So a frame costs one event per hop, its
 * delivery, and the drop-tail queue is the ring of start times not yet
 * reached. */
#include "link.h"

#include <glib.h>
#include <string.h>

#include "cell.h"
#include "iface.h"
#include "mobility.h"
#include "node.h"
#include "pkt.h"
#include "route.h"
#include "sim.h"
#include "units.h"

struct link *link_new(struct sim *sim, const char *name, enum link_kind kind,
                      uint64_t bps, int64_t delay) {
  struct link *link = g_new0(struct link, 1);
  link->sim = sim;
  link->name = g_strdup(name);
  link->id = sim->links->len;
  link->kind = kind;
  link->bps = bps;
  link->delay = delay;
  link->mtu = LINK_DEFAULT_MTU;
  link->queue_limit = LINK_DEFAULT_QUEUE;
  link->up = true;
  g_ptr_array_add(sim->links, link);
  return link;
}

void link_free(struct link *link) {
  if (link->cnt.registered_drops)
    g_array_free(link->cnt.registered_drops, TRUE);
  g_free(link->ends);
  g_free(link->name);
  g_free(link);
}

void link_attach(struct link *link, struct iface *iface) {
  g_return_if_fail(link->kind != LINK_P2P || link->n_ends < 2);
  iface->link = link;
  iface->link_index = link->n_ends;
  link->ends = g_renew(struct iface *, link->ends, link->n_ends + 1);
  link->ends[link->n_ends++] = iface;
  route_topology_changed(iface);
}

static void txq_flush(struct txq *q) {
  q->head = 0;
  q->count = 0;
}

/* The interface a unicast MAC belongs to, wherever it is, from the MAC
 * that iface_new derived from the interface id. */
static struct iface *lan_station_any(struct sim *sim, const uint8_t *mac) {
  if (mac[0] != 0x02 || mac[1] != 0)
    return NULL;
  uint32_t id = (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 |
                (uint32_t)mac[4] << 8 | mac[5];
  return id < sim->ifaces->len ? g_ptr_array_index(sim->ifaces, id) : NULL;
}

void link_detach(struct link *link, struct iface *iface) {
  uint32_t i = iface->link_index;
  g_return_if_fail(i < link->n_ends && link->ends[i] == iface);
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

/* The mobile end of a frame on a cell, for distance-dependent loss: the
 * sender if it is a radio, else the unicast receiver if it is. */
static double mobile_distance(struct link *link, struct iface *from,
                              const struct pkt *pkt) {
  struct iface *mobile = from->radio ? from : NULL;
  if (!mobile && pkt->len >= 6 && !(pkt->data[0] & 1)) {
    struct iface *to = lan_station_any(link->sim, pkt->data);
    if (to && to->radio && to->link == link)
      mobile = to;
  }
  struct node *n = mobile ? mobile->node : NULL;
  if (!n || !n->mobility)
    return 0;
  return cell_distance(link->cell,
                       mobility_position(n->mobility, sim_now(link->sim)));
}

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
  int64_t *busy = link->kind == LINK_LAN ? &link->channel_busy_until
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
  if (link->cell)
    pkt->lost = cell_frame_lost(link->cell, mobile_distance(link, from, pkt));
  else /* most links have no loss model: spare them the call */
    pkt->lost = link->loss.kind != LOSS_NONE && loss_draw(&link->loss);
  sched_event_init(&pkt->ev, deliver);
  sched_at(&sim->sched, &pkt->ev, start + tx + link->delay);
}

static inline void receive(struct link *link, struct iface *to,
                           struct pkt *pkt) {
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

/* Where a unicast frame on a LAN goes: its station if it is on the link,
 * else the bridge port that leads to it.  NULL and a reason otherwise. */
static struct iface *lan_resolve(struct link *link, struct iface *from,
                                 const uint8_t *mac, enum drop_reason *why) {
  struct iface *to = lan_station_any(link->sim, mac);
  if (to && to->link == link)
    return to;
  /* Look for the bridge among the far link's ends: a cell has a handful
   * of stations, a LAN may have hundreds of bridged cells. */
  for (uint32_t i = 0; to && to->link && i < to->link->n_ends; i++) {
    struct iface *port = to->link->ends[i]->bridge_peer;
    if (port && port != from && port->link == link)
      return port;
  }
  *why = to && to->radio ? DROP_HANDOFF : DROP_NEIGH_UNRESOLVED;
  return NULL;
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
  if (link->kind == LINK_P2P) {
    if (link->n_ends < 2) {
      sim_drop(sim, NULL, link, pkt, DROP_LINK_DOWN);
      return;
    }
    receive(link, link->ends[link->ends[0] == from ? 1 : 0], pkt);
    return;
  }
  if (pkt->len < 6) {
    sim_drop(sim, NULL, link, pkt, DROP_MALFORMED);
    return;
  }
  if (pkt->data[0] & 1) { /* broadcast or multicast: every other station */
    for (uint32_t i = 0; i < link->n_ends; i++)
      if (link->ends[i] != from)
        receive(link, link->ends[i], pkt_clone(pkt));
    pkt_free(pkt);
    return;
  }
  enum drop_reason why;
  struct iface *to = lan_resolve(link, from, pkt->data, &why);
  if (!to) {
    sim_drop(sim, NULL, link, pkt, why);
    return;
  }
  receive(link, to, pkt);
}
