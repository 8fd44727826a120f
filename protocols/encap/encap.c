/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tunnelling formats.  Each push prepends into the packet's headroom (no
 * copy of the payload); minimal encapsulation instead rewrites the
 * original header in place and slides it forward over the inserted
 * forwarding header. */
#include "protocols/encap/encap.h"

#include <string.h>

#include "sim/core/pkt.h"
#include "sim/net/inet.h"

#define MINIMAL_S 0x80
#define GRE_HLEN 4

uint32_t encap_overhead(enum encap_kind kind, bool originator) {
  switch (kind) {
  case ENCAP_IPIP:
    return IP4_HLEN;
  case ENCAP_MINIMAL:
    return originator ? 8 : 12;
  case ENCAP_GRE:
    return IP4_HLEN + GRE_HLEN;
  }
  return 0;
}

static void set_checksum(uint8_t *h, uint32_t hlen) {
  put_be16(h + IP4_OFF_CSUM, 0);
  put_be16(h + IP4_OFF_CSUM, inet_checksum(h, hlen));
}

/* Checks the inner IPv4 header; returns its length or 0. */
static uint32_t inner_header(const struct pkt *pkt) {
  uint8_t vhl;
  uint16_t total;
  if (!get_u8(pkt->data, pkt->len, 0, &vhl) || (vhl >> 4) != 4 ||
      !get_be16(pkt->data, pkt->len, IP4_OFF_LEN, &total))
    return 0;
  uint32_t hlen = (vhl & 0x0f) * 4u;
  if (hlen < IP4_HLEN || total != pkt->len || hlen > total)
    return 0;
  return hlen;
}

static void decrement_ttl(uint8_t *h, uint32_t hlen) {
  h[IP4_OFF_TTL]--;
  set_checksum(h, hlen);
}

enum encap_result encap_push(struct pkt *pkt, enum encap_kind kind,
                             uint32_t src, uint32_t dst, uint8_t ttl,
                             uint16_t ip_id, bool forwarding) {
  uint32_t hlen = inner_header(pkt);
  if (!hlen)
    return ENCAP_MALFORMED;
  uint8_t *inner = pkt->data;
  if (forwarding && inner[IP4_OFF_TTL] <= 1)
    return ENCAP_TTL_EXPIRED;
  uint16_t frag = load_be16(inner + IP4_OFF_FRAG);
  if (kind == ENCAP_MINIMAL) {
    if (frag & (IP4_MF | IP4_FRAG_MASK))
      return ENCAP_NOT_POSSIBLE; /* RFC 2004 3: unfragmented only */
    if (pkt->len + 12 > 0xffff)
      return ENCAP_NOT_POSSIBLE;
    if (forwarding)
      decrement_ttl(inner, hlen);
    bool keep_src = forwarding;
    uint32_t fwd_len = keep_src ? 12 : 8;
    uint8_t orig_proto = inner[IP4_OFF_PROTO];
    uint32_t orig_dst = load_be32(inner + IP4_OFF_DST);
    uint32_t orig_src = load_be32(inner + IP4_OFF_SRC);
    uint8_t *h = pkt_push(pkt, fwd_len);
    memmove(h, h + fwd_len, hlen);
    uint8_t *f = h + hlen;
    f[0] = orig_proto;
    f[1] = keep_src ? MINIMAL_S : 0;
    put_be16(f + 2, 0);
    put_be32(f + 4, orig_dst);
    if (keep_src)
      put_be32(f + 8, orig_src);
    put_be16(f + 2, inet_checksum(f, fwd_len));
    h[IP4_OFF_PROTO] = IPPROTO_NUM_MINENC;
    put_be16(h + IP4_OFF_LEN, (uint16_t)pkt->len);
    put_be32(h + IP4_OFF_DST, dst);
    if (keep_src)
      put_be32(h + IP4_OFF_SRC, src);
    set_checksum(h, hlen);
    return ENCAP_OK;
  }
  uint32_t extra = kind == ENCAP_GRE ? IP4_HLEN + GRE_HLEN : IP4_HLEN;
  if (pkt->len + extra > 0xffff)
    return ENCAP_NOT_POSSIBLE;
  if (forwarding)
    decrement_ttl(inner, hlen);
  uint8_t tos = inner[IP4_OFF_TOS];
  if (kind == ENCAP_GRE) {
    uint8_t *g = pkt_push(pkt, GRE_HLEN);
    put_be16(g, 0); /* no checksum, version 0 (RFC 2784) */
    put_be16(g + 2, ETHERTYPE_IPV4);
  }
  uint8_t *h = pkt_push(pkt, IP4_HLEN);
  h[IP4_OFF_VHL] = 0x45;
  h[IP4_OFF_TOS] = tos;
  put_be16(h + IP4_OFF_LEN, (uint16_t)pkt->len);
  put_be16(h + IP4_OFF_ID, ip_id);
  put_be16(h + IP4_OFF_FRAG, frag & IP4_DF); /* DF copied (RFC 2003 3.1) */
  h[IP4_OFF_TTL] = ttl;
  h[IP4_OFF_PROTO] = kind == ENCAP_GRE ? IPPROTO_NUM_GRE : IPPROTO_NUM_IPIP;
  put_be32(h + IP4_OFF_SRC, src);
  put_be32(h + IP4_OFF_DST, dst);
  set_checksum(h, IP4_HLEN);
  return ENCAP_OK;
}

/* Removes n bytes of tunnel headers if a well-formed packet follows. */
static bool strip(struct pkt *pkt, uint32_t n) {
  pkt_pull(pkt, n);
  if (inner_header(pkt))
    return true;
  pkt_push(pkt, n); /* the bytes are still in the headroom */
  return false;
}

bool encap_pop(struct pkt *pkt, uint32_t *outer_src, uint32_t *outer_dst,
               enum encap_kind *kind) {
  uint32_t hlen = inner_header(pkt);
  if (!hlen)
    return false;
  uint8_t *h = pkt->data;
  *outer_src = load_be32(h + IP4_OFF_SRC);
  *outer_dst = load_be32(h + IP4_OFF_DST);
  switch (h[IP4_OFF_PROTO]) {
  case IPPROTO_NUM_IPIP:
    if (pkt->len < hlen + IP4_HLEN)
      return false;
    *kind = ENCAP_IPIP;
    return strip(pkt, hlen);
  case IPPROTO_NUM_GRE: {
    uint16_t flags, type;
    if (!get_be16(h, pkt->len, hlen, &flags) ||
        !get_be16(h, pkt->len, hlen + 2, &type) || type != ETHERTYPE_IPV4)
      return false;
    /* Optional checksum (C), key (K) and sequence (S) words. */
    uint32_t glen = GRE_HLEN + ((flags & 0x8000) ? 4 : 0) +
                    ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
    if ((flags & 0x0007) != 0 || pkt->len < hlen + glen + IP4_HLEN)
      return false;
    *kind = ENCAP_GRE;
    return strip(pkt, hlen + glen);
  }
  case IPPROTO_NUM_MINENC: {
    uint8_t proto, sflag;
    uint32_t orig_dst, orig_src = 0;
    if (!get_u8(h, pkt->len, hlen, &proto) ||
        !get_u8(h, pkt->len, hlen + 1, &sflag) ||
        !get_be32(h, pkt->len, hlen + 4, &orig_dst))
      return false;
    bool has_src = sflag & MINIMAL_S;
    uint32_t fwd_len = has_src ? 12 : 8;
    if ((has_src && !get_be32(h, pkt->len, hlen + 8, &orig_src)) ||
        inet_checksum(h + hlen, fwd_len) != 0)
      return false;
    *kind = ENCAP_MINIMAL;
    memmove(h + fwd_len, h, hlen);
    pkt_pull(pkt, fwd_len);
    h = pkt->data;
    h[IP4_OFF_PROTO] = proto;
    put_be16(h + IP4_OFF_LEN, (uint16_t)pkt->len);
    put_be32(h + IP4_OFF_DST, orig_dst);
    if (has_src)
      put_be32(h + IP4_OFF_SRC, orig_src);
    set_checksum(h, hlen);
    return true;
  }
  default:
    return false;
  }
}
