/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "protocols/ro/cache.h"

#include "sim/core/sched.h"

struct ro_cache {
  unsigned capacity;
  GHashTable *entries; /* home address -> struct ro_entry */
  struct ro_cache_stats stats;
};

struct ro_cache *ro_cache_new(unsigned capacity) {
  struct ro_cache *c = g_new0(struct ro_cache, 1);
  c->capacity = capacity ? capacity : 1;
  c->entries =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  return c;
}

void ro_cache_free(struct ro_cache *c) {
  if (!c)
    return;
  g_hash_table_destroy(c->entries);
  g_free(c);
}

unsigned ro_cache_size(const struct ro_cache *c) {
  return g_hash_table_size(c->entries);
}

const struct ro_cache_stats *ro_cache_stats(const struct ro_cache *c) {
  return &c->stats;
}

struct ro_entry *ro_cache_peek(struct ro_cache *c, uint32_t home_addr,
                               int64_t now) {
  gpointer key = GUINT_TO_POINTER(home_addr);
  struct ro_entry *e = g_hash_table_lookup(c->entries, key);
  if (e && e->expires <= now) {
    c->stats.expired++;
    g_hash_table_remove(c->entries, key);
    e = NULL;
  }
  return e;
}

struct ro_entry *ro_cache_lookup(struct ro_cache *c, uint32_t home_addr,
                                 int64_t now) {
  struct ro_entry *e = ro_cache_peek(c, home_addr, now);
  if (!e) {
    c->stats.misses++;
    return NULL;
  }
  c->stats.hits++;
  e->last_used = now;
  return e;
}

/* Makes room for one more: expired entries first, else the least
 * recently used. */
static void make_room(struct ro_cache *c, int64_t now) {
  GHashTableIter it;
  gpointer value;
  struct ro_entry *victim = NULL;
  g_hash_table_iter_init(&it, c->entries);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    struct ro_entry *e = value;
    if (e->expires <= now) {
      c->stats.expired++;
      g_hash_table_iter_remove(&it);
      continue;
    }
    if (!victim || e->last_used < victim->last_used ||
        (e->last_used == victim->last_used && e->home_addr < victim->home_addr))
      victim = e;
  }
  if (g_hash_table_size(c->entries) < c->capacity || !victim)
    return;
  c->stats.evicted++;
  g_hash_table_remove(c->entries, GUINT_TO_POINTER(victim->home_addr));
}

struct ro_entry *ro_cache_update(struct ro_cache *c, uint32_t home_addr,
                                 uint32_t coa, uint16_t lifetime,
                                 uint32_t home_agent, uint64_t ident,
                                 uint8_t flags, int64_t now) {
  gpointer key = GUINT_TO_POINTER(home_addr);
  struct ro_entry *e = ro_cache_peek(c, home_addr, now);
  if (lifetime == 0 || coa == home_addr) {
    if (e) {
      c->stats.deleted++;
      g_hash_table_remove(c->entries, key);
    }
    return NULL;
  }
  if (e) {
    c->stats.updated++;
  } else {
    if (g_hash_table_size(c->entries) >= c->capacity)
      make_room(c, now);
    e = g_new0(struct ro_entry, 1);
    e->home_addr = home_addr;
    e->last_used = now;
    g_hash_table_insert(c->entries, key, e);
    c->stats.inserted++;
  }
  e->coa = coa;
  e->home_agent = home_agent;
  e->ident = ident;
  e->flags = flags;
  e->lifetime = lifetime == 0xffff ? INT64_MAX : (int64_t)lifetime * SIM_S;
  e->expires = lifetime == 0xffff ? INT64_MAX : now + e->lifetime;
  e->refresh_asked = -1;
  return e;
}
