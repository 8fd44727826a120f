/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP: the segment format and state machine of RFC 9293, NewReno
 * congestion control (RFC 5681, RFC 6582), the retransmission timer of
 * RFC 6298, delayed ACKs (RFC 1122) and path MTU discovery (RFC 1191,
 * RFC 8201), over IPv4 and IPv6.
 *
 * Structures.  Each node that uses TCP has a struct tcp_state (node->tcp):
 * its listeners, its connections in a list (a node has a handful, so a
 * list beats a hash table), an ephemeral port counter and its own random
 * stream for initial sequence numbers.  A struct tcp_conn holds the RFC
 * 9293 variables under their RFC names (snd_una, snd_nxt, rcv_nxt, ...)
 * plus snd_max, the highest sequence number sent, because after a timeout
 * snd_nxt goes back to snd_una (go-back-N, as BSD).  The send buffer is a
 * ring allocated with the connection: the bytes from snd_una on, acked
 * bytes leave its head, tcp_send appends at its tail, and retransmissions
 * read from it.  The receive side hands in-order bytes to the application
 * straight from the arriving packet; only out-of-order bytes are copied,
 * into a ring as large as the advertised window, with a sorted array of
 * received ranges.  The three timers (retransmission, delayed ACK,
 * TIME-WAIT) are events embedded in the connection.  So the per-segment
 * path allocates nothing but the packet (pkt_new, from the pool).
 *
 * Segment flow.  tcp_send copies into the send buffer and calls output,
 * which sends new segments while the congestion and receive windows allow
 * (send_data builds each one from the ring, prepends the header and the
 * checksum over the IPv4 or IPv6 pseudo-header, and hands it to ip_send,
 * with DF on IPv4).  tcp_input parses and checks a segment, finds its
 * connection (or a listener, or answers with RST), and runs the RFC 9293
 * "segment arrives" steps: sequence check, RST, SYN, ACK (congestion
 * control, RTT sample, timer), data (in order: delivered; out of order:
 * stored, and the hole-filling segment delivers the stored bytes), FIN.
 * An ACK that has to go out at once is sent at the end of processing
 * unless a data segment sent meanwhile (by a callback) carried it.
 * Connections free themselves once CLOSED, after the closed callback.
 *
 * What is followed.  Initial window per RFC 5681 3.1 (not IW10): 4, 3 or
 * 2 segments by MSS, one segment if the SYN or SYN-ACK was retransmitted;
 * initial ssthresh 65535 (the largest window).  Slow start grows cwnd by
 * min(acked, SMSS) per ACK, congestion avoidance by one SMSS per cwnd
 * of bytes acknowledged (RFC 5681's byte counting, which delayed ACKs do
 * not slow down).  Fast retransmit on the third duplicate ACK, ssthresh =
 * max(FlightSize / 2, 2 SMSS), cwnd = ssthresh + 3 SMSS, +SMSS per further
 * duplicate; a partial ACK retransmits the next segment and deflates cwnd;
 * the first partial ACK restarts the timer, later ones do not (RFC 6582's
 * Impatient variant); a full ACK sets cwnd = min(ssthresh, max(FlightSize,
 * SMSS) + SMSS); "recover" keeps fast retransmit from firing again for
 * losses from before the last recovery or timeout.  RTO (RFC 6298):
 * SRTT and RTTVAR from one timed segment at a time, RTO = SRTT + max(G,
 * 4 RTTVAR) with clock granularity G = 1 ms, initial 1 s, bounded to
 * [1 s, 60 s], doubled on every expiry; Karn: no sample from a segment
 * sent twice, and the backed-off RTO stays until a new sample; 3 s once
 * data flows after a retransmitted SYN.  A timeout sets ssthresh (only the
 * first of a series), cwnd = 1 SMSS, and resends from snd_una in slow
 * start.  After more than one RTO without sending, cwnd restarts from the
 * initial window (RFC 5681 4.1).  Delayed ACKs: at least every second
 * full-sized segment (twice the largest segment seen), else after 200 ms;
 * at once for an out-of-order segment, a segment that fills a hole, a FIN,
 * or an unacceptable segment.  MSS: the SYN advertises the outgoing
 * interface MTU - 40 (IPv4) or - 60 (IPv6); the send MSS is the smaller
 * of that and the peer's (536 without the option).  ICMP "fragmentation
 * needed" or ICMPv6 Packet Too Big quoting a segment in flight lowers the
 * MSS (not below the IPv4 minimum MTU of 68 or the IPv6 one of 1280) and
 * resends from snd_una, without a congestion response.  Sender silly
 * window avoidance: a segment shorter than the MSS goes only if it ends
 * the buffered data or nothing is in flight.  RST answers segments for
 * no connection; a SYN on a synchronized connection gets an ACK (RFC
 * 5961 challenge ACK); a duplicate SYN in SYN-RECEIVED gets the SYN-ACK
 * again.
 *
 * What is simplified.  No window scaling (the advertised window is a
 * fixed buffer of at most 65535 bytes), no timestamps, no SACK, no Nagle
 * algorithm, no limited transmit, no ECN, no urgent data, no keepalives.
 * The application reads every byte the moment it is in order, so the
 * window never shrinks and no zero-window probing is needed.  No
 * simultaneous open (a SYN in SYN-SENT is ignored); tcp_close only once
 * connected.  TIME-WAIT lasts a fixed 60 s.  ICMP errors other than
 * "fragmentation needed" / Packet Too Big are ignored (RFC 1122 soft
 * errors).  Any RST within the window resets (no RFC 5961 exact-sequence
 * check).  IPv6 extension headers in front of TCP are not parsed, as for
 * UDP.  Initial sequence numbers are random per connection, not
 * clock-driven.  A connection is given up after 15 consecutive timeouts
 * (6 for the SYN), silently. */
#include "sim/net/tcp.h"

#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"

enum {
  TH_FIN = 0x01,
  TH_SYN = 0x02,
  TH_RST = 0x04,
  TH_PSH = 0x08,
  TH_ACK = 0x10,
};

/* Header field offsets. */
enum {
  OFF_SPORT = 0,
  OFF_DPORT = 2,
  OFF_SEQ = 4,
  OFF_ACK = 8,
  OFF_DOFF = 12,
  OFF_FLAGS = 13,
  OFF_WIN = 14,
  OFF_CSUM = 16,
  OFF_URG = 18,
};

#define OPT_END 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_MSS_LEN 4
/* RFC 9293 3.7.1: the send MSS when the SYN has no MSS option. */
#define DEFAULT_MSS 536
#define DUPACK_THRESHOLD 3
/* Out-of-order ranges kept per connection; a segment that would need one
 * more is dropped (and ACKed), as a real stack prunes its queue. */
#define MAX_OOO_RANGES 64
#define EPHEMERAL_FIRST 49152

enum conn_state {
  S_CLOSED,
  S_SYN_SENT,
  S_SYN_RECEIVED,
  S_ESTABLISHED,
  S_FIN_WAIT_1,
  S_FIN_WAIT_2,
  S_CLOSE_WAIT,
  S_CLOSING,
  S_LAST_ACK,
  S_TIME_WAIT,
};

struct listener {
  uint16_t port;
  struct tcp_opts opts;
  tcp_accept_fn fn;
  void *ctx;
  struct listener *next;
};

struct tcp_state {
  struct node *node;
  struct tcp_conn *conns;
  struct listener *listeners;
  struct rng rng; /* initial sequence numbers */
  uint16_t next_port;
};

/* Received sequence numbers [start, end) beyond rcv_nxt. */
struct range {
  uint32_t start, end;
};

struct tcp_conn {
  struct tcp_state *ts;
  struct tcp_conn *next;
  enum conn_state state;
  enum tcp_close_reason why;
  struct ip_addr local, remote;
  uint16_t lport, rport;
  const struct tcp_callbacks *cb;
  void *ctx;
  tcp_accept_fn accept; /* passive side, until established */
  void *accept_ctx;
  const struct tcp_report *report; /* NULL: nobody keeps statistics */
  void *report_ctx;

  /* Send side. */
  uint32_t iss, snd_una, snd_nxt, snd_max;
  uint32_t snd_wnd, snd_wl1, snd_wl2;
  uint8_t *sbuf;
  uint32_t sbuf_cap, sbuf_head, sbuf_len; /* sbuf_head: the byte at snd_una */
  bool fin_queued;
  uint32_t fin_seq;
  uint32_t mss;      /* send MSS */
  uint32_t adv_mss;  /* the MSS our SYN advertised */
  int64_t last_send; /* of data, for the restart after idle */

  /* Congestion control. */
  uint32_t cwnd, ssthresh;
  uint32_t ca_acked; /* bytes acked towards the next avoidance increase */
  uint32_t dupacks;
  bool in_recovery;
  bool partial_acked;
  bool recover_valid;
  uint32_t recover;

  /* Round-trip time and retransmission timer. */
  bool rtt_timing;
  bool have_rtt;
  bool syn_retransmitted;
  uint32_t rtt_seq;
  int64_t rtt_start;
  int64_t srtt, rttvar, rto;
  uint32_t backoff; /* consecutive timeouts */

  /* Receive side. */
  uint32_t irs, rcv_nxt, rcv_wnd;
  uint8_t *rbuf;
  uint32_t rbuf_head; /* the ring slot of rcv_nxt; the ring holds rcv_wnd */
  struct range ooo[MAX_OOO_RANGES];
  uint32_t n_ooo;
  bool fin_pending; /* a FIN arrived beyond a hole */
  uint32_t rcv_fin_seq;
  uint32_t rcv_unacked; /* bytes received since the last ACK we sent */
  uint32_t rcv_mss;     /* largest segment received */
  bool ack_now;
  uint8_t last_ttl;

  struct sched_event rtx_timer, delack_timer, tw_timer;
  struct tcp_stats st;
};

/* A parsed segment; data points into the packet. */
struct seg {
  struct ip_addr src, dst;
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags;
  uint16_t wnd;
  uint16_t mss; /* 0: no option */
  uint8_t ttl;
  const uint8_t *data;
  uint32_t len;
};

static inline bool seq_lt(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b) {
  return seq_lt(b, a);
}
static inline bool seq_geq(uint32_t a, uint32_t b) {
  return seq_leq(b, a);
}
static inline uint32_t min_u32(uint32_t a, uint32_t b) {
  return a < b ? a : b;
}
static inline uint32_t max_u32(uint32_t a, uint32_t b) {
  return a > b ? a : b;
}

static struct sim *conn_sim(const struct tcp_conn *c) {
  return c->ts->node->sim;
}

/* ---- per-node state --------------------------------------------------- */

static bool on_icmp(void *ctx, struct node *node, struct pkt *pkt, uint32_t off,
                    struct iface *in);

static struct tcp_state *state_of(struct node *node) {
  if (!node->tcp) {
    struct tcp_state *ts = g_new0(struct tcp_state, 1);
    ts->node = node;
    ts->next_port = EPHEMERAL_FIRST;
    g_autofree char *name = g_strdup_printf("tcp/%s", node->name);
    sim_rng(node->sim, &ts->rng, name);
    icmp_register(node, 4, ICMP_DEST_UNREACH, on_icmp, ts);
    icmp_register(node, 6, ICMP6_PACKET_TOO_BIG, on_icmp, ts);
    node->tcp = ts;
  }
  return node->tcp;
}

static struct listener *find_listener(const struct tcp_state *ts,
                                      uint16_t port) {
  for (struct listener *l = ts->listeners; l; l = l->next)
    if (l->port == port)
      return l;
  return NULL;
}

static struct tcp_conn *find_conn(const struct tcp_state *ts,
                                  const struct ip_addr *local, uint16_t lport,
                                  const struct ip_addr *remote,
                                  uint16_t rport) {
  for (struct tcp_conn *c = ts->conns; c; c = c->next)
    if (c->lport == lport && c->rport == rport &&
        addr_equal(&c->remote, remote) && addr_equal(&c->local, local))
      return c;
  return NULL;
}

static bool port_in_use(const struct tcp_state *ts, uint16_t port) {
  if (find_listener(ts, port))
    return true;
  for (struct tcp_conn *c = ts->conns; c; c = c->next)
    if (c->lport == port)
      return true;
  return false;
}

/* The next free ephemeral port (RFC 6335 range), 0 if all are taken. */
static uint16_t pick_port(struct tcp_state *ts) {
  for (uint32_t tries = 0; tries <= 65535 - EPHEMERAL_FIRST; tries++) {
    uint16_t p = ts->next_port;
    ts->next_port = p == 65535 ? EPHEMERAL_FIRST : p + 1;
    if (!port_in_use(ts, p))
      return p;
  }
  return 0;
}

static void destroy(struct tcp_conn *c) {
  struct sched *sched = &conn_sim(c)->sched;
  sched_cancel(sched, &c->rtx_timer);
  sched_cancel(sched, &c->delack_timer);
  sched_cancel(sched, &c->tw_timer);
  for (struct tcp_conn **p = &c->ts->conns; *p; p = &(*p)->next) {
    if (*p == c) {
      *p = c->next;
      break;
    }
  }
  g_free(c->sbuf);
  g_free(c->rbuf);
  g_free(c);
}

void tcp__node_free(struct node *node) {
  struct tcp_state *ts = node->tcp;
  if (!ts)
    return;
  while (ts->conns)
    destroy(ts->conns);
  while (ts->listeners) {
    struct listener *l = ts->listeners;
    ts->listeners = l->next;
    g_free(l);
  }
  icmp_unregister(node, 4, ICMP_DEST_UNREACH, on_icmp, ts);
  icmp_unregister(node, 6, ICMP6_PACKET_TOO_BIG, on_icmp, ts);
  g_free(ts);
  node->tcp = NULL;
}

/* ---- output ----------------------------------------------------------- */

/* Prepends the header to the payload in p, fills in the checksum and
 * sends the segment.  Consumes p. */
static void xmit(struct node *node, struct pkt *p, const struct ip_addr *src,
                 const struct ip_addr *dst, uint16_t sport, uint16_t dport,
                 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                 uint16_t mss_opt) {
  uint32_t hlen = TCP_HLEN + (mss_opt ? OPT_MSS_LEN : 0);
  uint8_t *h = pkt_push(p, hlen);
  put_be16(h + OFF_SPORT, sport);
  put_be16(h + OFF_DPORT, dport);
  put_be32(h + OFF_SEQ, seq);
  put_be32(h + OFF_ACK, ack);
  h[OFF_DOFF] = (uint8_t)(hlen / 4 << 4);
  h[OFF_FLAGS] = flags;
  put_be16(h + OFF_WIN, wnd);
  put_be16(h + OFF_CSUM, 0);
  put_be16(h + OFF_URG, 0);
  if (mss_opt) {
    h[TCP_HLEN] = OPT_MSS;
    h[TCP_HLEN + 1] = OPT_MSS_LEN;
    put_be16(h + TCP_HLEN + 2, mss_opt);
  }
  put_be16(h + OFF_CSUM,
           inet_pseudo_checksum(src, dst, IPPROTO_NUM_TCP, h, p->len));
  /* meta.flow stays 0: loss and in-flight accounting by sequence number
   * is for datagram flows; TCP reports to its flow directly. */
  p->meta.created = sim_now(node->sim);
  struct ip_tx tx = {.src = *src,
                     .dst = *dst,
                     .proto = IPPROTO_NUM_TCP,
                     .df = dst->family == 4};
  ip_send(node, p, &tx);
}

static void conn_xmit(struct tcp_conn *c, struct pkt *p, uint32_t seq,
                      uint8_t flags, uint16_t mss_opt) {
  if (flags & TH_ACK) {
    /* The segment acknowledges everything received: no ACK is owed. */
    c->rcv_unacked = 0;
    c->ack_now = false;
    sched_cancel(&conn_sim(c)->sched, &c->delack_timer);
  }
  c->st.segs_sent++;
  xmit(c->ts->node, p, &c->local, &c->remote, c->lport, c->rport, seq,
       flags & TH_ACK ? c->rcv_nxt : 0, flags, (uint16_t)c->rcv_wnd, mss_opt);
}

static void set_cwnd(struct tcp_conn *c, uint32_t cwnd) {
  c->cwnd = cwnd;
  if (c->report && c->report->cwnd)
    c->report->cwnd(c->report_ctx, cwnd);
}

static void set_mss(struct tcp_conn *c, uint32_t mss) {
  c->mss = mss;
  c->st.mss = mss;
}

/* RFC 5681 3.1. */
static uint32_t initial_window(const struct tcp_conn *c) {
  if (c->syn_retransmitted)
    return c->mss;
  if (c->mss > 2190)
    return 2 * c->mss;
  if (c->mss > 1095)
    return 3 * c->mss;
  return 4 * c->mss;
}

static void arm_rtx(struct tcp_conn *c) {
  if (c->rto > c->st.rto_max)
    c->st.rto_max = c->rto;
  sched_in(&conn_sim(c)->sched, &c->rtx_timer, c->rto);
}

static void count_retransmit(struct tcp_conn *c) {
  c->st.retransmits++;
  /* Karn: an ACK cannot tell which copy it answers. */
  c->rtt_timing = false;
  if (c->report && c->report->retransmitted)
    c->report->retransmitted(c->report_ctx);
}

static void send_syn(struct tcp_conn *c) {
  if (c->snd_max == c->iss) {
    c->rtt_timing = true;
    c->rtt_seq = c->iss;
    c->rtt_start = sim_now(conn_sim(c));
  } else {
    count_retransmit(c);
  }
  c->snd_nxt = c->snd_max = c->iss + 1;
  uint8_t flags = c->state == S_SYN_RECEIVED ? TH_SYN | TH_ACK : TH_SYN;
  conn_xmit(c, pkt_new(&conn_sim(c)->pool, 0), c->iss, flags,
            (uint16_t)c->adv_mss);
  if (!sched_pending(&c->rtx_timer))
    arm_rtx(c);
}

static void send_ack(struct tcp_conn *c) {
  c->st.pure_acks_sent++;
  /* snd_max, not snd_nxt: after a timeout snd_nxt is behind, and the peer
   * would find the ACK out of its window (as BSD). */
  conn_xmit(c, pkt_new(&conn_sim(c)->pool, 0), c->snd_max, TH_ACK, 0);
}

/* A segment with len bytes of the send buffer from seq on, and the FIN
 * after them if fin. */
static void send_data(struct tcp_conn *c, uint32_t seq, uint32_t len,
                      bool fin) {
  struct sim *sim = conn_sim(c);
  struct pkt *p = pkt_new(&sim->pool, len);
  uint32_t off = seq - c->snd_una;
  uint32_t at = (c->sbuf_head + off) % c->sbuf_cap;
  uint32_t first = min_u32(len, c->sbuf_cap - at);
  memcpy(p->data, c->sbuf + at, first);
  memcpy(p->data + first, c->sbuf, len - first);
  uint8_t flags = TH_ACK;
  if (fin)
    flags |= TH_FIN;
  if (len && off + len == c->sbuf_len)
    flags |= TH_PSH;
  uint32_t end = seq + len + fin;
  if (seq_lt(seq, c->snd_max)) {
    count_retransmit(c);
  } else if (!c->rtt_timing) {
    c->rtt_timing = true;
    c->rtt_seq = seq;
    c->rtt_start = sim_now(sim);
  }
  if (seq_gt(end, c->snd_max)) {
    uint32_t fresh = min_u32(end - c->snd_max, len);
    if (fresh && c->report && c->report->sent)
      c->report->sent(c->report_ctx, fresh);
    c->snd_max = end;
  }
  if (seq_gt(end, c->snd_nxt))
    c->snd_nxt = end;
  if (len) {
    c->st.data_segs_sent++;
    c->last_send = sim_now(sim);
  }
  if (!sched_pending(&c->rtx_timer))
    arm_rtx(c);
  conn_xmit(c, p, seq, flags, 0);
}

static bool sending_state(enum conn_state s) {
  return s == S_ESTABLISHED || s == S_CLOSE_WAIT || s == S_FIN_WAIT_1 ||
         s == S_CLOSING || s == S_LAST_ACK;
}

/* Sends new segments (or, after a timeout, segments again from snd_nxt)
 * while the windows allow. */
static void output(struct tcp_conn *c) {
  if (!sending_state(c->state))
    return;
  struct sim *sim = conn_sim(c);
  /* RFC 5681 4.1: the ACK clock is lost after an idle RTO. */
  if (c->snd_una == c->snd_max && c->sbuf_len > 0 &&
      sim_now(sim) - c->last_send > c->rto) {
    uint32_t iw = initial_window(c);
    if (c->cwnd > iw)
      set_cwnd(c, iw);
  }
  for (;;) {
    if (c->fin_queued && seq_gt(c->snd_nxt, c->fin_seq))
      return; /* everything, FIN included, is out */
    uint32_t off = c->snd_nxt - c->snd_una;
    uint32_t avail = c->sbuf_len > off ? c->sbuf_len - off : 0;
    uint32_t win = min_u32(c->cwnd, c->snd_wnd);
    uint32_t usable = win > off ? win - off : 0;
    uint32_t len = min_u32(avail, c->mss);
    if (len > usable) {
      /* Silly window avoidance: wait for room for a whole segment while
       * ACKs are due to come. */
      if (off > 0 || usable == 0)
        return;
      len = usable;
    }
    bool fin = c->fin_queued && off + len == c->sbuf_len;
    if (len == 0 && !fin)
      return;
    send_data(c, c->snd_nxt, len, fin);
  }
}

/* One segment from snd_una: fast retransmit and partial ACKs. */
static void retransmit_first(struct tcp_conn *c) {
  uint32_t len = min_u32(c->sbuf_len, c->mss);
  bool fin =
      c->fin_queued && len == c->sbuf_len && seq_gt(c->snd_max, c->fin_seq);
  send_data(c, c->snd_una, len, fin);
}

/* Answers a segment that has no connection (RFC 9293 3.10.7.1). */
static void send_reset(struct node *node, const struct seg *s) {
  if (s->flags & TH_RST)
    return;
  struct pkt *p = pkt_new(&node->sim->pool, 0);
  if (s->flags & TH_ACK) {
    xmit(node, p, &s->dst, &s->src, s->dport, s->sport, s->ack, 0, TH_RST, 0,
         0);
  } else {
    uint32_t seglen = s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
    xmit(node, p, &s->dst, &s->src, s->dport, s->sport, 0, s->seq + seglen,
         TH_RST | TH_ACK, 0, 0);
  }
}

/* ---- connections ------------------------------------------------------ */

static void rtx_fire(struct sched_event *ev);
static void delack_fire(struct sched_event *ev);
static void tw_fire(struct sched_event *ev);

/* The MSS to advertise towards dst: the outgoing interface MTU less the
 * IP and TCP headers. */
static uint32_t mss_towards(struct node *node, const struct ip_addr *dst) {
  struct nexthop nh;
  if (!route_lookup(node, dst, &nh))
    return DEFAULT_MSS;
  uint32_t headers = (dst->family == 4 ? IP4_HLEN : IP6_HLEN) + TCP_HLEN;
  return nh.oif->link->mtu - headers;
}

static struct tcp_conn *conn_new(struct tcp_state *ts,
                                 const struct ip_addr *local, uint16_t lport,
                                 const struct ip_addr *remote, uint16_t rport,
                                 const struct tcp_opts *opts) {
  struct tcp_conn *c = g_new0(struct tcp_conn, 1);
  c->ts = ts;
  c->local = *local;
  c->remote = *remote;
  c->lport = lport;
  c->rport = rport;
  c->rcv_wnd = opts && opts->rcvbuf ? min_u32(opts->rcvbuf, TCP_MAX_RCVBUF)
                                    : TCP_DEFAULT_RCVBUF;
  c->rbuf = g_malloc(c->rcv_wnd);
  c->sbuf_cap = opts && opts->sndbuf ? opts->sndbuf : TCP_DEFAULT_SNDBUF;
  c->sbuf = g_malloc(c->sbuf_cap);
  c->iss = (uint32_t)rng_u64(&ts->rng);
  c->snd_una = c->snd_nxt = c->snd_max = c->iss;
  c->adv_mss = mss_towards(ts->node, remote);
  set_mss(c, c->adv_mss);
  c->cwnd = initial_window(c);
  c->ssthresh = TCP_MAX_RCVBUF;
  c->rto = TCP_RTO_INITIAL;
  sched_event_init(&c->rtx_timer, rtx_fire);
  sched_event_init(&c->delack_timer, delack_fire);
  sched_event_init(&c->tw_timer, tw_fire);
  c->next = ts->conns;
  ts->conns = c;
  return c;
}

bool tcp_listen(struct node *node, uint16_t port, const struct tcp_opts *opts,
                tcp_accept_fn fn, void *ctx) {
  struct tcp_state *ts = state_of(node);
  if (find_listener(ts, port))
    return false;
  struct listener *l = g_new0(struct listener, 1);
  l->port = port;
  if (opts)
    l->opts = *opts;
  l->fn = fn;
  l->ctx = ctx;
  l->next = ts->listeners;
  ts->listeners = l;
  return true;
}

struct tcp_conn *tcp_connect(struct node *node, const struct ip_addr *src,
                             const struct ip_addr *dst, uint16_t port,
                             const struct tcp_opts *opts,
                             const struct tcp_callbacks *cb, void *ctx) {
  struct ip_addr from = *src;
  if (from.family == 0 && !ip_select_source(node, dst, &from))
    return NULL;
  struct tcp_state *ts = state_of(node);
  uint16_t lport = pick_port(ts);
  if (lport == 0)
    return NULL;
  struct tcp_conn *c = conn_new(ts, &from, lport, dst, port, opts);
  c->cb = cb;
  c->ctx = ctx;
  c->state = S_SYN_SENT;
  send_syn(c);
  return c;
}

void tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cb,
                       void *ctx) {
  c->cb = cb;
  c->ctx = ctx;
}

void tcp_set_report(struct tcp_conn *c, const struct tcp_report *report,
                    void *ctx) {
  c->report = report;
  c->report_ctx = ctx;
  if (report->cwnd)
    report->cwnd(ctx, c->cwnd);
}

uint32_t tcp_send_space(const struct tcp_conn *c) {
  if ((c->state != S_ESTABLISHED && c->state != S_CLOSE_WAIT) || c->fin_queued)
    return 0;
  return c->sbuf_cap - c->sbuf_len;
}

uint32_t tcp_send(struct tcp_conn *c, const uint8_t *data, uint32_t len) {
  uint32_t n = min_u32(len, tcp_send_space(c));
  if (n == 0)
    return 0;
  uint32_t at = (c->sbuf_head + c->sbuf_len) % c->sbuf_cap;
  uint32_t first = min_u32(n, c->sbuf_cap - at);
  memcpy(c->sbuf + at, data, first);
  memcpy(c->sbuf, data + first, n - first);
  c->sbuf_len += n;
  output(c);
  return n;
}

void tcp_close(struct tcp_conn *c) {
  if (c->fin_queued)
    return;
  if (c->state == S_ESTABLISHED)
    c->state = S_FIN_WAIT_1;
  else if (c->state == S_CLOSE_WAIT)
    c->state = S_LAST_ACK;
  else
    return;
  c->fin_queued = true;
  c->fin_seq = c->snd_una + c->sbuf_len;
  output(c);
}

const struct tcp_stats *tcp_conn_stats(const struct tcp_conn *c) {
  return &c->st;
}

uint8_t tcp_conn_last_ttl(const struct tcp_conn *c) {
  return c->last_ttl;
}

/* Ends processing of an input or a timer: the owed ACK, or the end of a
 * connection that reached CLOSED. */
static void finish(struct tcp_conn *c) {
  if (c->state != S_CLOSED) {
    if (c->ack_now)
      send_ack(c);
    return;
  }
  if (c->cb && c->cb->closed)
    c->cb->closed(c->ctx, c, c->why);
  destroy(c);
}

static void close_with(struct tcp_conn *c, enum tcp_close_reason why) {
  c->state = S_CLOSED;
  c->why = why;
}

static void enter_time_wait(struct tcp_conn *c) {
  struct sched *sched = &conn_sim(c)->sched;
  c->state = S_TIME_WAIT;
  sched_cancel(sched, &c->rtx_timer);
  sched_in(sched, &c->tw_timer, TCP_TIME_WAIT);
}

/* ---- timers ----------------------------------------------------------- */

static void rtx_fire(struct sched_event *ev) {
  struct tcp_conn *c = SIM_CONTAINER_OF(ev, struct tcp_conn, rtx_timer);
  c->st.timeouts++;
  if (c->report && c->report->timeout)
    c->report->timeout(c->report_ctx);
  c->backoff++;
  bool syn = c->state == S_SYN_SENT || c->state == S_SYN_RECEIVED;
  if (c->backoff > (syn ? TCP_MAX_SYN_RETRIES : TCP_MAX_RETRIES)) {
    close_with(c, TCP_CLOSED_TIMEOUT);
    finish(c);
    return;
  }
  c->rto = c->rto * 2 < TCP_RTO_MAX ? c->rto * 2 : TCP_RTO_MAX;
  if (syn) {
    c->syn_retransmitted = true;
    send_syn(c);
    return;
  }
  /* RFC 5681 3.1 (4): ssthresh is kept when the segment timed out
   * before. */
  if (c->backoff == 1)
    c->ssthresh = max_u32((c->snd_max - c->snd_una) / 2, 2 * c->mss);
  set_cwnd(c, c->mss);
  c->ca_acked = 0;
  c->in_recovery = false;
  c->dupacks = 0;
  /* RFC 6582 4: duplicate ACKs for what was sent before the timeout must
   * not start a fast retransmit. */
  c->recover = c->snd_max - 1;
  c->recover_valid = true;
  c->snd_nxt = c->snd_una;
  output(c);
  finish(c);
}

static void delack_fire(struct sched_event *ev) {
  struct tcp_conn *c = SIM_CONTAINER_OF(ev, struct tcp_conn, delack_timer);
  send_ack(c);
}

static void tw_fire(struct sched_event *ev) {
  struct tcp_conn *c = SIM_CONTAINER_OF(ev, struct tcp_conn, tw_timer);
  close_with(c, TCP_CLOSED_NORMAL);
  finish(c);
}

/* ---- input ------------------------------------------------------------ */

static void rtt_sample(struct tcp_conn *c, int64_t r) {
  if (!c->have_rtt) {
    c->srtt = r;
    c->rttvar = r / 2;
    c->have_rtt = true;
  } else {
    int64_t err = c->srtt > r ? c->srtt - r : r - c->srtt;
    c->rttvar = (3 * c->rttvar + err) / 4;
    c->srtt = (7 * c->srtt + r) / 8;
  }
  int64_t var = 4 * c->rttvar > TCP_CLOCK_G ? 4 * c->rttvar : TCP_CLOCK_G;
  int64_t rto = c->srtt + var;
  c->rto = rto < TCP_RTO_MIN   ? TCP_RTO_MIN
           : rto > TCP_RTO_MAX ? TCP_RTO_MAX
                               : rto;
}

/* The ACK of our SYN arrived. */
static void establish(struct tcp_conn *c, uint32_t ack) {
  c->snd_una = ack;
  c->state = S_ESTABLISHED;
  if (c->rtt_timing) {
    rtt_sample(c, sim_now(conn_sim(c)) - c->rtt_start);
    c->rtt_timing = false;
  } else {
    c->rto = c->syn_retransmitted ? TCP_RTO_AFTER_SYN_LOSS : TCP_RTO_INITIAL;
  }
  c->backoff = 0;
  sched_cancel(&conn_sim(c)->sched, &c->rtx_timer);
  set_cwnd(c, initial_window(c));
}

static void syn_sent_input(struct tcp_conn *c, const struct seg *s) {
  bool ack = s->flags & TH_ACK;
  if (ack && s->ack != c->iss + 1) {
    send_reset(c->ts->node, s);
    return;
  }
  if (s->flags & TH_RST) {
    if (ack)
      close_with(c, TCP_CLOSED_RESET); /* connection refused */
    return;
  }
  if (!(s->flags & TH_SYN) || !ack)
    return;
  c->irs = s->seq;
  c->rcv_nxt = s->seq + 1;
  set_mss(c, min_u32(c->adv_mss, s->mss ? s->mss : DEFAULT_MSS));
  c->snd_wnd = s->wnd;
  c->snd_wl1 = s->seq;
  c->snd_wl2 = s->ack;
  establish(c, s->ack);
  c->ack_now = true;
  if (c->cb && c->cb->connected)
    c->cb->connected(c->ctx, c);
}

static void passive_open(struct tcp_state *ts, const struct listener *l,
                         const struct seg *s) {
  struct tcp_conn *c =
      conn_new(ts, &s->dst, s->dport, &s->src, s->sport, &l->opts);
  c->accept = l->fn;
  c->accept_ctx = l->ctx;
  c->state = S_SYN_RECEIVED;
  c->st.segs_received++;
  c->last_ttl = s->ttl;
  c->irs = s->seq;
  c->rcv_nxt = s->seq + 1;
  set_mss(c, min_u32(c->adv_mss, s->mss ? s->mss : DEFAULT_MSS));
  c->snd_wnd = s->wnd;
  c->snd_wl1 = s->seq;
  send_syn(c);
}

static bool in_window(uint32_t x, uint32_t start, uint32_t wnd) {
  return x - start < wnd;
}

/* RFC 9293 3.10.7.4, first check (the window is never zero). */
static bool acceptable(const struct tcp_conn *c, const struct seg *s) {
  uint32_t seglen = s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
  if (seglen == 0)
    return in_window(s->seq, c->rcv_nxt, c->rcv_wnd);
  return in_window(s->seq, c->rcv_nxt, c->rcv_wnd) ||
         in_window(s->seq + seglen - 1, c->rcv_nxt, c->rcv_wnd);
}

static void dupack(struct tcp_conn *c) {
  c->st.dupacks_received++;
  c->dupacks++;
  if (c->in_recovery) {
    set_cwnd(c, c->cwnd + c->mss);
    output(c);
    return;
  }
  if (c->dupacks != DUPACK_THRESHOLD)
    return;
  if (c->recover_valid && !seq_gt(c->snd_una, c->recover))
    return;
  c->ssthresh = max_u32((c->snd_max - c->snd_una) / 2, 2 * c->mss);
  c->recover = c->snd_max - 1;
  c->recover_valid = true;
  c->in_recovery = true;
  c->partial_acked = false;
  c->st.fast_retransmits++;
  retransmit_first(c);
  set_cwnd(c, c->ssthresh + 3 * c->mss);
  output(c);
}

/* An ACK of new data (snd_una < ack <= snd_max). */
static void new_ack(struct tcp_conn *c, uint32_t ack) {
  struct sched *sched = &conn_sim(c)->sched;
  uint32_t acked = ack - c->snd_una;
  uint32_t data = min_u32(acked, c->sbuf_len);
  bool fin_acked = c->fin_queued && seq_gt(ack, c->fin_seq);
  c->sbuf_head = (c->sbuf_head + data) % c->sbuf_cap;
  c->sbuf_len -= data;
  c->snd_una = ack;
  if (seq_lt(c->snd_nxt, ack))
    c->snd_nxt = ack;
  c->backoff = 0;
  if (c->rtt_timing && seq_gt(ack, c->rtt_seq)) {
    rtt_sample(c, sim_now(conn_sim(c)) - c->rtt_start);
    c->rtt_timing = false;
  }
  bool restart_timer = true;
  if (c->in_recovery) {
    if (seq_gt(ack, c->recover)) {
      uint32_t flight = c->snd_max - c->snd_una;
      set_cwnd(c, min_u32(c->ssthresh, max_u32(flight, c->mss) + c->mss));
      c->ca_acked = 0;
      c->in_recovery = false;
      c->dupacks = 0;
    } else {
      retransmit_first(c);
      uint32_t cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
      if (acked >= c->mss)
        cwnd += c->mss;
      set_cwnd(c, max_u32(cwnd, c->mss));
      restart_timer = !c->partial_acked;
      c->partial_acked = true;
    }
  } else {
    c->dupacks = 0;
    if (c->cwnd < c->ssthresh) {
      set_cwnd(c, c->cwnd + min_u32(acked, c->mss));
    } else {
      /* Byte counting: one SMSS per window acked, so that delayed ACKs do
       * not halve the growth. */
      c->ca_acked += acked;
      if (c->ca_acked >= c->cwnd) {
        c->ca_acked -= c->cwnd;
        set_cwnd(c, c->cwnd + c->mss);
      }
    }
  }
  /* Past recover every duplicate ACK may start a fast retransmit again;
   * forgetting it keeps the comparison clear of sequence wrap-around. */
  if (!c->in_recovery && c->recover_valid && seq_gt(ack, c->recover))
    c->recover_valid = false;
  if (c->snd_una == c->snd_max)
    sched_cancel(sched, &c->rtx_timer);
  else if (restart_timer)
    arm_rtx(c);
  if (fin_acked) {
    if (c->state == S_FIN_WAIT_1) {
      c->state = S_FIN_WAIT_2;
    } else if (c->state == S_CLOSING) {
      enter_time_wait(c);
    } else if (c->state == S_LAST_ACK) {
      close_with(c, TCP_CLOSED_NORMAL);
      return;
    }
  }
  if (data && !c->fin_queued && c->cb && c->cb->writable)
    c->cb->writable(c->ctx, c);
  output(c);
}

/* False when the rest of the segment is not to be processed. */
static bool ack_input(struct tcp_conn *c, const struct seg *s) {
  if (c->state == S_SYN_RECEIVED) {
    if (!seq_gt(s->ack, c->snd_una) || seq_gt(s->ack, c->snd_max)) {
      send_reset(c->ts->node, s);
      return false;
    }
    c->snd_wnd = s->wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    establish(c, s->ack);
    if (c->accept)
      c->accept(c->accept_ctx, c);
    if (c->cb && c->cb->connected)
      c->cb->connected(c->ctx, c);
    return true;
  }
  if (seq_gt(s->ack, c->snd_max)) {
    c->ack_now = true;
    return false;
  }
  uint32_t old_wnd = c->snd_wnd;
  if (seq_lt(c->snd_wl1, s->seq) ||
      (c->snd_wl1 == s->seq && seq_leq(c->snd_wl2, s->ack))) {
    c->snd_wnd = s->wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
  }
  if (seq_lt(s->ack, c->snd_una))
    return true; /* an old ACK */
  if (s->ack == c->snd_una) {
    /* RFC 5681 2: a duplicate ACK. */
    if (s->len == 0 && !(s->flags & (TH_SYN | TH_FIN)) && s->wnd == old_wnd &&
        c->snd_max != c->snd_una)
      dupack(c);
    return true;
  }
  new_ack(c, s->ack);
  return c->state != S_CLOSED;
}

static void deliver(struct tcp_conn *c, const uint8_t *data, uint32_t len) {
  if (len == 0)
    return;
  c->st.bytes_delivered += len;
  if (c->cb && c->cb->received)
    c->cb->received(c->ctx, c, data, len);
}

/* Keeps out-of-order bytes [seq, seq + len) in the ring (seq beyond
 * rcv_nxt, within the window). */
static void store_ooo(struct tcp_conn *c, uint32_t seq, const uint8_t *data,
                      uint32_t len) {
  uint32_t s = seq, e = seq + len;
  uint32_t i = 0;
  while (i < c->n_ooo && seq_lt(c->ooo[i].end, s))
    i++;
  uint32_t j = i;
  while (j < c->n_ooo && seq_leq(c->ooo[j].start, e)) {
    if (seq_lt(c->ooo[j].start, s))
      s = c->ooo[j].start;
    if (seq_gt(c->ooo[j].end, e))
      e = c->ooo[j].end;
    j++;
  }
  if (j == i) {
    if (c->n_ooo == MAX_OOO_RANGES)
      return;
    memmove(c->ooo + i + 1, c->ooo + i, (c->n_ooo - i) * sizeof c->ooo[0]);
    c->n_ooo++;
  } else {
    if (j == i + 1 && seq_leq(c->ooo[i].start, seq) &&
        seq_geq(c->ooo[i].end, seq + len))
      c->st.dup_segs_received++;
    memmove(c->ooo + i + 1, c->ooo + j, (c->n_ooo - j) * sizeof c->ooo[0]);
    c->n_ooo -= j - i - 1;
  }
  c->ooo[i] = (struct range){s, e};
  uint32_t at = (c->rbuf_head + (seq - c->rcv_nxt)) % c->rcv_wnd;
  uint32_t first = min_u32(len, c->rcv_wnd - at);
  memcpy(c->rbuf + at, data, first);
  memcpy(c->rbuf, data + first, len - first);
}

/* Our FIN's fate aside, the peer's FIN moves the state on. */
static void fin_received(struct tcp_conn *c) {
  if (c->state == S_ESTABLISHED)
    c->state = S_CLOSE_WAIT;
  else if (c->state == S_FIN_WAIT_1)
    c->state = S_CLOSING;
  else if (c->state == S_FIN_WAIT_2)
    enter_time_wait(c);
}

static void data_input(struct tcp_conn *c, const struct seg *s) {
  bool fin = s->flags & TH_FIN;
  if (s->len == 0 && !fin)
    return;
  /* After the peer's FIN nothing more can come from it. */
  if (c->state != S_ESTABLISHED && c->state != S_FIN_WAIT_1 &&
      c->state != S_FIN_WAIT_2)
    return;
  if (s->len > 0) {
    c->st.data_segs_received++;
    if (s->len > c->rcv_mss)
      c->rcv_mss = min_u32(s->len, c->adv_mss);
  }
  const uint8_t *data = s->data;
  uint32_t len = s->len, seq = s->seq;
  /* Cut what came before (the sequence check left at least one new
   * sequence number) and what lies beyond the window. */
  if (seq_lt(seq, c->rcv_nxt)) {
    uint32_t skip = c->rcv_nxt - seq;
    data += skip;
    len -= skip;
    seq = c->rcv_nxt;
  }
  uint32_t room = c->rcv_wnd - (seq - c->rcv_nxt);
  if (len > room) {
    len = room;
    fin = false;
  }
  if (seq != c->rcv_nxt) {
    /* RFC 5681 4.2: an out-of-order segment is ACKed at once, so that
     * the sender sees the duplicate ACKs. */
    if (len) {
      c->st.ooo_segs_received++;
      store_ooo(c, seq, data, len);
    }
    if (fin) {
      c->fin_pending = true;
      c->rcv_fin_seq = seq + len;
    }
    c->ack_now = true;
    return;
  }
  bool filled_hole = c->n_ooo > 0;
  uint32_t ring_at = (c->rbuf_head + len) % c->rcv_wnd;
  c->rcv_nxt += len;
  /* Stored ranges now reached: the first one that goes beyond rcv_nxt is
   * delivered from the ring (ranges are disjoint and not adjacent, so the
   * next one starts after a hole). */
  uint32_t more = 0;
  while (c->n_ooo > 0 && seq_leq(c->ooo[0].start, c->rcv_nxt)) {
    uint32_t end = c->ooo[0].end;
    c->n_ooo--;
    memmove(c->ooo, c->ooo + 1, c->n_ooo * sizeof c->ooo[0]);
    if (seq_gt(end, c->rcv_nxt)) {
      more = end - c->rcv_nxt;
      break;
    }
  }
  c->rcv_nxt += more;
  c->rbuf_head = (ring_at + more) % c->rcv_wnd;
  bool fin_now =
      (fin && more == 0) || (c->fin_pending && c->rcv_nxt == c->rcv_fin_seq);
  c->rcv_unacked += len + more;
  if (fin_now) {
    c->rcv_nxt++;
    c->fin_pending = false;
    fin_received(c);
  }
  if (filled_hole || fin_now || c->rcv_unacked >= 2 * c->rcv_mss)
    c->ack_now = true;
  else if (!sched_pending(&c->delack_timer))
    sched_in(&conn_sim(c)->sched, &c->delack_timer, TCP_DELACK_TIMEOUT);
  /* The bookkeeping is done: the application may now send or close. */
  deliver(c, data, len);
  uint32_t first = min_u32(more, c->rcv_wnd - ring_at);
  deliver(c, c->rbuf + ring_at, first);
  deliver(c, c->rbuf, more - first);
  if (fin_now && c->cb && c->cb->peer_closed)
    c->cb->peer_closed(c->ctx, c);
}

/* RFC 9293 3.10.7.4, for every state but LISTEN and SYN-SENT. */
static void segment_arrives(struct tcp_conn *c, const struct seg *s) {
  if (c->state == S_SYN_SENT) {
    syn_sent_input(c, s);
    return;
  }
  if (c->state == S_SYN_RECEIVED &&
      (s->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN && s->seq == c->irs) {
    send_syn(c); /* the SYN again: our SYN-ACK was lost */
    return;
  }
  if (!acceptable(c, s)) {
    if (s->len)
      c->st.dup_segs_received++;
    if (!(s->flags & TH_RST))
      c->ack_now = true;
    return;
  }
  if (s->flags & TH_RST) {
    close_with(c, TCP_CLOSED_RESET);
    return;
  }
  if (s->flags & TH_SYN) {
    c->ack_now = true; /* RFC 5961 4.2: challenge ACK */
    return;
  }
  if (!(s->flags & TH_ACK) || !ack_input(c, s))
    return;
  data_input(c, s);
}

/* Parses and checks a segment (pkt->data at the IP header); false with
 * the drop reason if it is not a valid one. */
static bool parse(const struct pkt *pkt, struct seg *s, enum drop_reason *why) {
  *s = (struct seg){0};
  ip_packet_addrs(pkt, &s->src, &s->dst);
  uint32_t hlen;
  if (s->src.family == 4) {
    hlen = (pkt->data[0] & 0x0f) * 4u;
    s->ttl = pkt->data[IP4_OFF_TTL];
  } else {
    hlen = IP6_HLEN;
    s->ttl = pkt->data[IP6_OFF_HLIM];
  }
  const uint8_t *t = pkt->data + hlen;
  uint32_t tlen = pkt->len - hlen;
  *why = DROP_MALFORMED;
  if (tlen < TCP_HLEN)
    return false;
  uint32_t doff = (t[OFF_DOFF] >> 4) * 4u;
  if (doff < TCP_HLEN || doff > tlen)
    return false;
  if (inet_pseudo_checksum(&s->src, &s->dst, IPPROTO_NUM_TCP, t, tlen) != 0) {
    *why = DROP_BAD_CHECKSUM;
    return false;
  }
  s->sport = load_be16(t + OFF_SPORT);
  s->dport = load_be16(t + OFF_DPORT);
  s->seq = load_be32(t + OFF_SEQ);
  s->ack = load_be32(t + OFF_ACK);
  s->flags = t[OFF_FLAGS];
  s->wnd = load_be16(t + OFF_WIN);
  for (uint32_t i = TCP_HLEN; i < doff;) {
    uint8_t kind = t[i];
    if (kind == OPT_END)
      break;
    if (kind == OPT_NOP) {
      i++;
      continue;
    }
    uint8_t olen;
    if (!get_u8(t, doff, i + 1, &olen) || olen < 2 || i + olen > doff)
      return false;
    if (kind == OPT_MSS && olen == OPT_MSS_LEN)
      s->mss = load_be16(t + i + 2);
    i += olen;
  }
  s->data = t + doff;
  s->len = tlen - doff;
  return true;
}

bool tcp_input(G_GNUC_UNUSED void *ctx, struct node *node, struct pkt *pkt,
               struct iface *in) {
  struct seg s;
  enum drop_reason why;
  if (!parse(pkt, &s, &why)) {
    sim_drop(node->sim, node, NULL, pkt, why);
    return true;
  }
  struct tcp_state *ts = node->tcp;
  struct tcp_conn *c =
      ts ? find_conn(ts, &s.dst, s.dport, &s.src, s.sport) : NULL;
  if (!c) {
    const struct listener *l = ts ? find_listener(ts, s.dport) : NULL;
    if (l && (s.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN) {
      passive_open(ts, l, &s);
      pkt_free(pkt);
      return true;
    }
    send_reset(node, &s);
    sim_drop(node->sim, node, NULL, pkt, DROP_UNREACHABLE);
    return true;
  }
  c->st.segs_received++;
  c->last_ttl = s.ttl;
  segment_arrives(c, &s);
  pkt_free(pkt);
  finish(c);
  return true;
}

/* ---- ICMP ------------------------------------------------------------- */

/* The MTU a "fragmentation needed" or Packet Too Big reported for a
 * segment of c: a smaller MSS, and the segments in flight again. */
static void pmtu_update(struct tcp_conn *c, uint32_t mtu) {
  bool v4 = c->remote.family == 4;
  uint32_t floor = v4 ? 68 : 1280;
  if (mtu < floor)
    mtu = floor;
  uint32_t mss = mtu - (v4 ? IP4_HLEN : IP6_HLEN) - TCP_HLEN;
  if (mss >= c->mss)
    return;
  set_mss(c, mss);
  c->snd_nxt = c->snd_una;
  output(c);
}

static bool quoted_addr(const uint8_t *b, uint32_t n, uint32_t off, bool v4,
                        struct ip_addr *a) {
  if (v4) {
    uint32_t v;
    if (!get_be32(b, n, off, &v))
      return false;
    *a = addr_v4(v);
    return true;
  }
  a->family = 6;
  return get_bytes(b, n, off, a->v6.b, 16);
}

/* ICMP "fragmentation needed" and ICMPv6 Packet Too Big quoting one of our
 * segments; other errors are left to other handlers. */
static bool on_icmp(void *ctx, struct node *node, struct pkt *pkt, uint32_t off,
                    struct iface *in) {
  struct tcp_state *ts = ctx;
  const uint8_t *b = pkt->data;
  uint32_t n = pkt->len;
  bool v4 = (b[0] >> 4) == 4;
  uint32_t mtu;
  if (v4) {
    uint8_t code;
    uint16_t m;
    if (!get_u8(b, n, off + 1, &code) || code != ICMP_UNREACH_NEEDFRAG ||
        !get_be16(b, n, off + 6, &m))
      return false;
    mtu = m;
  } else if (!get_be32(b, n, off + 4, &mtu)) {
    return false;
  }
  uint32_t inner = off + ICMP_HLEN;
  uint8_t vhl, proto;
  if (!get_u8(b, n, inner, &vhl))
    return false;
  uint32_t ihl = v4 ? (vhl & 0x0f) * 4u : IP6_HLEN;
  struct ip_addr qsrc, qdst;
  uint16_t sport, dport;
  uint32_t seq;
  if (!get_u8(b, n, inner + (v4 ? IP4_OFF_PROTO : IP6_OFF_NH), &proto) ||
      proto != IPPROTO_NUM_TCP ||
      !quoted_addr(b, n, inner + (v4 ? IP4_OFF_SRC : IP6_OFF_SRC), v4, &qsrc) ||
      !quoted_addr(b, n, inner + (v4 ? IP4_OFF_DST : IP6_OFF_DST), v4, &qdst) ||
      !get_be16(b, n, inner + ihl + OFF_SPORT, &sport) ||
      !get_be16(b, n, inner + ihl + OFF_DPORT, &dport) ||
      !get_be32(b, n, inner + ihl + OFF_SEQ, &seq))
    return false;
  struct tcp_conn *c = find_conn(ts, &qsrc, sport, &qdst, dport);
  if (!c)
    return false;
  /* Only about data still in flight (RFC 5927 checks). */
  if (seq_geq(seq, c->snd_una) && seq_lt(seq, c->snd_max) && mtu > 0)
    pmtu_update(c, mtu);
  pkt_free(pkt);
  return true;
}
