/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Handler chains keyed by a number, with an O(1) duplicate check. */
#include "sim/core/dispatch.h"

#include <string.h>

static guint member_hash(gconstpointer p) {
  const struct dispatch_entry *m = p;
  return m->key * 0x9e3779b1u ^ g_direct_hash(m->ctx) * 31u ^
         g_direct_hash((gconstpointer)(uintptr_t)m->fn);
}

static gboolean member_equal(gconstpointer a, gconstpointer b) {
  const struct dispatch_entry *x = a, *y = b;
  return x->key == y->key && x->fn == y->fn && x->ctx == y->ctx;
}

static void chain_free(gpointer p) {
  g_array_free(p, TRUE);
}

static bool large_add(struct dispatch *d, const struct dispatch_entry *e) {
  d->probes++;
  if (g_hash_table_contains(d->big->members, e))
    return false;
  g_hash_table_add(d->big->members, g_memdup2(e, sizeof *e));
  GArray *chain = g_hash_table_lookup(d->big->chains, GUINT_TO_POINTER(e->key));
  if (!chain) {
    chain = g_array_new(FALSE, FALSE, sizeof(struct dispatch_entry));
    g_hash_table_insert(d->big->chains, GUINT_TO_POINTER(e->key), chain);
  }
  g_array_append_vals(chain, e, 1);
  return true;
}

/* The small array is full: every entry moves to the chains, in order. */
static void grow(struct dispatch *d) {
  d->big = g_new(struct dispatch_big, 1);
  d->big->chains =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, chain_free);
  d->big->members =
      g_hash_table_new_full(member_hash, member_equal, g_free, NULL);
  for (uint32_t i = 0; i < d->n_small; i++)
    large_add(d, &d->small[i]);
  g_clear_pointer(&d->small, g_free);
  d->n_small = 0;
}

bool dispatch_add(struct dispatch *d, uint32_t key, dispatch_fn fn, void *ctx) {
  struct dispatch_entry e = {key, fn, ctx};
  if (!d->big && d->n_small == DISPATCH_SMALL)
    grow(d);
  if (d->big)
    return large_add(d, &e);
  uint32_t at = d->n_small;
  for (uint32_t i = 0; i < d->n_small; i++) {
    d->probes++;
    if (member_equal(&d->small[i], &e))
      return false;
    if (d->small[i].key > key && at == d->n_small)
      at = i;
  }
  d->small = g_renew(struct dispatch_entry, d->small, d->n_small + 1);
  memmove(d->small + at + 1, d->small + at,
          (d->n_small - at) * sizeof *d->small);
  d->small[at] = e;
  d->n_small++;
  return true;
}

void dispatch_remove(struct dispatch *d, uint32_t key, dispatch_fn fn,
                     void *ctx) {
  struct dispatch_entry probe = {key, fn, ctx};
  if (!d->big) {
    for (uint32_t i = 0; i < d->n_small; i++) {
      if (member_equal(&d->small[i], &probe)) {
        memmove(d->small + i, d->small + i + 1,
                (d->n_small - i - 1) * sizeof *d->small);
        d->n_small--;
        return;
      }
    }
    return;
  }
  if (!g_hash_table_remove(d->big->members, &probe))
    return;
  GArray *a = g_hash_table_lookup(d->big->chains, GUINT_TO_POINTER(key));
  for (guint i = 0; i < a->len; i++) {
    if (member_equal(&g_array_index(a, struct dispatch_entry, i), &probe)) {
      g_array_remove_index(a, i);
      break;
    }
  }
  if (a->len == 0)
    g_hash_table_remove(d->big->chains, GUINT_TO_POINTER(key));
}

const struct dispatch_entry *dispatch_chain(const struct dispatch *d,
                                            uint32_t key, guint *n) {
  *n = 0;
  if (d->big) {
    GArray *chain = g_hash_table_lookup(d->big->chains, GUINT_TO_POINTER(key));
    if (!chain)
      return NULL;
    *n = chain->len;
    return (const struct dispatch_entry *)(void *)chain->data;
  }
  const struct dispatch_entry *s = d->small;
  guint i = 0, len = d->n_small;
  while (i < len && s[i].key < key)
    i++;
  guint j = i;
  while (j < len && s[j].key == key)
    j++;
  *n = j - i;
  return *n ? s + i : NULL;
}

void dispatch_clear(struct dispatch *d) {
  g_clear_pointer(&d->small, g_free);
  d->n_small = 0;
  if (d->big) {
    g_hash_table_destroy(d->big->chains);
    g_hash_table_destroy(d->big->members);
    g_clear_pointer(&d->big, g_free);
  }
}
