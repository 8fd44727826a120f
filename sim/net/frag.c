/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 fragmentation and reassembly.  Fragments of one datagram are keyed
 * by (source, destination, protocol, identification) as RFC 791 says; a
 * datagram not complete within FRAG_REASSEMBLY_TIMEOUT is dropped, with an
 * ICMP "fragment reassembly time exceeded" if its first fragment came. */
#include "sim/net/frag.h"

#include <glib.h>
#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/inet.h"
#include "sim/net/node.h"

struct reasm_key {
  uint32_t src, dst;
  uint16_t id;
  uint8_t proto;
};

struct reasm {
  struct sched_event timer;
  struct node *node;
  struct reasm_key key;
  GList *frags;   /* struct pkt *, sorted by offset */
  uint32_t total; /* payload bytes, known once the last fragment came */
};

struct reasm_table {
  GHashTable *t; /* struct reasm_key * -> struct reasm * */
};

static guint key_hash(gconstpointer k) {
  const struct reasm_key *x = k;
  return x->src * 31u ^ x->dst * 17u ^ (guint)x->id << 8 ^ x->proto;
}

static gboolean key_equal(gconstpointer a, gconstpointer b) {
  const struct reasm_key *x = a, *y = b;
  return x->src == y->src && x->dst == y->dst && x->id == y->id &&
         x->proto == y->proto;
}

static uint32_t frag_offset(const struct pkt *p) {
  return (uint32_t)((p->data[IP4_OFF_FRAG] << 8 | p->data[IP4_OFF_FRAG + 1]) &
                    IP4_FRAG_MASK) *
         8;
}
static bool more_fragments(const struct pkt *p) {
  return p->data[IP4_OFF_FRAG] & (IP4_MF >> 8);
}
static uint32_t header_len(const struct pkt *p) {
  return (p->data[0] & 0x0f) * 4u;
}

static void reasm_free(gpointer data) {
  struct reasm *r = data;
  sched_cancel(&r->node->sim->sched, &r->timer);
  for (GList *l = r->frags; l; l = l->next)
    pkt_free(l->data);
  g_list_free(r->frags);
  g_free(r);
}

static void reasm_table_free(struct node *node) {
  if (!node->reasm)
    return;
  g_hash_table_destroy(node->reasm->t);
  g_free(node->reasm);
  node->reasm = NULL;
}

static void expire(struct sched_event *ev) {
  struct reasm *r = SIM_CONTAINER_OF(ev, struct reasm, timer);
  struct node *node = r->node;
  struct pkt *first = r->frags ? r->frags->data : NULL;
  if (first && frag_offset(first) == 0)
    icmp_send_error(node, first, ICMP_TIME_EXCEEDED, 1, 0);
  for (GList *l = r->frags; l; l = l->next)
    sim_drop(node->sim, node, NULL, l->data, DROP_REASSEMBLY);
  g_list_free(r->frags);
  r->frags = NULL;
  g_hash_table_remove(node->reasm->t, &r->key);
}

static gint by_offset(gconstpointer a, gconstpointer b) {
  uint32_t x = frag_offset(a), y = frag_offset(b);
  return x < y ? -1 : x > y;
}

/* The whole datagram if the fragments cover 0..total without a gap. */
static struct pkt *try_complete(struct reasm *r) {
  if (r->total == 0)
    return NULL;
  uint32_t covered = 0;
  for (GList *l = r->frags; l; l = l->next) {
    struct pkt *f = l->data;
    if (frag_offset(f) > covered)
      return NULL;
    uint32_t end = frag_offset(f) + f->len - header_len(f);
    if (end > covered)
      covered = end;
  }
  if (covered < r->total)
    return NULL;
  struct pkt *first = r->frags->data;
  uint32_t hlen = header_len(first);
  struct pkt *whole = pkt_new(&r->node->sim->pool, hlen + r->total);
  whole->meta = first->meta;
  memcpy(whole->data, first->data, hlen);
  for (GList *l = r->frags; l; l = l->next) {
    struct pkt *f = l->data;
    uint32_t fh = header_len(f);
    memcpy(whole->data + hlen + frag_offset(f), f->data + fh, f->len - fh);
  }
  uint8_t *h = whole->data;
  put_be16(h + IP4_OFF_LEN, (uint16_t)(hlen + r->total));
  put_be16(h + IP4_OFF_FRAG, 0);
  put_be16(h + IP4_OFF_CSUM, 0);
  put_be16(h + IP4_OFF_CSUM, inet_checksum(h, hlen));
  return whole;
}

static const struct sim_subsystem reassembly = {.name = "reassembly",
                                                .node_free = reasm_table_free};

struct pkt *frag_reassemble(struct node *node, struct pkt *pkt) {
  if (!node->reasm) {
    sim_use(node->sim, &reassembly);
    node->reasm = g_new0(struct reasm_table, 1);
    node->reasm->t =
        g_hash_table_new_full(key_hash, key_equal, NULL, reasm_free);
  }
  const uint8_t *h = pkt->data;
  struct reasm_key key = {0};
  get_be32(h, pkt->len, IP4_OFF_SRC, &key.src);
  get_be32(h, pkt->len, IP4_OFF_DST, &key.dst);
  get_be16(h, pkt->len, IP4_OFF_ID, &key.id);
  key.proto = h[IP4_OFF_PROTO];
  uint32_t payload = pkt->len - header_len(pkt);
  if (more_fragments(pkt) && payload % 8 != 0) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return NULL;
  }
  if (frag_offset(pkt) + payload > 0xffff - header_len(pkt)) {
    sim_drop(node->sim, node, NULL, pkt, DROP_MALFORMED);
    return NULL;
  }
  struct reasm *r = g_hash_table_lookup(node->reasm->t, &key);
  if (!r) {
    r = g_new0(struct reasm, 1);
    sched_event_init(&r->timer, expire);
    r->node = node;
    r->key = key;
    g_hash_table_insert(node->reasm->t, &r->key, r);
    sched_in(&node->sim->sched, &r->timer, FRAG_REASSEMBLY_TIMEOUT);
  }
  if (!more_fragments(pkt))
    r->total = frag_offset(pkt) + payload;
  r->frags = g_list_insert_sorted(r->frags, pkt, by_offset);
  struct pkt *whole = try_complete(r);
  if (whole) {
    node->cnt.reassembled++;
    g_hash_table_remove(node->reasm->t, &key);
  }
  return whole;
}

void frag_fragment(struct node *node, struct pkt *pkt, uint32_t mtu,
                   frag_out_fn out, void *ctx) {
  uint32_t hlen = header_len(pkt);
  uint32_t chunk = ((mtu - hlen) / 8) * 8;
  if (mtu <= hlen || chunk == 0) {
    sim_drop(node->sim, node, NULL, pkt, DROP_TOO_BIG);
    return;
  }
  uint16_t frag = load_be16(pkt->data + IP4_OFF_FRAG);
  uint32_t base = (frag & IP4_FRAG_MASK) * 8u;
  bool more = frag & IP4_MF;
  uint32_t payload = pkt->len - hlen;
  for (uint32_t off = 0; off < payload; off += chunk) {
    uint32_t n = payload - off < chunk ? payload - off : chunk;
    struct pkt *f = pkt_new(&node->sim->pool, hlen + n);
    f->meta = pkt->meta;
    memcpy(f->data, pkt->data, hlen);
    memcpy(f->data + hlen, pkt->data + hlen + off, n);
    uint8_t *h = f->data;
    bool mf = more || off + n < payload;
    put_be16(h + IP4_OFF_LEN, (uint16_t)(hlen + n));
    put_be16(h + IP4_OFF_FRAG,
             (uint16_t)((mf ? IP4_MF : 0) | (base + off) / 8));
    put_be16(h + IP4_OFF_CSUM, 0);
    put_be16(h + IP4_OFF_CSUM, inet_checksum(h, hlen));
    node->cnt.fragments_sent++;
    out(ctx, f);
  }
  pkt_free(pkt);
}
