/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Route optimisation for Mobile IPv4: encoders and decoders of the binding
 * cache messages and of the smooth-handoff registration extensions, and
 * their authenticators.
 *
 * What is here, and from where (draft-ietf-mobileip-optim-11, "optim-11";
 * -08 where -11 left a number open):
 * - The four messages on UDP port 434 (optim-11 §4): Binding Warning 16
 *   (home address and target addresses to the end of the message),
 *   Binding Request 17, Binding Update 18 (A I M G flags, lifetime, home
 *   and care-of address, Identification) and Binding Acknowledge 19
 *   (status).  The last three may carry extensions after their fixed part,
 *   under the same rules as registration messages (RFC 5944 §1.8).
 * - The Route Optimization Authentication extension, type 35 (optim-08
 *   §4.5): Type, Length, SPI, Authenticator, computed like the base
 *   protocol's over the message before it.  optim-11 §5 turns it into a
 *   subtype of Generalized Authentication (36) but never numbers the
 *   subtype, so 35 is what can be put on a wire.  The smooth-handoff
 *   variant covers only the Binding Update body (optim-11 §6.1).
 * - In a Registration Request: the Previous Foreign Agent Notification
 *   extension 96 (optim-11 §6.1), the Binding Warning extension 16 (§6.3),
 *   and the P bit (§5.1); in an Agent Advertisement the S bit (§6.2).
 *   Both bits are only named here: the messages are protocols/mip4's.
 *
 * What is not: when to send what, rate limits and binding caches belong
 * to the protocol logic.  The draft does not fix the Identification of a
 * Binding Update a foreign agent builds for a previous one; the choice
 * made here is written down at ro_update_from_prev_fa.  Nothing here
 * keeps state. */
#include "protocols/ro/packets.h"

#include <string.h>

#include "sim/core/pkt.h"

const struct mip4_code_name ro_msg_names[] = {
    {RO_MSG_WARNING, "bindingWarning"},
    {RO_MSG_REQUEST, "bindingRequest"},
    {RO_MSG_UPDATE, "bindingUpdate"},
    {RO_MSG_ACK, "bindingAcknowledge"},
    {0, NULL},
};

const struct mip4_code_name ro_ack_status_names[] = {
    {RO_ACK_ACCEPTED, "bindingAccepted"},
    {RO_ACK_REASON_UNSPECIFIED, "reasonUnspecified"},
    {RO_ACK_ADMIN_PROHIBITED, "admProhibited"},
    {RO_ACK_INSUFFICIENT_RESOURCES, "insufficientResource"},
    {RO_ACK_AUTH_FAILED, "authenticationFailure"},
    {RO_ACK_ID_MISMATCH, "identificationMismatch"},
    {RO_ACK_POORLY_FORMED, "poorlyFormedUpdate"},
    {0, NULL},
};

static const char *name_of(const struct mip4_code_name *table, unsigned code) {
  for (const struct mip4_code_name *c = table; c->name; c++)
    if (c->code == code)
      return c->name;
  return NULL;
}

const char *ro_msg_name(unsigned type) {
  return name_of(ro_msg_names, type);
}

const char *ro_ack_status_name(unsigned status) {
  return name_of(ro_ack_status_names, status);
}

/* ---- Binding cache messages ---- */

static size_t warning_len(const struct ro_warning *w) {
  return RO_WARNING_LEN + 4 * (size_t)w->num_targets;
}

size_t ro_warning_encode(const struct ro_warning *w, uint8_t *buf, size_t cap) {
  g_return_val_if_fail(w->num_targets <= RO_TARGETS_MAX, 0);
  size_t len = warning_len(w);
  if (len > cap)
    return len;
  buf[0] = RO_MSG_WARNING;
  buf[1] = buf[2] = buf[3] = 0;
  put_be32(buf + 4, w->home_addr);
  for (unsigned i = 0; i < w->num_targets; i++)
    put_be32(buf + RO_WARNING_LEN + 4 * i, w->targets[i]);
  return len;
}

void ro_warning_append(GByteArray *out, const struct ro_warning *w) {
  g_return_if_fail(w->num_targets <= RO_TARGETS_MAX);
  size_t len = warning_len(w);
  ro_warning_encode(w, mip4_append_space(out, len), len);
}

size_t ro_request_encode(const struct ro_request *r, uint8_t *buf, size_t cap) {
  if (cap < RO_REQUEST_LEN)
    return RO_REQUEST_LEN;
  buf[0] = RO_MSG_REQUEST;
  buf[1] = buf[2] = buf[3] = 0;
  put_be32(buf + 4, r->home_addr);
  put_be64(buf + 8, r->ident);
  return RO_REQUEST_LEN;
}

void ro_request_append(GByteArray *out, const struct ro_request *r) {
  ro_request_encode(r, mip4_append_space(out, RO_REQUEST_LEN), RO_REQUEST_LEN);
}

size_t ro_update_encode(const struct ro_update *u, uint8_t *buf, size_t cap) {
  if (cap < RO_UPDATE_LEN)
    return RO_UPDATE_LEN;
  buf[0] = RO_MSG_UPDATE;
  buf[1] = u->flags;
  put_be16(buf + 2, u->lifetime);
  put_be32(buf + 4, u->home_addr);
  put_be32(buf + 8, u->coa);
  put_be64(buf + 12, u->ident);
  return RO_UPDATE_LEN;
}

void ro_update_append(GByteArray *out, const struct ro_update *u) {
  ro_update_encode(u, mip4_append_space(out, RO_UPDATE_LEN), RO_UPDATE_LEN);
}

size_t ro_ack_encode(const struct ro_ack *a, uint8_t *buf, size_t cap) {
  if (cap < RO_ACK_LEN)
    return RO_ACK_LEN;
  /* optim-11 §4.4: Type, 16 reserved bits, then Status. */
  buf[0] = RO_MSG_ACK;
  buf[1] = buf[2] = 0;
  buf[3] = a->status;
  put_be32(buf + 4, a->home_addr);
  put_be64(buf + 8, a->ident);
  return RO_ACK_LEN;
}

void ro_ack_append(GByteArray *out, const struct ro_ack *a) {
  ro_ack_encode(a, mip4_append_space(out, RO_ACK_LEN), RO_ACK_LEN);
}

enum mip4_err ro_ext_read(const uint8_t *msg, size_t len, size_t off,
                          struct mip4_ext *ext) {
  enum mip4_err err = mip4_ext_read(msg, len, off, MIP4_SPACE_REG, ext);
  if (err != MIP4_OK || ext->type != RO_EXT_AUTH)
    return err;
  /* The base protocol's authentication layout (optim-08 §4.5): the SPI
   * comes first in the value. */
  if (!get_be32(ext->data, ext->data_len, 0, &ext->spi)) {
    ext->present = false;
    return MIP4_ERR_BAD_LENGTH;
  }
  ext->data += 4;
  ext->data_len -= 4;
  return MIP4_OK;
}

/* The extensions of a Request, Update or Acknowledge from off. */
static enum mip4_err msg_exts(const uint8_t *msg, size_t len, size_t off,
                              struct ro_exts *x) {
  while (off < len) {
    struct mip4_ext e;
    enum mip4_err err = ro_ext_read(msg, len, off, &e);
    if (err != MIP4_OK)
      return err;
    off += e.len;
    if (e.type == MIP4_EXT_PAD)
      continue;
    x->count++;
    if (e.type == RO_EXT_AUTH) {
      if (x->auth.present)
        return MIP4_ERR_DUPLICATE_EXT;
      x->auth = e;
    } else if (e.type < 128) {
      return MIP4_ERR_UNKNOWN_EXT;
    } else {
      x->skipped++;
    }
  }
  return MIP4_OK;
}

/* Checks the Type byte and that the fixed part of flen bytes is there. */
static enum mip4_err fixed_part(const uint8_t *buf, size_t len, uint8_t want,
                                size_t flen) {
  uint8_t type;
  if (!get_u8(buf, len, 0, &type))
    return MIP4_ERR_TRUNCATED;
  if (type != want)
    return MIP4_ERR_BAD_TYPE;
  return len < flen ? MIP4_ERR_TRUNCATED : MIP4_OK;
}

enum mip4_err ro_warning_decode(const uint8_t *buf, size_t len,
                                struct ro_warning *w) {
  memset(w, 0, sizeof *w);
  enum mip4_err err = fixed_part(buf, len, RO_MSG_WARNING, RO_WARNING_LEN);
  if (err != MIP4_OK)
    return err;
  get_be32(buf, len, 4, &w->home_addr);
  /* No Length field: the UDP length says how many targets there are. */
  size_t rest = len - RO_WARNING_LEN;
  if (rest % 4 != 0)
    return MIP4_ERR_BAD_LENGTH;
  if (rest / 4 > RO_TARGETS_MAX)
    return MIP4_ERR_BAD_VALUE;
  w->num_targets = (uint8_t)(rest / 4);
  for (unsigned i = 0; i < w->num_targets; i++)
    get_be32(buf, len, RO_WARNING_LEN + 4 * i, &w->targets[i]);
  return MIP4_OK;
}

enum mip4_err ro_request_decode(const uint8_t *buf, size_t len,
                                struct ro_request *r, struct ro_exts *exts) {
  memset(r, 0, sizeof *r);
  struct ro_exts scratch;
  if (!exts)
    exts = &scratch;
  memset(exts, 0, sizeof *exts);
  enum mip4_err err = fixed_part(buf, len, RO_MSG_REQUEST, RO_REQUEST_LEN);
  if (err != MIP4_OK)
    return err;
  get_be32(buf, len, 4, &r->home_addr);
  get_be64(buf, len, 8, &r->ident);
  return msg_exts(buf, len, RO_REQUEST_LEN, exts);
}

enum mip4_err ro_update_decode(const uint8_t *buf, size_t len,
                               struct ro_update *u, struct ro_exts *exts) {
  memset(u, 0, sizeof *u);
  struct ro_exts scratch;
  if (!exts)
    exts = &scratch;
  memset(exts, 0, sizeof *exts);
  enum mip4_err err = fixed_part(buf, len, RO_MSG_UPDATE, RO_UPDATE_LEN);
  if (err != MIP4_OK)
    return err;
  get_u8(buf, len, 1, &u->flags);
  get_be16(buf, len, 2, &u->lifetime);
  get_be32(buf, len, 4, &u->home_addr);
  get_be32(buf, len, 8, &u->coa);
  get_be64(buf, len, 12, &u->ident);
  return msg_exts(buf, len, RO_UPDATE_LEN, exts);
}

enum mip4_err ro_ack_decode(const uint8_t *buf, size_t len, struct ro_ack *a,
                            struct ro_exts *exts) {
  memset(a, 0, sizeof *a);
  struct ro_exts scratch;
  if (!exts)
    exts = &scratch;
  memset(exts, 0, sizeof *exts);
  enum mip4_err err = fixed_part(buf, len, RO_MSG_ACK, RO_ACK_LEN);
  if (err != MIP4_OK)
    return err;
  get_u8(buf, len, 3, &a->status);
  get_be32(buf, len, 4, &a->home_addr);
  get_be64(buf, len, 8, &a->ident);
  return msg_exts(buf, len, RO_ACK_LEN, exts);
}

/* ---- Authentication ---- */

bool ro_auth_compute(const uint8_t *msg, size_t len, size_t ext_off,
                     enum ro_auth_cover cover, enum mip4_auth_alg alg,
                     const uint8_t *key, size_t key_len,
                     uint8_t out[MIP4_AUTH_LEN]) {
  uint8_t type;
  if (!get_u8(msg, len, ext_off, &type) || type != RO_EXT_AUTH ||
      len - ext_off < 2 + 4)
    return false;
  if (cover == RO_AUTH_UPDATE_BODY) {
    uint8_t mtype;
    if (!get_u8(msg, len, 0, &mtype) || mtype != RO_MSG_UPDATE ||
        ext_off < RO_UPDATE_LEN)
      return false;
    mip4_auth_digest(alg, key, key_len, msg, RO_UPDATE_LEN, out);
    return true;
  }
  /* optim-08 §4.5 stops after Type and Length as RFC 2002 did; RFC 5944
   * §3.5.1 and optim-11 §5 take the SPI in too. */
  size_t covered = ext_off + 2 + (alg == MIP4_AUTH_RFC2002 ? 0 : 4);
  mip4_auth_digest(alg, key, key_len, msg, covered, out);
  return true;
}

void ro_ext_append_auth(GByteArray *msg, uint32_t spi, enum mip4_auth_alg alg,
                        const uint8_t *key, size_t key_len) {
  size_t off = msg->len;
  uint8_t *p = mip4_append_space(msg, 2 + 4);
  p[0] = RO_EXT_AUTH;
  p[1] = 4 + MIP4_AUTH_LEN;
  put_be32(p + 2, spi);
  uint8_t auth[MIP4_AUTH_LEN];
  ro_auth_compute(msg->data, msg->len, off, RO_AUTH_MESSAGE, alg, key, key_len,
                  auth);
  g_byte_array_append(msg, auth, MIP4_AUTH_LEN);
}

void ro_ext_append_auth_value(GByteArray *msg, uint32_t spi,
                              const uint8_t *auth, size_t auth_len) {
  g_return_if_fail(auth_len <= 255 - 4);
  uint8_t *p = mip4_append_space(msg, 2 + 4 + auth_len);
  p[0] = RO_EXT_AUTH;
  p[1] = (uint8_t)(4 + auth_len);
  put_be32(p + 2, spi);
  if (auth_len)
    memcpy(p + 6, auth, auth_len);
}

bool ro_auth_verify(const uint8_t *msg, size_t len, size_t ext_off,
                    enum ro_auth_cover cover, enum mip4_auth_alg alg,
                    const uint8_t *key, size_t key_len) {
  struct mip4_ext e;
  uint8_t want[MIP4_AUTH_LEN];
  if (ro_ext_read(msg, len, ext_off, &e) != MIP4_OK ||
      e.data_len != MIP4_AUTH_LEN ||
      !ro_auth_compute(msg, len, ext_off, cover, alg, key, key_len, want))
    return false;
  /* Every byte is compared whatever the first difference, so the time
   * taken tells nothing of where a forged authenticator goes wrong. */
  uint8_t diff = 0;
  for (size_t i = 0; i < MIP4_AUTH_LEN; i++)
    diff |= (uint8_t)(want[i] ^ e.data[i]);
  return diff == 0;
}

/* ---- Registration extensions ---- */

void ro_warning_ext_append(GByteArray *msg, const struct ro_warning *w) {
  g_return_if_fail(w->num_targets >= 1 && w->num_targets <= RO_TARGETS_MAX);
  size_t dlen = 2 + 4 + 4 * (size_t)w->num_targets;
  uint8_t *p = mip4_append_space(msg, 2 + dlen);
  /* optim-11 §6.3: Type, Length, 16 reserved bits, home address,
   * targets. */
  p[0] = RO_EXT_WARNING;
  p[1] = (uint8_t)dlen;
  p[2] = p[3] = 0;
  put_be32(p + 4, w->home_addr);
  for (unsigned i = 0; i < w->num_targets; i++)
    put_be32(p + 8 + 4 * i, w->targets[i]);
}

void ro_prev_fa_append(GByteArray *msg, const struct ro_prev_fa *p) {
  g_return_if_fail(p->auth_len <= RO_PREV_FA_AUTH_MAX);
  size_t dlen = 14 + (size_t)p->auth_len;
  uint8_t *b = mip4_append_space(msg, 2 + dlen);
  b[0] = RO_EXT_PREV_FA;
  b[1] = (uint8_t)dlen;
  put_be16(b + 2, p->cache_lifetime);
  put_be32(b + 4, p->prev_fa);
  put_be32(b + 8, p->new_coa);
  put_be32(b + 12, p->spi);
  if (p->auth_len)
    memcpy(b + 16, p->auth, p->auth_len);
}

enum mip4_err ro_warning_ext_decode(const struct mip4_ext *e,
                                    struct ro_warning *w) {
  memset(w, 0, sizeof *w);
  if (e->type != RO_EXT_WARNING)
    return MIP4_ERR_BAD_TYPE;
  /* Reserved, home address and "one or more" targets (optim-11 §6.3);
   * the Length byte keeps the count within RO_TARGETS_MAX. */
  if (e->data_len < 2 + 4 + 4 || (e->data_len - 6) % 4 != 0)
    return MIP4_ERR_BAD_LENGTH;
  get_be32(e->data, e->data_len, 2, &w->home_addr);
  w->num_targets = (uint8_t)((e->data_len - 6) / 4);
  for (unsigned i = 0; i < w->num_targets; i++)
    get_be32(e->data, e->data_len, 6 + 4 * i, &w->targets[i]);
  return MIP4_OK;
}

enum mip4_err ro_prev_fa_decode(const struct mip4_ext *e,
                                struct ro_prev_fa *p) {
  memset(p, 0, sizeof *p);
  if (e->type != RO_EXT_PREV_FA)
    return MIP4_ERR_BAD_TYPE;
  /* optim-11 §6.1: Length is 14 plus the authenticator's length. */
  if (e->data_len < 14)
    return MIP4_ERR_BAD_LENGTH;
  get_be16(e->data, e->data_len, 0, &p->cache_lifetime);
  get_be32(e->data, e->data_len, 2, &p->prev_fa);
  get_be32(e->data, e->data_len, 6, &p->new_coa);
  get_be32(e->data, e->data_len, 10, &p->spi);
  p->auth_len = (uint8_t)(e->data_len - 14);
  get_bytes(e->data, e->data_len, 14, p->auth, p->auth_len);
  return MIP4_OK;
}

enum mip4_err ro_reg_exts_decode(const uint8_t *msg, size_t len, size_t off,
                                 struct ro_reg_exts *x) {
  memset(x, 0, sizeof *x);
  while (off < len) {
    struct mip4_ext e;
    enum mip4_err err = mip4_ext_read(msg, len, off, MIP4_SPACE_REG, &e);
    if (err != MIP4_OK)
      return err;
    off += e.len;
    if (e.type == RO_EXT_WARNING) {
      if (x->warning_ext.present)
        return MIP4_ERR_DUPLICATE_EXT;
      err = ro_warning_ext_decode(&e, &x->warning);
      if (err != MIP4_OK)
        return err;
      x->warning_ext = e;
    } else if (e.type == RO_EXT_PREV_FA) {
      if (x->prev_fa_ext.present)
        return MIP4_ERR_DUPLICATE_EXT;
      err = ro_prev_fa_decode(&e, &x->prev_fa);
      if (err != MIP4_OK)
        return err;
      x->prev_fa_ext = e;
    }
  }
  return MIP4_OK;
}

void ro_update_from_prev_fa(const struct mip4_rrq *rrq,
                            const struct ro_prev_fa *p, struct ro_update *u) {
  /* optim-11 §6.1: the agent MUST set A, so that the previous foreign
   * agent acknowledges to the mobile node. */
  *u = (struct ro_update){.flags = RO_UPDATE_A | RO_UPDATE_I,
                          .lifetime = p->cache_lifetime,
                          .home_addr = rrq->home_addr,
                          .coa = p->new_coa,
                          .ident = rrq->ident};
}

void ro_prev_fa_sign(struct ro_prev_fa *p, const struct mip4_rrq *rrq,
                     enum mip4_auth_alg alg, const uint8_t *key,
                     size_t key_len) {
  struct ro_update u;
  uint8_t body[RO_UPDATE_LEN];
  ro_update_from_prev_fa(rrq, p, &u);
  ro_update_encode(&u, body, sizeof body);
  mip4_auth_digest(alg, key, key_len, body, sizeof body, p->auth);
  p->auth_len = MIP4_AUTH_LEN;
}
