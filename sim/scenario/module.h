/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The interface every protocol module implements, and the kernel's side of
 * it: one constant struct module per module, per-node and per-run state
 * that the kernel allocates and frees, and support for configuring.  The
 * kernel never includes a module's headers. */
#ifndef MIPSIM_MODULE_H
#define MIPSIM_MODULE_H

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim;
struct node;
struct iface;

/* What the loader lends a module while it configures a node. */
struct module_ctx {
  const char *path;   /* the scenario file, for error messages */
  const char *scheme; /* <mobility scheme>, or NULL when there is none */
};

/* The scheme-neutral roles a node may have, as elements inside <host> and
 * <router>: <mobile-node>, <home-agent>, <access-router> and
 * <correspondent>, NULL-terminated.  Each holds <security-association>
 * children, found by peer address with module_role_sa(). */
#define MODULE_N_ROLES 4
extern const char *const module_roles[MODULE_N_ROLES + 1];

/* A protocol module, in the spirit of BIRD's struct protocol.  Its life
 * in a run:
 *
 * 1. configure_scenario, for each of its elements at the top of the
 *    scenario, in document order, before any node exists beyond names.
 * 2. configure, for each of its elements inside a <host> or <router>, in
 *    document order (node by node, then element by element), once every
 *    node, link, cell, route and kernel service exists.
 * 3. report, once when the run starts, for every module that has state in
 *    the run: it adds its result tables (sim_add_table).
 * 4. start, once per node that has the module's state, at time 0, in the
 *    order the states were created; applications registered before a
 *    state start before it, those registered after it after it.
 * 5. link_change, while the run goes, when a radio of a node with the
 *    module's state attaches to or detaches from a cell.
 * 6. stop, once per node state, then stop_run once if the module has run
 *    state, when the run is freed: whether or not the run started or
 *    even finished loading (a later element may have failed), so both
 *    must cope with state that configure left half filled.
 *
 * State: module_node_state_attach() gives a node's state, allocated
 * zeroed (node_state_size bytes) the first time; module_run_state_attach()
 * likewise once per run (run_state_size).  The kernel frees both blocks
 * after stop and stop_run; the hooks free what the blocks point to.  A
 * module may attach state to a node it has no element on (an extension
 * of another module does so through that module's API).  Finding state is
 * O(1): every module of a run has a small index, and nodes and the run
 * keep an array of state pointers by that index.
 *
 * Every hook but configure may be NULL. */
struct module {
  const char *name; /* e.g. "mip4" */
  /* The XML elements it owns, NULL-terminated (NULL: none): inside
   * <host> and <router>, and at the top of a scenario if
   * configure_scenario is set. */
  const char *const *elements;
  /* The mobility schemes (<mobility scheme="...">) it takes part in and
   * the roles (of module_roles) it implements under them, both
   * NULL-terminated (NULL: none).  The loader hands each role element to
   * every module that implements it under the scenario's scheme, in the
   * registry's order (a protocol before its extensions). */
  const char *const *schemes;
  const char *const *roles;
  /* The child element of a role that holds this module's settings (e.g.
   * "mip4"); NULL: none.  Ignored under a scheme it takes no part in, so
   * that one scenario may carry the settings of every scheme a study
   * sweeps. */
  const char *settings;
  size_t node_state_size;
  size_t run_state_size;
  /* Configure node from element (a role or one of elements:
   * element->name says which).  Errors are reported with module_error() so that
   * they name file, line and element. */
  gboolean (*configure)(struct sim *sim, struct node *node, xmlNode *element,
                        const struct module_ctx *ctx, GError **error);
  /* The same elements at the top of a scenario (scenario-wide settings);
   * NULL: allowed only inside nodes. */
  gboolean (*configure_scenario)(struct sim *sim, xmlNode *element,
                                 const struct module_ctx *ctx, GError **error);
  void (*report)(struct sim *sim);
  void (*start)(struct sim *sim, struct node *node, void *state);
  /* iface (a radio of node) attached to a cell (up) or left it.  Wired
   * links going up or down are not reported yet: link.c tells no one. */
  void (*link_change)(struct sim *sim, struct node *node, void *state,
                      struct iface *iface, bool up);
  void (*stop)(struct sim *sim, struct node *node, void *state);
  void (*stop_run)(struct sim *sim, void *run_state);
};

/* mod's state at node (or in the run); NULL if it has none.  O(1). */
void *module_node_state(const struct node *node, const struct module *mod);
void *module_run_state(const struct sim *sim, const struct module *mod);
/* The same, allocated zeroed the first time; *created (may be NULL) says
 * whether it was. */
void *module_node_state_attach(struct node *node, const struct module *mod,
                               bool *created);
void *module_run_state_attach(struct sim *sim, const struct module *mod,
                              bool *created);

/* Gives mod its index in sim (the loader does so for the registry, in
 * its order; attaching state does so for a module not yet known). */
void module_use(struct sim *sim, const struct module *mod);

/* Whether mod takes part in scheme, and implements role under it. */
bool module_takes_part(const struct module *mod, const char *scheme);
bool module_implements(const struct module *mod, const char *scheme,
                       const char *role);
/* Whether name is one of module_roles. */
bool module_is_role(const char *name);
/* mod's settings child of role (see settings), or NULL. */
xmlNode *module_settings(const xmlNode *role, const struct module *mod);
/* The <security-association> child of role whose peer attribute is
 * peer, or NULL.  The loader has checked that peers differ. */
xmlNode *module_role_sa(const xmlNode *role, uint32_t peer);

/* Sets error to "PATH:LINE: element: message" (load_error's format). */
void module_error(GError **error, const struct module_ctx *ctx,
                  const xmlNode *element, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

/* Attribute readers for modules' elements: sim/scenario/load.h's load_attr,
 * load_get_duration, load_get_bool, load_get_count (1 to 100000) and
 * load_get_v4 for a module_ctx.  An absent attribute leaves *out alone
 * and succeeds (module_get_v4 with required fails); errors name file,
 * line, element and attribute. */
char *module_attr(const xmlNode *el, const char *name); /* or NULL */
/* A time greater than zero ("10ms"). */
gboolean module_get_time(const xmlNode *el, const char *name, int64_t *out,
                         const struct module_ctx *ctx, GError **error);
/* "true" or "false" (the schema checks which). */
gboolean module_get_bool(const xmlNode *el, const char *name, bool *out);
/* A count from 1 to 100000. */
gboolean module_get_count(const xmlNode *el, const char *name, unsigned *out,
                          const struct module_ctx *ctx, GError **error);
gboolean module_get_v4(const xmlNode *el, const char *name, uint32_t *out,
                       bool required, const struct module_ctx *ctx,
                       GError **error);

#endif
