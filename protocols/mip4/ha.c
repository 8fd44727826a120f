/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The home agent (RFC 5944 3.8, 4.2.3, 4.6).
 *
 * A registration request is checked in the RFC's order: a mobility
 * security association with the mobile node (none: silently dropped), a
 * valid Mobile-Home authenticator (else 131), the Identification as a
 * timestamp within the replay tolerance and newer than the last accepted
 * one (else 133 carrying the home agent's time), reserved flags (134),
 * the encapsulation (139) and reverse tunnelling (137) asked for.  An
 * accepted registration adds or replaces the binding, or deletes it for
 * lifetime 0, and is answered with code 1: this home agent keeps one
 * binding per mobile node (simultaneous bindings are not offered).
 *
 * While a binding exists the home agent answers ARP for the home address
 * on the home network (proxy ARP), announced by gratuitous ARPs, and a
 * PRE_ROUTING hook steals packets for the home address and tunnels them
 * to the care-of address; packets the home agent itself sends there are
 * tunnelled from LOCAL_OUT.  Reverse-tunnelled packets from the care-of
 * address are decapsulated and routed on. */
#include "protocols/mip4/ha.h"

#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/arp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"

#define GRATUITOUS_REPEATS 3 /* "a small number of times" (RFC 5944 4.6) */
#define GRATUITOUS_SPACING SIM_S

static struct sim *sim_of(const struct mip4_ha *ha) {
  return ha->owner->node->sim;
}

bool mip4_ha_owns(const struct mip4_ha *ha, uint32_t addr) {
  return addr == ha->addr;
}

const struct mip4_binding *mip4_ha_binding(const struct mip4_ha *ha,
                                           uint32_t home_addr) {
  return g_hash_table_lookup(ha->bindings, GUINT_TO_POINTER(home_addr));
}

static struct mip4_ha_client *client(struct mip4_ha *ha, uint32_t home_addr) {
  for (guint i = 0; i < ha->clients->len; i++) {
    struct mip4_ha_client *c =
        &g_array_index(ha->clients, struct mip4_ha_client, i);
    if (c->home_addr == home_addr)
      return c;
  }
  return NULL;
}

/* ---- proxy and gratuitous ARP ------------------------------------------ */

static void announce(struct mip4_ha *ha, uint32_t home_addr) {
  arp_announce(ha->home, home_addr, ha->home->mac);
  ha->cnt.haGratuitiousARPsSent++;
}

static void gratuitous_tick(struct sched_event *ev) {
  struct mip4_ha *ha = SIM_CONTAINER_OF(ev, struct mip4_ha, gratuitous);
  /* Each entry: home address, repeats left. */
  GArray *due = ha->gratuitous_due;
  for (guint i = 0; i < due->len;) {
    uint32_t *e = &g_array_index(due, uint32_t, i);
    if (mip4_ha_binding(ha, e[0]))
      announce(ha, e[0]);
    if (--e[1] == 0 || !mip4_ha_binding(ha, e[0]))
      g_array_remove_range(due, i, 2);
    else
      i += 2;
  }
  if (due->len)
    sched_in(&sim_of(ha)->sched, ev, GRATUITOUS_SPACING);
}

static void start_proxy(struct mip4_ha *ha, uint32_t home_addr) {
  arp_proxy_add(ha->home, home_addr);
  announce(ha, home_addr);
  uint32_t entry[2] = {home_addr, GRATUITOUS_REPEATS - 1};
  g_array_append_vals(ha->gratuitous_due, entry, 2);
  if (!sched_pending(&ha->gratuitous))
    sched_in(&sim_of(ha)->sched, &ha->gratuitous, GRATUITOUS_SPACING);
}

/* ---- bindings ---------------------------------------------------------- */

static void binding_free(struct mip4_binding *b) {
  sched_cancel(&sim_of(b->ha)->sched, &b->expiry);
  g_free(b);
}

/* The hash table's destructor: the whole list of a home address. */
static void bindings_free(gpointer data) {
  struct mip4_binding *b = data;
  if (b)
    arp_proxy_del(b->ha->home, b->home_addr);
  while (b) {
    struct mip4_binding *next = b->next;
    binding_free(b);
    b = next;
  }
}

/* Removes the binding of coa (every binding if coa is 0).  The list is
 * stolen from the table while it changes, so that the table's destructor
 * (which ends proxy ARP) runs only when no binding is left. */
static void unbind(struct mip4_ha *ha, uint32_t home_addr, uint32_t coa) {
  gpointer key = GUINT_TO_POINTER(home_addr);
  struct mip4_binding *head = g_hash_table_lookup(ha->bindings, key);
  if (!head)
    return;
  if (!coa) {
    g_hash_table_remove(ha->bindings, key);
    return;
  }
  g_hash_table_steal(ha->bindings, key);
  for (struct mip4_binding **p = &head; *p; p = &(*p)->next) {
    if ((*p)->coa == coa) {
      struct mip4_binding *gone = *p;
      *p = gone->next;
      binding_free(gone);
      break;
    }
  }
  if (head)
    g_hash_table_insert(ha->bindings, key, head);
  else
    arp_proxy_del(ha->home, home_addr);
}

/* RFC 5944 3.8.2.2: an expired binding is deleted silently. */
static void binding_expired(struct sched_event *ev) {
  struct mip4_binding *b = SIM_CONTAINER_OF(ev, struct mip4_binding, expiry);
  unbind(b->ha, b->home_addr, b->coa);
}

/* Adds or renews the binding of the request's care-of address, at the
 * head of the list.  Without S, or without our support for it, it
 * replaces all the others (RFC 5944 3.8.3). */
static void bind(struct mip4_ha *ha, const struct mip4_rrq *r,
                 uint16_t lifetime) {
  gpointer key = GUINT_TO_POINTER(r->home_addr);
  struct mip4_binding *head = g_hash_table_lookup(ha->bindings, key);
  bool fresh = !head;
  bool keep_others = ha->simultaneous && (r->flags & MIP4_RRQ_S);
  if (head)
    g_hash_table_steal(ha->bindings, key);
  struct mip4_binding *b = NULL, *rest = NULL, **tail = &rest;
  for (struct mip4_binding *x = head, *next; x; x = next) {
    next = x->next;
    x->next = NULL;
    if (x->coa == r->coa) {
      b = x;
    } else if (keep_others) {
      *tail = x;
      tail = &x->next;
    } else {
      binding_free(x);
    }
  }
  if (!b) {
    b = g_new0(struct mip4_binding, 1);
    b->ha = ha;
    b->home_addr = r->home_addr;
    sched_event_init(&b->expiry, binding_expired);
  }
  b->next = rest;
  g_hash_table_insert(ha->bindings, key, b);
  b->coa = r->coa;
  b->ident = r->ident;
  b->lifetime = lifetime;
  b->flags = r->flags;
  b->expires = lifetime == 0xffff
                   ? SIM_TIME_MAX
                   : sim_now(sim_of(ha)) + (int64_t)lifetime * SIM_S;
  b->encap = (r->flags & MIP4_RRQ_M)   ? ENCAP_MINIMAL
             : (r->flags & MIP4_RRQ_G) ? ENCAP_GRE
                                       : ENCAP_IPIP;
  b->reverse = r->flags & MIP4_RRQ_T;
  b->broadcast = r->flags & MIP4_RRQ_B;
  b->decapsulates = r->flags & MIP4_RRQ_D;
  if (lifetime != 0xffff)
    sched_in(&sim_of(ha)->sched, &b->expiry, (int64_t)lifetime * SIM_S);
  else
    sched_cancel(&sim_of(ha)->sched, &b->expiry);
  if (fresh)
    start_proxy(ha, r->home_addr);
}

/* ---- registration ------------------------------------------------------ */

/* With nonces every reply hands the node a fresh nonce in the high half
 * of the Identification, the one its next request must carry (RFC 5944
 * 5.7.2). */
static void reply(struct mip4_ha *ha, const struct mip4_rrq *r,
                  const struct udp_rx *rx, uint8_t code, uint16_t lifetime,
                  uint64_t ident, struct mip4_ha_client *c) {
  const struct mip4_sa *sa = c ? &c->sa : NULL;
  if (c && c->nonces) {
    do
      c->nonce = (uint32_t)rng_u64(&ha->nonces);
    while (c->nonce == 0);
    ident = mip4_ident_make(c->nonce, mip4_ident_low(r->ident));
  }
  struct mip4_rrp p = {.code = code,
                       .lifetime = lifetime,
                       .home_addr = r->home_addr,
                       .home_agent = ha->addr,
                       .ident = ident};
  g_autoptr(GByteArray) msg = g_byte_array_new();
  mip4_rrp_append(msg, &p);
  if (sa)
    mip4_ext_append_auth(msg, MIP4_EXT_MH_AUTH, sa->spi, sa->alg, sa->key,
                         sa->key_len);
  /* Signed for the foreign agent that relayed it, when they share an
   * association (RFC 5944 3.8.3.1). */
  const struct mip4_sa *fh = mip4_peer_sa(ha->agent_sas, rx->src.v4);
  if (fh)
    mip4_ext_append_auth(msg, MIP4_EXT_FH_AUTH, fh->spi, fh->alg, fh->key,
                         fh->key_len);
  if (r->lifetime == 0)
    ha->cnt.haDeRegRepliesSent++;
  else
    ha->cnt.haRegRepliesSent++;
  /* Always to where the request came from (RFC 5944 3.8.3). */
  mip4_send_udp(ha->owner, msg, ha->addr, rx->src.v4, rx->sport, 64, NULL);
}

static void deny(struct mip4_ha *ha, const struct mip4_rrq *r,
                 const struct udp_rx *rx, uint8_t code,
                 struct mip4_ha_client *c, uint64_t *counter) {
  (*counter)++;
  ha->cnt.haServiceRequestsDenied++;
  reply(ha, r, rx, code, 0, r->ident, c);
}

void mip4_ha_rx(struct mip4_ha *ha, const uint8_t *msg, size_t len,
                const struct udp_rx *rx) {
  struct mip4_rrq r;
  struct mip4_reg_exts exts;
  if (mip4_rrq_decode_also(msg, len, &r, &exts, &ha->owner->ext.understood) !=
      MIP4_OK) {
    ha->cnt.haPoorlyFormedRequest++;
    return;
  }
  if (r.lifetime == 0)
    ha->cnt.haDeRegRequestsReceived++;
  else
    ha->cnt.haRegRequestsReceived++;
  struct mip4_ha_client *c = client(ha, r.home_addr);
  if (!c || !exts.mh_auth.present)
    return; /* no association: silently discarded (RFC 5944 3.8.2.1) */
  const struct mip4_sa *sa = &c->sa;
  if (exts.mh_auth.spi != sa->spi ||
      !mip4_auth_verify(msg, len, exts.mh_auth.off, sa->alg, sa->key,
                        sa->key_len)) {
    deny(ha, &r, rx, MIP4_HA_MN_AUTH_FAILED, c,
         &ha->cnt.haMNAuthenticationFailure);
    return;
  }
  /* Timestamps (RFC 5944 5.7.1): close to our clock and newer than the
   * last accepted; a 133 carries our time in the high half.  Nonces
   * (5.7.2): the high half is the nonce we gave last; a 133 carries a new
   * one (reply() puts it there). */
  int64_t now = sim_now(sim_of(ha));
  uint64_t ours = mip4_ntp_from_time(now, 0);
  int64_t skew = mip4_ntp_diff(r.ident, ours);
  bool fresh =
      c->nonces
          ? c->nonce != 0 && mip4_ident_high(r.ident) == c->nonce
          : skew <= ha->replay_tolerance && skew >= -ha->replay_tolerance &&
                (!c->last_ident || mip4_ntp_diff(r.ident, c->last_ident) > 0);
  if (!fresh) {
    ha->cnt.haIDMismatch++;
    ha->cnt.haServiceRequestsDenied++;
    reply(ha, &r, rx, MIP4_HA_ID_MISMATCH, 0,
          mip4_ident_make(mip4_ident_high(ours), mip4_ident_low(r.ident)), c);
    return;
  }
  /* A relaying foreign agent we share an association with must have
   * signed the request (RFC 5944 3.8.2.1); an authenticator from one we
   * do not know is dropped. */
  const struct mip4_sa *fh = mip4_peer_sa(ha->agent_sas, rx->src.v4);
  if (fh && r.lifetime != 0 &&
      !(exts.fh_auth.present && exts.fh_auth.spi == fh->spi &&
        mip4_auth_verify(msg, len, exts.fh_auth.off, fh->alg, fh->key,
                         fh->key_len))) {
    deny(ha, &r, rx, MIP4_HA_FA_AUTH_FAILED, c,
         &ha->cnt.haFAAuthenticationFailure);
    return;
  }
  if (!fh && exts.fh_auth.present)
    return;
  if (r.flags & MIP4_RRQ_RESERVED & ~ha->owner->ext.rrq_flags) {
    deny(ha, &r, rx, MIP4_HA_POORLY_FORMED_REQUEST, c,
         &ha->cnt.haPoorlyFormedRequest);
    return;
  }
  if (((r.flags & MIP4_RRQ_M) && !ha->minimal) ||
      ((r.flags & MIP4_RRQ_G) && !ha->gre)) {
    deny(ha, &r, rx, MIP4_HA_ENCAP_UNAVAILABLE, c,
         &ha->cnt.haEncapsulationUnavailable);
    return;
  }
  if ((r.flags & MIP4_RRQ_T) && !ha->reverse_tunnel) {
    deny(ha, &r, rx, MIP4_HA_REVERSE_TUNNEL_UNAVAILABLE, c,
         &ha->cnt.haReverseTunnelUnavailable);
    return;
  }
  c->last_ident = r.ident;
  uint16_t lifetime = MIN(r.lifetime, ha->max_lifetime);
  if (r.lifetime == 0) {
    /* Deregistration, of every care-of address from home or of one
     * (RFC 5944 3.8.3), before replying, so that a reply to a node back
     * home is not itself tunnelled away. */
    bool home = r.coa == r.home_addr;
    bool had = mip4_ha_binding(ha, r.home_addr) != NULL;
    unbind(ha, r.home_addr, home ? 0 : r.coa);
    if (home && had)
      announce(ha, r.home_addr); /* the node's own MAC is its again */
  } else {
    bind(ha, &r, lifetime);
  }
  ha->cnt.haServiceRequestsAccepted++;
  if ((r.flags & MIP4_RRQ_S) && !ha->simultaneous)
    ha->cnt.haMultiBindingUnsupported++;
  /* Code 0 from a home agent that keeps simultaneous bindings, 1 from one
   * that does not, whatever the S flag (RFC 5944 3.8.3.2). */
  reply(ha, &r, rx,
        ha->simultaneous ? MIP4_REPLY_ACCEPTED
                         : MIP4_REPLY_ACCEPTED_NO_SIMULTANEOUS,
        lifetime, r.ident, c);
  MIP4_EXT_CALL(ha->owner, ha_registered, &r, msg, len,
                r.lifetime == 0 ? 0 : lifetime);
}

/* ---- data path --------------------------------------------------------- */

/* Consumes pkt. */
static void tunnel_to(struct mip4_ha *ha, struct pkt *pkt,
                      const struct mip4_binding *b, bool forwarding) {
  struct encap_tx tx = {.src = ha->addr,
                        .dst = b->coa,
                        .kind = b->encap,
                        .forwarding = forwarding};
  if (encap_tunnel_send(ha->owner->node, pkt, &tx))
    ha->cnt.haTunnelledPackets++;
}

/* Packets for an absent mobile node, from anywhere but its own tunnel
 * (RFC 5944 4.2.3: never tunnel back what came from the care-of
 * address). */
static const struct mip4_binding *intercepts(struct mip4_ha *ha,
                                             const struct pkt *pkt) {
  if (pkt->len < IP4_HLEN || (pkt->data[0] >> 4) != 4)
    return NULL;
  const struct mip4_binding *b =
      mip4_ha_binding(ha, load_be32(pkt->data + IP4_OFF_DST));
  uint32_t src = load_be32(pkt->data + IP4_OFF_SRC);
  for (const struct mip4_binding *x = b; x; x = x->next)
    if (src == x->coa)
      return NULL;
  return b;
}

/* One copy per care-of address (simultaneous bindings, RFC 5944 4.2.3);
 * the last binding gets the packet itself. */
static void tunnel_all(struct mip4_ha *ha, struct pkt *pkt,
                       const struct mip4_binding *b, bool forwarding) {
  for (; b->next; b = b->next)
    tunnel_to(ha, pkt_clone(pkt), b, forwarding);
  tunnel_to(ha, pkt, b, forwarding);
}

static bool home_broadcast(const struct mip4_ha *ha, const struct pkt *pkt,
                           const struct iface *in) {
  if (in != ha->home || pkt->len < IP4_HLEN || (pkt->data[0] >> 4) != 4)
    return false;
  uint32_t dst = load_be32(pkt->data + IP4_OFF_DST);
  const struct prefix *p = iface_addr(ha->home, 4);
  return dst == 0xffffffffu ||
         (p->len < 31 && (dst | v4_mask(p->len)) == 0xffffffffu &&
          ((dst ^ p->addr.v4) & v4_mask(p->len)) == 0);
}

/* B flag (RFC 5944 4.3): a broadcast on the home network goes to each
 * mobile node that asked for them, encapsulated first to its home address
 * so that a foreign agent delivers it to that node alone (a co-located
 * care-of address gets it directly), then tunnelled to the care-of
 * address.  The original goes on to the home agent's own stack. */
static void forward_broadcast(struct mip4_ha *ha, const struct pkt *pkt) {
  struct node *node = ha->owner->node;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, ha->bindings);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    for (const struct mip4_binding *b = value; b; b = b->next) {
      if (!b->broadcast)
        continue;
      struct pkt *copy = pkt_clone(pkt);
      if (!b->decapsulates &&
          encap_push(copy, ENCAP_IPIP, ha->addr, b->home_addr, IP_DEFAULT_TTL,
                     node->ip4_next_id++, false) != ENCAP_OK) {
        pkt_free(copy);
        continue;
      }
      ha->cnt.haBroadcastsTunnelled++;
      tunnel_to(ha, copy, b, false);
    }
  }
}

static struct ip_verdict pre_routing(void *ctx, struct node *node,
                                     struct pkt *pkt, struct iface *in,
                                     struct iface *out) {
  struct mip4_ha *ha = ctx;
  if (home_broadcast(ha, pkt, in)) {
    forward_broadcast(ha, pkt);
    return IP_ACCEPT;
  }
  const struct mip4_binding *b = intercepts(ha, pkt);
  if (!b)
    return IP_ACCEPT;
  uint32_t src = load_be32(pkt->data + IP4_OFF_SRC);
  uint32_t home_addr = b->home_addr;
  tunnel_all(ha, pkt, b, true);
  MIP4_EXT_CALL(ha->owner, ha_tunnelled, src, home_addr);
  return IP_STOLEN;
}

static struct ip_verdict local_out(void *ctx, struct node *node,
                                   struct pkt *pkt, struct iface *in,
                                   struct iface *out) {
  struct mip4_ha *ha = ctx;
  if (encap_is_own_outer(node, pkt))
    return IP_ACCEPT; /* one of our tunnels' packets */
  const struct mip4_binding *b = intercepts(ha, pkt);
  if (!b)
    return IP_ACCEPT;
  tunnel_all(ha, pkt, b, false);
  return IP_STOLEN;
}

/* The endpoint of the reverse tunnels, at the home agent's address: only
 * a mobile node's reverse tunnel from one of its registered care-of
 * addresses is accepted. */
static void reverse_rx(void *ctx, struct node *node, struct pkt *pkt,
                       const struct encap_rx *rx) {
  struct mip4_ha *ha = ctx;
  const struct mip4_binding *b =
      mip4_ha_binding(ha, load_be32(pkt->data + IP4_OFF_SRC));
  while (b && b->coa != rx->outer_src)
    b = b->next;
  if (!b || !b->reverse) {
    sim_drop(node->sim, node, NULL, pkt, ha->owner->drop_reverse_refused);
    return;
  }
  ha->cnt.haReverseTunnelledPackets++;
  /* A broadcast the node sent home (encapsulating style) goes out on the
   * home network, which has no route for it. */
  uint32_t inner_dst = load_be32(pkt->data + IP4_OFF_DST);
  const struct prefix *home = iface_addr(ha->home, 4);
  if (inner_dst == 0xffffffffu ||
      ((inner_dst ^ home->addr.v4) & v4_mask(home->len)) == 0)
    ip_output_via(node, pkt, ha->home, NULL);
  else
    ip_output(node, pkt);
}

/* ---- life cycle -------------------------------------------------------- */

struct mip4_ha *mip4_ha_new(struct mip4_node *owner, struct iface *home,
                            int64_t advert_interval) {
  struct mip4_ha *ha = g_new0(struct mip4_ha, 1);
  ha->owner = owner;
  ha->home = home;
  ha->addr = iface_addr(home, 4)->addr.v4;
  ha->max_lifetime = 1800;
  ha->reverse_tunnel = true;
  ha->replay_tolerance = 7 * SIM_S;
  ha->clients = g_array_new(FALSE, TRUE, sizeof(struct mip4_ha_client));
  ha->agent_sas = g_array_new(FALSE, TRUE, sizeof(struct mip4_peer_sa));
  ha->bindings =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, bindings_free);
  ha->gratuitous_due = g_array_new(FALSE, FALSE, sizeof(uint32_t));
  sched_event_init(&ha->gratuitous, gratuitous_tick);
  mip4_advertiser_init(&ha->adv, owner, home, advert_interval);
  g_autofree char *stream =
      g_strdup_printf("mip4/%s/nonces", owner->node->name);
  sim_rng(owner->node->sim, &ha->nonces, stream);
  encap_endpoint_add(owner->node, ha->addr, 0, ENCAP_KINDS_ALL, reverse_rx, ha);
  owner->ha = ha;
  return ha;
}

void mip4_ha_add_client(struct mip4_ha *ha, uint32_t home_addr,
                        const struct mip4_sa *sa, bool nonces) {
  struct mip4_ha_client c = {
      .home_addr = home_addr, .sa = *sa, .nonces = nonces};
  g_array_append_val(ha->clients, c);
}

void mip4_ha_start(struct mip4_ha *ha) {
  struct node *node = ha->owner->node;
  ha->adv.flags |= MIP4_ADV_H | (ha->minimal ? MIP4_ADV_M : 0) |
                   (ha->gre ? MIP4_ADV_G : 0) |
                   (ha->reverse_tunnel ? MIP4_ADV_T : 0);
  ha->adv.max_lifetime = ha->max_lifetime;
  mip4_advertiser_start(&ha->adv);
  ip_hook_add(node, IP_HOOK_PRE_ROUTING, IP_HOOK_PRIO_MOBILITY + 20,
              pre_routing, ha);
  ip_hook_add(node, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_MOBILITY + 20, local_out,
              ha);
}

void mip4_ha_free(struct mip4_ha *ha) {
  struct sim *sim = sim_of(ha);
  mip4_advertiser_stop(&ha->adv);
  sched_cancel(&sim->sched, &ha->gratuitous);
  g_hash_table_destroy(ha->bindings);
  g_array_free(ha->clients, TRUE);
  g_array_free(ha->agent_sas, TRUE);
  g_array_free(ha->gratuitous_due, TRUE);
  g_free(ha);
}
