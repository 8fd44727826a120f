/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ICMP echo (ping): requests at an interval, round-trip times from the
 * replies, and the ICMP errors that come back instead (time exceeded,
 * unreachable) counted against the flow. */
#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/app.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/inet.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"

struct ping {
  struct app app;
  struct ping_config cfg;
  struct sched_event tick;
  struct flow *flow;
  uint16_t ident;
  uint32_t next_seq;
  uint8_t *payload;
};

static void ping_send(struct sched_event *ev) {
  struct ping *p = SIM_CONTAINER_OF(ev, struct ping, tick);
  struct sim *sim = p->app.sim;
  put_be64(p->payload, (uint64_t)sim_now(sim));
  flow_sent(p->flow, p->cfg.size);
  icmp_send_echo(p->cfg.from, &p->cfg.dst, p->ident, (uint16_t)p->next_seq,
                 p->payload, p->cfg.size, p->cfg.ttl, p->flow->id);
  p->next_seq++;
  if (p->cfg.count == 0 || p->next_seq < p->cfg.count)
    sched_in(&sim->sched, ev, p->cfg.interval);
}

static int echo_family(const struct ping *p) {
  return p->cfg.dst.family;
}

/* The echo header (id, seq) of a request, at off in pkt. */
static bool echo_fields(const struct pkt *pkt, uint32_t off, uint16_t *id,
                        uint16_t *seq) {
  return get_be16(pkt->data, pkt->len, off + 4, id) &&
         get_be16(pkt->data, pkt->len, off + 6, seq);
}

static bool on_reply(void *ctx, struct node *node, struct pkt *pkt,
                     uint32_t off, struct iface *in) {
  struct ping *p = ctx;
  uint16_t id, seq;
  uint64_t sent;
  if (!echo_fields(pkt, off, &id, &seq) || id != p->ident ||
      !get_be64(pkt->data, pkt->len, off + ICMP_HLEN, &sent))
    return false;
  uint8_t ttl =
      echo_family(p) == 4 ? pkt->data[IP4_OFF_TTL] : pkt->data[IP6_OFF_HLIM];
  flow_deliver(p->flow, node, pkt, seq, pkt->len - off - ICMP_HLEN,
               sim_now(node->sim) - (int64_t)sent, ttl);
  pkt_free(pkt);
  return true;
}

/* An error quoting one of our requests: the quote starts with the
 * offending IP header, then our echo header. */
static bool on_error(void *ctx, struct node *node, struct pkt *pkt,
                     uint32_t off, struct iface *in) {
  struct ping *p = ctx;
  uint32_t inner = off + ICMP_HLEN;
  uint8_t vhl;
  if (!get_u8(pkt->data, pkt->len, inner, &vhl))
    return false;
  uint32_t ihl = (vhl >> 4) == 4 ? (vhl & 0x0f) * 4u : IP6_HLEN;
  uint8_t type;
  uint16_t id, seq;
  uint8_t request =
      echo_family(p) == 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
  if (!get_u8(pkt->data, pkt->len, inner + ihl, &type) || type != request ||
      !echo_fields(pkt, inner + ihl, &id, &seq) || id != p->ident)
    return false;
  p->flow->icmp_errors++;
  pkt_free(pkt);
  return true;
}

static void ping_start(struct app *app) {
  struct ping *p = (struct ping *)app;
  sched_at(&app->sim->sched, &p->tick, p->cfg.start);
}

static void ping_free(struct app *app) {
  struct ping *p = (struct ping *)app;
  sched_cancel(&app->sim->sched, &p->tick);
  g_free(p->payload);
  g_free(app->name);
  g_free(p);
}

static const struct app_ops ping_ops = {
    .kind = "icmp-echo",
    .start = ping_start,
    .free = ping_free,
};

gboolean ping_new(struct sim *sim, const struct ping_config *cfg,
                  GError **error) {
  if (cfg->size < 8 || cfg->interval <= 0) {
    g_set_error(error, MIPSIM_TRAFFIC_ERROR, MIPSIM_TRAFFIC_ERROR_CONFIG,
                "size must be at least 8 bytes (the timestamp) and interval "
                "positive");
    return FALSE;
  }
  struct ping *p = g_new0(struct ping, 1);
  p->app = (struct app){.ops = &ping_ops,
                        .sim = sim,
                        .node = cfg->from,
                        .name = g_strdup(cfg->name)};
  p->cfg = *cfg;
  p->cfg.name = p->app.name;
  if (p->cfg.ttl == 0)
    p->cfg.ttl = 64;
  p->payload = g_malloc0(cfg->size);
  sched_event_init(&p->tick, ping_send);
  struct ip_addr src = {0};
  node_first_addr(cfg->from, cfg->dst.family, &src);
  p->flow =
      flow_new(sim, cfg->name, "icmp-echo", "round-trip", &src, &cfg->dst, 64);
  /* Distinct per flow, as ping uses its process id. */
  p->ident = (uint16_t)(0x4d00 + p->flow->id);
  int family = cfg->dst.family;
  icmp_register(cfg->from, family,
                family == 4 ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY, on_reply, p);
  icmp_register(cfg->from, family,
                family == 4 ? ICMP_TIME_EXCEEDED : ICMP6_TIME_EXCEEDED,
                on_error, p);
  icmp_register(cfg->from, family,
                family == 4 ? ICMP_DEST_UNREACH : ICMP6_DEST_UNREACH, on_error,
                p);
  app_register(sim, &p->app);
  return TRUE;
}
