/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A binding cache (draft-ietf-mobileip-optim-11 3.1, 8.2): home address
 * to care-of address, each entry until its lifetime runs out, the least
 * recently used one replaced when the cache is full.  Correspondents keep
 * one to tunnel straight to mobile nodes; foreign agents keep one for the
 * forwarding pointers of smooth handoffs.  Time is passed in, so that the
 * cache is a plain table with no simulator state. */
#ifndef MIPSIM_RO_CACHE_H
#define MIPSIM_RO_CACHE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct ro_entry {
  uint32_t home_addr;
  uint32_t coa;
  uint32_t home_agent; /* who sent the update: where requests go */
  uint64_t ident;      /* of the update that made or renewed it */
  uint8_t flags;       /* the update's RO_UPDATE_* */
  int64_t expires;     /* INT64_MAX: never */
  int64_t lifetime;    /* as granted, ns (refresh timing) */
  int64_t last_used;
  int64_t refresh_asked; /* when a Binding Request last went out, or -1 */
};

/* What the cache saw, for ro_counters.tsv. */
struct ro_cache_stats {
  uint64_t hits;     /* lookups that found a live entry */
  uint64_t misses;   /* lookups that found none */
  uint64_t inserted; /* new entries */
  uint64_t updated;  /* entries renewed or moved to a new care-of address */
  uint64_t deleted;  /* by an update with lifetime 0 or the home address */
  uint64_t expired;  /* whose lifetime ran out */
  uint64_t evicted;  /* replaced because the cache was full */
};

struct ro_cache;

struct ro_cache *ro_cache_new(unsigned capacity);
void ro_cache_free(struct ro_cache *c);
unsigned ro_cache_size(const struct ro_cache *c);
const struct ro_cache_stats *ro_cache_stats(const struct ro_cache *c);

/* The live entry of home_addr at time now, or NULL; an entry found
 * expired is removed.  Counts a hit or a miss and marks the entry used. */
struct ro_entry *ro_cache_lookup(struct ro_cache *c, uint32_t home_addr,
                                 int64_t now);
/* The same without counting or marking (a peek for control messages). */
struct ro_entry *ro_cache_peek(struct ro_cache *c, uint32_t home_addr,
                               int64_t now);

/* Applies an authenticated update: lifetime 0 or coa == home_addr deletes
 * the entry (optim-11 4.3), 0xffff keeps it for ever; otherwise the entry
 * is made or renewed, replacing the least recently used one (ties: the
 * lowest home address) when the cache is full.  Returns the entry, or
 * NULL when it was deleted. */
struct ro_entry *ro_cache_update(struct ro_cache *c, uint32_t home_addr,
                                 uint32_t coa, uint16_t lifetime,
                                 uint32_t home_agent, uint64_t ident,
                                 uint8_t flags, int64_t now);

#endif
