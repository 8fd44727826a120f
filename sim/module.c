/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Support the kernel gives protocol modules: located errors and result
 * tables. */
#include "module.h"

#include "addr.h"
#include "units.h"

#include <string.h>

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

char *module_attr(const xmlNode *el, const char *name) {
  xmlChar *v = xmlGetNoNsProp(el, (const xmlChar *)name);
  if (!v)
    return NULL;
  char *s = g_strdup((const char *)v);
  xmlFree(v);
  return s;
}

gboolean module_get_time(const xmlNode *el, const char *name, int64_t *out,
                         const struct module_ctx *ctx, GError **error) {
  g_autofree char *v = module_attr(el, name);
  g_autoptr(GError) err = NULL;
  if (v && !units_parse_time(v, out, &err)) {
    module_error(error, ctx, el, "%s: %s", name, err->message);
    return FALSE;
  }
  if (v && *out <= 0) {
    module_error(error, ctx, el, "%s: must be greater than zero", name);
    return FALSE;
  }
  return TRUE;
}

gboolean module_get_bool(const xmlNode *el, const char *name, bool *out) {
  g_autofree char *v = module_attr(el, name);
  if (v)
    *out = strcmp(v, "true") == 0;
  return TRUE;
}

gboolean module_get_count(const xmlNode *el, const char *name, unsigned *out,
                          const struct module_ctx *ctx, GError **error) {
  g_autofree char *v = module_attr(el, name);
  uint64_t n;
  g_autoptr(GError) err = NULL;
  if (!v)
    return TRUE;
  if (!units_parse_count(v, &n, &err) || n == 0 || n > 100000) {
    module_error(error, ctx, el, "%s: '%s' is not a count from 1 to 100000",
                 name, v);
    return FALSE;
  }
  *out = (unsigned)n;
  return TRUE;
}

gboolean module_get_v4(const xmlNode *el, const char *name, uint32_t *out,
                       bool required, const struct module_ctx *ctx,
                       GError **error) {
  g_autofree char *v = module_attr(el, name);
  if (!v) {
    if (required)
      module_error(error, ctx, el, "%s: missing", name);
    return !required;
  }
  struct ip_addr a;
  g_autoptr(GError) err = NULL;
  if (!addr_parse(v, &a, &err) || a.family != 4) {
    module_error(error, ctx, el, "%s: '%s' is not an IPv4 address", name, v);
    return FALSE;
  }
  *out = a.v4;
  return TRUE;
}
