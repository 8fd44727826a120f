/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mobile node (RFC 5944 2.4, 3.6, 4.6).
 *
 * Agent advertisements tell it where it is.  With eager (prefix-based)
 * detection an advertisement from an agent on another network means it
 * moved and registers at once; with lazy (lifetime-based) detection it
 * keeps its agent until that agent's advertisement lifetime runs out and
 * only then turns to another one it heard.  A link-layer attach can
 * prompt a solicitation, so that the agent answers at once instead of at
 * its next advertisement.
 *
 * A registration is retransmitted after 1 s, then at doubling intervals
 * up to the lifetime asked for, each time with a new timestamp as the
 * Identification (RFC 5944 3.6.3).  Code 133 resynchronises its clock
 * from the home agent's time in the reply; 69 retries with the lifetime
 * the agent allows.  It re-registers when nine tenths of the granted
 * lifetime have passed.  Back home it deregisters and announces its home
 * address with its own MAC by gratuitous ARP. */
#include "protocols/mip4/mn.h"

#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/arp.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/net/route.h"
#include "sim/net/udp.h"
#include "sim/results/handoff.h"
#include "sim/results/signalling.h"
#include "sim/services/dhcp.h"
#include "sim/wireless/radio.h"

#define RETX_INITIAL SIM_S /* RFC 5944 3.6.3: at least 1 s */
#define SOLICIT_FAST 3     /* RFC 5944 2.4: at most 1 per second */
#define SOLICIT_MAX_INTERVAL (60 * SIM_S)

static struct sim *sim_of(const struct mip4_mn *mn) {
  return mn->owner->node->sim;
}

static int64_t now_of(const struct mip4_mn *mn) {
  return sim_now(sim_of(mn));
}

/* The kernel's handoff meter measures what handoffs cost; the node only
 * says which milestones of Mobile IP it reached. */
static void mark(struct mip4_mn *mn, unsigned milestones) {
  handoff_mark(sim_of(mn), mn->owner->node, milestones);
}

/* ---- routes ------------------------------------------------------------ */

/* Away from home the home subnet is not on the link the node is on: it
 * keeps its home address as a /32, so that everything, its home agent and
 * home correspondents included, goes through its default router (RFC 5944
 * 4.6: no ARP for home addresses away from home). */
static void home_subnet_on_link(struct mip4_mn *mn, bool on_link) {
  struct ip_addr hoa = addr_v4(mn->home_addr);
  struct prefix p = {.addr = hoa, .len = on_link ? mn->home_prefix_len : 32};
  const struct prefix *cur = iface_addr(mn->iface, 4);
  if (cur && addr_equal(&cur->addr, &hoa) && cur->len == p.len)
    return;
  /* Put back first, so that it stays the interface's first (source)
   * address ahead of any leased one. */
  GArray *addrs = mn->iface->addrs;
  for (guint i = 0; i < addrs->len; i++) {
    struct prefix *a = &g_array_index(addrs, struct prefix, i);
    if (addr_equal(&a->addr, &hoa)) {
      a->len = p.len;
      route_invalidate(mn->owner->node->sim);
      return;
    }
  }
}

/* The on-link route to the router of the link the node was on. */
static void forget_router(struct mip4_mn *mn) {
  if (!mn->router)
    return;
  struct prefix host = {.addr = addr_v4(mn->router), .len = 32};
  route_del(mn->owner->node, &host);
  mn->router = 0;
}

/* The node's default router is the agent it uses (RFC 5944 4.2.1),
 * reached on the link whatever its address. */
static void route_via(struct mip4_mn *mn, uint32_t router) {
  struct node *node = mn->owner->node;
  struct prefix all = {.addr = addr_v4(0), .len = 0};
  struct prefix host = {.addr = addr_v4(router), .len = 32};
  forget_router(mn);
  route_del(node, &all);
  struct ip_addr gw = addr_v4(router);
  route_add(node, &host, mn->iface, NULL);
  route_add(node, &all, mn->iface, &gw);
  mn->router = router;
}

/* ---- solicitation ------------------------------------------------------ */

static void send_solicitation(struct mip4_mn *mn) {
  struct node *node = mn->owner->node;
  if (!mn->iface->up)
    return;
  g_autoptr(GByteArray) msg = g_byte_array_new();
  mip4_solicit_append(msg);
  struct pkt *p = pkt_new(&node->sim->pool, msg->len);
  memcpy(p->data, msg->data, msg->len);
  signalling_count(node, "agent_solicitation", msg->len + IP4_HLEN);
  mn->cnt.mnSolicitationsSent++;
  struct ip_tx tx = {.src = addr_v4(mn->home_addr),
                     .dst = addr_v4(0xffffffffu),
                     .proto = IPPROTO_NUM_ICMP,
                     .ttl = 1};
  ip_send_via(node, p, &tx, mn->iface, NULL);
}

static void solicit_tick(struct sched_event *ev) {
  struct mip4_mn *mn = SIM_CONTAINER_OF(ev, struct mip4_mn, solicit);
  /* The agent known before a link change says nothing of the new link:
   * solicit until an advertisement is heard on it. */
  if (!mn->soliciting)
    return;
  send_solicitation(mn);
  if (++mn->solicits >= SOLICIT_FAST &&
      mn->solicit_interval < SOLICIT_MAX_INTERVAL)
    mn->solicit_interval *= 2;
  sched_in(&sim_of(mn)->sched, ev, mn->solicit_interval);
}

static void start_soliciting(struct mip4_mn *mn) {
  mn->soliciting = true;
  mn->solicits = 0;
  mn->solicit_interval = SIM_S;
  sched_cancel(&sim_of(mn)->sched, &mn->solicit);
  solicit_tick(&mn->solicit);
}

/* ---- registration ------------------------------------------------------ */

static uint64_t next_ident(struct mip4_mn *mn) {
  if (mn->nonces) /* the agent's nonce and a fresh one of ours */
    return mip4_ident_make(mn->nonce, (uint32_t)rng_u64(&mn->rng));
  uint64_t id = mip4_ntp_from_time(now_of(mn) + mn->clock_offset, 0);
  /* Strictly increasing (RFC 5944 5.7.1), even within one nanosecond. */
  if (mn->ident && mip4_ntp_diff(id, mn->ident) <= 0)
    id = mn->ident + 1;
  return id;
}

/* A new request, or (fresh false) a retransmission: with timestamps a
 * retransmission is a new request, with nonces the same one resent
 * (RFC 5944 3.6.3). */
static void send_request(struct mip4_mn *mn, bool fresh) {
  bool dereg = mn->state == MIP4_MN_DEREGISTERING;
  const struct mip4_agent_info *a = &mn->agent;
  bool colocated = mn->dhcp && !dereg;
  struct mip4_rrq r = {.lifetime = dereg ? 0 : mn->asked,
                       .home_addr = mn->home_addr,
                       .home_agent = mn->home_agent,
                       .coa = dereg       ? mn->home_addr
                              : colocated ? mn->colocated
                                          : a->coa};
  if (colocated)
    r.flags |= MIP4_RRQ_D;
  if (!dereg) {
    if (mn->reverse_tunnel && (a->flags & MIP4_ADV_T))
      r.flags |= MIP4_RRQ_T;
    if (mn->simultaneous)
      r.flags |= MIP4_RRQ_S;
    if (mn->broadcast)
      r.flags |= MIP4_RRQ_B;
    if (mn->encap == ENCAP_MINIMAL && (a->flags & MIP4_ADV_M))
      r.flags |= MIP4_RRQ_M;
    if (mn->encap == ENCAP_GRE && (a->flags & MIP4_ADV_G))
      r.flags |= MIP4_RRQ_G;
  }
  if (fresh || !mn->nonces)
    mn->ident = next_ident(mn);
  r.ident = mn->ident;
  g_autoptr(GByteArray) msg = g_byte_array_new();
  mip4_rrq_append(msg, &r);
  mip4_ext_append_auth(msg, MIP4_EXT_MH_AUTH, mn->sa.spi, mn->sa.alg,
                       mn->sa.key, mn->sa.key_len);
  /* Between the Mobile-Home and Mobile-Foreign authenticators (RFC 3024
   * 3.3). */
  if (mn->encapsulating && (r.flags & MIP4_RRQ_T))
    mip4_ext_append(msg, MIP4_EXT_ENCAP_DELIVERY, NULL, 0);
  if (!dereg && !colocated)
    MIP4_EXT_CALL(mn->owner, mn_request, &r, msg, mn->registered_coa, a->flags);
  const struct mip4_sa *mf =
      dereg || colocated ? NULL : mip4_peer_sa(mn->agent_sas, a->addr);
  if (mf) /* after the Mobile-Home one (RFC 5944 3.6.1.3) */
    mip4_ext_append_auth(msg, MIP4_EXT_MF_AUTH, mf->spi, mf->alg, mf->key,
                         mf->key_len);
  mn->sent_at = now_of(mn);
  if (dereg)
    mn->cnt.mnDeRegRequestsSent++;
  else
    mn->cnt.mnRegRequestsSent++;
  /* Through the foreign agent, or straight to the home agent from home;
   * TTL 255 lets the agent check the request came from its link (RFC
   * 3024 3.2).  With a co-located address, from that address straight to
   * the home agent, routed by the visited network, unless an agent on
   * the link requires registration through it (R, RFC 5944 3.6). */
  if (colocated) {
    bool via_agent = a->valid && !a->home && (a->flags & MIP4_ADV_R) &&
                     a->expires > now_of(mn);
    if (via_agent)
      mip4_send_udp(mn->owner, msg, mn->colocated, a->addr, MIP4_PORT, 255,
                    mn->iface);
    else
      mip4_send_udp(mn->owner, msg, mn->colocated, mn->home_agent, MIP4_PORT,
                    255, NULL);
    return;
  }
  uint32_t to = dereg ? mn->home_agent : a->addr;
  mip4_send_udp(mn->owner, msg, mn->home_addr, to, MIP4_PORT, 255, mn->iface);
}

static void retransmit(struct sched_event *ev) {
  struct mip4_mn *mn = SIM_CONTAINER_OF(ev, struct mip4_mn, retx);
  mn->cnt.mnRegRequestsRetransmitted++;
  send_request(mn, false);
  /* Each interval at least doubles, up to the lifetime asked for. */
  int64_t cap = (int64_t)(mn->asked ? mn->asked : 1) * SIM_S;
  mn->retx_interval = MIN(2 * mn->retx_interval, MAX(cap, RETX_INITIAL));
  sched_in(&sim_of(mn)->sched, ev, mn->retx_interval);
}

static void begin(struct mip4_mn *mn, enum mip4_mn_state state) {
  struct sim *sim = sim_of(mn);
  mn->state = state;
  sched_cancel(&sim->sched, &mn->renew);
  mn->retx_interval = RETX_INITIAL;
  send_request(mn, true);
  mark(mn, HANDOFF_REGISTRATION_SENT);
  sched_in(&sim->sched, &mn->retx, mn->retx_interval);
}

static void register_with_agent(struct mip4_mn *mn) {
  uint16_t max =
      mn->agent.max_lifetime && !mn->dhcp ? mn->agent.max_lifetime : 1800;
  mn->asked = MIN(mn->lifetime, max);
  begin(mn, MIP4_MN_REGISTERING);
}

static void renew(struct sched_event *ev) {
  struct mip4_mn *mn = SIM_CONTAINER_OF(ev, struct mip4_mn, renew);
  if (mn->dhcp ? mn->colocated != 0 : mn->agent.valid && !mn->agent.home)
    register_with_agent(mn);
}

/* A lease on a visited link is the move itself: the new care-of
 * address.  One on the home subnet is no move. */
static void on_leased(void *ctx, struct iface *iface, uint32_t addr,
                      uint8_t plen, uint32_t router, int64_t lease) {
  struct mip4_mn *mn = ctx;
  mn->colocated = addr;
  encap_endpoint_set_local(mn->colocated_ep, addr);
  if (((addr ^ mn->home_addr) & v4_mask(mn->home_prefix_len)) == 0)
    return;
  forget_router(mn); /* the lease brought its own default route */
  home_subnet_on_link(mn, false);
  mark(mn, HANDOFF_MOVEMENT_DETECTED | HANDOFF_ADDRESS_CONFIGURED);
  mn->cnt.mnMoveFromFAToFA++;
  register_with_agent(mn);
}

static void on_lease_lost(void *ctx, struct iface *iface, uint32_t addr) {
  struct mip4_mn *mn = ctx;
  if (mn->colocated == addr) {
    mn->colocated = 0;
    encap_endpoint_set_local(mn->colocated_ep, 0);
  }
}

bool mip4_mn_set_colocated(struct mip4_mn *mn) {
  mn->dhcp = dhcp_client_new(mn->iface, on_leased, on_lease_lost, mn);
  return mn->dhcp != NULL;
}

static void go_home(struct mip4_mn *mn) {
  mn->cnt.mnMoveFromFAToHA++;
  home_subnet_on_link(mn, true);
  route_via(mn, mn->home_agent);
  /* RFC 5944 4.6: the node's own MAC is the home address's again. */
  arp_announce(mn->iface, mn->home_addr, mn->iface->mac);
  mn->cnt.mnGratuitousARPsSend++;
  if (mn->state == MIP4_MN_AT_HOME)
    return;
  mn->asked = 0;
  begin(mn, MIP4_MN_DEREGISTERING);
}

static void agent_expired(struct sched_event *ev);

static void use_agent(struct mip4_mn *mn, const struct mip4_agent_info *a) {
  struct sim *sim = sim_of(mn);
  bool was_home = !mn->agent.valid || mn->agent.home;
  mn->agent = *a;
  mn->other.valid = false;
  sched_at(&sim->sched, &mn->agent_expiry, a->expires);
  /* The agent's care-of address (or, at home, the home address) is the
   * address on the new link: known with the advertisement.  (A
   * co-located one comes with its lease: on_leased.) */
  mark(mn, HANDOFF_MOVEMENT_DETECTED | HANDOFF_ADDRESS_CONFIGURED);
  if (a->home) {
    if (mn->state != MIP4_MN_AT_HOME)
      go_home(mn);
    return;
  }
  if (was_home)
    mn->cnt.mnMoveFromHAToFA++;
  else
    mn->cnt.mnMoveFromFAToFA++;
  home_subnet_on_link(mn, false);
  route_via(mn, a->addr);
  register_with_agent(mn);
}

static void agent_expired(struct sched_event *ev) {
  struct mip4_mn *mn = SIM_CONTAINER_OF(ev, struct mip4_mn, agent_expiry);
  mn->agent.valid = false;
  if (mn->other.valid && mn->other.expires > now_of(mn))
    use_agent(mn, &mn->other);
  else
    start_soliciting(mn);
}

/* ---- advertisements ---------------------------------------------------- */

static bool on_advert(void *ctx, struct node *node, struct pkt *pkt,
                      uint32_t off, struct iface *in) {
  struct mip4_mn *mn = ctx;
  struct mip4_advert adv;
  if (in != mn->iface ||
      mip4_advert_decode(pkt->data + off, pkt->len - off, &adv) != MIP4_OK ||
      adv.num_routers == 0)
    return false;
  pkt_free(pkt);
  mn->cnt.mnAdvertisementsReceived++;
  mn->soliciting = false;
  uint8_t plen = adv.prefix_lengths ? adv.routers[0].prefix_len : 32;
  uint32_t router = adv.routers[0].addr;
  struct mip4_agent_info a = {.valid = true,
                              .addr = router,
                              .prefix_len = plen,
                              .coa = adv.num_coas ? adv.coas[0] : 0,
                              .flags = adv.flags,
                              .max_lifetime = adv.reg_lifetime,
                              .expires =
                                  now_of(mn) + (int64_t)adv.lifetime * SIM_S};
  a.home = (adv.flags & MIP4_ADV_H) &&
           ((router ^ mn->home_addr) & v4_mask(plen)) == 0;
  if (mn->await_advert) {
    mn->await_advert = false;
    if (mn->handoff_row >= 0)
      handoff_annotate(sim_of(mn), mn->handoff_row, "adv_heard_s",
                       (double)now_of(mn) / 1e9);
  }
  if (mn->agent.valid && mn->agent.addr == router) {
    mn->agent.expires = a.expires;
    sched_at(&sim_of(mn)->sched, &mn->agent_expiry, a.expires);
    return true;
  }
  if (!a.home && !(adv.flags & MIP4_ADV_F))
    return true; /* a home agent of another network offers us nothing */
  if (!a.home && mn->dhcp) {
    /* Co-located: the lease, not the agents, tells moves; an agent here
     * that requires registration (R) relays ours (RFC 5944 3.6). */
    mn->agent = a;
    sched_at(&sim_of(mn)->sched, &mn->agent_expiry, a.expires);
    return true;
  }
  bool moved;
  if (mn->eager)
    moved = !mn->agent.valid || mn->agent.prefix_len != plen ||
            ((mn->agent.addr ^ router) & v4_mask(plen)) != 0;
  else
    moved = !mn->agent.valid;
  if (moved)
    use_agent(mn, &a);
  else
    mn->other = a;
  return true;
}

/* Tunnels that end at the node itself: its co-located care-of address
 * (D flag), or home broadcasts the home agent encapsulated to the home
 * address (B flag).  The inner packet is the node's own, whatever its
 * destination (a home broadcast is not on the link the node is on). */
static void tunnel_rx(void *ctx, struct node *node, struct pkt *pkt,
                      const struct encap_rx *rx) {
  struct mip4_mn *mn = ctx;
  ip_deliver_local(node, pkt, mn->iface);
}

/* ---- replies ----------------------------------------------------------- */

void mip4_mn_rx(struct mip4_mn *mn, const uint8_t *msg, size_t len,
                const struct udp_rx *rx) {
  struct mip4_rrp p;
  struct mip4_reg_exts exts;
  if (mip4_rrp_decode(msg, len, &p, &exts) != MIP4_OK ||
      p.home_addr != mn->home_addr)
    return;
  if (mip4_ident_low(p.ident) != mip4_ident_low(mn->ident)) {
    mn->cnt.mnRepliesInvalidID++;
    return;
  }
  /* 64-127 and 194 (RFC 5944 3.4) come from the foreign agent. */
  bool from_ha =
      p.code < 64 || (p.code >= 128 && p.code != MIP4_FA_INVALID_HA_ADDRESS);
  /* A foreign agent we share an association with signs what it relays. */
  const struct mip4_sa *mf = mip4_peer_sa(mn->agent_sas, rx->src.v4);
  if (mf && !(exts.mf_auth.present && exts.mf_auth.spi == mf->spi &&
              mip4_auth_verify(msg, len, exts.mf_auth.off, mf->alg, mf->key,
                               mf->key_len))) {
    mn->cnt.mnRepliesFAAuthenticationFailure++;
    return;
  }
  if (from_ha && (!exts.mh_auth.present ||
                  !mip4_auth_verify(msg, len, exts.mh_auth.off, mn->sa.alg,
                                    mn->sa.key, mn->sa.key_len))) {
    mn->cnt.mnRepliesHAAuthenticationFailure++;
    return;
  }
  if (from_ha)
    mn->nonce = mip4_ident_high(p.ident); /* for the next request */
  if (mn->state != MIP4_MN_REGISTERING && mn->state != MIP4_MN_DEREGISTERING)
    return;
  struct sim *sim = sim_of(mn);
  if (mn->state == MIP4_MN_DEREGISTERING)
    mn->cnt.mnDeRegRepliesRecieved++;
  else
    mn->cnt.mnRegRepliesRecieved++;
  sched_cancel(&sim->sched, &mn->retx);
  switch (p.code) {
  case MIP4_REPLY_ACCEPTED:
  case MIP4_REPLY_ACCEPTED_NO_SIMULTANEOUS:
    mn->cnt.mnRegRequestsAccepted++;
    mark(mn, HANDOFF_REGISTRATION_ANSWERED);
    if (mn->state == MIP4_MN_DEREGISTERING) {
      mn->state = MIP4_MN_AT_HOME;
      mn->registered_coa = 0;
      return;
    }
    mn->state = MIP4_MN_REGISTERED;
    mn->registered_coa = mn->dhcp ? mn->colocated : mn->agent.coa;
    /* The lifetime runs from when the request was sent (RFC 5944
     * 3.6.1.3); renew after nine tenths of it. */
    if (p.lifetime != 0xffff)
      sched_at(&sim->sched, &mn->renew,
               mn->sent_at + (int64_t)p.lifetime * SIM_S * 9 / 10);
    return;
  case MIP4_HA_ID_MISMATCH: {
    mn->cnt.mnRegRequestsDeniedByHADueToID++;
    if (!mn->nonces) {
      /* The high half is the home agent's clock, in whole seconds. */
      uint64_t ours = mip4_ntp_from_time(now_of(mn) + mn->clock_offset, 0);
      mn->clock_offset +=
          ((int64_t)mip4_ident_high(p.ident) - (int64_t)mip4_ident_high(ours)) *
          SIM_S;
    }
    begin(mn, mn->state);
    return;
  }
  case MIP4_FA_LIFETIME_TOO_LONG:
    mn->cnt.mnRegRequestsDeniedByFA++;
    mn->lifetime = p.lifetime;
    register_with_agent(mn);
    return;
  default:
    if (from_ha)
      mn->cnt.mnRegRequestsDeniedByHA++;
    else
      mn->cnt.mnRegRequestsDeniedByFA++;
    mn->state = MIP4_MN_DENIED;
    return;
  }
}

/* Encapsulating delivery style: every packet the node sends from its home
 * address while registered with reverse tunnelling goes to its foreign
 * agent inside a tunnel of its own (RFC 3024 5.1), broadcasts too. */
static struct ip_verdict encapsulate_out(void *ctx, struct node *node,
                                         struct pkt *pkt, struct iface *in,
                                         struct iface *out) {
  struct mip4_mn *mn = ctx;
  if (!mn->encapsulating || !mn->reverse_tunnel ||
      mn->state != MIP4_MN_REGISTERED || mn->dhcp ||
      !(mn->agent.flags & MIP4_ADV_T) || pkt->len < IP4_HLEN ||
      (pkt->data[0] >> 4) != 4 ||
      load_be32(pkt->data + IP4_OFF_SRC) != mn->home_addr ||
      encap_is_own_outer(node, pkt) ||
      pkt->data[IP4_OFF_TTL] == 1) /* link-local: a solicitation */
    return IP_ACCEPT;
  uint32_t dst = load_be32(pkt->data + IP4_OFF_DST);
  if (dst == mn->agent.addr)
    return IP_ACCEPT; /* to the agent itself (registrations) */
  struct encap_tx tx = {.src = mn->home_addr,
                        .dst = mn->agent.addr,
                        .kind = ENCAP_IPIP,
                        .oif = mn->iface};
  encap_tunnel_send(node, pkt, &tx);
  return IP_STOLEN;
}

static void on_radio(void *ctx, struct iface *iface, struct cell *cell,
                     bool up) {
  struct mip4_mn *mn = ctx;
  if (iface != mn->iface || !up)
    return;
  mn->handoff_row = radio_last_handoff(iface);
  mn->await_advert = true;
  if (mn->solicit_on_attach)
    start_soliciting(mn);
}

struct mip4_mn *mip4_mn_new(struct mip4_node *owner, struct iface *radio,
                            uint32_t home_addr, uint8_t home_prefix_len,
                            uint32_t home_agent, const struct mip4_sa *sa) {
  struct mip4_mn *mn = g_new0(struct mip4_mn, 1);
  mn->owner = owner;
  mn->iface = radio;
  mn->home_addr = home_addr;
  mn->home_prefix_len = home_prefix_len;
  mn->home_agent = home_agent;
  mn->sa = *sa;
  mn->lifetime = 300;
  mn->eager = true;
  mn->solicit_on_attach = true;
  mn->encap = ENCAP_IPIP;
  mn->state = MIP4_MN_AT_HOME;
  mn->handoff_row = -1;
  g_autofree char *stream =
      g_strdup_printf("mip4/%s/nonces", owner->node->name);
  sim_rng(owner->node->sim, &mn->rng, stream);
  mn->agent_sas = g_array_new(FALSE, TRUE, sizeof(struct mip4_peer_sa));
  sched_event_init(&mn->agent_expiry, agent_expired);
  sched_event_init(&mn->retx, retransmit);
  sched_event_init(&mn->renew, renew);
  sched_event_init(&mn->solicit, solicit_tick);
  struct node *node = owner->node;
  encap_endpoint_add(node, home_addr, 0, ENCAP_KINDS_ALL, tunnel_rx, mn);
  mn->colocated_ep =
      encap_endpoint_add(node, 0, 0, ENCAP_KINDS_ALL, tunnel_rx, mn);
  owner->mn = mn;
  return mn;
}

void mip4_mn_start(struct mip4_mn *mn) {
  struct node *node = mn->owner->node;
  icmp_register(node, 4, MIP4_ICMP_ADVERT, on_advert, mn);
  radio_listen(node, on_radio, mn);
  ip_hook_add(node, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_MOBILITY + 30,
              encapsulate_out, mn);
  route_via(mn, mn->home_agent);
}

void mip4_mn_free(struct mip4_mn *mn) {
  struct sched *s = &sim_of(mn)->sched;
  sched_cancel(s, &mn->agent_expiry);
  sched_cancel(s, &mn->retx);
  sched_cancel(s, &mn->renew);
  sched_cancel(s, &mn->solicit);
  g_array_free(mn->agent_sas, TRUE);
  g_free(mn);
}
