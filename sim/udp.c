/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UDP (RFC 768; RFC 8200 for IPv6, where the checksum is mandatory). */
#include "udp.h"

#include "icmp.h"
#include "inet.h"
#include "ip.h"
#include "node.h"
#include "pkt.h"
#include "sim.h"

struct udp_binding {
  udp_rx_fn fn;
  void *ctx;
};

/* Bound ports in a hash table: a server may terminate thousands of flows. */
bool udp_bind(struct node *node, uint16_t port, udp_rx_fn fn, void *ctx) {
  if (!node->udp)
    node->udp = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                      g_free);
  if (g_hash_table_contains(node->udp, GUINT_TO_POINTER(port)))
    return false;
  struct udp_binding *b = g_new0(struct udp_binding, 1);
  b->fn = fn;
  b->ctx = ctx;
  g_hash_table_insert(node->udp, GUINT_TO_POINTER(port), b);
  return true;
}

void udp_unbind(struct node *node, uint16_t port) {
  if (node->udp)
    g_hash_table_remove(node->udp, GUINT_TO_POINTER(port));
}

void udp__node_free(struct node *node) {
  if (node->udp)
    g_hash_table_destroy(node->udp);
  node->udp = NULL;
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
  struct ip_tx tx = {.src = from, .dst = *dst, .proto = IPPROTO_NUM_UDP,
                     .ttl = ttl};
  ip_send(node, pkt, &tx);
}

void udp_input(struct node *node, struct pkt *pkt, struct iface *in) {
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
    return;
  }
  if ((csum != 0 || rx.src.family == 6) &&
      inet_pseudo_checksum(&rx.src, &rx.dst, IPPROTO_NUM_UDP, u, ulen) != 0) {
    sim_drop(node->sim, node, NULL, pkt, DROP_BAD_CHECKSUM);
    return;
  }
  struct udp_binding *b =
      node->udp ? g_hash_table_lookup(node->udp, GUINT_TO_POINTER(rx.dport))
                : NULL;
  if (b) {
    pkt_pull(pkt, hlen + UDP_HLEN);
    pkt_trim(pkt, ulen - UDP_HLEN);
    b->fn(b->ctx, node, pkt, &rx);
    return;
  }
  if (rx.src.family == 4)
    icmp_send_error(node, pkt, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0);
  else
    icmp_send_error(node, pkt, ICMP6_DEST_UNREACH, ICMP6_UNREACH_PORT, 0);
  sim_drop(node->sim, node, NULL, pkt, DROP_UNREACHABLE);
}
