/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IP layer's dispatch rule, hook priorities and registered drop
 * reasons, on two hosts a - b joined by one link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first. */
#include <cmocka.h>

#include <glib/gstdio.h>
#include <string.h>

#include "sim/core/dispatch.h"
#include "sim/core/sim.h"
#include "sim/net/icmp.h"
#include "sim/net/iface.h"
#include "sim/net/inet.h"
#include "sim/net/ip.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/udp.h"
#include "sim/results/results.h"
#include "tests/unit/helpers.h"

/* a (10.0.0.1) - b (10.0.0.2), 10 Mb/s, 1 ms. */
struct pair {
  struct sim *sim;
  struct node *a, *b;
};

static struct pair pair_new(void) {
  struct pair p;
  p.sim = sim_new("pair", 1, 0);
  p.sim->duration = SIM_S;
  p.a = node_new(p.sim, "a", false);
  p.b = node_new(p.sim, "b", false);
  struct link *l = link_new(p.sim, "l", &link_p2p_ops, 10000000, SIM_MS);
  struct prefix pa, pb;
  assert_true(prefix_parse("10.0.0.1/24", &pa, NULL));
  assert_true(prefix_parse("10.0.0.2/24", &pb, NULL));
  iface_add_addr(iface_new(p.a, l), &pa);
  iface_add_addr(iface_new(p.b, l), &pb);
  return p;
}

static void pair_free(struct pair *p) {
  assert_int_equal(sched_pending_count(&p->sim->sched), 0);
  assert_int_equal(p->sim->pool.live_count, 0);
  test_sim_free_checked(p->sim);
}

#define PROTO_TEST 253

/* From a to b: an IP packet of protocol PROTO_TEST, 100 bytes. */
static void send_test(struct pair *p) {
  struct pkt *pkt = pkt_new(&p->sim->pool, 100);
  memset(pkt->data, 0, 100);
  struct ip_tx tx = {.dst = addr_v4(0x0a000002), .proto = PROTO_TEST};
  ip_send(p->a, pkt, &tx);
}

/* Each handler appends its tag to the log; it takes the packet if told
 * to. */
struct handler {
  GString *log;
  char tag;
  bool take;
};

static bool proto_rx(void *ctx, struct node *node, struct pkt *pkt,
                     struct iface *in) {
  (void)node;
  (void)in;
  struct handler *h = ctx;
  g_string_append_c(h->log, h->tag);
  if (h->take)
    pkt_free(pkt);
  return h->take;
}

static void test_first_declines_second_takes(void **state) {
  (void)state;
  struct pair p = pair_new();
  g_autoptr(GString) log = g_string_new("");
  struct handler h1 = {log, '1', false}, h2 = {log, '2', true},
                 h3 = {log, '3', true};
  ip_proto_register(p.b, 4, PROTO_TEST, proto_rx, &h1);
  ip_proto_register(p.b, 4, PROTO_TEST, proto_rx, &h2);
  ip_proto_register(p.b, 4, PROTO_TEST, proto_rx, &h3);
  send_test(&p);
  sim_run(p.sim, 0, NULL, NULL);
  /* The second takes it: the third never sees it, nothing is dropped. */
  assert_string_equal(log->str, "12");
  assert_int_equal(drop_counters_get(&p.b->cnt.drops, DROP_UNREACHABLE), 0);
  assert_int_equal(p.b->cnt.icmp_errors_sent, 0);
  pair_free(&p);
}

static bool on_unreach(void *ctx, struct node *node, struct pkt *pkt,
                       uint32_t off, struct iface *in) {
  (void)node;
  (void)in;
  int *code = ctx;
  *code = pkt->data[off + 1];
  pkt_free(pkt);
  return true;
}

static void test_no_taker_gets_protocol_unreachable(void **state) {
  (void)state;
  struct pair p = pair_new();
  g_autoptr(GString) log = g_string_new("");
  struct handler h1 = {log, '1', false};
  ip_proto_register(p.b, 4, PROTO_TEST, proto_rx, &h1);
  int code = -1;
  icmp_register(p.a, 4, ICMP_DEST_UNREACH, on_unreach, &code);
  send_test(&p);
  sim_run(p.sim, 0, NULL, NULL);
  assert_string_equal(log->str, "1");
  assert_int_equal(drop_counters_get(&p.b->cnt.drops, DROP_UNREACHABLE), 1);
  assert_int_equal(p.b->cnt.icmp_errors_sent, 1);
  assert_int_equal(code, ICMP_UNREACH_PROTO);
  pair_free(&p);
}

struct udp_handler {
  GString *log;
  char tag;
  bool take;
};

static bool udp_rx(void *ctx, struct node *node, struct pkt *pkt,
                   const struct udp_rx *rx) {
  (void)node;
  (void)rx;
  struct udp_handler *h = ctx;
  g_string_append_c(h->log, h->tag);
  if (h->take)
    pkt_free(pkt);
  return h->take;
}

/* A second datagram, after the handler that took the first has gone. */
struct udp_case {
  struct sched_event ev;
  struct pair *p;
  struct udp_handler *taker;
};

static void send_udp(struct pair *p) {
  struct ip_addr src = {0}, dst = addr_v4(0x0a000002);
  udp_send(p->a, pkt_new(&p->sim->pool, 10), &src, &dst, 434, 434, 0);
}

static void second_datagram(struct sched_event *ev) {
  struct udp_case *u = (struct udp_case *)ev;
  udp_unregister(u->p->b, 434, udp_rx, u->taker);
  send_udp(u->p);
}

/* The same rule for a port; the port counts as taken for the loader. */
static void test_udp_port_chain(void **state) {
  (void)state;
  struct pair p = pair_new();
  g_autoptr(GString) log = g_string_new("");
  struct udp_handler h1 = {log, '1', false}, h2 = {log, '2', true};
  assert_false(udp_port_taken(p.b, 434));
  udp_register(p.b, 434, udp_rx, &h1);
  udp_register(p.b, 434, udp_rx, &h2);
  assert_true(udp_port_taken(p.b, 434));
  int code = -1;
  icmp_register(p.a, 4, ICMP_DEST_UNREACH, on_unreach, &code);
  send_udp(&p);
  struct udp_case u = {.p = &p, .taker = &h2};
  sched_event_init(&u.ev, second_datagram);
  sched_at(&p.sim->sched, &u.ev, 100 * SIM_MS);
  sim_run(p.sim, 0, NULL, NULL);
  /* The first: 1 declines, 2 takes.  The second: 1 declines, and a port
   * nobody takes is unreachable. */
  assert_string_equal(log->str, "121");
  assert_int_equal(code, ICMP_UNREACH_PORT);
  assert_int_equal(drop_counters_get(&p.b->cnt.drops, DROP_UNREACHABLE), 1);
  pair_free(&p);
}

/* Hooks record their tag; they run by priority, ties in registration
 * order, whatever order they were added in. */
struct hook {
  GString *log;
  char tag;
};

static struct ip_verdict tag_hook(void *ctx, struct node *node, struct pkt *pkt,
                                  struct iface *in, struct iface *out) {
  (void)node;
  (void)pkt;
  (void)in;
  (void)out;
  struct hook *h = ctx;
  g_string_append_c(h->log, h->tag);
  return IP_ACCEPT;
}

static void test_hook_priorities(void **state) {
  (void)state;
  struct pair p = pair_new();
  g_autoptr(GString) log = g_string_new("");
  struct hook obs = {log, 'o'}, mob = {log, 'm'}, f1 = {log, 'f'},
              f2 = {log, 'g'}, tun = {log, 't'};
  ip_hook_add(p.a, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_OBSERVE, tag_hook, &obs);
  ip_hook_add(p.a, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_MOBILITY, tag_hook, &mob);
  ip_hook_add(p.a, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_FILTER, tag_hook, &f1);
  ip_hook_add(p.a, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_TUNNEL, tag_hook, &tun);
  ip_hook_add(p.a, IP_HOOK_LOCAL_OUT, IP_HOOK_PRIO_FILTER, tag_hook, &f2);
  g_autoptr(GString) rlog = g_string_new("");
  struct handler take = {rlog, 'r', true};
  ip_proto_register(p.b, 4, PROTO_TEST, proto_rx, &take);
  send_test(&p);
  ip_hook_remove(p.a, IP_HOOK_LOCAL_OUT, tag_hook, &tun);
  send_test(&p);
  sim_run(p.sim, 0, NULL, NULL);
  assert_string_equal(log->str, "fgtmo"
                                "fgmo");
  assert_string_equal(rlog->str, "rr");
  pair_free(&p);
}

static struct ip_verdict drop_hook(void *ctx, struct node *node,
                                   struct pkt *pkt, struct iface *in,
                                   struct iface *out) {
  (void)node;
  (void)pkt;
  (void)in;
  (void)out;
  return ip_drop(*(const uint32_t *)ctx);
}

struct seen_drop {
  const struct sim *sim;
  char *name;
  const struct node *node;
};

static void on_drop(void *ctx, const struct node *node, const struct link *link,
                    const struct pkt *pkt, uint32_t reason) {
  (void)link;
  (void)pkt;
  struct seen_drop *s = ctx;
  g_free(s->name);
  s->name = g_strdup(drop_reason_name(s->sim, reason));
  s->node = node;
}

static char *read_table(const char *dir, const char *name) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  char *text = NULL;
  assert_true(g_file_get_contents(path, &text, NULL, NULL));
  return text;
}

static void test_registered_drop_reason(void **state) {
  (void)state;
  struct pair p = pair_new();
  uint32_t id = drop_reason_register(p.sim, "test_forged");
  assert_true(id >= DROP_KERNEL_COUNT);
  assert_int_equal(drop_reason_register(p.sim, "test_other"), id + 1);
  /* Idempotent by name. */
  assert_int_equal(drop_reason_register(p.sim, "test_forged"), id);
  assert_string_equal(drop_reason_name(p.sim, id), "test_forged");
  assert_string_equal(drop_reason_name(p.sim, DROP_FILTERED), "filtered");
  ip_hook_add(p.b, IP_HOOK_PRE_ROUTING, IP_HOOK_PRIO_FILTER, drop_hook, &id);
  struct seen_drop seen = {.sim = p.sim};
  struct observer obs = {.ctx = &seen, .on_drop = on_drop};
  sim_observe(p.sim, &obs);
  send_test(&p);
  sim_run(p.sim, 0, NULL, NULL);
  sim_unobserve(p.sim, &obs);
  assert_string_equal(seen.name, "test_forged");
  assert_ptr_equal(seen.node, p.b);
  g_free(seen.name);
  assert_int_equal(drop_counters_get(&p.b->cnt.drops, id), 1);
  assert_int_equal(drop_counters_get(&p.b->cnt.drops, id + 1), 0);
  assert_int_equal(drop_counters_get(&p.b->cnt.drops, DROP_FILTERED), 0);

  /* nodes.tsv: the kernel's columns, then one per registered reason. */
  g_autofree char *dir = g_dir_make_tmp("mipsim-test-dispatch-XXXXXX", NULL);
  assert_non_null(dir);
  assert_true(results_write(p.sim, dir, NULL));
  g_autofree char *nodes = read_table(dir, "nodes.tsv");
  assert_non_null(strstr(nodes, "\tdrop_handoff_pkts\tdrop_test_forged_pkts\t"
                                "drop_test_other_pkts\n"));
  assert_non_null(strstr(nodes, "\nb\thost\t"));
  assert_true(g_str_has_suffix(nodes, "\t0\t1\t0\n")); /* b, the last row */
  g_autofree char *summary = read_table(dir, "summary.tsv");
  assert_true(g_str_has_suffix(summary, "\t1\n")); /* dropped_pkts */
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *file = g_build_filename(dir, name, NULL);
    g_remove(file);
  }
  g_rmdir(dir);
  pair_free(&p);
}

static bool echo_watch(void *ctx, struct node *node, struct pkt *pkt,
                       uint32_t off, struct iface *in) {
  (void)node;
  (void)pkt;
  (void)off;
  (void)in;
  (*(int *)ctx)++;
  return false;
}

static bool echo_reply(void *ctx, struct node *node, struct pkt *pkt,
                       uint32_t off, struct iface *in) {
  (void)node;
  (void)off;
  (void)in;
  (*(int *)ctx)++;
  pkt_free(pkt);
  return true;
}

/* Many handlers of one ICMP type: past the first few, each registration
 * costs one probe (the old list walked to its tail, n(n-1)/2 steps for n),
 * each handler sees a message once, and an echo request they all decline
 * is still answered by the kernel. */
static void test_many_icmp_handlers(void **state) {
  (void)state;
  struct pair p = pair_new();
  enum { N = 5000 };
  int *counts = g_new0(int, 2 * N);
  for (int i = 0; i < N; i++)
    icmp_register(p.b, 4, ICMP_ECHO_REQUEST, echo_watch, &counts[i]);
  uint64_t first = p.b->icmp.probes;
  for (int i = N; i < 2 * N; i++)
    icmp_register(p.b, 4, ICMP_ECHO_REQUEST, echo_watch, &counts[i]);
  assert_int_equal(p.b->icmp.probes - first, N);
  assert_true(first < 2 * N);
  int replies = 0;
  icmp_register(p.a, 4, ICMP_ECHO_REPLY, echo_reply, &replies);
  struct ip_addr dst = addr_v4(0x0a000002);
  const uint8_t payload[8] = {0};
  icmp_send_echo(p.a, &dst, 1, 1, payload, sizeof payload, 0, 0);
  sim_run(p.sim, 0, NULL, NULL);
  for (int i = 0; i < 2 * N; i++)
    assert_int_equal(counts[i], 1);
  assert_int_equal(replies, 1);
  g_free(counts);
  pair_free(&p);
}

/* The very same (handler, context) twice is refused, in the small array
 * and after the move to the hash of chains; chains keep their order. */
static void test_duplicate_refused(void **state) {
  (void)state;
  struct dispatch d = {0};
  int x, y, many[2 * DISPATCH_SMALL];
  dispatch_fn fn = (dispatch_fn)echo_watch;
  for (int round = 0; round < 2; round++) {
    assert_true(dispatch_add(&d, 7, fn, &x));
    assert_false(dispatch_add(&d, 7, fn, &x));
    assert_true(dispatch_add(&d, 7, fn, &y));
    assert_true(dispatch_add(&d, 8, fn, &x));
    assert_true(dispatch_add(&d, 6, fn, &x));
    guint n;
    const struct dispatch_entry *e = dispatch_chain(&d, 7, &n);
    assert_int_equal(n, 2);
    assert_ptr_equal(e[0].ctx, &x);
    assert_ptr_equal(e[1].ctx, &y);
    dispatch_remove(&d, 7, fn, &x);
    e = dispatch_chain(&d, 7, &n);
    assert_int_equal(n, 1);
    assert_ptr_equal(e[0].ctx, &y);
    assert_true(dispatch_add(&d, 7, fn, &x));
    e = dispatch_chain(&d, 7, &n);
    assert_int_equal(n, 2);
    assert_ptr_equal(e[1].ctx, &x);
    assert_null(dispatch_chain(&d, 9, &n));
    assert_int_equal(n, 0);
    dispatch_remove(&d, 7, fn, &x);
    dispatch_remove(&d, 7, fn, &y);
    dispatch_remove(&d, 8, fn, &x);
    dispatch_remove(&d, 6, fn, &x);
    /* Round two runs the same after the move. */
    for (int i = 0; i < 2 * DISPATCH_SMALL && round == 0; i++)
      assert_true(dispatch_add(&d, 100, fn, &many[i]));
    assert_true(round == 1 || d.big != NULL);
  }
  dispatch_clear(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_first_declines_second_takes),
      cmocka_unit_test(test_no_taker_gets_protocol_unreachable),
      cmocka_unit_test(test_udp_port_chain),
      cmocka_unit_test(test_hook_priorities),
      cmocka_unit_test(test_registered_drop_reason),
      cmocka_unit_test(test_many_icmp_handlers),
      cmocka_unit_test(test_duplicate_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
