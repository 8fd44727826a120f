/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap traces through libpcap's dump API on a "dead" handle. */
#include "sim/results/trace.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/link.h"
#include "sim/results/results.h"

struct link_capture {
  pcap_t *handle;
  pcap_dumper_t *dumper;
  char *tmp_path;
  char *path;
};

struct pcap_trace {
  struct sim *sim;
  struct observer obs;
  struct link_capture *caps; /* by link id */
  guint n;
};

static void on_wire(void *ctx, const struct link *link, const struct pkt *pkt) {
  struct pcap_trace *t = ctx;
  if (pkt->lost || link->id >= t->n)
    return;
  int64_t now = sim_now(t->sim);
  struct pcap_pkthdr h = {
      .caplen = pkt->len,
      .len = pkt->len,
  };
  /* With nanosecond precision libpcap reads tv_usec as nanoseconds. */
  h.ts.tv_sec = (time_t)(now / SIM_S);
  h.ts.tv_usec = (suseconds_t)(now % SIM_S);
  pcap_dump((u_char *)t->caps[link->id].dumper, &h, pkt->data);
}

static void close_all(struct pcap_trace *t, bool keep) {
  for (guint i = 0; i < t->n; i++) {
    struct link_capture *c = &t->caps[i];
    if (c->dumper)
      pcap_dump_close(c->dumper);
    if (c->handle)
      pcap_close(c->handle);
    if (!keep && c->tmp_path)
      g_unlink(c->tmp_path);
    g_free(c->tmp_path);
    g_free(c->path);
  }
  for (guint i = 0; i < t->sim->links->len; i++)
    ((struct link *)g_ptr_array_index(t->sim->links, i))->traced = false;
  sim_unobserve(t->sim, &t->obs);
  g_free(t->caps);
  g_free(t);
}

struct pcap_trace *pcap_trace_start(struct sim *sim, const char *dir,
                                    GError **error) {
  if (g_mkdir_with_parents(dir, 0777) != 0) {
    int err = errno;
    g_set_error(error, MIPSIM_RESULTS_ERROR, MIPSIM_RESULTS_ERROR_IO,
                "cannot create directory %s: %s", dir, g_strerror(err));
    return NULL;
  }
  struct pcap_trace *t = g_new0(struct pcap_trace, 1);
  t->sim = sim;
  t->n = sim->links->len;
  t->caps = g_new0(struct link_capture, t->n);
  t->obs = (struct observer){.ctx = t, .on_wire = on_wire};
  sim_observe(sim, &t->obs);
  for (guint i = 0; i < t->n; i++) {
    struct link *link = g_ptr_array_index(sim->links, i);
    struct link_capture *c = &t->caps[i];
    g_autofree char *name = g_strdup_printf("%s.pcap", link->name);
    c->path = g_build_filename(dir, name, NULL);
    c->tmp_path = g_strdup_printf("%s.tmp", c->path);
    int dlt = link->ops->pcap_dlt;
    c->handle = pcap_open_dead_with_tstamp_precision(
        dlt, 65535, PCAP_TSTAMP_PRECISION_NANO);
    c->dumper = c->handle ? pcap_dump_open(c->handle, c->tmp_path) : NULL;
    if (!c->dumper) {
      g_set_error(error, MIPSIM_RESULTS_ERROR, MIPSIM_RESULTS_ERROR_IO,
                  "cannot write %s: %s", c->tmp_path,
                  c->handle ? pcap_geterr(c->handle) : "pcap_open_dead failed");
      close_all(t, false);
      return NULL;
    }
    link->traced = true;
  }
  return t;
}

gboolean pcap_trace_finish(struct pcap_trace *t, GError **error) {
  gboolean ok = TRUE;
  for (guint i = 0; i < t->n && ok; i++) {
    struct link_capture *c = &t->caps[i];
    if (pcap_dump_flush(c->dumper) != 0) {
      g_set_error(error, MIPSIM_RESULTS_ERROR, MIPSIM_RESULTS_ERROR_IO,
                  "cannot write %s", c->tmp_path);
      ok = FALSE;
    }
  }
  /* Close every dumper before renaming, so each file is complete. */
  GPtrArray *moves = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < t->n; i++) {
    struct link_capture *c = &t->caps[i];
    pcap_dump_close(c->dumper);
    c->dumper = NULL;
    g_ptr_array_add(moves, g_strdup(c->tmp_path));
    g_ptr_array_add(moves, g_strdup(c->path));
  }
  for (guint i = 0; ok && i < moves->len; i += 2) {
    if (g_rename(g_ptr_array_index(moves, i),
                 g_ptr_array_index(moves, i + 1)) != 0) {
      int err = errno;
      g_set_error(error, MIPSIM_RESULTS_ERROR, MIPSIM_RESULTS_ERROR_IO,
                  "cannot rename %s: %s", (char *)g_ptr_array_index(moves, i),
                  g_strerror(err));
      ok = FALSE;
    }
  }
  g_ptr_array_free(moves, TRUE);
  close_all(t, ok);
  return ok;
}
