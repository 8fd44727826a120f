/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of drop reasons, as they appear in result tables, the registry of
 * modules' reasons and their counters. */
#include "sim/core/drop.h"

#include <stdbool.h>
#include <string.h>

#include "sim/core/sim.h"

static const char *const kernel_names[DROP_KERNEL_COUNT] = {
    [DROP_QUEUE_FULL] = "queue_full",
    [DROP_LINK_DOWN] = "link_down",
    [DROP_LOSS] = "loss",
    [DROP_NODE_DOWN] = "node_down",
    [DROP_NO_ROUTE] = "no_route",
    [DROP_TTL_EXPIRED] = "ttl_expired",
    [DROP_MALFORMED] = "malformed",
    [DROP_BAD_CHECKSUM] = "bad_checksum",
    [DROP_UNREACHABLE] = "unreachable",
    [DROP_FILTERED] = "filtered",
    [DROP_INGRESS_FILTER] = "ingress_filter",
    [DROP_TOO_BIG] = "too_big",
    [DROP_REASSEMBLY] = "reassembly",
    [DROP_NEIGH_UNRESOLVED] = "neigh_unresolved",
    [DROP_NOT_FOR_US] = "not_for_us",
    [DROP_HANDOFF] = "handoff",
};

static bool valid_name(const char *name) {
  if (!name || !*name)
    return false;
  for (const char *c = name; *c; c++)
    if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '_')
      return false;
  for (int r = 0; r < DROP_KERNEL_COUNT; r++)
    if (strcmp(name, kernel_names[r]) == 0)
      return false;
  return true;
}

uint32_t drop_reason_register(struct sim *sim, const char *name) {
  g_return_val_if_fail(valid_name(name), DROP_FILTERED);
  struct drop_registry *r = &sim->drop_reasons;
  if (!r->names) {
    r->names = g_ptr_array_new_with_free_func(g_free);
    r->ids = g_hash_table_new(g_str_hash, g_str_equal);
  }
  gpointer id = g_hash_table_lookup(r->ids, name);
  if (id)
    return GPOINTER_TO_UINT(id) - 1;
  char *copy = g_strdup(name);
  uint32_t n = DROP_KERNEL_COUNT + r->names->len;
  g_ptr_array_add(r->names, copy);
  g_hash_table_insert(r->ids, copy, GUINT_TO_POINTER(n + 1));
  return n;
}

const char *drop_reason_name(const struct sim *sim, uint32_t reason) {
  if (reason < DROP_KERNEL_COUNT)
    return kernel_names[reason];
  const GPtrArray *names = sim->drop_reasons.names;
  if (names && reason - DROP_KERNEL_COUNT < names->len)
    return g_ptr_array_index(names, reason - DROP_KERNEL_COUNT);
  return "unknown";
}

uint32_t drop_reason_count(const struct sim *sim) {
  const GPtrArray *names = sim->drop_reasons.names;
  return DROP_KERNEL_COUNT + (names ? names->len : 0);
}

void drop__registry_free(struct drop_registry *r) {
  g_clear_pointer(&r->ids, g_hash_table_destroy);
  g_clear_pointer(&r->names, g_ptr_array_unref);
}

void drop_counters_add(struct drop_counters *c, uint32_t reason) {
  if (reason >= c->len) {
    uint32_t len = MAX(reason + 1, (uint32_t)DROP_KERNEL_COUNT);
    c->n = g_renew(uint64_t, c->n, len);
    memset(c->n + c->len, 0, (len - c->len) * sizeof *c->n);
    c->len = len;
  }
  c->n[reason]++;
}

uint64_t drop_counters_get(const struct drop_counters *c, uint32_t reason) {
  return reason < c->len ? c->n[reason] : 0;
}

void drop_counters_free(struct drop_counters *c) {
  g_clear_pointer(&c->n, g_free);
  c->len = 0;
}
