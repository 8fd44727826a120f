/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UDP constant-bit-rate source and its sink.  The sequence number and send
 * time travel in the payload, as in real measurement tools, so the sink
 * could be a real host; the metadata carries them too, for the in-flight
 * count at the end of a run. */
#include "sim/apps/traffic.h"

#include <math.h>

#include "sim/core/app.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/inet.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"
#include "sim/results/flow.h"

/* The first argument is stringified into the domain's name, which
 * spaces would change. */
/* clang-format off */
G_DEFINE_QUARK(mipsim-traffic-error-quark, mipsim_traffic_error)
/* clang-format on */

struct cbr {
  struct app app;
  struct cbr_config cfg;
  struct sched_event tick;
  struct flow *flow;
  uint32_t next_seq;
  int64_t on_until; /* on/off: the current on period ends then */
  struct rng rng;
};

/* Periods are capped at a year: a heavy-tailed draw could otherwise
 * overflow the clock. */
#define PERIOD_MAX (365LL * 24 * 3600 * SIM_S)

static int64_t draw_period(struct cbr *c, int64_t mean) {
  double v = c->cfg.onoff == ONOFF_PARETO
                 ? rng_pareto(&c->rng, (double)mean, c->cfg.shape)
                 : rng_exponential(&c->rng, (double)mean);
  return v < (double)PERIOD_MAX ? (int64_t)llround(v) : PERIOD_MAX;
}

/* The time of the next packet after one at now: the next tick of the
 * current on period, or the start of the next on period. */
static int64_t next_send_time(struct cbr *c, int64_t now) {
  int64_t next = now + c->cfg.interval;
  if (c->cfg.onoff == ONOFF_NONE)
    return next;
  while (next >= c->on_until) {
    int64_t on_start = c->on_until + draw_period(c, c->cfg.off_mean);
    c->on_until = on_start + draw_period(c, c->cfg.on_mean);
    next = on_start;
  }
  return next;
}

static void cbr_send(struct sched_event *ev) {
  struct cbr *c = SIM_CONTAINER_OF(ev, struct cbr, tick);
  struct sim *sim = c->app.sim;
  int64_t now = sim_now(sim);
  struct pkt *p = pkt_new(&sim->pool, c->cfg.size);
  put_be32(p->data, c->next_seq);
  put_be64(p->data + 4, (uint64_t)now);
  put_be32(p->data + 12, c->flow->id);
  p->meta.flow = c->flow->id;
  p->meta.seq = c->next_seq;
  p->meta.created = now;
  c->next_seq++;
  flow_sent(c->flow, c->cfg.size);
  udp_send(c->cfg.from, p, &c->cfg.src, &c->cfg.dst, c->cfg.port, c->cfg.port,
           c->cfg.ttl);
  int64_t next = next_send_time(c, now);
  bool more = (c->cfg.count == 0 || c->next_seq < c->cfg.count) &&
              (c->cfg.stop == 0 || next < c->cfg.stop);
  if (more)
    sched_at(&sim->sched, ev, next);
}

static bool sink_rx(void *ctx, struct node *node, struct pkt *pkt,
                    const struct udp_rx *rx) {
  struct cbr *c = ctx;
  uint32_t seq, flow_id;
  uint64_t sent;
  if (get_be32(pkt->data, pkt->len, 0, &seq) &&
      get_be64(pkt->data, pkt->len, 4, &sent) &&
      get_be32(pkt->data, pkt->len, 12, &flow_id) && flow_id == c->flow->id) {
    flow_deliver(c->flow, node, pkt, seq, pkt->len,
                 sim_now(node->sim) - (int64_t)sent, rx->ttl);
    flow_path(c->flow, &pkt->meta, c->cfg.from, node);
  }
  pkt_free(pkt);
  return true;
}

/* An ICMP error quoting one of the source's datagrams (our port in the
 * quoted UDP header) counts against the flow. */
static bool on_icmp_error(void *ctx, struct node *node, struct pkt *pkt,
                          uint32_t off, struct iface *in) {
  struct cbr *c = ctx;
  uint32_t inner = off + ICMP_HLEN;
  uint8_t vhl, proto;
  uint16_t sport, dport;
  if (!get_u8(pkt->data, pkt->len, inner, &vhl))
    return false;
  bool v4 = (vhl >> 4) == 4;
  uint32_t ihl = v4 ? (vhl & 0x0f) * 4u : IP6_HLEN;
  if (!get_u8(pkt->data, pkt->len, inner + (v4 ? IP4_OFF_PROTO : IP6_OFF_NH),
              &proto) ||
      proto != IPPROTO_NUM_UDP ||
      !get_be16(pkt->data, pkt->len, inner + ihl, &sport) ||
      !get_be16(pkt->data, pkt->len, inner + ihl + 2, &dport) ||
      sport != c->cfg.port || dport != c->cfg.port)
    return false;
  c->flow->icmp_errors++;
  pkt_free(pkt);
  return true;
}

static void cbr_start(struct app *app) {
  struct cbr *c = (struct cbr *)app;
  if (c->cfg.onoff != ONOFF_NONE)
    c->on_until = c->cfg.start + draw_period(c, c->cfg.on_mean);
  if (c->cfg.count != 0 || c->cfg.stop == 0 || c->cfg.start < c->cfg.stop)
    sched_at(&app->sim->sched, &c->tick, c->cfg.start);
}

static void cbr_free(struct app *app) {
  struct cbr *c = (struct cbr *)app;
  sched_cancel(&app->sim->sched, &c->tick);
  g_free(app->name);
  g_free(c);
}

static const struct app_ops cbr_ops = {
    .kind = "udp-cbr",
    .start = cbr_start,
    .free = cbr_free,
};

gboolean cbr_new(struct sim *sim, const struct cbr_config *cfg,
                 GError **error) {
  if (cfg->size < CBR_HEADER_LEN || cfg->interval <= 0) {
    g_set_error(error, MIPSIM_TRAFFIC_ERROR, MIPSIM_TRAFFIC_ERROR_CONFIG,
                "size must be at least %d bytes and interval positive",
                CBR_HEADER_LEN);
    return FALSE;
  }
  struct cbr *c = g_new0(struct cbr, 1);
  c->app = (struct app){.ops = &cbr_ops,
                        .sim = sim,
                        .node = cfg->from,
                        .name = g_strdup(cfg->name)};
  c->cfg = *cfg;
  c->cfg.name = c->app.name;
  if (c->cfg.ttl == 0)
    c->cfg.ttl = 64;
  sched_event_init(&c->tick, cbr_send);
  if (cfg->onoff != ONOFF_NONE) {
    if (cfg->on_mean <= 0 || cfg->off_mean <= 0 ||
        (cfg->onoff == ONOFF_PARETO && !(cfg->shape > 1))) {
      g_set_error(error, MIPSIM_TRAFFIC_ERROR, MIPSIM_TRAFFIC_ERROR_CONFIG,
                  "on and off means must be positive and the Pareto shape "
                  "greater than 1");
      g_free(c->app.name);
      g_free(c);
      return FALSE;
    }
    g_autofree char *stream = g_strdup_printf("flow/%s/onoff", cfg->name);
    sim_rng(sim, &c->rng, stream);
  }
  if (udp_port_taken(cfg->sink, cfg->port)) {
    g_set_error(error, MIPSIM_TRAFFIC_ERROR, MIPSIM_TRAFFIC_ERROR_CONFIG,
                "UDP port %u is already taken on node %s", cfg->port,
                cfg->sink->name);
    g_free(c->app.name);
    g_free(c);
    return FALSE;
  }
  udp_register(cfg->sink, cfg->port, sink_rx, c);
  struct ip_addr src = cfg->src;
  if (src.family == 0)
    node_first_addr(cfg->from, cfg->dst.family, &src);
  c->flow = flow_new(sim, cfg->name, "udp-cbr", "one-way", &src, &cfg->dst,
                     c->cfg.ttl);
  int family = cfg->dst.family;
  icmp_register(cfg->from, family,
                family == 4 ? ICMP_TIME_EXCEEDED : ICMP6_TIME_EXCEEDED,
                on_icmp_error, c);
  icmp_register(cfg->from, family,
                family == 4 ? ICMP_DEST_UNREACH : ICMP6_DEST_UNREACH,
                on_icmp_error, c);
  app_register(sim, &c->app);
  return TRUE;
}
