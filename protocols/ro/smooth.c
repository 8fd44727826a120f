/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Smooth handoff (draft-ietf-mobileip-optim-11 3.2, 6.1, 8.1).  Moving
 * from one foreign agent to another, the mobile node adds a Previous
 * Foreign Agent Notification to its request, with an authenticator it
 * computed (under its association with the previous agent) over the
 * Binding Update the new agent will build.  The new agent sends that
 * update, once, to the previous agent, which forgets the visitor, keeps a
 * forwarding entry for the lifetime asked, acknowledges to the mobile
 * node through it, and re-tunnels to the new care-of address whatever
 * still arrives for the node, warning the home agent about
 * correspondents that still tunnel to it.  The mobile node resends the
 * update itself until it sees the acknowledgement.  The new agent
 * delivers packets for a visitor whose request is still pending, so that
 * forwarded packets are not lost while the registration completes. */
#include "protocols/ro/internal.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/inet.h"
#include "sim/results/handoff.h"

#define SMOOTH_RETX_FIRST SIM_S /* then doubling */
#define SMOOTH_TRIES 3

/* ---- mobile node ----------------------------------------------------------
 */

static void mn_request(void *ctx, const struct mip4_rrq *r, GByteArray *msg,
                       uint32_t prev_coa, uint16_t agent_flags) {
  struct ro_node *rn = ctx;
  struct sim *sim = ro_sim(rn);
  if (ro_mode_of(rn) != RO_MODE_SMOOTH || !prev_coa || prev_coa == r->coa ||
      !(agent_flags & RO_ADV_S))
    return;
  const struct mip4_sa *sa = mip4_mn_agent_sa(sim, rn->node, prev_coa);
  if (!sa)
    return; /* nothing to authenticate the update with */
  struct ro_prev_fa p = {.cache_lifetime = rn->smooth_lifetime,
                         .prev_fa = prev_coa,
                         .new_coa = r->coa,
                         .spi = sa->spi};
  ro_prev_fa_sign(&p, r, sa->alg, sa->key, sa->key_len);
  ro_prev_fa_append(msg, &p);
  rn->cnt.prev_fa_notifications++;
  /* The update the new agent will send, kept to resend. */
  struct ro_smooth *s = &rn->smooth;
  struct ro_update u;
  ro_update_from_prev_fa(r, &p, &u);
  if (s->update)
    g_byte_array_set_size(s->update, 0);
  else
    s->update = g_byte_array_new();
  ro_update_append(s->update, &u);
  ro_ext_append_auth_value(s->update, p.spi, p.auth, p.auth_len);
  s->pending = true;
  s->prev_fa = prev_coa;
  s->ident = u.ident;
  s->tries = 0;
  sched_in(&sim->sched, &s->retx, SMOOTH_RETX_FIRST);
}

static void smooth_retx(struct sched_event *ev) {
  struct ro_smooth *s = SIM_CONTAINER_OF(ev, struct ro_smooth, retx);
  struct ro_node *rn = SIM_CONTAINER_OF(s, struct ro_node, smooth);
  struct sim *sim = ro_sim(rn);
  if (!s->pending || s->tries >= SMOOTH_TRIES) {
    s->pending = false;
    return;
  }
  s->tries++;
  rn->cnt.smooth_retransmissions++;
  ro_send(rn, "binding_update", s->update, mip4_mn_home_address(sim, rn->node),
          s->prev_fa);
  sched_in(&sim->sched, ev, SMOOTH_RETX_FIRST << s->tries);
}

void ro_smooth_ack_rx(struct ro_node *rn, const struct ro_ack *a) {
  struct ro_smooth *s = &rn->smooth;
  if (!s->pending || a->ident != s->ident || a->status != RO_ACK_ACCEPTED)
    return;
  s->pending = false;
  sched_cancel(&ro_sim(rn)->sched, &s->retx);
}

/* ---- new foreign agent ----------------------------------------------------
 */

static void fa_relayed(void *ctx, const struct mip4_rrq *r, const uint8_t *msg,
                       size_t len) {
  struct ro_node *rn = ctx;
  struct ro_reg_exts x;
  if (ro_mode_of(rn) != RO_MODE_SMOOTH ||
      ro_reg_exts_decode(msg, len, MIP4_RRQ_LEN, &x) != MIP4_OK ||
      !x.prev_fa_ext.present)
    return;
  struct ro_update u;
  ro_update_from_prev_fa(r, &x.prev_fa, &u);
  g_autoptr(GByteArray) out = g_byte_array_new();
  ro_update_append(out, &u);
  ro_ext_append_auth_value(out, x.prev_fa.spi, x.prev_fa.auth,
                           x.prev_fa.auth_len);
  rn->cnt.smooth_updates_sent++;
  ro_send(rn, "binding_update", out, mip4_fa_address(ro_sim(rn), rn->node),
          x.prev_fa.prev_fa);
}

/* ---- previous foreign agent -----------------------------------------------
 */

void ro_smooth_update_rx(struct ro_node *rn, const struct ro_update *u,
                         const uint8_t *msg, size_t len,
                         const struct ro_exts *exts, uint32_t from) {
  struct sim *sim = ro_sim(rn);
  const struct mip4_sa *sa = mip4_fa_mobile_sa(sim, rn->node, u->home_addr);
  if (ro_mode_of(rn) != RO_MODE_SMOOTH || !exts->auth.present ||
      exts->auth.spi != sa->spi ||
      !ro_auth_verify(msg, len, exts->auth.off, RO_AUTH_UPDATE_BODY, sa->alg,
                      sa->key, sa->key_len)) {
    rn->cnt.updates_auth_failed++;
    return;
  }
  int64_t now = ro_now(rn);
  const struct ro_entry *e = ro_cache_peek(rn->cache, u->home_addr, now);
  /* The mobile node resending the same update: acknowledge again. */
  bool again = e && e->ident == u->ident && e->coa == u->coa;
  if (e && !again && mip4_ntp_diff(u->ident, e->ident) <= 0) {
    rn->cnt.updates_replayed++;
    return;
  }
  if (!again) {
    rn->cnt.updates_accepted++;
    uint32_t home_agent = 0;
    mip4_fa_forget(sim, rn->node, u->home_addr, &home_agent);
    ro_cache_update(rn->cache, u->home_addr, u->coa, u->lifetime,
                    home_agent ? home_agent : from, u->ident, u->flags, now);
  }
  /* To the mobile node, from the address it named as the previous
   * agent, tunnelled through the entry just made (the correspondent
   * side's LOCAL_OUT hook does that). */
  if (u->flags & RO_UPDATE_A)
    ro_send_ack(rn, u, RO_ACK_ACCEPTED, mip4_fa_address(sim, rn->node),
                u->home_addr);
}

/* One more packet forwarded in the mobile node's current handoff. */
static void count_forwarded(struct ro_node *rn, uint32_t home_addr) {
  struct sim *sim = ro_sim(rn);
  struct node *mn =
      g_hash_table_lookup(rn->world->mobiles, GUINT_TO_POINTER(home_addr));
  int row = mn ? handoff_current(sim, mn) : -1;
  if (row < 0)
    return;
  gpointer key = GINT_TO_POINTER(row + 1);
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(rn->world->forwarded, key));
  g_hash_table_insert(rn->world->forwarded, key, GUINT_TO_POINTER(n + 1));
  handoff_annotate(sim, row, "forwarded_pkts", n + 1);
}

static bool fa_stray(void *ctx, struct pkt *pkt, uint32_t tunnel_src) {
  struct ro_node *rn = ctx;
  struct sim *sim = ro_sim(rn);
  if (pkt->len < IP4_HLEN)
    return false;
  if (mip4_fa_deliver(sim, rn->node, pkt)) {
    rn->cnt.delivered_early++;
    return true;
  }
  uint32_t dst = load_be32(pkt->data + IP4_OFF_DST);
  int64_t now = ro_now(rn);
  const struct ro_entry *e = ro_cache_peek(rn->cache, dst, now);
  if (!e)
    return false;
  uint32_t self = mip4_fa_address(sim, rn->node);
  /* A correspondent tunnelling to the old care-of address has a stale
   * entry: the home agent is asked to update it (optim-11 8.3). */
  if (tunnel_src != e->home_agent && tunnel_src != self &&
      ro_may_send(rn->warned, tunnel_src, dst, now, SIM_S)) {
    struct ro_warning w = {
        .home_addr = dst, .num_targets = 1, .targets = {tunnel_src}};
    g_autoptr(GByteArray) msg = g_byte_array_new();
    ro_warning_append(msg, &w);
    rn->cnt.warnings_sent++;
    ro_send(rn, "binding_warning", msg, self, e->home_agent);
  }
  rn->cnt.forwarded++;
  count_forwarded(rn, dst);
  struct encap_tx tx = {
      .src = self, .dst = e->coa, .kind = ENCAP_IPIP, .forwarding = true};
  encap_tunnel_send(rn->node, pkt, &tx);
  return true;
}

void ro_smooth_init(struct ro_node *rn, struct mip4_extension *ext) {
  sched_event_init(&rn->smooth.retx, smooth_retx);
  ext->mn_request = mn_request;
  ext->fa_relayed = fa_relayed;
  ext->fa_stray = fa_stray;
  if (ro_mode_of(rn) == RO_MODE_SMOOTH)
    ext->adv_flags = RO_ADV_S;
}

void ro_smooth_free(struct ro_node *rn) {
  sched_cancel(&ro_sim(rn)->sched, &rn->smooth.retx);
  if (rn->smooth.update)
    g_byte_array_free(rn->smooth.update, TRUE);
}
