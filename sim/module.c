/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Support the kernel gives protocol modules: located errors and result
 * tables. */
#include "module.h"

#include "scenario.h"
#include "sim.h"

void module_error(GError **error, const struct module_ctx *ctx,
                  const xmlNode *element, const char *format, ...) {
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_INVALID,
              "%s:%ld: %s: %s", ctx->path, xmlGetLineNo(element),
              (const char *)element->name, message);
}

void sim_add_table(struct sim *sim, const char *name, module_table_fn make,
                   void *ctx) {
  struct sim_table t = {.name = g_strdup(name), .make = make, .ctx = ctx};
  g_array_append_val(sim->tables, t);
}
