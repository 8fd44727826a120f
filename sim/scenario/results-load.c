/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loader of <record>: which results and traces a run records. */
#include "sim/scenario/load.h"

#include "sim/core/sim.h"
#include "sim/wireless/mobility.h"

/* A time series or position trace of more samples than this per flow or
 * node would take gigabytes: a typo in bin or positions. */
#define SAMPLES_MAX 1000000

/* Which <record> was loaded, for the one-only rule. */
struct record_state {
  long line; /* 0: none yet */
};

gboolean results_load_record(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct record_state *st = load_state(ld, "record", sizeof *st, NULL);
  if (st->line)
    return load_error(error, ld, n,
                      "only one <record> is allowed (the "
                      "first is on line %ld)",
                      st->line);
  st->line = xmlGetLineNo(n);
  struct sim *sim = ld->sim;
  sim->record_pcap = false;
  load_get_bool(n, "pcap", &sim->record_pcap);
  int64_t positions = 0, bin = 0;
  if (!load_get_time(ld, n, "positions", &positions, error) ||
      !load_get_duration(ld, n, "bin", &bin, error))
    return FALSE;
  if (positions > 0 && sim->duration / positions > SAMPLES_MAX)
    return load_error(error, ld, n,
                      "positions: a sample every %gs over the "
                      "run is more than %d per node",
                      load_seconds(positions), SAMPLES_MAX);
  if (bin > 0 && sim->duration / bin > SAMPLES_MAX)
    return load_error(error, ld, n,
                      "bin: %gs bins over the run are more "
                      "than %d per flow",
                      load_seconds(bin), SAMPLES_MAX);
  if (bin > 0)
    sim->bin_width = bin;
  if (positions > 0) {
    sim->positions_interval = positions;
    mobility_record_positions(sim);
  }
  return TRUE;
}
