/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scenario files: XML validated against scenarios/mipsim.rng, turned into
 * a ready-to-run struct sim. */
#ifndef MIPSIM_SCENARIO_H
#define MIPSIM_SCENARIO_H

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

struct sim;
struct module;

#define MIPSIM_SCENARIO_ERROR (mipsim_scenario_error_quark())
GQuark mipsim_scenario_error_quark(void);
enum {
  MIPSIM_SCENARIO_ERROR_IO,      /* cannot read the file or the schema */
  MIPSIM_SCENARIO_ERROR_SYNTAX,  /* not well-formed XML */
  MIPSIM_SCENARIO_ERROR_SCHEMA,  /* does not match the schema */
  MIPSIM_SCENARIO_ERROR_INVALID, /* bad value, dangling or duplicate name */
};

struct scenario_overrides {
  bool has_seed;
  uint64_t seed;
  uint32_t run;
};

/* Loads and checks path; every error message starts "PATH:LINE: ".
 * modules: the protocol modules that may configure elements, a
 * NULL-terminated list (NULL: none; protocols/registry.h has the
 * build's).  overrides may be NULL.  Transfer full. */
struct sim *scenario_load(const char *path, const struct module *const *modules,
                          const struct scenario_overrides *overrides,
                          GError **error);

/* Validates doc (read from path, which only names it in messages) and
 * builds it: for callers that edit a scenario tree before running it.
 * doc stays the caller's.  Transfer full. */
struct sim *scenario_load_doc(xmlDoc *doc, const char *path,
                              const struct module *const *modules,
                              const struct scenario_overrides *overrides,
                              GError **error);

/* Reads path (a scenario, or a study when its root is <study>) and checks
 * it against the schema;
 * errors start "PATH:LINE: ".  Transfer full (xmlFreeDoc). */
xmlDoc *scenario_read_doc(const char *path, GError **error);

/* The schema file: $MIPSIM_SCHEMA_DIR, else the source tree's (when run
 * from a build tree), else the installed one. */
char *scenario_schema_path(void);

#endif
