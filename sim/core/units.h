/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Quantities as users write them in scenarios: "5ms", "10Mbps", "1500B". */
#ifndef MIPSIM_UNITS_H
#define MIPSIM_UNITS_H

#include <glib.h>
#include <stdint.h>

#define MIPSIM_UNITS_ERROR (mipsim_units_error_quark())
GQuark mipsim_units_error_quark(void);
enum { MIPSIM_UNITS_ERROR_INVALID };

/* "1.5s", "10us", "250ms", "2min", "1h", "0"; to integer nanoseconds,
 * rounded to the nearest nanosecond. */
gboolean units_parse_time(const char *text, int64_t *ns, GError **error);
/* "10Mbps", "1.5Gbps", "64kbps", "9600bps" (SI, decimal); to bits/s. */
gboolean units_parse_rate(const char *text, uint64_t *bps, GError **error);
/* "1500B", "64KiB", "1kB", "2MB", "1MiB"; to bytes. */
gboolean units_parse_size(const char *text, uint64_t *bytes, GError **error);
/* A plain non-negative integer, "64" or "1e6". */
gboolean units_parse_count(const char *text, uint64_t *n, GError **error);
/* A probability in [0, 1]: "0.01" or "1%". */
gboolean units_parse_probability(const char *text, double *p, GError **error);
/* "100m", "1.5km", "0"; to metres.  May be negative ("-50m"): the caller
 * decides where that makes sense (a coordinate, not a radius). */
gboolean units_parse_distance(const char *text, double *metres, GError **error);
/* "10m/s", "36km/h", "0"; to metres per second.  May be negative, like a
 * distance (a velocity component). */
gboolean units_parse_speed(const char *text, double *mps, GError **error);
/* A non-negative number without a unit: "2", "1.5", "2.5e-1". */
gboolean units_parse_number(const char *text, double *v, GError **error);

/* Serialization time of bytes at bps, rounded up to whole nanoseconds. */
int64_t units_tx_time(uint64_t bytes, uint64_t bps);

#endif
