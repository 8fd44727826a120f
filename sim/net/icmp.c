/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ICMP (RFC 792, RFC 1812 rules for errors) and ICMPv6 (RFC 4443).  Error
 * messages are not rate limited. */
#include "sim/net/icmp.h"

#include <string.h>

#include "sim/core/dispatch.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"

static uint32_t type_key(int family, uint8_t type) {
  return (uint32_t)family << 8 | type;
}

void icmp_register(struct node *node, int family, uint8_t type, icmp_rx_fn fn,
                   void *ctx) {
  g_return_if_fail(
      dispatch_add(&node->icmp, type_key(family, type), (dispatch_fn)fn, ctx));
}

void icmp_unregister(struct node *node, int family, uint8_t type, icmp_rx_fn fn,
                     void *ctx) {
  dispatch_remove(&node->icmp, type_key(family, type), (dispatch_fn)fn, ctx);
}

void icmp__node_free(struct node *node) {
  dispatch_clear(&node->icmp);
}

static bool is_error_type(int family, uint8_t type) {
  if (family == 6)
    return type < 128;
  return type == ICMP_DEST_UNREACH || type == 4 || type == 5 ||
         type == ICMP_TIME_EXCEEDED || type == 12;
}

/* Offset of the transport header and its protocol, for IPv4 and for IPv6
 * without extension headers. */
static uint32_t transport_offset(const struct pkt *pkt, uint8_t *proto) {
  if ((pkt->data[0] >> 4) == 4) {
    *proto = pkt->data[IP4_OFF_PROTO];
    return (pkt->data[0] & 0x0f) * 4u;
  }
  *proto = pkt->data[IP6_OFF_NH];
  return IP6_HLEN;
}

void icmp_send_error(struct node *node, const struct pkt *offending,
                     uint8_t type, uint8_t code, uint32_t param) {
  struct ip_addr src, dst;
  if (!ip_packet_addrs(offending, &src, &dst))
    return;
  int family = src.family;
  uint8_t proto;
  uint32_t off = transport_offset(offending, &proto);
  if (family == 4) {
    uint16_t frag = load_be16(offending->data + IP4_OFF_FRAG);
    if ((frag & IP4_FRAG_MASK) || src.v4 == 0 || (src.v4 >> 28) == 0xe ||
        src.v4 == 0xffffffffu || (dst.v4 >> 28) == 0xe || dst.v4 == 0xffffffffu)
      return;
  } else if (src.v6.b[0] == 0xff || dst.v6.b[0] == 0xff) {
    return;
  }
  uint8_t inner_type;
  if (proto == (family == 4 ? IPPROTO_NUM_ICMP : IPPROTO_NUM_ICMPV6) &&
      (!get_u8(offending->data, offending->len, off, &inner_type) ||
       is_error_type(family, inner_type)))
    return;
  /* IPv4 quotes the header and 8 bytes (RFC 792); IPv6 as much as fits in
   * the minimum MTU of 1280 (RFC 4443). */
  uint32_t quote = family == 4 ? off + 8 : 1280 - IP6_HLEN - ICMP_HLEN;
  if (quote > offending->len)
    quote = offending->len;
  struct pkt *p = pkt_new(&node->sim->pool, ICMP_HLEN + quote);
  p->meta = offending->meta;
  p->meta.uid = node->sim->pool.next_uid++;
  uint8_t *h = p->data;
  h[0] = type;
  h[1] = code;
  if (family == 4 && type == ICMP_DEST_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
    put_be16(h + 6, (uint16_t)param); /* next-hop MTU, RFC 1191 */
  else if (family == 6)
    put_be32(h + 4, param);
  memcpy(h + ICMP_HLEN, offending->data, quote);
  struct ip_tx tx = {
      .dst = src, .proto = family == 4 ? IPPROTO_NUM_ICMP : IPPROTO_NUM_ICMPV6};
  if (!ip_select_source(node, &src, &tx.src)) {
    pkt_free(p);
    return;
  }
  if (family == 4)
    put_be16(h + 2, inet_checksum(h, p->len));
  else
    put_be16(h + 2, inet_pseudo_checksum(&tx.src, &src, IPPROTO_NUM_ICMPV6, h,
                                         p->len));
  node->cnt.icmp_errors_sent++;
  ip_send(node, p, &tx);
}

static void send_echo(struct node *node, int family, uint8_t type,
                      const struct ip_addr *src, const struct ip_addr *dst,
                      uint16_t id, uint16_t seq, const uint8_t *payload,
                      uint32_t len, uint8_t ttl, const struct pkt_meta *meta) {
  struct pkt *p = pkt_new(&node->sim->pool, ICMP_HLEN + len);
  if (meta) {
    p->meta.flow = meta->flow;
    p->meta.seq = meta->seq;
    p->meta.created = meta->created;
  }
  uint8_t *h = p->data;
  h[0] = type;
  put_be16(h + 4, id);
  put_be16(h + 6, seq);
  memcpy(h + ICMP_HLEN, payload, len);
  struct ip_tx tx = {.dst = *dst,
                     .ttl = ttl,
                     .proto =
                         family == 4 ? IPPROTO_NUM_ICMP : IPPROTO_NUM_ICMPV6};
  if (src)
    tx.src = *src;
  else if (!ip_select_source(node, dst, &tx.src)) {
    sim_drop(node->sim, node, NULL, p, DROP_NO_ROUTE);
    return;
  }
  if (family == 4)
    put_be16(h + 2, inet_checksum(h, p->len));
  else
    put_be16(h + 2,
             inet_pseudo_checksum(&tx.src, dst, IPPROTO_NUM_ICMPV6, h, p->len));
  ip_send(node, p, &tx);
}

void icmp_send_echo(struct node *node, const struct ip_addr *dst, uint16_t id,
                    uint16_t seq, const uint8_t *payload, uint32_t len,
                    uint8_t ttl, uint32_t flow) {
  struct pkt_meta meta = {
      .flow = flow, .seq = seq, .created = sim_now(node->sim)};
  send_echo(node, dst->family,
            dst->family == 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST, NULL,
            dst, id, seq, payload, len, ttl, &meta);
}

static void input(struct node *node, struct pkt *pkt, struct iface *in,
                  int family) {
  struct ip_addr src, dst;
  ip_packet_addrs(pkt, &src, &dst);
  uint8_t proto;
  uint32_t off = transport_offset(pkt, &proto);
  uint32_t len = pkt->len - off;
  const uint8_t *h = pkt->data + off;
  uint16_t id, seq;
  if (len < ICMP_HLEN) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return;
  }
  uint16_t check =
      family == 4
          ? inet_checksum(h, len)
          : inet_pseudo_checksum(&src, &dst, IPPROTO_NUM_ICMPV6, h, len);
  if (check != 0) {
    sim_drop(node->sim, node, NULL, pkt, DROP_BAD_CHECKSUM);
    return;
  }
  uint8_t type = h[0];
  guint n;
  const struct dispatch_entry *e =
      dispatch_chain(&node->icmp, type_key(family, type), &n);
  for (guint i = 0; i < n; i++)
    if (((icmp_rx_fn)e[i].fn)(e[i].ctx, node, pkt, off, in))
      return;
  uint8_t echo = family == 4 ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
  if (type == echo && dst.family == src.family) {
    get_be16(h, len, 4, &id);
    get_be16(h, len, 6, &seq);
    /* Reply from the address the request was sent to, unless that was a
     * multicast or broadcast one. */
    bool group = family == 4 ? ((dst.v4 >> 28) == 0xe || dst.v4 == 0xffffffffu)
                             : dst.v6.b[0] == 0xff;
    send_echo(node, family, family == 4 ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY,
              group ? NULL : &dst, &src, id, seq, h + ICMP_HLEN,
              len - ICMP_HLEN, 0, &pkt->meta);
  }
  pkt_free(pkt);
}

bool icmp_input(G_GNUC_UNUSED void *ctx, struct node *node, struct pkt *pkt,
                struct iface *in) {
  input(node, pkt, in, 4);
  return true;
}

bool icmp6_input(G_GNUC_UNUSED void *ctx, struct node *node, struct pkt *pkt,
                 struct iface *in) {
  input(node, pkt, in, 6);
  return true;
}
