/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Handler chains keyed by a number: the one table behind IP protocol
 * numbers, UDP ports and ICMP types (the rule is written in ip.h). */
#ifndef MIPSIM_DISPATCH_H
#define MIPSIM_DISPATCH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Any handler type; callers cast back to the type of their table. */
typedef void (*dispatch_fn)(void);

struct dispatch_entry {
  uint32_t key;
  dispatch_fn fn;
  void *ctx;
};

/* Every node has one of these for protocols, ports and ICMP types, most
 * with a handful of handlers: up to DISPATCH_SMALL live in one array kept
 * sorted by key (registration order within a key), scanned.  Beyond that
 * they move to a hash of chains with a hash set for the duplicate check,
 * so that registration stays O(1) and a node with thousands of flows sets
 * up in time linear in them. */
#define DISPATCH_SMALL 16
struct dispatch_big {
  GHashTable *chains;  /* key -> GArray of struct dispatch_entry */
  GHashTable *members; /* (key, fn, ctx) registered */
};
struct dispatch {
  struct dispatch_entry *small; /* n_small of them, exactly: the memory of a
                                 * node counts */
  uint32_t n_small;
  uint32_t probes;          /* entries registrations compared: tests check that
                             * set-up costs a constant per registration */
  struct dispatch_big *big; /* NULL: the small array holds them all */
};

/* Appends (fn, ctx) to key's chain; false if that very pair is already
 * there. */
bool dispatch_add(struct dispatch *d, uint32_t key, dispatch_fn fn, void *ctx);
void dispatch_remove(struct dispatch *d, uint32_t key, dispatch_fn fn,
                     void *ctx);
/* The chain of key in registration order and its length (0: NULL).  Valid
 * until the next change of key's chain: a handler must not register or
 * remove handlers of the key it is called for. */
const struct dispatch_entry *dispatch_chain(const struct dispatch *d,
                                            uint32_t key, guint *n);
void dispatch_clear(struct dispatch *d);

#endif
