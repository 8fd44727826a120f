/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scenario files: XML validated against scenarios/mipsim.rng, turned into
 * a ready-to-run struct sim. */
#ifndef MIPSIM_SCENARIO_H
#define MIPSIM_SCENARIO_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct sim;

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
 * overrides may be NULL.  Transfer full. */
struct sim *scenario_load(const char *path,
                          const struct scenario_overrides *overrides,
                          GError **error);

/* The schema file: $MIPSIM_SCHEMA_DIR, else the source tree's (when run
 * from a build tree), else the installed one. */
char *scenario_schema_path(void);

#endif
