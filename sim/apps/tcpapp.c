/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP applications: a bulk transfer and a request/response exchange, each
 * made of a client, a server listening on a port, and one flow.
 *
 * Flow accounting.  Bulk: sent_pkts / sent_bytes are the new data
 * segments the sender's TCP transmitted, received_* the bytes delivered in
 * order at the sink (one "packet" per delivery), completed the moment the
 * last byte arrived.  Request/response: sent_* are requests,
 * received_* complete responses, and each response time (request handed
 * to TCP until its response's last byte is delivered) is a delay sample,
 * so the delay columns of flows.tsv show response times.  Both count the
 * retransmissions and timeouts of both connections; the congestion window
 * reported is the one of the side that carries the bulk of the bytes (the
 * sender; the server for request/response). */
#include "sim/apps/traffic.h"

#include <string.h>

#include "sim/core/app.h"
#include "sim/core/sim.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"

/* Bytes generated per tcp_send call. */
#define SCRATCH 16384

/* One end of an application's connection. */
struct side {
  struct tcp_conn *conn; /* NULL before it exists and once it is gone */
  bool connected;        /* the bulk sender's handshake completed */
  bool closed;
  enum tcp_close_reason why;
  struct tcp_stats stats; /* kept when the connection goes */
  uint64_t tx;            /* bytes handed to TCP */
  uint64_t rx;            /* bytes received */
};

static uint8_t pattern_at(uint64_t i) {
  return (uint8_t)(i % 251 * 7 % 251);
}

/* Mismatches of n received bytes that start at offset from. */
static uint64_t check_pattern(const uint8_t *data, uint32_t n, uint64_t from) {
  uint64_t bad = 0;
  for (uint32_t i = 0; i < n; i++)
    bad += data[i] != pattern_at(from + i);
  return bad;
}

/* Hands up to n more pattern bytes to TCP, as far as the send buffer
 * takes them; returns how many it took. */
static uint64_t side_write(struct side *s, uint8_t *scratch, uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    uint64_t chunk = n - done;
    uint32_t space = tcp_send_space(s->conn);
    if (chunk > space)
      chunk = space;
    if (chunk > SCRATCH)
      chunk = SCRATCH;
    if (chunk == 0)
      break;
    for (uint32_t i = 0; i < chunk; i++)
      scratch[i] = pattern_at(s->tx + i);
    uint32_t took = tcp_send(s->conn, scratch, (uint32_t)chunk);
    s->tx += took;
    done += took;
  }
  return done;
}

static void side_closed(struct side *s, struct tcp_conn *c,
                        enum tcp_close_reason why) {
  s->stats = *tcp_conn_stats(c);
  s->closed = true;
  s->why = why;
  s->conn = NULL;
}

static void side_report(const struct side *s, struct tcp_stats *stats,
                        bool *closed, enum tcp_close_reason *why) {
  *stats = s->conn ? *tcp_conn_stats(s->conn) : s->stats;
  *closed = s->closed;
  *why = s->why;
}

static gboolean check_common(const char *name, struct node *from,
                             struct node *sink, const struct ip_addr *dst,
                             int64_t start, int64_t stop, uint32_t rcvbuf,
                             GError **error) {
  if (!from || !sink || (dst->family != 4 && dst->family != 6) ||
      (stop != 0 && stop <= start) || rcvbuf > TCP_MAX_RCVBUF) {
    g_set_error(error, MIPSIM_TRAFFIC_ERROR, MIPSIM_TRAFFIC_ERROR_CONFIG,
                "%s: needs both nodes, a destination address, stop after "
                "start and a receive buffer of at most %u bytes (no window "
                "scaling)",
                name, TCP_MAX_RCVBUF);
    return FALSE;
  }
  return TRUE;
}

static struct flow *new_flow(struct sim *sim, const char *name,
                             const char *kind, const char *delay_kind,
                             struct node *from, const struct ip_addr *src,
                             const struct ip_addr *dst) {
  struct ip_addr a = *src;
  if (a.family == 0)
    node_first_addr(from, dst->family, &a);
  struct flow *f =
      flow_new(sim, name, kind, delay_kind, &a, dst, IP_DEFAULT_TTL);
  f->is_tcp = true;
  return f;
}

static gboolean listen_or_fail(struct node *sink, uint16_t port,
                               const struct tcp_opts *opts, tcp_accept_fn fn,
                               void *ctx, GError **error) {
  if (tcp_listen(sink, port, opts, fn, ctx))
    return TRUE;
  g_set_error(error, MIPSIM_TRAFFIC_ERROR, MIPSIM_TRAFFIC_ERROR_CONFIG,
              "TCP port %u is already taken on node %s", port, sink->name);
  return FALSE;
}

/* ---- bulk transfer ---------------------------------------------------- */

struct bulk {
  struct app app;
  struct tcp_bulk_config cfg;
  struct flow *flow;
  struct sched_event start_ev, stop_ev;
  bool stopping;
  struct side client, server;
  uint64_t corrupt, excess;
  uint8_t scratch[SCRATCH];
};

/* Fills the send buffer; closes once everything is written or at stop. */
static void bulk_pump(struct bulk *b) {
  struct side *s = &b->client;
  bool unlimited = b->cfg.bytes == 0;
  if (!b->stopping)
    side_write(s, b->scratch, unlimited ? UINT64_MAX : b->cfg.bytes - s->tx);
  if (b->stopping || (!unlimited && s->tx == b->cfg.bytes))
    tcp_close(s->conn);
}

static void bulk_connected(void *ctx, struct tcp_conn *c) {
  struct bulk *b = ctx;
  b->client.connected = true;
  bulk_pump(b);
}

static void bulk_writable(void *ctx, struct tcp_conn *c) {
  bulk_pump(ctx);
}

static void bulk_closed(void *ctx, struct tcp_conn *c,
                        enum tcp_close_reason why) {
  struct bulk *b = ctx;
  side_closed(c == b->client.conn ? &b->client : &b->server, c, why);
}

static const struct tcp_callbacks bulk_client_cb = {
    .connected = bulk_connected,
    .writable = bulk_writable,
    .closed = bulk_closed,
};

static void bulk_received(void *ctx, struct tcp_conn *c, const uint8_t *data,
                          uint32_t len) {
  struct bulk *b = ctx;
  struct side *s = &b->server;
  b->corrupt += check_pattern(data, len, s->rx);
  uint64_t wanted = len;
  if (b->cfg.bytes) {
    wanted = s->rx < b->cfg.bytes ? b->cfg.bytes - s->rx : 0;
    if (wanted > len)
      wanted = len;
    b->excess += len - wanted;
  }
  s->rx += len;
  if (wanted) {
    flow_delivered_bytes(b->flow, wanted);
    if (b->cfg.bytes && s->rx >= b->cfg.bytes)
      b->flow->completed = sim_now(b->app.sim);
  }
}

static void bulk_peer_closed(void *ctx, struct tcp_conn *c) {
  tcp_close(c);
}

static const struct tcp_callbacks bulk_server_cb = {
    .received = bulk_received,
    .peer_closed = bulk_peer_closed,
    .closed = bulk_closed,
};

static void bulk_accept(void *ctx, struct tcp_conn *c) {
  struct bulk *b = ctx;
  b->server.conn = c;
  tcp_set_callbacks(c, &bulk_server_cb, b);
  flow_follow_tcp(b->flow, c, 0);
}

static void bulk_start_fire(struct sched_event *ev) {
  struct bulk *b = SIM_CONTAINER_OF(ev, struct bulk, start_ev);
  struct tcp_opts opts = {.rcvbuf = b->cfg.rcvbuf};
  b->flow->started = sim_now(b->app.sim);
  b->client.conn = tcp_connect(b->cfg.from, &b->cfg.src, &b->cfg.dst,
                               b->cfg.port, &opts, &bulk_client_cb, b);
  if (b->client.conn)
    flow_follow_tcp(b->flow, b->client.conn, FLOW_TCP_SENT | FLOW_TCP_CWND);
}

static void bulk_stop_fire(struct sched_event *ev) {
  struct bulk *b = SIM_CONTAINER_OF(ev, struct bulk, stop_ev);
  b->stopping = true;
  if (b->client.conn && b->client.connected)
    bulk_pump(b);
}

static void bulk_start(struct app *app) {
  struct bulk *b = (struct bulk *)app;
  sched_at(&app->sim->sched, &b->start_ev, b->cfg.start);
  if (b->cfg.stop)
    sched_at(&app->sim->sched, &b->stop_ev, b->cfg.stop);
}

/* The connections belong to TCP, which frees them with their nodes. */
static void bulk_free(struct app *app) {
  struct bulk *b = (struct bulk *)app;
  sched_cancel(&app->sim->sched, &b->start_ev);
  sched_cancel(&app->sim->sched, &b->stop_ev);
  g_free(app->name);
  g_free(b);
}

static const struct app_ops bulk_ops = {
    .kind = "tcp-bulk",
    .start = bulk_start,
    .free = bulk_free,
};

gboolean tcp_bulk_new(struct sim *sim, const struct tcp_bulk_config *cfg,
                      GError **error) {
  if (!check_common(cfg->name, cfg->from, cfg->sink, &cfg->dst, cfg->start,
                    cfg->stop, cfg->rcvbuf, error))
    return FALSE;
  struct bulk *b = g_new0(struct bulk, 1);
  struct tcp_opts opts = {.rcvbuf = cfg->rcvbuf};
  if (!listen_or_fail(cfg->sink, cfg->port, &opts, bulk_accept, b, error)) {
    g_free(b);
    return FALSE;
  }
  b->app = (struct app){.ops = &bulk_ops,
                        .sim = sim,
                        .node = cfg->from,
                        .name = g_strdup(cfg->name)};
  b->cfg = *cfg;
  b->cfg.name = b->app.name;
  sched_event_init(&b->start_ev, bulk_start_fire);
  sched_event_init(&b->stop_ev, bulk_stop_fire);
  b->flow = new_flow(sim, cfg->name, "tcp-bulk", "-", cfg->from, &cfg->src,
                     &cfg->dst);
  app_register(sim, &b->app);
  return TRUE;
}

/* ---- request/response ------------------------------------------------- */

struct rr {
  struct app app;
  struct tcp_rr_config cfg;
  struct flow *flow;
  struct sched_event start_ev, think_ev;
  struct side client, server;
  uint64_t requests, responses;
  int64_t request_time;
  uint64_t response_rx; /* bytes of the response under way */
  uint64_t request_rx;  /* server: bytes of the request under way */
  uint64_t client_owed; /* request bytes not yet taken by TCP */
  uint64_t server_owed; /* response bytes not yet taken by TCP */
  uint64_t corrupt, excess;
  uint8_t scratch[SCRATCH];
};

static void rr_send_request(struct rr *r) {
  r->requests++;
  r->request_time = sim_now(r->app.sim);
  flow_sent(r->flow, r->cfg.request);
  r->client_owed += r->cfg.request;
  r->client_owed -= side_write(&r->client, r->scratch, r->client_owed);
}

static void rr_connected(void *ctx, struct tcp_conn *c) {
  rr_send_request(ctx);
}

static void rr_client_writable(void *ctx, struct tcp_conn *c) {
  struct rr *r = ctx;
  r->client_owed -= side_write(&r->client, r->scratch, r->client_owed);
}

static void rr_client_received(void *ctx, struct tcp_conn *c,
                               const uint8_t *data, uint32_t len) {
  struct rr *r = ctx;
  struct sim *sim = r->app.sim;
  r->corrupt += check_pattern(data, len, r->client.rx);
  r->client.rx += len;
  r->response_rx += len;
  if (r->response_rx < r->cfg.response)
    return;
  int64_t now = sim_now(sim);
  flow_received(r->flow, (uint32_t)r->responses, r->cfg.response,
                now - r->request_time, tcp_conn_last_ttl(c));
  r->responses++;
  /* One request is outstanding at a time: more is not ours. */
  r->excess += r->response_rx - r->cfg.response;
  r->response_rx = 0;
  bool more = (r->cfg.count == 0 || r->responses < r->cfg.count) &&
              (r->cfg.stop == 0 || now + r->cfg.think < r->cfg.stop);
  if (more) {
    sched_at(&sim->sched, &r->think_ev, now + r->cfg.think);
    return;
  }
  if (r->cfg.count && r->responses == r->cfg.count)
    r->flow->completed = now;
  tcp_close(c);
}

static void rr_closed(void *ctx, struct tcp_conn *c,
                      enum tcp_close_reason why) {
  struct rr *r = ctx;
  side_closed(c == r->client.conn ? &r->client : &r->server, c, why);
}

static const struct tcp_callbacks rr_client_cb = {
    .connected = rr_connected,
    .received = rr_client_received,
    .writable = rr_client_writable,
    .closed = rr_closed,
};

static void rr_server_received(void *ctx, struct tcp_conn *c,
                               const uint8_t *data, uint32_t len) {
  struct rr *r = ctx;
  r->corrupt += check_pattern(data, len, r->server.rx);
  r->server.rx += len;
  r->request_rx += len;
  while (r->request_rx >= r->cfg.request) {
    r->request_rx -= r->cfg.request;
    r->server_owed += r->cfg.response;
  }
  r->server_owed -= side_write(&r->server, r->scratch, r->server_owed);
}

static void rr_server_writable(void *ctx, struct tcp_conn *c) {
  struct rr *r = ctx;
  r->server_owed -= side_write(&r->server, r->scratch, r->server_owed);
}

static const struct tcp_callbacks rr_server_cb = {
    .received = rr_server_received,
    .writable = rr_server_writable,
    .peer_closed = bulk_peer_closed,
    .closed = rr_closed,
};

static void rr_accept(void *ctx, struct tcp_conn *c) {
  struct rr *r = ctx;
  r->server.conn = c;
  tcp_set_callbacks(c, &rr_server_cb, r);
  flow_follow_tcp(r->flow, c, FLOW_TCP_CWND);
}

static void rr_start_fire(struct sched_event *ev) {
  struct rr *r = SIM_CONTAINER_OF(ev, struct rr, start_ev);
  struct tcp_opts opts = {.rcvbuf = r->cfg.rcvbuf};
  r->flow->started = sim_now(r->app.sim);
  r->client.conn = tcp_connect(r->cfg.from, &r->cfg.src, &r->cfg.dst,
                               r->cfg.port, &opts, &rr_client_cb, r);
  if (r->client.conn)
    flow_follow_tcp(r->flow, r->client.conn, 0);
}

static void rr_think_fire(struct sched_event *ev) {
  struct rr *r = SIM_CONTAINER_OF(ev, struct rr, think_ev);
  if (r->client.conn)
    rr_send_request(r);
}

static void rr_start(struct app *app) {
  struct rr *r = (struct rr *)app;
  sched_at(&app->sim->sched, &r->start_ev, r->cfg.start);
}

static void rr_free(struct app *app) {
  struct rr *r = (struct rr *)app;
  sched_cancel(&app->sim->sched, &r->start_ev);
  sched_cancel(&app->sim->sched, &r->think_ev);
  g_free(app->name);
  g_free(r);
}

static const struct app_ops rr_ops = {
    .kind = "tcp-rr",
    .start = rr_start,
    .free = rr_free,
};

gboolean tcp_rr_new(struct sim *sim, const struct tcp_rr_config *cfg,
                    GError **error) {
  if (!check_common(cfg->name, cfg->from, cfg->sink, &cfg->dst, cfg->start,
                    cfg->stop, cfg->rcvbuf, error))
    return FALSE;
  if (cfg->request == 0 || cfg->response == 0 || cfg->think < 0) {
    g_set_error(error, MIPSIM_TRAFFIC_ERROR, MIPSIM_TRAFFIC_ERROR_CONFIG,
                "%s: request and response must be at least one byte and "
                "think time not negative",
                cfg->name);
    return FALSE;
  }
  struct rr *r = g_new0(struct rr, 1);
  struct tcp_opts opts = {.rcvbuf = cfg->rcvbuf};
  if (!listen_or_fail(cfg->sink, cfg->port, &opts, rr_accept, r, error)) {
    g_free(r);
    return FALSE;
  }
  r->app = (struct app){.ops = &rr_ops,
                        .sim = sim,
                        .node = cfg->from,
                        .name = g_strdup(cfg->name)};
  r->cfg = *cfg;
  r->cfg.name = r->app.name;
  sched_event_init(&r->start_ev, rr_start_fire);
  sched_event_init(&r->think_ev, rr_think_fire);
  r->flow = new_flow(sim, cfg->name, "tcp-rr", "response", cfg->from, &cfg->src,
                     &cfg->dst);
  app_register(sim, &r->app);
  return TRUE;
}

gboolean tcp_app_report(const struct sim *sim, const char *name,
                        struct tcp_app_report *out) {
  for (guint i = 0; i < sim->apps->len; i++) {
    const struct app *app = g_ptr_array_index(sim->apps, i);
    if (strcmp(app->name, name) != 0)
      continue;
    const struct side *client, *server;
    *out = (struct tcp_app_report){0};
    if (app->ops == &bulk_ops) {
      const struct bulk *b = (const struct bulk *)app;
      client = &b->client;
      server = &b->server;
      out->delivered = b->server.rx;
      out->corrupt = b->corrupt;
      out->excess = b->excess;
    } else if (app->ops == &rr_ops) {
      const struct rr *r = (const struct rr *)app;
      client = &r->client;
      server = &r->server;
      out->delivered = r->client.rx;
      out->corrupt = r->corrupt;
      out->excess = r->excess;
      out->exchanges = r->responses;
    } else {
      continue;
    }
    side_report(client, &out->client, &out->client_closed, &out->client_why);
    side_report(server, &out->server, &out->server_closed, &out->server_why);
    return TRUE;
  }
  return FALSE;
}
