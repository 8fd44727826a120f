/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The home agent's side of route optimisation (optim-11 3, 7.2): Binding
 * Updates to correspondents it shares an association with, when it
 * tunnels a packet one of them sent (no cache there yet), when one asks
 * (Binding Request), when someone warns that one uses a stale binding
 * (Binding Warning, message or registration extension), and to those that
 * acknowledged an earlier update whenever the mobile node registers anew
 * (so that a move reaches their caches without waiting for a packet).
 * Updates for the same binding to the same node are rate limited (8.4).
 * A node that registered with P (private) is never revealed: its updates
 * carry the home address and lifetime 0. */
#include "protocols/ro/internal.h"
#include "sim/core/sim.h"
#include "sim/net/udp.h"

/* What was last sent to one correspondent about one home address. */
struct ro_sent {
  uint32_t cn, home_addr;
  uint32_t coa;
  int64_t at;
  int64_t expires; /* of the entry the update made there */
  bool acked;
};

static uint64_t sent_key(uint32_t cn, uint32_t home_addr) {
  return (uint64_t)cn << 32 | home_addr;
}

/* Identifications are timestamps, strictly increasing. */
static uint64_t next_ident(struct ro_node *rn) {
  uint64_t id = mip4_ntp_from_time(ro_now(rn), 0);
  if (rn->last_ident && mip4_ntp_diff(id, rn->last_ident) <= 0)
    id = rn->last_ident + 1;
  return rn->last_ident = id;
}

/* ident 0: a fresh one; else the Binding Request's, which the update
 * answers (optim-11 4.3). */
static void send_update(struct ro_node *rn, uint32_t cn, uint32_t home_addr,
                        bool limited, uint64_t ident) {
  struct sim *sim = ro_sim(rn);
  const struct mip4_sa *sa = ro_peer_sa(rn, cn);
  uint32_t self = mip4_ha_address(sim, rn->node);
  if (!sa || !self || cn == self)
    return;
  int64_t now = ro_now(rn);
  struct mip4_binding_view v;
  struct ro_update u = {.flags = RO_UPDATE_A | RO_UPDATE_I,
                        .home_addr = home_addr,
                        .coa = home_addr};
  if (mip4_ha_lookup(sim, rn->node, home_addr, &v) && !(v.flags & RO_RRQ_P) &&
      v.expires > now) {
    /* The remaining registration lifetime (optim-11 4.3), whole seconds
     * rounded down so that the cache never outlives the binding. */
    int64_t left =
        v.expires == SIM_TIME_MAX ? 0xffff : (v.expires - now) / SIM_S;
    if (rn->lifetime_max && left > rn->lifetime_max)
      left = rn->lifetime_max;
    if (left > 0) {
      u.coa = v.coa;
      u.lifetime = (uint16_t)MIN(left, 0xffff);
    }
  }
  uint64_t key = sent_key(cn, home_addr);
  struct ro_sent *s = g_hash_table_lookup(rn->sent, &key);
  if (limited && s && s->coa == u.coa && now - s->at < rn->update_interval) {
    rn->cnt.updates_rate_limited++;
    return;
  }
  if (!s) {
    s = g_new0(struct ro_sent, 1);
    s->cn = cn;
    s->home_addr = home_addr;
    g_hash_table_insert(rn->sent, g_memdup2(&key, sizeof key), s);
  }
  s->coa = u.coa;
  s->at = now;
  s->acked = false;
  s->expires =
      u.lifetime == 0xffff ? SIM_TIME_MAX : now + (int64_t)u.lifetime * SIM_S;
  u.ident = ident ? ident : next_ident(rn);
  g_autoptr(GByteArray) msg = g_byte_array_new();
  ro_update_append(msg, &u);
  ro_ext_append_auth(msg, sa->spi, sa->alg, sa->key, sa->key_len);
  rn->cnt.updates_sent++;
  ro_send(rn, "binding_update", msg, self, cn);
}

static void ha_tunnelled(void *ctx, uint32_t src, uint32_t home_addr) {
  struct ro_node *rn = ctx;
  send_update(rn, src, home_addr, true, 0);
}

static gint by_key(gconstpointer a, gconstpointer b) {
  const struct ro_sent *x = *(struct ro_sent *const *)a;
  const struct ro_sent *y = *(struct ro_sent *const *)b;
  uint64_t kx = sent_key(x->cn, x->home_addr),
           ky = sent_key(y->cn, y->home_addr);
  return kx < ky ? -1 : kx > ky;
}

static void ha_registered(void *ctx, const struct mip4_rrq *r,
                          const uint8_t *msg, size_t len, uint16_t lifetime) {
  struct ro_node *rn = ctx;
  if (lifetime)
    g_hash_table_insert(rn->world->bound, GUINT_TO_POINTER(r->home_addr),
                        GUINT_TO_POINTER(r->coa));
  else
    g_hash_table_remove(rn->world->bound, GUINT_TO_POINTER(r->home_addr));
  int64_t now = ro_now(rn);
  /* Correspondents holding an entry hear of the new binding (or of its
   * end), in a fixed order. */
  g_autoptr(GPtrArray) due = g_ptr_array_new();
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, rn->sent);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    struct ro_sent *s = value;
    if (s->home_addr == r->home_addr && s->acked && s->expires > now &&
        s->coa != (lifetime ? r->coa : r->home_addr))
      g_ptr_array_add(due, s);
  }
  g_ptr_array_sort(due, by_key);
  for (guint i = 0; i < due->len; i++) {
    const struct ro_sent *s = g_ptr_array_index(due, i);
    send_update(rn, s->cn, s->home_addr, false, 0);
  }
  /* A Binding Warning extension names more (optim-11 6.3). */
  struct ro_reg_exts x;
  if (ro_reg_exts_decode(msg, len, MIP4_RRQ_LEN, &x) == MIP4_OK &&
      x.warning_ext.present)
    for (unsigned i = 0; i < x.warning.num_targets; i++)
      send_update(rn, x.warning.targets[i], r->home_addr, true, 0);
}

void ro_ha_request_rx(struct ro_node *rn, const uint8_t *msg, size_t len,
                      const struct udp_rx *rx) {
  struct ro_request r;
  if (!mip4_ha_address(ro_sim(rn), rn->node) ||
      ro_request_decode(msg, len, &r, NULL) != MIP4_OK)
    return;
  rn->cnt.requests_received++;
  send_update(rn, rx->src.v4, r.home_addr, false, r.ident);
}

void ro_ha_warning_rx(struct ro_node *rn, const uint8_t *msg, size_t len,
                      const struct udp_rx *rx) {
  struct ro_warning w;
  if (!mip4_ha_address(ro_sim(rn), rn->node) ||
      ro_warning_decode(msg, len, &w) != MIP4_OK)
    return;
  rn->cnt.warnings_received++;
  if (w.num_targets == 0) /* the sender itself (optim-11 4.1) */
    send_update(rn, rx->src.v4, w.home_addr, true, 0);
  for (unsigned i = 0; i < w.num_targets; i++)
    send_update(rn, w.targets[i], w.home_addr, true, 0);
}

/* An acknowledgement of an update that the node's registration has
 * since overtaken (the update was in flight when it registered anew)
 * would leave the correspondent on the old care-of address: it gets the
 * current one at once. */
void ro_ha_ack_rx(struct ro_node *rn, const struct ro_ack *a, uint32_t from) {
  uint64_t key = sent_key(from, a->home_addr);
  struct ro_sent *s = g_hash_table_lookup(rn->sent, &key);
  if (!s || a->status != RO_ACK_ACCEPTED)
    return;
  s->acked = true;
  struct mip4_binding_view v;
  bool bound = mip4_ha_lookup(ro_sim(rn), rn->node, a->home_addr, &v) &&
               !(v.flags & RO_RRQ_P);
  if (s->coa != (bound ? v.coa : a->home_addr))
    send_update(rn, from, a->home_addr, false, 0);
}

void ro_ha_init(G_GNUC_UNUSED struct ro_node *rn, struct mip4_extension *ext) {
  ext->ha_tunnelled = ha_tunnelled;
  ext->ha_registered = ha_registered;
}
