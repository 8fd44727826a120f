/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loader of <fault>: a link or node that goes down and maybe comes
 * back. */
#include "sim/scenario/load.h"

#include "sim/core/fault.h"
#include "sim/core/sim.h"
#include "sim/net/link.h"
#include "sim/net/node.h"

/* A time span during which a link or node is down. */
struct outage {
  int64_t down, up;
  long line;
};

/* The outages so far: "link NAME" or "node NAME" -> GArray of outage. */
struct fault_state {
  GHashTable *outages;
};

static void fault_state_clear(void *state) {
  struct fault_state *st = state;
  g_clear_pointer(&st->outages, g_hash_table_unref);
}

/* Outages of one link or node must not overlap: the second "down" would
 * be a no-op and the first "up" would end both. */
static gboolean add_outage(struct load_ctx *ld, const xmlNode *n,
                           const char *key, int64_t down, int64_t up,
                           GError **error) {
  struct fault_state *st =
      load_state(ld, "fault", sizeof *st, fault_state_clear);
  if (!st->outages)
    st->outages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_array_unref);
  GArray *list = g_hash_table_lookup(st->outages, key);
  if (!list) {
    list = g_array_new(FALSE, FALSE, sizeof(struct outage));
    g_hash_table_insert(st->outages, g_strdup(key), list);
  }
  for (guint i = 0; i < list->len; i++) {
    const struct outage *o = &g_array_index(list, struct outage, i);
    if (down < o->up && o->down < up)
      return load_error(error, ld, n, "overlaps the fault on line %ld",
                        o->line);
  }
  struct outage o = {.down = down, .up = up, .line = xmlGetLineNo(n)};
  g_array_append_val(list, o);
  return TRUE;
}

gboolean fault_load_fault(struct load_ctx *ld, xmlNode *n, GError **error) {
  bool on_link = load_has_attr(n, "link");
  if (!LOAD_NEED(ld, n, error, "down"))
    return FALSE;
  if (on_link == load_has_attr(n, "node"))
    return load_error(error, ld, n, "give either link or node (not both)");
  int64_t duration = ld->sim->duration, down = 0, up = duration;
  if (!load_get_time(ld, n, "down", &down, error) ||
      !load_get_time(ld, n, "up", &up, error))
    return FALSE;
  if (down >= duration)
    return load_error(error, ld, n,
                      "down: at or after the end of the "
                      "scenario");
  if (up > duration)
    return load_error(error, ld, n, "up: after the end of the scenario");
  if (up <= down)
    return load_error(error, ld, n, "up: must be after down");

  struct link *link = NULL;
  struct node *node = NULL;
  if (on_link ? !load_link_ref(ld, n, "link", &link, error)
              : !load_node_ref(ld, n, "node", &node, error))
    return FALSE;
  g_autofree char *key = g_strdup_printf("%s %s", on_link ? "link" : "node",
                                         on_link ? link->name : node->name);
  if (!add_outage(ld, n, key, down, up, error))
    return FALSE;

  bool comes_back = load_has_attr(n, "up");
  if (link) {
    link_fault_at(link, down, false);
    if (comes_back)
      link_fault_at(link, up, true);
  } else {
    node_fault_at(node, down, false);
    if (comes_back)
      node_fault_at(node, up, true);
  }
  return TRUE;
}
