/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links: the generic transmission machinery (bandwidth, propagation delay,
 * MTU, drop-tail queues, loss, up/down) behind which each kind of link
 * (point-to-point, LAN, wireless cell, ...) implements its operations. */
#ifndef MIPSIM_LINK_H
#define MIPSIM_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/drop.h"
#include "sim/net/addr.h"
#include "sim/net/loss.h"

struct sim;
struct iface;
struct pkt;
struct link;

/* How IP packets are framed on a link: decides whether neighbours are
 * resolved (ARP) and what a pcap trace of it holds. */
enum link_framing { LINK_FRAMING_RAW_IP, LINK_FRAMING_ETHERNET };

/* What a kind of link does.  One constant table per kind: a new kind is a
 * new table, never a new branch in the stack.  Every hook but the optional
 * ones (attach, detach, free) is set. */
struct link_ops {
  const char *name; /* links.tsv's kind column */
  enum link_framing framing;
  int pcap_dlt;      /* link-layer type of its pcap trace */
  uint32_t max_ends; /* interfaces it takes; 0: any number */
  /* One medium shared by all ends (a LAN), rather than a channel per
   * sending end (each direction of a point-to-point link). */
  bool shared_medium;
  /* Frames an IP packet (data at the IP header) for the next hop gw (family
   * 0: the packet's own destination) and passes it to link_send.
   * Consumes pkt. */
  void (*output)(struct iface *oif, struct pkt *pkt, const struct ip_addr *gw);
  /* A frame arrived on iface (data at the frame): up the stack.  Consumes
   * pkt. */
  void (*input)(struct iface *iface, struct pkt *pkt);
  /* A frame that from put on the link has crossed it, unharmed: hand it to
   * its receivers with link_receive, or drop it.  Consumes pkt. */
  void (*deliver)(struct link *link, struct iface *from, struct pkt *pkt);
  /* The interface joined (it is in link->ends already) or is leaving (it
   * still is). */
  void (*attach)(struct link *link, struct iface *iface);
  void (*detach)(struct link *link, struct iface *iface);
  /* Frees the kind's state, link->priv. */
  void (*free)(struct link *link);
};

/* Does the frame pkt that from sends get lost?  A loss provider draws from
 * its own stream; ctx is its state. */
typedef bool (*link_loss_fn)(void *ctx, struct link *link,
                             const struct iface *from, const struct pkt *pkt);

struct link_counters {
  uint64_t tx_packets, tx_bytes; /* frames accepted for transmission */
  uint64_t rx_packets, rx_bytes; /* frames delivered to a receiver */
  int64_t busy_ns;               /* time spent transmitting */
  struct drop_counters drops;
};

struct link {
  struct sim *sim;
  char *name;
  uint32_t id;
  const struct link_ops *ops;
  void *priv; /* the kind's state, owned by ops->free */
  uint64_t bps;
  int64_t delay;
  uint32_t mtu;         /* largest IP packet, without link framing */
  uint32_t queue_limit; /* frames waiting per sending interface */
  /* The link's own loss model, used unless a provider replaces it. */
  struct loss_model loss;
  link_loss_fn loss_fn; /* NULL: the link's own model */
  void *loss_ctx;
  bool up;
  /* Bumped whenever the link goes down, so that frames that were in flight
   * at that moment are recognised and dropped when they would arrive. */
  uint32_t epoch;
  struct iface **ends;
  uint32_t n_ends;
  int64_t channel_busy_until; /* a shared medium's */
  bool traced;                /* report frames to observers' on_wire */
  struct link_counters cnt;
};

#define LINK_DEFAULT_MTU 1500
#define LINK_DEFAULT_QUEUE 100

/* Raw IP frames between exactly two interfaces. */
extern const struct link_ops link_p2p_ops;

/* Owned by sim. */
struct link *link_new(struct sim *sim, const char *name,
                      const struct link_ops *ops, uint64_t bps, int64_t delay);
void link_free(struct link *link);
void link_attach(struct link *link, struct iface *iface);
/* A radio leaving its cell: its queued frames are forgotten. */
void link_detach(struct link *link, struct iface *iface);
void link_set_up(struct link *link, bool up);
/* The link goes down (up false) or comes back up at time at (fault.h). */
void link_fault_at(struct link *link, int64_t at, bool up);
/* The link called name, or NULL. */
struct link *link_find(const struct sim *sim, const char *name);
/* Replaces the link's own loss model by fn (NULL: back to the model). */
void link_set_loss(struct link *link, link_loss_fn fn, void *ctx);

/* Queue a frame for transmission from iface (pkt->data at the frame, as
 * framed by the kind's output).  Consumes pkt; a frame that cannot be
 * queued is dropped and counted. */
void link_send(struct iface *from, struct pkt *pkt);

/* For a kind's deliver: the frame reaches interface to (counted, and its
 * path extended by this link).  Consumes pkt. */
void link_receive(struct link *link, struct iface *to, struct pkt *pkt);

/* An IP packet leaves oif for next hop gw (family 0: its destination),
 * framed the way oif's link frames.  Consumes pkt. */
void link_output(struct iface *oif, struct pkt *pkt, const struct ip_addr *gw);

#endif
