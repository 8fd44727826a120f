/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A correspondent's binding cache (draft-ietf-mobileip-optim-11 3.1, 8.2):
 * authenticated Binding Updates from a home agent fill it, and the node's
 * own packets for a cached home address go straight to the care-of
 * address in an IP-in-IP tunnel instead of through the home agent.  A
 * Binding Request asks the home agent for a refresh shortly before an
 * entry in use expires; without an entry the packets take the triangle
 * again.  Simplification: the tunnel is always IP-in-IP, though an update
 * may allow minimal or GRE encapsulation. */
#include "protocols/encap/tunnel.h"
#include "protocols/ro/internal.h"
#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/hook.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"

/* A Binding Request to the entry's home agent, at most one a second,
 * once the entry is within rn->refresh of its expiry (optim-11 3.1). */
static void maybe_refresh(struct ro_node *rn, struct ro_entry *e, int64_t now) {
  if (rn->refresh <= 0 || e->expires == INT64_MAX || !e->home_agent ||
      e->expires - now > rn->refresh ||
      (e->refresh_asked >= 0 && now - e->refresh_asked < SIM_S))
    return;
  e->refresh_asked = now;
  struct ro_request r = {.home_addr = e->home_addr,
                         .ident = mip4_ntp_from_time(now, 0)};
  g_autoptr(GByteArray) msg = g_byte_array_new();
  ro_request_append(msg, &r);
  rn->cnt.requests_sent++;
  ro_send(rn, "binding_request", msg, ro_source_for(rn, e->home_agent),
          e->home_agent);
}

static struct ip_verdict local_out(void *ctx, struct node *node,
                                   struct pkt *pkt, struct iface *in,
                                   struct iface *out) {
  struct ro_node *rn = ctx;
  if (pkt->len < IP4_HLEN || (pkt->data[0] >> 4) != 4 ||
      encap_is_own_outer(node, pkt))
    return IP_ACCEPT;
  uint32_t dst = load_be32(pkt->data + IP4_OFF_DST);
  int64_t now = ro_now(rn);
  struct ro_entry *e = ro_cache_lookup(rn->cache, dst, now);
  if (!e)
    return IP_ACCEPT;
  /* Measured, not acted on: the home agent has since bound another
   * care-of address, so this packet follows a stale entry. */
  gpointer bound = g_hash_table_lookup(rn->world->bound, GUINT_TO_POINTER(dst));
  if (bound && GPOINTER_TO_UINT(bound) != e->coa)
    rn->cnt.stale_uses++;
  maybe_refresh(rn, e, now);
  rn->cnt.tunnelled_direct++;
  struct encap_tx tx = {.src = load_be32(pkt->data + IP4_OFF_SRC),
                        .dst = e->coa,
                        .kind = ENCAP_IPIP};
  encap_tunnel_send(node, pkt, &tx);
  return IP_STOLEN;
}

/* A Binding Update: from a home agent we share an association with
 * (RO_AUTH_MESSAGE), or at a foreign agent from the next one on behalf of
 * a departed visitor (smooth.c).  Anything not authenticated is refused
 * and leaves the cache as it was (optim-11 8.2). */
void ro_cn_update_rx(struct ro_node *rn, const uint8_t *msg, size_t len,
                     const struct udp_rx *rx) {
  struct ro_update u;
  struct ro_exts x;
  uint32_t from = rx->src.v4;
  rn->cnt.updates_received++;
  enum mip4_err err = ro_update_decode(msg, len, &u, &x);
  if (err != MIP4_OK) {
    rn->cnt.updates_poorly_formed++;
    if (len >= RO_UPDATE_LEN && (u.flags & RO_UPDATE_A))
      ro_send_ack(rn, &u, RO_ACK_POORLY_FORMED, 0, from);
    return;
  }
  const struct mip4_sa *sa = ro_peer_sa(rn, from);
  if (!sa && mip4_fa_mobile_sa(ro_sim(rn), rn->node, u.home_addr)) {
    ro_smooth_update_rx(rn, &u, msg, len, &x, from);
    return;
  }
  if (!sa || !x.auth.present || x.auth.spi != sa->spi ||
      !ro_auth_verify(msg, len, x.auth.off, RO_AUTH_MESSAGE, sa->alg, sa->key,
                      sa->key_len)) {
    rn->cnt.updates_auth_failed++;
    if (u.flags & RO_UPDATE_A)
      ro_send_ack(rn, &u, RO_ACK_AUTH_FAILED, 0, from);
    return;
  }
  int64_t now = ro_now(rn);
  const struct ro_entry *e = ro_cache_peek(rn->cache, u.home_addr, now);
  /* The home agent's Identification is its timestamp: an update no newer
   * than the one in force is a replay. */
  if (e && e->home_agent == from && mip4_ntp_diff(u.ident, e->ident) <= 0) {
    rn->cnt.updates_replayed++;
    if (u.flags & RO_UPDATE_A)
      ro_send_ack(rn, &u, RO_ACK_ID_MISMATCH, 0, from);
    return;
  }
  rn->cnt.updates_accepted++;
  ro_cache_update(rn->cache, u.home_addr, u.coa, u.lifetime, from, u.ident,
                  u.flags, now);
  if (u.flags & RO_UPDATE_A)
    ro_send_ack(rn, &u, RO_ACK_ACCEPTED, 0, from);
}

void ro_cn_init(struct ro_node *rn) {
  rn->cache = ro_cache_new(rn->cache_size);
  encap_use(rn->node);
  ip_hook_add(rn->node, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_MOBILITY + 10,
              local_out, rn);
}
