/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-flow statistics.  Delays are kept per packet so that percentiles
 * are exact, not estimated. */
#include "sim/results/flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/route.h"
#include "sim/net/tcp.h"
#include "sim/results/handoff.h"

static void flows_free(struct sim *sim) {
  for (guint i = 0; i < sim->flows->len; i++)
    flow_free(g_ptr_array_index(sim->flows, i));
}

static const struct sim_subsystem flows = {
    .name = "flows", .finish = flow_count_in_flight, .free = flows_free};

struct flow *flow_new(struct sim *sim, const char *name, const char *kind,
                      const char *delay_kind, const struct ip_addr *src,
                      const struct ip_addr *dst, uint8_t ttl0) {
  sim_use(sim, &flows);
  /* What a handoff costs is measured on flows, from their start. */
  handoff_meter_use(sim);
  struct flow *f = g_new0(struct flow, 1);
  f->sim = sim;
  f->id = sim->flows->len + 1;
  f->completed = -1;
  f->bins = g_array_new(FALSE, TRUE, sizeof(struct flow_bin));
  f->name = g_strdup(name);
  f->kind = kind;
  f->delay_kind = delay_kind;
  f->src = *src;
  f->dst = *dst;
  f->ttl0 = ttl0;
  f->seen = g_byte_array_new();
  f->delays = g_array_new(FALSE, FALSE, sizeof(int64_t));
  g_ptr_array_add(sim->flows, f);
  return f;
}

void flow_free(struct flow *f) {
  g_byte_array_free(f->seen, TRUE);
  if (f->in_flight_seqs)
    g_hash_table_destroy(f->in_flight_seqs);
  g_array_free(f->delays, TRUE);
  g_array_free(f->bins, TRUE);
  g_free(f->name);
  g_free(f);
}

void flow_sent(struct flow *f, uint32_t bytes) {
  f->sent++;
  f->sent_bytes += bytes;
}

bool flow_seen(const struct flow *f, uint32_t seq) {
  return seq / 8 < f->seen->len && (f->seen->data[seq / 8] >> (seq % 8)) & 1;
}

struct flow_bin *flow_bin_at(struct flow *f, int64_t t) {
  if (f->sim->bin_width == 0)
    return NULL;
  guint index = (guint)(t / f->sim->bin_width);
  if (index >= f->bins->len) {
    guint old = f->bins->len;
    g_array_set_size(f->bins, index + 1);
    /* A window carries over bins without changes. */
    int64_t cwnd =
        old ? g_array_index(f->bins, struct flow_bin, old - 1).cwnd : -1;
    for (guint i = old; i <= index; i++)
      g_array_index(f->bins, struct flow_bin, i).cwnd = cwnd;
  }
  return &g_array_index(f->bins, struct flow_bin, index);
}

static void count_rx(struct flow *f, uint64_t bytes) {
  struct flow_bin *b = flow_bin_at(f, sim_now(f->sim));
  if (b) {
    b->rx_bytes += bytes;
    b->rx_pkts++;
  }
}

void flow_delivered_bytes(struct flow *f, uint64_t bytes) {
  count_rx(f, bytes);
  f->received++;
  f->received_bytes += bytes;
}

void flow_retransmitted(struct flow *f) {
  f->retransmits++;
  struct flow_bin *b = flow_bin_at(f, sim_now(f->sim));
  if (b)
    b->retransmits++;
}

void flow_set_cwnd(struct flow *f, int64_t cwnd) {
  struct flow_bin *b = flow_bin_at(f, sim_now(f->sim));
  if (b)
    b->cwnd = cwnd;
}

static void tcp_sent(void *f, uint32_t bytes) {
  flow_sent(f, bytes);
}

static void tcp_cwnd(void *f, uint32_t cwnd) {
  flow_set_cwnd(f, cwnd);
}

static void tcp_retransmitted(void *f) {
  flow_retransmitted(f);
}

static void tcp_timeout(void *ctx) {
  struct flow *f = ctx;
  f->timeouts++;
}

/* By what: none, FLOW_TCP_SENT, FLOW_TCP_CWND, both. */
static const struct tcp_report tcp_reports[4] = {
    {.retransmitted = tcp_retransmitted, .timeout = tcp_timeout},
    {.sent = tcp_sent,
     .retransmitted = tcp_retransmitted,
     .timeout = tcp_timeout},
    {.cwnd = tcp_cwnd,
     .retransmitted = tcp_retransmitted,
     .timeout = tcp_timeout},
    {.sent = tcp_sent,
     .cwnd = tcp_cwnd,
     .retransmitted = tcp_retransmitted,
     .timeout = tcp_timeout},
};

void flow_follow_tcp(struct flow *f, struct tcp_conn *c, unsigned what) {
  g_return_if_fail(what < G_N_ELEMENTS(tcp_reports));
  tcp_set_report(c, &tcp_reports[what], f);
}

void flow_received(struct flow *f, uint32_t seq, uint32_t bytes, int64_t delay,
                   uint8_t ttl) {
  f->rx_counted = false;
  if (flow_seen(f, seq)) {
    f->duplicates++;
    return;
  }
  f->rx_counted = true;
  if (seq / 8 >= f->seen->len) {
    guint old = f->seen->len;
    g_byte_array_set_size(f->seen, seq / 8 + 1 + old);
    memset(f->seen->data + old, 0, f->seen->len - old);
  }
  f->seen->data[seq / 8] |= (uint8_t)(1u << (seq % 8));
  if (f->any_received && seq < f->max_seq)
    f->reordered++;
  if (!f->any_received || seq > f->max_seq)
    f->max_seq = seq;
  f->any_received = TRUE;
  f->received++;
  f->received_bytes += bytes;
  count_rx(f, bytes);
  g_array_append_val(f->delays, delay);
  f->hops_sum += f->ttl0 >= ttl ? (uint64_t)(f->ttl0 - ttl) : 0;
}

void flow_deliver(struct flow *f, struct node *node, const struct pkt *pkt,
                  uint32_t seq, uint32_t bytes, int64_t delay, uint8_t ttl) {
  for (struct observer *o = f->sim->observers; o; o = o->next)
    if (o->on_delivery)
      o->on_delivery(o->ctx, node, f, pkt, seq);
  flow_received(f, seq, bytes, delay, ttl);
}

void flow_path(struct flow *f, const struct pkt_meta *meta, struct node *from,
               struct node *to) {
  if (!f->rx_counted)
    return;
  f->rx_counted = false;
  int64_t prop;
  uint32_t hops;
  if (!route_shortest(f->sim, from, to, &prop, &hops))
    return;
  f->path_pkts++;
  f->path_hops_sum += meta->hops;
  f->path_prop_sum += meta->prop;
  f->shortest_hops_sum += hops;
  f->shortest_prop_sum += prop;
}

void flow_count_in_flight(struct sim *sim) {
  /* A packet of a flow still alive (queued, on a wire, waiting for ARP or
   * reassembly) is neither received nor lost; fragments and copies of one
   * datagram count once. */
  for (struct pkt *p = sim->pool.live; p; p = p->live_next) {
    uint32_t id = p->meta.flow;
    if (id == 0 || id > sim->flows->len)
      continue;
    struct flow *f = g_ptr_array_index(sim->flows, id - 1);
    if (flow_seen(f, p->meta.seq))
      continue;
    if (!f->in_flight_seqs)
      f->in_flight_seqs = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (g_hash_table_add(f->in_flight_seqs, GUINT_TO_POINTER(p->meta.seq)))
      f->in_flight++;
  }
}

bool flow_in_flight(const struct flow *f, uint32_t seq) {
  return f->in_flight_seqs &&
         g_hash_table_contains(f->in_flight_seqs, GUINT_TO_POINTER(seq));
}

uint64_t flow_lost(const struct flow *f) {
  /* TCP recovers its losses; they show as retransmissions. */
  if (f->is_tcp)
    return 0;
  uint64_t accounted = f->received + f->in_flight;
  return f->sent > accounted ? f->sent - accounted : 0;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int64_t flow_delay_percentile(const struct flow *f, double q) {
  guint n = f->delays->len;
  if (n == 0)
    return 0;
  int64_t *sorted = g_memdup2(f->delays->data, n * sizeof(int64_t));
  qsort(sorted, n, sizeof(int64_t), cmp_i64);
  /* Nearest rank: the smallest value with at least q of the data at or
   * below it. */
  guint rank = (guint)(q * n + 0.999999999);
  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  int64_t v = sorted[rank - 1];
  g_free(sorted);
  return v;
}

double flow_delay_mean(const struct flow *f) {
  if (f->delays->len == 0)
    return 0;
  long double sum = 0;
  for (guint i = 0; i < f->delays->len; i++)
    sum += g_array_index(f->delays, int64_t, i);
  return (double)(sum / f->delays->len);
}

static double path_mean(const struct flow *f, double sum) {
  return f->path_pkts ? sum / (double)f->path_pkts : NAN;
}

double flow_path_hops_mean(const struct flow *f) {
  return path_mean(f, (double)f->path_hops_sum);
}

double flow_shortest_hops_mean(const struct flow *f) {
  return path_mean(f, (double)f->shortest_hops_sum);
}

double flow_path_prop_mean(const struct flow *f) {
  return path_mean(f, (double)f->path_prop_sum);
}

double flow_shortest_prop_mean(const struct flow *f) {
  return path_mean(f, (double)f->shortest_prop_sum);
}

/* The ratio of the means is the ratio of the sums. */
static double ratio(const struct flow *f, double path, double shortest) {
  return f->path_pkts && shortest > 0 ? path / shortest : NAN;
}

double flow_stretch_hops(const struct flow *f) {
  return ratio(f, (double)f->path_hops_sum, (double)f->shortest_hops_sum);
}

double flow_stretch_delay(const struct flow *f) {
  return ratio(f, (double)f->path_prop_sum, (double)f->shortest_prop_sum);
}
