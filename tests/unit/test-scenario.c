/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of the scenario loader: good scenarios build the nodes, links,
 * addresses, routes, flows and faults they describe; every file in
 * tests/bad is rejected with the expected line and message; truncated and
 * concurrent loads neither crash nor leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sim/sim.h"

#include "sim/flow.h"
#include "sim/iface.h"
#include "sim/link.h"
#include "sim/node.h"
#include "sim/route.h"
#include "sim/scenario.h"

/* The source tree: $srcdir when run by "make check", else the parent of
 * the schema directory compiled in. */
static char *source_path(const char *relative) {
  const char *srcdir = g_getenv("srcdir");
  if (srcdir && *srcdir)
    return g_build_filename(srcdir, relative, NULL);
#ifdef MIPSIM_SOURCE_SCHEMA_DIR
  g_autofree char *top = g_path_get_dirname(MIPSIM_SOURCE_SCHEMA_DIR);
  return g_build_filename(top, relative, NULL);
#else
  return g_build_filename(".", relative, NULL);
#endif
}

static struct ip_addr ip(const char *text) {
  struct ip_addr a;
  assert_true(addr_parse(text, &a, NULL));
  return a;
}

static void assert_addr(const struct ip_addr *a, const char *expected) {
  char buf[ADDR_STRLEN];
  assert_string_equal(addr_format(a, buf), expected);
}

static void assert_prefix(const struct prefix *p, const char *expected) {
  char buf[ADDR_STRLEN];
  assert_non_null(p);
  g_autofree char *text = g_strdup_printf("%s/%u", addr_format(&p->addr, buf),
                                          p->len);
  assert_string_equal(text, expected);
}

static struct sim *load_ok(const char *relative,
                           const struct scenario_overrides *overrides) {
  g_autofree char *path = source_path(relative);
  g_autoptr(GError) error = NULL;
  struct sim *sim = scenario_load(path, overrides, &error);
  if (!sim)
    fail_msg("%s", error->message);
  assert_null(error);
  return sim;
}

static void test_good_minimal(void **state) {
  (void)state;
  struct sim *sim = load_ok("tests/scenarios/good-minimal.xml", NULL);

  assert_string_equal(sim->name, "minimal");
  assert_int_equal(sim->seed, 7);
  assert_int_equal(sim->run, 0);
  assert_int_equal(sim->duration, 5 * SIM_S);
  assert_false(sim->computed_routes);
  assert_int_equal(sim->metric, ROUTE_METRIC_HOPS);
  assert_true(sim->record_pcap);

  /* Nodes, in document order. */
  assert_int_equal(sim->nodes->len, 3);
  struct node *a = g_ptr_array_index(sim->nodes, 0);
  struct node *r = g_ptr_array_index(sim->nodes, 1);
  struct node *b = g_ptr_array_index(sim->nodes, 2);
  assert_string_equal(a->name, "a");
  assert_string_equal(r->name, "r");
  assert_string_equal(b->name, "b");
  assert_false(a->router);
  assert_true(r->router);
  assert_false(b->router);
  assert_ptr_equal(sim_find_node(sim, "r"), r);

  /* The LAN takes the default MTU and queue and has no loss. */
  assert_int_equal(sim->links->len, 2);
  struct link *home = sim_find_link(sim, "home");
  struct link *wan = sim_find_link(sim, "wan");
  assert_non_null(home);
  assert_non_null(wan);
  assert_int_equal(home->kind, LINK_LAN);
  assert_int_equal(home->bps, 100000000);
  assert_int_equal(home->delay, 1000);
  assert_int_equal(home->mtu, LINK_DEFAULT_MTU);
  assert_int_equal(home->queue_limit, LINK_DEFAULT_QUEUE);
  assert_int_equal(home->loss.kind, LOSS_NONE);
  assert_int_equal(home->n_ends, 2);

  assert_int_equal(wan->kind, LINK_P2P);
  assert_int_equal(wan->bps, 2000000);
  assert_int_equal(wan->delay, 10 * SIM_MS);
  assert_int_equal(wan->mtu, 1280);
  assert_int_equal(wan->queue_limit, 50);
  assert_int_equal(wan->n_ends, 2);
  /* <loss> came before the <end>s; loss-good took its default. */
  assert_int_equal(wan->loss.kind, LOSS_GILBERT_ELLIOTT);
  assert_float_equal(wan->loss.p_good_bad, 0.01, 1e-12);
  assert_float_equal(wan->loss.p_bad_good, 0.25, 1e-12);
  assert_float_equal(wan->loss.loss_good, 0.0, 1e-12);
  assert_float_equal(wan->loss.loss_bad, 0.5, 1e-12);
  struct rng expected_rng;
  sim_rng(sim, &expected_rng, "link/wan/loss");
  assert_memory_equal(&wan->loss.rng, &expected_rng, sizeof expected_rng);

  /* Interfaces and their addresses. */
  struct iface *a_home = node_iface_on(a, home);
  struct iface *r_home = node_iface_on(r, home);
  struct iface *r_wan = node_iface_on(r, wan);
  struct iface *b_wan = node_iface_on(b, wan);
  assert_non_null(a_home);
  assert_non_null(r_home);
  assert_non_null(r_wan);
  assert_non_null(b_wan);
  assert_null(node_iface_on(a, wan));
  assert_prefix(iface_addr(a_home, 4), "10.1.0.10/24");
  assert_prefix(iface_addr(a_home, 6), "2001:db8:1::10/64");
  assert_prefix(iface_addr(r_wan, 4), "10.2.0.1/30");
  assert_null(iface_addr(r_wan, 6));
  assert_prefix(iface_addr(b_wan, 6), "2001:db8:2::2/64");
  assert_true(r_home->ingress_filter);
  assert_false(r_wan->ingress_filter);
  assert_false(a_home->ingress_filter);

  /* Static routes: through a gateway, through a named link and a
   * gateway, and on-link. */
  struct nexthop nh;
  struct ip_addr dst = ip("10.2.0.2");
  assert_true(route_lookup(a, &dst, &nh));
  assert_ptr_equal(nh.oif, a_home);
  assert_addr(&nh.gw, "10.1.0.1");
  dst = ip("10.1.0.10");
  assert_true(route_lookup(b, &dst, &nh));
  assert_ptr_equal(nh.oif, b_wan);
  assert_addr(&nh.gw, "10.2.0.1");
  dst = ip("2001:db8:2::2");
  assert_true(route_lookup(a, &dst, &nh));
  assert_ptr_equal(nh.oif, a_home);
  assert_int_equal(nh.gw.family, 0);

  /* Flows in document order; the cbr defaults to IPv4 (both ends have
   * it), the ping to a bare address needs no "to". */
  assert_int_equal(sim->flows->len, 4);
  struct flow *udp = g_ptr_array_index(sim->flows, 0);
  struct flow *echo = g_ptr_array_index(sim->flows, 1);
  struct flow *stray = g_ptr_array_index(sim->flows, 2);
  struct flow *second = g_ptr_array_index(sim->flows, 3);
  assert_string_equal(udp->name, "udp");
  assert_string_equal(udp->kind, "udp-cbr");
  assert_addr(&udp->dst, "10.2.0.2");
  assert_addr(&udp->src, "10.1.0.10");
  assert_int_equal(udp->ttl0, 32);
  assert_string_equal(echo->name, "echo");
  assert_string_equal(echo->kind, "icmp-echo");
  assert_addr(&echo->dst, "2001:db8:2::2");
  assert_string_equal(stray->name, "stray");
  assert_addr(&stray->dst, "192.0.2.1");
  assert_string_equal(second->name, "second");
  assert_addr(&second->dst, "10.1.0.10");
  assert_int_equal(second->ttl0, 64);

  /* wan down and up, r down for good. */
  assert_int_equal(sim->faults->len, 3);
  sim_free(sim);
}

static void test_demo(void **state) {
  (void)state;
  struct sim *sim = load_ok("scenarios/demo.xml", NULL);
  assert_string_equal(sim->name, "demo");
  assert_int_equal(sim->seed, 1);
  assert_int_equal(sim->duration, 10 * SIM_S);
  assert_true(sim->computed_routes);
  assert_int_equal(sim->metric, ROUTE_METRIC_DELAY);
  assert_false(sim->record_pcap);
  assert_int_equal(sim->nodes->len, 5);
  assert_int_equal(sim->links->len, 4);
  assert_int_equal(sim->flows->len, 2);
  assert_int_equal(sim->faults->len, 2);
  /* IPv4 and IPv6 on every interface. */
  assert_int_equal(sim->ifaces->len, 8);
  for (guint i = 0; i < sim->ifaces->len; i++) {
    struct iface *iface = g_ptr_array_index(sim->ifaces, i);
    assert_non_null(iface_addr(iface, 4));
    assert_non_null(iface_addr(iface, 6));
  }
  struct link *core1 = sim_find_link(sim, "core1");
  struct link *core2 = sim_find_link(sim, "core2");
  assert_int_equal(core1->bps, 100000000);
  assert_int_equal(core1->delay, 5 * SIM_MS);
  assert_int_equal(core2->bps, 10000000);
  assert_int_equal(core2->delay, 20 * SIM_MS);
  struct flow *cbr = g_ptr_array_index(sim->flows, 0);
  struct flow *ping = g_ptr_array_index(sim->flows, 1);
  assert_addr(&cbr->dst, "10.2.0.10");
  assert_addr(&ping->dst, "2001:db8:2::10");
  sim_free(sim);
}

static void test_overrides(void **state) {
  (void)state;
  struct scenario_overrides o = {.has_seed = true, .seed = 99, .run = 3};
  struct sim *sim = load_ok("tests/scenarios/good-minimal.xml", &o);
  assert_int_equal(sim->seed, 99);
  assert_int_equal(sim->run, 3);
  struct rng expected_rng;
  sim_rng(sim, &expected_rng, "link/wan/loss");
  assert_memory_equal(&sim_find_link(sim, "wan")->loss.rng, &expected_rng,
                      sizeof expected_rng);
  sim_free(sim);

  o = (struct scenario_overrides){.run = 2};
  sim = load_ok("tests/scenarios/good-minimal.xml", &o);
  assert_int_equal(sim->seed, 7);
  assert_int_equal(sim->run, 2);
  sim_free(sim);
}

/* Every file in tests/bad, the line its error must name, and a fragment
 * of the message. */
static const struct bad_case {
  const char *file;
  int code;
  int line;
  const char *fragment;
} bad_cases[] = {
    {"not-well-formed.xml", MIPSIM_SCENARIO_ERROR_SYNTAX, 9,
     "Opening and ending tag mismatch"},
    {"empty.xml", MIPSIM_SCENARIO_ERROR_SYNTAX, 1, "Document is empty"},
    {"doctype.xml", MIPSIM_SCENARIO_ERROR_SYNTAX, 2,
     "DOCTYPE declarations are not allowed"},
    {"unknown-element.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 14,
     "Did not expect element switch there"},
    {"unknown-attribute.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 5,
     "Invalid attribute colour for element host"},
    {"missing-attribute.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 10,
     "Element link failed to validate attributes"},
    {"wrong-namespace.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 2,
     "wrong namespace: expecting urn:mipsim:scenario:1"},
    {"bad-keyword.xml", MIPSIM_SCENARIO_ERROR_SCHEMA, 3,
     "Invalid attribute mode for element routing"},
    {"dangling-node.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "end: node: there is no host or router named 'c'"},
    {"duplicate-node.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "router: duplicate node name 'a' (first defined on line 3)"},
    {"duplicate-link.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "lan: duplicate link name 'l1' (first defined on line 6)"},
    {"duplicate-flow.xml", MIPSIM_SCENARIO_ERROR_INVALID, 15,
     "ping: duplicate flow name 'f1'"},
    {"bad-name.xml", MIPSIM_SCENARIO_ERROR_INVALID, 5,
     "host: name '2b' is not a valid name"},
    {"bad-ipv4.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "end: ipv4: '10.0.0.300' is not an IPv4 or IPv6 address"},
    {"bad-prefix-length.xml", MIPSIM_SCENARIO_ERROR_INVALID, 7,
     "prefix length must be 0 to 32"},
    {"family-mismatch.xml", MIPSIM_SCENARIO_ERROR_INVALID, 11,
     "end: ipv4: '2001:db8::1/64' is an IPv6 address"},
    {"duplicate-address.xml", MIPSIM_SCENARIO_ERROR_INVALID, 11,
     "address 10.0.1.1 is already used on line 7"},
    {"bad-delay-unit.xml", MIPSIM_SCENARIO_ERROR_INVALID, 10,
     "link: delay: '5 parsecs' is not a time: unknown unit 'parsecs'"},
    {"bad-rate.xml", MIPSIM_SCENARIO_ERROR_INVALID, 10,
     "link: bandwidth: '10MB' is not a rate: unknown unit 'MB'"},
    {"mtu-too-small.xml", MIPSIM_SCENARIO_ERROR_INVALID, 10,
     "link: mtu: '40B' is out of range (68B to 65535B)"},
    {"three-ends.xml", MIPSIM_SCENARIO_ERROR_INVALID, 13,
     "end: link l2 is point-to-point and already has two ends"},
    {"one-end.xml", MIPSIM_SCENARIO_ERROR_INVALID, 6,
     "link: a point-to-point link needs two <end>s, l1 has 1"},
    {"ingress-filter-host.xml", MIPSIM_SCENARIO_ERROR_INVALID, 12,
     "end: ingress-filter: b is a host"},
    {"route-gateway-off-subnet.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "route: via: 10.0.2.1 is on none of a's subnets"},
    {"route-host-bits.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "did you mean 10.0.2.0/24?"},
    {"cbr-no-family.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "cbr: to: b has no IPv6 address"},
    {"cbr-self.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "cbr: from and to are both a"},
    {"cbr-interval-and-rate.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "cbr: give either interval or rate"},
    {"ping-count-zero.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "ping: count: must be at least 1, not 0"},
    {"fault-after-end.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "fault: down: at or after the end of the scenario"},
    {"fault-up-before-down.xml", MIPSIM_SCENARIO_ERROR_INVALID, 14,
     "fault: up: must be after down"},
    {"fault-overlap.xml", MIPSIM_SCENARIO_ERROR_INVALID, 15,
     "fault: overlaps the fault on line 14"},
    {"zero-duration.xml", MIPSIM_SCENARIO_ERROR_INVALID, 2,
     "scenario: duration: must be greater than zero"},
};

static void check_rejected(const char *path, int code, int line,
                           const char *fragment) {
  g_autoptr(GError) error = NULL;
  struct sim *sim = scenario_load(path, NULL, &error);
  if (sim) {
    sim_free(sim);
    fail_msg("%s was accepted", path);
  }
  assert_non_null(error);
  assert_true(g_error_matches(error, MIPSIM_SCENARIO_ERROR, code));
  g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, line);
  if (!g_str_has_prefix(error->message, prefix) ||
      !strstr(error->message, fragment))
    fail_msg("%s: got \"%s\", expected \"%s...%s\"", path, error->message,
             prefix, fragment);
}

static void test_bad_files(void **state) {
  (void)state;
  g_autofree char *dir = source_path("tests/bad");
  for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
    const struct bad_case *c = &bad_cases[i];
    g_autofree char *path = g_build_filename(dir, c->file, NULL);
    check_rejected(path, c->code, c->line, c->fragment);
  }

  /* A file added to tests/bad without an entry above is a mistake. */
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  assert_non_null(d);
  const char *name;
  unsigned files = 0;
  while ((name = g_dir_read_name(d))) {
    if (!g_str_has_suffix(name, ".xml"))
      continue;
    files++;
    size_t i = 0;
    while (i < G_N_ELEMENTS(bad_cases) && strcmp(bad_cases[i].file, name))
      i++;
    if (i == G_N_ELEMENTS(bad_cases))
      fail_msg("tests/bad/%s has no entry in bad_cases", name);
  }
  assert_int_equal(files, G_N_ELEMENTS(bad_cases));
}

/* Temporary files for the tests below, removed by teardown. */
struct tmp {
  char *dir;
  GPtrArray *files;
};

static int tmp_setup(void **state) {
  struct tmp *t = g_new0(struct tmp, 1);
  t->dir = g_dir_make_tmp("mipsim-test-scenario-XXXXXX", NULL);
  t->files = g_ptr_array_new_with_free_func(g_free);
  *state = t;
  return t->dir ? 0 : -1;
}

static int tmp_teardown(void **state) {
  struct tmp *t = *state;
  for (guint i = 0; i < t->files->len; i++)
    g_remove(g_ptr_array_index(t->files, i));
  g_rmdir(t->dir);
  g_ptr_array_unref(t->files);
  g_free(t->dir);
  g_free(t);
  return 0;
}

static char *tmp_write(struct tmp *t, const char *name, const char *text,
                       gssize len) {
  char *path = g_build_filename(t->dir, name, NULL);
  assert_true(g_file_set_contents(path, text, len, NULL));
  g_ptr_array_add(t->files, g_strdup(path));
  return path;
}

static const char tiny[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario xmlns=\"urn:mipsim:scenario:1\" duration=\"1s\">\n"
    "  <host name=\"a\"/>\n"
    "</scenario>\n";

static void test_defaults_and_io(void **state) {
  struct tmp *t = *state;
  g_autofree char *path = tmp_write(t, "my-net.xml", tiny, -1);
  g_autoptr(GError) error = NULL;
  struct sim *sim = scenario_load(path, NULL, &error);
  assert_non_null(sim);
  /* The name comes from the file, the seed defaults to 1. */
  assert_string_equal(sim->name, "my-net");
  assert_int_equal(sim->seed, 1);
  assert_true(sim->computed_routes);
  assert_int_equal(sim->metric, ROUTE_METRIC_DELAY);
  assert_false(sim->record_pcap);
  assert_int_equal(sim->flows->len, 0);
  sim_free(sim);

  g_autofree char *missing = g_build_filename(t->dir, "missing.xml", NULL);
  sim = scenario_load(missing, NULL, &error);
  assert_null(sim);
  assert_true(g_error_matches(error, MIPSIM_SCENARIO_ERROR,
                              MIPSIM_SCENARIO_ERROR_IO));
  g_autofree char *prefix = g_strdup_printf("%s:0: ", missing);
  assert_true(g_str_has_prefix(error->message, prefix));
  g_clear_error(&error);

  /* A directory is not read (nor would a FIFO be, which would block). */
  sim = scenario_load(t->dir, NULL, &error);
  assert_null(sim);
  assert_true(g_error_matches(error, MIPSIM_SCENARIO_ERROR,
                              MIPSIM_SCENARIO_ERROR_IO));
}

/* MIPSIM_SCHEMA_DIR wins; a missing or broken schema is an I/O error that
 * names the schema file. */
static void test_schema_dir(void **state) {
  struct tmp *t = *state;
  g_autofree char *path = tmp_write(t, "tiny.xml", tiny, -1);
  g_autofree char *old = g_strdup(g_getenv("MIPSIM_SCHEMA_DIR"));
  assert_true(g_setenv("MIPSIM_SCHEMA_DIR", t->dir, TRUE));

  g_autofree char *schema = scenario_schema_path();
  g_autofree char *expected = g_build_filename(t->dir, "mipsim.rng", NULL);
  assert_string_equal(schema, expected);

  g_autoptr(GError) error = NULL;
  assert_null(scenario_load(path, NULL, &error));
  assert_true(g_error_matches(error, MIPSIM_SCENARIO_ERROR,
                              MIPSIM_SCENARIO_ERROR_IO));
  assert_true(g_str_has_prefix(error->message, expected));
  g_clear_error(&error);

  g_free(tmp_write(t, "mipsim.rng",
                   "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\">"
                   "<start><ref name=\"nowhere\"/></start></grammar>",
                   -1));
  assert_null(scenario_load(path, NULL, &error));
  assert_true(g_error_matches(error, MIPSIM_SCENARIO_ERROR,
                              MIPSIM_SCENARIO_ERROR_IO));
  g_autofree char *prefix = g_strdup_printf("%s:1: ", expected);
  assert_true(g_str_has_prefix(error->message, prefix));

  if (old)
    g_setenv("MIPSIM_SCHEMA_DIR", old, TRUE);
  else
    g_unsetenv("MIPSIM_SCHEMA_DIR");
  g_autofree char *source = scenario_schema_path();
  assert_true(g_file_test(source, G_FILE_TEST_IS_REGULAR));
}

/* The demo cut at every 50th byte: each piece is rejected (only the
 * whole file is accepted), with a located message, and nothing leaks. */
static void test_truncated(void **state) {
  struct tmp *t = *state;
  g_autofree char *demo = source_path("scenarios/demo.xml");
  g_autofree char *text = NULL;
  gsize len = 0;
  assert_true(g_file_get_contents(demo, &text, &len, NULL));
  g_autofree char *path = tmp_write(t, "cut.xml", "", 0);
  g_autofree char *prefix = g_strdup_printf("%s:", path);
  for (gsize cut = 0; cut < len; cut += 50) {
    assert_true(g_file_set_contents(path, text, (gssize)cut, NULL));
    g_autoptr(GError) error = NULL;
    struct sim *sim = scenario_load(path, NULL, &error);
    /* Only whitespace is missing after the root element's end. */
    if (sim) {
      assert_true(cut > len - 3);
      sim_free(sim);
      continue;
    }
    assert_true(g_str_has_prefix(error->message, prefix));
  }
}

/* Loads share nothing: several threads load at once. */
static gpointer load_repeatedly(gpointer data) {
  for (int i = 0; i < 5; i++) {
    struct sim *sim = scenario_load(data, NULL, NULL);
    if (!sim)
      return GINT_TO_POINTER(FALSE);
    sim_free(sim);
  }
  return GINT_TO_POINTER(TRUE);
}

static void test_threads(void **state) {
  (void)state;
  g_autofree char *demo = source_path("scenarios/demo.xml");
  GThread *threads[4];
  for (unsigned i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("load", load_repeatedly, demo);
  for (unsigned i = 0; i < G_N_ELEMENTS(threads); i++)
    assert_true(GPOINTER_TO_INT(g_thread_join(threads[i])));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_minimal),
      cmocka_unit_test(test_demo),
      cmocka_unit_test(test_overrides),
      cmocka_unit_test(test_bad_files),
      cmocka_unit_test_setup_teardown(test_defaults_and_io, tmp_setup,
                                      tmp_teardown),
      cmocka_unit_test_setup_teardown(test_schema_dir, tmp_setup,
                                      tmp_teardown),
      cmocka_unit_test_setup_teardown(test_truncated, tmp_setup,
                                      tmp_teardown),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
