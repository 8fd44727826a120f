/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every unit test shares: small topologies built through the kernel
 * API, scenarios loaded from text or file, and the leak check a test ends
 * with.  The helpers fail the running cmocka test.
 *
 * How a test ends.  A test that built a sim ends with
 * test_sim_free_checked(sim).  "Drained" means: the run is over and
 * sim_teardown has dropped the frames still on links and freed every
 * application, fault, node, link, flow and cell, each of which cancels its
 * own events and frees the packets it holds (ARP queues, reassembly
 * buffers, TCP queues, protocol state).  After that no event may be
 * pending and no packet live.  Timers of protocols that would have fired
 * after the duration are legitimate at the end of the run and are
 * cancelled by their owners in teardown; what remains is a leak: an owner
 * that was freed without cancelling its event (which would fire into
 * freed memory) or a packet that no owner freed.  An event the test
 * scheduled itself must have fired or been cancelled by the test.
 *
 * A test that wants more, that traffic stopped by itself before the end
 * (every connection closed, every timer stopped), also asserts
 * test_assert_idle(sim) right after the run. */
#ifndef MIPSIM_TEST_HELPERS_H
#define MIPSIM_TEST_HELPERS_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/sim.h"
#include "sim/net/inet.h"

struct node;
struct link;
struct iface;
struct flow;
struct cell;
struct scenario_overrides;
struct module;

/* Parse or fail the test. */
struct ip_addr test_ip(const char *text);
struct prefix test_prefix(const char *text);

/* Adds the address "ADDR/LEN" to iface. */
void test_addr(struct iface *iface, const char *prefix);
/* A new interface of node on link, with the address prefix unless NULL. */
struct iface *test_attach(struct node *node, struct link *link,
                          const char *prefix);
/* A point-to-point link between a (address addr_a) and b (addr_b). */
struct link *test_p2p(struct sim *sim, const char *name, struct node *a,
                      const char *addr_a, struct node *b, const char *addr_b,
                      uint64_t bps, int64_t delay);
/* A LAN (shared medium) with no station yet: test_attach them. */
struct link *test_lan(struct sim *sim, const char *name, uint64_t bps,
                      int64_t delay);

/* The handoff-gap world of test-cell and test-handoff: cells c1 and c2
 * (100 m radius, 500 m apart) bridged onto one LAN; cn (10.0.0.1) on the
 * LAN sends mn (10.0.0.2) a 100-byte CBR packet every 10 ms from 1 ms to
 * 9 s (flow "f", port 40000); mn's radio (nearest cell, 200 ms layer-2
 * handoffs) is moved into c1 at 0 and into c2 at 5 s.  A 10 s run, not
 * yet started.  c1 and c2 may be NULL.  Transfer full. */
struct sim *test_gap_world(const char *name, struct cell **c1,
                           struct cell **c2);

/* The flow of that name, or fail. */
struct flow *test_flow(const struct sim *sim, const char *name);

/* A scenario from XML text (name only names it in messages) or from a
 * file (overrides may be NULL), with the protocol modules of the
 * NULL-terminated list modules (NULL: none, for the kernel's tests);
 * fails the test with the loader's message.  Transfer full. */
struct sim *test_scenario_text(const char *xml, const char *name,
                               const struct module *const *modules);
struct sim *test_scenario_file(const char *path,
                               const struct module *const *modules,
                               const struct scenario_overrides *overrides);

/* No event pending and no packet live now, before any teardown. */
void test_assert_idle(struct sim *sim);
/* Tears the run down, asserts it drained (above), frees it.  NULL is
 * accepted, as by sim_free. */
void test_sim_free_checked(struct sim *sim);

/* Wire-format builders for decoder tests.  An IPv4 header with no
 * options, ID 0 and no flags (as the reference captures have it) in front
 * of payload, with its checksum; a UDP datagram with its checksum (RFC
 * 768: a computed 0 goes as 0xffff) in such a packet.  Transfer full. */
GByteArray *test_ip4_wrap(uint8_t proto, uint32_t src, uint32_t dst,
                          uint8_t ttl, const uint8_t *payload, size_t len);
GByteArray *test_udp4_wrap(uint32_t src, uint32_t dst, uint8_t ttl,
                           uint16_t sport, uint16_t dport,
                           const uint8_t *payload, size_t len);
/* A copy of len bytes in an allocation of exactly len (1 if 0), so that
 * the sanitizers and valgrind see a decoder read past the end.
 * Transfer full (g_free). */
uint8_t *test_exact(const uint8_t *b, size_t len);

/* For a test with a bare pool and no sim: asserts that no packet is live,
 * then frees the pool's buffers. */
void test_pool_free_checked(struct pkt_pool *pool);

#endif
