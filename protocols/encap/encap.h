/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 tunnelling formats shared by the protocol modules: IP-in-IP
 * (RFC 2003), minimal encapsulation (RFC 2004) and GRE (RFC 2784). */
#ifndef MIPSIM_ENCAP_H
#define MIPSIM_ENCAP_H

#include <stdbool.h>
#include <stdint.h>

struct pkt;

enum encap_kind {
  ENCAP_IPIP,    /* +20 bytes, IP protocol 4 */
  ENCAP_MINIMAL, /* +8 or +12 bytes, IP protocol 55 */
  ENCAP_GRE,     /* +24 bytes (outer IP + 4-byte GRE), IP protocol 47 */
};

/* Bytes the encapsulation adds to a packet (minimal: with the original
 * source present when the encapsulator is not the originator). */
uint32_t encap_overhead(enum encap_kind kind, bool originator);

enum encap_result {
  ENCAP_OK,
  ENCAP_TTL_EXPIRED,  /* forwarding would take the inner TTL to 0 */
  ENCAP_NOT_POSSIBLE, /* minimal encapsulation of a fragment */
  ENCAP_MALFORMED,
};

/* Tunnels the IPv4 packet at pkt->data from src to dst.  forwarding: the
 * encapsulator forwards someone else's packet (a home agent intercepting),
 * so the inner TTL is decremented first (RFC 2003 3.1), and minimal
 * encapsulation keeps the original source in its header (RFC 2004 3).
 * The outer header copies TOS and DF from the inner one; its TTL is ttl.
 * On failure the packet is unchanged. */
enum encap_result encap_push(struct pkt *pkt, enum encap_kind kind,
                             uint32_t src, uint32_t dst, uint8_t ttl,
                             uint16_t ip_id, bool forwarding);

/* The packet at pkt->data is a tunnel packet (protocol 4, 55 or 47 for
 * IPv4): remove the tunnel, leaving the inner packet at pkt->data.  The
 * outer source and destination are returned.  False (packet unchanged)
 * when it is not well formed. */
bool encap_pop(struct pkt *pkt, uint32_t *outer_src, uint32_t *outer_dst,
               enum encap_kind *kind);

#endif
