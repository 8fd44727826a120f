/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP tests built through the kernel API: handshake, transfers, loss
 * recovery, timers, MSS and path MTU, request/response times, IPv6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include "sim/apps/traffic.h"
#include "sim/core/fault.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/tcp.h"
#include "sim/results/flow.h"
#include "sim/results/trace.h"

/* a -(100 Mb/s, 1 ms)- r -(10 Mb/s, 9 ms)- b: a 20 ms propagation RTT with
 * the bottleneck past the router, so that a's own link never queues and
 * its capture shows segments the moment they leave. */
struct path {
  struct sim *sim;
  struct node *a, *r, *b;
  struct link *access, *bottleneck;
};

#define ACCESS_BPS 100000000
#define BOTTLENECK_BPS 10000000

static struct path path_new(bool v6) {
  struct path p;
  p.sim = sim_new("tcp", 1, 0);
  p.a = node_new(p.sim, "a", false);
  p.r = node_new(p.sim, "r", true);
  p.b = node_new(p.sim, "b", false);
  if (v6) {
    p.access = test_p2p(p.sim, "access", p.a, "2001:db8:1::1/64", p.r,
                        "2001:db8:1::2/64", ACCESS_BPS, SIM_MS);
    p.bottleneck = test_p2p(p.sim, "bottleneck", p.r, "2001:db8:2::1/64", p.b,
                            "2001:db8:2::2/64", BOTTLENECK_BPS, 9 * SIM_MS);
  } else {
    p.access = test_p2p(p.sim, "access", p.a, "10.0.1.1/24", p.r, "10.0.1.2/24",
                        ACCESS_BPS, SIM_MS);
    p.bottleneck = test_p2p(p.sim, "bottleneck", p.r, "10.0.2.1/24", p.b,
                            "10.0.2.2/24", BOTTLENECK_BPS, 9 * SIM_MS);
  }
  return p;
}

static struct tcp_app_report report(struct sim *sim, const char *name) {
  struct tcp_app_report r;
  assert_true(tcp_app_report(sim, name, &r));
  return r;
}

static void add_bulk(struct sim *sim, const char *name, struct node *from,
                     struct node *sink, const char *dst, uint64_t bytes) {
  struct tcp_bulk_config cfg = {.name = name,
                                .from = from,
                                .sink = sink,
                                .dst = test_ip(dst),
                                .port = 5001,
                                .bytes = bytes};
  assert_true(tcp_bulk_new(sim, &cfg, NULL));
}

/* A bulk transfer that ended well: every byte once, in order, pattern
 * intact, both connections closed normally. */
static void assert_transfer_ok(struct sim *sim, const char *name,
                               uint64_t bytes) {
  struct tcp_app_report r = report(sim, name);
  struct flow *f = test_flow(sim, name);
  assert_int_equal(r.delivered, bytes);
  assert_int_equal(r.corrupt, 0);
  assert_int_equal(r.excess, 0);
  assert_int_equal(f->received_bytes, bytes);
  assert_int_equal(f->sent_bytes, bytes);
  assert_true(f->completed >= 0);
  assert_int_equal(flow_lost(f), 0);
  assert_true(r.client_closed);
  assert_true(r.server_closed);
  assert_int_equal(r.client_why, TCP_CLOSED_NORMAL);
  assert_int_equal(r.server_why, TCP_CLOSED_NORMAL);
  assert_int_equal(r.client.bytes_delivered, 0);
  assert_int_equal(r.server.bytes_delivered, bytes);
}

/* With MIPSIM_TCP_PCAP_DIR set (tests/tcp.test), a run writes its
 * captures to DIR/<name>/ and its retransmission count to
 * DIR/<name>.retransmits, for tshark to judge. */
static struct pcap_trace *trace_begin(struct sim *sim, const char *name) {
  const char *dir = g_getenv("MIPSIM_TCP_PCAP_DIR");
  if (!dir)
    return NULL;
  g_autofree char *sub = g_build_filename(dir, name, NULL);
  struct pcap_trace *t = pcap_trace_start(sim, sub, NULL);
  assert_non_null(t);
  return t;
}

static void trace_end(struct pcap_trace *t, const char *name,
                      uint64_t retransmits) {
  if (!t)
    return;
  assert_true(pcap_trace_finish(t, NULL));
  const char *dir = g_getenv("MIPSIM_TCP_PCAP_DIR");
  g_autofree char *file = g_strdup_printf("%s/%s.retransmits", dir, name);
  g_autofree char *text =
      g_strdup_printf("%" G_GUINT64_FORMAT "\n", retransmits);
  assert_true(g_file_set_contents(file, text, -1, NULL));
}

/* ---- handshake and a small exchange, through the API ------------------ */

struct probe {
  struct sim *sim;
  struct tcp_conn *conn;
  int64_t connected_at, received_at, closed_at;
  uint64_t received;
  uint8_t data[256];
  int closed;
  enum tcp_close_reason why;
  bool reply; /* the server answers 50 bytes to the first 100 */
  bool quiet; /* the client sends 100 bytes and waits */
};

static void probe_connected(void *ctx, struct tcp_conn *c) {
  struct probe *p = ctx;
  p->connected_at = sim_now(p->sim);
  if (!p->reply) {
    uint8_t hello[100];
    for (int i = 0; i < 100; i++)
      hello[i] = (uint8_t)i;
    assert_int_equal(tcp_send(c, hello, 100), 100);
  }
}

static void probe_received(void *ctx, struct tcp_conn *c, const uint8_t *data,
                           uint32_t len) {
  struct probe *p = ctx;
  assert_true(p->received + len <= sizeof p->data);
  memcpy(p->data + p->received, data, len);
  p->received += len;
  p->received_at = sim_now(p->sim);
  if (p->reply && p->received == 100) {
    uint8_t answer[50];
    memset(answer, 0xab, sizeof answer);
    assert_int_equal(tcp_send(c, answer, 50), 50);
  } else if (!p->reply && !p->quiet && p->received == 50) {
    tcp_close(c);
  }
}

/* Closing twice is harmless: the client closed first in the exchange. */
static void probe_peer_closed(void *ctx, struct tcp_conn *c) {
  tcp_close(c);
}

static void probe_closed(void *ctx, struct tcp_conn *c,
                         enum tcp_close_reason why) {
  struct probe *p = ctx;
  p->closed++;
  p->why = why;
  p->closed_at = sim_now(p->sim);
  p->conn = NULL;
}

static const struct tcp_callbacks probe_cb = {
    .connected = probe_connected,
    .received = probe_received,
    .peer_closed = probe_peer_closed,
    .closed = probe_closed,
};

static void probe_accept(void *ctx, struct tcp_conn *c) {
  struct probe *p = ctx;
  p->conn = c;
  tcp_set_callbacks(c, &probe_cb, p);
}

static void test_handshake_and_exchange(void **state) {
  (void)state;
  struct sim *sim = sim_new("hs", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l", a, "10.0.0.1/30", b, "10.0.0.2/30", 10000000, 10 * SIM_MS);
  sim->duration = 100 * SIM_S;
  struct probe client = {.sim = sim}, server = {.sim = sim, .reply = true};
  assert_true(tcp_listen(b, 80, NULL, probe_accept, &server));
  assert_false(tcp_listen(b, 80, NULL, probe_accept, &server));
  struct ip_addr dst = test_ip("10.0.0.2"), any = {0};
  client.conn = tcp_connect(a, &any, &dst, 80, NULL, &probe_cb, &client);
  assert_non_null(client.conn);
  sim_run(sim, 0, NULL, NULL);
  /* 10 Mb/s, 10 ms.  SYN and SYN-ACK are 44 bytes (20 IP + 20 TCP + 4 of
   * MSS option); the request 140, the answer 90, FINs and ACKs 40.  The
   * request carries the handshake's ACK, the answer the request's ACK,
   * the client's FIN the answer's, the server's FIN the client's FIN's. */
  int64_t d = 10 * SIM_MS;
  int64_t t2 = 2 * (units_tx_time(44, 10000000) + d);
  int64_t t3 = t2 + units_tx_time(140, 10000000) + d;
  int64_t t4 = t3 + units_tx_time(90, 10000000) + d;
  int64_t t5 = t4 + units_tx_time(40, 10000000) + d;
  int64_t t6 = t5 + units_tx_time(40, 10000000) + d;
  int64_t t7 = t6 + units_tx_time(40, 10000000) + d;
  assert_int_equal(client.connected_at, t2);
  assert_int_equal(server.connected_at, t3);
  assert_int_equal(server.received_at, t3);
  assert_int_equal(client.received_at, t4);
  assert_int_equal(server.received, 100);
  assert_int_equal(client.received, 50);
  for (int i = 0; i < 100; i++)
    assert_int_equal(server.data[i], i);
  assert_int_equal(client.data[49], 0xab);
  /* The server (passive close) is done when the last ACK arrives; the
   * client after TIME-WAIT, 60 s after the server's FIN came. */
  assert_int_equal(server.closed, 1);
  assert_int_equal(server.why, TCP_CLOSED_NORMAL);
  assert_int_equal(server.closed_at, t7);
  assert_int_equal(client.closed, 1);
  assert_int_equal(client.why, TCP_CLOSED_NORMAL);
  assert_int_equal(client.closed_at, t6 + TCP_TIME_WAIT);
  /* SYN, request, FIN, last ACK / SYN-ACK, answer, FIN. */
  assert_int_equal(a->cnt.ip_sent, 4);
  assert_int_equal(b->cnt.ip_sent, 3);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* A SYN to a port nobody listens on is answered with RST. */
static void test_closed_port_reset(void **state) {
  (void)state;
  struct sim *sim = sim_new("rst", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l", a, "2001:db8::1/64", b, "2001:db8::2/64", 10000000,
           10 * SIM_MS);
  sim->duration = 10 * SIM_S;
  struct probe client = {.sim = sim};
  struct ip_addr dst = test_ip("2001:db8::2"), any = {0};
  client.conn = tcp_connect(a, &any, &dst, 81, NULL, &probe_cb, &client);
  sim_run(sim, 0, NULL, NULL);
  /* SYN 64 bytes (40 IPv6 + 24), RST 60. */
  assert_int_equal(client.closed, 1);
  assert_int_equal(client.why, TCP_CLOSED_RESET);
  assert_int_equal(client.closed_at, units_tx_time(64, 10000000) +
                                         units_tx_time(60, 10000000) +
                                         20 * SIM_MS);
  assert_int_equal(client.connected_at, 0);
  assert_int_equal(drop_counters_get(&b->cnt.drops, DROP_UNREACHABLE), 1);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* The server only receives 100 bytes: its ACK waits for the delayed-ACK
 * timer, 200 ms. */
static void test_delayed_ack_timer(void **state) {
  (void)state;
  struct sim *sim = sim_new("delack", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l", a, "10.0.0.1/30", b, "10.0.0.2/30", 10000000, 10 * SIM_MS);
  struct probe client = {.sim = sim, .quiet = true};
  struct probe server = {.sim = sim};
  assert_true(tcp_listen(b, 80, NULL, probe_accept, &server));
  struct ip_addr dst = test_ip("10.0.0.2"), any = {0};
  client.conn = tcp_connect(a, &any, &dst, 80, NULL, &probe_cb, &client);
  /* As in the exchange above: the request arrives at t3. */
  int64_t d = 10 * SIM_MS;
  int64_t t3 =
      2 * (units_tx_time(44, 10000000) + d) + units_tx_time(140, 10000000) + d;
  sched_run(&sim->sched, t3 + TCP_DELACK_TIMEOUT - 1, NULL);
  assert_int_equal(server.received, 100);
  assert_int_equal(tcp_conn_stats(server.conn)->pure_acks_sent, 0);
  sched_run(&sim->sched, t3 + TCP_DELACK_TIMEOUT, NULL);
  assert_int_equal(tcp_conn_stats(server.conn)->pure_acks_sent, 1);
  tcp_close(client.conn);
  sched_run(&sim->sched, 100 * SIM_S, NULL);
  assert_int_equal(client.closed, 1);
  assert_int_equal(server.closed, 1);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* ---- bulk transfer ---------------------------------------------------- */

static int64_t since_start(const struct flow *f) {
  return f->completed - f->started;
}

/* 1 MB over the 20 ms, 10 Mb/s path, window 65535 and a queue of 100: no
 * loss, so the time is the handshake, slow start, then the bottleneck's
 * pace. */
static void test_bulk_completion_time(void **state) {
  (void)state;
  struct path p = path_new(false);
  p.sim->duration = 100 * SIM_S;
  const uint64_t n = 1000000;
  add_bulk(p.sim, "bulk", p.a, p.b, "10.0.2.2", n);
  sim_run(p.sim, 0, NULL, NULL);
  struct flow *f = test_flow(p.sim, "bulk");
  assert_transfer_ok(p.sim, "bulk", n);
  assert_int_equal(f->retransmits, 0);
  assert_int_equal(f->timeouts, 0);
  /* MSS 1460: 685 segments (684 full, one of 1360), 40 bytes of headers
   * each, so 1,027,400 bytes cross the bottleneck. */
  const uint64_t segs = (n + 1459) / 1460;
  assert_int_equal(segs, 685);
  assert_int_equal(f->sent, segs);
  double bn_seg = (double)units_tx_time(1500, BOTTLENECK_BPS); /* 1.2 ms */
  double acc_seg = (double)units_tx_time(1500, ACCESS_BPS);    /* 0.12 ms */
  /* Handshake: SYN and SYN-ACK, 44 bytes, both links both ways. */
  double hs = 2.0 * (double)(units_tx_time(44, ACCESS_BPS) +
                             units_tx_time(44, BOTTLENECK_BPS) + 10 * SIM_MS);
  /* A segment and its 40-byte ACK: 21.355 ms; the pipe holds
   * 21.355 / 1.2 = 17.8 segments. */
  double rtt = acc_seg + bn_seg +
               (double)(units_tx_time(40, BOTTLENECK_BPS) +
                        units_tx_time(40, ACCESS_BPS) + 20 * SIM_MS);
  /* Slow start from IW = 3 segments (RFC 5681, MSS 1460); the receiver
   * ACKs every second segment and each ACK adds one MSS, so a round of w
   * segments is followed by one of 1.5 w.  Rounds 3, 4.5, 6.75, 10.1 and
   * 15.2 (39.6 segments in 5 RTTs) cannot fill the pipe; from the sixth
   * (22.8 > 17.8) the bottleneck is never idle.  Then the remaining
   * 645.4 segments at 1.2 ms each, the first one's 1.12 ms to the
   * bottleneck and the last one's 9 ms beyond: 911.5 ms. */
  double t = hs, w = 3, sent = 0;
  while (w < rtt / bn_seg) {
    sent += w;
    t += rtt;
    w *= 1.5;
  }
  t += acc_seg + (double)SIM_MS + ((double)segs - sent) * bn_seg +
       (double)(9 * SIM_MS);
  assert_true(t > 911.4e6 && t < 911.6e6);
  /* Measured: 922.9 ms (the model rounds the ramp); within 5 %. */
  double measured = (double)since_start(f);
  assert_true(measured > 0.95 * t && measured < 1.05 * t);
  /* Never faster than the bottleneck moving every byte and header. */
  double floor = hs + acc_seg + (double)SIM_MS +
                 (double)units_tx_time(n + 40 * segs, BOTTLENECK_BPS) +
                 (double)(9 * SIM_MS);
  assert_true(measured > floor);
  test_assert_idle(p.sim);
  test_sim_free_checked(p.sim);
}

/* Delayed ACKs on the same transfer: one ACK per two full segments. */
static void test_delayed_ack_count(void **state) {
  (void)state;
  struct path p = path_new(false);
  p.sim->duration = 100 * SIM_S;
  add_bulk(p.sim, "bulk", p.a, p.b, "10.0.2.2", 1000000);
  sim_run(p.sim, 0, NULL, NULL);
  struct tcp_app_report r = report(p.sim, "bulk");
  /* 685 data segments, the last with the FIN.  Segments arrive in pairs
   * 1.2 ms apart, long before the 200 ms timer: 342 ACKs for the first
   * 684; the 685th carries the FIN, which the receiver acknowledges with
   * its own FIN.  The sender's only pure ACK is for that FIN (its first
   * data segment carried the handshake's ACK). */
  assert_int_equal(r.client.data_segs_sent, 685);
  assert_int_equal(r.server.data_segs_received, 685);
  assert_int_equal(r.server.pure_acks_sent, 342);
  assert_int_equal(r.server.segs_sent, 342 + 2); /* + SYN-ACK, FIN */
  assert_int_equal(r.client.pure_acks_sent, 1);
  assert_int_equal(r.client.dupacks_received, 0);
  test_assert_idle(p.sim);
  test_sim_free_checked(p.sim);
}

/* Frames crossing one link: when a's data segments were sent again (seq
 * below the highest seen), and when the last ACK from b came before. */
struct wire_watch {
  struct observer obs;
  const struct link *link;
  bool any;
  uint32_t max_end;
  GArray *retx_times; /* int64_t */
  int64_t last_ack;   /* before the first retransmission */
  uint32_t max_len;   /* largest IP packet */
};

static void watch_wire(void *ctx, const struct link *link,
                       const struct pkt *pkt) {
  struct wire_watch *w = ctx;
  if (link != w->link)
    return;
  const uint8_t *h = pkt->data;
  if (pkt->len > w->max_len)
    w->max_len = pkt->len;
  bool v4 = (h[0] >> 4) == 4;
  uint32_t ihl = v4 ? (h[0] & 0x0f) * 4u : IP6_HLEN;
  if ((v4 ? h[IP4_OFF_PROTO] : h[IP6_OFF_NH]) != IPPROTO_NUM_TCP)
    return;
  const uint8_t *t = h + ihl;
  uint32_t len = pkt->len - ihl - (t[12] >> 4) * 4u;
  int64_t now = sim_now(link->sim);
  if (load_be16(t) == 5001) { /* from b */
    if (w->retx_times->len == 0)
      w->last_ack = now;
    return;
  }
  if (len == 0)
    return;
  uint32_t seq = load_be32(t + 4), end = seq + len;
  if (w->any && (int32_t)(seq - w->max_end) < 0)
    g_array_append_val(w->retx_times, now);
  if (!w->any || (int32_t)(end - w->max_end) > 0)
    w->max_end = end;
  w->any = true;
}

static void watch_start(struct wire_watch *w, struct sim *sim,
                        struct link *link) {
  *w = (struct wire_watch){.link = link};
  w->retx_times = g_array_new(FALSE, FALSE, sizeof(int64_t));
  w->obs = (struct observer){.ctx = w, .on_wire = watch_wire};
  link->traced = true;
  sim_observe(sim, &w->obs);
}

static void watch_stop(struct wire_watch *w, struct sim *sim) {
  sim_unobserve(sim, &w->obs);
  g_array_free(w->retx_times, TRUE);
}

/* The bottleneck fails for 3 s in the middle of a 2 MB transfer. */
static void test_link_outage(void **state) {
  (void)state;
  struct path p = path_new(false);
  p.sim->duration = 100 * SIM_S;
  const uint64_t n = 2000000;
  const int64_t down = 500 * SIM_MS, up = 3500 * SIM_MS;
  add_bulk(p.sim, "bulk", p.a, p.b, "10.0.2.2", n);
  link_fault_at(p.bottleneck, down, false);
  link_fault_at(p.bottleneck, up, true);
  struct pcap_trace *t = trace_begin(p.sim, "outage");
  struct wire_watch w;
  watch_start(&w, p.sim, p.access);
  sim_run(p.sim, 0, NULL, NULL);
  struct flow *f = test_flow(p.sim, "bulk");
  struct tcp_app_report r = report(p.sim, "bulk");
  trace_end(t, "outage", f->retransmits);
  assert_transfer_ok(p.sim, "bulk", n);
  /* Frames on the access link are stamped when they reach the far end:
   * an ACK when it reaches a, a's segment 0.12 + 1 ms after it leaves.
   * The last ACK came before the failure plus its last hop. */
  int64_t leg = units_tx_time(1500, ACCESS_BPS) + SIM_MS;
  assert_true(w.last_ack < down + SIM_MS + units_tx_time(40, ACCESS_BPS));
  assert_true(w.retx_times->len >= 3);
  int64_t first = g_array_index(w.retx_times, int64_t, 0);
  int64_t second = g_array_index(w.retx_times, int64_t, 1);
  /* The timer, restarted by that ACK, expires after the minimum RTO of
   * 1 s (the RTTs of 20-60 ms give SRTT + 4 RTTVAR far below it), then
   * after the doubled 2 s. */
  assert_int_equal(first, w.last_ack + TCP_RTO_MIN + leg);
  assert_int_equal(second - first, 2 * TCP_RTO_MIN);
  /* The second copy reaches the bottleneck once it is back up, so it
   * gets through: two timeouts, and the timer was last armed with 4 s. */
  assert_true(second >= up);
  assert_int_equal(f->timeouts, 2);
  assert_int_equal(r.client.timeouts, 2);
  assert_int_equal(r.client.rto_max, 4 * TCP_RTO_MIN);
  /* Everything lost in the outage was sent again, in slow start: what the
   * wire shows is what the sender counted (and tcp.test has tshark
   * agree). */
  assert_int_equal(f->retransmits, w.retx_times->len);
  assert_int_equal(f->retransmits, r.client.retransmits + r.server.retransmits);
  assert_int_equal(r.client.fast_retransmits, 0);
  watch_stop(&w, p.sim);
  test_assert_idle(p.sim);
  test_sim_free_checked(p.sim);
}

struct dropper {
  int seen, k, dropped;
};

/* Drops the k-th data segment the router receives. */
static struct ip_verdict drop_kth(void *ctx, struct node *node, struct pkt *pkt,
                                  struct iface *in, struct iface *out) {
  struct dropper *d = ctx;
  const uint8_t *h = pkt->data;
  if ((h[0] >> 4) != 4 || h[IP4_OFF_PROTO] != IPPROTO_NUM_TCP)
    return IP_ACCEPT;
  uint32_t ihl = (h[0] & 0x0f) * 4u;
  uint32_t doff = (h[ihl + 12] >> 4) * 4u;
  if (load_be16(h + IP4_OFF_LEN) == ihl + doff)
    return IP_ACCEPT;
  if (++d->seen != d->k)
    return IP_ACCEPT;
  d->dropped++;
  return ip_drop(DROP_FILTERED);
}

/* One segment lost in slow start: NewReno repairs it with one fast
 * retransmission, no timeout. */
static void test_fast_recovery(void **state) {
  (void)state;
  struct path p = path_new(false);
  p.sim->duration = 100 * SIM_S;
  const uint64_t n = 1000000;
  add_bulk(p.sim, "bulk", p.a, p.b, "10.0.2.2", n);
  struct dropper d = {.k = 30};
  ip_hook_add(p.r, IP_HOOK_PRE_ROUTING, IP_HOOK_PRIO_FILTER, drop_kth, &d);
  struct pcap_trace *t = trace_begin(p.sim, "fastrec");
  sim_run(p.sim, 0, NULL, NULL);
  struct flow *f = test_flow(p.sim, "bulk");
  struct tcp_app_report r = report(p.sim, "bulk");
  trace_end(t, "fastrec", f->retransmits);
  assert_int_equal(d.dropped, 1);
  assert_transfer_ok(p.sim, "bulk", n);
  assert_int_equal(f->retransmits, 1);
  assert_int_equal(r.client.fast_retransmits, 1);
  assert_int_equal(f->timeouts, 0);
  /* Segment 30 goes in the fifth slow-start round (segments 25-39, see
   * above), so at least the 9 after it in that round arrive out of order
   * and are each ACKed at once: more than the 3 duplicates needed.  The
   * receiver ACKs segments in pairs (1-2, 3-4, ...), so 29 was waiting
   * for its partner: the ACK that 31 draws acknowledges 29 and is not a
   * duplicate; every later one is. */
  assert_true(r.client.dupacks_received >= 9);
  assert_int_equal(r.client.dupacks_received, r.server.ooo_segs_received - 1);
  test_assert_idle(p.sim);
  test_sim_free_checked(p.sim);
}

/* a's link has MTU 1280: both SYNs say MSS 1240, no segment is bigger. */
static void test_mss_clamp(void **state) {
  (void)state;
  struct path p = path_new(false);
  p.access->mtu = 1280;
  p.sim->duration = 100 * SIM_S;
  add_bulk(p.sim, "bulk", p.a, p.b, "10.0.2.2", 100000);
  struct wire_watch w;
  watch_start(&w, p.sim, p.access);
  sim_run(p.sim, 0, NULL, NULL);
  struct tcp_app_report r = report(p.sim, "bulk");
  assert_transfer_ok(p.sim, "bulk", 100000);
  assert_int_equal(r.client.mss, 1240);
  assert_int_equal(r.server.mss, 1240);
  assert_int_equal(w.max_len, 1280);
  /* ceil(100000 / 1240) */
  assert_int_equal(r.client.data_segs_sent, 81);
  assert_int_equal(test_flow(p.sim, "bulk")->retransmits, 0);
  assert_int_equal(p.r->cnt.fragments_sent, 0);
  watch_stop(&w, p.sim);
  test_assert_idle(p.sim);
  test_sim_free_checked(p.sim);
}

/* a - r1 - r2 - b with the middle link at MTU 1000, which neither end can
 * see: path MTU discovery. */
static void test_pmtu_discovery(void **state) {
  (void)state;
  struct sim *sim = sim_new("pmtu", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *r1 = node_new(sim, "r1", true);
  struct node *r2 = node_new(sim, "r2", true);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l1", a, "10.0.1.1/24", r1, "10.0.1.2/24", ACCESS_BPS, SIM_MS);
  struct link *mid = test_p2p(sim, "mid", r1, "10.0.2.1/24", r2, "10.0.2.2/24",
                              BOTTLENECK_BPS, 8 * SIM_MS);
  mid->mtu = 1000;
  test_p2p(sim, "l3", r2, "10.0.3.1/24", b, "10.0.3.2/24", ACCESS_BPS, SIM_MS);
  sim->duration = 100 * SIM_S;
  add_bulk(sim, "bulk", a, b, "10.0.3.2", 300000);
  struct pcap_trace *t = trace_begin(sim, "pmtu");
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "bulk");
  struct tcp_app_report r = report(sim, "bulk");
  trace_end(t, "pmtu", f->retransmits);
  assert_transfer_ok(sim, "bulk", 300000);
  /* The initial window, 3 x 1460 bytes in 1500-byte DF packets, dies at
   * r1 with three "fragmentation needed, MTU 1000".  The first lowers the
   * MSS to 960 and a resends from snd_una; the other two find it lowered.
   * The 960-byte segments that start below the 4380 bytes sent before
   * count as retransmissions: ceil(4380 / 960) = 5. */
  assert_int_equal(drop_counters_get(&r1->cnt.drops, DROP_TOO_BIG), 3);
  assert_int_equal(r1->cnt.icmp_errors_sent, 3);
  assert_int_equal(r1->cnt.fragments_sent, 0);
  assert_int_equal(r.client.mss, 960);
  assert_int_equal(f->retransmits, 5);
  assert_int_equal(f->timeouts, 0);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* 100-byte requests, 2000-byte responses, 100 ms apart, on an idle path
 * a -(10 Mb/s, 5 ms)- r -(10 Mb/s, 5 ms)- b. */
static void test_request_response(void **state) {
  (void)state;
  struct sim *sim = sim_new("rr", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *r = node_new(sim, "r", true);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l1", a, "10.0.1.1/24", r, "10.0.1.2/24", 10000000, 5 * SIM_MS);
  test_p2p(sim, "l2", r, "10.0.2.1/24", b, "10.0.2.2/24", 10000000, 5 * SIM_MS);
  sim->duration = 100 * SIM_S;
  struct tcp_rr_config cfg = {.name = "rr",
                              .from = a,
                              .sink = b,
                              .dst = test_ip("10.0.2.2"),
                              .port = 80,
                              .request = 100,
                              .response = 2000,
                              .think = 100 * SIM_MS,
                              .count = 5};
  assert_true(tcp_rr_new(sim, &cfg, NULL));
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "rr");
  struct tcp_app_report rep = report(sim, "rr");
  /* The request is one 140-byte packet over both links.  The response is
   * two segments, 1460 and 540 bytes (1500 and 580 on the wire), within
   * the server's initial window of 3 segments; at r the second waits for
   * the first to cross l1, so the last byte arrives 2 x 1.2 ms + 0.464 ms
   * + 10 ms after the server sends.  The request carries the ACK of the
   * previous response (think 100 ms < 200 ms delayed ACK), the response
   * the request's: nothing else is in the way. */
  int64_t expect = 2 * units_tx_time(140, 10000000) + 10 * SIM_MS +
                   2 * units_tx_time(1500, 10000000) +
                   units_tx_time(580, 10000000) + 10 * SIM_MS;
  assert_int_equal(expect, 23088000);
  assert_int_equal(f->received, 5);
  assert_int_equal(f->received_bytes, 5 * 2000);
  assert_int_equal(f->sent, 5);
  assert_int_equal(f->sent_bytes, 5 * 100);
  assert_int_equal(flow_delay_percentile(f, 0.0), expect);
  assert_int_equal(flow_delay_percentile(f, 1.0), expect);
  assert_int_equal(f->hops_sum / f->received, 1);
  assert_string_equal(f->delay_kind, "response");
  assert_int_equal(rep.exchanges, 5);
  assert_int_equal(rep.delivered, 5 * 2000);
  assert_int_equal(rep.corrupt, 0);
  assert_int_equal(rep.excess, 0);
  assert_true(f->completed > 0);
  assert_int_equal(f->retransmits, 0);
  assert_int_equal(rep.client_why, TCP_CLOSED_NORMAL);
  assert_int_equal(rep.server_why, TCP_CLOSED_NORMAL);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* IPv6 end to end, with a 1280-byte link in the middle: MSS 1440 from the
 * SYNs, then Packet Too Big. */
static void test_ipv6_transfer(void **state) {
  (void)state;
  struct sim *sim = sim_new("v6", 1, 0);
  struct node *a = node_new(sim, "a", false);
  struct node *r1 = node_new(sim, "r1", true);
  struct node *r2 = node_new(sim, "r2", true);
  struct node *b = node_new(sim, "b", false);
  test_p2p(sim, "l1", a, "2001:db8:1::1/64", r1, "2001:db8:1::2/64", ACCESS_BPS,
           SIM_MS);
  struct link *mid = test_p2p(sim, "mid", r1, "2001:db8:2::1/64", r2,
                              "2001:db8:2::2/64", BOTTLENECK_BPS, 8 * SIM_MS);
  mid->mtu = 1280;
  test_p2p(sim, "l3", r2, "2001:db8:3::1/64", b, "2001:db8:3::2/64", ACCESS_BPS,
           SIM_MS);
  sim->duration = 100 * SIM_S;
  add_bulk(sim, "bulk", a, b, "2001:db8:3::2", 500000);
  struct pcap_trace *t = trace_begin(sim, "ipv6");
  sim_run(sim, 0, NULL, NULL);
  struct flow *f = test_flow(sim, "bulk");
  struct tcp_app_report r = report(sim, "bulk");
  trace_end(t, "ipv6", f->retransmits);
  assert_transfer_ok(sim, "bulk", 500000);
  /* 3 x 1440 bytes in 1500-byte packets draw three Packet Too Big (MTU
   * 1280): MSS 1280 - 60 = 1220, and ceil(4320 / 1220) = 4 segments
   * start below what was sent before. */
  assert_int_equal(drop_counters_get(&r1->cnt.drops, DROP_TOO_BIG), 3);
  assert_int_equal(r.client.mss, 1220);
  assert_int_equal(r.server.mss, 1440);
  assert_int_equal(f->retransmits, 4);
  assert_int_equal(f->timeouts, 0);
  test_assert_idle(sim);
  test_sim_free_checked(sim);
}

/* No size: the sender writes until stop, then closes; all it wrote
 * arrives. */
static void test_bulk_until_stop(void **state) {
  (void)state;
  struct path p = path_new(false);
  p.sim->duration = 100 * SIM_S;
  struct tcp_bulk_config cfg = {.name = "bulk",
                                .from = p.a,
                                .sink = p.b,
                                .dst = test_ip("10.0.2.2"),
                                .port = 5001,
                                .start = SIM_S,
                                .stop = 3 * SIM_S};
  assert_true(tcp_bulk_new(p.sim, &cfg, NULL));
  sim_run(p.sim, 0, NULL, NULL);
  struct flow *f = test_flow(p.sim, "bulk");
  struct tcp_app_report r = report(p.sim, "bulk");
  assert_int_equal(f->started, SIM_S);
  assert_int_equal(f->completed, -1);
  assert_int_equal(r.corrupt, 0);
  assert_int_equal(r.excess, 0);
  assert_int_equal(r.delivered, f->sent_bytes);
  assert_int_equal(f->received_bytes, f->sent_bytes);
  /* At least 1.5 of the 2 s at 1460 payload bytes per 1.2 ms. */
  uint64_t segs = (uint64_t)(3 * SIM_S / 2 / units_tx_time(1500, 10000000));
  assert_true(r.delivered > segs * 1460);
  assert_int_equal(r.client_why, TCP_CLOSED_NORMAL);
  assert_int_equal(r.server_why, TCP_CLOSED_NORMAL);
  test_assert_idle(p.sim);
  test_sim_free_checked(p.sim);
}

static void test_config_errors(void **state) {
  (void)state;
  struct path p = path_new(false);
  struct tcp_bulk_config cfg = {.name = "bulk",
                                .from = p.a,
                                .sink = p.b,
                                .dst = test_ip("10.0.2.2"),
                                .port = 5001,
                                .bytes = 1000,
                                .rcvbuf = 65536};
  GError *error = NULL;
  assert_false(tcp_bulk_new(p.sim, &cfg, &error));
  assert_non_null(strstr(error->message, "65535"));
  g_clear_error(&error);
  cfg.rcvbuf = 0;
  assert_true(tcp_bulk_new(p.sim, &cfg, NULL));
  struct tcp_rr_config rr = {.name = "rr",
                             .from = p.a,
                             .sink = p.b,
                             .dst = test_ip("10.0.2.2"),
                             .port = 5001,
                             .request = 1,
                             .response = 1};
  assert_false(tcp_rr_new(p.sim, &rr, &error));
  assert_non_null(strstr(error->message, "already taken"));
  g_clear_error(&error);
  rr.port = 5002;
  rr.response = 0;
  assert_false(tcp_rr_new(p.sim, &rr, &error));
  g_clear_error(&error);
  test_sim_free_checked(p.sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_handshake_and_exchange),
      cmocka_unit_test(test_closed_port_reset),
      cmocka_unit_test(test_delayed_ack_timer),
      cmocka_unit_test(test_bulk_completion_time),
      cmocka_unit_test(test_delayed_ack_count),
      cmocka_unit_test(test_link_outage),
      cmocka_unit_test(test_fast_recovery),
      cmocka_unit_test(test_mss_clamp),
      cmocka_unit_test(test_pmtu_discovery),
      cmocka_unit_test(test_request_response),
      cmocka_unit_test(test_ipv6_transfer),
      cmocka_unit_test(test_bulk_until_stop),
      cmocka_unit_test(test_config_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
