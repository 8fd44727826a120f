/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap traces: one capture per link, written through libpcap. */
#ifndef MIPSIM_TRACE_H
#define MIPSIM_TRACE_H

#include <glib.h>

struct sim;
struct pcap_trace;

/* Opens DIR/<link>.pcap for every link (as temporary files) and subscribes
 * to their frames: Ethernet framing on LANs, raw IP on point-to-point
 * links, nanosecond timestamps of the moment each frame is fully received
 * (frames the loss model destroyed are not in the capture). */
struct pcap_trace *pcap_trace_start(struct sim *sim, const char *dir,
                                    GError **error);
/* Closes the captures and moves them to their final names. */
gboolean pcap_trace_finish(struct pcap_trace *t, GError **error);

#endif
