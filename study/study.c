/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Study files: parameters, ranges, combinations and plots, and running one
 * combination of a scenario. */
#include "study/study.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libxml/xpath.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/results/results.h"
#include "sim/scenario/load.h"
#include "sim/scenario/scenario.h"

/* The first argument is stringified into the domain's name, which
 * spaces would change. */
/* clang-format off */
G_DEFINE_QUARK(mipsim-study-error-quark, mipsim_study_error)
/* clang-format on */

/* More runs than this is a typo in replications or a range step. */
#define RUNS_MAX 1000000

static void param_free(void *p) {
  struct study_param *sp = p;
  g_free(sp->name);
  g_free(sp->path);
  g_ptr_array_unref(sp->values);
  g_free(sp);
}

static void plot_free(void *p) {
  struct study_plot *pl = p;
  g_free(pl->name);
  g_free(pl->table);
  g_free(pl->column);
  g_free(pl->flow);
  g_free(pl->x);
  g_free(pl->lines);
  g_free(pl->title);
  g_free(pl->xlabel);
  g_free(pl->ylabel);
  g_strfreev(pl->messages);
  g_free(pl);
}

void study_free(struct study *study) {
  if (!study)
    return;
  g_free(study->path);
  g_free(study->name);
  g_free(study->scenario);
  g_free(study->scenario_path);
  g_ptr_array_unref(study->params);
  g_ptr_array_unref(study->combos);
  g_ptr_array_unref(study->plots);
  if (study->scenario_doc)
    xmlFreeDoc(study->scenario_doc);
  g_free(study);
}

static char *prop(const xmlNode *n, const char *name) {
  xmlChar *v = xmlGetProp(n, BAD_CAST name);
  char *s = v ? g_strdup((const char *)v) : NULL;
  xmlFree(v);
  return s;
}

/* Sets "PATH:LINE: ELEMENT: problem" for n, or for the element named
 * element on line, of the study file, and returns FALSE. */
G_GNUC_PRINTF(4, 5)
static gboolean fail(const struct study *s, const xmlNode *n, GError **error,
                     const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  load_error_valist(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_INVALID,
                    s->path, xmlGetLineNo(n), (const char *)n->name, fmt, ap);
  va_end(ap);
  return FALSE;
}

G_GNUC_PRINTF(5, 6)
static gboolean fail_at(const struct study *s, long line, const char *element,
                        GError **error, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  load_error_valist(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_INVALID,
                    s->path, line, element, fmt, ap);
  va_end(ap);
  return FALSE;
}

uint64_t study_run_seed(uint64_t study_seed, guint run) {
  struct rng r;
  rng_init(&r, study_seed, run, "study/run");
  return rng_u64(&r);
}

/* ---- Setting attributes by XPath ---- */

/* XPath 1.0 has no default namespace, so names without a prefix match
 * only elements in no namespace: take the namespace away while the path
 * is evaluated, and give it back after.  Scenario elements are all in one
 * namespace (the schema allows no other). */
static void set_ns(xmlNode *n, xmlNs *ns) {
  for (; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE) {
      n->ns = ns;
      set_ns(n->children, ns);
    }
}

guint study_set(xmlDoc *doc, const char *xpath, const char *value,
                GError **error) {
  xmlNode *root = xmlDocGetRootElement(doc);
  xmlNs *ns = root->ns;
  set_ns(root, NULL);
  xmlXPathContext *ctx = xmlXPathNewContext(doc);
  ctx->node = root;
  xmlXPathObject *obj = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
  guint set = 0;
  if (!obj) {
    g_set_error(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_INVALID,
                "'%s' is not a valid XPath expression", xpath);
  } else if (obj->type != XPATH_NODESET || !obj->nodesetval ||
             obj->nodesetval->nodeNr == 0) {
    g_set_error(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_INVALID,
                "'%s' matches nothing in the scenario", xpath);
  } else {
    for (int i = 0; i < obj->nodesetval->nodeNr; i++) {
      xmlNode *a = obj->nodesetval->nodeTab[i];
      if (a->type != XML_ATTRIBUTE_NODE) {
        g_set_error(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_INVALID,
                    "'%s' selects <%s>, not an attribute (end the path "
                    "with /@name)",
                    xpath, (const char *)a->name);
        set = 0;
        break;
      }
      xmlSetProp(a->parent, a->name, BAD_CAST value);
      set++;
    }
  }
  xmlXPathFreeObject(obj);
  xmlXPathFreeContext(ctx);
  set_ns(root, ns);
  return set;
}

/* ---- Reading a study ---- */

/* A quantity as number and unit text ("100ms" -> 100, "ms"). */
static gboolean split_unit(const char *text, double *v, const char **unit) {
  char *end = NULL;
  *v = g_ascii_strtod(text, &end);
  *unit = end;
  return end != text && isfinite(*v);
}

/* The size of one unit in the base unit of whatever kind of quantity it
 * is: every value of a range is in one kind, so that "100ms" to "1s"
 * works. */
static gboolean unit_scale(const char *unit, int *kind, double *scale) {
  g_autofree char *one = g_strconcat("1", unit, NULL);
  int64_t ns;
  uint64_t u;
  double d;
  if (!*unit) {
    *kind = 0;
    *scale = 1;
  } else if (units_parse_time(one, &ns, NULL)) {
    *kind = 1;
    *scale = (double)ns;
  } else if (units_parse_rate(one, &u, NULL)) {
    *kind = 2;
    *scale = (double)u;
  } else if (units_parse_size(one, &u, NULL)) {
    *kind = 3;
    *scale = (double)u;
  } else if (units_parse_distance(one, &d, NULL)) {
    *kind = 4;
    *scale = d;
  } else {
    return FALSE;
  }
  return TRUE;
}

static gboolean range_values(const struct study *s, const xmlNode *n,
                             GPtrArray *values, GError **error) {
  static const char *const names[] = {"from", "to", "step"};
  double v[3], base[3];
  int kind[3];
  const char *unit[3];
  g_autofree char *from = prop(n, "from");
  g_autofree char *to = prop(n, "to");
  g_autofree char *step = prop(n, "step");
  const char *text[3] = {from, to, step};
  for (int i = 0; i < 3; i++) {
    double scale;
    if (!split_unit(text[i], &v[i], &unit[i]))
      return fail(s, n, error, "%s: '%s' is not a number with a unit", names[i],
                  text[i]);
    if (!unit_scale(unit[i], &kind[i], &scale))
      return fail(s, n, error, "%s: unknown unit '%s' in '%s'", names[i],
                  unit[i], text[i]);
    if (kind[i] != kind[0])
      return fail(s, n, error,
                  "%s: '%s' is not the same kind of quantity "
                  "as from='%s'",
                  names[i], text[i], text[0]);
    base[i] = v[i] * scale;
  }
  if (base[2] <= 0)
    return fail(s, n, error, "step: must be greater than zero");
  if (base[1] < base[0])
    return fail(s, n, error, "to: must not be less than from");
  double count = floor((base[1] - base[0]) / base[2] + 1e-9) + 1;
  if (count > RUNS_MAX)
    return fail(s, n, error, "step: %.0f values is too many", count);
  /* Values are written in step's unit: "100ms" to "1s" by "100ms" gives
   * 100ms, 200ms, ..., 1000ms. */
  double scale;
  unit_scale(unit[2], &kind[2], &scale);
  for (guint k = 0; k < (guint)count; k++) {
    double x = (base[0] + k * base[2]) / scale;
    char num[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(num, sizeof num, "%.10g", x);
    g_ptr_array_add(values, g_strconcat(num, unit[2], NULL));
  }
  return TRUE;
}

static struct study_param *find_param(const struct study *s, const char *name,
                                      guint *index) {
  for (guint i = 0; i < s->params->len; i++) {
    struct study_param *p = g_ptr_array_index(s->params, i);
    if (strcmp(p->name, name) == 0) {
      if (index)
        *index = i;
      return p;
    }
  }
  return NULL;
}

static gboolean has_value(const struct study_param *p, const char *v) {
  for (guint i = 0; i < p->values->len; i++)
    if (strcmp(g_ptr_array_index(p->values, i), v) == 0)
      return TRUE;
  return FALSE;
}

static gboolean load_param(struct study *s, xmlNode *n, GError **error) {
  struct study_param *p = g_new0(struct study_param, 1);
  p->name = prop(n, "name");
  p->path = prop(n, "path");
  p->line = xmlGetLineNo(n);
  p->values = g_ptr_array_new_with_free_func(g_free);
  if (find_param(s, p->name, NULL)) {
    fail(s, n, error, "name: '%s' is already a parameter", p->name);
    param_free(p);
    return FALSE;
  }
  g_ptr_array_add(s->params, p);
  if (xmlStrEqual(n->name, BAD_CAST "range"))
    return range_values(s, n, p->values, error);
  g_autofree char *values = prop(n, "values");
  g_auto(GStrv) words = g_strsplit_set(values, " \t\n", -1);
  for (char **w = words; *w; w++)
    if (**w) {
      if (has_value(p, *w))
        return fail(s, n, error, "values: '%s' appears twice", *w);
      g_ptr_array_add(p->values, g_strdup(*w));
    }
  if (p->values->len == 0)
    return fail(s, n, error, "values: no values");
  return TRUE;
}

static void combo_free(void *c) {
  char **v = c;
  /* Entries point into the parameters' value lists. */
  g_free(v);
}

static void factorial(struct study *s) {
  guint np = s->params->len, total = 1;
  for (guint i = 0; i < np; i++)
    total *=
        ((struct study_param *)g_ptr_array_index(s->params, i))->values->len;
  /* The first parameter varies slowest, the last fastest. */
  for (guint c = 0; c < total; c++) {
    char **v = g_new0(char *, np);
    guint rest = c;
    for (guint i = np; i-- > 0;) {
      struct study_param *p = g_ptr_array_index(s->params, i);
      v[i] = g_ptr_array_index(p->values, rest % p->values->len);
      rest /= p->values->len;
    }
    g_ptr_array_add(s->combos, v);
  }
}

static gboolean load_combinations(struct study *s, xmlNode *n, GError **error) {
  g_autofree char *kind = prop(n, "kind");
  if (kind) {
    factorial(s);
    return TRUE;
  }
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    char **v = g_new0(char *, s->params->len);
    g_ptr_array_add(s->combos, v);
    for (xmlNode *set = c->children; set; set = set->next) {
      if (set->type != XML_ELEMENT_NODE)
        continue;
      g_autofree char *name = prop(set, "name");
      g_autofree char *value = prop(set, "value");
      guint i;
      struct study_param *p = find_param(s, name, &i);
      if (!p)
        return fail(s, set, error, "name: no parameter '%s'", name);
      if (!has_value(p, value))
        return fail(s, set, error, "value: '%s' is not one of %s's values",
                    value, name);
      if (v[i])
        return fail(s, set, error, "name: '%s' is set twice", name);
      for (guint k = 0; k < p->values->len; k++)
        if (strcmp(g_ptr_array_index(p->values, k), value) == 0)
          v[i] = g_ptr_array_index(p->values, k);
    }
  }
  return TRUE;
}

static gboolean load_plot(struct study *s, xmlNode *n, GError **error) {
  struct study_plot *pl = g_new0(struct study_plot, 1);
  g_ptr_array_add(s->plots, pl);
  pl->line = xmlGetLineNo(n);
  g_autofree char *metric = prop(n, "metric");
  const char *colon = strchr(metric, ':');
  if (!colon || !colon[1])
    return fail(s, n, error, "metric: '%s' is not TABLE:COLUMN", metric);
  pl->table = g_strndup(metric, colon - metric);
  pl->column = g_strdup(colon + 1);
  pl->flow = prop(n, "flow");
  g_autofree char *message = prop(n, "message");
  bool signalling = strcmp(pl->table, "signalling.tsv") == 0;
  if (strcmp(pl->table, "flows.tsv") == 0) {
    if (!pl->flow)
      return fail(s, n, error, "flow: flows.tsv needs the flow to plot");
  } else if (strcmp(pl->table, "handoffs.tsv") != 0 && !signalling) {
    return fail(s, n, error,
                "metric: table '%s' is not flows.tsv, "
                "handoffs.tsv or signalling.tsv",
                pl->table);
  } else if (pl->flow) {
    return fail(s, n, error,
                "flow: %s is %s over all its rows; flow "
                "applies to flows.tsv",
                pl->table, signalling ? "summed" : "averaged");
  }
  if (message && !signalling)
    return fail(s, n, error, "message: applies to signalling.tsv");
  if (signalling) {
    /* The kernel's columns (sim/results/signalling.c): a typo would otherwise
     * plot zeros, as a run without signalling sums to zero. */
    static const char *const columns[] = {"sent_pkts", "sent_bytes",
                                          "bytes_per_s"};
    bool known = false;
    for (guint i = 0; i < G_N_ELEMENTS(columns); i++)
      known = known || strcmp(pl->column, columns[i]) == 0;
    if (!known)
      return fail(s, n, error,
                  "metric: signalling.tsv has no column '%s' "
                  "(sent_pkts, sent_bytes, bytes_per_s)",
                  pl->column);
  }
  if (message) {
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    g_auto(GStrv) split = g_strsplit_set(message, " \t\n", -1);
    for (char **w = split; *w; w++)
      if (**w)
        g_ptr_array_add(words, g_strdup(*w));
    if (words->len == 0)
      return fail(s, n, error, "message: no message names");
    g_ptr_array_add(words, NULL);
    pl->messages = (char **)g_ptr_array_free(g_steal_pointer(&words), FALSE);
  }
  pl->x = prop(n, "x");
  pl->lines = prop(n, "lines");
  if (!find_param(s, pl->x, NULL))
    return fail(s, n, error, "x: no parameter '%s'", pl->x);
  if (pl->lines && !find_param(s, pl->lines, NULL))
    return fail(s, n, error, "lines: no parameter '%s'", pl->lines);
  pl->name = prop(n, "name");
  if (!pl->name) {
    if (pl->flow) {
      pl->name = g_strdup_printf("%s-%s", pl->flow, pl->column);
    } else if (signalling) {
      g_autofree char *which =
          pl->messages ? g_strjoinv("-", pl->messages) : NULL;
      pl->name = g_strdup_printf("signalling-%s%s%s", which ? which : "",
                                 which ? "-" : "", pl->column);
    } else {
      pl->name = g_strdup_printf("handoffs-%s", pl->column);
    }
  }
  for (guint i = 0; i + 1 < s->plots->len; i++)
    if (strcmp(((struct study_plot *)g_ptr_array_index(s->plots, i))->name,
               pl->name) == 0)
      return fail(s, n, error, "name: a plot is already named '%s'", pl->name);
  pl->title = prop(n, "title");
  pl->xlabel = prop(n, "xlabel");
  pl->ylabel = prop(n, "ylabel");
  return TRUE;
}

/* The scenario for a combination: a copy of the study's, values set. */
static xmlDoc *combo_doc(const struct study *s, guint combo, GError **error) {
  xmlDoc *doc = xmlCopyDoc(s->scenario_doc, 1);
  char **v = g_ptr_array_index(s->combos, combo);
  for (guint i = 0; i < s->params->len; i++) {
    struct study_param *p = g_ptr_array_index(s->params, i);
    if (v[i] && !study_set(doc, p->path, v[i], error)) {
      xmlFreeDoc(doc);
      return NULL;
    }
  }
  return doc;
}

/* Every path matches, and every combination makes a valid scenario, so
 * that a typo fails the study before the first run rather than in all. */
static gboolean check_scenario(struct study *s, xmlNode *root, GError **error) {
  g_autoptr(GError) local = NULL;
  s->scenario_doc = scenario_read_doc(s->scenario_path, &local);
  if (!s->scenario_doc)
    return fail(s, root, error, "scenario: %s", local->message);
  if (!xmlStrEqual(xmlDocGetRootElement(s->scenario_doc)->name,
                   BAD_CAST "scenario"))
    return fail(s, root, error, "scenario: %s is not a scenario",
                s->scenario_path);
  for (guint i = 0; i < s->params->len; i++) {
    struct study_param *p = g_ptr_array_index(s->params, i);
    xmlDoc *doc = xmlCopyDoc(s->scenario_doc, 1);
    guint set =
        study_set(doc, p->path, g_ptr_array_index(p->values, 0), &local);
    xmlFreeDoc(doc);
    if (!set)
      return fail_at(s, p->line, "parameter", error, "path: %s",
                     local->message);
  }
  for (guint c = 0; c < s->combos->len; c++) {
    xmlDoc *doc = combo_doc(s, c, &local);
    struct sim *sim =
        scenario_load_doc(doc, s->scenario_path, s->modules, NULL, &local);
    xmlFreeDoc(doc);
    if (!sim) {
      g_autofree char *what = NULL;
      char **v = g_ptr_array_index(s->combos, c);
      GString *desc = g_string_new(NULL);
      for (guint i = 0; i < s->params->len; i++)
        if (v[i])
          g_string_append_printf(
              desc, "%s%s=%s", desc->len ? " " : "",
              ((struct study_param *)g_ptr_array_index(s->params, i))->name,
              v[i]);
      what = g_string_free(desc, FALSE);
      return fail(s, root, error, "combination %u (%s): %s", c, what,
                  local->message);
    }
    sim_free(sim);
  }
  return TRUE;
}

static gboolean parse(struct study *s, xmlNode *root, bool scenario,
                      GError **error) {
  if (!xmlStrEqual(root->name, BAD_CAST "study"))
    return fail(s, root, error,
                "not a study (run a scenario with 'mipsim "
                "run')");
  s->name = prop(root, "name");
  s->scenario = prop(root, "scenario");
  g_autofree char *dir = g_path_get_dirname(s->path);
  s->scenario_path = g_path_is_absolute(s->scenario)
                         ? g_strdup(s->scenario)
                         : g_build_filename(dir, s->scenario, NULL);
  g_autofree char *reps = prop(root, "replications");
  g_autofree char *seed = prop(root, "seed");
  g_autoptr(GError) local = NULL;
  uint64_t r = 1;
  s->seed = 1;
  if ((reps && !units_parse_count(reps, &r, &local)) ||
      (seed && !units_parse_count(seed, &s->seed, &local)))
    return fail(s, root, error, "%s", local->message);
  if (r < 1 || r > RUNS_MAX)
    return fail(s, root, error, "replications: must be 1 to %d", RUNS_MAX);
  s->replications = (uint32_t)r;
  xmlNode *combos = NULL;
  for (xmlNode *n = root->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (xmlStrEqual(n->name, BAD_CAST "parameter") ||
        xmlStrEqual(n->name, BAD_CAST "range")) {
      if (!load_param(s, n, error))
        return FALSE;
    } else if (xmlStrEqual(n->name, BAD_CAST "combinations")) {
      combos = n;
    }
  }
  double total = s->replications;
  for (guint i = 0; i < s->params->len; i++)
    total *=
        ((struct study_param *)g_ptr_array_index(s->params, i))->values->len;
  if (total > RUNS_MAX)
    return fail(s, root, error, "%.0f runs is too many (at most %d)", total,
                RUNS_MAX);
  if (combos) {
    if (!load_combinations(s, combos, error))
      return FALSE;
  } else {
    factorial(s);
  }
  for (xmlNode *n = root->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "plot") &&
        !load_plot(s, n, error))
      return FALSE;
  return !scenario || check_scenario(s, root, error);
}

struct study *study_load(const char *path, bool scenario,
                         const struct module *const *modules, GError **error) {
  g_return_val_if_fail(path != NULL, NULL);
  g_autoptr(GError) local = NULL;
  xmlDoc *doc = scenario_read_doc(path, &local);
  if (!doc) {
    g_set_error_literal(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_INVALID,
                        local->message);
    return NULL;
  }
  struct study *s = g_new0(struct study, 1);
  s->path = g_strdup(path);
  s->modules = modules;
  s->params = g_ptr_array_new_with_free_func(param_free);
  s->combos = g_ptr_array_new_with_free_func(combo_free);
  s->plots = g_ptr_array_new_with_free_func(plot_free);
  if (!parse(s, xmlDocGetRootElement(doc), scenario, error))
    g_clear_pointer(&s, study_free);
  xmlFreeDoc(doc);
  return s;
}

/* ---- One run ---- */

static char *run_table(const struct study *s, guint run, uint64_t seed) {
  GString *t = g_string_new("run\tcombination\treplication\tseed");
  for (guint i = 0; i < s->params->len; i++)
    g_string_append_printf(
        t, "\t%s",
        ((struct study_param *)g_ptr_array_index(s->params, i))->name);
  g_string_append_printf(t, "\n%u\t%u\t%u\t%" G_GUINT64_FORMAT, run,
                         study_combo_of(s, run), run % s->replications, seed);
  char **v = g_ptr_array_index(s->combos, study_combo_of(s, run));
  for (guint i = 0; i < s->params->len; i++)
    g_string_append_printf(t, "\t%s", v[i] ? v[i] : "-");
  g_string_append_c(t, '\n');
  return g_string_free(t, FALSE);
}

gboolean study_run_one(const struct study *study, guint run,
                       const char *runs_dir, GError **error) {
  g_return_val_if_fail(study->scenario_doc != NULL, FALSE);
  xmlDoc *doc = combo_doc(study, study_combo_of(study, run), error);
  if (!doc)
    return FALSE;
  uint64_t seed = study_run_seed(study->seed, run);
  struct scenario_overrides ov = {.has_seed = true, .seed = seed};
  struct sim *sim =
      scenario_load_doc(doc, study->scenario_path, study->modules, &ov, error);
  xmlFreeDoc(doc);
  if (!sim)
    return FALSE;
  /* Captures of every run of a study would be large and unread. */
  sim->record_pcap = false;
  sim_run(sim, 0, NULL, NULL);
  g_autofree char *tmp =
      g_strdup_printf("%s/.%u.tmp-%ld", runs_dir, run, (long)getpid());
  g_autofree char *final = g_strdup_printf("%s/%u", runs_dir, run);
  g_autofree char *table = run_table(study, run, seed);
  gboolean ok = results_write(sim, tmp, error) &&
                results_write_file(tmp, "run.tsv", table, strlen(table), error);
  sim_free(sim);
  if (ok && g_rename(tmp, final) != 0) {
    int err = errno;
    g_set_error(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_IO,
                "cannot rename %s to %s: %s", tmp, final, g_strerror(err));
    ok = FALSE;
  }
  return ok;
}
