/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Handler chains keyed by a number, with an O(1) duplicate check. */
#include "dispatch.h"

struct member {
  uint32_t key;
  dispatch_fn fn;
  void *ctx;
};

static guint member_hash(gconstpointer p) {
  const struct member *m = p;
  return m->key * 0x9e3779b1u ^ g_direct_hash(m->ctx) * 31u ^
         g_direct_hash((gconstpointer)(uintptr_t)m->fn);
}

static gboolean member_equal(gconstpointer a, gconstpointer b) {
  const struct member *x = a, *y = b;
  return x->key == y->key && x->fn == y->fn && x->ctx == y->ctx;
}

static void chain_free(gpointer p) {
  g_array_free(p, TRUE);
}

bool dispatch_add(struct dispatch *d, uint32_t key, dispatch_fn fn,
                  void *ctx) {
  if (!d->chains) {
    d->chains = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                      chain_free);
    d->members = g_hash_table_new_full(member_hash, member_equal, g_free,
                                       NULL);
  }
  struct member probe = {key, fn, ctx};
  d->probes++;
  if (g_hash_table_contains(d->members, &probe))
    return false;
  g_hash_table_add(d->members, g_memdup2(&probe, sizeof probe));
  GArray *chain = g_hash_table_lookup(d->chains, GUINT_TO_POINTER(key));
  if (!chain) {
    chain = g_array_new(FALSE, FALSE, sizeof(struct dispatch_entry));
    g_hash_table_insert(d->chains, GUINT_TO_POINTER(key), chain);
  }
  struct dispatch_entry e = {fn, ctx};
  g_array_append_val(chain, e);
  return true;
}

void dispatch_remove(struct dispatch *d, uint32_t key, dispatch_fn fn,
                     void *ctx) {
  struct member probe = {key, fn, ctx};
  if (!d->members || !g_hash_table_remove(d->members, &probe))
    return;
  GArray *chain = g_hash_table_lookup(d->chains, GUINT_TO_POINTER(key));
  for (guint i = 0; i < chain->len; i++) {
    const struct dispatch_entry *e =
        &g_array_index(chain, struct dispatch_entry, i);
    if (e->fn == fn && e->ctx == ctx) {
      g_array_remove_index(chain, i);
      break;
    }
  }
  if (chain->len == 0)
    g_hash_table_remove(d->chains, GUINT_TO_POINTER(key));
}

const struct dispatch_entry *dispatch_chain(const struct dispatch *d,
                                            uint32_t key, guint *n) {
  GArray *chain =
      d->chains ? g_hash_table_lookup(d->chains, GUINT_TO_POINTER(key)) : NULL;
  *n = chain ? chain->len : 0;
  return chain ? (const struct dispatch_entry *)(void *)chain->data : NULL;
}

void dispatch_clear(struct dispatch *d) {
  g_clear_pointer(&d->chains, g_hash_table_destroy);
  g_clear_pointer(&d->members, g_hash_table_destroy);
}
