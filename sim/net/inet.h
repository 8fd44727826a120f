/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internet header layouts, protocol numbers and checksums, shared by the
 * kernel and the protocol modules. */
#ifndef MIPSIM_INET_H
#define MIPSIM_INET_H

#include <stddef.h>
#include <stdint.h>

#include "sim/net/addr.h"

enum {
  IPPROTO_NUM_ICMP = 1,
  IPPROTO_NUM_IPIP = 4,
  IPPROTO_NUM_TCP = 6,
  IPPROTO_NUM_UDP = 17,
  IPPROTO_NUM_IPV6 = 41,
  IPPROTO_NUM_GRE = 47,
  IPPROTO_NUM_ESP = 50,
  IPPROTO_NUM_MINENC = 55,
  IPPROTO_NUM_ICMPV6 = 58,
  IPPROTO_NUM_NONE = 59,
  IPPROTO_NUM_MH = 135,
};

enum {
  ETHERTYPE_IPV4 = 0x0800,
  ETHERTYPE_ARP = 0x0806,
  ETHERTYPE_IPV6 = 0x86dd,
};

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define UDP_HLEN 8
#define ICMP_HLEN 8

/* IPv4 header field offsets. */
enum {
  IP4_OFF_VHL = 0,
  IP4_OFF_TOS = 1,
  IP4_OFF_LEN = 2,
  IP4_OFF_ID = 4,
  IP4_OFF_FRAG = 6,
  IP4_OFF_TTL = 8,
  IP4_OFF_PROTO = 9,
  IP4_OFF_CSUM = 10,
  IP4_OFF_SRC = 12,
  IP4_OFF_DST = 16,
};
#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_FRAG_MASK 0x1fff

/* IPv6 header field offsets. */
enum {
  IP6_OFF_PLEN = 4,
  IP6_OFF_NH = 6,
  IP6_OFF_HLIM = 7,
  IP6_OFF_SRC = 8,
  IP6_OFF_DST = 24,
};

/* One's-complement sum of len bytes, folded to 16 bits but not inverted,
 * added to sum. */
uint32_t inet_sum(const uint8_t *data, size_t len, uint32_t sum);
uint16_t inet_fold(uint32_t sum);
/* The Internet checksum of data (ready to store, network order value). */
uint16_t inet_checksum(const uint8_t *data, size_t len);
/* Transport checksum (UDP, TCP, ICMPv6) over an IPv4 or IPv6 pseudo-header.
 * The checksum field inside segment must be zero. */
uint16_t inet_pseudo_checksum(const struct ip_addr *src,
                              const struct ip_addr *dst, uint8_t proto,
                              const uint8_t *segment, size_t len);
/* Incremental update (RFC 1624) of a stored checksum when a 16-bit word
 * changes from old to new. */
uint16_t inet_csum_update16(uint16_t csum, uint16_t old, uint16_t new_);

#endif
