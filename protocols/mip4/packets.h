/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mobile IPv4 wire format: agent discovery (RFC 1256 ICMP + RFC 5944 §2),
 * registration (RFC 5944 §3, RFC 2002 compatibility), reverse tunnelling
 * (RFC 3024), challenge and NAI extensions (RFC 4721, RFC 2794) and the
 * authenticators, as pure functions over bytes with no simulator state.
 *
 * Conventions: IPv4 addresses are host-order uint32_t, as in sim/net/addr.h.
 * Decoders read through bounds-checked getters, accept any byte sequence
 * and return an mip4_err; structures they fill that point into a message
 * (struct mip4_ext .data) borrow from it.  Buffer encoders work like
 * snprintf: they return the length the message needs and write it only if
 * it fits in cap (buf may be NULL when cap is 0).  GByteArray encoders
 * append.  Registration messages are built by appending the fixed part and
 * then each extension in order, so that an authentication extension covers
 * exactly what precedes it (RFC 5944 §3.5.1). */
#ifndef MIPSIM_MIP4_PACKETS_H
#define MIPSIM_MIP4_PACKETS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registration messages go to this UDP port (RFC 5944 §1.8). */
#define MIP4_PORT 434

/* Agent discovery rides on ICMP Router Discovery (RFC 1256). */
enum {
  MIP4_ICMP_ADVERT = 9,
  MIP4_ICMP_SOLICIT = 10,
};
/* Agent Advertisement codes (RFC 5944 §2.1). */
enum {
  MIP4_ADV_CODE_ROUTER = 0,     /* also routes common traffic */
  MIP4_ADV_CODE_NOT_ROUTER = 16 /* mobility agent only */
};

/* Message types on UDP port 434 (RFC 5944 §6.1). */
enum {
  MIP4_MSG_RRQ = 1,
  MIP4_MSG_RRP = 3,
};

#define MIP4_SOLICIT_LEN 8 /* ICMP header with its reserved word */
#define MIP4_ADV_HLEN 8    /* ICMP header up to the router entries */
#define MIP4_RRQ_LEN 24    /* fixed part of a Registration Request */
#define MIP4_RRP_LEN 20    /* fixed part of a Registration Reply */

/* Extension types of ICMP Router Discovery messages (RFC 5944 §6.2;
 * RFC 4721 §2 for the challenge).  A number space of their own. */
enum {
  MIP4_AEXT_PAD = 0,
  MIP4_AEXT_AGENT_ADV = 16,
  MIP4_AEXT_PREFIX_LENGTHS = 19,
  MIP4_AEXT_CHALLENGE = 24,
};

/* Extension types of registration messages (RFC 5944 §6.3, RFC 4721 §4-5,
 * RFC 3024 §3.3, RFC 2794 §2). */
enum {
  MIP4_EXT_PAD = 0,
  MIP4_EXT_MH_AUTH = 32,         /* Mobile-Home Authentication */
  MIP4_EXT_MF_AUTH = 33,         /* Mobile-Foreign Authentication */
  MIP4_EXT_FH_AUTH = 34,         /* Foreign-Home Authentication */
  MIP4_EXT_GEN_AUTH = 36,        /* Generalized Authentication (long format) */
  MIP4_EXT_ENCAP_DELIVERY = 130, /* Encapsulating Delivery Style */
  MIP4_EXT_NAI = 131,            /* Mobile Node NAI */
  MIP4_EXT_MF_CHALLENGE = 132,   /* Mobile-Foreign Challenge */
};
/* Subtypes of MIP4_EXT_GEN_AUTH (RFC 4721 §5). */
enum { MIP4_GEN_AUTH_MN_AAA = 1 };

/* Agent Advertisement flags, both bytes after the Registration Lifetime
 * as one 16-bit value (the bit numbering tshark uses too).  RFC 5944
 * §2.1.1 defines R B H F M G T; V is RFC 2002's Van Jacobson bit, which
 * RFC 5944 reserves as 'r' (sent as zero); U, X and I belong to RFC 3519,
 * RFC 3543 and RFC 4857; the low five bits are reserved.  Encoders write
 * the flags as given, so an RFC 5944 agent sets only R B H F M G T. */
#define MIP4_ADV_R 0x8000u /* registration required */
#define MIP4_ADV_B 0x4000u /* busy */
#define MIP4_ADV_H 0x2000u /* home agent */
#define MIP4_ADV_F 0x1000u /* foreign agent */
#define MIP4_ADV_M 0x0800u /* minimal encapsulation */
#define MIP4_ADV_G 0x0400u /* GRE */
#define MIP4_ADV_V 0x0200u /* RFC 2002 Van Jacobson; RFC 5944 'r' */
#define MIP4_ADV_T 0x0100u /* reverse tunnelling (RFC 3024) */
#define MIP4_ADV_U 0x0080u /* UDP tunnelling (RFC 3519) */
#define MIP4_ADV_X 0x0040u /* registration revocation (RFC 3543) */
#define MIP4_ADV_I 0x0020u /* regional registration (RFC 4857) */

/* Registration Request flags (RFC 5944 §3.3; T from RFC 3024 §3.2; V is
 * RFC 2002's Van Jacobson bit, 'r' in RFC 5944). */
#define MIP4_RRQ_S 0x80u /* keep simultaneous bindings */
#define MIP4_RRQ_B 0x40u /* tunnel home broadcasts */
#define MIP4_RRQ_D 0x20u /* mobile node decapsulates (co-located CoA) */
#define MIP4_RRQ_M 0x10u /* minimal encapsulation */
#define MIP4_RRQ_G 0x08u /* GRE */
#define MIP4_RRQ_V 0x04u /* RFC 2002 Van Jacobson; RFC 5944 'r' */
#define MIP4_RRQ_T 0x02u /* reverse tunnel */
#define MIP4_RRQ_X 0x01u /* RFC 5944 'x' */
/* Bits an agent must find zero, else deny with 70 or 134 (RFC 5944
 * §3.7.2.1, §3.8.2.1), in RFC 5944 mode and in RFC 2002 (+ RFC 3024)
 * compatibility mode, where V has a meaning. */
#define MIP4_RRQ_RESERVED (MIP4_RRQ_V | MIP4_RRQ_X)
#define MIP4_RRQ_RESERVED_RFC2002 MIP4_RRQ_X

/* Registration Reply codes (RFC 5944 §3.4, RFC 3024 §3.4, RFC 2794 §5,
 * RFC 4721 §10, RFC 4433 §7). */
enum mip4_reply_code {
  MIP4_REPLY_ACCEPTED = 0,
  MIP4_REPLY_ACCEPTED_NO_SIMULTANEOUS = 1,
  MIP4_FA_REASON_UNSPECIFIED = 64,
  MIP4_FA_ADMIN_PROHIBITED = 65,
  MIP4_FA_INSUFFICIENT_RESOURCES = 66,
  MIP4_FA_MN_AUTH_FAILED = 67,
  MIP4_FA_HA_AUTH_FAILED = 68,
  MIP4_FA_LIFETIME_TOO_LONG = 69,
  MIP4_FA_POORLY_FORMED_REQUEST = 70,
  MIP4_FA_POORLY_FORMED_REPLY = 71,
  MIP4_FA_ENCAP_UNAVAILABLE = 72,
  MIP4_FA_RESERVED_UNAVAILABLE = 73, /* RFC 2002: VJ compression */
  MIP4_FA_REVERSE_TUNNEL_UNAVAILABLE = 74,
  MIP4_FA_REVERSE_TUNNEL_MANDATORY = 75,
  MIP4_FA_MN_TOO_DISTANT = 76,
  MIP4_FA_INVALID_COA = 77,
  MIP4_FA_REGISTRATION_TIMEOUT = 78,
  MIP4_FA_DELIVERY_STYLE_UNSUPPORTED = 79,
  MIP4_FA_HOME_NET_UNREACHABLE = 80,
  MIP4_FA_HA_HOST_UNREACHABLE = 81,
  MIP4_FA_HA_PORT_UNREACHABLE = 82,
  MIP4_FA_HA_UNREACHABLE = 88,
  MIP4_FA_VENDOR_SPECIFIC = 89,
  MIP4_FA_NONZERO_HA_REQUIRED = 90,
  MIP4_FA_NONZERO_HOME_ADDR_REQUIRED = 96,
  MIP4_FA_MISSING_NAI = 97,
  MIP4_FA_MISSING_HOME_AGENT = 98,
  MIP4_FA_MISSING_HOME_ADDR = 99,
  MIP4_FA_UNKNOWN_CHALLENGE = 104,
  MIP4_FA_MISSING_CHALLENGE = 105,
  MIP4_FA_STALE_CHALLENGE = 106,
  MIP4_FA_MN_AAA_AUTH_FAILED = 108,
  MIP4_FA_HA_WRONG_CHALLENGE = 109,
  MIP4_HA_REASON_UNSPECIFIED = 128,
  MIP4_HA_ADMIN_PROHIBITED = 129,
  MIP4_HA_INSUFFICIENT_RESOURCES = 130,
  MIP4_HA_MN_AUTH_FAILED = 131,
  MIP4_HA_FA_AUTH_FAILED = 132,
  MIP4_HA_ID_MISMATCH = 133,
  MIP4_HA_POORLY_FORMED_REQUEST = 134,
  MIP4_HA_TOO_MANY_BINDINGS = 135,
  MIP4_HA_UNKNOWN_HA = 136,
  MIP4_HA_REVERSE_TUNNEL_UNAVAILABLE = 137,
  MIP4_HA_REVERSE_TUNNEL_MANDATORY = 138,
  MIP4_HA_ENCAP_UNAVAILABLE = 139,
  MIP4_HA_MN_AAA_AUTH_FAILED = 144,
  /* Sent by a foreign agent although it lies outside 64-127. */
  MIP4_FA_INVALID_HA_ADDRESS = 194,
};

struct mip4_code_name {
  unsigned code;
  const char *name;
};
/* Every code above with a name in the style of the RFC 2006 MIB
 * ("faPoorlyFormedRequest"), in code order, ending with { 0, NULL }. */
extern const struct mip4_code_name mip4_reply_code_names[];
/* The name of a reply code, or NULL if it is not in the table. */
const char *mip4_reply_code_name(unsigned code);

/* Why a message could not be decoded. */
enum mip4_err {
  MIP4_OK = 0,
  MIP4_ERR_TRUNCATED,     /* the fixed part or an extension runs past the end */
  MIP4_ERR_BAD_TYPE,      /* not the message type that was asked for */
  MIP4_ERR_BAD_CODE,      /* ICMP code other than the RFCs allow */
  MIP4_ERR_BAD_LENGTH,    /* a length field disagrees with the layout */
  MIP4_ERR_BAD_VALUE,     /* a field out of its range */
  MIP4_ERR_UNKNOWN_EXT,   /* unrecognised extension 0-127: discard the message
                             (RFC 5944 §1.8) */
  MIP4_ERR_DUPLICATE_EXT, /* an extension that may appear once is repeated */
  MIP4_ERR_NOT_AGENT_ADV, /* router advertisement without a Mobility Agent
                             Advertisement extension */
};
/* A short constant name ("truncated"), for drop reasons and traces. */
const char *mip4_err_name(enum mip4_err err);

/* ---- Agent discovery ---- */

/* Wire limits: the counts are one byte, and an extension's Length byte
 * holds 6 + 4 * CoAs (RFC 5944 §2.1.1). */
#define MIP4_ADV_ROUTERS_MAX 255
#define MIP4_ADV_COAS_MAX 62
#define MIP4_CHALLENGE_MAX 255

struct mip4_router {
  uint32_t addr;
  int32_t preference; /* signed, RFC 1256 §3 */
  uint8_t prefix_len; /* from the Prefix-Lengths extension, if present */
};

/* An Agent Advertisement: ICMP Router Advertisement + Mobility Agent
 * Advertisement extension (+ Prefix-Lengths, + Challenge). */
struct mip4_advert {
  uint8_t code;      /* MIP4_ADV_CODE_* */
  uint16_t lifetime; /* ICMP lifetime of the advertisement, s */
  uint8_t num_routers;
  struct mip4_router routers[MIP4_ADV_ROUTERS_MAX];
  bool prefix_lengths;   /* Prefix-Lengths extension (RFC 5944 §2.1.2) */
  uint16_t seq;          /* sequence number (RFC 5944 §2.3.2) */
  uint16_t reg_lifetime; /* longest registration accepted, s; 0xffff = inf */
  uint16_t flags;        /* MIP4_ADV_* */
  uint8_t num_coas;      /* at most MIP4_ADV_COAS_MAX */
  uint32_t coas[MIP4_ADV_COAS_MAX];
  bool challenge_present; /* Challenge extension (RFC 4721 §2) */
  uint8_t challenge_len;
  uint8_t challenge[MIP4_CHALLENGE_MAX];
};

/* The ICMP message from its Type byte, checksum included: extensions in
 * the order Mobility Agent Advertisement, Prefix-Lengths, Challenge, then
 * the One-byte Padding extension when the length is odd (RFC 5944
 * §2.1.3).  Returns the length needed; 0 if a->num_coas is too large. */
size_t mip4_advert_encode(const struct mip4_advert *a, uint8_t *buf,
                          size_t cap);
void mip4_advert_append(GByteArray *out, const struct mip4_advert *a);
/* Decodes an ICMP message of len bytes (the checksum is not checked: the
 * ICMP layer does).  Follows RFC 1256 §5.2 as amended by RFC 5944 §2.1:
 * code 0 or 16, Num Addrs may be 0, Addr Entry Size at least 2 (words
 * beyond the first two of an entry ignored), the agent extension present
 * once, unknown extensions 0-127 refused and 128-255 skipped, reserved
 * flags kept as received.  *a is zeroed first and left partly filled on
 * error. */
enum mip4_err mip4_advert_decode(const uint8_t *buf, size_t len,
                                 struct mip4_advert *a);

/* An Agent Solicitation (RFC 1256 Router Solicitation, RFC 5944 §2.2):
 * the sender must use IP TTL 1. */
size_t mip4_solicit_encode(uint8_t *buf, size_t cap);
void mip4_solicit_append(GByteArray *out);
/* Type 10, code 0, at least 8 bytes (RFC 1256 §4.2; the reserved word
 * and any further bytes are ignored). */
enum mip4_err mip4_solicit_decode(const uint8_t *buf, size_t len);

/* Stores the ICMP checksum of the len-byte message at icmp (RFC 1256 §3),
 * for a caller that changed bytes after encoding. */
void mip4_icmp_set_checksum(uint8_t *icmp, size_t len);

/* ---- Registration ---- */

struct mip4_rrq {
  uint8_t flags;     /* MIP4_RRQ_* */
  uint16_t lifetime; /* s; 0 = deregister, 0xffff = infinite */
  uint32_t home_addr;
  uint32_t home_agent;
  uint32_t coa;
  uint64_t ident; /* see the identification helpers below */
};

struct mip4_rrp {
  uint8_t code; /* enum mip4_reply_code */
  uint16_t lifetime;
  uint32_t home_addr;
  uint32_t home_agent;
  uint64_t ident;
};

/* len more bytes at the end of out, for an encoder to fill; returns
 * their start. */
uint8_t *mip4_append_space(GByteArray *out, size_t len);

/* Fixed parts only; extensions follow with mip4_ext_append*. */
size_t mip4_rrq_encode(const struct mip4_rrq *r, uint8_t *buf, size_t cap);
void mip4_rrq_append(GByteArray *out, const struct mip4_rrq *r);
size_t mip4_rrp_encode(const struct mip4_rrp *r, uint8_t *buf, size_t cap);
void mip4_rrp_append(GByteArray *out, const struct mip4_rrp *r);

/* One extension as found in a message. */
struct mip4_ext {
  bool present; /* in a struct mip4_reg_exts slot */
  uint8_t type;
  uint8_t subtype;     /* long format (MIP4_EXT_GEN_AUTH) only */
  size_t off;          /* of the Type byte, from the message start */
  size_t len;          /* the whole extension: next one at off + len */
  uint32_t spi;        /* authentication extensions only */
  const uint8_t *data; /* borrowed: the value (for authentication
                          extensions, the Authenticator after the SPI) */
  size_t data_len;
};

/* Which number space a message's extensions come from (RFC 5944 §1.8):
 * it decides which types use the long format. */
enum mip4_ext_space {
  MIP4_SPACE_REG,    /* UDP port 434 messages */
  MIP4_SPACE_ADVERT, /* ICMP Router Discovery messages */
};

/* The generic extension walker: reads the extension whose Type byte is at
 * off in msg[0..len) into *ext; the next one starts at ext->off +
 * ext->len, and the list ends where the message does.  Padding is one
 * byte; in the registration space Generalized Authentication has the long
 * format (RFC 5944 §1.10), everything else Type-Length-Value (§1.9).
 * Authentication extensions also get their SPI, and must be long enough
 * to hold it (the long format also at least a 16-byte Authenticator: RFC
 * 4721 §5).  Fails with MIP4_ERR_TRUNCATED or MIP4_ERR_BAD_LENGTH; whether the
 * type is known is the caller's business. */
enum mip4_err mip4_ext_read(const uint8_t *msg, size_t len, size_t off,
                            enum mip4_ext_space space, struct mip4_ext *ext);

/* The extensions of a registration message the base protocol knows, each
 * at most once; unknown skippable ones (128-255) are counted and passed
 * over. */
struct mip4_reg_exts {
  struct mip4_ext mh_auth, mf_auth, fh_auth, mn_aaa_auth;
  struct mip4_ext nai, challenge, encap_delivery;
  unsigned count;    /* extensions other than padding, unknown ones too */
  unsigned skipped;  /* unknown skippable extensions */
  unsigned extended; /* ones an extension of the protocol understands */
};

/* A set of registration extension types 0-127 that an extension of the
 * protocol understands (route optimisation's 16 and 96). */
struct mip4_ext_set {
  uint64_t bits[2];
};
static inline void mip4_ext_set_add(struct mip4_ext_set *s, uint8_t type) {
  if (type < 128)
    s->bits[type / 64] |= UINT64_C(1) << (type % 64);
}
static inline bool mip4_ext_set_has(const struct mip4_ext_set *s,
                                    uint8_t type) {
  return type < 128 && (s->bits[type / 64] >> (type % 64) & 1);
}

/* Decode a UDP payload of len bytes.  The fixed part is filled whenever
 * it is complete, even if an extension is bad, so that an agent can deny
 * a poorly formed request (codes 70, 134) or silently discard it
 * (MIP4_ERR_UNKNOWN_EXT, RFC 5944 §1.8).  Only wire validity is checked:
 * reserved flags, extension order (RFC 5944 §3.6.1.3) and which
 * extensions an authenticator covers (mip4_ext_covered) are the caller's
 * policy.  exts may be NULL. */
enum mip4_err mip4_rrq_decode(const uint8_t *buf, size_t len,
                              struct mip4_rrq *r, struct mip4_reg_exts *exts);
/* The same, with the types in also (may be NULL) understood: counted in
 * exts->extended and passed over, for their owner to read. */
enum mip4_err mip4_rrq_decode_also(const uint8_t *buf, size_t len,
                                   struct mip4_rrq *r,
                                   struct mip4_reg_exts *exts,
                                   const struct mip4_ext_set *also);
enum mip4_err mip4_rrp_decode(const uint8_t *buf, size_t len,
                              struct mip4_rrp *r, struct mip4_reg_exts *exts);

/* Is extension e protected by the authentication extension auth, i.e.
 * does it end before auth begins (RFC 5944 §3.5.1)? */
static inline bool mip4_ext_covered(const struct mip4_ext *e,
                                    const struct mip4_ext *auth) {
  return e->present && auth->present && e->off + e->len <= auth->off;
}

/* Appends a Type-Length-Value extension (NAI, challenge, Encapsulating
 * Delivery Style with len 0, or any skippable type): len at most 255. */
void mip4_ext_append(GByteArray *msg, uint8_t type, const void *data,
                     size_t len);

/* ---- Authentication (RFC 5944 §3.5.1, §5.1; RFC 2002 §3.5.1) ---- */

#define MIP4_AUTH_LEN 16 /* authenticator of every algorithm here */

/* An algorithm with the extent of the message it protects. */
enum mip4_auth_alg {
  /* RFC 5944 default: HMAC-MD5 (RFC 2104) over the message through this
   * extension's SPI.  Also the MN-AAA default (RFC 4721 §6). */
  MIP4_AUTH_HMAC_MD5,
  /* Keyed MD5 "prefix+suffix", MD5(key || data || key), over the same
   * bytes: RFC 5944 §5.1's backward-compatible algorithm. */
  MIP4_AUTH_PREFIX_SUFFIX_MD5,
  /* RFC 2002 §3.5.1 and §5.1: prefix+suffix MD5 over the message through
   * this extension's Type and Length, the SPI left out. */
  MIP4_AUTH_RFC2002,
};

/* The 16-byte MAC of data under key: HMAC-MD5, or MD5(key || data || key)
 * for both prefix+suffix variants. */
void mip4_auth_digest(enum mip4_auth_alg alg, const uint8_t *key,
                      size_t key_len, const uint8_t *data, size_t len,
                      uint8_t out[MIP4_AUTH_LEN]);
/* The authenticator due to the authentication extension whose Type byte
 * is at ext_off: over msg from its start through the SPI (or the Length,
 * RFC 2002).  False if no authentication extension header and SPI are
 * complete at ext_off. */
bool mip4_auth_compute(const uint8_t *msg, size_t len, size_t ext_off,
                       enum mip4_auth_alg alg, const uint8_t *key,
                       size_t key_len, uint8_t out[MIP4_AUTH_LEN]);
/* Appends an authentication extension of type MIP4_EXT_MH_AUTH, _MF_AUTH,
 * _FH_AUTH, or MIP4_EXT_GEN_AUTH (as MN-AAA, RFC 4721 §6), whose
 * authenticator covers everything already in msg. */
void mip4_ext_append_auth(GByteArray *msg, uint8_t type, uint32_t spi,
                          enum mip4_auth_alg alg, const uint8_t *key,
                          size_t key_len);
/* Does the authentication extension at ext_off (e.g. exts.mh_auth.off)
 * carry the right 16-byte authenticator for key?  Compared in constant
 * time. */
bool mip4_auth_verify(const uint8_t *msg, size_t len, size_t ext_off,
                      enum mip4_auth_alg alg, const uint8_t *key,
                      size_t key_len);

/* ---- Identification (RFC 5944 §5.7) ---- */

/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define MIP4_NTP_UNIX_OFFSET 2208988800LL

/* The 64-bit NTP timestamp (RFC 5905 era 0, wrapping in 2036) of
 * simulated time t, in ns since the Unix epoch as pcap traces count it
 * (a node with a skewed clock adds its offset first): seconds since 1900
 * in the high 32 bits, the fraction in the low 32.  The fraction bits
 * finer than a nanosecond come from random (RFC 5944 §5.7.1 wants them
 * random), so timestamps of later nanoseconds are always larger. */
uint64_t mip4_ntp_from_time(int64_t t, uint32_t random);
/* a - b in ns, for timestamps less than 68 years apart (era wrap
 * included): the home agent's tolerance check and the mobile node's
 * resynchronisation after code 133. */
int64_t mip4_ntp_diff(uint64_t a, uint64_t b);

/* With nonces (RFC 5944 §5.7.2) the high half is the home agent's nonce,
 * the low half the mobile node's; every reply echoes the request's low
 * half, and a 133 reply with timestamps carries the home agent's time in
 * the high half (§5.7.1). */
static inline uint64_t mip4_ident_make(uint32_t high, uint32_t low) {
  return (uint64_t)high << 32 | low;
}
static inline uint32_t mip4_ident_high(uint64_t ident) {
  return (uint32_t)(ident >> 32);
}
static inline uint32_t mip4_ident_low(uint64_t ident) {
  return (uint32_t)ident;
}

#endif
