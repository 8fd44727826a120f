/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 and IPv6 addresses and prefixes, for configuration and for the
 * applications that work over either family. */
#ifndef MIPSIM_ADDR_H
#define MIPSIM_ADDR_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* IPv4 addresses are held in host byte order in simulator structures and
 * converted only where they meet packet bytes. */
struct in6 {
  uint8_t b[16];
};

struct ip_addr {
  uint8_t family; /* 4 or 6; 0 = unset */
  union {
    uint32_t v4;
    struct in6 v6;
  };
};

struct prefix {
  struct ip_addr addr;
  uint8_t len;
};

#define MIPSIM_ADDR_ERROR (mipsim_addr_error_quark())
GQuark mipsim_addr_error_quark(void);
enum { MIPSIM_ADDR_ERROR_INVALID };

gboolean addr_parse(const char *text, struct ip_addr *out, GError **error);
/* "10.0.0.1/24" or "2001:db8::1/64"; host bits may be set (an interface
 * address with its prefix length). */
gboolean prefix_parse(const char *text, struct prefix *out, GError **error);
/* Into buf of at least ADDR_STRLEN bytes; returns buf. */
#define ADDR_STRLEN 48
char *addr_format(const struct ip_addr *a, char *buf);

static inline struct ip_addr addr_v4(uint32_t v4) {
  struct ip_addr a = {.family = 4};
  a.v4 = v4;
  return a;
}
static inline struct ip_addr addr_v6(const struct in6 *v6) {
  struct ip_addr a = {.family = 6};
  a.v6 = *v6;
  return a;
}
bool addr_equal(const struct ip_addr *a, const struct ip_addr *b);
static inline bool in6_equal(const struct in6 *a, const struct in6 *b) {
  for (int i = 0; i < 16; i++)
    if (a->b[i] != b->b[i])
      return false;
  return true;
}

static inline uint32_t v4_mask(uint8_t len) {
  return len == 0 ? 0 : 0xffffffffu << (32 - len);
}
/* Does prefix p contain address a (same family)? */
bool prefix_contains(const struct prefix *p, const struct ip_addr *a);
bool in6_prefix_match(const struct in6 *a, const struct in6 *b, uint8_t len);
/* The prefix with host bits cleared. */
struct prefix prefix_network(const struct prefix *p);

#endif
