/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ARP (RFC 826) with a cache and timeouts, proxy ARP entries and
 * gratuitous ARP, as services protocol modules can call. */
#ifndef MIPSIM_ARP_H
#define MIPSIM_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/sched.h"

struct iface;
struct pkt;

#define ARP_REACHABLE_TIME (60 * SIM_S)
#define ARP_RETRANS_TIME (1 * SIM_S)
#define ARP_MAX_REQUESTS 3
/* Packets waiting for one resolution: Linux's unres_qlen default. */
#define ARP_MAX_PENDING 101

/* Sends pkt (data at the IPv4 header) to next hop ip on the LAN, now if
 * its MAC is known, else once ARP resolves it.  Consumes pkt. */
void arp_output(struct iface *oif, struct pkt *pkt, uint32_t ip);
/* An ARP packet (data at the ARP header).  Consumes pkt. */
void arp_input(struct iface *in, struct pkt *pkt);

/* Answer ARP requests for ip on this interface with the interface's own
 * MAC (a home agent standing in for an absent mobile node). */
void arp_proxy_add(struct iface *iface, uint32_t ip);
void arp_proxy_del(struct iface *iface, uint32_t ip);
bool arp_is_proxied(const struct iface *iface, uint32_t ip);

/* Broadcast a gratuitous ARP (a request with sender = target = ip) that
 * binds ip to mac in the caches of every station on the LAN that has an
 * entry for ip. */
void arp_announce(struct iface *iface, uint32_t ip, const uint8_t mac[6]);
/* Forget ip (e.g. a node that left); pending packets are dropped. */
void arp_forget(struct iface *iface, uint32_t ip);
/* Enter a binding learnt some other way (e.g. from a registration
 * request's source MAC). */
void arp_set(struct iface *iface, uint32_t ip, const uint8_t mac[6]);
/* Look up a valid entry. */
bool arp_lookup(struct iface *iface, uint32_t ip, uint8_t mac[6]);

/* Drop the whole cache; waiting packets die as DROP_HANDOFF (the
 * interface left its link). */
void arp_flush(struct iface *iface);

#endif
