/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Traffic applications: UDP constant bit rate source with its sink, and
 * ICMP echo (ping). */
#ifndef MIPSIM_TRAFFIC_H
#define MIPSIM_TRAFFIC_H

#include <glib.h>
#include <stdint.h>

#include "sim/net/addr.h"

struct sim;
struct node;

/* Each UDP datagram's payload starts with this header (network order):
 * sequence number (4), send time in ns (8), flow id (4); then zeros. */
#define CBR_HEADER_LEN 16

/* On/off sources send at the constant rate during "on" periods and are
 * silent during "off" periods, whose lengths are drawn independently. */
enum onoff_dist { ONOFF_NONE, ONOFF_EXPONENTIAL, ONOFF_PARETO };

struct cbr_config {
  const char *name;
  struct node *from;
  struct node *sink;   /* the node that receives */
  struct ip_addr dst;  /* the address the source sends to */
  struct ip_addr src;  /* family 0: chosen by the route */
  uint16_t port;       /* destination (sink) port; source port too */
  uint32_t size;       /* UDP payload bytes, >= CBR_HEADER_LEN */
  int64_t interval;    /* between packets */
  int64_t start, stop; /* stop 0: until the end of the run */
  uint64_t count;      /* 0: no limit */
  uint8_t ttl;
  /* ONOFF_NONE: always on.  Otherwise mean on and off times and, for
   * Pareto, the shape (> 1); the source starts in an on period. */
  enum onoff_dist onoff;
  int64_t on_mean, off_mean;
  double shape;
};

/* Creates source, sink and flow; fails if the sink port is taken.  An
 * on/off source draws its periods from the stream "flow/<name>/onoff". */
gboolean cbr_new(struct sim *sim, const struct cbr_config *cfg, GError **error);

struct ping_config {
  const char *name;
  struct node *from;
  struct ip_addr dst;
  uint32_t size; /* echo data bytes, >= 8 (timestamp) */
  int64_t interval;
  int64_t start;
  uint64_t count; /* 0: until the end of the run */
  uint8_t ttl;
};

gboolean ping_new(struct sim *sim, const struct ping_config *cfg,
                  GError **error);

#define MIPSIM_TRAFFIC_ERROR (mipsim_traffic_error_quark())
GQuark mipsim_traffic_error_quark(void);
enum { MIPSIM_TRAFFIC_ERROR_CONFIG };

/* TCP applications (tcpapp.c), one flow each.  Every byte a side sends is
 * (i * 7) mod 251 for its offset i in that direction, so the receiver
 * checks each one. */
#include "sim/net/tcp.h"

struct tcp_bulk_config {
  const char *name;
  struct node *from;  /* connects and sends */
  struct node *sink;  /* listens on port and receives */
  struct ip_addr dst; /* the sink address the sender connects to */
  struct ip_addr src; /* family 0: chosen by the route */
  uint16_t port;
  int64_t start, stop; /* stop 0: end of run; the sender closes then */
  uint64_t bytes;      /* 0: no limit, until stop */
  uint32_t rcvbuf;     /* advertised window, <= 65535; 0: 65535 */
};

/* Creates sender, sink (listening on port) and the "tcp-bulk" flow; fails
 * if the port is taken on the sink. */
gboolean tcp_bulk_new(struct sim *sim, const struct tcp_bulk_config *cfg,
                      GError **error);

struct tcp_rr_config {
  const char *name;
  struct node *from;  /* the client */
  struct node *sink;  /* the server, listening on port */
  struct ip_addr dst; /* the server address */
  struct ip_addr src; /* family 0: chosen by the route */
  uint16_t port;
  int64_t start, stop;        /* no request starts at or after stop (0: none) */
  uint32_t request, response; /* bytes of each, > 0 */
  int64_t think;   /* from the end of a response to the next request */
  uint64_t count;  /* exchanges; 0: until stop */
  uint32_t rcvbuf; /* both sides; as above */
};

/* Request/response over one connection, flow "tcp-rr": each response time
 * (request written to last response byte received) is a delay sample. */
gboolean tcp_rr_new(struct sim *sim, const struct tcp_rr_config *cfg,
                    GError **error);

/* What a TCP application saw, for tests and diagnostics. */
struct tcp_app_report {
  uint64_t delivered; /* bulk: bytes at the sink; rr: response bytes */
  uint64_t corrupt;   /* received bytes that broke the pattern */
  uint64_t excess;    /* received bytes beyond what was sent */
  uint64_t exchanges; /* rr: responses complete */
  bool client_closed, server_closed;
  enum tcp_close_reason client_why, server_why;
  /* Counters of the two connections: final once closed, else current. */
  struct tcp_stats client, server;
};

/* False if sim has no TCP application of that name. */
gboolean tcp_app_report(const struct sim *sim, const char *name,
                        struct tcp_app_report *out);

#endif
