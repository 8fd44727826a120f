/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The foreign agent (RFC 5944 3.7, 4.2.2; RFC 3024).
 *
 * It advertises its care-of address on its interface, relays the
 * requests of visiting mobile nodes to their home agents after its own
 * checks (66 when too many are pending, 69 lifetime too long, 70 reserved
 * flags, 72 encapsulation, 74 reverse tunnelling, 77 a care-of address
 * not its own, 78 no reply within 7 s), and relays the replies back.  The
 * visitor list remembers each node until its registration expires.
 *
 * Tunnelled packets for a visitor are decapsulated and delivered on the
 * link.  With reverse tunnelling (direct delivery style), a PRE_ROUTING
 * hook takes the visitor's own packets and tunnels them to its home
 * agent.  The mobile node's link-layer address is learnt by ARP, not from
 * the request's frame (a simplification: the node ARPs for the agent
 * first, which tells the agent its address anyway). */
#include "protocols/mip4/fa.h"

#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"

static struct sim *sim_of(const struct mip4_fa *fa) {
  return fa->owner->node->sim;
}

bool mip4_fa_owns(const struct mip4_fa *fa, uint32_t addr) {
  return addr == fa->coa;
}

const struct mip4_visitor *mip4_fa_visitor(const struct mip4_fa *fa,
                                           uint32_t home_addr) {
  return g_hash_table_lookup(fa->visitors, GUINT_TO_POINTER(home_addr));
}

static void visitor_free(gpointer data) {
  struct mip4_visitor *v = data;
  sched_cancel(&sim_of(v->fa)->sched, &v->timer);
  g_free(v);
}

static void to_mobile(struct mip4_fa *fa, const GByteArray *msg,
                      uint32_t home_addr, uint16_t port) {
  mip4_send_udp(fa->owner, msg, fa->coa, home_addr, port, 64, fa->iface);
}

/* Appends the Mobile-Foreign authenticator when the node and this agent
 * share an association (RFC 5944 3.7.3.2). */
static void sign_for_mobile(const struct mip4_fa *fa, GByteArray *msg,
                            uint32_t home_addr) {
  const struct mip4_sa *sa = mip4_peer_sa(fa->sas, home_addr);
  if (sa)
    mip4_ext_append_auth(msg, MIP4_EXT_MF_AUTH, sa->spi, sa->alg, sa->key,
                         sa->key_len);
}

static void deny(struct mip4_fa *fa, const struct mip4_rrq *r, uint16_t port,
                 uint8_t code, uint16_t lifetime, uint64_t *counter) {
  (*counter)++;
  struct mip4_rrp p = {.code = code,
                       .lifetime = lifetime,
                       .home_addr = r->home_addr,
                       .home_agent = r->home_agent,
                       .ident = r->ident};
  g_autoptr(GByteArray) msg = g_byte_array_new();
  mip4_rrp_append(msg, &p);
  sign_for_mobile(fa, msg, r->home_addr);
  to_mobile(fa, msg, r->home_addr, port);
}

/* Is the authentication extension ext present and right for sa? */
static bool verified(const uint8_t *msg, size_t len, const struct mip4_ext *ext,
                     const struct mip4_sa *sa) {
  return ext->present && ext->spi == sa->spi &&
         mip4_auth_verify(msg, len, ext->off, sa->alg, sa->key, sa->key_len);
}

static unsigned pending_count(const struct mip4_fa *fa) {
  unsigned n = 0;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, fa->visitors);
  while (g_hash_table_iter_next(&it, NULL, &v))
    n += ((struct mip4_visitor *)v)->pending;
  return n;
}

/* Arms the timer for the earlier deadline; forgets a visitor with
 * neither a pending request nor a registration. */
static void visitor_arm(struct mip4_visitor *v) {
  struct mip4_fa *fa = v->fa;
  int64_t due = SIM_TIME_MAX;
  if (v->pending)
    due = v->pending_until;
  if (v->active && v->expires < due)
    due = v->expires;
  if (!v->pending && !v->active)
    g_hash_table_remove(fa->visitors, GUINT_TO_POINTER(v->home_addr));
  else if (due == SIM_TIME_MAX)
    sched_cancel(&sim_of(fa)->sched, &v->timer);
  else
    sched_at(&sim_of(fa)->sched, &v->timer, due);
}

static void visitor_timer(struct sched_event *ev) {
  struct mip4_visitor *v = SIM_CONTAINER_OF(ev, struct mip4_visitor, timer);
  struct mip4_fa *fa = v->fa;
  int64_t now = sim_now(sim_of(fa));
  if (v->pending && now >= v->pending_until) {
    /* No reply from the home agent in time (RFC 5944 3.7.1). */
    struct mip4_rrq r = {.home_addr = v->home_addr,
                         .home_agent = v->home_agent,
                         .ident = v->ident};
    deny(fa, &r, v->src_port, MIP4_FA_REGISTRATION_TIMEOUT, 0,
         &fa->cnt.faRegistrationTimeout);
    v->pending = false;
  }
  if (v->active && now >= v->expires)
    v->active = false;
  visitor_arm(v);
}

static void request(struct mip4_fa *fa, const uint8_t *msg, size_t len,
                    const struct udp_rx *rx) {
  struct mip4_rrq r;
  struct mip4_reg_exts exts;
  fa->cnt.faRegRequestsReceived++;
  if (mip4_rrq_decode_also(msg, len, &r, &exts, &fa->owner->ext.understood) !=
      MIP4_OK) {
    fa->cnt.faPoorlyFormedRequests++;
    return;
  }
  uint16_t port = rx->sport;
  /* With an association, a request without a valid Mobile-Foreign
   * authenticator is refused (RFC 5944 3.7.2.1). */
  const struct mip4_sa *mf = mip4_peer_sa(fa->sas, r.home_addr);
  if (mf && !verified(msg, len, &exts.mf_auth, mf)) {
    deny(fa, &r, port, MIP4_FA_MN_AUTH_FAILED, 0,
         &fa->cnt.faMNAuthenticationFailure);
    return;
  }
  if (r.flags & MIP4_RRQ_RESERVED & ~fa->owner->ext.rrq_flags) {
    deny(fa, &r, port, MIP4_FA_POORLY_FORMED_REQUEST, 0,
         &fa->cnt.faPoorlyFormedRequests);
    return;
  }
  if (r.lifetime > fa->max_lifetime) {
    deny(fa, &r, port, MIP4_FA_LIFETIME_TOO_LONG, fa->max_lifetime,
         &fa->cnt.faRegLifetimeTooLong);
    return;
  }
  if (((r.flags & MIP4_RRQ_M) && !fa->minimal) ||
      ((r.flags & MIP4_RRQ_G) && !fa->gre)) {
    deny(fa, &r, port, MIP4_FA_ENCAP_UNAVAILABLE, 0,
         &fa->cnt.faEncapsulationUnavailable);
    return;
  }
  /* The Encapsulating Delivery Style extension, only with T (RFC 3024
   * 3.3): this agent supports both styles. */
  if (exts.encap_delivery.present && !(r.flags & MIP4_RRQ_T)) {
    deny(fa, &r, port, MIP4_FA_POORLY_FORMED_REQUEST, 0,
         &fa->cnt.faPoorlyFormedRequests);
    return;
  }
  if ((r.flags & MIP4_RRQ_T) && !fa->reverse_tunnel) {
    deny(fa, &r, port, MIP4_FA_REVERSE_TUNNEL_UNAVAILABLE, 0,
         &fa->cnt.faReverseTunnelUnavailable);
    return;
  }
  if (!(r.flags & MIP4_RRQ_D) && r.lifetime != 0 && r.coa != fa->coa) {
    deny(fa, &r, port, MIP4_FA_INVALID_COA, 0, &fa->cnt.faInvalidCareOfAddress);
    return;
  }
  struct mip4_visitor *v =
      g_hash_table_lookup(fa->visitors, GUINT_TO_POINTER(r.home_addr));
  if ((!v || !v->pending) && pending_count(fa) >= fa->max_pending) {
    deny(fa, &r, port, MIP4_FA_INSUFFICIENT_RESOURCES, 0,
         &fa->cnt.faInsufficientResource);
    return;
  }
  if (!v) {
    v = g_new0(struct mip4_visitor, 1);
    v->fa = fa;
    v->home_addr = r.home_addr;
    sched_event_init(&v->timer, visitor_timer);
    g_hash_table_insert(fa->visitors, GUINT_TO_POINTER(r.home_addr), v);
  }
  v->home_agent = r.home_agent;
  v->src_port = port;
  v->ident = r.ident;
  v->requested = r.lifetime;
  v->pending = true;
  v->pending_until = sim_now(sim_of(fa)) + fa->pending_timeout;
  v->reverse = r.flags & MIP4_RRQ_T;
  v->encapsulating = exts.encap_delivery.present;
  v->encap = (r.flags & MIP4_RRQ_M)   ? ENCAP_MINIMAL
             : (r.flags & MIP4_RRQ_G) ? ENCAP_GRE
                                      : ENCAP_IPIP;
  visitor_arm(v);
  /* Relayed through the Mobile-Home authenticator (what follows it was
   * for this agent), signed for the home agent when they share an
   * association and it is no deregistration (RFC 5944 3.7.2.2). */
  g_autoptr(GByteArray) copy = mip4_msg_through(msg, len, &exts.mh_auth);
  const struct mip4_sa *fh = mip4_peer_sa(fa->sas, r.home_agent);
  if (fh && r.lifetime != 0)
    mip4_ext_append_auth(copy, MIP4_EXT_FH_AUTH, fh->spi, fh->alg, fh->key,
                         fh->key_len);
  fa->cnt.faRegRequestsRelayed++;
  mip4_send_udp(fa->owner, copy, fa->coa, r.home_agent, MIP4_PORT, 64, NULL);
  MIP4_EXT_CALL(fa->owner, fa_relayed, &r, msg, len);
}

static void reply(struct mip4_fa *fa, const uint8_t *msg, size_t len) {
  struct mip4_rrp p;
  struct mip4_reg_exts exts;
  fa->cnt.faRegRepliesRecieved++;
  if (mip4_rrp_decode(msg, len, &p, &exts) != MIP4_OK) {
    fa->cnt.faPoorlyFormedReplies++;
    return;
  }
  struct mip4_visitor *v =
      g_hash_table_lookup(fa->visitors, GUINT_TO_POINTER(p.home_addr));
  if (!v || !v->pending || mip4_ident_low(v->ident) != mip4_ident_low(p.ident))
    return;
  /* A reply the home agent should have signed and did not is dropped,
   * and the node told 68 (RFC 5944 3.7.3.1). */
  const struct mip4_sa *fh = mip4_peer_sa(fa->sas, p.home_agent);
  if (fh && p.code <= MIP4_REPLY_ACCEPTED_NO_SIMULTANEOUS &&
      !verified(msg, len, &exts.fh_auth, fh)) {
    struct mip4_rrq r = {.home_addr = v->home_addr,
                         .home_agent = v->home_agent,
                         .ident = v->ident};
    v->pending = false;
    uint16_t vport = v->src_port;
    visitor_arm(v);
    deny(fa, &r, vport, MIP4_FA_HA_AUTH_FAILED, 0,
         &fa->cnt.faHAAuthenticationFailure);
    return;
  }
  v->pending = false;
  uint16_t port = v->src_port;
  uint32_t home_addr = v->home_addr;
  if (p.code <= MIP4_REPLY_ACCEPTED_NO_SIMULTANEOUS) {
    /* Timed from when the reply is relayed (RFC 5944 3.7.3.2); a denial
     * leaves an earlier registration in force. */
    uint16_t granted = MIN(p.lifetime, fa->max_lifetime);
    v->active = granted != 0;
    v->expires = granted == 0xffff
                     ? SIM_TIME_MAX
                     : sim_now(sim_of(fa)) + (int64_t)granted * SIM_S;
  }
  visitor_arm(v);
  g_autoptr(GByteArray) copy = mip4_msg_through(msg, len, &exts.mh_auth);
  sign_for_mobile(fa, copy, home_addr);
  fa->cnt.faRegRepliesRelayed++;
  to_mobile(fa, copy, home_addr, port);
}

bool mip4_fa_forget_visitor(struct mip4_fa *fa, uint32_t home_addr) {
  return g_hash_table_remove(fa->visitors, GUINT_TO_POINTER(home_addr));
}

void mip4_fa_rx(struct mip4_fa *fa, const uint8_t *msg, size_t len,
                const struct udp_rx *rx) {
  if (msg[0] == MIP4_MSG_RRQ && rx->in == fa->iface)
    request(fa, msg, len, rx);
  else if (msg[0] == MIP4_MSG_RRP)
    reply(fa, msg, len);
}

static const struct mip4_visitor *active_visitor(const struct mip4_fa *fa,
                                                 uint32_t home_addr) {
  const struct mip4_visitor *v = mip4_fa_visitor(fa, home_addr);
  return v && v->active ? v : NULL;
}

/* Into the tunnel from the care-of address to the visitor's home agent;
 * consumes pkt. */
static void reverse_tunnel(struct mip4_fa *fa, struct node *node,
                           struct pkt *pkt, const struct mip4_visitor *v) {
  struct encap_tx tx = {.src = fa->coa,
                        .dst = v->home_agent,
                        .kind = v->encap,
                        .forwarding = true};
  if (encap_tunnel_send(node, pkt, &tx))
    fa->cnt.faReverseTunnelledPackets++;
}

/* The endpoint at the care-of address: tunnels from home agents (and
 * correspondents, with route optimisation) for visitors, and from
 * visitors using the encapsulating delivery style. */
static void tunnel_rx(void *ctx, struct node *node, struct pkt *pkt,
                      const struct encap_rx *rx) {
  struct mip4_fa *fa = ctx;
  uint32_t src = rx->outer_src;
  /* Encapsulating delivery style: a visitor's own packet, tunnelled from
   * its home address to us, goes on in the tunnel to its home agent,
   * broadcasts included (RFC 3024 5.1). */
  const struct mip4_visitor *from = active_visitor(fa, src);
  if (from && from->encapsulating &&
      load_be32(pkt->data + IP4_OFF_SRC) == src) {
    reverse_tunnel(fa, node, pkt, from);
    return;
  }
  if (!active_visitor(fa, load_be32(pkt->data + IP4_OFF_DST))) {
    if (!mip4_ext_fa_stray(fa->owner, pkt, src))
      sim_drop(node->sim, node, NULL, pkt, DROP_NO_ROUTE);
    return;
  }
  fa->cnt.faDecapsulatedPackets++;
  ip_output_via(node, pkt, fa->iface, NULL);
}

/* Direct delivery style (RFC 3024 5.2): the visitor's packets arrive
 * plain, addressed to their correspondents, and are tunnelled home. */
static struct ip_verdict pre_routing(void *ctx, struct node *node,
                                     struct pkt *pkt, struct iface *in,
                                     struct iface *out) {
  struct mip4_fa *fa = ctx;
  if (in != fa->iface || pkt->len < IP4_HLEN || (pkt->data[0] >> 4) != 4)
    return IP_ACCEPT;
  const struct mip4_visitor *v =
      active_visitor(fa, load_be32(pkt->data + IP4_OFF_SRC));
  uint32_t dst = load_be32(pkt->data + IP4_OFF_DST);
  /* Plain packets of a node using the encapsulating style are routed
   * normally, not reverse tunnelled (RFC 3024 5.1). */
  if (!v || !v->reverse || v->encapsulating || dst == fa->coa ||
      (dst >> 28) == 0xe || dst == 0xffffffffu)
    return IP_ACCEPT;
  reverse_tunnel(fa, node, pkt, v);
  return IP_STOLEN;
}

struct mip4_fa *mip4_fa_new(struct mip4_node *owner, struct iface *iface,
                            int64_t advert_interval) {
  struct mip4_fa *fa = g_new0(struct mip4_fa, 1);
  fa->owner = owner;
  fa->iface = iface;
  fa->coa = iface_addr(iface, 4)->addr.v4;
  fa->max_lifetime = 1800;
  fa->reverse_tunnel = true;
  fa->max_pending = 5;
  fa->pending_timeout = 7 * SIM_S;
  fa->visitors =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, visitor_free);
  fa->sas = g_array_new(FALSE, TRUE, sizeof(struct mip4_peer_sa));
  mip4_advertiser_init(&fa->adv, owner, iface, advert_interval);
  encap_endpoint_add(owner->node, fa->coa, 0, ENCAP_KINDS_ALL, tunnel_rx, fa);
  owner->fa = fa;
  return fa;
}

void mip4_fa_start(struct mip4_fa *fa) {
  fa->adv.flags |= MIP4_ADV_R | MIP4_ADV_F | (fa->minimal ? MIP4_ADV_M : 0) |
                   (fa->gre ? MIP4_ADV_G : 0) |
                   (fa->reverse_tunnel ? MIP4_ADV_T : 0) |
                   fa->owner->ext.adv_flags;
  fa->adv.max_lifetime = fa->max_lifetime;
  fa->adv.coa = fa->coa;
  mip4_advertiser_start(&fa->adv);
  ip_hook_add(fa->owner->node, IP_HOOK_PRE_ROUTING, IP_HOOK_PRIO_MOBILITY + 30,
              pre_routing, fa);
}

void mip4_fa_free(struct mip4_fa *fa) {
  mip4_advertiser_stop(&fa->adv);
  g_hash_table_destroy(fa->visitors);
  g_array_free(fa->sas, TRUE);
  g_free(fa);
}
