/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ARP.  A cache entry is INCOMPLETE while requests are outstanding (the
 * packets for it wait, at most ARP_MAX_PENDING of them) and REACHABLE for
 * ARP_REACHABLE_TIME after it was learnt;
 * an expired entry is resolved again by broadcast.  Receivers update an
 * existing entry from any ARP packet (RFC 826's merge), which is what
 * makes gratuitous ARP move traffic to a home agent. */
#include "sim/net/arp.h"

#include <glib.h>
#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/eth.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/link.h"
#include "sim/net/node.h"

#define ARP_LEN 28
enum { ARP_REQUEST = 1, ARP_REPLY = 2 };

struct arp_entry {
  struct sched_event timer; /* retransmission while incomplete */
  struct iface *iface;
  uint32_t ip;
  uint8_t mac[6];
  bool complete;
  int64_t expires;
  int requests;
  GQueue pending;
};

struct arp_cache {
  GHashTable *entries; /* GUINT_TO_POINTER(ip) -> struct arp_entry */
};

static void entry_free(gpointer data) {
  struct arp_entry *e = data;
  struct sim *sim = e->iface->node->sim;
  sched_cancel(&sim->sched, &e->timer);
  struct pkt *p;
  while ((p = g_queue_pop_head(&e->pending)))
    pkt_free(p);
  g_free(e);
}

static void cache_free(struct iface *iface);

static const struct sim_subsystem arp_caches = {.name = "arp",
                                                .iface_free = cache_free};

static GHashTable *cache(struct iface *iface) {
  if (!iface->arp) {
    sim_use(iface->node->sim, &arp_caches);
    iface->arp = g_new0(struct arp_cache, 1);
    iface->arp->entries =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, entry_free);
  }
  return iface->arp->entries;
}

void arp_flush(struct iface *iface) {
  if (!iface->arp)
    return;
  struct node *node = iface->node;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, iface->arp->entries);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    struct arp_entry *e = value;
    struct pkt *p;
    while ((p = g_queue_pop_head(&e->pending)))
      sim_drop(node->sim, node, NULL, p, DROP_HANDOFF);
  }
  cache_free(iface);
}

static void cache_free(struct iface *iface) {
  if (!iface->arp)
    return;
  g_hash_table_destroy(iface->arp->entries);
  g_free(iface->arp);
  iface->arp = NULL;
}

static void send_arp(struct iface *iface, uint16_t op, const uint8_t sha[6],
                     uint32_t spa, const uint8_t tha[6], uint32_t tpa,
                     const uint8_t dst[6]) {
  struct pkt *p = pkt_new(&iface->node->sim->pool, ARP_LEN);
  uint8_t *a = p->data;
  put_be16(a, 1); /* Ethernet */
  put_be16(a + 2, ETHERTYPE_IPV4);
  a[4] = 6;
  a[5] = 4;
  put_be16(a + 6, op);
  memcpy(a + 8, sha, 6);
  put_be32(a + 14, spa);
  memcpy(a + 18, tha, 6);
  put_be32(a + 24, tpa);
  eth_send(iface, p, dst, ETHERTYPE_ARP);
}

static void send_request(struct arp_entry *e) {
  static const uint8_t zero[6];
  const struct prefix *own = iface_addr(e->iface, 4);
  e->requests++;
  send_arp(e->iface, ARP_REQUEST, e->iface->mac, own ? own->addr.v4 : 0, zero,
           e->ip, ETH_BROADCAST);
}

static void fail_pending(struct arp_entry *e) {
  struct node *node = e->iface->node;
  struct pkt *p;
  while ((p = g_queue_pop_head(&e->pending))) {
    icmp_send_error(node, p, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 0);
    sim_drop(node->sim, node, NULL, p, DROP_NEIGH_UNRESOLVED);
  }
}

static void retransmit(struct sched_event *ev) {
  struct arp_entry *e = SIM_CONTAINER_OF(ev, struct arp_entry, timer);
  struct sim *sim = e->iface->node->sim;
  if (e->requests >= ARP_MAX_REQUESTS) {
    fail_pending(e);
    g_hash_table_remove(cache(e->iface), GUINT_TO_POINTER(e->ip));
    return;
  }
  send_request(e);
  sched_in(&sim->sched, &e->timer, ARP_RETRANS_TIME);
}

static void flush_pending(struct arp_entry *e) {
  struct pkt *p;
  while ((p = g_queue_pop_head(&e->pending)))
    eth_send(e->iface, p, e->mac, ETHERTYPE_IPV4);
}

static void learn(struct arp_entry *e, const uint8_t mac[6]) {
  struct sim *sim = e->iface->node->sim;
  memcpy(e->mac, mac, 6);
  e->complete = true;
  e->requests = 0;
  e->expires = sim_now(sim) + ARP_REACHABLE_TIME;
  sched_cancel(&sim->sched, &e->timer);
  flush_pending(e);
}

static struct arp_entry *entry_new(struct iface *iface, uint32_t ip) {
  struct arp_entry *e = g_new0(struct arp_entry, 1);
  sched_event_init(&e->timer, retransmit);
  e->iface = iface;
  e->ip = ip;
  g_queue_init(&e->pending);
  g_hash_table_insert(cache(iface), GUINT_TO_POINTER(ip), e);
  return e;
}

void arp_output(struct iface *oif, struct pkt *pkt, uint32_t ip) {
  struct sim *sim = oif->node->sim;
  struct arp_entry *e = g_hash_table_lookup(cache(oif), GUINT_TO_POINTER(ip));
  if (e && e->complete && e->expires > sim_now(sim)) {
    eth_send(oif, pkt, e->mac, ETHERTYPE_IPV4);
    return;
  }
  if (!e)
    e = entry_new(oif, ip);
  if (e->complete) /* expired: resolve again */
    e->complete = false;
  if (g_queue_get_length(&e->pending) >= ARP_MAX_PENDING)
    sim_drop(sim, oif->node, NULL, g_queue_pop_head(&e->pending),
             DROP_NEIGH_UNRESOLVED);
  g_queue_push_tail(&e->pending, pkt);
  if (!sched_pending(&e->timer)) {
    send_request(e);
    sched_in(&sim->sched, &e->timer, ARP_RETRANS_TIME);
  }
}

void arp_input(struct iface *in, struct pkt *pkt) {
  struct node *node = in->node;
  uint16_t htype, ptype, op;
  uint8_t hlen, plen, sha[6], tha[6];
  uint32_t spa, tpa;
  const uint8_t *a = pkt->data;
  uint32_t len = pkt->len;
  if (!get_be16(a, len, 0, &htype) || !get_be16(a, len, 2, &ptype) ||
      !get_u8(a, len, 4, &hlen) || !get_u8(a, len, 5, &plen) ||
      !get_be16(a, len, 6, &op) || !get_bytes(a, len, 8, sha, 6) ||
      !get_be32(a, len, 14, &spa) || !get_bytes(a, len, 18, tha, 6) ||
      !get_be32(a, len, 24, &tpa) || htype != 1 || ptype != ETHERTYPE_IPV4 ||
      hlen != 6 || plen != 4 || (op != ARP_REQUEST && op != ARP_REPLY)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return;
  }
  pkt_free(pkt);
  if (!node->up)
    return;
  struct ip_addr target = addr_v4(tpa);
  bool ours = iface_has_addr(in, &target);
  bool proxied = arp_is_proxied(in, tpa);
  struct arp_entry *e = g_hash_table_lookup(cache(in), GUINT_TO_POINTER(spa));
  if (spa != 0 && spa != tpa) {
    if (e)
      learn(e, sha);
    else if (ours)
      learn(entry_new(in, spa), sha);
  } else if (spa != 0 && e) {
    learn(e, sha); /* gratuitous: update only an entry we already have */
  }
  if (op == ARP_REQUEST && spa != tpa && (ours || proxied))
    send_arp(in, ARP_REPLY, in->mac, tpa, sha, spa, sha);
}

void arp_proxy_add(struct iface *iface, uint32_t ip) {
  if (!iface->proxy_arp)
    iface->proxy_arp = g_hash_table_new(g_direct_hash, g_direct_equal);
  g_hash_table_add(iface->proxy_arp, GUINT_TO_POINTER(ip));
}

void arp_proxy_del(struct iface *iface, uint32_t ip) {
  if (iface->proxy_arp)
    g_hash_table_remove(iface->proxy_arp, GUINT_TO_POINTER(ip));
}

bool arp_is_proxied(const struct iface *iface, uint32_t ip) {
  return iface->proxy_arp &&
         g_hash_table_contains(iface->proxy_arp, GUINT_TO_POINTER(ip));
}

void arp_announce(struct iface *iface, uint32_t ip, const uint8_t mac[6]) {
  send_arp(iface, ARP_REQUEST, mac, ip, ETH_BROADCAST, ip, ETH_BROADCAST);
}

void arp_forget(struct iface *iface, uint32_t ip) {
  if (iface->arp)
    g_hash_table_remove(iface->arp->entries, GUINT_TO_POINTER(ip));
}

void arp_set(struct iface *iface, uint32_t ip, const uint8_t mac[6]) {
  struct arp_entry *e = g_hash_table_lookup(cache(iface), GUINT_TO_POINTER(ip));
  learn(e ? e : entry_new(iface, ip), mac);
}

bool arp_lookup(struct iface *iface, uint32_t ip, uint8_t mac[6]) {
  struct arp_entry *e = g_hash_table_lookup(cache(iface), GUINT_TO_POINTER(ip));
  if (!e || !e->complete || e->expires <= sim_now(iface->node->sim))
    return false;
  memcpy(mac, e->mac, 6);
  return true;
}
