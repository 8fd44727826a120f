/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP (RFC 2131, RFC 2132): wire format, server and client.
 *
 * The servers and clients of a node hang off one per-node object, an
 * application of the run (so that the run frees them), which owns the
 * node's UDP ports 67 and 68 and its radio listener and hands each
 * message to the server or client of the interface it arrived on.  The
 * first such object of a run also keeps the run's lease events, the rows
 * of dhcp.tsv. */
#include "sim/services/dhcp.h"

#include <string.h>

#include "sim/core/app.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/arp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"
#include "sim/net/udp.h"
#include "sim/results/signalling.h"
#include "sim/wireless/radio.h"

/* The first argument is stringified into the domain's name, which
 * spaces would change. */
/* clang-format off */
G_DEFINE_QUARK(mipsim-dhcp-error-quark, mipsim_dhcp_error)
/* clang-format on */

#define BROADCAST 0xffffffffu
/* Client retransmission (RFC 2131 4.1): 4 s doubling to 64 s, +-1 s. */
#define RETRANS_FIRST (4 * SIM_S)
#define RETRANS_MAX (64 * SIM_S)
#define RETRANS_JITTER SIM_S
#define REQUEST_TRIES 4
/* Renewing and rebinding retransmit after half the time left, but no
 * sooner than this (RFC 2131 4.4.5). */
#define RENEW_RETRANS_MIN (60 * SIM_S)

enum {
  OPT_PAD = 0,
  OPT_MASK = 1,
  OPT_ROUTER = 3,
  OPT_REQUESTED = 50,
  OPT_LEASE = 51,
  OPT_TYPE = 53,
  OPT_SERVER_ID = 54,
  OPT_PARAMS = 55,
  OPT_END = 255,
};

enum { BOOTREQUEST = 1, BOOTREPLY = 2 };

/* ---- Wire format ------------------------------------------------------- */

static uint8_t *put_opt32(uint8_t *o, uint8_t code, uint32_t v) {
  o[0] = code;
  o[1] = 4;
  put_be32(o + 2, v);
  return o + 6;
}

size_t dhcp_encode(const struct dhcp_msg *m, uint8_t *buf, size_t cap) {
  g_return_val_if_fail(cap >= DHCP_MIN_LEN, 0);
  memset(buf, 0, DHCP_MIN_LEN);
  buf[0] = m->op;
  buf[1] = 1; /* Ethernet */
  buf[2] = 6;
  put_be32(buf + 4, m->xid);
  put_be16(buf + 8, m->secs);
  put_be16(buf + 10, m->flags);
  put_be32(buf + 12, m->ciaddr);
  put_be32(buf + 16, m->yiaddr);
  put_be32(buf + 20, m->siaddr);
  put_be32(buf + 24, m->giaddr);
  memcpy(buf + 28, m->chaddr, 6);
  put_be32(buf + DHCP_FIXED_LEN, DHCP_MAGIC_COOKIE);
  /* At most 3 + 6 * 6 + 4 + 1 bytes of options: always within the
   * 64-byte vendor area. */
  uint8_t *o = buf + DHCP_FIXED_LEN + 4;
  if (m->type) {
    *o++ = OPT_TYPE;
    *o++ = 1;
    *o++ = m->type;
  }
  if (m->has_server_id)
    o = put_opt32(o, OPT_SERVER_ID, m->server_id);
  if (m->has_requested)
    o = put_opt32(o, OPT_REQUESTED, m->requested);
  if (m->has_lease)
    o = put_opt32(o, OPT_LEASE, m->lease);
  if (m->has_mask)
    o = put_opt32(o, OPT_MASK, m->mask);
  if (m->has_router)
    o = put_opt32(o, OPT_ROUTER, m->router);
  if (m->param_request) {
    *o++ = OPT_PARAMS;
    *o++ = 2;
    *o++ = OPT_MASK;
    *o++ = OPT_ROUTER;
  }
  *o++ = OPT_END;
  size_t len = (size_t)(o - buf);
  return len < DHCP_MIN_LEN ? DHCP_MIN_LEN : len;
}

bool dhcp_decode(const uint8_t *b, size_t len, struct dhcp_msg *m) {
  memset(m, 0, sizeof *m);
  uint32_t cookie;
  if (!get_be32(b, len, DHCP_FIXED_LEN, &cookie) ||
      cookie != DHCP_MAGIC_COOKIE ||
      (b[0] != BOOTREQUEST && b[0] != BOOTREPLY) || b[1] != 1 || b[2] != 6)
    return false;
  m->op = b[0];
  m->xid = load_be32(b + 4);
  m->secs = load_be16(b + 8);
  m->flags = load_be16(b + 10);
  m->ciaddr = load_be32(b + 12);
  m->yiaddr = load_be32(b + 16);
  m->siaddr = load_be32(b + 20);
  m->giaddr = load_be32(b + 24);
  memcpy(m->chaddr, b + 28, 6);
  size_t off = DHCP_FIXED_LEN + 4;
  while (off < len) {
    uint8_t code = b[off];
    if (code == OPT_PAD) {
      off++;
      continue;
    }
    if (code == OPT_END)
      break;
    uint8_t olen;
    if (!get_u8(b, len, off + 1, &olen) || off + 2 + olen > len)
      return false;
    const uint8_t *v = b + off + 2;
    switch (code) {
    case OPT_TYPE:
      if (olen != 1)
        return false;
      m->type = v[0];
      break;
    case OPT_REQUESTED:
    case OPT_SERVER_ID:
    case OPT_LEASE:
    case OPT_MASK:
      if (olen != 4)
        return false;
      if (code == OPT_REQUESTED) {
        m->has_requested = true;
        m->requested = load_be32(v);
      } else if (code == OPT_SERVER_ID) {
        m->has_server_id = true;
        m->server_id = load_be32(v);
      } else if (code == OPT_LEASE) {
        m->has_lease = true;
        m->lease = load_be32(v);
      } else {
        m->has_mask = true;
        m->mask = load_be32(v);
      }
      break;
    case OPT_ROUTER:
      if (olen < 4 || olen % 4 != 0)
        return false;
      m->has_router = true;
      m->router = load_be32(v);
      break;
    case OPT_PARAMS:
      m->param_request = true;
      break;
    default:
      break;
    }
    off += 2 + (size_t)olen;
  }
  return true;
}

const char *dhcp_type_name(uint8_t type) {
  static const char *const names[] = {
      [DHCP_DISCOVER] = "DHCPDISCOVER", [DHCP_OFFER] = "DHCPOFFER",
      [DHCP_REQUEST] = "DHCPREQUEST",   [DHCP_DECLINE] = "DHCPDECLINE",
      [DHCP_ACK] = "DHCPACK",           [DHCP_NAK] = "DHCPNAK",
      [DHCP_RELEASE] = "DHCPRELEASE",   [DHCP_INFORM] = "DHCPINFORM",
  };
  return type > 0 && type < DHCP_TYPE_COUNT ? names[type] : "?";
}

/* Names in signalling.tsv. */
static const char *signalling_name(uint8_t type) {
  static const char *const names[] = {
      [DHCP_DISCOVER] = "dhcp_discover", [DHCP_OFFER] = "dhcp_offer",
      [DHCP_REQUEST] = "dhcp_request",   [DHCP_DECLINE] = "dhcp_decline",
      [DHCP_ACK] = "dhcp_ack",           [DHCP_NAK] = "dhcp_nak",
      [DHCP_RELEASE] = "dhcp_release",   [DHCP_INFORM] = "dhcp_inform",
  };
  return names[type];
}

static uint64_t mac_key(const uint8_t mac[6]) {
  uint64_t k = 0;
  for (int i = 0; i < 6; i++)
    k = k << 8 | mac[i];
  return k;
}

static uint8_t mask_len(uint32_t mask) {
  uint8_t n = 0;
  while (n < 32 && (mask & (0x80000000u >> n)))
    n++;
  return n;
}

/* The mask of the address's class, for a server that gives none. */
static uint8_t natural_len(uint32_t a) {
  if ((a >> 31) == 0)
    return 8;
  if ((a >> 30) == 2)
    return 16;
  return 24;
}

static char *fmt4(uint32_t a, char buf[ADDR_STRLEN]) {
  struct ip_addr x = addr_v4(a);
  return addr_format(&x, buf);
}

/* Sends message m as a UDP datagram from src:sport to dst:dport out of
 * oif: broadcasts and on-link destinations directly, others by the
 * routing table. */
static void send_msg(struct node *node, struct iface *oif,
                     const struct dhcp_msg *m, uint32_t src, uint32_t dst,
                     uint16_t sport, uint16_t dport) {
  struct pkt *p = pkt_new(&node->sim->pool, DHCP_MIN_LEN);
  pkt_trim(p, (uint32_t)dhcp_encode(m, p->data, p->len));
  struct ip_addr from = addr_v4(src), to = addr_v4(dst);
  uint16_t len = (uint16_t)(p->len + UDP_HLEN);
  signalling_count(node, signalling_name(m->type), len + IP4_HLEN);
  uint8_t *u = pkt_push(p, UDP_HLEN);
  put_be16(u, sport);
  put_be16(u + 2, dport);
  put_be16(u + 4, len);
  put_be16(u + 6, 0);
  uint16_t csum = inet_pseudo_checksum(&from, &to, IPPROTO_NUM_UDP, u, len);
  put_be16(u + 6, csum ? csum : 0xffff);
  struct ip_tx tx = {.src = from, .dst = to, .proto = IPPROTO_NUM_UDP};
  if (dst == BROADCAST || iface_on_link(oif, &to))
    ip_send_via(node, p, &tx, oif, NULL);
  else
    ip_send(node, p, &tx);
}

/* ---- Per-node state and the lease log ---------------------------------- */

struct dhcp_node {
  struct app app;
  struct node *node;
  GPtrArray *servers; /* struct dhcp_server *, owned */
  GPtrArray *clients; /* struct dhcp_client *, owned */
  bool port67, port68, listening;
  GArray *log; /* struct dhcp_event; the run's first owns it */
  bool owns_log;
  /* The client whose default route the node has, and a counter that
   * orders bindings, so that the route can fall back to the interface
   * bound last. */
  struct dhcp_client *route_owner;
  uint64_t bind_seq;
};

static const struct app_ops dhcp_node_ops;

static void log_event(struct dhcp_node *dn, struct iface *iface,
                      enum dhcp_event_kind kind, uint32_t addr, int64_t lease) {
  struct dhcp_event e = {.time = sim_now(dn->node->sim),
                         .node = dn->node,
                         .iface = iface,
                         .kind = kind,
                         .addr = addr,
                         .lease = lease};
  g_array_append_val(dn->log, e);
}

const char *dhcp_event_name(enum dhcp_event_kind kind) {
  switch (kind) {
  case DHCP_EV_BOUND:
    return "bound";
  case DHCP_EV_RENEWED:
    return "renewed";
  case DHCP_EV_LOST:
    return "lost";
  case DHCP_EV_EXPIRED:
    return "expired";
  case DHCP_EV_NAK:
    return "nak";
  case DHCP_EV_RELEASED:
    return "released";
  }
  return "?";
}

static struct dhcp_node *first_node(const struct sim *sim) {
  for (guint i = 0; i < sim->apps->len; i++) {
    struct app *a = g_ptr_array_index(sim->apps, i);
    if (a->ops == &dhcp_node_ops)
      return (struct dhcp_node *)a;
  }
  return NULL;
}

const GArray *dhcp_events(const struct sim *sim) {
  struct dhcp_node *dn = first_node(sim);
  return dn ? dn->log : NULL;
}

static char *dhcp_table(const struct sim *sim, G_GNUC_UNUSED void *ctx) {
  GString *s = g_string_new("node\tiface\ttime_s\tevent\taddress\tlease_s\n");
  const GArray *log = dhcp_events(sim);
  for (guint i = 0; log && i < log->len; i++) {
    const struct dhcp_event *e = &g_array_index(log, struct dhcp_event, i);
    char a[ADDR_STRLEN];
    g_string_append_printf(s, "%s\t%s\t%.9f\t%s\t%s\t", e->node->name,
                           e->iface->name, (double)e->time / 1e9,
                           dhcp_event_name(e->kind), fmt4(e->addr, a));
    if (e->lease == INT64_MAX)
      g_string_append(s, "-\n");
    else
      g_string_append_printf(s, "%" G_GINT64_FORMAT "\n", e->lease / SIM_S);
  }
  return g_string_free(s, FALSE);
}

static void server_free(struct dhcp_server *s);
static void client_free(struct dhcp_client *c);
static void client_begin(struct dhcp_client *c);

static void dhcp_node_start(struct app *app) {
  struct dhcp_node *dn = (struct dhcp_node *)app;
  /* Wired interfaces are on their link from the start; radios start when
   * they join a cell. */
  for (guint i = 0; i < dn->clients->len; i++) {
    struct dhcp_client *c = g_ptr_array_index(dn->clients, i);
    if (dhcp_client_iface(c)->link)
      client_begin(c);
  }
}

static bool port67_rx(void *ctx, struct node *node, struct pkt *pkt,
                      const struct udp_rx *rx);
static bool port68_rx(void *ctx, struct node *node, struct pkt *pkt,
                      const struct udp_rx *rx);

static void dhcp_node_free(struct app *app) {
  struct dhcp_node *dn = (struct dhcp_node *)app;
  for (guint i = 0; i < dn->servers->len; i++)
    server_free(g_ptr_array_index(dn->servers, i));
  for (guint i = 0; i < dn->clients->len; i++)
    client_free(g_ptr_array_index(dn->clients, i));
  g_ptr_array_free(dn->servers, TRUE);
  g_ptr_array_free(dn->clients, TRUE);
  if (dn->port67)
    udp_unregister(dn->node, DHCP_SERVER_PORT, port67_rx, dn);
  if (dn->port68)
    udp_unregister(dn->node, DHCP_CLIENT_PORT, port68_rx, dn);
  if (dn->owns_log)
    g_array_free(dn->log, TRUE);
  g_free(app->name);
  g_free(dn);
}

static const struct app_ops dhcp_node_ops = {
    .kind = "dhcp",
    .start = dhcp_node_start,
    .free = dhcp_node_free,
};

static struct dhcp_node *dhcp_node_of(struct node *node) {
  struct sim *sim = node->sim;
  struct dhcp_node *first = NULL;
  for (guint i = 0; i < sim->apps->len; i++) {
    struct app *a = g_ptr_array_index(sim->apps, i);
    if (a->ops != &dhcp_node_ops)
      continue;
    if (!first)
      first = (struct dhcp_node *)a;
    if (a->node == node)
      return (struct dhcp_node *)a;
  }
  struct dhcp_node *dn = g_new0(struct dhcp_node, 1);
  dn->app = (struct app){.ops = &dhcp_node_ops,
                         .sim = sim,
                         .node = node,
                         .name = g_strdup_printf("dhcp/%s", node->name)};
  dn->node = node;
  dn->servers = g_ptr_array_new();
  dn->clients = g_ptr_array_new();
  if (first) {
    dn->log = first->log;
  } else {
    dn->log = g_array_new(FALSE, FALSE, sizeof(struct dhcp_event));
    dn->owns_log = true;
    sim_add_table(sim, "dhcp.tsv", dhcp_table, NULL);
  }
  app_register(sim, &dn->app);
  return dn;
}

/* ---- Server ------------------------------------------------------------ */

enum lease_state { LEASE_FREE, LEASE_OFFERED, LEASE_BOUND, LEASE_DECLINED };

/* What the server knows of one address of its pool that it has handed
 * out at least once: its state and its last client. */
struct lease {
  struct dhcp_server *s;
  uint32_t addr;
  uint64_t mac; /* last client; 0: none */
  enum lease_state state;
  struct sched_event timer; /* end of the offer hold, lease or decline */
};

struct dhcp_server {
  struct dhcp_node *dn;
  struct iface *iface;
  uint32_t first, last;
  uint32_t next_fresh; /* lowest address never handed out */
  bool fresh_done;
  int64_t lease;
  bool default_router; /* the router option is the interface address */
  uint32_t router;
  GTree *leases;      /* address -> struct lease, owned */
  GHashTable *by_mac; /* client MAC -> its (last) struct lease */
  guint bound;
  uint64_t rx[DHCP_TYPE_COUNT], tx[DHCP_TYPE_COUNT];
};

static gint addr_cmp(gconstpointer a, gconstpointer b,
                     G_GNUC_UNUSED gpointer data) {
  uint32_t x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);
  return x < y ? -1 : x > y;
}

static void lease_free(gpointer data) {
  struct lease *l = data;
  sched_cancel(&l->s->dn->node->sim->sched, &l->timer);
  g_free(l);
}

static void server_free(struct dhcp_server *s) {
  g_tree_destroy(s->leases);
  g_hash_table_destroy(s->by_mac);
  g_free(s);
}

static struct lease *lease_at(const struct dhcp_server *s, uint32_t addr) {
  return g_tree_lookup(s->leases, GUINT_TO_POINTER(addr));
}

static struct lease *lease_of_mac(const struct dhcp_server *s, uint64_t mac) {
  return g_hash_table_lookup(s->by_mac, &mac);
}

static void lease_timeout(struct sched_event *ev);

static struct lease *lease_new(struct dhcp_server *s, uint32_t addr) {
  struct lease *l = g_new0(struct lease, 1);
  l->s = s;
  l->addr = addr;
  sched_event_init(&l->timer, lease_timeout);
  g_tree_insert(s->leases, GUINT_TO_POINTER(addr), l);
  return l;
}

/* The lease's client is now mac. */
static void lease_assign(struct dhcp_server *s, struct lease *l, uint64_t mac) {
  if (l->mac == mac)
    return;
  if (l->mac && lease_of_mac(s, l->mac) == l)
    g_hash_table_remove(s->by_mac, &l->mac);
  l->mac = mac;
  if (mac)
    g_hash_table_replace(s->by_mac, g_memdup2(&mac, sizeof mac), l);
}

static void lease_set(struct lease *l, enum lease_state state, int64_t for_) {
  struct dhcp_server *s = l->s;
  struct sched *sched = &s->dn->node->sim->sched;
  if (l->state == LEASE_BOUND && state != LEASE_BOUND)
    s->bound--;
  else if (l->state != LEASE_BOUND && state == LEASE_BOUND)
    s->bound++;
  l->state = state;
  sched_cancel(sched, &l->timer);
  if (state != LEASE_FREE && for_ != INT64_MAX)
    sched_in(sched, &l->timer, for_);
}

static void lease_timeout(struct sched_event *ev) {
  struct lease *l = SIM_CONTAINER_OF(ev, struct lease, timer);
  struct dhcp_server *s = l->s;
  if (l->state == LEASE_BOUND)
    log_event(s->dn, s->iface, DHCP_EV_EXPIRED, l->addr, s->lease);
  lease_set(l, LEASE_FREE, 0);
}

static bool in_pool(const struct dhcp_server *s, uint32_t a) {
  return a >= s->first && a <= s->last;
}

struct find_free {
  struct lease *found;
};

static gboolean first_free(G_GNUC_UNUSED gpointer key, gpointer value,
                           gpointer data) {
  struct lease *l = value;
  struct find_free *f = data;
  if (l->state == LEASE_FREE) {
    f->found = l;
    return TRUE;
  }
  return FALSE;
}

/* Is a an address the server never gives (its own, the router's)? */
static bool reserved(const struct dhcp_server *s, uint32_t a) {
  const struct prefix *own = iface_addr(s->iface, 4);
  return (own && own->addr.v4 == a) || a == s->router;
}

/* The address to offer the client mac (RFC 2131 4.3.1), or NULL. */
static struct lease *choose(struct dhcp_server *s, uint64_t mac,
                            const struct dhcp_msg *m) {
  struct lease *l = lease_of_mac(s, mac);
  if (l)
    return l; /* its current or previous address, still free or its own */
  if (m->has_requested && in_pool(s, m->requested) &&
      !reserved(s, m->requested)) {
    l = lease_at(s, m->requested);
    if (!l)
      return lease_new(s, m->requested);
    if (l->state == LEASE_FREE)
      return l;
  }
  while (!s->fresh_done) {
    uint32_t a = s->next_fresh;
    if (a == s->last)
      s->fresh_done = true;
    else
      s->next_fresh++;
    if (!lease_at(s, a) && !reserved(s, a))
      return lease_new(s, a);
  }
  struct find_free f = {NULL};
  g_tree_foreach(s->leases, first_free, &f);
  return f.found;
}

static void server_reply(struct dhcp_server *s, const struct dhcp_msg *req,
                         uint8_t type, const struct lease *l) {
  const struct prefix *own = iface_addr(s->iface, 4);
  struct dhcp_msg m = {.op = BOOTREPLY,
                       .xid = req->xid,
                       .flags = req->flags,
                       .giaddr = req->giaddr,
                       .type = type,
                       .has_server_id = true,
                       .server_id = own->addr.v4};
  memcpy(m.chaddr, req->chaddr, 6);
  uint32_t dst = BROADCAST;
  if (type != DHCP_NAK) {
    m.ciaddr = req->ciaddr;
    m.yiaddr = l->addr;
    m.has_lease = true;
    m.lease = s->lease == INT64_MAX ? DHCP_LEASE_INFINITE
                                    : (uint32_t)(s->lease / SIM_S);
    m.has_mask = true;
    m.mask = v4_mask(own->len);
    uint32_t router = s->default_router ? own->addr.v4 : s->router;
    if (router) {
      m.has_router = true;
      m.router = router;
    }
    /* A client with an address gets the reply by unicast (RFC 2131 4.1);
     * one without, by broadcast. */
    if (req->ciaddr)
      dst = req->ciaddr;
  }
  s->tx[type]++;
  send_msg(s->dn->node, s->iface, &m, own->addr.v4, dst, DHCP_SERVER_PORT,
           DHCP_CLIENT_PORT);
}

static void server_ack(struct dhcp_server *s, const struct dhcp_msg *req,
                       struct lease *l, uint64_t mac) {
  lease_assign(s, l, mac);
  lease_set(l, LEASE_BOUND, s->lease);
  server_reply(s, req, DHCP_ACK, l);
}

static bool on_subnet(const struct dhcp_server *s, uint32_t a) {
  struct ip_addr x = addr_v4(a);
  return iface_on_link(s->iface, &x);
}

static void server_request(struct dhcp_server *s, const struct dhcp_msg *m,
                           uint64_t mac, uint32_t own) {
  struct lease *mine = lease_of_mac(s, mac);
  if (m->has_server_id) {
    /* SELECTING: the client chose a server. */
    if (m->server_id != own) {
      if (mine && mine->state == LEASE_OFFERED)
        lease_set(mine, LEASE_FREE, 0);
      return;
    }
    if (m->has_requested && mine && mine->addr == m->requested &&
        mine->state != LEASE_FREE && mine->state != LEASE_DECLINED)
      server_ack(s, m, mine, mac);
    else
      server_reply(s, m, DHCP_NAK, NULL);
    return;
  }
  uint32_t want = m->ciaddr ? m->ciaddr : m->requested;
  if (!m->ciaddr && !m->has_requested)
    return;
  if (!on_subnet(s, want)) {
    server_reply(s, m, DHCP_NAK, NULL); /* the client moved */
    return;
  }
  if (!in_pool(s, want))
    return; /* another server's */
  struct lease *l = lease_at(s, want);
  bool others = l && l->mac != mac && l->state != LEASE_FREE;
  if (others) {
    server_reply(s, m, DHCP_NAK, NULL);
    return;
  }
  if (!m->ciaddr) {
    /* INIT-REBOOT: silent without a record of this client (4.3.2). */
    if (l && l->mac == mac && l->state != LEASE_DECLINED)
      server_ack(s, m, l, mac);
    return;
  }
  /* RENEWING or REBINDING. */
  if (reserved(s, want)) {
    server_reply(s, m, DHCP_NAK, NULL);
    return;
  }
  server_ack(s, m, l ? l : lease_new(s, want), mac);
}

static void server_rx(struct dhcp_server *s, const struct dhcp_msg *m) {
  const struct prefix *own = iface_addr(s->iface, 4);
  if (m->op != BOOTREQUEST || m->type == 0 || m->type >= DHCP_TYPE_COUNT ||
      !own)
    return;
  s->rx[m->type]++;
  uint64_t mac = mac_key(m->chaddr);
  struct lease *l;
  switch (m->type) {
  case DHCP_DISCOVER:
    l = choose(s, mac, m);
    if (!l)
      return; /* the pool is exhausted: no answer */
    lease_assign(s, l, mac);
    if (l->state != LEASE_BOUND)
      lease_set(l, LEASE_OFFERED, DHCP_OFFER_HOLD);
    server_reply(s, m, DHCP_OFFER, l);
    break;
  case DHCP_REQUEST:
    server_request(s, m, mac, own->addr.v4);
    break;
  case DHCP_RELEASE:
    l = lease_at(s, m->ciaddr);
    if (l && l->mac == mac && l->state == LEASE_BOUND &&
        (!m->has_server_id || m->server_id == own->addr.v4)) {
      log_event(s->dn, s->iface, DHCP_EV_RELEASED, l->addr, s->lease);
      lease_set(l, LEASE_FREE, 0);
    }
    break;
  case DHCP_DECLINE:
    /* The address is in use by someone else: not offered again for a
     * lease time. */
    l = m->has_requested ? lease_at(s, m->requested) : NULL;
    if (l && l->mac == mac &&
        (!m->has_server_id || m->server_id == own->addr.v4)) {
      lease_set(l, LEASE_DECLINED, s->lease);
      lease_assign(s, l, 0);
    }
    break;
  default:
    break; /* INFORM and replies: ignored */
  }
}

/* Decodes a received message into m and frees the packet; false (the
 * packet dropped as malformed) if it is not one. */
static bool take_message(struct dhcp_node *dn, struct pkt *pkt,
                         struct dhcp_msg *m) {
  if (!dhcp_decode(pkt->data, pkt->len, m)) {
    sim_drop(dn->node->sim, dn->node, NULL, pkt, DROP_MALFORMED);
    return false;
  }
  pkt_free(pkt);
  return true;
}

static bool port67_rx(void *ctx, G_GNUC_UNUSED struct node *node,
                      struct pkt *pkt, const struct udp_rx *rx) {
  struct dhcp_node *dn = ctx;
  struct dhcp_msg m;
  if (!take_message(dn, pkt, &m))
    return true;
  for (guint i = 0; i < dn->servers->len; i++) {
    struct dhcp_server *s = g_ptr_array_index(dn->servers, i);
    if (s->iface == rx->in) {
      server_rx(s, &m);
      return true;
    }
  }
  return true;
}

static gboolean config_error(GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static gboolean config_error(GError **error, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, MIPSIM_DHCP_ERROR, MIPSIM_DHCP_ERROR_CONFIG, msg);
  return FALSE;
}

static gboolean check_pool_end(const struct iface *iface,
                               const struct prefix *p, uint32_t a,
                               const char *which, GError **error) {
  char t[ADDR_STRLEN], net[ADDR_STRLEN];
  struct ip_addr x = addr_v4(a);
  struct prefix n = prefix_network(p);
  fmt4(a, t);
  if (!prefix_contains(p, &x))
    return config_error(error,
                        "the pool's %s address %s is not on the "
                        "subnet %s/%u of %s",
                        which, t, addr_format(&n.addr, net), p->len,
                        iface->name);
  if (p->len <= 30) {
    uint32_t host = a & ~v4_mask(p->len);
    if (host == 0 || host == ~v4_mask(p->len))
      return config_error(error,
                          "the pool's %s address %s is the %s "
                          "address of the subnet %s/%u",
                          which, t, host == 0 ? "network" : "broadcast",
                          addr_format(&n.addr, net), p->len);
  }
  return TRUE;
}

struct dhcp_server *dhcp_server_new(struct node *node, struct iface *iface,
                                    uint32_t pool_first, uint32_t pool_last,
                                    int64_t lease, GError **error) {
  g_return_val_if_fail(node && iface && iface->node == node, NULL);
  char a[ADDR_STRLEN], b[ADDR_STRLEN];
  const struct prefix *p = iface_addr(iface, 4);
  if (iface->radio) {
    config_error(error,
                 "%s is a mobile node's radio; a DHCP server serves "
                 "a link it is attached to",
                 iface->name);
    return NULL;
  }
  if (!p) {
    config_error(error,
                 "%s has no IPv4 address; a DHCP server leases "
                 "addresses of its interface's subnet",
                 iface->name);
    return NULL;
  }
  if (pool_first > pool_last) {
    config_error(error, "the pool's first address %s is after its last %s",
                 fmt4(pool_first, a), fmt4(pool_last, b));
    return NULL;
  }
  if (!check_pool_end(iface, p, pool_first, "first", error) ||
      !check_pool_end(iface, p, pool_last, "last", error))
    return NULL;
  if (p->addr.v4 >= pool_first && p->addr.v4 <= pool_last) {
    config_error(error, "the pool %s-%s holds %s, the address of %s",
                 fmt4(pool_first, a), fmt4(pool_last, b),
                 addr_format(&p->addr, (char[ADDR_STRLEN]){0}), iface->name);
    return NULL;
  }
  if (lease < SIM_S || lease % SIM_S != 0 ||
      lease / SIM_S >= (int64_t)DHCP_LEASE_INFINITE) {
    config_error(error,
                 "the lease must be a whole number of seconds, from "
                 "1s to %us (the option counts seconds)",
                 DHCP_LEASE_INFINITE - 1);
    return NULL;
  }
  struct sim *sim = node->sim;
  for (guint i = 0; i < sim->apps->len; i++) {
    struct app *app = g_ptr_array_index(sim->apps, i);
    if (app->ops != &dhcp_node_ops)
      continue;
    const struct dhcp_node *other = (const struct dhcp_node *)app;
    for (guint k = 0; k < other->servers->len; k++) {
      const struct dhcp_server *o = g_ptr_array_index(other->servers, k);
      if (o->iface == iface) {
        config_error(error, "%s already has a DHCP server", iface->name);
        return NULL;
      }
      if (o->iface->link == iface->link && pool_first <= o->last &&
          o->first <= pool_last) {
        config_error(error,
                     "the pool %s-%s overlaps the pool of the DHCP "
                     "server on %s",
                     fmt4(pool_first, a), fmt4(pool_last, b), o->iface->name);
        return NULL;
      }
    }
  }
  struct dhcp_node *dn = dhcp_node_of(node);
  if (!dn->port67) {
    if (udp_port_taken(node, DHCP_SERVER_PORT)) {
      config_error(error, "UDP port %d of %s is taken", DHCP_SERVER_PORT,
                   node->name);
      return NULL;
    }
    udp_register(node, DHCP_SERVER_PORT, port67_rx, dn);
    dn->port67 = true;
  }
  struct dhcp_server *s = g_new0(struct dhcp_server, 1);
  s->dn = dn;
  s->iface = iface;
  s->first = pool_first;
  s->last = pool_last;
  s->next_fresh = pool_first;
  s->lease = lease;
  s->default_router = true;
  s->leases = g_tree_new_full(addr_cmp, NULL, NULL, lease_free);
  s->by_mac = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  g_ptr_array_add(dn->servers, s);
  return s;
}

gboolean dhcp_server_set_router(struct dhcp_server *s, uint32_t router,
                                GError **error) {
  char a[ADDR_STRLEN];
  if (router && !on_subnet(s, router))
    return config_error(error, "the router %s is not on the subnet of %s",
                        fmt4(router, a), s->iface->name);
  if (router && in_pool(s, router))
    return config_error(error, "the router %s is in the pool", fmt4(router, a));
  s->default_router = false;
  s->router = router;
  return TRUE;
}

guint dhcp_server_bound(const struct dhcp_server *s) {
  return s->bound;
}

bool dhcp_server_holder(const struct dhcp_server *s, uint32_t addr,
                        uint8_t mac[6]) {
  const struct lease *l = lease_at(s, addr);
  if (!l || l->state != LEASE_BOUND)
    return false;
  for (int i = 0; i < 6; i++)
    mac[i] = (uint8_t)(l->mac >> (40 - 8 * i));
  return true;
}

uint64_t dhcp_server_received(const struct dhcp_server *s, enum dhcp_type t) {
  return t < DHCP_TYPE_COUNT ? s->rx[t] : 0;
}

uint64_t dhcp_server_sent(const struct dhcp_server *s, enum dhcp_type t) {
  return t < DHCP_TYPE_COUNT ? s->tx[t] : 0;
}

/* ---- Client ------------------------------------------------------------ */

struct dhcp_client {
  struct dhcp_node *dn;
  struct iface *iface;
  dhcp_bound_fn on_bound;
  dhcp_lost_fn on_lost;
  void *ctx;
  struct rng rng; /* transaction ids and retransmission jitter */
  enum dhcp_client_state state;
  uint32_t xid;
  int64_t started;  /* this exchange began: the secs field */
  int64_t req_sent; /* the latest REQUEST: leases count from it */
  int tries;        /* transmissions of the current message */
  /* The offer being requested, then the binding. */
  uint32_t server_id, addr, router;
  uint8_t plen;
  int64_t lease; /* INT64_MAX: infinite */
  bool has_addr;
  uint64_t bind_seq;
  int64_t t2, expiry;
  struct sched_event retrans, t1_ev, t2_ev, expiry_ev;
  uint64_t rx[DHCP_TYPE_COUNT], tx[DHCP_TYPE_COUNT];
};

static void client_cancel(struct dhcp_client *c) {
  struct sched *sched = &c->dn->node->sim->sched;
  sched_cancel(sched, &c->retrans);
  sched_cancel(sched, &c->t1_ev);
  sched_cancel(sched, &c->t2_ev);
  sched_cancel(sched, &c->expiry_ev);
}

static void client_free(struct dhcp_client *c) {
  client_cancel(c);
  g_free(c);
}

static void client_send(struct dhcp_client *c, uint8_t type, uint32_t dst) {
  int64_t secs = (sim_now(c->dn->node->sim) - c->started) / SIM_S;
  struct dhcp_msg m = {.op = BOOTREQUEST,
                       .xid = c->xid,
                       .secs = (uint16_t)(secs > 0xffff ? 0xffff : secs),
                       .type = type,
                       .param_request = type != DHCP_RELEASE};
  memcpy(m.chaddr, c->iface->mac, 6);
  if (c->has_addr) {
    m.ciaddr = c->addr; /* renewing, rebinding, releasing */
  } else {
    m.flags = DHCP_FLAG_BROADCAST; /* no address to get a unicast at */
    if (type == DHCP_REQUEST) {
      m.has_requested = true;
      m.requested = c->addr;
    }
  }
  if ((type == DHCP_REQUEST && !c->has_addr) || type == DHCP_RELEASE) {
    m.has_server_id = true;
    m.server_id = c->server_id;
  }
  if (type == DHCP_REQUEST)
    c->req_sent = sim_now(c->dn->node->sim);
  c->tx[type]++;
  send_msg(c->dn->node, c->iface, &m, c->has_addr ? c->addr : 0, dst,
           DHCP_CLIENT_PORT, DHCP_SERVER_PORT);
}

/* The wait before retransmission number `tries` (1: the first). */
static int64_t backoff(struct dhcp_client *c) {
  int64_t base = RETRANS_FIRST;
  for (int i = 1; i < c->tries && base < RETRANS_MAX; i++)
    base *= 2;
  if (base > RETRANS_MAX)
    base = RETRANS_MAX;
  return base - RETRANS_JITTER +
         (int64_t)rng_below(&c->rng, 2 * RETRANS_JITTER + 1);
}

/* Renewing and rebinding: retransmit after half the time to deadline, at
 * least RENEW_RETRANS_MIN, if that is before the deadline. */
static void renew_retrans(struct dhcp_client *c, int64_t deadline) {
  struct sim *sim = c->dn->node->sim;
  int64_t wait = (deadline - sim_now(sim)) / 2;
  if (wait < RENEW_RETRANS_MIN)
    wait = RENEW_RETRANS_MIN;
  if (deadline == INT64_MAX || sim_now(sim) + wait < deadline)
    sched_in(&sim->sched, &c->retrans, wait);
}

static void new_exchange(struct dhcp_client *c) {
  c->xid = (uint32_t)rng_u64(&c->rng);
  c->started = sim_now(c->dn->node->sim);
  c->tries = 0;
}

static void send_discover(struct dhcp_client *c) {
  c->tries++;
  client_send(c, DHCP_DISCOVER, BROADCAST);
  sched_in(&c->dn->node->sim->sched, &c->retrans, backoff(c));
}

static void send_request(struct dhcp_client *c) {
  c->tries++;
  client_send(c, DHCP_REQUEST, BROADCAST);
  sched_in(&c->dn->node->sim->sched, &c->retrans, backoff(c));
}

/* INIT: a new DISCOVER. */
static void client_begin(struct dhcp_client *c) {
  client_cancel(c);
  c->state = DHCP_STATE_SELECTING;
  new_exchange(c);
  send_discover(c);
}

static const struct prefix default_route = {.addr = {.family = 4}, .len = 0};

/* The node's default route is the one of its interface bound last. */
static void route_fallback(struct dhcp_node *dn) {
  struct dhcp_client *best = NULL;
  for (guint i = 0; i < dn->clients->len; i++) {
    struct dhcp_client *o = g_ptr_array_index(dn->clients, i);
    if (o->has_addr && o->router && (!best || o->bind_seq > best->bind_seq))
      best = o;
  }
  dn->route_owner = best;
  if (best) {
    struct ip_addr gw = addr_v4(best->router);
    route_add(dn->node, &default_route, best->iface, &gw);
  }
}

static void drop_address(struct dhcp_client *c, enum dhcp_event_kind why) {
  if (!c->has_addr)
    return;
  struct dhcp_node *dn = c->dn;
  uint32_t addr = c->addr;
  c->has_addr = false;
  if (dn->route_owner == c) {
    route_del(dn->node, &default_route);
    route_fallback(dn);
  }
  struct ip_addr a = addr_v4(addr);
  iface_del_addr(c->iface, &a);
  log_event(dn, c->iface, why, addr, c->lease);
  if (c->on_lost)
    c->on_lost(c->ctx, c->iface, addr);
}

/* Lease times count from the REQUEST that was answered (4.4.1). */
static void set_timers(struct dhcp_client *c) {
  struct sched *sched = &c->dn->node->sim->sched;
  sched_cancel(sched, &c->retrans);
  sched_cancel(sched, &c->t1_ev);
  sched_cancel(sched, &c->t2_ev);
  sched_cancel(sched, &c->expiry_ev);
  if (c->lease == INT64_MAX) {
    c->t2 = c->expiry = INT64_MAX;
    return;
  }
  /* A lease shorter than the exchange would put them in the past. */
  int64_t now = sim_now(c->dn->node->sim);
  int64_t t1 = MAX(c->req_sent + c->lease / 2, now);
  c->t2 = MAX(c->req_sent + c->lease / 8 * 7, now);
  c->expiry = MAX(c->req_sent + c->lease, now);
  sched_at(sched, &c->t1_ev, t1);
  sched_at(sched, &c->t2_ev, c->t2);
  sched_at(sched, &c->expiry_ev, c->expiry);
}

static void client_bind(struct dhcp_client *c, const struct dhcp_msg *m) {
  struct dhcp_node *dn = c->dn;
  if (m->has_lease)
    c->lease =
        m->lease == DHCP_LEASE_INFINITE ? INT64_MAX : (int64_t)m->lease * SIM_S;
  if (m->has_mask)
    c->plen = mask_len(m->mask);
  if (m->has_router)
    c->router = m->router;
  c->state = DHCP_STATE_BOUND;
  c->has_addr = true;
  c->bind_seq = ++dn->bind_seq;
  struct prefix p = {.addr = addr_v4(c->addr), .len = c->plen};
  iface_add_addr(c->iface, &p);
  if (c->router) {
    struct ip_addr gw = addr_v4(c->router);
    route_add(dn->node, &default_route, c->iface, &gw);
    dn->route_owner = c;
  }
  set_timers(c);
  /* Tell the link's caches that the address has moved here (RFC 2131
   * 4.4.1 allows it; RFC 5227's announcement). */
  if (c->iface->link && c->iface->link->ops->framing == LINK_FRAMING_ETHERNET)
    arp_announce(c->iface, c->addr, c->iface->mac);
  log_event(dn, c->iface, DHCP_EV_BOUND, c->addr, c->lease);
  if (c->on_bound)
    c->on_bound(c->ctx, c->iface, c->addr, c->plen, c->router, c->lease);
}

static void client_rx(struct dhcp_client *c, const struct dhcp_msg *m) {
  if (m->op != BOOTREPLY || m->xid != c->xid || m->type == 0 ||
      m->type >= DHCP_TYPE_COUNT || memcmp(m->chaddr, c->iface->mac, 6) != 0)
    return;
  c->rx[m->type]++;
  switch (c->state) {
  case DHCP_STATE_SELECTING:
    if (m->type != DHCP_OFFER || !m->yiaddr || !m->has_server_id ||
        !m->has_lease)
      return;
    /* The first offer wins. */
    c->server_id = m->server_id;
    c->addr = m->yiaddr;
    c->lease =
        m->lease == DHCP_LEASE_INFINITE ? INT64_MAX : (int64_t)m->lease * SIM_S;
    c->plen = m->has_mask ? mask_len(m->mask) : natural_len(m->yiaddr);
    c->router = m->has_router ? m->router : 0;
    c->state = DHCP_STATE_REQUESTING;
    c->tries = 0;
    sched_cancel(&c->dn->node->sim->sched, &c->retrans);
    send_request(c);
    break;
  case DHCP_STATE_REQUESTING:
    if (m->has_server_id && m->server_id != c->server_id)
      return;
    if (m->type == DHCP_ACK && m->yiaddr == c->addr)
      client_bind(c, m);
    else if (m->type == DHCP_NAK)
      client_begin(c);
    break;
  case DHCP_STATE_RENEWING:
  case DHCP_STATE_REBINDING:
    if (m->type == DHCP_ACK && m->yiaddr == c->addr) {
      if (m->has_lease)
        c->lease = m->lease == DHCP_LEASE_INFINITE ? INT64_MAX
                                                   : (int64_t)m->lease * SIM_S;
      if (m->has_server_id)
        c->server_id = m->server_id;
      c->state = DHCP_STATE_BOUND;
      set_timers(c);
      log_event(c->dn, c->iface, DHCP_EV_RENEWED, c->addr, c->lease);
    } else if (m->type == DHCP_NAK) {
      drop_address(c, DHCP_EV_NAK);
      client_begin(c);
    }
    break;
  default:
    break;
  }
}

static void retrans_fire(struct sched_event *ev) {
  struct dhcp_client *c = SIM_CONTAINER_OF(ev, struct dhcp_client, retrans);
  switch (c->state) {
  case DHCP_STATE_SELECTING:
    send_discover(c);
    break;
  case DHCP_STATE_REQUESTING:
    if (c->tries >= REQUEST_TRIES)
      client_begin(c);
    else
      send_request(c);
    break;
  case DHCP_STATE_RENEWING:
    client_send(c, DHCP_REQUEST, c->server_id);
    renew_retrans(c, c->t2);
    break;
  case DHCP_STATE_REBINDING:
    client_send(c, DHCP_REQUEST, BROADCAST);
    renew_retrans(c, c->expiry);
    break;
  default:
    break;
  }
}

static void t1_fire(struct sched_event *ev) {
  struct dhcp_client *c = SIM_CONTAINER_OF(ev, struct dhcp_client, t1_ev);
  c->state = DHCP_STATE_RENEWING;
  new_exchange(c);
  client_send(c, DHCP_REQUEST, c->server_id);
  renew_retrans(c, c->t2);
}

static void t2_fire(struct sched_event *ev) {
  struct dhcp_client *c = SIM_CONTAINER_OF(ev, struct dhcp_client, t2_ev);
  sched_cancel(&c->dn->node->sim->sched, &c->retrans);
  c->state = DHCP_STATE_REBINDING;
  new_exchange(c);
  client_send(c, DHCP_REQUEST, BROADCAST);
  renew_retrans(c, c->expiry);
}

static void expiry_fire(struct sched_event *ev) {
  struct dhcp_client *c = SIM_CONTAINER_OF(ev, struct dhcp_client, expiry_ev);
  drop_address(c, DHCP_EV_EXPIRED);
  client_begin(c);
}

static bool port68_rx(void *ctx, G_GNUC_UNUSED struct node *node,
                      struct pkt *pkt, const struct udp_rx *rx) {
  struct dhcp_node *dn = ctx;
  struct dhcp_msg m;
  if (!take_message(dn, pkt, &m))
    return true;
  for (guint i = 0; i < dn->clients->len; i++) {
    struct dhcp_client *c = g_ptr_array_index(dn->clients, i);
    if (c->iface == rx->in) {
      client_rx(c, &m);
      return true;
    }
  }
  return true;
}

static void on_radio(void *ctx, struct iface *iface,
                     G_GNUC_UNUSED struct cell *cell, bool up) {
  struct dhcp_node *dn = ctx;
  for (guint i = 0; i < dn->clients->len; i++) {
    struct dhcp_client *c = g_ptr_array_index(dn->clients, i);
    if (c->iface != iface)
      continue;
    if (up) {
      client_begin(c);
    } else {
      client_cancel(c);
      c->state = DHCP_STATE_IDLE;
      drop_address(c, DHCP_EV_LOST);
    }
  }
}

struct dhcp_client *dhcp_client_new(struct iface *iface, dhcp_bound_fn on_bound,
                                    dhcp_lost_fn on_lost, void *ctx) {
  g_return_val_if_fail(iface != NULL, NULL);
  struct node *node = iface->node;
  struct dhcp_node *dn = dhcp_node_of(node);
  for (guint i = 0; i < dn->clients->len; i++)
    if (((struct dhcp_client *)g_ptr_array_index(dn->clients, i))->iface ==
        iface)
      return NULL;
  if (!dn->port68) {
    if (udp_port_taken(node, DHCP_CLIENT_PORT))
      return NULL;
    udp_register(node, DHCP_CLIENT_PORT, port68_rx, dn);
    dn->port68 = true;
  }
  if (iface->radio && !dn->listening) {
    radio_listen(node, on_radio, dn);
    dn->listening = true;
  }
  struct dhcp_client *c = g_new0(struct dhcp_client, 1);
  c->dn = dn;
  c->iface = iface;
  c->on_bound = on_bound;
  c->on_lost = on_lost;
  c->ctx = ctx;
  g_autofree char *stream = g_strdup_printf("dhcp/%s", iface->name);
  sim_rng(node->sim, &c->rng, stream);
  sched_event_init(&c->retrans, retrans_fire);
  sched_event_init(&c->t1_ev, t1_fire);
  sched_event_init(&c->t2_ev, t2_fire);
  sched_event_init(&c->expiry_ev, expiry_fire);
  g_ptr_array_add(dn->clients, c);
  return c;
}

void dhcp_client_release(struct dhcp_client *c) {
  client_cancel(c);
  if (c->has_addr) {
    new_exchange(c);
    client_send(c, DHCP_RELEASE, c->server_id);
    drop_address(c, DHCP_EV_RELEASED);
  }
  c->state = DHCP_STATE_IDLE;
}

enum dhcp_client_state dhcp_client_state(const struct dhcp_client *c) {
  return c->state;
}

bool dhcp_client_address(const struct dhcp_client *c, uint32_t *addr) {
  if (c->has_addr && addr)
    *addr = c->addr;
  return c->has_addr;
}

uint64_t dhcp_client_sent(const struct dhcp_client *c, enum dhcp_type t) {
  return t < DHCP_TYPE_COUNT ? c->tx[t] : 0;
}

uint64_t dhcp_client_received(const struct dhcp_client *c, enum dhcp_type t) {
  return t < DHCP_TYPE_COUNT ? c->rx[t] : 0;
}

struct iface *dhcp_client_iface(const struct dhcp_client *c) {
  return c->iface;
}
