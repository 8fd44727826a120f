/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Agent advertisements (RFC 5944 2.1 on RFC 1256): sent to 224.0.0.1 with
 * TTL 1 every interval, with the Mobility Agent Advertisement and
 * Prefix-Lengths extensions, and at once in answer to a solicitation.  The
 * first one goes out at a random phase within the first interval, drawn
 * from the agent's own stream, so that agents do not advertise in
 * lockstep. */
#include <string.h>

#include "protocols/mip4/internal.h"
#include "sim/core/pkt.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/node.h"
#include "sim/results/signalling.h"

#define ALL_SYSTEMS 0xe0000001u /* 224.0.0.1 */

static void advertise(struct mip4_advertiser *adv) {
  struct node *node = adv->owner->node;
  const struct prefix *own = iface_addr(adv->iface, 4);
  if (!own || !adv->iface->up)
    return;
  struct mip4_advert a = {
      .code = MIP4_ADV_CODE_ROUTER,
      /* Valid for three intervals, so that two lost ones are tolerated
       * (RFC 5944 2.1: at most a third of the lifetime between them). */
      .lifetime =
          (uint16_t)MIN(0xffff, (3 * adv->interval + SIM_S - 1) / SIM_S),
      .num_routers = 1,
      .prefix_lengths = true,
      .seq = adv->seq,
      .reg_lifetime = adv->max_lifetime,
      .flags = adv->flags,
  };
  a.routers[0] =
      (struct mip4_router){.addr = own->addr.v4, .prefix_len = own->len};
  if (adv->coa) {
    a.num_coas = 1;
    a.coas[0] = adv->coa;
  }
  /* After 0xffff the sequence wraps to 256: 0-255 mean a reboot. */
  adv->seq = adv->seq == 0xffff ? 256 : adv->seq + 1;
  g_autoptr(GByteArray) msg = g_byte_array_new();
  mip4_advert_append(msg, &a);
  struct pkt *p = pkt_new(&node->sim->pool, msg->len);
  memcpy(p->data, msg->data, msg->len);
  signalling_count(node, "agent_advertisement", msg->len + IP4_HLEN);
  struct ip_tx tx = {.src = own->addr,
                     .dst = addr_v4(ALL_SYSTEMS),
                     .proto = IPPROTO_NUM_ICMP,
                     .ttl = 1};
  ip_send_via(node, p, &tx, adv->iface, NULL);
}

static void tick(struct sched_event *ev) {
  struct mip4_advertiser *adv =
      SIM_CONTAINER_OF(ev, struct mip4_advertiser, tick);
  advertise(adv);
  sched_in(&adv->owner->node->sim->sched, ev, adv->interval);
}

void mip4_advertiser_init(struct mip4_advertiser *adv, struct mip4_node *owner,
                          struct iface *iface, int64_t interval) {
  *adv = (struct mip4_advertiser){
      .owner = owner, .iface = iface, .interval = interval};
  sched_event_init(&adv->tick, tick);
}

/* RFC 5944 2.3: an agent answers a solicitation heard on its interface
 * with an advertisement (at once here; RFC 1256 allows up to 2 s). */
static bool on_solicit(void *ctx, struct node *node, struct pkt *pkt,
                       uint32_t off, struct iface *in) {
  struct mip4_advertiser *adv = ctx;
  if (in != adv->iface ||
      mip4_solicit_decode(pkt->data + off, pkt->len - off) != MIP4_OK)
    return false;
  pkt_free(pkt);
  advertise(adv);
  return true;
}

void mip4_advertiser_start(struct mip4_advertiser *adv) {
  struct sim *sim = adv->owner->node->sim;
  icmp_register(adv->owner->node, 4, MIP4_ICMP_SOLICIT, on_solicit, adv);
  g_autofree char *name = g_strdup_printf("mip4/%s/advert", adv->iface->name);
  struct rng r;
  sim_rng(sim, &r, name);
  sched_at(&sim->sched, &adv->tick,
           (int64_t)rng_below(&r, (uint64_t)adv->interval));
}

void mip4_advertiser_stop(struct mip4_advertiser *adv) {
  sched_cancel(&adv->owner->node->sim->sched, &adv->tick);
}
