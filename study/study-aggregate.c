/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Aggregating a study's runs: summary.tsv, plot data, gnuplot scripts and
 * the report.  Every output depends only on the run tables, never on the
 * time or on how the runs were scheduled. */
#include "study/study.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/results/results.h"
#include "study/study-stats.h"

/* A table as rows of cells, the header row first. */
static GPtrArray *read_tsv(const char *path) {
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++)
    if (**l)
      g_ptr_array_add(rows, g_strsplit(*l, "\t", -1));
  return rows;
}

static bool number(const char *text, double *v) {
  char *end = NULL;
  *v = g_ascii_strtod(text, &end);
  return end != text && *end == '\0' && isfinite(*v);
}

/* The metrics of all runs: names in order of first appearance, and per
 * run a name -> double table (absent: the run has no such value). */
struct metrics {
  GPtrArray *names;
  GHashTable *known;
  GPtrArray *runs; /* GHashTable *, NULL for a run that did not complete */
};

static void put(struct metrics *m, GHashTable *run, const char *name,
                double v) {
  if (!g_hash_table_contains(m->known, name)) {
    char *copy = g_strdup(name);
    g_ptr_array_add(m->names, copy);
    g_hash_table_add(m->known, copy);
  }
  double *p = g_new(double, 1);
  *p = v;
  g_hash_table_insert(run, g_strdup(name), p);
}

static int column_of(char **head, const char *name) {
  for (guint c = 0; head[c]; c++)
    if (strcmp(head[c], name) == 0)
      return (int)c;
  return -1;
}

static bool listed(char **names, const char *name) {
  for (; *names; names++)
    if (strcmp(*names, name) == 0)
      return true;
  return false;
}

/* The sum of column over the rows of signalling.tsv (those of the message
 * types in messages, unless NULL).  A run writes the table only once a
 * node sends something, so no table, like no row, is a sum of zero; NAN
 * when the table has no such column. */
static double signalling_sum(GPtrArray *t, const char *column,
                             char **messages) {
  if (!t || t->len == 0)
    return 0;
  char **head = g_ptr_array_index(t, 0);
  int col = column_of(head, column), msg = column_of(head, "message");
  if (col < 0 || msg < 0)
    return NAN;
  double sum = 0, v;
  for (guint r = 1; r < t->len; r++) {
    char **row = g_ptr_array_index(t, r);
    guint len = g_strv_length(row);
    if ((guint)msg >= len || (messages && !listed(messages, row[msg])))
      continue;
    if ((guint)col < len && number(row[col], &v))
      sum += v;
  }
  return sum;
}

/* Adds v to the run's metric name (0 until then). */
static void add(struct metrics *m, GHashTable *run, const char *name,
                double v) {
  double *p = g_hash_table_lookup(run, name);
  if (p)
    *p += v;
  else
    put(m, run, name, v);
}

/* Every numeric column of signalling.tsv summed over the run
 * (signalling.COLUMN) and over each message type's rows, whatever the
 * node (signalling.MESSAGE.COLUMN), in the table's order. */
static void read_signalling(GPtrArray *t, struct metrics *m, GHashTable *run) {
  if (!t || t->len == 0)
    return;
  char **head = g_ptr_array_index(t, 0);
  int msg = column_of(head, "message");
  if (msg < 0)
    return;
  for (guint c = (guint)msg + 1; head[c]; c++) {
    g_autofree char *name = g_strdup_printf("signalling.%s", head[c]);
    add(m, run, name, 0);
  }
  for (guint r = 1; r < t->len; r++) {
    char **row = g_ptr_array_index(t, r);
    guint len = g_strv_length(row);
    double v;
    for (guint c = (guint)msg + 1; (guint)msg < len && head[c]; c++) {
      if (c >= len || !number(row[c], &v))
        continue;
      g_autofree char *all = g_strdup_printf("signalling.%s", head[c]);
      g_autofree char *one =
          g_strdup_printf("signalling.%s.%s", row[msg], head[c]);
      add(m, run, all, v);
      add(m, run, one, v);
    }
  }
}

static void read_run(const struct study *s, const char *rd, struct metrics *m,
                     GHashTable *run) {
  g_autofree char *fp = g_build_filename(rd, "flows.tsv", NULL);
  g_autofree char *hp = g_build_filename(rd, "handoffs.tsv", NULL);
  g_autofree char *sp = g_build_filename(rd, "signalling.tsv", NULL);
  GPtrArray *flows = read_tsv(fp), *handoffs = read_tsv(hp),
            *signalling = read_tsv(sp);
  /* The plots' metrics first, named after their plots. */
  for (guint p = 0; p < s->plots->len; p++) {
    const struct study_plot *pl = g_ptr_array_index(s->plots, p);
    if (strcmp(pl->table, "signalling.tsv") == 0) {
      double sum = signalling_sum(signalling, pl->column, pl->messages);
      if (!isnan(sum))
        put(m, run, pl->name, sum);
      continue;
    }
    GPtrArray *t = pl->flow ? flows : handoffs;
    if (!t || t->len == 0)
      continue;
    char **head = g_ptr_array_index(t, 0);
    guint col = g_strv_length(head);
    for (guint c = 0; head[c]; c++)
      if (strcmp(head[c], pl->column) == 0)
        col = c;
    double sum = 0, v;
    guint n = 0;
    for (guint r = 1; r < t->len; r++) {
      char **row = g_ptr_array_index(t, r);
      if (pl->flow && strcmp(row[0], pl->flow) != 0)
        continue;
      if (col < g_strv_length(row) && number(row[col], &v)) {
        sum += v;
        n++;
      }
    }
    if (n)
      put(m, run, pl->name, sum / n);
  }
  if (flows && flows->len > 0) {
    char **head = g_ptr_array_index(flows, 0);
    for (guint r = 1; r < flows->len; r++) {
      char **row = g_ptr_array_index(flows, r);
      for (guint c = 1; head[c] && row[c]; c++) {
        double v;
        if (!number(row[c], &v))
          continue;
        g_autofree char *name = g_strdup_printf("flows.%s.%s", row[0], head[c]);
        put(m, run, name, v);
      }
    }
  }
  if (handoffs && handoffs->len > 1) {
    char **head = g_ptr_array_index(handoffs, 0);
    for (guint c = 0; head[c]; c++) {
      double sum = 0, v;
      guint n = 0;
      for (guint r = 1; r < handoffs->len; r++) {
        char **row = g_ptr_array_index(handoffs, r);
        if (c < g_strv_length(row) && number(row[c], &v)) {
          sum += v;
          n++;
        }
      }
      if (n) {
        g_autofree char *name = g_strdup_printf("handoffs.%s", head[c]);
        put(m, run, name, sum / n);
      }
    }
  }
  read_signalling(signalling, m, run);
  if (flows)
    g_ptr_array_unref(flows);
  if (handoffs)
    g_ptr_array_unref(handoffs);
  if (signalling)
    g_ptr_array_unref(signalling);
}

/* A run that did not complete is NULL in m->runs. */
static void table_unref(void *t) {
  if (t)
    g_hash_table_unref(t);
}

static void metrics_read(const struct study *s, const char *dir,
                         struct metrics *m) {
  m->names = g_ptr_array_new_with_free_func(g_free);
  m->known = g_hash_table_new(g_str_hash, g_str_equal);
  m->runs = g_ptr_array_new_with_free_func(table_unref);
  for (guint run = 0; run < study_runs(s); run++) {
    g_autofree char *rd = g_strdup_printf("%s/runs/%u", dir, run);
    g_autofree char *summary = g_build_filename(rd, "summary.tsv", NULL);
    GHashTable *t = NULL;
    if (g_file_test(summary, G_FILE_TEST_EXISTS)) {
      t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
      read_run(s, rd, m, t);
    }
    g_ptr_array_add(m->runs, t);
  }
  /* A message a completed run did not send counts zero, not missing. */
  for (guint run = 0; run < m->runs->len; run++) {
    GHashTable *t = g_ptr_array_index(m->runs, run);
    for (guint k = 0; t && k < m->names->len; k++) {
      const char *name = g_ptr_array_index(m->names, k);
      if (g_str_has_prefix(name, "signalling.") &&
          !g_hash_table_contains(t, name))
        put(m, t, name, 0);
    }
  }
}

static void metrics_clear(struct metrics *m) {
  g_ptr_array_unref(m->runs);
  g_hash_table_unref(m->known);
  g_ptr_array_unref(m->names);
}

/* Statistics of metric over the completed runs of the combinations that
 * match: param x (index) = xv, and lines (index, or -1) = lv. */
static struct stats pooled(const struct study *s, const struct metrics *m,
                           const char *metric, int xi, const char *xv, int li,
                           const char *lv, int combo) {
  GArray *vals = g_array_new(FALSE, FALSE, sizeof(double));
  for (guint run = 0; run < m->runs->len; run++) {
    GHashTable *t = g_ptr_array_index(m->runs, run);
    guint c = study_combo_of(s, run);
    char **v = g_ptr_array_index(s->combos, c);
    if (!t || (combo >= 0 && c != (guint)combo) ||
        (xi >= 0 && g_strcmp0(v[xi], xv) != 0) ||
        (li >= 0 && g_strcmp0(v[li], lv) != 0))
      continue;
    const double *p = g_hash_table_lookup(t, metric);
    double x = p ? *p : NAN;
    g_array_append_val(vals, x);
  }
  struct stats st = stats_of((double *)vals->data, vals->len);
  g_array_unref(vals);
  return st;
}

static void num(GString *s, double v) {
  if (isnan(v))
    g_string_append(s, "\t-");
  else
    g_string_append_printf(s, "\t%.6f", v);
}

static guint completed(const struct study *s, const struct metrics *m,
                       guint combo) {
  guint n = 0;
  for (guint r = 0; r < s->replications; r++)
    n += g_ptr_array_index(m->runs, combo * s->replications + r) != NULL;
  return n;
}

static char *summary_table(const struct study *s, const struct metrics *m) {
  GString *t = g_string_new("combination");
  for (guint i = 0; i < s->params->len; i++)
    g_string_append_printf(
        t, "\t%s",
        ((struct study_param *)g_ptr_array_index(s->params, i))->name);
  g_string_append(t, "\treplications\tfailed");
  for (guint k = 0; k < m->names->len; k++) {
    const char *n = g_ptr_array_index(m->names, k);
    g_string_append_printf(t, "\t%s_mean\t%s_sd\t%s_ci95", n, n, n);
  }
  g_string_append_c(t, '\n');
  for (guint c = 0; c < s->combos->len; c++) {
    char **v = g_ptr_array_index(s->combos, c);
    g_string_append_printf(t, "%u", c);
    for (guint i = 0; i < s->params->len; i++)
      g_string_append_printf(t, "\t%s", v[i] ? v[i] : "-");
    guint ok = completed(s, m, c);
    g_string_append_printf(t, "\t%u\t%u", ok, s->replications - ok);
    for (guint k = 0; k < m->names->len; k++) {
      struct stats st = pooled(s, m, g_ptr_array_index(m->names, k), -1, NULL,
                               -1, NULL, (int)c);
      num(t, st.mean);
      num(t, st.sd);
      num(t, st.ci95);
    }
    g_string_append_c(t, '\n');
  }
  return g_string_free(t, FALSE);
}

static int param_index(const struct study *s, const char *name) {
  for (guint i = 0; name && i < s->params->len; i++)
    if (strcmp(((struct study_param *)g_ptr_array_index(s->params, i))->name,
               name) == 0)
      return (int)i;
  return -1;
}

/* The unit of a quantity as plotted: "5ms" -> "ms"; NULL when the values
 * are not all numbers with one unit, and then x is the value's rank. */
static const char *x_unit(const struct study_param *p) {
  const char *unit = NULL;
  for (guint i = 0; i < p->values->len; i++) {
    const char *v = g_ptr_array_index(p->values, i);
    char *end = NULL;
    g_ascii_strtod(v, &end);
    if (end == v || (unit && strcmp(unit, end) != 0))
      return NULL;
    unit = end;
  }
  return unit;
}

/* "delay_mean_ms" -> "delay mean (ms)": the unit suffix of result columns
 * as an axis unit. */
static char *column_label(const char *column) {
  static const char *const units[] = {"ms", "s", "bps", "bytes", "pkts"};
  g_autofree char *words = g_strdup(column);
  g_strdelimit(words, "_", ' ');
  if (g_str_has_suffix(words, " per s")) /* "bytes_per_s": a rate */
    return g_strdup_printf("%.*s per second",
                           (int)(strlen(words) - strlen(" per s")), words);
  for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
    g_autofree char *suffix = g_strconcat(" ", units[i], NULL);
    if (g_str_has_suffix(words, suffix)) {
      words[strlen(words) - strlen(suffix)] = '\0';
      return g_strdup_printf("%s (%s)", words, units[i]);
    }
  }
  return g_steal_pointer(&words);
}

/* gnuplot strings in double quotes: escape what would end or break one. */
static char *gp_quote(const char *text) {
  GString *s = g_string_new("\"");
  for (const char *p = text; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c(s, '\\');
    g_string_append_c(s, *p);
  }
  g_string_append_c(s, '"');
  return g_string_free(s, FALSE);
}

static gboolean write_plot(const struct study *s, const struct metrics *m,
                           const struct study_plot *pl, const char *dir,
                           GError **error) {
  int xi = param_index(s, pl->x), li = param_index(s, pl->lines);
  const struct study_param *xp = g_ptr_array_index(s->params, xi);
  const struct study_param *lp =
      li >= 0 ? g_ptr_array_index(s->params, li) : NULL;
  const char *unit = x_unit(xp);
  guint nlines = lp ? lp->values->len : 1;
  GString *dat = g_string_new("# x\tlabel");
  for (guint l = 0; l < nlines; l++) {
    const char *lv = lp ? g_ptr_array_index(lp->values, l) : "all";
    g_string_append_printf(dat, "\t%s_mean\t%s_ci95", lv, lv);
  }
  g_string_append_c(dat, '\n');
  for (guint x = 0; x < xp->values->len; x++) {
    const char *xv = g_ptr_array_index(xp->values, x);
    if (unit)
      g_string_append_len(dat, xv, (gssize)(strlen(xv) - strlen(unit)));
    else
      g_string_append_printf(dat, "%u", x);
    g_string_append_printf(dat, "\t%s", xv);
    for (guint l = 0; l < nlines; l++) {
      struct stats st =
          pooled(s, m, pl->name, xi, xv, li,
                 lp ? g_ptr_array_index(lp->values, l) : NULL, -1);
      num(dat, st.mean);
      num(dat, st.n >= 2 ? st.ci95 : (st.n == 1 ? 0.0 : NAN));
    }
    g_string_append_c(dat, '\n');
  }
  g_autofree char *dat_name = g_strconcat(pl->name, ".dat", NULL);
  gboolean ok = results_write_file(dir, dat_name, dat->str, dat->len, error);
  g_string_free(dat, TRUE);
  if (!ok)
    return FALSE;

  g_autofree char *xlabel = pl->xlabel ? g_strdup(pl->xlabel)
                            : unit && *unit
                                ? g_strdup_printf("%s (%s)", pl->x, unit)
                                : g_strdup(pl->x);
  g_autofree char *ylabel =
      pl->ylabel ? g_strdup(pl->ylabel) : column_label(pl->column);
  g_autofree char *which = pl->messages ? g_strjoinv(", ", pl->messages) : NULL;
  g_autofree char *title =
      pl->title  ? g_strdup(pl->title)
      : pl->flow ? g_strdup_printf("%s of %s", pl->column, pl->flow)
      : strcmp(pl->table, "signalling.tsv") == 0
          ? g_strdup_printf("signalling %s%s%s%s", pl->column,
                            which ? " (" : "", which ? which : "",
                            which ? ")" : "")
          : g_strdup_printf("handoff %s", pl->column);
  g_autofree char *qt = gp_quote(title), *qx = gp_quote(xlabel),
                  *qy = gp_quote(ylabel), *qd = gp_quote(dat_name);
  GString *gp = g_string_new(NULL);
  g_string_append_printf(
      gp,
      "# %s: the mean of each point with its 95%% confidence interval.\n"
      "# Re-render with: gnuplot %s.gp (in this directory).\n"
      "set datafile separator \"\\t\"\n"
      "set datafile missing \"-\"\n"
      "set title %s noenhanced\n"
      "set xlabel %s noenhanced\n"
      "set ylabel %s noenhanced\n"
      "set key outside right top noenhanced\n"
      "set grid\n"
      "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n",
      pl->name, pl->name, qt, qx, qy);
  GString *plot = g_string_new("plot ");
  for (guint l = 0; l < nlines; l++) {
    const char *lv = lp ? g_ptr_array_index(lp->values, l) : "all";
    g_autofree char *label =
        lp ? g_strdup_printf("%s=%s", lp->name, lv) : g_strdup(pl->name);
    g_autofree char *ql = gp_quote(label);
    g_string_append_printf(plot,
                           "%s%s using 1:%u:%u%s with yerrorlines "
                           "title %s",
                           l ? ", \\\n     " : "", l ? "''" : qd, 3 + 2 * l,
                           4 + 2 * l, unit ? "" : ":xtic(2)", ql);
  }
  g_string_append_printf(gp,
                         "set terminal pngcairo size 800,500\n"
                         "set output \"%s.png\"\n%s\n"
                         "set terminal svg size 800,500\n"
                         "set output \"%s.svg\"\nreplot\n"
                         "unset output\n",
                         pl->name, plot->str, pl->name);
  g_string_free(plot, TRUE);
  g_autofree char *gp_name = g_strconcat(pl->name, ".gp", NULL);
  ok = results_write_file(dir, gp_name, gp->str, gp->len, error);
  g_string_free(gp, TRUE);
  return ok;
}

static gboolean render(const char *dir, const char *gp_name, GError **error) {
  g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
  char *argv[] = {gnuplot, (char *)gp_name, NULL};
  g_autofree char *err = NULL;
  int status = 0;
  if (!g_spawn_sync(dir, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                    NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, NULL)) {
    g_set_error(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_IO,
                "gnuplot %s/%s failed: %s", dir, gp_name, g_strchomp(err));
    return FALSE;
  }
  return TRUE;
}

static char *report(const struct study *s, const struct metrics *m,
                    guint failed) {
  GString *r = g_string_new(NULL);
  g_string_append_printf(r,
                         "# Study %s\n\nScenario `%s`, %u combinations x "
                         "%u replications = %u runs (%u failed), study "
                         "seed %" G_GUINT64_FORMAT ".\n\n## Parameters\n\n"
                         "| name | path | values |\n|---|---|---|\n",
                         s->name, s->scenario, s->combos->len, s->replications,
                         study_runs(s), failed, s->seed);
  for (guint i = 0; i < s->params->len; i++) {
    const struct study_param *p = g_ptr_array_index(s->params, i);
    g_string_append_printf(r, "| %s | `%s` |", p->name, p->path);
    for (guint k = 0; k < p->values->len; k++)
      g_string_append_printf(r, " %s", (char *)g_ptr_array_index(p->values, k));
    g_string_append(r, " |\n");
  }
  g_string_append(r, "\n## Summary\n\nMean ± 95% confidence half-width "
                     "(Student's t) over the replications; every metric is "
                     "in `summary.tsv`.\n\n| combination |");
  for (guint i = 0; i < s->params->len; i++)
    g_string_append_printf(
        r, " %s |",
        ((struct study_param *)g_ptr_array_index(s->params, i))->name);
  g_string_append(r, " runs |");
  for (guint p = 0; p < s->plots->len; p++)
    g_string_append_printf(
        r, " %s |",
        ((struct study_plot *)g_ptr_array_index(s->plots, p))->name);
  g_string_append(r, "\n|");
  for (guint i = 0; i < s->params->len + s->plots->len + 2; i++)
    g_string_append(r, "---|");
  g_string_append_c(r, '\n');
  for (guint c = 0; c < s->combos->len; c++) {
    char **v = g_ptr_array_index(s->combos, c);
    g_string_append_printf(r, "| %u |", c);
    for (guint i = 0; i < s->params->len; i++)
      g_string_append_printf(r, " %s |", v[i] ? v[i] : "-");
    g_string_append_printf(r, " %u |", completed(s, m, c));
    for (guint p = 0; p < s->plots->len; p++) {
      const struct study_plot *pl = g_ptr_array_index(s->plots, p);
      struct stats st = pooled(s, m, pl->name, -1, NULL, -1, NULL, (int)c);
      if (isnan(st.mean))
        g_string_append(r, " - |");
      else if (isnan(st.ci95))
        g_string_append_printf(r, " %.4f |", st.mean);
      else
        g_string_append_printf(r, " %.4f ± %.4f |", st.mean, st.ci95);
    }
    g_string_append_c(r, '\n');
  }
  if (s->plots->len)
    g_string_append(r, "\n## Plots\n");
  for (guint p = 0; p < s->plots->len; p++) {
    const struct study_plot *pl = g_ptr_array_index(s->plots, p);
    g_string_append_printf(r,
                           "\n![%s](%s.png)\n\nData `%s.dat`, script "
                           "`%s.gp`, vector `%s.svg`.\n",
                           pl->title ? pl->title : pl->name, pl->name, pl->name,
                           pl->name, pl->name);
  }
  return g_string_free(r, FALSE);
}

gboolean study_aggregate(const struct study *study, const char *dir,
                         char **note, GError **error) {
  struct metrics m;
  metrics_read(study, dir, &m);
  guint failed = 0;
  for (guint r = 0; r < m.runs->len; r++)
    failed += g_ptr_array_index(m.runs, r) == NULL;
  g_autofree char *summary = summary_table(study, &m);
  gboolean ok =
      results_write_file(dir, "summary.tsv", summary, strlen(summary), error);
  for (guint p = 0; ok && p < study->plots->len; p++)
    ok = write_plot(study, &m, g_ptr_array_index(study->plots, p), dir, error);
  g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
  for (guint p = 0; ok && gnuplot && p < study->plots->len; p++) {
    const struct study_plot *pl = g_ptr_array_index(study->plots, p);
    g_autofree char *gp_name = g_strconcat(pl->name, ".gp", NULL);
    ok = render(dir, gp_name, error);
  }
  if (ok && !gnuplot && study->plots->len && note)
    *note = g_strdup_printf("gnuplot is not installed: the plots are not "
                            "rendered; install it and run 'gnuplot "
                            "NAME.gp' in %s",
                            dir);
  if (ok) {
    g_autofree char *text = report(study, &m, failed);
    ok = results_write_file(dir, "report.md", text, strlen(text), error);
  }
  metrics_clear(&m);
  return ok;
}

/* Appends runs (ascending) to s as "1, 3-5, 9", at most 20 items. */
static void append_runs(GString *s, const GArray *runs) {
  guint items = 0;
  for (guint i = 0; i < runs->len;) {
    guint first = g_array_index(runs, guint, i), last = first;
    while (i + 1 < runs->len && g_array_index(runs, guint, i + 1) == last + 1)
      last = g_array_index(runs, guint, ++i);
    i++;
    if (items++ == 20) {
      g_string_append(s, ", ...");
      return;
    }
    g_string_append_printf(s, "%s%u", items > 1 ? ", " : "", first);
    if (last != first)
      g_string_append_printf(s, "-%u", last);
  }
}

char *study_incomplete(const struct study *study, const char *dir,
                       guint *missing, guint *failed) {
  g_autoptr(GArray) miss = g_array_new(FALSE, FALSE, sizeof(guint));
  g_autoptr(GArray) fail = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint run = 0; run < study_runs(study); run++) {
    g_autofree char *rd = g_strdup_printf("%s/runs/%u", dir, run);
    g_autofree char *summary = g_build_filename(rd, "summary.tsv", NULL);
    if (!g_file_test(rd, G_FILE_TEST_IS_DIR))
      g_array_append_val(miss, run);
    else if (!g_file_test(summary, G_FILE_TEST_EXISTS))
      g_array_append_val(fail, run);
  }
  *missing = miss->len;
  *failed = fail->len;
  if (!miss->len && !fail->len)
    return NULL;
  GString *s = g_string_new(NULL);
  if (miss->len) {
    g_string_append_printf(s, "%u of %u runs missing from %s/runs (", miss->len,
                           study_runs(study), dir);
    append_runs(s, miss);
    g_string_append(s, ")");
  }
  if (fail->len) {
    g_string_append_printf(s, "%s%u of %u runs failed (", miss->len ? "; " : "",
                           fail->len, study_runs(study));
    append_runs(s, fail);
    g_string_append_printf(s, "; see %s/runs/*/FAILED)", dir);
  }
  return g_string_free(s, FALSE);
}
