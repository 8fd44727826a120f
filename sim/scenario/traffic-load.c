/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loaders of traffic sources: <cbr>, <onoff>, <ping>, <tcp-bulk> and
 * <tcp-rr>. */
#include "sim/scenario/load.h"

#include <string.h>

#include "sim/apps/traffic.h"
#include "sim/core/sim.h"
#include "sim/net/addr.h"
#include "sim/net/node.h"
#include "sim/net/tcp.h"

/* Flows with ports take 40000 on: Wireshark decodes some lower ports as
 * other protocols (5000 as TAPA) and would call our packets malformed. */
#define DEFAULT_PORT 40000
#define DEFAULT_CBR_SIZE 512
#define DEFAULT_PING_SIZE 56
#define DEFAULT_TTL 64
#define PING_MIN_SIZE 8
/* Largest UDP payload or echo data that fits one IP datagram (without
 * IPv6 jumbograms): 65535 less the IPv4 header, or the IPv6 payload
 * length less the 8-byte UDP / ICMPv6 header. */
#define MAX_PAYLOAD_V4 (65535 - 20 - 8)
#define MAX_PAYLOAD_V6 (65535 - 8)

/* What every traffic source has: parsed and checked, nodes resolved. */
struct flow_common {
  struct node *from, *to; /* to NULL: a ping to a bare address */
  struct ip_addr dst;
  int family;
  uint64_t size, count, ttl;
  int64_t start;
};

/* Registers the flow's name and resolves from, to, family and address
 * into fc->from, fc->to, fc->dst and fc->family. */
static gboolean load_flow_ends(struct load_ctx *ld, const xmlNode *n,
                               struct flow_common *fc, GError **error) {
  if (!load_define(ld, n, LOAD_FLOW, "flow", error) ||
      !load_node_ref(ld, n, "from", &fc->from, error))
    return FALSE;
  fc->to = NULL;
  if (load_has_attr(n, "to")) {
    if (!load_node_ref(ld, n, "to", &fc->to, error))
      return FALSE;
    if (fc->to == fc->from)
      return load_error(error, ld, n, "from and to are both %s",
                        fc->from->name);
  }

  static const struct load_keyword families[] = {
      {"ipv4", 4}, {"ipv6", 6}, {NULL, 0}};
  int family = 0;
  if (!load_get_keyword(ld, n, "family", families, &family, error))
    return FALSE;
  g_autofree char *address = load_attr(n, "address");
  if (address) {
    g_autoptr(GError) local = NULL;
    if (!addr_parse(address, &fc->dst, &local))
      return load_error(error, ld, n, "%s: %s", "address", local->message);
    if (family && fc->dst.family != family)
      return load_error(error, ld, n, "address: %s is not an %s address",
                        address, load_family_name(family));
    family = fc->dst.family;
  } else if (!fc->to) {
    return load_error(error, ld, n, "needs to (a node), address, or both");
  } else {
    struct ip_addr a;
    if (!family) {
      if (node_first_addr(fc->from, 4, &a) && node_first_addr(fc->to, 4, &a))
        family = 4;
      else if (node_first_addr(fc->from, 6, &a) &&
               node_first_addr(fc->to, 6, &a))
        family = 6;
      else
        return load_error(error, ld, n,
                          "%s and %s have no address family in "
                          "common",
                          fc->from->name, fc->to->name);
    }
    if (!node_first_addr(fc->to, family, &fc->dst))
      return load_error(error, ld, n, "to: %s has no %s address", fc->to->name,
                        load_family_name(family));
  }
  struct ip_addr src;
  if (!node_first_addr(fc->from, family, &src))
    return load_error(error, ld, n, "from: %s has no %s address to send from",
                      fc->from->name, load_family_name(family));
  fc->family = family;
  return TRUE;
}

/* The first start of a flow: before the end of the run. */
static gboolean check_start(const struct load_ctx *ld, const xmlNode *n,
                            int64_t start, GError **error) {
  if (start >= ld->sim->duration)
    return load_error(error, ld, n,
                      "start: the flow would start at or after "
                      "the end of the scenario");
  return TRUE;
}

/* An optional stop: after start, no later than the end of the run. */
static gboolean check_stop(const struct load_ctx *ld, const xmlNode *n,
                           int64_t start, int64_t stop, GError **error) {
  if (load_has_attr(n, "stop") && (stop <= start || stop > ld->sim->duration))
    return load_error(error, ld, n,
                      "stop: must be after start and no later "
                      "than the scenario duration");
  return TRUE;
}

/* The flow ends (load_flow_ends), then the common numbers.  default_size
 * applies when size is absent; min_size is the application's header. */
static gboolean load_flow_common(struct load_ctx *ld, const xmlNode *n,
                                 struct flow_common *fc, uint64_t default_size,
                                 uint64_t min_size, GError **error) {
  if (!load_flow_ends(ld, n, fc, error))
    return FALSE;
  int family = fc->family;
  fc->size = default_size;
  fc->count = 0;
  fc->ttl = DEFAULT_TTL;
  fc->start = 0;
  if (!load_get_size(ld, n, "size", min_size,
                     family == 4 ? MAX_PAYLOAD_V4 : MAX_PAYLOAD_V6, &fc->size,
                     error) ||
      !load_get_count(ld, n, "count", 1, UINT64_MAX, &fc->count, error) ||
      !load_get_count(ld, n, "ttl", 1, 255, &fc->ttl, error) ||
      !load_get_time(ld, n, "start", &fc->start, error))
    return FALSE;
  return check_start(ld, n, fc->start, error);
}

/* A port on a sink node receives one flow, whatever its transport: the
 * flows of a node are told apart by port alone in captures and in
 * Wireshark's conversations.  Records port on sink for the element n, or
 * fails naming the element that has it. */
static gboolean claim_port(struct load_ctx *ld, const xmlNode *n,
                           const struct node *sink, uint64_t port,
                           GError **error) {
  g_autofree char *key =
      g_strdup_printf("%s %" G_GUINT64_FORMAT, sink->name, port);
  long line = load_claim(ld, "port", key, n);
  if (line)
    return load_error(error, ld, n,
                      "port: %" G_GUINT64_FORMAT "%s on %s is "
                      "already used by the flow on line %ld; each flow to a "
                      "node needs a port of its own, UDP and TCP alike",
                      port, load_has_attr(n, "port") ? "" : " (the default)",
                      sink->name, line);
  return TRUE;
}

/* The next default port: flows with ports take them in document order
 * from DEFAULT_PORT on. */
static uint64_t next_default_port(struct load_ctx *ld) {
  uint32_t *n_ported = load_state(ld, "traffic", sizeof *n_ported, NULL);
  return DEFAULT_PORT + (*n_ported)++;
}

/* The on/off attributes of an <onoff> into cfg. */
static gboolean load_onoff(struct load_ctx *ld, const xmlNode *n,
                           struct cbr_config *cfg, GError **error) {
  int64_t duration = ld->sim->duration;
  if (!LOAD_NEED(ld, n, error, "on", "off") ||
      !load_get_time(ld, n, "on", &cfg->on_mean, error) ||
      !load_get_time(ld, n, "off", &cfg->off_mean, error))
    return FALSE;
  if (cfg->on_mean <= 0 || cfg->on_mean > duration)
    return load_error(error, ld, n,
                      "on: must be greater than zero and at most "
                      "the scenario duration");
  if (cfg->off_mean <= 0 || cfg->off_mean > duration)
    return load_error(error, ld, n,
                      "off: must be greater than zero and at most "
                      "the scenario duration");
  static const struct load_keyword distributions[] = {
      {"exponential", ONOFF_EXPONENTIAL}, {"pareto", ONOFF_PARETO}, {NULL, 0}};
  int onoff = ONOFF_EXPONENTIAL;
  if (!load_get_keyword(ld, n, "distribution", distributions, &onoff, error))
    return FALSE;
  cfg->onoff = (enum onoff_dist)onoff;
  if (cfg->onoff != ONOFF_PARETO) {
    if (load_has_attr(n, "shape"))
      return load_error(error, ld, n,
                        "shape: only the pareto distribution has a "
                        "shape");
    return TRUE;
  }
  g_autofree char *shape = load_attr(n, "shape");
  if (!LOAD_NEED(ld, n, error, "shape") ||
      !load_get_number(ld, n, "shape", &cfg->shape, error))
    return FALSE;
  /* With shape 1 or less the mean is infinite. */
  if (cfg->shape <= 1)
    return load_error(error, ld, n, "shape: must be greater than 1, not %s",
                      shape);
  return TRUE;
}

/* <cbr>, and <onoff>: a CBR source with on and off periods. */
gboolean traffic_load_cbr(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct flow_common fc;
  uint64_t port = next_default_port(ld), bps = 0;
  int64_t interval = 0, stop = 0;
  if (!LOAD_NEED(ld, n, error, "to") ||
      !load_flow_common(ld, n, &fc, DEFAULT_CBR_SIZE, CBR_HEADER_LEN, error) ||
      !load_get_count(ld, n, "port", 1, 65535, &port, error) ||
      !load_get_time(ld, n, "interval", &interval, error) ||
      !load_get_rate(ld, n, "rate", &bps, error) ||
      !load_get_time(ld, n, "stop", &stop, error))
    return FALSE;

  if (load_has_attr(n, "interval") == load_has_attr(n, "rate"))
    return load_error(error, ld, n, "give either interval or rate (not both)");
  if (bps) {
    /* The interval that sends size bytes at rate, to the nearest ns. */
    __uint128_t bits_ns = (__uint128_t)fc.size * 8 * 1000000000u;
    interval = (int64_t)((bits_ns + bps / 2) / bps);
    if (interval == 0)
      return load_error(error, ld, n,
                        "rate: too high for the size (packets "
                        "would be sent less than 1ns apart)");
  }
  if (interval <= 0)
    return load_error(error, ld, n, "interval: must be greater than zero");
  if (!check_stop(ld, n, fc.start, stop, error))
    return FALSE;

  g_autofree char *name = load_attr(n, "name");
  struct cbr_config cfg = {
      .name = name,
      .from = fc.from,
      .sink = fc.to,
      .dst = fc.dst,
      .port = (uint16_t)port,
      .size = (uint32_t)fc.size,
      .interval = interval,
      .start = fc.start,
      .stop = stop,
      .count = fc.count,
      .ttl = (uint8_t)fc.ttl,
  };
  if (strcmp((const char *)n->name, "onoff") == 0 &&
      !load_onoff(ld, n, &cfg, error))
    return FALSE;
  if (!claim_port(ld, n, fc.to, port, error))
    return FALSE;
  g_autoptr(GError) local = NULL;
  if (!cbr_new(ld->sim, &cfg, &local))
    return load_error(error, ld, n, "%s", local->message);
  return TRUE;
}

gboolean traffic_load_ping(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct flow_common fc;
  int64_t interval = SIM_S;
  if (!load_flow_common(ld, n, &fc, DEFAULT_PING_SIZE, PING_MIN_SIZE, error) ||
      !load_get_time(ld, n, "interval", &interval, error))
    return FALSE;
  if (interval <= 0)
    return load_error(error, ld, n, "interval: must be greater than zero");

  g_autofree char *name = load_attr(n, "name");
  struct ping_config cfg = {
      .name = name,
      .from = fc.from,
      .dst = fc.dst,
      .size = (uint32_t)fc.size,
      .interval = interval,
      .start = fc.start,
      .count = fc.count,
      .ttl = (uint8_t)fc.ttl,
  };
  g_autoptr(GError) local = NULL;
  if (!ping_new(ld->sim, &cfg, &local))
    return load_error(error, ld, n, "%s", local->message);
  return TRUE;
}

/* What <tcp-bulk> and <tcp-rr> have: the flow ends, the server's port,
 * start, stop and the advertised window. */
struct tcp_common {
  struct flow_common fc;
  uint64_t port, window;
  int64_t stop;
};

static gboolean load_tcp_common(struct load_ctx *ld, const xmlNode *n,
                                struct tcp_common *tc, GError **error) {
  tc->port = next_default_port(ld);
  tc->window = TCP_MAX_RCVBUF;
  tc->stop = 0;
  tc->fc.start = 0;
  if (!LOAD_NEED(ld, n, error, "to") ||
      !load_flow_ends(ld, n, &tc->fc, error) ||
      !load_get_count(ld, n, "port", 1, 65535, &tc->port, error) ||
      !load_get_size(ld, n, "window", 0, UINT64_MAX, &tc->window, error) ||
      !load_get_time(ld, n, "start", &tc->fc.start, error) ||
      !load_get_time(ld, n, "stop", &tc->stop, error))
    return FALSE;
  if (tc->window < 1 || tc->window > TCP_MAX_RCVBUF) {
    g_autofree char *window = load_attr(n, "window");
    return load_error(error, ld, n,
                      "window: '%s' is out of range (1B to %uB: "
                      "without window scaling TCP advertises at most %u bytes)",
                      window, TCP_MAX_RCVBUF, TCP_MAX_RCVBUF);
  }
  return check_start(ld, n, tc->fc.start, error) &&
         check_stop(ld, n, tc->fc.start, tc->stop, error);
}

/* <tcp-bulk>: from sends size bytes (or until stop) to a sink on to. */
gboolean traffic_load_tcp_bulk(struct load_ctx *ld, xmlNode *n,
                               GError **error) {
  struct tcp_common tc;
  uint64_t size = 0;
  if (!load_tcp_common(ld, n, &tc, error) ||
      !load_get_size(ld, n, "size", 0, UINT64_MAX, &size, error) ||
      !claim_port(ld, n, tc.fc.to, tc.port, error))
    return FALSE;

  g_autofree char *name = load_attr(n, "name");
  struct tcp_bulk_config cfg = {
      .name = name,
      .from = tc.fc.from,
      .sink = tc.fc.to,
      .dst = tc.fc.dst,
      .port = (uint16_t)tc.port,
      .start = tc.fc.start,
      .stop = tc.stop,
      .bytes = size,
      .rcvbuf = (uint32_t)tc.window,
  };
  g_autoptr(GError) local = NULL;
  if (!tcp_bulk_new(ld->sim, &cfg, &local))
    return load_error(error, ld, n, "%s", local->message);
  return TRUE;
}

/* <tcp-rr>: from sends requests over one connection to a server on to,
 * which answers each with a response. */
gboolean traffic_load_tcp_rr(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct tcp_common tc;
  uint64_t request = 0, response = 0, count = 0;
  int64_t think = 0;
  if (!load_tcp_common(ld, n, &tc, error) ||
      !LOAD_NEED(ld, n, error, "request", "response") ||
      !load_get_size(ld, n, "request", 1, UINT32_MAX, &request, error) ||
      !load_get_size(ld, n, "response", 1, UINT32_MAX, &response, error) ||
      !load_get_time(ld, n, "think", &think, error) ||
      !load_get_count(ld, n, "count", 0, UINT64_MAX, &count, error))
    return FALSE;
  if (think > ld->sim->duration)
    return load_error(error, ld, n, "think: longer than the scenario duration");
  if (!claim_port(ld, n, tc.fc.to, tc.port, error))
    return FALSE;

  g_autofree char *name = load_attr(n, "name");
  struct tcp_rr_config cfg = {
      .name = name,
      .from = tc.fc.from,
      .sink = tc.fc.to,
      .dst = tc.fc.dst,
      .port = (uint16_t)tc.port,
      .start = tc.fc.start,
      .stop = tc.stop,
      .request = (uint32_t)request,
      .response = (uint32_t)response,
      .think = think,
      .count = count,
      .rcvbuf = (uint32_t)tc.window,
  };
  g_autoptr(GError) local = NULL;
  if (!tcp_rr_new(ld->sim, &cfg, &local))
    return load_error(error, ld, n, "%s", local->message);
  return TRUE;
}
