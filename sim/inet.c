/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
#include "inet.h"

uint32_t inet_sum(const uint8_t *data, size_t len, uint32_t sum) {
  uint64_t acc = sum;
  size_t i = 0;
  for (; i + 1 < len; i += 2)
    acc += (uint32_t)(data[i] << 8 | data[i + 1]);
  if (i < len)
    acc += (uint32_t)data[i] << 8;
  while (acc >> 32)
    acc = (acc & 0xffffffffu) + (acc >> 32);
  return (uint32_t)acc;
}

uint16_t inet_fold(uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

uint16_t inet_checksum(const uint8_t *data, size_t len) {
  return (uint16_t)~inet_fold(inet_sum(data, len, 0));
}

uint16_t inet_pseudo_checksum(const struct ip_addr *src,
                              const struct ip_addr *dst, uint8_t proto,
                              const uint8_t *segment, size_t len) {
  uint32_t sum = 0;
  if (src->family == 4) {
    uint8_t ph[12] = {
        (uint8_t)(src->v4 >> 24), (uint8_t)(src->v4 >> 16),
        (uint8_t)(src->v4 >> 8),  (uint8_t)src->v4,
        (uint8_t)(dst->v4 >> 24), (uint8_t)(dst->v4 >> 16),
        (uint8_t)(dst->v4 >> 8),  (uint8_t)dst->v4,
        0, proto, (uint8_t)(len >> 8), (uint8_t)len};
    sum = inet_sum(ph, sizeof ph, 0);
  } else {
    uint8_t ph[8] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
                     (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0, proto};
    sum = inet_sum(src->v6.b, 16, 0);
    sum = inet_sum(dst->v6.b, 16, sum);
    sum = inet_sum(ph, sizeof ph, sum);
  }
  sum = inet_sum(segment, len, sum);
  return (uint16_t)~inet_fold(sum);
}

uint16_t inet_csum_update16(uint16_t csum, uint16_t old, uint16_t new_) {
  /* HC' = ~(~HC + ~m + m') */
  uint32_t sum = (uint16_t)~csum;
  sum += (uint16_t)~old;
  sum += new_;
  return (uint16_t)~inet_fold(sum);
}
