/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP over IPv4 and IPv6 with NewReno congestion control: connections with
 * send and receive buffers, for the applications of tcpapp.c. */
#ifndef MIPSIM_TCP_H
#define MIPSIM_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/sched.h"
#include "sim/net/addr.h"

struct node;
struct iface;
struct pkt;
struct tcp_conn;

#define TCP_HLEN 20
/* The largest window a header can carry without window scaling. */
#define TCP_MAX_RCVBUF 65535
#define TCP_DEFAULT_RCVBUF TCP_MAX_RCVBUF
#define TCP_DEFAULT_SNDBUF (256 * 1024)
/* RFC 6298: initial RTO, lower and upper bounds, clock granularity G. */
#define TCP_RTO_INITIAL SIM_S
#define TCP_RTO_MIN SIM_S
#define TCP_RTO_MAX (60 * SIM_S)
#define TCP_CLOCK_G SIM_MS
/* RFC 6298 (5.7): the RTO once data flows after a retransmitted SYN. */
#define TCP_RTO_AFTER_SYN_LOSS (3 * SIM_S)
#define TCP_DELACK_TIMEOUT (200 * SIM_MS)
/* 2 MSL in TIME-WAIT, as Linux (TCP_TIMEWAIT_LEN). */
#define TCP_TIME_WAIT (60 * SIM_S)
/* Consecutive retransmission timeouts before the connection is given up
 * (RFC 1122 R2; Linux's tcp_retries2 and tcp_syn_retries). */
#define TCP_MAX_RETRIES 15
#define TCP_MAX_SYN_RETRIES 6

enum tcp_close_reason {
  TCP_CLOSED_NORMAL,  /* both directions closed with FIN */
  TCP_CLOSED_RESET,   /* the peer sent RST (a refused connection too) */
  TCP_CLOSED_TIMEOUT, /* too many retransmission timeouts */
};

/* Counters of one connection. */
struct tcp_stats {
  uint64_t segs_sent;
  uint64_t data_segs_sent;   /* with payload, new or sent again */
  uint64_t pure_acks_sent;   /* no payload, SYN, FIN or RST */
  uint64_t retransmits;      /* segments (data, SYN, FIN) sent again */
  uint64_t fast_retransmits; /* of them, on the third duplicate ACK */
  uint64_t timeouts;         /* retransmission timer expiries */
  uint64_t segs_received;
  uint64_t data_segs_received;
  uint64_t dupacks_received;
  uint64_t ooo_segs_received; /* beyond the next expected byte */
  uint64_t dup_segs_received; /* every byte already received */
  uint64_t bytes_delivered;   /* in order to the application */
  uint32_t mss;               /* current send MSS */
  int64_t rto_max;            /* largest RTO the timer was armed with */
};

/* What a connection tells its application; any member may be NULL.  The
 * callbacks may call tcp_send and tcp_close. */
struct tcp_callbacks {
  /* The three-way handshake completed. */
  void (*connected)(void *ctx, struct tcp_conn *c);
  /* Bytes that arrived in order, each delivered exactly once. */
  void (*received)(void *ctx, struct tcp_conn *c, const uint8_t *data,
                   uint32_t len);
  /* Acknowledged bytes left the send buffer: tcp_send accepts more. */
  void (*writable)(void *ctx, struct tcp_conn *c);
  /* The peer closed its direction (its FIN came after all its data). */
  void (*peer_closed)(void *ctx, struct tcp_conn *c);
  /* The connection is gone: c is freed when this returns. */
  void (*closed)(void *ctx, struct tcp_conn *c, enum tcp_close_reason why);
};

/* Buffer sizes; 0 takes the default.  rcvbuf is the advertised window,
 * at most TCP_MAX_RCVBUF (no window scaling). */
struct tcp_opts {
  uint32_t rcvbuf;
  uint32_t sndbuf;
};

/* A connection completed its handshake on a listening port; the function
 * sets its callbacks (tcp_set_callbacks). */
typedef void (*tcp_accept_fn)(void *ctx, struct tcp_conn *c);

/* Accepts connections to port on any address of node, either family.
 * False if the port is taken. */
bool tcp_listen(struct node *node, uint16_t port, const struct tcp_opts *opts,
                tcp_accept_fn fn, void *ctx);

/* Opens a connection from node to dst:port and sends the SYN at once.
 * src.family 0: the address of the outgoing interface.  NULL if there is
 * no route to dst.  The connection is owned by TCP, which frees it after
 * the closed callback. */
struct tcp_conn *tcp_connect(struct node *node, const struct ip_addr *src,
                             const struct ip_addr *dst, uint16_t port,
                             const struct tcp_opts *opts,
                             const struct tcp_callbacks *cb, void *ctx);

void tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cb,
                       void *ctx);

/* What a connection reports of its sending to whoever keeps statistics
 * of it (a flow: flow_follow_tcp), so that TCP knows nothing of them.
 * Every hook may be NULL. */
struct tcp_report {
  void (*sent)(void *ctx, uint32_t bytes); /* new data, not retransmitted */
  void (*cwnd)(void *ctx, uint32_t cwnd);  /* also once when set */
  void (*retransmitted)(void *ctx);
  void (*timeout)(void *ctx);
};
void tcp_set_report(struct tcp_conn *c, const struct tcp_report *report,
                    void *ctx);

/* Copies up to len bytes into the send buffer and sends what the windows
 * allow; returns the bytes taken.  Only once connected, before tcp_close.*/
uint32_t tcp_send(struct tcp_conn *c, const uint8_t *data, uint32_t len);
uint32_t tcp_send_space(const struct tcp_conn *c);
/* No more data from this side: FIN after the buffered bytes. */
void tcp_close(struct tcp_conn *c);

const struct tcp_stats *tcp_conn_stats(const struct tcp_conn *c);
/* TTL or hop limit of the last segment received. */
uint8_t tcp_conn_last_ttl(const struct tcp_conn *c);

/* Kernel side: the handler of IP protocol 6 on every node (an ip_proto_fn;
 * data at the IP header).  Takes every segment. */
bool tcp_input(void *ctx, struct node *node, struct pkt *pkt, struct iface *in);
void tcp__node_free(struct node *node);

#endif
