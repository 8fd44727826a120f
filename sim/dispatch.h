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
  dispatch_fn fn;
  void *ctx;
};

/* Registration is O(1): an append to the key's chain and a hash lookup
 * for the duplicate check, so a node with thousands of flows sets up in
 * time linear in them. */
struct dispatch {
  GHashTable *chains;  /* key -> GArray of struct dispatch_entry; NULL: none */
  GHashTable *members; /* (key, fn, ctx) registered, for the duplicate check */
  uint64_t probes;     /* entries registrations looked at: tests check that
                        * set-up costs one per registration */
};

/* Appends (fn, ctx) to key's chain; false if that very pair is already
 * there. */
bool dispatch_add(struct dispatch *d, uint32_t key, dispatch_fn fn,
                  void *ctx);
void dispatch_remove(struct dispatch *d, uint32_t key, dispatch_fn fn,
                     void *ctx);
/* The chain of key in registration order and its length (0: NULL).  Valid
 * until the next change of key's chain: a handler must not register or
 * remove handlers of the key it is called for. */
const struct dispatch_entry *dispatch_chain(const struct dispatch *d,
                                            uint32_t key, guint *n);
void dispatch_clear(struct dispatch *d);

#endif
