/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-flow statistics: what a source sent and what its sink received,
 * with delay, loss, duplicates, reordering and hop counts. */
#ifndef MIPSIM_FLOW_H
#define MIPSIM_FLOW_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/net/addr.h"

struct sim;
struct node;
struct pkt;
struct pkt_meta;
struct tcp_conn;

/* One bin of a flow's time series. */
struct flow_bin {
  uint64_t rx_bytes;    /* application bytes received */
  uint32_t rx_pkts;     /* application packets received */
  uint32_t retransmits; /* TCP segments sent again */
  int64_t cwnd;         /* TCP congestion window at the bin's end,
                         * bytes; -1 when the flow has none */
};

struct flow {
  struct sim *sim;
  uint32_t id; /* 1-based, carried in packet metadata */
  char *name;
  const char *kind; /* "udp-cbr", "icmp-echo" */
  /* "one-way" for UDP flows, "round-trip" for echo */
  const char *delay_kind;
  struct ip_addr src, dst;
  uint8_t ttl0; /* TTL the source sends with, for hop counts */
  uint64_t sent, sent_bytes;
  uint64_t received, received_bytes; /* unique packets */
  uint64_t duplicates, reordered;
  uint64_t icmp_errors;       /* errors received about the flow */
  uint64_t in_flight;         /* set at the end of the run */
  GHashTable *in_flight_seqs; /* their sequence numbers; NULL: none */
  uint32_t max_seq;
  gboolean any_received;
  GByteArray *seen; /* bitmap by sequence number */
  GArray *delays;   /* int64_t ns, unique packets in arrival order */
  uint64_t hops_sum;
  /* Path stretch (flow_path): over the path_pkts unique packets for which
   * both paths are known, the links crossed and the propagation delay of
   * the path taken and of the shortest path at each packet's arrival. */
  bool rx_counted; /* the last flow_received counted a unique packet */
  uint64_t path_pkts;
  uint64_t path_hops_sum, shortest_hops_sum;
  int64_t path_prop_sum, shortest_prop_sum; /* ns */
  /* TCP flows: segments retransmitted, retransmission timeouts, and when
   * the transfer completed (-1: not completed). */
  bool is_tcp;
  uint64_t retransmits, timeouts;
  int64_t completed;
  int64_t started;
  GArray *bins; /* struct flow_bin, one per sim->bin_width, if any */
};

/* Registered in sim->flows, which owns it. */
struct flow *flow_new(struct sim *sim, const char *name, const char *kind,
                      const char *delay_kind, const struct ip_addr *src,
                      const struct ip_addr *dst, uint8_t ttl0);
void flow_free(struct flow *f);
void flow_sent(struct flow *f, uint32_t bytes);
/* A packet of the flow arrived: hops from its remaining TTL. */
void flow_received(struct flow *f, uint32_t seq, uint32_t bytes, int64_t delay,
                   uint8_t ttl);
/* A packet of the flow, sequence number seq, handed to its application at
 * node: tells the observers (the handoff meter among them) of the
 * delivery, then counts it as flow_received does.  Sinks of packet flows
 * call this rather than flow_received. */
void flow_deliver(struct flow *f, struct node *node, const struct pkt *pkt,
                  uint32_t seq, uint32_t bytes, int64_t delay, uint8_t ttl);
/* Whether a packet with sequence number seq has been received. */
bool flow_seen(const struct flow *f, uint32_t seq);
/* Whether it was still alive (neither received nor lost) when the run
 * ended; known once the run has ended. */
bool flow_in_flight(const struct flow *f, uint32_t seq);
/* Called by a sink right after flow_received for the same packet: if that
 * counted it (not a duplicate), adds the path the packet took (meta's hops
 * and propagation) and the shortest path between from, the node the flow
 * starts at, and to, the node receiving, as the topology is now
 * (route_shortest: one cache lookup).  A packet is left out when the two
 * are not connected now (a mobile source between cells).  UDP flows call
 * it; echo and TCP flows do not: a round trip has no single destination,
 * and TCP delivers a byte stream, not the packets that carried it. */
void flow_path(struct flow *f, const struct pkt_meta *meta, struct node *from,
               struct node *to);
/* Application bytes that arrived in order (TCP), for the time series and
 * the received counters; no per-packet delay. */
void flow_delivered_bytes(struct flow *f, uint64_t bytes);
/* TCP: a segment was sent again; the congestion window changed. */
void flow_retransmitted(struct flow *f);
void flow_set_cwnd(struct flow *f, int64_t cwnd);
/* f counts what connection c reports (tcp_set_report): retransmissions
 * and timeouts, and, as what asks, new data (FLOW_TCP_SENT) and
 * congestion window changes (FLOW_TCP_CWND).  f outlives c. */
enum {
  FLOW_TCP_SENT = 1,
  FLOW_TCP_CWND = 2,
};
void flow_follow_tcp(struct flow *f, struct tcp_conn *c, unsigned what);
/* The bin holding time t, created (zeroed) if needed; NULL when the run
 * records no time series (sim->bin_width 0). */
struct flow_bin *flow_bin_at(struct flow *f, int64_t t);

/* Count the flow's packets still alive (queued, in flight) at the end. */
void flow_count_in_flight(struct sim *sim);

uint64_t flow_lost(const struct flow *f);
/* q in [0,1]: nearest-rank percentile of the delays, in ns; 0 if none. */
int64_t flow_delay_percentile(const struct flow *f, double q);
double flow_delay_mean(const struct flow *f);
/* Means over the path_pkts packets (NAN if none): links crossed and
 * propagation delay (ns) of the path taken and of the shortest path; the
 * stretches are the ratios path mean / shortest mean (NAN if none or if
 * the shortest mean is 0: a flow to its own node). */
double flow_path_hops_mean(const struct flow *f);
double flow_shortest_hops_mean(const struct flow *f);
double flow_path_prop_mean(const struct flow *f);
double flow_shortest_prop_mean(const struct flow *f);
double flow_stretch_hops(const struct flow *f);
double flow_stretch_delay(const struct flow *f);

#endif
