/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tables a run writes: flows.tsv, links.tsv, nodes.tsv, summary.tsv. */
#ifndef MIPSIM_RESULTS_H
#define MIPSIM_RESULTS_H

#include <glib.h>

struct sim;

#define MIPSIM_RESULTS_ERROR (mipsim_results_error_quark())
GQuark mipsim_results_error_quark(void);
enum { MIPSIM_RESULTS_ERROR_IO };

/* Creates dir (and parents) if needed. */
gboolean results_write(const struct sim *sim, const char *dir, GError **error);

/* Writes contents to dir/name through a temporary file and a rename, so a
 * reader never sees half a table. */
gboolean results_write_file(const char *dir, const char *name,
                            const char *contents, gsize len, GError **error);

#endif
