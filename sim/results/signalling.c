/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signalling counters, kept per (node, message name) in first-sent order
 * so that the table does not depend on hashing. */
#include "sim/results/signalling.h"

#include <glib.h>

#include "sim/core/sim.h"
#include "sim/net/node.h"

struct sig_row {
  uint32_t node;
  char *name;
  uint64_t count, bytes;
};

struct signalling {
  GHashTable *index; /* "node\tname" -> row index + 1 */
  GArray *rows;      /* struct sig_row */
};

static void signalling_free(struct sim *sim);

static const struct sim_subsystem signalling = {.name = "signalling",
                                                .free = signalling_free};

void signalling_count(struct node *node, const char *name, uint32_t bytes) {
  struct sim *sim = node->sim;
  if (!sim->signalling) {
    sim_use(sim, &signalling);
    sim->signalling = g_new0(struct signalling, 1);
    sim->signalling->index =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sim->signalling->rows = g_array_new(FALSE, FALSE, sizeof(struct sig_row));
  }
  struct signalling *s = sim->signalling;
  g_autofree char *key = g_strdup_printf("%u\t%s", node->id, name);
  guint at = GPOINTER_TO_UINT(g_hash_table_lookup(s->index, key));
  if (at == 0) {
    struct sig_row row = {.node = node->id, .name = g_strdup(name)};
    g_array_append_val(s->rows, row);
    at = s->rows->len;
    g_hash_table_insert(s->index, g_steal_pointer(&key), GUINT_TO_POINTER(at));
  }
  struct sig_row *row = &g_array_index(s->rows, struct sig_row, at - 1);
  row->count++;
  row->bytes += bytes;
}

char *signalling_table(const struct sim *sim) {
  if (!sim->signalling)
    return NULL;
  GString *out = g_string_new("node\tmessage\tsent_pkts\tsent_bytes\t"
                              "bytes_per_s\n");
  double secs = (double)sim->sched.now / 1e9;
  GArray *rows = sim->signalling->rows;
  for (guint i = 0; i < rows->len; i++) {
    const struct sig_row *r = &g_array_index(rows, struct sig_row, i);
    const struct node *n = g_ptr_array_index(sim->nodes, r->node);
    g_string_append_printf(
        out, "%s\t%s\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%.3f\n",
        n->name, r->name, r->count, r->bytes,
        secs > 0 ? (double)r->bytes / secs : 0.0);
  }
  return g_string_free(out, FALSE);
}

static void signalling_free(struct sim *sim) {
  struct signalling *s = sim->signalling;
  if (!s)
    return;
  for (guint i = 0; i < s->rows->len; i++)
    g_free(g_array_index(s->rows, struct sig_row, i).name);
  g_array_free(s->rows, TRUE);
  g_hash_table_destroy(s->index);
  g_free(s);
  sim->signalling = NULL;
}
