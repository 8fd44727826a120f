/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mobile IPv4 wire format: encoders and decoders of agent discovery and
 * registration messages, their extensions and authenticators.
 *
 * What is here, and from where:
 * - Agent Solicitation and Advertisement are ICMP Router Discovery
 *   messages (RFC 1256 §3) with RFC 5944 §2.1-2.2's changes: code 16, Num
 *   Addrs may be 0, and extensions after the router entries (Mobility
 *   Agent Advertisement 16, Prefix-Lengths 19, One-byte Padding 0, and
 *   RFC 4721 §2's Challenge 24).  A message without extension 16 is a
 *   plain router advertisement and is refused as such.
 * - Registration Request and Reply (RFC 5944 §3.3-3.4) with the
 *   extensions the base protocol and its companions define: the three
 *   authentication extensions (§3.5.2-3.5.4), Generalized Authentication
 *   MN-AAA (RFC 4721 §5-6, the one long-format extension, §1.10),
 *   Encapsulating Delivery Style (RFC 3024 §3.3), NAI (RFC 2794 §2) and
 *   Mobile-Foreign Challenge (RFC 4721 §4).
 * - Extension rules of RFC 5944 §1.8: unknown types 0-127 make the whole
 *   message unacceptable, 128-255 are skipped by their Length.
 * - Authenticators: HMAC-MD5 over the message through the SPI (RFC 5944
 *   §3.5.1), keyed MD5 prefix+suffix over the same bytes (§5.1), and RFC
 *   2002's prefix+suffix over the message through Type and Length only
 *   (RFC 2002 §3.5.1; RFC 3220 moved the SPI into the protected bytes).
 * - Identification: NTP timestamps of simulated time and the nonce layout
 *   (RFC 5944 §5.7).
 *
 * What is not: the MIB-style code names follow RFC 2006 where it has
 * them and its style elsewhere; semantic checks (reserved bits, extension
 * order, lifetimes) belong to the protocol logic, which gets the offsets
 * it needs from the decoders.  Nothing here keeps state: every function
 * works on the bytes and structures it is given. */
#include "protocols/mip4/packets.h"

#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sched.h"
#include "sim/net/inet.h"

const struct mip4_code_name mip4_reply_code_names[] = {
    {MIP4_REPLY_ACCEPTED, "registrationAccepted"},
    {MIP4_REPLY_ACCEPTED_NO_SIMULTANEOUS, "multiBindingUnsupported"},
    {MIP4_FA_REASON_UNSPECIFIED, "faReasonUnspecified"},
    {MIP4_FA_ADMIN_PROHIBITED, "faAdmProhibited"},
    {MIP4_FA_INSUFFICIENT_RESOURCES, "faInsufficientResource"},
    {MIP4_FA_MN_AUTH_FAILED, "faMNAuthenticationFailure"},
    {MIP4_FA_HA_AUTH_FAILED, "faHAAuthenticationFailure"},
    {MIP4_FA_LIFETIME_TOO_LONG, "faRegLifetimeTooLong"},
    {MIP4_FA_POORLY_FORMED_REQUEST, "faPoorlyFormedRequest"},
    {MIP4_FA_POORLY_FORMED_REPLY, "faPoorlyFormedReply"},
    {MIP4_FA_ENCAP_UNAVAILABLE, "faEncapsulationUnavailable"},
    {MIP4_FA_RESERVED_UNAVAILABLE, "faReservedUnavailable"},
    {MIP4_FA_REVERSE_TUNNEL_UNAVAILABLE, "faReverseTunnelUnavailable"},
    {MIP4_FA_REVERSE_TUNNEL_MANDATORY, "faReverseTunnelMandatory"},
    {MIP4_FA_MN_TOO_DISTANT, "faMNTooDistant"},
    {MIP4_FA_INVALID_COA, "faInvalidCareOfAddress"},
    {MIP4_FA_REGISTRATION_TIMEOUT, "faRegistrationTimeout"},
    {MIP4_FA_DELIVERY_STYLE_UNSUPPORTED, "faDeliveryStyleUnsupported"},
    {MIP4_FA_HOME_NET_UNREACHABLE, "faHomeNetworkUnreachable"},
    {MIP4_FA_HA_HOST_UNREACHABLE, "faHAHostUnreachable"},
    {MIP4_FA_HA_PORT_UNREACHABLE, "faHAPortUnreachable"},
    {MIP4_FA_HA_UNREACHABLE, "faHAUnreachable"},
    {MIP4_FA_VENDOR_SPECIFIC, "faVendorSpecificReason"},
    {MIP4_FA_NONZERO_HA_REQUIRED, "faNonzeroHAAddressRequired"},
    {MIP4_FA_NONZERO_HOME_ADDR_REQUIRED, "faNonzeroHomeAddressRequired"},
    {MIP4_FA_MISSING_NAI, "faMissingNAI"},
    {MIP4_FA_MISSING_HOME_AGENT, "faMissingHomeAgent"},
    {MIP4_FA_MISSING_HOME_ADDR, "faMissingHomeAddress"},
    {MIP4_FA_UNKNOWN_CHALLENGE, "faUnknownChallenge"},
    {MIP4_FA_MISSING_CHALLENGE, "faMissingChallenge"},
    {MIP4_FA_STALE_CHALLENGE, "faStaleChallenge"},
    {MIP4_FA_MN_AAA_AUTH_FAILED, "faMNAAAAuthenticationFailure"},
    {MIP4_FA_HA_WRONG_CHALLENGE, "faHAWrongChallenge"},
    {MIP4_HA_REASON_UNSPECIFIED, "haReasonUnspecified"},
    {MIP4_HA_ADMIN_PROHIBITED, "haAdmProhibited"},
    {MIP4_HA_INSUFFICIENT_RESOURCES, "haInsufficientResource"},
    {MIP4_HA_MN_AUTH_FAILED, "haMNAuthenticationFailure"},
    {MIP4_HA_FA_AUTH_FAILED, "haFAAuthenticationFailure"},
    {MIP4_HA_ID_MISMATCH, "haIDMismatch"},
    {MIP4_HA_POORLY_FORMED_REQUEST, "haPoorlyFormedRequest"},
    {MIP4_HA_TOO_MANY_BINDINGS, "haTooManyBindings"},
    {MIP4_HA_UNKNOWN_HA, "haUnknownHA"},
    {MIP4_HA_REVERSE_TUNNEL_UNAVAILABLE, "haReverseTunnelUnavailable"},
    {MIP4_HA_REVERSE_TUNNEL_MANDATORY, "haReverseTunnelMandatory"},
    {MIP4_HA_ENCAP_UNAVAILABLE, "haEncapsulationUnavailable"},
    {MIP4_HA_MN_AAA_AUTH_FAILED, "haMNAAAAuthenticationFailure"},
    {MIP4_FA_INVALID_HA_ADDRESS, "faInvalidHAAddress"},
    {0, NULL},
};

const char *mip4_reply_code_name(unsigned code) {
  for (const struct mip4_code_name *c = mip4_reply_code_names; c->name; c++)
    if (c->code == code)
      return c->name;
  return NULL;
}

const char *mip4_err_name(enum mip4_err err) {
  switch (err) {
  case MIP4_OK:
    return "ok";
  case MIP4_ERR_TRUNCATED:
    return "truncated";
  case MIP4_ERR_BAD_TYPE:
    return "bad-type";
  case MIP4_ERR_BAD_CODE:
    return "bad-code";
  case MIP4_ERR_BAD_LENGTH:
    return "bad-length";
  case MIP4_ERR_BAD_VALUE:
    return "bad-value";
  case MIP4_ERR_UNKNOWN_EXT:
    return "unknown-extension";
  case MIP4_ERR_DUPLICATE_EXT:
    return "duplicate-extension";
  case MIP4_ERR_NOT_AGENT_ADV:
    return "not-agent-advertisement";
  }
  return "unknown-error";
}

/* Appends len bytes to out and returns where they start, for the buffer
 * encoders to write into. */
uint8_t *mip4_append_space(GByteArray *out, size_t len) {
  guint old = out->len;
  g_byte_array_set_size(out, old + (guint)len);
  return out->data + old;
}

/* ---- Agent discovery ---- */

void mip4_icmp_set_checksum(uint8_t *icmp, size_t len) {
  g_return_if_fail(len >= 4);
  put_be16(icmp + 2, 0);
  put_be16(icmp + 2, inet_checksum(icmp, len));
}

static size_t advert_len(const struct mip4_advert *a) {
  size_t len = MIP4_ADV_HLEN + 8 * (size_t)a->num_routers;
  len += 2 + 6 + 4 * (size_t)a->num_coas;
  if (a->prefix_lengths)
    len += 2 + (size_t)a->num_routers;
  if (a->challenge_present)
    len += 2 + (size_t)a->challenge_len;
  /* RFC 5944 §2.1.3: one padding byte makes the ICMP length even. */
  return len + (len & 1);
}

size_t mip4_advert_encode(const struct mip4_advert *a, uint8_t *buf,
                          size_t cap) {
  g_return_val_if_fail(a->num_coas <= MIP4_ADV_COAS_MAX, 0);
  size_t len = advert_len(a);
  if (len > cap)
    return len;
  uint8_t *p = buf;
  p[0] = MIP4_ICMP_ADVERT;
  p[1] = a->code;
  put_be16(p + 2, 0);
  p[4] = a->num_routers;
  p[5] = 2; /* words per entry: address and preference */
  put_be16(p + 6, a->lifetime);
  p += MIP4_ADV_HLEN;
  for (unsigned i = 0; i < a->num_routers; i++, p += 8) {
    put_be32(p, a->routers[i].addr);
    put_be32(p + 4, (uint32_t)a->routers[i].preference);
  }
  /* RFC 5944 §2.1.1: the agent extension follows the router entries. */
  p[0] = MIP4_AEXT_AGENT_ADV;
  p[1] = (uint8_t)(6 + 4 * a->num_coas);
  put_be16(p + 2, a->seq);
  put_be16(p + 4, a->reg_lifetime);
  put_be16(p + 6, a->flags);
  p += 8;
  for (unsigned i = 0; i < a->num_coas; i++, p += 4)
    put_be32(p, a->coas[i]);
  if (a->prefix_lengths) {
    p[0] = MIP4_AEXT_PREFIX_LENGTHS;
    p[1] = a->num_routers;
    p += 2;
    for (unsigned i = 0; i < a->num_routers; i++)
      *p++ = a->routers[i].prefix_len;
  }
  if (a->challenge_present) {
    p[0] = MIP4_AEXT_CHALLENGE;
    p[1] = a->challenge_len;
    memcpy(p + 2, a->challenge, a->challenge_len);
    p += 2 + a->challenge_len;
  }
  if ((size_t)(p - buf) < len)
    *p = MIP4_AEXT_PAD;
  mip4_icmp_set_checksum(buf, len);
  return len;
}

void mip4_advert_append(GByteArray *out, const struct mip4_advert *a) {
  g_return_if_fail(a->num_coas <= MIP4_ADV_COAS_MAX);
  size_t len = advert_len(a);
  mip4_advert_encode(a, mip4_append_space(out, len), len);
}

/* The Mobility Agent Advertisement extension (RFC 5944 §2.1.1). */
static enum mip4_err agent_ext(const struct mip4_ext *e,
                               struct mip4_advert *a) {
  if (e->data_len < 6 || (e->data_len - 6) % 4 != 0)
    return MIP4_ERR_BAD_LENGTH;
  get_be16(e->data, e->data_len, 0, &a->seq);
  get_be16(e->data, e->data_len, 2, &a->reg_lifetime);
  get_be16(e->data, e->data_len, 4, &a->flags);
  a->num_coas = (uint8_t)((e->data_len - 6) / 4);
  for (unsigned i = 0; i < a->num_coas; i++)
    get_be32(e->data, e->data_len, 6 + 4 * i, &a->coas[i]);
  return MIP4_OK;
}

/* The Prefix-Lengths extension: one byte per router entry (§2.1.2). */
static enum mip4_err prefix_ext(const struct mip4_ext *e,
                                struct mip4_advert *a) {
  if (e->data_len != a->num_routers)
    return MIP4_ERR_BAD_LENGTH;
  for (unsigned i = 0; i < a->num_routers; i++) {
    get_u8(e->data, e->data_len, i, &a->routers[i].prefix_len);
    if (a->routers[i].prefix_len > 32)
      return MIP4_ERR_BAD_VALUE;
  }
  a->prefix_lengths = true;
  return MIP4_OK;
}

enum mip4_err mip4_advert_decode(const uint8_t *buf, size_t len,
                                 struct mip4_advert *a) {
  memset(a, 0, sizeof *a);
  uint8_t type, size;
  if (!get_u8(buf, len, 0, &type))
    return MIP4_ERR_TRUNCATED;
  if (type != MIP4_ICMP_ADVERT)
    return MIP4_ERR_BAD_TYPE;
  if (!get_u8(buf, len, 1, &a->code))
    return MIP4_ERR_TRUNCATED;
  if (a->code != MIP4_ADV_CODE_ROUTER && a->code != MIP4_ADV_CODE_NOT_ROUTER)
    return MIP4_ERR_BAD_CODE;
  if (!get_u8(buf, len, 4, &a->num_routers) || !get_u8(buf, len, 5, &size) ||
      !get_be16(buf, len, 6, &a->lifetime))
    return MIP4_ERR_TRUNCATED;
  if (size < 2)
    return MIP4_ERR_BAD_VALUE;
  size_t off = MIP4_ADV_HLEN;
  for (unsigned i = 0; i < a->num_routers; i++) {
    uint32_t pref;
    if (len - off < 4 * (size_t)size ||
        !get_be32(buf, len, off, &a->routers[i].addr) ||
        !get_be32(buf, len, off + 4, &pref))
      return MIP4_ERR_TRUNCATED;
    a->routers[i].preference = (int32_t)pref;
    off += 4 * (size_t)size;
  }
  bool agent = false, challenge = false;
  while (off < len) {
    struct mip4_ext e;
    enum mip4_err err = mip4_ext_read(buf, len, off, MIP4_SPACE_ADVERT, &e);
    if (err != MIP4_OK)
      return err;
    off += e.len;
    switch (e.type) {
    case MIP4_AEXT_PAD:
      break;
    case MIP4_AEXT_AGENT_ADV:
      if (agent)
        return MIP4_ERR_DUPLICATE_EXT;
      agent = true;
      err = agent_ext(&e, a);
      break;
    case MIP4_AEXT_PREFIX_LENGTHS:
      if (a->prefix_lengths)
        return MIP4_ERR_DUPLICATE_EXT;
      err = prefix_ext(&e, a);
      break;
    case MIP4_AEXT_CHALLENGE:
      if (challenge)
        return MIP4_ERR_DUPLICATE_EXT;
      challenge = a->challenge_present = true;
      a->challenge_len = (uint8_t)e.data_len;
      get_bytes(e.data, e.data_len, 0, a->challenge, e.data_len);
      break;
    default:
      if (e.type < 128)
        return MIP4_ERR_UNKNOWN_EXT;
    }
    if (err != MIP4_OK)
      return err;
  }
  return agent ? MIP4_OK : MIP4_ERR_NOT_AGENT_ADV;
}

size_t mip4_solicit_encode(uint8_t *buf, size_t cap) {
  if (cap < MIP4_SOLICIT_LEN)
    return MIP4_SOLICIT_LEN;
  memset(buf, 0, MIP4_SOLICIT_LEN);
  buf[0] = MIP4_ICMP_SOLICIT;
  mip4_icmp_set_checksum(buf, MIP4_SOLICIT_LEN);
  return MIP4_SOLICIT_LEN;
}

void mip4_solicit_append(GByteArray *out) {
  mip4_solicit_encode(mip4_append_space(out, MIP4_SOLICIT_LEN),
                      MIP4_SOLICIT_LEN);
}

enum mip4_err mip4_solicit_decode(const uint8_t *buf, size_t len) {
  uint8_t type, code;
  if (!get_u8(buf, len, 0, &type))
    return MIP4_ERR_TRUNCATED;
  if (type != MIP4_ICMP_SOLICIT)
    return MIP4_ERR_BAD_TYPE;
  if (!get_u8(buf, len, 1, &code))
    return MIP4_ERR_TRUNCATED;
  if (code != 0)
    return MIP4_ERR_BAD_CODE;
  return len < MIP4_SOLICIT_LEN ? MIP4_ERR_TRUNCATED : MIP4_OK;
}

/* ---- Registration ---- */

size_t mip4_rrq_encode(const struct mip4_rrq *r, uint8_t *buf, size_t cap) {
  if (cap < MIP4_RRQ_LEN)
    return MIP4_RRQ_LEN;
  buf[0] = MIP4_MSG_RRQ;
  buf[1] = r->flags;
  put_be16(buf + 2, r->lifetime);
  put_be32(buf + 4, r->home_addr);
  put_be32(buf + 8, r->home_agent);
  put_be32(buf + 12, r->coa);
  put_be64(buf + 16, r->ident);
  return MIP4_RRQ_LEN;
}

void mip4_rrq_append(GByteArray *out, const struct mip4_rrq *r) {
  mip4_rrq_encode(r, mip4_append_space(out, MIP4_RRQ_LEN), MIP4_RRQ_LEN);
}

size_t mip4_rrp_encode(const struct mip4_rrp *r, uint8_t *buf, size_t cap) {
  if (cap < MIP4_RRP_LEN)
    return MIP4_RRP_LEN;
  buf[0] = MIP4_MSG_RRP;
  buf[1] = r->code;
  put_be16(buf + 2, r->lifetime);
  put_be32(buf + 4, r->home_addr);
  put_be32(buf + 8, r->home_agent);
  put_be64(buf + 12, r->ident);
  return MIP4_RRP_LEN;
}

void mip4_rrp_append(GByteArray *out, const struct mip4_rrp *r) {
  mip4_rrp_encode(r, mip4_append_space(out, MIP4_RRP_LEN), MIP4_RRP_LEN);
}

static bool is_auth_type(uint8_t type) {
  return type == MIP4_EXT_MH_AUTH || type == MIP4_EXT_MF_AUTH ||
         type == MIP4_EXT_FH_AUTH || type == MIP4_EXT_GEN_AUTH;
}

/* Bytes before an authentication extension's SPI: Type, Length, and in
 * the long format a Subtype and a 16-bit Length (RFC 4721 §5). */
static size_t auth_hlen(uint8_t type) {
  return type == MIP4_EXT_GEN_AUTH ? 4 : 2;
}

enum mip4_err mip4_ext_read(const uint8_t *msg, size_t len, size_t off,
                            enum mip4_ext_space space, struct mip4_ext *ext) {
  memset(ext, 0, sizeof *ext);
  uint8_t type;
  if (!get_u8(msg, len, off, &type))
    return MIP4_ERR_TRUNCATED;
  ext->type = type;
  ext->off = off;
  /* One-byte padding has neither Length nor Data (RFC 5944 §2.1.3). */
  if (type == MIP4_EXT_PAD) {
    ext->present = true;
    ext->len = 1;
    return MIP4_OK;
  }
  bool reg = space == MIP4_SPACE_REG;
  size_t hlen = 2, dlen;
  if (reg && type == MIP4_EXT_GEN_AUTH) {
    uint16_t l16;
    if (!get_u8(msg, len, off + 1, &ext->subtype) ||
        !get_be16(msg, len, off + 2, &l16))
      return MIP4_ERR_TRUNCATED;
    hlen = 4;
    dlen = l16;
  } else {
    uint8_t l8;
    if (!get_u8(msg, len, off + 1, &l8))
      return MIP4_ERR_TRUNCATED;
    dlen = l8;
  }
  /* The getters proved off + hlen <= len. */
  if (dlen > len - off - hlen)
    return MIP4_ERR_TRUNCATED;
  ext->len = hlen + dlen;
  ext->data = msg + off + hlen;
  ext->data_len = dlen;
  if (reg && is_auth_type(type)) {
    size_t min = type == MIP4_EXT_GEN_AUTH ? 4 + MIP4_AUTH_LEN : 4;
    if (dlen < min)
      return MIP4_ERR_BAD_LENGTH;
    get_be32(ext->data, dlen, 0, &ext->spi);
    ext->data += 4;
    ext->data_len -= 4;
  }
  ext->present = true;
  return MIP4_OK;
}

/* Where a known registration extension is kept, or NULL for an unknown
 * one. */
static struct mip4_ext *reg_slot(struct mip4_reg_exts *x, uint8_t type,
                                 uint8_t subtype) {
  switch (type) {
  case MIP4_EXT_MH_AUTH:
    return &x->mh_auth;
  case MIP4_EXT_MF_AUTH:
    return &x->mf_auth;
  case MIP4_EXT_FH_AUTH:
    return &x->fh_auth;
  case MIP4_EXT_GEN_AUTH:
    /* A subtype we do not know is an unknown non-skippable extension. */
    return subtype == MIP4_GEN_AUTH_MN_AAA ? &x->mn_aaa_auth : NULL;
  case MIP4_EXT_ENCAP_DELIVERY:
    return &x->encap_delivery;
  case MIP4_EXT_NAI:
    return &x->nai;
  case MIP4_EXT_MF_CHALLENGE:
    return &x->challenge;
  }
  return NULL;
}

static enum mip4_err reg_exts(const uint8_t *msg, size_t len, size_t off,
                              struct mip4_reg_exts *x,
                              const struct mip4_ext_set *also) {
  memset(x, 0, sizeof *x);
  while (off < len) {
    struct mip4_ext e;
    enum mip4_err err = mip4_ext_read(msg, len, off, MIP4_SPACE_REG, &e);
    if (err != MIP4_OK)
      return err;
    off += e.len;
    if (e.type == MIP4_EXT_PAD)
      continue;
    x->count++;
    struct mip4_ext *slot = reg_slot(x, e.type, e.subtype);
    if (!slot && also && mip4_ext_set_has(also, e.type)) {
      x->extended++;
      continue;
    }
    if (!slot) {
      if (e.type < 128)
        return MIP4_ERR_UNKNOWN_EXT;
      x->skipped++;
      continue;
    }
    if (slot->present)
      return MIP4_ERR_DUPLICATE_EXT;
    /* RFC 3024 §3.3: the delivery style extension has no data. */
    if (e.type == MIP4_EXT_ENCAP_DELIVERY && e.data_len != 0)
      return MIP4_ERR_BAD_LENGTH;
    *slot = e;
  }
  return MIP4_OK;
}

/* The checks common to both registration messages: type and fixed
 * length. */
static enum mip4_err reg_fixed(const uint8_t *buf, size_t len, uint8_t want,
                               size_t fixed) {
  uint8_t type;
  if (!get_u8(buf, len, 0, &type))
    return MIP4_ERR_TRUNCATED;
  if (type != want)
    return MIP4_ERR_BAD_TYPE;
  return len < fixed ? MIP4_ERR_TRUNCATED : MIP4_OK;
}

enum mip4_err mip4_rrq_decode(const uint8_t *buf, size_t len,
                              struct mip4_rrq *r, struct mip4_reg_exts *exts) {
  return mip4_rrq_decode_also(buf, len, r, exts, NULL);
}

enum mip4_err mip4_rrq_decode_also(const uint8_t *buf, size_t len,
                                   struct mip4_rrq *r,
                                   struct mip4_reg_exts *exts,
                                   const struct mip4_ext_set *also) {
  memset(r, 0, sizeof *r);
  struct mip4_reg_exts scratch;
  if (!exts)
    exts = &scratch;
  memset(exts, 0, sizeof *exts);
  enum mip4_err err = reg_fixed(buf, len, MIP4_MSG_RRQ, MIP4_RRQ_LEN);
  if (err != MIP4_OK)
    return err;
  get_u8(buf, len, 1, &r->flags);
  get_be16(buf, len, 2, &r->lifetime);
  get_be32(buf, len, 4, &r->home_addr);
  get_be32(buf, len, 8, &r->home_agent);
  get_be32(buf, len, 12, &r->coa);
  get_be64(buf, len, 16, &r->ident);
  return reg_exts(buf, len, MIP4_RRQ_LEN, exts, also);
}

enum mip4_err mip4_rrp_decode(const uint8_t *buf, size_t len,
                              struct mip4_rrp *r, struct mip4_reg_exts *exts) {
  memset(r, 0, sizeof *r);
  struct mip4_reg_exts scratch;
  if (!exts)
    exts = &scratch;
  memset(exts, 0, sizeof *exts);
  enum mip4_err err = reg_fixed(buf, len, MIP4_MSG_RRP, MIP4_RRP_LEN);
  if (err != MIP4_OK)
    return err;
  get_u8(buf, len, 1, &r->code);
  get_be16(buf, len, 2, &r->lifetime);
  get_be32(buf, len, 4, &r->home_addr);
  get_be32(buf, len, 8, &r->home_agent);
  get_be64(buf, len, 12, &r->ident);
  return reg_exts(buf, len, MIP4_RRP_LEN, exts, NULL);
}

void mip4_ext_append(GByteArray *msg, uint8_t type, const void *data,
                     size_t len) {
  g_return_if_fail(len <= 255);
  uint8_t *p = mip4_append_space(msg, 2 + len);
  p[0] = type;
  p[1] = (uint8_t)len;
  if (len)
    memcpy(p + 2, data, len);
}

/* ---- Authentication ---- */

void mip4_auth_digest(enum mip4_auth_alg alg, const uint8_t *key,
                      size_t key_len, const uint8_t *data, size_t len,
                      uint8_t out[MIP4_AUTH_LEN]) {
  gsize n = MIP4_AUTH_LEN;
  if (alg == MIP4_AUTH_HMAC_MD5) {
    GHmac *h = g_hmac_new(G_CHECKSUM_MD5, key, key_len);
    g_hmac_update(h, data, (gssize)len);
    g_hmac_get_digest(h, out, &n);
    g_hmac_unref(h);
  } else {
    GChecksum *c = g_checksum_new(G_CHECKSUM_MD5);
    g_checksum_update(c, key, (gssize)key_len);
    g_checksum_update(c, data, (gssize)len);
    g_checksum_update(c, key, (gssize)key_len);
    g_checksum_get_digest(c, out, &n);
    g_checksum_free(c);
  }
}

bool mip4_auth_compute(const uint8_t *msg, size_t len, size_t ext_off,
                       enum mip4_auth_alg alg, const uint8_t *key,
                       size_t key_len, uint8_t out[MIP4_AUTH_LEN]) {
  uint8_t type;
  if (!get_u8(msg, len, ext_off, &type) || !is_auth_type(type))
    return false;
  size_t hlen = auth_hlen(type);
  if (len - ext_off < hlen + 4)
    return false;
  /* RFC 5944 §3.5.1 protects the SPI; RFC 2002 §3.5.1 stopped before. */
  size_t covered = ext_off + hlen + (alg == MIP4_AUTH_RFC2002 ? 0 : 4);
  mip4_auth_digest(alg, key, key_len, msg, covered, out);
  return true;
}

void mip4_ext_append_auth(GByteArray *msg, uint8_t type, uint32_t spi,
                          enum mip4_auth_alg alg, const uint8_t *key,
                          size_t key_len) {
  g_return_if_fail(is_auth_type(type));
  size_t off = msg->len, hlen = auth_hlen(type);
  uint8_t *p = mip4_append_space(msg, hlen + 4);
  p[0] = type;
  if (type == MIP4_EXT_GEN_AUTH) {
    p[1] = MIP4_GEN_AUTH_MN_AAA;
    put_be16(p + 2, 4 + MIP4_AUTH_LEN);
  } else {
    p[1] = 4 + MIP4_AUTH_LEN;
  }
  put_be32(p + hlen, spi);
  uint8_t auth[MIP4_AUTH_LEN];
  mip4_auth_compute(msg->data, msg->len, off, alg, key, key_len, auth);
  g_byte_array_append(msg, auth, MIP4_AUTH_LEN);
}

bool mip4_auth_verify(const uint8_t *msg, size_t len, size_t ext_off,
                      enum mip4_auth_alg alg, const uint8_t *key,
                      size_t key_len) {
  struct mip4_ext e;
  uint8_t want[MIP4_AUTH_LEN];
  if (mip4_ext_read(msg, len, ext_off, MIP4_SPACE_REG, &e) != MIP4_OK ||
      !is_auth_type(e.type) || e.data_len != MIP4_AUTH_LEN ||
      !mip4_auth_compute(msg, len, ext_off, alg, key, key_len, want))
    return false;
  /* Every byte is compared whatever the first difference, so the time
   * taken tells nothing of where a forged authenticator goes wrong. */
  uint8_t diff = 0;
  for (size_t i = 0; i < MIP4_AUTH_LEN; i++)
    diff |= (uint8_t)(want[i] ^ e.data[i]);
  return diff == 0;
}

/* ---- Identification ---- */

static uint64_t div_ceil(uint64_t a, uint64_t b) {
  return a / b + (a % b != 0);
}

uint64_t mip4_ntp_from_time(int64_t t, uint32_t random) {
  int64_t s = t / SIM_S, ns = t % SIM_S;
  if (ns < 0) {
    ns += SIM_S;
    s--;
  }
  /* The fractions that read back as this nanosecond, [lo, hi): about
   * 4.3 of them, the sub-nanosecond bits RFC 5944 §5.7.1 wants random. */
  uint64_t lo = div_ceil((uint64_t)ns << 32, SIM_S);
  uint64_t hi = div_ceil((uint64_t)(ns + 1) << 32, SIM_S);
  uint64_t frac = lo + random % (hi - lo);
  uint32_t secs = (uint32_t)(s + MIP4_NTP_UNIX_OFFSET);
  return (uint64_t)secs << 32 | frac;
}

int64_t mip4_ntp_diff(uint64_t a, uint64_t b) {
  /* Modulo 2^64 the difference is right across an era change; then
   * whole seconds (floored) and the fraction in [0, 1) s. */
  int64_t d = (int64_t)(a - b);
  int64_t secs = d >> 32;
  uint64_t frac = (uint64_t)d & 0xffffffffu;
  return secs * SIM_S + (int64_t)((frac * (uint64_t)SIM_S) >> 32);
}
