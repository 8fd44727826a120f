/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Studies: one scenario run over combinations of parameter values and
 * replications, in worker processes, then aggregated into tables, plots
 * and a report. */
#ifndef MIPSIM_STUDY_H
#define MIPSIM_STUDY_H

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

struct module;

#define MIPSIM_STUDY_ERROR (mipsim_study_error_quark())
GQuark mipsim_study_error_quark(void);
enum {
  MIPSIM_STUDY_ERROR_INVALID, /* a bad study file: exit status 2 */
  MIPSIM_STUDY_ERROR_IO,      /* cannot write the results */
};

/* A varied attribute: path is an XPath over the scenario whose element
 * names need no prefix (the loader drops the namespace while it looks). */
struct study_param {
  char *name;
  char *path;
  GPtrArray *values; /* char * */
  long line;
};

/* One plotted metric, "table:column" of a run's flows.tsv (the row of
 * flow), handoffs.tsv (the mean over its rows) or signalling.tsv (the sum
 * over its rows, those of messages only when given). */
struct study_plot {
  char *name, *table, *column, *flow, *x, *lines, *title, *xlabel, *ylabel;
  char **messages; /* signalling.tsv message names; NULL: every message */
  long line;
};

struct study {
  char *path; /* the study file, as given */
  char *name;
  char *scenario;      /* as the study file says */
  char *scenario_path; /* that, relative to the study file's directory */
  uint32_t replications;
  uint64_t seed;
  GPtrArray *params; /* struct study_param */
  /* char ** of params->len values each; NULL keeps the scenario's own. */
  GPtrArray *combos;
  GPtrArray *plots;     /* struct study_plot */
  xmlDoc *scenario_doc; /* NULL when loaded for aggregation only */
  const struct module *const *modules; /* for scenario_load_doc */
};

/* Reads and checks path.  With scenario, also reads the scenario, checks
 * that every path matches attributes and that every combination loads
 * with modules (as scenario_load takes them), which the study's runs
 * use too.  Errors start "PATH:LINE: ".  Transfer full. */
struct study *study_load(const char *path, bool scenario,
                         const struct module *const *modules, GError **error);
void study_free(struct study *study);

static inline guint study_runs(const struct study *s) {
  return s->combos->len * s->replications;
}

/* Run index = combination * replications + replication. */
static inline guint study_combo_of(const struct study *s, guint run) {
  return run / s->replications;
}

/* The scenario seed of a run: a function of the study seed and the run
 * index only, so results do not depend on how runs are scheduled. */
uint64_t study_run_seed(uint64_t study_seed, guint run);

/* Sets every attribute that xpath selects in doc to value; fails when the
 * path is bad or selects nothing, or selects something not an attribute.
 * Returns the number of attributes set, 0 on error. */
guint study_set(xmlDoc *doc, const char *xpath, const char *value,
                GError **error);

/* Runs one run in this process and writes runs_dir/<run>/ (the run tables
 * and run.tsv) through a temporary directory and a rename, so a run
 * directory exists only when complete. */
gboolean study_run_one(const struct study *study, guint run,
                       const char *runs_dir, GError **error);

/* Options and report of study_execute. */
typedef void (*study_progress_fn)(void *ctx, guint done, guint total,
                                  guint failed);
struct study_exec {
  guint jobs;         /* worker processes at once, >= 1 */
  int64_t time_limit; /* per run, ns; 0: none */
  bool resume;        /* skip runs whose directory is complete */
  /* Run only the runs i with i % shards == shard - 1 (1 <= shard <=
   * shards) and touch no other run's files, so that several processes may
   * share one directory; shards 0: every run. */
  guint shard, shards;
  study_progress_fn progress;
  void *ctx;
  guint failed;  /* out: runs that failed */
  guint skipped; /* out: runs kept from an earlier invocation */
};

/* Runs every run of study into dir/runs/ in forked workers.  A run that
 * fails (error, signal, time limit) leaves dir/runs/<run>/FAILED and
 * counts in ex->failed; only a failure to start workers or to write dir
 * is an error. */
gboolean study_execute(const struct study *study, const char *dir,
                       struct study_exec *ex, GError **error);

/* Is run in the shard of ex (always, without sharding)? */
static inline bool study_in_shard(const struct study_exec *ex, guint run) {
  return ex->shards == 0 || run % ex->shards == ex->shard - 1;
}

/* Counts the runs of study that dir/runs/ lacks (no directory: never run,
 * or still running) and those that failed (a directory without
 * summary.tsv).  Returns NULL when every run is complete, else a message
 * naming them (transfer full). */
char *study_incomplete(const struct study *study, const char *dir,
                       guint *missing, guint *failed);

/* Writes dir/summary.tsv, dir/<plot>.dat and .gp, renders the plots with
 * gnuplot when it is installed, and writes dir/report.md, from the runs in
 * dir/runs/.  *note, if set, says how to render the plots by hand when
 * gnuplot is missing (transfer full). */
gboolean study_aggregate(const struct study *study, const char *dir,
                         char **note, GError **error);

#endif
