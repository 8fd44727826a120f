/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
#include "sim/net/inet.h"

#include <string.h>

/* One byte in each 16-bit lane of a 64-bit word. */
#define BYTE_LANES 0x00ff00ff00ff00ffULL
/* Loads summed into lanes before they are totalled: the four lanes then
 * add up to at most 4 x 64 x 255, which still fits 16 bits. */
#define LANE_LOADS 64

/* The sum of the four 16-bit lanes, gathered in the top one. */
static inline uint64_t lanes_total(uint64_t v) {
  return v * 0x0001000100010001ULL >> 48;
}

uint32_t inet_sum(const uint8_t *data, size_t len, uint32_t sum) {
  uint64_t acc = sum;
  size_t i = 0;
  /* Every forwarded packet's header is summed, every datagram's payload
   * too, so eight bytes are taken per load: the high bytes of the 16-bit
   * words (even offsets) and the low bytes (odd offsets) add up in
   * separate lanes.  acc ends up the same integer as word by word, so
   * partial sums chain exactly as before. */
  while (len - i >= 8) {
    size_t loads = (len - i) / 8;
    if (loads > LANE_LOADS)
      loads = LANE_LOADS;
    uint64_t high = 0, low = 0;
    for (; loads > 0; loads--, i += 8) {
      uint64_t x;
      memcpy(&x, data + i, sizeof x);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      high += x & BYTE_LANES;
      low += x >> 8 & BYTE_LANES;
#else
      low += x & BYTE_LANES;
      high += x >> 8 & BYTE_LANES;
#endif
    }
    acc += (lanes_total(high) << 8) + lanes_total(low);
  }
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
    uint8_t ph[12] = {(uint8_t)(src->v4 >> 24),
                      (uint8_t)(src->v4 >> 16),
                      (uint8_t)(src->v4 >> 8),
                      (uint8_t)src->v4,
                      (uint8_t)(dst->v4 >> 24),
                      (uint8_t)(dst->v4 >> 16),
                      (uint8_t)(dst->v4 >> 8),
                      (uint8_t)dst->v4,
                      0,
                      proto,
                      (uint8_t)(len >> 8),
                      (uint8_t)len};
    sum = inet_sum(ph, sizeof ph, 0);
  } else {
    uint8_t ph[8] = {(uint8_t)(len >> 24),
                     (uint8_t)(len >> 16),
                     (uint8_t)(len >> 8),
                     (uint8_t)len,
                     0,
                     0,
                     0,
                     proto};
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
