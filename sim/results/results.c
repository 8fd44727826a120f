/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Result tables: tab-separated, one header row, units in column names.
 * Numbers are printed with fixed precision so that the same run gives the
 * same bytes. */
#include "sim/results/results.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/results/flow.h"
#include "sim/results/handoff.h"
#include "sim/results/signalling.h"
#include "sim/wireless/mobility.h"

/* The first argument is stringified into the domain's name, which
 * spaces would change. */
/* clang-format off */
G_DEFINE_QUARK(mipsim-results-error-quark, mipsim_results_error)
/* clang-format on */

gboolean results_write_file(const char *dir, const char *name,
                            const char *contents, gsize len, GError **error) {
  if (g_mkdir_with_parents(dir, 0777) != 0) {
    int err = errno;
    g_set_error(error, MIPSIM_RESULTS_ERROR, MIPSIM_RESULTS_ERROR_IO,
                "cannot create directory %s: %s", dir, g_strerror(err));
    return FALSE;
  }
  g_autofree char *path = g_build_filename(dir, name, NULL);
  /* g_file_set_contents writes a temporary file and renames it. */
  return g_file_set_contents(path, contents, (gssize)len, error);
}

static void ms(GString *s, double ns) {
  g_string_append_printf(s, "\t%.6f", ns / 1e6);
}

/* A value with fixed decimals, or "-" for none (NAN). */
static void num_or_dash(GString *s, double v, int decimals) {
  if (isnan(v))
    g_string_append(s, "\t-");
  else
    g_string_append_printf(s, "\t%.*f", decimals, v);
}

static char *flows_table(const struct sim *sim) {
  GString *s = g_string_new(
      "flow\tkind\tsrc\tdst\tdelay_kind\tsent_pkts\treceived_pkts\t"
      "lost_pkts\tin_flight_pkts\tduplicate_pkts\treordered_pkts\t"
      "icmp_errors\tloss_ratio\tsent_bytes\treceived_bytes\tdelay_mean_ms\t"
      "delay_min_ms\tdelay_p50_ms\tdelay_p99_ms\tdelay_max_ms\t"
      "hops_mean\tpath_hops_mean\tshortest_hops_mean\tpath_prop_ms_mean\t"
      "shortest_prop_ms_mean\tstretch_hops\tstretch_delay\t"
      "retransmitted_pkts\trto_timeouts\tcompletion_s\tgoodput_bps\n");
  for (guint i = 0; i < sim->flows->len; i++) {
    const struct flow *f = g_ptr_array_index(sim->flows, i);
    char src[ADDR_STRLEN], dst[ADDR_STRLEN];
    uint64_t lost = flow_lost(f);
    g_string_append_printf(
        s,
        "%s\t%s\t%s\t%s\t%s\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
        "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
        "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
        "\t%.6f\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT,
        f->name, f->kind, addr_format(&f->src, src), addr_format(&f->dst, dst),
        f->delay_kind, f->sent, f->received, lost, f->in_flight, f->duplicates,
        f->reordered, f->icmp_errors,
        f->sent ? (double)lost / (double)f->sent : 0.0, f->sent_bytes,
        f->received_bytes);
    ms(s, flow_delay_mean(f));
    ms(s, (double)flow_delay_percentile(f, 0.0));
    ms(s, (double)flow_delay_percentile(f, 0.5));
    ms(s, (double)flow_delay_percentile(f, 0.99));
    ms(s, (double)flow_delay_percentile(f, 1.0));
    g_string_append_printf(
        s, "\t%.3f", f->received ? (double)f->hops_sum / f->received : 0.0);
    num_or_dash(s, flow_path_hops_mean(f), 3);
    num_or_dash(s, flow_shortest_hops_mean(f), 3);
    num_or_dash(s, flow_path_prop_mean(f) / 1e6, 6);
    num_or_dash(s, flow_shortest_prop_mean(f) / 1e6, 6);
    num_or_dash(s, flow_stretch_hops(f), 6);
    num_or_dash(s, flow_stretch_delay(f), 6);
    g_string_append_printf(s, "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT,
                           f->retransmits, f->timeouts);
    if (f->is_tcp && f->completed >= 0) {
      double secs = (double)(f->completed - f->started) / 1e9;
      g_string_append_printf(s, "\t%.9f\t%.0f\n", secs,
                             secs > 0 ? (double)f->received_bytes * 8 / secs
                                      : 0.0);
    } else {
      g_string_append(s, "\t-\t-\n");
    }
  }
  return g_string_free(s, FALSE);
}

static char *timeseries_table(const struct sim *sim) {
  GString *s = g_string_new("flow\ttime_s\trx_bytes\trx_pkts\t"
                            "throughput_bps\tretransmitted_pkts\t"
                            "cwnd_bytes\n");
  double width = (double)sim->bin_width / 1e9;
  for (guint i = 0; i < sim->flows->len; i++) {
    const struct flow *f = g_ptr_array_index(sim->flows, i);
    /* Every bin up to the end of the run, so that silent gaps show. */
    guint bins =
        (guint)((sim->sched.now + sim->bin_width - 1) / sim->bin_width);
    for (guint b = 0; b < bins; b++) {
      struct flow_bin zero = {.cwnd = -1};
      const struct flow_bin *bin =
          b < f->bins->len ? &g_array_index(f->bins, struct flow_bin, b)
          : f->bins->len
              ? &g_array_index(f->bins, struct flow_bin, f->bins->len - 1)
              : &zero;
      bool past = b >= f->bins->len;
      uint64_t bytes = past ? 0 : bin->rx_bytes;
      g_string_append_printf(
          s, "%s\t%.6f\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%.0f\t%u",
          f->name, b * width, bytes, past ? 0 : (uint64_t)bin->rx_pkts,
          (double)bytes * 8 / width, past ? 0u : bin->retransmits);
      if (bin->cwnd >= 0)
        g_string_append_printf(s, "\t%" G_GINT64_FORMAT "\n", bin->cwnd);
      else
        g_string_append(s, "\t-\n");
    }
  }
  return g_string_free(s, FALSE);
}

static char *positions_table(const struct sim *sim) {
  GString *s = g_string_new("node\ttime_s\tx_m\ty_m\n");
  for (guint i = 0; i < sim->positions->len; i++) {
    const struct position_sample *p =
        &g_array_index(sim->positions, struct position_sample, i);
    const struct node *n = g_ptr_array_index(sim->nodes, p->node);
    g_string_append_printf(s, "%s\t%.6f\t%.3f\t%.3f\n", n->name,
                           (double)p->t / 1e9, p->x, p->y);
  }
  return g_string_free(s, FALSE);
}

static const char *node_role(const struct node *n) {
  if (n->router)
    return "router";
  for (uint32_t i = 0; i < n->n_ifaces; i++)
    if (n->ifaces[i]->bridge_peer)
      return "bridge";
  return "host";
}

/* The kernel's reasons, then the modules' the run registered, in
 * registration order: a scenario without modules keeps the columns it
 * always had. */
static void drop_header(GString *s, const struct sim *sim) {
  for (uint32_t r = 0; r < drop_reason_count(sim); r++)
    g_string_append_printf(s, "\tdrop_%s_pkts", drop_reason_name(sim, r));
  g_string_append_c(s, '\n');
}

static void drop_counts(GString *s, const struct sim *sim,
                        const struct drop_counters *c) {
  for (uint32_t r = 0; r < drop_reason_count(sim); r++)
    g_string_append_printf(s, "\t%" G_GUINT64_FORMAT, drop_counters_get(c, r));
  g_string_append_c(s, '\n');
}

static uint64_t drop_total(const struct sim *sim,
                           const struct drop_counters *c) {
  uint64_t n = 0;
  for (uint32_t r = 0; r < drop_reason_count(sim); r++)
    n += drop_counters_get(c, r);
  return n;
}

static char *links_table(const struct sim *sim) {
  GString *s = g_string_new(
      "link\tkind\tbandwidth_bps\tdelay_ms\tmtu_bytes\ttx_pkts\ttx_bytes\t"
      "rx_pkts\trx_bytes\tutilization");
  drop_header(s, sim);
  int64_t elapsed = sim->sched.now;
  for (guint i = 0; i < sim->links->len; i++) {
    const struct link *l = g_ptr_array_index(sim->links, i);
    /* A point-to-point link is full duplex: two channels. */
    double channels = l->ops->shared_medium ? 1.0 : 2.0;
    double util = elapsed > 0
                      ? (double)l->cnt.busy_ns / ((double)elapsed * channels)
                      : 0.0;
    g_string_append_printf(
        s,
        "%s\t%s\t%" G_GUINT64_FORMAT "\t%.6f\t%u\t%" G_GUINT64_FORMAT
        "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
        "\t%.6f",
        l->name, l->ops->name, l->bps, (double)l->delay / 1e6, l->mtu,
        l->cnt.tx_packets, l->cnt.tx_bytes, l->cnt.rx_packets, l->cnt.rx_bytes,
        util);
    drop_counts(s, sim, &l->cnt.drops);
  }
  return g_string_free(s, FALSE);
}

static char *nodes_table(const struct sim *sim) {
  GString *s = g_string_new(
      "node\trole\tip_received_pkts\tip_sent_pkts\tip_forwarded_pkts\t"
      "ip_delivered_pkts\ticmp_errors_sent\tfragments_sent\t"
      "reassembled_pkts");
  drop_header(s, sim);
  for (guint i = 0; i < sim->nodes->len; i++) {
    const struct node *n = g_ptr_array_index(sim->nodes, i);
    const struct node_counters *c = &n->cnt;
    g_string_append_printf(
        s,
        "%s\t%s\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
        "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
        "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT,
        n->name, node_role(n), c->ip_received, c->ip_sent, c->ip_forwarded,
        c->ip_delivered, c->icmp_errors_sent, c->fragments_sent,
        c->reassembled);
    drop_counts(s, sim, &c->drops);
  }
  return g_string_free(s, FALSE);
}

static char *summary_table(const struct sim *sim) {
  uint64_t sent = 0, received = 0, lost = 0, drops = 0;
  for (guint i = 0; i < sim->flows->len; i++) {
    const struct flow *f = g_ptr_array_index(sim->flows, i);
    sent += f->sent;
    received += f->received;
    lost += flow_lost(f);
  }
  for (guint i = 0; i < sim->nodes->len; i++) {
    const struct node *n = g_ptr_array_index(sim->nodes, i);
    drops += drop_total(sim, &n->cnt.drops);
  }
  for (guint i = 0; i < sim->links->len; i++) {
    const struct link *l = g_ptr_array_index(sim->links, i);
    drops += drop_total(sim, &l->cnt.drops);
  }
  return g_strdup_printf(
      "scenario\tseed\trun\tsim_time_s\tevents\tpackets_allocated\tnodes\t"
      "links\tflows\tflow_sent_pkts\tflow_received_pkts\tflow_lost_pkts\t"
      "dropped_pkts\n"
      "%s\t%" G_GUINT64_FORMAT "\t%u\t%.9f\t%" G_GUINT64_FORMAT
      "\t%" G_GUINT64_FORMAT "\t%u\t%u\t%u\t%" G_GUINT64_FORMAT
      "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\n",
      sim->name, sim->seed, sim->run, (double)sim->sched.now / 1e9,
      sim->sched.dispatched, sim->pool.allocated, sim->nodes->len,
      sim->links->len, sim->flows->len, sent, received, lost, drops);
}

gboolean results_write(const struct sim *sim, const char *dir, GError **error) {
  struct {
    const char *name;
    char *(*make)(const struct sim *);
  } tables[] = {{"flows.tsv", flows_table},
                {"links.tsv", links_table},
                {"nodes.tsv", nodes_table},
                {"summary.tsv", summary_table},
                {"handoffs.tsv", handoff_table},
                {"handoff_flows.tsv", handoff_flows_table}};
  for (gsize i = 0; i < G_N_ELEMENTS(tables); i++) {
    g_autofree char *text = tables[i].make(sim);
    if (!results_write_file(dir, tables[i].name, text, strlen(text), error))
      return FALSE;
  }
  if (sim->bin_width > 0) {
    g_autofree char *text = timeseries_table(sim);
    if (!results_write_file(dir, "timeseries.tsv", text, strlen(text), error))
      return FALSE;
  }
  g_autofree char *signalling = signalling_table(sim);
  if (signalling && !results_write_file(dir, "signalling.tsv", signalling,
                                        strlen(signalling), error))
    return FALSE;
  for (guint i = 0; i < sim->tables->len; i++) {
    const struct sim_table *t =
        &g_array_index(sim->tables, struct sim_table, i);
    g_autofree char *text = t->make(sim, t->ctx);
    if (!results_write_file(dir, t->name, text, strlen(text), error))
      return FALSE;
  }
  if (sim->positions) {
    g_autofree char *text = positions_table(sim);
    if (!results_write_file(dir, "positions.tsv", text, strlen(text), error))
      return FALSE;
  }
  return TRUE;
}
