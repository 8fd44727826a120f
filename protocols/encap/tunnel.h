/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tunnels of a node, shared by every module on it: the endpoint table
 * that hands arriving tunnel packets to the module that terminates them,
 * the one tunnel-send that every module originates tunnels with, and the
 * soft state of those tunnels (RFC 2003 4, 5). */
#ifndef MIPSIM_TUNNEL_H
#define MIPSIM_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "protocols/encap/encap.h"
#include "sim/core/sched.h"

struct iface;
struct module;
struct node;
struct pkt;

/* The module whose node state this is.  It owns no element: modules that
 * tunnel attach it (encap_use, or implicitly through the calls below),
 * and the kernel frees it with the node's other states. */
extern const struct module encap_module;

/* Attaches the node's tunnel state if it has none: one IP protocol handler
 * for each of IP protocols 4, 55 and 47 and one ICMP "unreachable" handler
 * for the soft state.  A module calls it when it configures a node, so
 * that the handlers are in place before the run and in an order that
 * does not depend on traffic; the other calls attach it too. */
void encap_use(struct node *node);

/* ---- Endpoints ----------------------------------------------------------
 *
 * A tunnel packet addressed to the node (IP protocol 4, 55 or 47) goes to
 * the endpoint whose local address is the outer destination and whose
 * remote address is the outer source; failing that, to one with that
 * local address and any remote (remote 0); among equals, the one
 * registered first.  An endpoint only matches the kinds it lists.
 *
 * The claimed packet is decapsulated and the inner one handed to the
 * owner; one that does not decapsulate is dropped as malformed.  A packet
 * no endpoint claims is declined, left untouched for the next handler of
 * the protocol or, if none, the kernel's default (an ICMP protocol
 * unreachable and a drop counted as `unreachable`), as a host with no
 * such tunnel configured answers. */

#define ENCAP_KIND_BIT(kind) (1u << (kind))
#define ENCAP_KINDS_ALL                                                        \
  (ENCAP_KIND_BIT(ENCAP_IPIP) | ENCAP_KIND_BIT(ENCAP_MINIMAL) |                \
   ENCAP_KIND_BIT(ENCAP_GRE))

/* What the owner learns of the tunnel a packet came through. */
struct encap_rx {
  uint32_t outer_src;
  uint32_t outer_dst;
  enum encap_kind kind;
  struct iface *in;
};

/* The inner packet of a tunnel packet the endpoint claimed: pkt->data at
 * its IPv4 header, whose length and total length are checked, nothing
 * else (the checksum is the encapsulator's).  Transfer full: the owner
 * delivers, forwards or drops it. */
typedef void (*encap_rx_fn)(void *ctx, struct node *node, struct pkt *pkt,
                            const struct encap_rx *rx);

struct encap_endpoint;

/* Registers an endpoint: local (0: none for now, see
 * encap_endpoint_set_local), remote (0: any), kinds (ENCAP_KIND_BIT of
 * each kind accepted).  The node owns it and frees it with its state. */
struct encap_endpoint *encap_endpoint_add(struct node *node, uint32_t local,
                                          uint32_t remote, unsigned kinds,
                                          encap_rx_fn fn, void *ctx);
/* Moves an endpoint to another local address (0: it claims nothing), for
 * an address that comes and goes (a co-located care-of address).  Not
 * from inside the endpoint's own callback for the packet being handled. */
void encap_endpoint_set_local(struct encap_endpoint *ep, uint32_t local);

/* ---- Sending ----------------------------------------------------------- */

struct encap_tx {
  /* Outer source; minimal encapsulation by the packet's originator has no
   * room for it and keeps the inner source (RFC 2004 3). */
  uint32_t src;
  uint32_t dst; /* outer destination: the tunnel's exit */
  enum encap_kind kind;
  /* The node forwards someone else's packet into the tunnel (a home agent
   * intercepting, a foreign agent reverse tunnelling): the inner TTL is
   * decremented, and minimal encapsulation keeps the original source. */
  bool forwarding;
  /* NULL: routed towards dst; else straight out of oif to dst on-link. */
  struct iface *oif;
};

/* Tunnels inner (data at its IPv4 header) as tx says, and sends the outer
 * packet with ip_output, marked as this node's tunnel packet
 * (encap_is_own_outer).  Refused, the packet is dropped and counted, and
 * the inner sender told when RFC 2003 says so: the exit reported
 * unreachable within ENCAP_UNREACHABLE_HOLD (host unreachable), DF set
 * and too big for the tunnel MTU (fragmentation needed, with the tunnel
 * MTU less the overhead), the inner TTL expiring on forwarding (time
 * exceeded), or an encapsulation the packet does not allow (malformed).
 * Consumes inner; true if the outer packet was sent. */
bool encap_tunnel_send(struct node *node, struct pkt *inner,
                       const struct encap_tx *tx);

/* Is pkt (in a LOCAL_OUT or POST_ROUTING hook of node) the outer packet
 * of a tunnel node originated with encap_tunnel_send?  Hooks that tunnel
 * or redirect the node's own packets skip such packets instead of
 * guessing from the protocol number. */
bool encap_is_own_outer(const struct node *node, const struct pkt *pkt);

/* ---- Soft state -------------------------------------------------------- */

/* How long an "unreachable" from inside a tunnel is believed. */
#define ENCAP_UNREACHABLE_HOLD (5 * SIM_S)

/* The tunnel MTU the node knows for exit: the first link's MTU, or less
 * if an ICMP "fragmentation needed" about one of the node's tunnel
 * packets to exit reported less. */
uint32_t encap_tunnel_mtu(struct node *node, uint32_t exit);

#endif
