/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet buffers: real wire-format bytes in one contiguous buffer with
 * headroom, so a layer prepends its header in place, and simulator-only
 * metadata beside the bytes. */
#ifndef MIPSIM_PKT_H
#define MIPSIM_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/sched.h"

/* Room kept in front of the bytes of a new packet: Ethernet + an outer
 * IPv6 header + GRE with key and sequence + slack, so that every
 * encapsulation this simulator does pushes without copying. */
#define PKT_HEADROOM 128
/* Buffers up to this size (headroom included) are pooled. */
#define PKT_POOL_BUF 2048

/* What the simulator knows of a packet that is not in its bytes.
 *
 * The path taken: every delivery of a frame by a link to a receiving
 * interface adds one hop and the link's propagation delay (a LAN frame
 * delivered to several stations: each copy counts its own).  A tunnel
 * pushes its headers onto the same buffer, so the count runs on through
 * encapsulation and decapsulation.  Packets made from others inherit by
 * the natural rule: clones and fragments copy the metadata, path so far
 * included; a reassembled datagram takes its first fragment's (offset 0);
 * an ICMP error copies the offending packet's metadata (so its count
 * continues the offending packet's path; flows never read it); a new
 * packet (an echo reply, a TCP segment) starts at zero. */
struct pkt_meta {
  uint64_t uid;    /* unique in the run, kept by clones */
  int64_t created; /* when the application made it */
  int64_t prop;    /* propagation delay of the links crossed, ns */
  uint32_t flow;   /* flow id (1-based), 0 = not an application packet */
  uint32_t seq;    /* application sequence number */
  uint32_t hops;   /* links crossed */
  /* 1 + the id of the node whose tunnel-send (protocols/encap) made this
   * the outer packet of a tunnel, 0 if none: its LOCAL_OUT hooks then
   * know not to tunnel it again.  A node id rather than one bit because
   * packets made from others copy the metadata, also at other nodes (an
   * ICMP error copies the one it quotes); decapsulation clears it. */
  uint32_t tunnel_origin;
};

struct pkt_pool;
struct link;
struct iface;

struct pkt {
  /* While on a link: the delivery at the far end. */
  struct sched_event ev;
  uint32_t len;
  uint32_t head; /* bytes of headroom in front of data */
  uint8_t *data;
  uint8_t *buf;
  uint32_t cap; /* size of buf */
  struct pkt_meta meta;
  /* Transit state owned by whichever layer holds the packet. */
  struct iface *tx_iface; /* sending interface while on a link */
  struct link *tx_link;   /* and the link (a radio may move on) */
  uint32_t link_epoch;    /* link's up/down epoch when sent */
  uint32_t l2_dst_index;  /* LAN: receiving interface, or UINT32_MAX */
  bool lost;              /* the loss model corrupted it on the wire */
  /* Pool bookkeeping: every live packet is on the pool's list. */
  struct pkt_pool *pool;
  struct pkt *live_prev, *live_next;
  struct pkt *free_next;
};

struct pkt_pool {
  struct pkt *free;
  struct pkt *live;
  uint64_t live_count;
  uint64_t next_uid;
  uint64_t allocated; /* packets taken from the pool over the run */
};

void pkt_pool_init(struct pkt_pool *pool);
/* Frees the spare buffers.  A packet still live has leaked: its owner was
 * freed without freeing it.  It is reported with g_warning and left
 * allocated, so that LeakSanitizer names the call that made it rather
 * than the pool hiding it. */
void pkt_pool_clear(struct pkt_pool *pool);
/* Packets made and not yet freed. */
static inline uint64_t pkt_pool_live(const struct pkt_pool *pool) {
  return pool->live_count;
}
/* A frame on a link is owned by its pending delivery event (pkt->ev) and
 * by nothing else, so at the end of a run the pool, which knows every live
 * packet, cancels those events and frees the frames.  Returns how many. */
uint64_t pkt_pool_drop_in_flight(struct pkt_pool *pool, struct sched *s);

/* A packet of len zeroed bytes with at least PKT_HEADROOM in front.
 * Transfer full: the caller owns it until it hands it to a consumer. */
struct pkt *pkt_new(struct pkt_pool *pool, uint32_t len);
/* A copy of bytes and metadata (same uid), with fresh transit state. */
struct pkt *pkt_clone(const struct pkt *p);
void pkt_free(struct pkt *p);

/* Prepend n bytes (returns the new start); grows the buffer, copying,
 * only when the headroom is short. */
uint8_t *pkt_push(struct pkt *p, uint32_t n);
/* Remove n bytes from the front; false (and no change) if shorter. */
bool pkt_pull(struct pkt *p, uint32_t n);
/* Cut to len bytes; false if len is larger than the packet. */
bool pkt_trim(struct pkt *p, uint32_t len);
/* Append n zeroed bytes at the end; returns their start. */
uint8_t *pkt_put(struct pkt *p, uint32_t n);

/* Bounds-checked reads: false when off + size exceeds len. */
static inline bool get_u8(const uint8_t *b, size_t len, size_t off,
                          uint8_t *v) {
  if (off >= len)
    return false;
  *v = b[off];
  return true;
}
static inline bool get_be16(const uint8_t *b, size_t len, size_t off,
                            uint16_t *v) {
  if (off + 2 > len || off + 2 < off)
    return false;
  *v = (uint16_t)(b[off] << 8 | b[off + 1]);
  return true;
}
static inline bool get_be32(const uint8_t *b, size_t len, size_t off,
                            uint32_t *v) {
  if (off + 4 > len || off + 4 < off)
    return false;
  *v = (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
       (uint32_t)b[off + 2] << 8 | b[off + 3];
  return true;
}
static inline bool get_be64(const uint8_t *b, size_t len, size_t off,
                            uint64_t *v) {
  uint32_t hi, lo;
  if (!get_be32(b, len, off, &hi) || !get_be32(b, len, off + 4, &lo))
    return false;
  *v = (uint64_t)hi << 32 | lo;
  return true;
}
static inline bool get_bytes(const uint8_t *b, size_t len, size_t off,
                             void *dst, size_t n) {
  if (off + n > len || off + n < off)
    return false;
  for (size_t i = 0; i < n; i++)
    ((uint8_t *)dst)[i] = b[off + i];
  return true;
}

/* Unchecked reads, for headers whose length was already validated. */
static inline uint16_t load_be16(const uint8_t *b) {
  return (uint16_t)(b[0] << 8 | b[1]);
}
static inline uint32_t load_be32(const uint8_t *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
         b[3];
}

/* Writes: the caller has sized the buffer. */
static inline void put_be16(uint8_t *b, uint16_t v) {
  b[0] = (uint8_t)(v >> 8);
  b[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *b, uint32_t v) {
  b[0] = (uint8_t)(v >> 24);
  b[1] = (uint8_t)(v >> 16);
  b[2] = (uint8_t)(v >> 8);
  b[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *b, uint64_t v) {
  put_be32(b, (uint32_t)(v >> 32));
  put_be32(b + 4, (uint32_t)v);
}

#endif
