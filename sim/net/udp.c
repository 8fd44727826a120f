/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UDP (RFC 768; RFC 8200 for IPv6, where the checksum is mandatory). */
#include "sim/net/udp.h"

#include "sim/core/dispatch.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"

/* Ports in a hash table: a server may terminate thousands of flows. */
void udp_register(struct node *node, uint16_t port, udp_rx_fn fn, void *ctx) {
  g_return_if_fail(dispatch_add(&node->udp, port, (dispatch_fn)fn, ctx));
}

void udp_unregister(struct node *node, uint16_t port, udp_rx_fn fn, void *ctx) {
  dispatch_remove(&node->udp, port, (dispatch_fn)fn, ctx);
}

bool udp_port_taken(const struct node *node, uint16_t port) {
  guint n;
  dispatch_chain(&node->udp, port, &n);
  return n > 0;
}

void udp__node_free(struct node *node) {
  dispatch_clear(&node->udp);
}

void udp_send(struct node *node, struct pkt *pkt, const struct ip_addr *src,
              const struct ip_addr *dst, uint16_t sport, uint16_t dport,
              uint8_t ttl) {
  struct ip_addr from = *src;
  if (from.family == 0 && !ip_select_source(node, dst, &from)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_NO_ROUTE);
    return;
  }
  uint32_t len = pkt->len + UDP_HLEN;
  if (len > 0xffff) {
    sim_drop(node->sim, node, NULL, pkt, DROP_TOO_BIG);
    return;
  }
  uint8_t *h = pkt_push(pkt, UDP_HLEN);
  put_be16(h, sport);
  put_be16(h + 2, dport);
  put_be16(h + 4, (uint16_t)len);
  put_be16(h + 6, 0);
  uint16_t csum =
      inet_pseudo_checksum(&from, dst, IPPROTO_NUM_UDP, h, pkt->len);
  put_be16(h + 6, csum ? csum : 0xffff);
  struct ip_tx tx = {
      .src = from, .dst = *dst, .proto = IPPROTO_NUM_UDP, .ttl = ttl};
  ip_send(node, pkt, &tx);
}

bool udp_input(G_GNUC_UNUSED void *ctx, struct node *node, struct pkt *pkt,
               struct iface *in) {
  struct udp_rx rx = {.in = in};
  uint32_t hlen;
  ip_packet_addrs(pkt, &rx.src, &rx.dst);
  if (rx.src.family == 4) {
    hlen = (pkt->data[0] & 0x0f) * 4u;
    rx.ttl = pkt->data[IP4_OFF_TTL];
  } else {
    hlen = IP6_HLEN;
    rx.ttl = pkt->data[IP6_OFF_HLIM];
  }
  const uint8_t *u = pkt->data + hlen;
  uint32_t avail = pkt->len - hlen;
  uint16_t ulen, csum;
  if (!get_be16(u, avail, 0, &rx.sport) || !get_be16(u, avail, 2, &rx.dport) ||
      !get_be16(u, avail, 4, &ulen) || !get_be16(u, avail, 6, &csum) ||
      ulen < UDP_HLEN || ulen > avail) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return true;
  }
  if ((csum != 0 || rx.src.family == 6) &&
      inet_pseudo_checksum(&rx.src, &rx.dst, IPPROTO_NUM_UDP, u, ulen) != 0) {
    sim_drop(node->sim, node, NULL, pkt, DROP_BAD_CHECKSUM);
    return true;
  }
  guint n;
  const struct dispatch_entry *e = dispatch_chain(&node->udp, rx.dport, &n);
  if (n > 0) {
    pkt_pull(pkt, hlen + UDP_HLEN);
    pkt_trim(pkt, ulen - UDP_HLEN);
    for (guint i = 0; i < n; i++)
      if (((udp_rx_fn)e[i].fn)(e[i].ctx, node, pkt, &rx))
        return true;
    /* The error quotes the datagram as it arrived. */
    pkt_push(pkt, hlen + UDP_HLEN);
  }
  if (rx.src.family == 4)
    icmp_send_error(node, pkt, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0);
  else
    icmp_send_error(node, pkt, ICMP6_DEST_UNREACH, ICMP6_UNREACH_PORT, 0);
  sim_drop(node->sim, node, NULL, pkt, DROP_UNREACHABLE);
  return true;
}
