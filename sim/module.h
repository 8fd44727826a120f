/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The interface every protocol module implements.  A module owns one XML
 * element, which may appear inside <host> and <router>; the scenario
 * loader hands it that element once all nodes, links and cells exist.  A
 * module's per-node state registers itself as an application of the run
 * (struct app: start at time 0, free at the end), hooks into the IP layer
 * (hooks, protocol and port handlers, ICMP types) and the radios
 * (radio_listen), and may add result tables.  A module may also own an
 * element at the top of a scenario, for settings of the whole run.  The kernel never includes a
 * module's headers. */
#ifndef MIPSIM_MODULE_H
#define MIPSIM_MODULE_H

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

struct sim;
struct node;

/* What the loader lends a module while it configures a node. */
struct module_ctx {
  const char *path; /* the scenario file, for error messages */
};

struct module {
  const char *name;  /* the XML element it owns, e.g. "mobile-ip" */
  /* Configure node from element.  Errors are reported with
   * module_error() so that they name file, line and element.  Called in
   * document order, after the whole topology exists. */
  gboolean (*configure)(struct sim *sim, struct node *node, xmlNode *element,
                        const struct module_ctx *ctx, GError **error);
  /* The same element at the top of a scenario (scenario-wide settings),
   * configured before any node; NULL: allowed only inside nodes. */
  gboolean (*configure_scenario)(struct sim *sim, xmlNode *element,
                                 const struct module_ctx *ctx,
                                 GError **error);
};

/* The registry (protocols/registry.c): NULL when no module owns name. */
const struct module *module_find(const char *name);

/* Sets error to "PATH:LINE: element: message". */
void module_error(GError **error, const struct module_ctx *ctx,
                  const xmlNode *element, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

/* Attribute readers for modules' elements, with the loader's units and
 * address syntax.  An absent attribute leaves *out alone and succeeds
 * (module_get_v4 with required fails); errors name file, line, element
 * and attribute. */
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

/* Result tables a module adds: make() returns the whole TSV text (header
 * row first), written as DIR/name at the end of the run. */
typedef char *(*module_table_fn)(const struct sim *sim, void *ctx);
void sim_add_table(struct sim *sim, const char *name, module_table_fn make,
                   void *ctx);

#endif
