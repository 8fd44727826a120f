/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Route optimisation for Mobile IPv4 (draft-ietf-mobileip-optim-11, and
 * -08 where -11 leaves a type number open): wire format of the binding
 * cache messages, their authentication extension and the smooth-handoff
 * extensions of a registration request, as pure functions over bytes with
 * no simulator state.
 *
 * Conventions are protocols/mip4/packets.h's, whose pieces are reused:
 * IPv4 addresses are host-order uint32_t; decoders read through
 * bounds-checked getters, accept any byte sequence and return an enum
 * mip4_err; buffer encoders work like snprintf (return the length needed,
 * write only if it fits in cap); GByteArray encoders append.  Extensions
 * live in the registration number space of RFC 5944 §1.8 and are walked
 * with mip4_ext_read: 0-127 unknown refuse the message, 128-255 are
 * skipped.  Authenticators use mip4_auth_digest and its algorithms. */
#ifndef MIPSIM_RO_PACKETS_H
#define MIPSIM_RO_PACKETS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/mip4/packets.h"

/* Binding cache management messages, on UDP port MIP4_PORT like
 * registration (optim-11 §4). */
enum {
  RO_MSG_WARNING = 16, /* Binding Warning */
  RO_MSG_REQUEST = 17, /* Binding Request */
  RO_MSG_UPDATE = 18,  /* Binding Update */
  RO_MSG_ACK = 19,     /* Binding Acknowledge */
};

#define RO_WARNING_LEN 8 /* Binding Warning up to the target addresses */
#define RO_REQUEST_LEN 16
#define RO_UPDATE_LEN 20 /* fixed part, Identification included */
#define RO_ACK_LEN 16

/* Extension types, registration number space (RFC 5944 §1.8). */
enum {
  RO_EXT_WARNING = 16, /* Binding Warning extension (optim-11 §6.3;
                          "TBD" in -08) */
  RO_EXT_AUTH = 35,    /* Route Optimization Authentication (optim-08
                          §4.5; -11 §5 moves it to an unnumbered subtype
                          of RFC 3012's extension 36) */
  RO_EXT_PREV_FA = 96, /* Previous Foreign Agent Notification (optim-11
                          §6.1) */
};

/* Binding Update flags (optim-11 §4.3); the low four bits are reserved,
 * sent as zero and ignored, but kept as received. */
#define RO_UPDATE_A 0x80u /* acknowledge requested */
#define RO_UPDATE_I 0x40u /* Identification present */
#define RO_UPDATE_M 0x20u /* minimal encapsulation allowed */
#define RO_UPDATE_G 0x10u /* GRE allowed */
#define RO_UPDATE_RESERVED 0x0fu

/* The P (private) bit of a Registration Request: optim-11 §5.1 lays the
 * flags out S B D M G x T P, so P is the bit RFC 5944 reserves as 'x'
 * (MIP4_RRQ_X).  (-08 §4.6 had S B D M G V P r, P where RFC 3024 put T.) */
#define RO_RRQ_P MIP4_RRQ_X
/* The S (smooth handoff) bit of the Mobility Agent Advertisement
 * extension (optim-11 §6.2): first bit of the second flag byte, the bit
 * RFC 3519 later gave to U (MIP4_ADV_U), which is how tshark shows it. */
#define RO_ADV_S MIP4_ADV_U

/* Binding Acknowledge status (optim-11 §4.4): non-zero is negative. */
enum ro_ack_status {
  RO_ACK_ACCEPTED = 0,
  RO_ACK_REASON_UNSPECIFIED = 128,
  RO_ACK_ADMIN_PROHIBITED = 129,
  RO_ACK_INSUFFICIENT_RESOURCES = 130,
  RO_ACK_AUTH_FAILED = 131, /* sending node failed authentication */
  RO_ACK_ID_MISMATCH = 133,
  RO_ACK_POORLY_FORMED = 134, /* poorly formed Binding Update */
};

/* Names in the style of mip4_reply_code_names, in code order, each table
 * ending with { 0, NULL }. */
extern const struct mip4_code_name ro_msg_names[];
extern const struct mip4_code_name ro_ack_status_names[];
/* The name of a message type or a status, or NULL if not in the table. */
const char *ro_msg_name(unsigned type);
const char *ro_ack_status_name(unsigned status);

/* ---- Binding cache messages ---- */

/* At most this many target addresses: the Binding Warning extension's
 * Length byte holds 6 + 4 * n (optim-11 §6.3).  The message has no such
 * limit, but one structure serves both and a longer message is refused
 * (MIP4_ERR_BAD_VALUE). */
#define RO_TARGETS_MAX 62

/* A Binding Warning, as the message (optim-11 §4.1: zero or more targets,
 * none meaning the receiver itself) or the registration extension (§6.3:
 * one or more). */
struct ro_warning {
  uint32_t home_addr;
  uint8_t num_targets;
  uint32_t targets[RO_TARGETS_MAX];
};

/* A Binding Request (optim-11 §4.2). */
struct ro_request {
  uint32_t home_addr;
  uint64_t ident;
};

/* A Binding Update (optim-11 §4.3).  The Identification is always on the
 * wire: the layout shows it unconditionally and the I bit only says
 * whether it means anything, so that a Binding Update is read the same
 * whatever its flags (the draft leaves this open).
 * With nonces the home agent puts the next nonce in the high half and
 * this one in the low half (§4.3): mip4_ident_make and friends. */
struct ro_update {
  uint8_t flags;     /* RO_UPDATE_* */
  uint16_t lifetime; /* s; 0 = delete the entry, 0xffff = infinite */
  uint32_t home_addr;
  uint32_t coa; /* = home_addr: delete, do not cache */
  uint64_t ident;
};

/* A Binding Acknowledge (optim-11 §4.4). */
struct ro_ack {
  uint8_t status; /* enum ro_ack_status */
  uint32_t home_addr;
  uint64_t ident;
};

/* The extensions of a Binding Request, Update or Acknowledge. */
struct ro_exts {
  struct mip4_ext auth; /* RO_EXT_AUTH, SPI parsed as by mip4_ext_read */
  unsigned count;       /* extensions other than padding */
  unsigned skipped;     /* unknown skippable (128-255) ones */
};

/* Encoders.  ro_warning_encode returns 0 if w->num_targets exceeds
 * RO_TARGETS_MAX.  Request, Update and Acknowledge are fixed parts only;
 * an authentication extension follows with ro_ext_append_auth*.  Reserved
 * fields are sent as zero. */
size_t ro_warning_encode(const struct ro_warning *w, uint8_t *buf, size_t cap);
void ro_warning_append(GByteArray *out, const struct ro_warning *w);
size_t ro_request_encode(const struct ro_request *r, uint8_t *buf, size_t cap);
void ro_request_append(GByteArray *out, const struct ro_request *r);
size_t ro_update_encode(const struct ro_update *u, uint8_t *buf, size_t cap);
void ro_update_append(GByteArray *out, const struct ro_update *u);
size_t ro_ack_encode(const struct ro_ack *a, uint8_t *buf, size_t cap);
void ro_ack_append(GByteArray *out, const struct ro_ack *a);

/* Decoders of a UDP payload of len bytes; reserved fields are ignored
 * (flags kept).  A Binding Warning's targets run to the end of the
 * message (MIP4_ERR_BAD_LENGTH if the rest is not whole addresses).  The
 * others may carry extensions: RO_EXT_AUTH at most once, padding, unknown
 * 128-255 skipped, unknown 0-127 MIP4_ERR_UNKNOWN_EXT (RFC 5944 §1.8).
 * The fixed part is filled whenever it is complete, even if an extension
 * is bad.  Whether an authentication extension is there and right is the
 * caller's policy (ro_auth_verify).  exts may be NULL. */
enum mip4_err ro_warning_decode(const uint8_t *buf, size_t len,
                                struct ro_warning *w);
enum mip4_err ro_request_decode(const uint8_t *buf, size_t len,
                                struct ro_request *r, struct ro_exts *exts);
enum mip4_err ro_update_decode(const uint8_t *buf, size_t len,
                               struct ro_update *u, struct ro_exts *exts);
enum mip4_err ro_ack_decode(const uint8_t *buf, size_t len, struct ro_ack *a,
                            struct ro_exts *exts);

/* mip4_ext_read for route optimisation: the same walker, and an
 * RO_EXT_AUTH extension also gets its SPI (data then holds the
 * Authenticator) and must be long enough to hold it. */
enum mip4_err ro_ext_read(const uint8_t *msg, size_t len, size_t off,
                          struct mip4_ext *ext);

/* ---- Authentication (optim-08 §4.5, optim-11 §5, §6.1) ---- */

/* What an RO_EXT_AUTH authenticator protects. */
enum ro_auth_cover {
  /* Everything before the extension and its own Type and Length, as the
   * base protocol's extensions (optim-08 §4.5), plus the SPI unless the
   * algorithm is MIP4_AUTH_RFC2002 (RFC 5944 §3.5.1 added it; optim-11
   * §5 covers it too).  Home agent to correspondent. */
  RO_AUTH_MESSAGE,
  /* Only the 20-byte Binding Update fixed part: the mobile node computes
   * it in advance for the Binding Update its new foreign agent sends to
   * the previous one (optim-11 §6.1 "calculated only over the Binding
   * Update message body"). */
  RO_AUTH_UPDATE_BODY,
};

/* The authenticator due to the RO_EXT_AUTH extension at ext_off of msg:
 * false if there is no such extension header and SPI complete at
 * ext_off, or (RO_AUTH_UPDATE_BODY) msg is not a complete Binding
 * Update. */
bool ro_auth_compute(const uint8_t *msg, size_t len, size_t ext_off,
                     enum ro_auth_cover cover, enum mip4_auth_alg alg,
                     const uint8_t *key, size_t key_len,
                     uint8_t out[MIP4_AUTH_LEN]);
/* Appends an RO_EXT_AUTH extension covering everything already in msg
 * (RO_AUTH_MESSAGE). */
void ro_ext_append_auth(GByteArray *msg, uint32_t spi, enum mip4_auth_alg alg,
                        const uint8_t *key, size_t key_len);
/* Appends an RO_EXT_AUTH extension carrying an authenticator computed
 * elsewhere: the one of a Previous Foreign Agent Notification, which the
 * new foreign agent copies with its SPI (optim-11 §6.1, §8.1).  auth_len
 * at most 251. */
void ro_ext_append_auth_value(GByteArray *msg, uint32_t spi,
                              const uint8_t *auth, size_t auth_len);
/* Does the RO_EXT_AUTH extension at ext_off (e.g. exts.auth.off) carry
 * the right 16-byte authenticator?  Compared in constant time. */
bool ro_auth_verify(const uint8_t *msg, size_t len, size_t ext_off,
                    enum ro_auth_cover cover, enum mip4_auth_alg alg,
                    const uint8_t *key, size_t key_len);

/* ---- Registration extensions (optim-11 §6) ---- */

/* Longest authenticator a Previous Foreign Agent Notification holds:
 * its Length byte is 14 + the authenticator's length. */
#define RO_PREV_FA_AUTH_MAX (255 - 14)

/* A Previous Foreign Agent Notification extension (optim-11 §6.1). */
struct ro_prev_fa {
  uint16_t cache_lifetime; /* becomes the Binding Update's Lifetime */
  uint32_t prev_fa;        /* where the new foreign agent sends it */
  uint32_t new_coa;        /* its Care-of Address (the home address:
                              delete the visitor entry, do not forward) */
  uint32_t spi;            /* copied into the RO_EXT_AUTH extension */
  uint8_t auth_len;        /* at most RO_PREV_FA_AUTH_MAX */
  uint8_t auth[RO_PREV_FA_AUTH_MAX];
};

/* Appends the extension (Type, Length, value) to a registration request
 * being built: num_targets 1..RO_TARGETS_MAX, auth_len as above. */
void ro_warning_ext_append(GByteArray *msg, const struct ro_warning *w);
void ro_prev_fa_append(GByteArray *msg, const struct ro_prev_fa *p);
/* Decode an extension the walker found: MIP4_ERR_BAD_TYPE for another
 * type, MIP4_ERR_BAD_LENGTH if the Length disagrees with the layout
 * (a Binding Warning extension without a target included). */
enum mip4_err ro_warning_ext_decode(const struct mip4_ext *e,
                                    struct ro_warning *w);
enum mip4_err ro_prev_fa_decode(const struct mip4_ext *e, struct ro_prev_fa *p);

/* The route optimisation extensions of a registration request. */
struct ro_reg_exts {
  struct mip4_ext warning_ext, prev_fa_ext; /* where they are (.present) */
  struct ro_warning warning;
  struct ro_prev_fa prev_fa;
};
/* Finds and decodes the route optimisation extensions among those of a
 * registration message from off (MIP4_RRQ_LEN for a request), each at most
 * once (MIP4_ERR_DUPLICATE_EXT).  Other extensions are passed over
 * whatever their type: they are the base protocol's to judge, with
 * mip4_rrq_decode, which refuses the route optimisation types as unknown
 * (RFC 5944 §1.8) and so must be told about them by its caller. */
enum mip4_err ro_reg_exts_decode(const uint8_t *msg, size_t len, size_t off,
                                 struct ro_reg_exts *x);

/* The Binding Update a new foreign agent builds from a request rrq
 * carrying Previous Foreign Agent Notification p (optim-11 §6.1): A set
 * (the previous agent acknowledges to the mobile node), Lifetime = Cache
 * Lifetime, the request's home address, Care-of Address = New Care-of
 * Address.  The draft does not say what Identification the agent puts in
 * although the mobile node's authenticator covers it; here it is the
 * request's, with I set (a simulator convention). */
void ro_update_from_prev_fa(const struct mip4_rrq *rrq,
                            const struct ro_prev_fa *p, struct ro_update *u);
/* The mobile node's precomputed authenticator for p: over the body of the
 * Binding Update ro_update_from_prev_fa builds (RO_AUTH_UPDATE_BODY).
 * Sets p->auth and p->auth_len. */
void ro_prev_fa_sign(struct ro_prev_fa *p, const struct mip4_rrq *rrq,
                     enum mip4_auth_alg alg, const uint8_t *key,
                     size_t key_len);

#endif
