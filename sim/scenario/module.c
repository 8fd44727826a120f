/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's side of protocol modules: their state in a run and at
 * nodes, their life cycle, located errors and result tables. */
#include "sim/scenario/module.h"

#include <string.h>

#include "sim/core/app.h"
#include "sim/core/sim.h"
#include "sim/net/node.h"
#include "sim/scenario/load.h"
#include "sim/scenario/scenario.h"
#include "sim/wireless/radio.h"

/* One node's state of one module, in the order states were created. */
struct module_instance {
  const struct module *mod;
  struct node *node;
  void *state;
  guint app_pos; /* applications registered before it */
};

struct module_set {
  GPtrArray *mods;       /* const struct module *, by index */
  GHashTable *index;     /* const struct module * -> index + 1 */
  GPtrArray *run_states; /* void *, by index; NULL: none */
  GPtrArray *instances;  /* struct module_instance *, owned */
  guint started;         /* instances started so far */
  bool reported;
};

static void modules_before_app(struct sim *sim, guint n_apps);
static void modules_stop(struct sim *sim);

/* The run starts and stops modules' states through these hooks, so it
 * knows nothing of modules, a concept of the loader's level. */
static const struct sim_subsystem modules = {
    .name = "modules", .before_app = modules_before_app, .stop = modules_stop};

static struct module_set *set_of(struct sim *sim) {
  if (!sim->modules) {
    sim_use(sim, &modules);
    struct module_set *set = g_new0(struct module_set, 1);
    set->mods = g_ptr_array_new();
    set->index = g_hash_table_new(g_direct_hash, g_direct_equal);
    set->run_states = g_ptr_array_new();
    set->instances = g_ptr_array_new_with_free_func(g_free);
    sim->modules = set;
  }
  return sim->modules;
}

/* mod's index + 1 in sim, 0 if unknown. */
static guint index_of(const struct sim *sim, const struct module *mod) {
  return sim->modules
             ? GPOINTER_TO_UINT(g_hash_table_lookup(sim->modules->index, mod))
             : 0;
}

void module_use(struct sim *sim, const struct module *mod) {
  struct module_set *set = set_of(sim);
  if (g_hash_table_contains(set->index, mod))
    return;
  g_ptr_array_add(set->mods, (gpointer)mod);
  g_ptr_array_add(set->run_states, NULL);
  g_hash_table_insert(set->index, (gpointer)mod,
                      GUINT_TO_POINTER(set->mods->len));
}

void *module_node_state(const struct node *node, const struct module *mod) {
  guint i = index_of(node->sim, mod);
  return i && i <= node->n_module_states ? node->module_states[i - 1] : NULL;
}

void *module_run_state(const struct sim *sim, const struct module *mod) {
  guint i = index_of(sim, mod);
  return i ? g_ptr_array_index(sim->modules->run_states, i - 1) : NULL;
}

void *module_node_state_attach(struct node *node, const struct module *mod,
                               bool *created) {
  struct sim *sim = node->sim;
  module_use(sim, mod);
  guint i = index_of(sim, mod);
  void *state = module_node_state(node, mod);
  if (created)
    *created = !state;
  if (state)
    return state;
  if (i > node->n_module_states) {
    guint n = sim->modules->mods->len;
    node->module_states = g_renew(void *, node->module_states, n);
    memset(node->module_states + node->n_module_states, 0,
           (n - node->n_module_states) * sizeof(void *));
    node->n_module_states = n;
  }
  state = g_malloc0(mod->node_state_size ? mod->node_state_size : 1);
  node->module_states[i - 1] = state;
  struct module_instance *inst = g_new(struct module_instance, 1);
  *inst = (struct module_instance){
      .mod = mod, .node = node, .state = state, .app_pos = sim->apps->len};
  g_ptr_array_add(sim->modules->instances, inst);
  return state;
}

void *module_run_state_attach(struct sim *sim, const struct module *mod,
                              bool *created) {
  module_use(sim, mod);
  gpointer *slot =
      &g_ptr_array_index(sim->modules->run_states, index_of(sim, mod) - 1);
  if (created)
    *created = !*slot;
  if (!*slot)
    *slot = g_malloc0(mod->run_state_size ? mod->run_state_size : 1);
  return *slot;
}

static void on_radio(void *ctx, struct iface *iface,
                     G_GNUC_UNUSED struct cell *cell, bool up) {
  struct module_instance *inst = ctx;
  inst->mod->link_change(inst->node->sim, inst->node, inst->state, iface, up);
}

/* Starts the module states created while fewer than n_apps applications
 * were registered (n_apps G_MAXUINT: all the rest), reporting first. */
static void modules_before_app(struct sim *sim, guint n_apps) {
  struct module_set *set = sim->modules;
  if (!set)
    return;
  if (!set->reported) {
    set->reported = true;
    /* One pass over the states, not one per module. */
    g_autofree bool *used = g_new0(bool, set->mods->len);
    for (guint k = 0; k < set->instances->len; k++) {
      const struct module_instance *inst = g_ptr_array_index(set->instances, k);
      used[index_of(sim, inst->mod) - 1] = true;
    }
    for (guint i = 0; i < set->mods->len; i++) {
      const struct module *mod = g_ptr_array_index(set->mods, i);
      if ((used[i] || g_ptr_array_index(set->run_states, i)) && mod->report)
        mod->report(sim);
    }
  }
  for (; set->started < set->instances->len; set->started++) {
    struct module_instance *inst =
        g_ptr_array_index(set->instances, set->started);
    if (inst->app_pos > n_apps)
      break;
    if (inst->mod->link_change)
      radio_listen(inst->node, on_radio, inst);
    if (inst->mod->start)
      inst->mod->start(sim, inst->node, inst->state);
  }
}

/* Stops and frees every state of the run. */
static void modules_stop(struct sim *sim) {
  struct module_set *set = sim->modules;
  if (!set)
    return;
  for (guint k = 0; k < set->instances->len; k++) {
    struct module_instance *inst = g_ptr_array_index(set->instances, k);
    if (inst->mod->stop)
      inst->mod->stop(sim, inst->node, inst->state);
  }
  for (guint k = 0; k < set->instances->len; k++) {
    struct module_instance *inst = g_ptr_array_index(set->instances, k);
    g_free(inst->state);
  }
  for (guint i = 0; i < set->mods->len; i++) {
    const struct module *mod = g_ptr_array_index(set->mods, i);
    void *run_state = g_ptr_array_index(set->run_states, i);
    if (run_state && mod->stop_run)
      mod->stop_run(sim, run_state);
    g_free(run_state);
  }
  g_ptr_array_free(set->instances, TRUE);
  g_ptr_array_free(set->run_states, TRUE);
  g_ptr_array_free(set->mods, TRUE);
  g_hash_table_destroy(set->index);
  g_free(set);
  sim->modules = NULL;
}

void module_error(GError **error, const struct module_ctx *ctx,
                  const xmlNode *element, const char *format, ...) {
  va_list args;
  va_start(args, format);
  load_error_valist(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_INVALID,
                    ctx->path, xmlGetLineNo(element),
                    (const char *)element->name, format, args);
  va_end(args);
}

/* The readers lend the loader's only the file's path. */
#define READER_CTX(ctx) (&(const struct load_ctx){.path = (ctx)->path})

char *module_attr(const xmlNode *el, const char *name) {
  return load_attr(el, name);
}

gboolean module_get_time(const xmlNode *el, const char *name, int64_t *out,
                         const struct module_ctx *ctx, GError **error) {
  return load_get_duration(READER_CTX(ctx), el, name, out, error);
}

gboolean module_get_bool(const xmlNode *el, const char *name, bool *out) {
  load_get_bool(el, name, out);
  return TRUE;
}

gboolean module_get_count(const xmlNode *el, const char *name, unsigned *out,
                          const struct module_ctx *ctx, GError **error) {
  uint64_t n = *out;
  if (!load_get_count(READER_CTX(ctx), el, name, 1, 100000, &n, error))
    return FALSE;
  *out = (unsigned)n;
  return TRUE;
}

gboolean module_get_v4(const xmlNode *el, const char *name, uint32_t *out,
                       bool required, const struct module_ctx *ctx,
                       GError **error) {
  if (required && !load_has_attr(el, name)) {
    module_error(error, ctx, el, "%s: missing", name);
    return FALSE;
  }
  return load_get_v4(READER_CTX(ctx), el, name, out, error);
}

const char *const module_roles[MODULE_N_ROLES + 1] = {
    "mobile-node", "home-agent", "access-router", "correspondent", NULL};

static bool in_list(const char *const *list, const char *name) {
  for (; list && *list; list++)
    if (strcmp(*list, name) == 0)
      return true;
  return false;
}

bool module_takes_part(const struct module *mod, const char *scheme) {
  return scheme && in_list(mod->schemes, scheme);
}

bool module_implements(const struct module *mod, const char *scheme,
                       const char *role) {
  return module_takes_part(mod, scheme) && in_list(mod->roles, role);
}

bool module_is_role(const char *name) {
  return in_list(module_roles, name);
}

static bool named(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE &&
         strcmp((const char *)n->name, name) == 0;
}

xmlNode *module_settings(const xmlNode *role, const struct module *mod) {
  for (xmlNode *c = role->children; mod->settings && c; c = c->next)
    if (named(c, mod->settings))
      return c;
  return NULL;
}

xmlNode *module_role_sa(const xmlNode *role, uint32_t peer) {
  for (xmlNode *c = role->children; c; c = c->next) {
    if (!named(c, "security-association"))
      continue;
    g_autofree char *v = module_attr(c, "peer");
    struct ip_addr a;
    if (v && addr_parse(v, &a, NULL) && a.family == 4 && a.v4 == peer)
      return c;
  }
  return NULL;
}
