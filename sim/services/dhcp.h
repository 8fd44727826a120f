/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP for IPv4 (RFC 2131, options of RFC 2132): a server that leases the
 * addresses of a pool on one interface's subnet, and a client that gets an
 * address for one interface whenever that interface joins a link.  A
 * kernel service: generic networking that knows nothing of Mobile IP;
 * protocol modules use the client's callbacks (a co-located care-of
 * address, say), scenarios the <dhcp-server> and <dhcp-client> elements.
 *
 * The wire format is real BOOTP (RFC 951 layout, the magic cookie, padded
 * to the 300-byte BOOTP minimum of RFC 1542) on UDP ports 67 and 68, so
 * captures dissect as DHCP.  What is modelled, and what is not:
 *
 *  - The client sets the broadcast flag, and the server broadcasts its
 *    replies (OFFER, ACK and NAK to 255.255.255.255) unless the client
 *    has an address (ciaddr, when renewing or rebinding): those go to it
 *    by unicast.  No relay agents (giaddr is left 0).
 *  - The client starts at once when its interface joins a link (no
 *    random 1-10 s wait, RFC 2131 4.4.1), takes the first OFFER, does not
 *    probe the address with ARP (no DECLINE) but announces it with a
 *    gratuitous ARP on a LAN.  It always starts from INIT (no INIT-REBOOT)
 *    and never sends INFORM.
 *  - DISCOVER and REQUEST are retransmitted after 4 s, 8 s, 16 s, 32 s,
 *    then every 64 s, each randomised by a uniform -1 s to +1 s (RFC 2131
 *    4.1) drawn from the client's stream "dhcp/NODE/IFACE"; after four
 *    unanswered REQUESTs the client starts over with a DISCOVER.  The
 *    transaction ids come from the same stream.
 *  - Lease times are measured by the client from when it sent its
 *    latest REQUEST, by the server from its ACK.  The client renews by
 *    unicast at T1 = lease / 2 and rebinds by broadcast at T2 = 7/8
 *    lease, retransmitting after half the remaining time but at least
 *    60 s (RFC 2131 4.4.5); at the end of the lease it drops the address
 *    and starts over.
 *  - The server picks, in order: the address the client has or had, the
 *    address it asks for, a never-leased address (lowest first), then the
 *    lowest address whose lease ended.  An OFFERed address is held for
 *    the client for DHCP_OFFER_HOLD.  With none free it does not answer.
 */
#ifndef MIPSIM_DHCP_H
#define MIPSIM_DHCP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/sched.h"

struct sim;
struct node;
struct iface;

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
/* The BOOTP message before the options, and the smallest message sent
 * (RFC 1542 2.1: a 64-byte vendor area). */
#define DHCP_FIXED_LEN 236
#define DHCP_MIN_LEN 300
#define DHCP_MAGIC_COOKIE 0x63825363u
#define DHCP_FLAG_BROADCAST 0x8000
/* The lease option's "infinity" (RFC 2131 3.3). */
#define DHCP_LEASE_INFINITE 0xffffffffu
#define DHCP_OFFER_HOLD (60 * SIM_S)
#define DHCP_DEFAULT_LEASE (3600 * SIM_S)

#define MIPSIM_DHCP_ERROR (mipsim_dhcp_error_quark())
GQuark mipsim_dhcp_error_quark(void);
enum { MIPSIM_DHCP_ERROR_CONFIG };

/* Message types (option 53). */
enum dhcp_type {
  DHCP_DISCOVER = 1,
  DHCP_OFFER = 2,
  DHCP_REQUEST = 3,
  DHCP_DECLINE = 4,
  DHCP_ACK = 5,
  DHCP_NAK = 6,
  DHCP_RELEASE = 7,
  DHCP_INFORM = 8,
  DHCP_TYPE_COUNT
};

/* One message, decoded; IPv4 addresses in host byte order. */
struct dhcp_msg {
  uint8_t op; /* 1 BOOTREQUEST, 2 BOOTREPLY */
  uint32_t xid;
  uint16_t secs, flags;
  uint32_t ciaddr, yiaddr, siaddr, giaddr;
  uint8_t chaddr[6]; /* htype 1 (Ethernet), hlen 6 */
  uint8_t type;      /* option 53; 0 if absent (plain BOOTP) */
  bool has_requested, has_server_id, has_lease, has_mask, has_router;
  uint32_t requested; /* option 50 */
  uint32_t server_id; /* option 54 */
  uint32_t lease;     /* option 51, seconds */
  uint32_t mask;      /* option 1 */
  uint32_t router;    /* option 3, the first router */
  bool param_request; /* send option 55: 1, 3, 51, 54 */
};

/* Writes m into buf (at least DHCP_MIN_LEN bytes, zeroed by the caller or
 * not) and returns its length. */
size_t dhcp_encode(const struct dhcp_msg *m, uint8_t *buf, size_t cap);
/* Parses a UDP payload; false if it is not a well-formed BOOTP message
 * with the magic cookie and complete options (RFC 2131 4.1: ignore it). */
bool dhcp_decode(const uint8_t *b, size_t len, struct dhcp_msg *m);
/* "DHCPDISCOVER" ... ; "?" for an unknown type. */
const char *dhcp_type_name(uint8_t type);

/* ---- Server ---- */

struct dhcp_server;

/* A server on iface of node (the node's own interface, with an IPv4
 * address) leasing pool_first..pool_last (inclusive, host byte order) for
 * lease ns, a whole number of seconds from 1 s to 0xfffffffe s.  The pool
 * must lie in the interface's subnet and hold neither the interface's
 * address nor the subnet's network and broadcast addresses; one server
 * per interface, and no overlap with another server's pool on the same
 * link.  The server belongs to the run.  NULL and an error otherwise. */
struct dhcp_server *dhcp_server_new(struct node *node, struct iface *iface,
                                    uint32_t pool_first, uint32_t pool_last,
                                    int64_t lease, GError **error);
/* The router option (3) the server gives: by default the server
 * interface's address; 0 gives none.  Must be on the subnet and outside
 * the pool. */
gboolean dhcp_server_set_router(struct dhcp_server *s, uint32_t router,
                                GError **error);
/* Addresses currently leased (bound, not merely offered). */
guint dhcp_server_bound(const struct dhcp_server *s);
/* Who holds addr: true, and its hardware address, if it is bound. */
bool dhcp_server_holder(const struct dhcp_server *s, uint32_t addr,
                        uint8_t mac[6]);
/* Messages of a type the server received / sent. */
uint64_t dhcp_server_received(const struct dhcp_server *s, enum dhcp_type t);
uint64_t dhcp_server_sent(const struct dhcp_server *s, enum dhcp_type t);

/* ---- Client ---- */

struct dhcp_client;

enum dhcp_client_state {
  DHCP_STATE_IDLE,       /* the interface is on no link, or released */
  DHCP_STATE_SELECTING,  /* DISCOVER sent, waiting for an OFFER */
  DHCP_STATE_REQUESTING, /* REQUEST sent, waiting for the ACK */
  DHCP_STATE_BOUND,
  DHCP_STATE_RENEWING,  /* after T1: unicast REQUEST to the server */
  DHCP_STATE_REBINDING, /* after T2: broadcast REQUEST */
};

/* The address was added to iface (addr/plen, host byte order), a default
 * route via router installed (router 0: the server gave none, no route);
 * the lease lasts lease ns (INT64_MAX: infinite).  Not called again on
 * renewals. */
typedef void (*dhcp_bound_fn)(void *ctx, struct iface *iface, uint32_t addr,
                              uint8_t plen, uint32_t router, int64_t lease);
/* The address is gone from iface (detach, end of lease, NAK, release),
 * its default route too. */
typedef void (*dhcp_lost_fn)(void *ctx, struct iface *iface, uint32_t addr);

/* A client for iface.  A radio starts each time it joins a cell and drops
 * its address when it leaves one; a wired interface starts when the run
 * starts.  The leased address is added after any the interface has (a
 * Mobile IP home address, say), which stay its source address; the
 * default route of the node follows the interface bound last.  Callbacks
 * may be NULL.  Create clients before the run starts.  The client belongs
 * to the run.  NULL if iface has a client already, or if UDP port 68 of
 * the node is taken by another service. */
struct dhcp_client *dhcp_client_new(struct iface *iface, dhcp_bound_fn on_bound,
                                    dhcp_lost_fn on_lost, void *ctx);
/* Gives the address back (RELEASE, unicast to the server), drops it and
 * stays idle until the interface next joins a link. */
void dhcp_client_release(struct dhcp_client *c);
enum dhcp_client_state dhcp_client_state(const struct dhcp_client *c);
/* The leased address; false while the client has none. */
bool dhcp_client_address(const struct dhcp_client *c, uint32_t *addr);
uint64_t dhcp_client_sent(const struct dhcp_client *c, enum dhcp_type t);
uint64_t dhcp_client_received(const struct dhcp_client *c, enum dhcp_type t);
struct iface *dhcp_client_iface(const struct dhcp_client *c);

/* ---- Results: dhcp.tsv ---- */

enum dhcp_event_kind {
  DHCP_EV_BOUND,    /* client: got an address */
  DHCP_EV_RENEWED,  /* client: lease extended (renewing or rebinding) */
  DHCP_EV_LOST,     /* client: the interface left its link */
  DHCP_EV_EXPIRED,  /* client: lease ran out; server: binding lapsed */
  DHCP_EV_NAK,      /* client: the server refused to extend the lease */
  DHCP_EV_RELEASED, /* client: gave it back; server: got it back */
};

/* One row of dhcp.tsv. */
struct dhcp_event {
  int64_t time;
  struct node *node;
  struct iface *iface;
  enum dhcp_event_kind kind;
  uint32_t addr;
  int64_t lease; /* the lease of the binding, ns; INT64_MAX: infinite */
};

/* The run's lease events in time order; NULL if it has no DHCP. */
const GArray *dhcp_events(const struct sim *sim);
const char *dhcp_event_name(enum dhcp_event_kind kind);

#endif
