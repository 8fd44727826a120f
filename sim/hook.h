/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IP hook points protocol modules attach to. */
#ifndef MIPSIM_HOOK_H
#define MIPSIM_HOOK_H

struct node;
struct pkt;
struct iface;

enum ip_hook {
  IP_HOOK_PRE_ROUTING,  /* every packet received, before the route lookup */
  IP_HOOK_LOCAL_IN,     /* packets for this node, before the protocol */
  IP_HOOK_FORWARD,      /* packets being forwarded, out chosen */
  IP_HOOK_LOCAL_OUT,    /* packets this node originates, before routing */
  IP_HOOK_POST_ROUTING, /* every packet leaving, out chosen */
  IP_HOOK_COUNT
};

enum ip_verdict {
  IP_ACCEPT, /* continue */
  IP_DROP,   /* the kernel frees it and counts DROP_FILTERED */
  IP_STOLEN, /* the hook took the packet (freed it, queued it, or sent it) */
};

/* pkt->data is at the IP header (IPv4 or IPv6: read the version nibble).
 * in is the receiving interface (NULL for LOCAL_OUT), out the chosen output
 * interface (FORWARD, POST_ROUTING; NULL otherwise).  A hook may rewrite
 * the packet in place (it then fixes the checksums). */
typedef enum ip_verdict (*ip_hook_fn)(void *ctx, struct node *node,
                                      struct pkt *pkt, struct iface *in,
                                      struct iface *out);

#endif
