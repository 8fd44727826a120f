/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links: point-to-point (raw IP frames) and shared LANs (Ethernet frames),
 * each with bandwidth, propagation delay, MTU, drop-tail queues and an
 * optional loss model. */
#ifndef MIPSIM_LINK_H
#define MIPSIM_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "drop.h"
#include "loss.h"

struct sim;
struct iface;
struct pkt;
struct cell;

enum link_kind { LINK_P2P, LINK_LAN };

struct link_counters {
  uint64_t tx_packets, tx_bytes;  /* frames accepted for transmission */
  uint64_t rx_packets, rx_bytes;  /* frames delivered to a receiver */
  int64_t busy_ns;                /* time spent transmitting */
  uint64_t drops[DROP_KERNEL_COUNT];
  GArray *registered_drops; /* modules' reasons (drop.h); NULL: none */
};

struct link {
  struct sim *sim;
  char *name;
  uint32_t id;
  enum link_kind kind;
  uint64_t bps;
  int64_t delay;
  uint32_t mtu;          /* largest IP packet, without link framing */
  uint32_t queue_limit;  /* frames waiting per sending interface */
  struct loss_model loss;
  bool up;
  /* Bumped whenever the link goes down, so that frames that were in flight
   * at that moment are recognised and dropped when they would arrive. */
  uint32_t epoch;
  struct iface **ends;
  uint32_t n_ends;
  int64_t channel_busy_until; /* LAN: the shared medium */
  bool traced;                /* report frames to observers' on_wire */
  struct cell *cell;          /* a wireless channel: its cell */
  struct link_counters cnt;
};

#define LINK_DEFAULT_MTU 1500
#define LINK_DEFAULT_QUEUE 100

/* Owned by sim.  A point-to-point link takes exactly two interfaces. */
struct link *link_new(struct sim *sim, const char *name, enum link_kind kind,
                      uint64_t bps, int64_t delay);
void link_free(struct link *link);
void link_attach(struct link *link, struct iface *iface);
/* A radio leaving its cell: its queued frames are forgotten. */
void link_detach(struct link *link, struct iface *iface);
void link_set_up(struct link *link, bool up);

/* Queue a frame for transmission from iface (pkt->data at the frame: the
 * IP header on a point-to-point link, the Ethernet header on a LAN).
 * Consumes pkt; a frame that cannot be queued is dropped and counted. */
void link_send(struct iface *from, struct pkt *pkt);

/* Bytes of link framing in front of the IP packet. */
static inline uint32_t link_header_len(const struct link *link) {
  return link->kind == LINK_LAN ? 14 : 0;
}

#endif
