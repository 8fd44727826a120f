/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address parsing, formatting and prefix matching. */
#include "sim/net/addr.h"

#include <arpa/inet.h>
#include <string.h>

/* The first argument is stringified into the domain's name, which
 * spaces would change. */
/* clang-format off */
G_DEFINE_QUARK(mipsim-addr-error-quark, mipsim_addr_error)
/* clang-format on */

gboolean addr_parse(const char *text, struct ip_addr *out, GError **error) {
  struct in_addr v4;
  if (text && inet_pton(AF_INET, text, &v4) == 1) {
    *out = addr_v4(ntohl(v4.s_addr));
    return TRUE;
  }
  if (text && inet_pton(AF_INET6, text, out->v6.b) == 1) {
    out->family = 6;
    return TRUE;
  }
  g_set_error(error, MIPSIM_ADDR_ERROR, MIPSIM_ADDR_ERROR_INVALID,
              "'%s' is not an IPv4 or IPv6 address", text ? text : "");
  return FALSE;
}

gboolean prefix_parse(const char *text, struct prefix *out, GError **error) {
  const char *slash = text ? strchr(text, '/') : NULL;
  if (!slash) {
    g_set_error(error, MIPSIM_ADDR_ERROR, MIPSIM_ADDR_ERROR_INVALID,
                "'%s' is not an address with a prefix length "
                "(e.g. 10.0.0.1/24 or 2001:db8::1/64)",
                text ? text : "");
    return FALSE;
  }
  g_autofree char *addr = g_strndup(text, (gsize)(slash - text));
  if (!addr_parse(addr, &out->addr, error))
    return FALSE;
  char *end = NULL;
  guint64 len = g_ascii_strtoull(slash + 1, &end, 10);
  unsigned max = out->addr.family == 4 ? 32 : 128;
  if (end == slash + 1 || *end != '\0' || len > max) {
    g_set_error(error, MIPSIM_ADDR_ERROR, MIPSIM_ADDR_ERROR_INVALID,
                "'%s': prefix length must be 0 to %u", text, max);
    return FALSE;
  }
  out->len = (uint8_t)len;
  return TRUE;
}

char *addr_format(const struct ip_addr *a, char *buf) {
  if (a->family == 4) {
    struct in_addr v4 = {.s_addr = htonl(a->v4)};
    inet_ntop(AF_INET, &v4, buf, ADDR_STRLEN);
  } else if (a->family == 6) {
    inet_ntop(AF_INET6, a->v6.b, buf, ADDR_STRLEN);
  } else {
    strcpy(buf, "-");
  }
  return buf;
}

bool addr_equal(const struct ip_addr *a, const struct ip_addr *b) {
  if (a->family != b->family)
    return false;
  if (a->family == 4)
    return a->v4 == b->v4;
  return a->family == 0 || in6_equal(&a->v6, &b->v6);
}

bool in6_prefix_match(const struct in6 *a, const struct in6 *b, uint8_t len) {
  unsigned full = len / 8, rest = len % 8;
  if (memcmp(a->b, b->b, full) != 0)
    return false;
  if (rest == 0)
    return true;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (a->b[full] & mask) == (b->b[full] & mask);
}

bool prefix_contains(const struct prefix *p, const struct ip_addr *a) {
  if (p->addr.family != a->family)
    return false;
  if (a->family == 4)
    return ((p->addr.v4 ^ a->v4) & v4_mask(p->len)) == 0;
  return in6_prefix_match(&p->addr.v6, &a->v6, p->len);
}

struct prefix prefix_network(const struct prefix *p) {
  struct prefix n = *p;
  if (n.addr.family == 4) {
    n.addr.v4 &= v4_mask(n.len);
  } else {
    for (unsigned i = 0; i < 16; i++) {
      unsigned keep = n.len > i * 8 ? n.len - i * 8 : 0;
      if (keep < 8)
        n.addr.v6.b[i] &= (uint8_t)(keep ? 0xff << (8 - keep) : 0);
    }
  }
  return n;
}
