/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of drop reasons, as they appear in result tables. */
#include "drop.h"

const char *drop_reason_name(enum drop_reason r) {
  static const char *const names[DROP_REASON_COUNT] = {
      [DROP_QUEUE_FULL] = "queue_full",
      [DROP_LINK_DOWN] = "link_down",
      [DROP_LOSS] = "loss",
      [DROP_NODE_DOWN] = "node_down",
      [DROP_NO_ROUTE] = "no_route",
      [DROP_TTL_EXPIRED] = "ttl_expired",
      [DROP_MALFORMED] = "malformed",
      [DROP_BAD_CHECKSUM] = "bad_checksum",
      [DROP_UNREACHABLE] = "unreachable",
      [DROP_FILTERED] = "filtered",
      [DROP_INGRESS_FILTER] = "ingress_filter",
      [DROP_TOO_BIG] = "too_big",
      [DROP_REASSEMBLY] = "reassembly",
      [DROP_NEIGH_UNRESOLVED] = "neigh_unresolved",
      [DROP_NOT_FOR_US] = "not_for_us",
      [DROP_HANDOFF] = "handoff",
  };
  return (unsigned)r < DROP_REASON_COUNT ? names[r] : "unknown";
}
