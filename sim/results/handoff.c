/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The handoff meter: handoffs.tsv and handoff_flows.tsv.
 *
 * The radio logs each handoff (sim->handoffs, radio.h) and tells the
 * observers, the meter among them, when one begins; the row says when the
 * new cell is joined.  Modules mark their milestones; every delivery of a
 * flow's packet to its application reaches the meter as an observer event.
 * The meter exists from the first flow, before the run.  For each node
 * with a radio it follows, per flow delivering there, the highest sequence
 * number and the time of the latest delivery.
 *
 * When a handoff begins, each such flow gets a record (a row of
 * handoff_flows.tsv) whose sequence window opens above the highest number
 * delivered so far, s0; a flow first delivering during the handoff gets
 * one with no lower bound.  The window closes at the first packet through
 * the new path: the first delivery with a number above s0 once the new
 * cell is joined and, on a node whose module ever marked a registration,
 * the registration is answered (before that, packets may still come
 * the old way, forwarded).  A window still open when the node's next
 * handoff begins ends with what the source had sent then, and the next
 * window opens there, so no packet is charged to two handoffs; one open
 * at the end of the run ends with what the source sent.  Loss is what in
 * the window was never delivered and not still in flight when the run
 * ended: late packets are reordered, not lost.  Duplicates and reordering are
 * counted over the deliveries from the handoff's start to the next handoff's.
 * doc/results-handoffs.md is the user's side of this. */
#include "sim/results/handoff.h"

#include <math.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"
#include "sim/wireless/cell.h"

/* One row of handoff_flows.tsv. */
struct handoff_flow {
  unsigned row;
  struct flow *flow;
  int64_t s0;          /* highest number delivered before; -1: none */
  int64_t last_before; /* the latest delivery before the handoff; -1 */
  int64_t end;         /* the window is (s0, end); -1 while open */
  int64_t first_new;   /* first packet through the new path; -1 */
  uint64_t duplicates, reordered;
};

/* A flow delivering at a watched node. */
struct tracker {
  struct flow *flow;
  int64_t max_seq; /* -1: nothing delivered yet */
  int64_t last_time;
  int64_t record; /* index in meter->records for the latest handoff */
};

struct watched {
  GArray *trackers; /* struct tracker */
  int latest;       /* row of the node's latest handoff, -1: none */
  bool registers;   /* its module marks registrations */
};

struct handoff_meter {
  struct observer obs;
  struct sim *sim;
  guint rows_before;  /* log rows written before the meter existed */
  GPtrArray *nodes;   /* struct watched *, by node id; NULL: not watched */
  GArray *records;    /* struct handoff_flow */
  GPtrArray *columns; /* names of modules' columns */
  GHashTable *values; /* (row << 16 | column) -> double */
};

static int bit_index(unsigned m) {
  int i = 0;
  while (!(m & 1u)) {
    m >>= 1;
    i++;
  }
  return i;
}

/* A run without radios has no handoff log. */
static guint n_rows(const struct sim *sim) {
  return sim->handoffs ? sim->handoffs->len : 0;
}

static struct handoff *row_of(const struct sim *sim, guint row) {
  return &g_array_index(sim->handoffs, struct handoff, row);
}

static struct watched *watched_of(const struct handoff_meter *m,
                                  const struct node *node) {
  return m && node->id < m->nodes->len ? g_ptr_array_index(m->nodes, node->id)
                                       : NULL;
}

static bool has_radio(const struct node *node) {
  for (uint32_t i = 0; i < node->n_ifaces; i++)
    if (node->ifaces[i]->radio)
      return true;
  return false;
}

/* The meter's record of node, created on first need for a node with a
 * radio (NULL for others); its latest handoff is found in the log only
 * if the meter came after the log's first rows. */
static struct watched *watch(struct handoff_meter *m, struct node *node) {
  struct watched *w = watched_of(m, node);
  if (w || !has_radio(node))
    return w;
  if (node->id >= m->nodes->len)
    g_ptr_array_set_size(m->nodes, node->id + 1);
  w = g_new0(struct watched, 1);
  w->trackers = g_array_new(FALSE, FALSE, sizeof(struct tracker));
  w->latest = -1;
  for (guint i = m->rows_before; i-- > 0 && w->latest < 0;)
    if (row_of(m->sim, i)->iface->node == node)
      w->latest = (int)i;
  g_ptr_array_index(m->nodes, node->id) = w;
  return w;
}

static bool on_new_path(const struct sim *sim, const struct watched *w,
                        int64_t now) {
  const struct handoff *h = row_of(sim, (guint)w->latest);
  int answered = bit_index(HANDOFF_REGISTRATION_ANSWERED);
  return h->attached >= 0 && now >= h->attached &&
         (!w->registers || h->milestone[answered] >= 0);
}

static int64_t new_record(struct handoff_meter *m, unsigned row,
                          struct tracker *t, int64_t s0) {
  struct handoff_flow r = {.row = row,
                           .flow = t->flow,
                           .s0 = s0,
                           .last_before = t->last_time,
                           .end = -1,
                           .first_new = -1};
  g_array_append_val(m->records, r);
  return (int64_t)m->records->len - 1;
}

static void on_delivery(void *ctx, struct node *node, struct flow *flow,
                        const struct pkt *pkt, uint32_t seq) {
  struct handoff_meter *m = ctx;
  struct watched *w = watch(m, node);
  if (!w)
    return;
  struct tracker *t = NULL;
  for (guint i = 0; i < w->trackers->len && !t; i++)
    if (g_array_index(w->trackers, struct tracker, i).flow == flow)
      t = &g_array_index(w->trackers, struct tracker, i);
  if (!t) {
    struct tracker fresh = {
        .flow = flow, .max_seq = -1, .last_time = -1, .record = -1};
    g_array_append_val(w->trackers, fresh);
    t = &g_array_index(w->trackers, struct tracker, w->trackers->len - 1);
    if (w->latest >= 0)
      t->record = new_record(m, (unsigned)w->latest, t, -1);
  }
  int64_t now = sim_now(flow->sim);
  bool dup = flow_seen(flow, seq);
  if (t->record >= 0) {
    struct handoff_flow *r =
        &g_array_index(m->records, struct handoff_flow, t->record);
    if (dup)
      r->duplicates++;
    else if ((int64_t)seq < t->max_seq)
      r->reordered++;
    if (r->end < 0 && !dup && (int64_t)seq > r->s0 &&
        on_new_path(flow->sim, w, now)) {
      r->end = seq;
      r->first_new = now;
    }
  }
  if (!dup && (int64_t)seq > t->max_seq)
    t->max_seq = seq;
  t->last_time = now;
}

static void meter_free(struct sim *sim);
static void on_handoff(void *ctx, unsigned row);

/* The run frees the meter without naming it; the rows are the radios'. */
static const struct sim_subsystem handoffs = {.name = "handoffs",
                                              .free = meter_free};

static struct handoff_meter *meter(struct sim *sim) {
  if (!sim->handoff_meter) {
    sim_use(sim, &handoffs);
    struct handoff_meter *m = g_new0(struct handoff_meter, 1);
    m->obs = (struct observer){
        .ctx = m, .on_delivery = on_delivery, .on_handoff = on_handoff};
    m->sim = sim;
    m->rows_before = n_rows(sim);
    m->nodes = g_ptr_array_new();
    m->records = g_array_new(FALSE, FALSE, sizeof(struct handoff_flow));
    m->columns = g_ptr_array_new_with_free_func(g_free);
    m->values =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    sim_observe(sim, &m->obs);
    sim->handoff_meter = m;
  }
  return sim->handoff_meter;
}

void handoff_meter_use(struct sim *sim) {
  meter(sim);
}

static void on_handoff(void *ctx, unsigned row) {
  struct handoff_meter *m = ctx;
  struct watched *w = watch(m, row_of(m->sim, row)->iface->node);
  if (!w)
    return;
  w->latest = (int)row;
  for (guint i = 0; i < w->trackers->len; i++) {
    struct tracker *t = &g_array_index(w->trackers, struct tracker, i);
    /* A window the new path never closed ends with what the source had
     * sent when the next handoff began, and the next window opens
     * there: every missing packet is charged to one handoff, the one in
     * progress when it was sent. */
    int64_t s0 = t->max_seq;
    if (t->record >= 0) {
      struct handoff_flow *r =
          &g_array_index(m->records, struct handoff_flow, t->record);
      if (r->end < 0)
        r->end = MAX((int64_t)t->flow->sent, r->s0 + 1);
      s0 = MAX(s0, r->end - 1);
    }
    t->record = new_record(m, row, t, s0);
  }
}

int handoff_current(const struct sim *sim, const struct node *node) {
  const struct watched *w = watched_of(sim->handoff_meter, node);
  if (w)
    return w->latest;
  /* Not followed (yet): the log knows. */
  for (guint i = n_rows(sim); i-- > 0;)
    if (row_of(sim, i)->iface->node == node)
      return (int)i;
  return -1;
}

void handoff_mark(struct sim *sim, struct node *node, unsigned milestones) {
  struct watched *w = watch(meter(sim), node);
  if (!w)
    return;
  if (milestones & (HANDOFF_REGISTRATION_SENT | HANDOFF_REGISTRATION_ANSWERED))
    w->registers = true;
  if (w->latest < 0)
    return;
  struct handoff *h = row_of(sim, (guint)w->latest);
  if (h->milestone[bit_index(HANDOFF_REGISTRATION_ANSWERED)] >= 0)
    return;
  for (int i = 0; i < HANDOFF_MILESTONE_COUNT; i++)
    if (milestones & (1u << i))
      h->milestone[i] = sim_now(sim);
}

void handoff_annotate(struct sim *sim, int row, const char *column,
                      double value) {
  g_return_if_fail(row >= 0 && (guint)row < n_rows(sim));
  struct handoff_meter *m = meter(sim);
  guint col;
  for (col = 0; col < m->columns->len; col++)
    if (strcmp(g_ptr_array_index(m->columns, col), column) == 0)
      break;
  if (col == m->columns->len)
    g_ptr_array_add(m->columns, g_strdup(column));
  gint64 key = (gint64)row << 16 | col;
  g_hash_table_replace(m->values, g_memdup2(&key, sizeof key),
                       g_memdup2(&value, sizeof value));
}

/* ---- what a record and a row measure ------------------------------------ */

/* The window's end, exclusive: a window still open at the end of the run
 * reaches the last packet the source sent. */
static int64_t window_end(const struct handoff_flow *r) {
  return r->end >= 0 ? r->end : (int64_t)r->flow->sent;
}

/* As flows.tsv counts loss: a packet still alive when the run ended (a
 * window left open by a handoff just before the end) is in flight, not
 * lost. */
static uint64_t record_lost(const struct handoff_flow *r) {
  uint64_t lost = 0;
  for (int64_t s = r->s0 + 1; s < window_end(r); s++)
    if (!flow_seen(r->flow, (uint32_t)s) &&
        !flow_in_flight(r->flow, (uint32_t)s))
      lost++;
  return lost;
}

static double record_interruption(const struct handoff_flow *r) {
  return r->first_new >= 0 && r->last_before >= 0
             ? (double)(r->first_new - r->last_before)
             : NAN;
}

/* The aggregate over the flows towards the node of one handoff. */
struct handoff_agg {
  unsigned flows;
  int64_t first_new;   /* the earliest; -1: none */
  double interruption; /* the longest, ns; NAN: none */
  uint64_t lost, duplicates, reordered;
};

static void agg_add(struct handoff_agg *a, const struct handoff_flow *r) {
  a->flows++;
  if (r->first_new >= 0 && (a->first_new < 0 || r->first_new < a->first_new))
    a->first_new = r->first_new;
  double i = record_interruption(r);
  if (!isnan(i) && (isnan(a->interruption) || i > a->interruption))
    a->interruption = i;
  a->lost += record_lost(r);
  a->duplicates += r->duplicates;
  a->reordered += r->reordered;
}

static struct handoff_agg *aggregates(const struct sim *sim) {
  struct handoff_agg *aggs = g_new(struct handoff_agg, n_rows(sim) + 1);
  for (guint i = 0; i < n_rows(sim); i++)
    aggs[i] = (struct handoff_agg){.first_new = -1, .interruption = NAN};
  const struct handoff_meter *m = sim->handoff_meter;
  for (guint i = 0; m && i < m->records->len; i++) {
    const struct handoff_flow *r =
        &g_array_index(m->records, struct handoff_flow, i);
    agg_add(&aggs[r->row], r);
  }
  return aggs;
}

static double secs(int64_t t) {
  return t >= 0 ? (double)t / 1e9 : NAN;
}

/* The meter's numeric columns, after the row's fixed ones. */
struct column {
  const char *name;
  int decimals;
  double (*value)(const struct handoff *h, const struct handoff_agg *a);
};

static double movement_detected(const struct handoff *h,
                                const struct handoff_agg *a) {
  return secs(h->milestone[0]);
}
static double address_configured(const struct handoff *h,
                                 const struct handoff_agg *a) {
  return secs(h->milestone[1]);
}
static double registration_sent(const struct handoff *h,
                                const struct handoff_agg *a) {
  return secs(h->milestone[2]);
}
static double registration_answered(const struct handoff *h,
                                    const struct handoff_agg *a) {
  return secs(h->milestone[3]);
}
static double first_new_path(const struct handoff *h,
                             const struct handoff_agg *a) {
  return secs(a->first_new);
}
static double new_path_latency(const struct handoff *h,
                               const struct handoff_agg *a) {
  return a->first_new >= 0 ? (double)(a->first_new - h->start) / 1e6 : NAN;
}
static double interruption(const struct handoff *h,
                           const struct handoff_agg *a) {
  return a->interruption / 1e6;
}
static double flows(const struct handoff *h, const struct handoff_agg *a) {
  return a->flows;
}
static double lost(const struct handoff *h, const struct handoff_agg *a) {
  return (double)a->lost;
}
static double duplicates(const struct handoff *h, const struct handoff_agg *a) {
  return (double)a->duplicates;
}
static double reordered(const struct handoff *h, const struct handoff_agg *a) {
  return (double)a->reordered;
}

static const struct column columns[] = {
    {"movement_detected_s", 9, movement_detected},
    {"address_configured_s", 9, address_configured},
    {"registration_sent_s", 9, registration_sent},
    {"registration_answered_s", 9, registration_answered},
    {"first_packet_new_path_s", 9, first_new_path},
    {"new_path_latency_ms", 6, new_path_latency},
    {"service_interruption_ms", 6, interruption},
    {"flows", 0, flows},
    {"lost_pkts", 0, lost},
    {"duplicate_pkts", 0, duplicates},
    {"reordered_pkts", 0, reordered},
};

static double module_value(const struct sim *sim, int row, guint col) {
  const struct handoff_meter *m = sim->handoff_meter;
  gint64 key = (gint64)row << 16 | col;
  const double *v = g_hash_table_lookup(m->values, &key);
  return v ? *v : NAN;
}

double handoff_value(const struct sim *sim, int row, const char *column) {
  g_return_val_if_fail(row >= 0 && (guint)row < n_rows(sim), NAN);
  for (gsize c = 0; c < G_N_ELEMENTS(columns); c++) {
    if (strcmp(columns[c].name, column) != 0)
      continue;
    struct handoff_agg a = {.first_new = -1, .interruption = NAN};
    const struct handoff_meter *m = sim->handoff_meter;
    for (guint i = 0; m && i < m->records->len; i++) {
      const struct handoff_flow *r =
          &g_array_index(m->records, struct handoff_flow, i);
      if (r->row == (unsigned)row)
        agg_add(&a, r);
    }
    return columns[c].value(row_of(sim, (guint)row), &a);
  }
  const struct handoff_meter *m = sim->handoff_meter;
  for (guint col = 0; m && col < m->columns->len; col++)
    if (strcmp(g_ptr_array_index(m->columns, col), column) == 0)
      return module_value(sim, row, col);
  return NAN;
}

/* ---- tables ------------------------------------------------------------- */

static void num_or_dash(GString *s, double v, int decimals) {
  if (isnan(v))
    g_string_append(s, "\t-");
  else
    g_string_append_printf(s, "\t%.*f", decimals, v);
}

static const char *cell_name(const struct cell *c) {
  return c ? c->name : "-";
}

char *handoff_table(const struct sim *sim) {
  GString *s = g_string_new("node\tiface\tstart_s\tfrom_cell\tto_cell\t"
                            "l2_delay_ms\tattached_s");
  for (gsize c = 0; c < G_N_ELEMENTS(columns); c++)
    g_string_append_printf(s, "\t%s", columns[c].name);
  const struct handoff_meter *m = sim->handoff_meter;
  guint extra = m ? m->columns->len : 0;
  for (guint c = 0; c < extra; c++)
    g_string_append_printf(s, "\t%s", (char *)g_ptr_array_index(m->columns, c));
  g_string_append_c(s, '\n');
  struct handoff_agg *aggs = aggregates(sim);
  for (guint i = 0; i < n_rows(sim); i++) {
    const struct handoff *h = row_of(sim, i);
    g_string_append_printf(s, "%s\t%s\t%.9f\t%s\t%s\t%.6f",
                           h->iface->node->name, h->iface->name,
                           (double)h->start / 1e9, cell_name(h->from),
                           cell_name(h->to), (double)h->l2_delay / 1e6);
    num_or_dash(s, secs(h->attached), 9);
    for (gsize c = 0; c < G_N_ELEMENTS(columns); c++)
      num_or_dash(s, columns[c].value(h, &aggs[i]), columns[c].decimals);
    for (guint c = 0; c < extra; c++) {
      double v = module_value(sim, (int)i, c);
      if (isnan(v))
        g_string_append(s, "\t-");
      else
        g_string_append_printf(s, "\t%.12g", v);
    }
    g_string_append_c(s, '\n');
  }
  g_free(aggs);
  return g_string_free(s, FALSE);
}

static gint by_row(gconstpointer a, gconstpointer b) {
  const struct handoff_flow *x = *(struct handoff_flow *const *)a;
  const struct handoff_flow *y = *(struct handoff_flow *const *)b;
  if (x->row != y->row)
    return x->row < y->row ? -1 : 1;
  return x->flow->id < y->flow->id ? -1 : x->flow->id > y->flow->id;
}

char *handoff_flows_table(const struct sim *sim) {
  GString *s = g_string_new(
      "handoff\tnode\tiface\tflow\tlast_before_s\tfirst_packet_new_path_s\t"
      "service_interruption_ms\twindow_first_seq\twindow_last_seq\t"
      "lost_pkts\tduplicate_pkts\treordered_pkts\n");
  const struct handoff_meter *m = sim->handoff_meter;
  if (!m)
    return g_string_free(s, FALSE);
  g_autoptr(GPtrArray) order = g_ptr_array_sized_new(m->records->len);
  for (guint i = 0; i < m->records->len; i++)
    g_ptr_array_add(order, &g_array_index(m->records, struct handoff_flow, i));
  g_ptr_array_sort(order, by_row);
  for (guint i = 0; i < order->len; i++) {
    const struct handoff_flow *r = g_ptr_array_index(order, i);
    const struct handoff *h = row_of(sim, r->row);
    g_string_append_printf(s, "%u\t%s\t%s\t%s", r->row + 1,
                           h->iface->node->name, h->iface->name, r->flow->name);
    num_or_dash(s, secs(r->last_before), 9);
    num_or_dash(s, secs(r->first_new), 9);
    num_or_dash(s, record_interruption(r) / 1e6, 6);
    int64_t first = r->s0 + 1, last = window_end(r) - 1;
    if (first <= last)
      g_string_append_printf(s, "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT,
                             first, last);
    else
      g_string_append(s, "\t-\t-");
    g_string_append_printf(s,
                           "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
                           "\t%" G_GUINT64_FORMAT "\n",
                           record_lost(r), r->duplicates, r->reordered);
  }
  return g_string_free(s, FALSE);
}

static void meter_free(struct sim *sim) {
  struct handoff_meter *m = sim->handoff_meter;
  if (!m)
    return;
  sim_unobserve(sim, &m->obs);
  for (guint i = 0; i < m->nodes->len; i++) {
    struct watched *w = g_ptr_array_index(m->nodes, i);
    if (w) {
      g_array_free(w->trackers, TRUE);
      g_free(w);
    }
  }
  g_ptr_array_free(m->nodes, TRUE);
  g_array_free(m->records, TRUE);
  g_ptr_array_free(m->columns, TRUE);
  g_hash_table_destroy(m->values);
  g_free(m);
  sim->handoff_meter = NULL;
}
