/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IP layer: input validation, hooks, local delivery, forwarding with
 * TTL / hop limit and ICMP errors, fragmentation, and output through the
 * neighbour layer to the link.  Both families share the path; where they
 * differ (checksum, fragmentation, ICMP flavour) the version decides. */
#include "sim/net/ip.h"

#include <string.h>

#include "sim/core/dispatch.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/frag.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/route.h"

struct ip_hook_entry {
  int priority;
  ip_hook_fn fn;
  void *ctx;
};

/* Kept sorted by (priority, registration order): a point has a handful of
 * hooks, so an insertion that shifts them costs less than sorting on every
 * packet. */
void ip_hook_add(struct node *node, enum ip_hook hook, int priority,
                 ip_hook_fn fn, void *ctx) {
  GArray *a = node->hooks[hook];
  if (!a)
    a = node->hooks[hook] =
        g_array_new(FALSE, FALSE, sizeof(struct ip_hook_entry));
  const struct ip_hook_entry *e = (const void *)a->data;
  guint at = a->len;
  for (guint i = 0; i < a->len; i++) {
    g_return_if_fail(e[i].fn != fn || e[i].ctx != ctx);
    if (e[i].priority > priority && at == a->len)
      at = i;
  }
  struct ip_hook_entry n = {priority, fn, ctx};
  g_array_insert_val(a, at, n);
}

void ip_hook_remove(struct node *node, enum ip_hook hook, ip_hook_fn fn,
                    void *ctx) {
  GArray *a = node->hooks[hook];
  for (guint i = 0; a && i < a->len; i++) {
    const struct ip_hook_entry *e = &g_array_index(a, struct ip_hook_entry, i);
    if (e->fn == fn && e->ctx == ctx) {
      g_array_remove_index(a, i);
      if (a->len == 0)
        g_clear_pointer(&node->hooks[hook], g_array_unref);
      return;
    }
  }
}

static uint32_t proto_key(int family, uint8_t proto) {
  return (uint32_t)family << 8 | proto;
}

void ip_proto_register(struct node *node, int family, uint8_t proto,
                       ip_proto_fn fn, void *ctx) {
  g_return_if_fail(dispatch_add(&node->protos, proto_key(family, proto),
                                (dispatch_fn)fn, ctx));
}

void ip_proto_unregister(struct node *node, int family, uint8_t proto,
                         ip_proto_fn fn, void *ctx) {
  dispatch_remove(&node->protos, proto_key(family, proto), (dispatch_fn)fn,
                  ctx);
}

void ip__node_free(struct node *node) {
  for (int h = 0; h < IP_HOOK_COUNT; h++)
    g_clear_pointer(&node->hooks[h], g_array_unref);
  dispatch_clear(&node->protos);
}

/* Runs the hooks of one point; false if the packet is gone (dropped and
 * counted, or stolen). */
static bool run_hook_list(struct node *node, enum ip_hook hook, struct pkt *pkt,
                          struct iface *in, struct iface *out) {
  const GArray *a = node->hooks[hook];
  for (guint i = 0; i < a->len; i++) {
    const struct ip_hook_entry *e = &g_array_index(a, struct ip_hook_entry, i);
    struct ip_verdict v = e->fn(e->ctx, node, pkt, in, out);
    switch (v.kind) {
    case IP_VERDICT_ACCEPT:
      break;
    case IP_VERDICT_DROP:
      sim_drop(node->sim, node, NULL, pkt, v.reason);
      return false;
    case IP_VERDICT_STOLEN:
      return false;
    }
  }
  return true;
}

/* A forwarded packet passes three hook points, usually all empty: no call
 * for those. */
static inline bool run_hooks(struct node *node, enum ip_hook hook,
                             struct pkt *pkt, struct iface *in,
                             struct iface *out) {
  return !node->hooks[hook] || run_hook_list(node, hook, pkt, in, out);
}

static inline int ip_version(const struct pkt *pkt) {
  return pkt->len ? pkt->data[0] >> 4 : 0;
}

bool ip_packet_addrs(const struct pkt *pkt, struct ip_addr *src,
                     struct ip_addr *dst) {
  const uint8_t *h = pkt->data;
  if (ip_version(pkt) == 4 && pkt->len >= IP4_HLEN) {
    *src = addr_v4(load_be32(h + IP4_OFF_SRC));
    *dst = addr_v4(load_be32(h + IP4_OFF_DST));
    return true;
  }
  if (ip_version(pkt) == 6 && pkt->len >= IP6_HLEN) {
    src->family = dst->family = 6;
    memcpy(src->v6.b, h + IP6_OFF_SRC, 16);
    memcpy(dst->v6.b, h + IP6_OFF_DST, 16);
    return true;
  }
  return false;
}

/* ---- output ------------------------------------------------------------ */

static void neigh_output(void *ctx, struct pkt *pkt) {
  const struct nexthop *nh = ctx;
  link_output(nh->oif, pkt, &nh->gw);
}

/* The common tail of forwarded and originated packets: POST_ROUTING, the
 * MTU, then the neighbour layer. */
static void finish_output(struct node *node, struct pkt *pkt, struct iface *in,
                          const struct nexthop *nh) {
  if (!run_hooks(node, IP_HOOK_POST_ROUTING, pkt, in, nh->oif))
    return;
  if (!nh->oif->up) {
    sim_drop(node->sim, node, NULL, pkt, DROP_LINK_DOWN);
    return;
  }
  uint32_t mtu = nh->oif->link->mtu;
  if (pkt->len <= mtu) {
    neigh_output((void *)nh, pkt);
    return;
  }
  if (ip_version(pkt) == 6) {
    /* IPv6 routers never fragment (RFC 8200); source fragmentation is not
     * modelled, so a local sender gets the same Packet Too Big. */
    icmp_send_error(node, pkt, ICMP6_PACKET_TOO_BIG, 0, mtu);
    sim_drop(node->sim, node, NULL, pkt, DROP_TOO_BIG);
    return;
  }
  if (load_be16(pkt->data + IP4_OFF_FRAG) & IP4_DF) {
    icmp_send_error(node, pkt, ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, mtu);
    sim_drop(node->sim, node, NULL, pkt, DROP_TOO_BIG);
    return;
  }
  frag_fragment(node, pkt, mtu, neigh_output, (void *)nh);
}

static bool is_v4_multicast_or_broadcast(uint32_t a) {
  return (a >> 28) == 0xe || a == 0xffffffffu;
}

void ip_output_via(struct node *node, struct pkt *pkt, struct iface *oif,
                   const struct ip_addr *gw) {
  if (!node->up) {
    sim_drop(node->sim, node, NULL, pkt, DROP_NODE_DOWN);
    return;
  }
  struct nexthop nh = {.oif = oif};
  if (gw)
    nh.gw = *gw;
  finish_output(node, pkt, NULL, &nh);
}

void ip_output(struct node *node, struct pkt *pkt) {
  if (!node->up) {
    sim_drop(node->sim, node, NULL, pkt, DROP_NODE_DOWN);
    return;
  }
  if (!run_hooks(node, IP_HOOK_LOCAL_OUT, pkt, NULL, NULL))
    return;
  struct ip_addr src, dst;
  struct nexthop nh;
  if (!ip_packet_addrs(pkt, &src, &dst)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return;
  }
  if (!route_lookup(node, &dst, &nh)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_NO_ROUTE);
    return;
  }
  finish_output(node, pkt, NULL, &nh);
}

bool ip_select_source(struct node *node, const struct ip_addr *dst,
                      struct ip_addr *src) {
  struct nexthop nh;
  if (!route_lookup(node, dst, &nh))
    return false;
  const struct prefix *p = iface_addr(nh.oif, dst->family);
  if (p) {
    *src = p->addr;
    return true;
  }
  return node_first_addr(node, dst->family, src);
}

/* Prepends the IP header of tx; false (packet dropped) if it cannot. */
static bool push_header(struct node *node, struct pkt *pkt,
                        const struct ip_tx *tx, const struct ip_addr *src) {
  uint8_t ttl = tx->ttl ? tx->ttl : IP_DEFAULT_TTL;
  if (tx->dst.family == 4) {
    uint32_t total = pkt->len + IP4_HLEN;
    if (total > 0xffff) {
      sim_drop(node->sim, node, NULL, pkt, DROP_TOO_BIG);
      return false;
    }
    uint8_t *h = pkt_push(pkt, IP4_HLEN);
    h[IP4_OFF_VHL] = 0x45;
    h[IP4_OFF_TOS] = tx->tos;
    put_be16(h + IP4_OFF_LEN, (uint16_t)total);
    put_be16(h + IP4_OFF_ID, node->ip4_next_id++);
    put_be16(h + IP4_OFF_FRAG, tx->df ? IP4_DF : 0);
    h[IP4_OFF_TTL] = ttl;
    h[IP4_OFF_PROTO] = tx->proto;
    put_be16(h + IP4_OFF_CSUM, 0);
    put_be32(h + IP4_OFF_SRC, src->v4);
    put_be32(h + IP4_OFF_DST, tx->dst.v4);
    put_be16(h + IP4_OFF_CSUM, inet_checksum(h, IP4_HLEN));
  } else {
    if (pkt->len > 0xffff) {
      sim_drop(node->sim, node, NULL, pkt, DROP_TOO_BIG);
      return false;
    }
    uint16_t plen = (uint16_t)pkt->len;
    uint8_t *h = pkt_push(pkt, IP6_HLEN);
    put_be32(h, 6u << 28 | (uint32_t)tx->tos << 20);
    put_be16(h + IP6_OFF_PLEN, plen);
    h[IP6_OFF_NH] = tx->proto;
    h[IP6_OFF_HLIM] = ttl;
    memcpy(h + IP6_OFF_SRC, src->v6.b, 16);
    memcpy(h + IP6_OFF_DST, tx->dst.v6.b, 16);
  }
  node->cnt.ip_sent++;
  return true;
}

void ip_send(struct node *node, struct pkt *pkt, const struct ip_tx *tx) {
  struct ip_addr src = tx->src;
  if (src.family == 0 && !ip_select_source(node, &tx->dst, &src)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_NO_ROUTE);
    return;
  }
  if (push_header(node, pkt, tx, &src))
    ip_output(node, pkt);
}

void ip_send_via(struct node *node, struct pkt *pkt, const struct ip_tx *tx,
                 struct iface *oif, const struct ip_addr *gw) {
  struct ip_addr src = tx->src;
  if (src.family == 0) {
    const struct prefix *p = iface_addr(oif, tx->dst.family);
    if (!p) {
      sim_drop(node->sim, node, NULL, pkt, DROP_NO_ROUTE);
      return;
    }
    src = p->addr;
  }
  if (push_header(node, pkt, tx, &src))
    ip_output_via(node, pkt, oif, gw);
}

/* ---- input ------------------------------------------------------------- */

/* Checks the header and trims link padding; false if the packet was
 * dropped. */
static bool validate(struct node *node, struct pkt *pkt) {
  const uint8_t *h = pkt->data;
  if (ip_version(pkt) == 4) {
    uint8_t vhl;
    uint16_t total;
    if (!get_u8(h, pkt->len, 0, &vhl) ||
        !get_be16(h, pkt->len, IP4_OFF_LEN, &total))
      goto malformed;
    uint32_t hlen = (vhl & 0x0f) * 4u;
    if (hlen < IP4_HLEN || hlen > total || total > pkt->len)
      goto malformed;
    if (inet_checksum(h, hlen) != 0) {
      sim_drop(node->sim, node, NULL, pkt, DROP_BAD_CHECKSUM);
      return false;
    }
    pkt_trim(pkt, total);
    return true;
  }
  if (ip_version(pkt) == 6) {
    uint16_t plen;
    if (!get_be16(h, pkt->len, IP6_OFF_PLEN, &plen) ||
        IP6_HLEN + (uint32_t)plen > pkt->len)
      goto malformed;
    pkt_trim(pkt, IP6_HLEN + plen);
    return true;
  }
malformed:
  sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
  return false;
}

/* Is the packet (addressed to dst, arriving on in) for this node? */
static bool is_local(struct node *node, struct iface *in,
                     const struct ip_addr *dst) {
  if (dst->family == 4) {
    uint32_t a = dst->v4;
    if (is_v4_multicast_or_broadcast(a))
      return true;
    if (in) {
      const struct prefix *p = iface_addr(in, 4);
      if (p && p->len < 31 && ((a ^ p->addr.v4) & v4_mask(p->len)) == 0 &&
          (a | v4_mask(p->len)) == 0xffffffffu)
        return true; /* directed broadcast of the arrival subnet */
    }
  } else if (dst->v6.b[0] == 0xff) {
    return true;
  }
  /* node_has_addr, without its two calls per address: every hop asks. */
  for (uint32_t i = 0; i < node->n_ifaces; i++) {
    const GArray *addrs = node->ifaces[i]->addrs;
    const struct prefix *p = (const struct prefix *)(void *)addrs->data;
    for (guint k = 0; k < addrs->len; k++) {
      if (dst->family == 4 ? p[k].addr.family == 4 && p[k].addr.v4 == dst->v4
                           : addr_equal(&p[k].addr, dst))
        return true;
    }
  }
  return false;
}

static void local_deliver(struct node *node, struct pkt *pkt,
                          struct iface *in) {
  int version = ip_version(pkt);
  uint8_t proto;
  if (version == 4) {
    if (load_be16(pkt->data + IP4_OFF_FRAG) & (IP4_MF | IP4_FRAG_MASK)) {
      pkt = frag_reassemble(node, pkt);
      if (!pkt)
        return;
    }
    proto = pkt->data[IP4_OFF_PROTO];
  } else {
    proto = pkt->data[IP6_OFF_NH];
  }
  if (!run_hooks(node, IP_HOOK_LOCAL_IN, pkt, in, NULL))
    return;
  node->cnt.ip_delivered++;
  guint n;
  const struct dispatch_entry *e =
      dispatch_chain(&node->protos, proto_key(version, proto), &n);
  for (guint i = 0; i < n; i++)
    if (((ip_proto_fn)e[i].fn)(e[i].ctx, node, pkt, in))
      return;
  if (version == 4)
    icmp_send_error(node, pkt, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTO, 0);
  sim_drop(node->sim, node, NULL, pkt, DROP_UNREACHABLE);
}

void ip_deliver_local(struct node *node, struct pkt *pkt, struct iface *in) {
  if (validate(node, pkt))
    local_deliver(node, pkt, in);
}

static void forward(struct node *node, struct pkt *pkt, struct iface *in,
                    const struct ip_addr *dst) {
  int version = ip_version(pkt);
  uint8_t *h = pkt->data;
  uint8_t ttl = version == 4 ? h[IP4_OFF_TTL] : h[IP6_OFF_HLIM];
  if (ttl <= 1) {
    if (version == 4)
      icmp_send_error(node, pkt, ICMP_TIME_EXCEEDED, 0, 0);
    else
      icmp_send_error(node, pkt, ICMP6_TIME_EXCEEDED, 0, 0);
    sim_drop(node->sim, node, NULL, pkt, DROP_TTL_EXPIRED);
    return;
  }
  struct nexthop nh;
  if (!route_lookup(node, dst, &nh)) {
    if (version == 4)
      icmp_send_error(node, pkt, ICMP_DEST_UNREACH, ICMP_UNREACH_NET, 0);
    else
      icmp_send_error(node, pkt, ICMP6_DEST_UNREACH, ICMP6_UNREACH_NOROUTE, 0);
    sim_drop(node->sim, node, NULL, pkt, DROP_NO_ROUTE);
    return;
  }
  if (version == 4) {
    uint16_t csum = load_be16(h + IP4_OFF_CSUM);
    uint16_t old_word = (uint16_t)(ttl << 8 | h[IP4_OFF_PROTO]);
    h[IP4_OFF_TTL] = ttl - 1;
    put_be16(h + IP4_OFF_CSUM,
             inet_csum_update16(csum, old_word,
                                (uint16_t)((ttl - 1) << 8 | h[IP4_OFF_PROTO])));
  } else {
    h[IP6_OFF_HLIM] = ttl - 1;
  }
  if (!run_hooks(node, IP_HOOK_FORWARD, pkt, in, nh.oif))
    return;
  node->cnt.ip_forwarded++;
  finish_output(node, pkt, in, &nh);
}

void ip_input(struct iface *in, struct pkt *pkt) {
  struct node *node = in->node;
  if (!node->up) {
    sim_drop(node->sim, node, NULL, pkt, DROP_NODE_DOWN);
    return;
  }
  node->cnt.ip_received++;
  if (!validate(node, pkt))
    return;
  struct ip_addr src, dst;
  ip_packet_addrs(pkt, &src, &dst);
  /* A host without an address yet sends from 0.0.0.0 to 255.255.255.255
   * (DHCP, RFC 2131 4.1): nothing to check, and never forwarded. */
  bool unconfigured = src.family == 4 && src.v4 == 0 && dst.v4 == 0xffffffffu;
  if (in->ingress_filter && !unconfigured && !iface_on_link(in, &src)) {
    struct nexthop back;
    if (!route_lookup(node, &src, &back) || back.oif != in) {
      sim_drop(node->sim, node, NULL, pkt, DROP_INGRESS_FILTER);
      return;
    }
  }
  if (node->hooks[IP_HOOK_PRE_ROUTING]) {
    if (!run_hook_list(node, IP_HOOK_PRE_ROUTING, pkt, in, NULL))
      return;
    /* A hook may have rewritten the destination (decapsulation, NAT). */
    ip_packet_addrs(pkt, &src, &dst);
  }
  if (is_local(node, in, &dst)) {
    local_deliver(node, pkt, in);
    return;
  }
  if (!node->router) {
    sim_drop(node->sim, node, NULL, pkt, DROP_NOT_FOR_US);
    return;
  }
  forward(node, pkt, in, &dst);
}
