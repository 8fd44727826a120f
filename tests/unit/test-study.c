/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of studies: statistics, combinations and seeds, setting
 * scenario attributes by XPath. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <math.h>
#include <string.h>

#include "study/study-stats.h"
#include "study/study.h"

static void test_stats(void **state) {
  (void)state;
  /* By hand: mean 2.5; squares of deviations 2.25+0.25+0.25+2.25 = 5,
   * sd = sqrt(5/3) = 1.2910; t(3) = 3.182; 3.182 * 1.2910 / 2 = 2.054. */
  double v[] = {1, 2, 3, 4};
  struct stats st = stats_of(v, 4);
  assert_int_equal(st.n, 4);
  assert_true(fabs(st.mean - 2.5) < 1e-12);
  assert_true(fabs(st.sd - 1.2910) < 1e-4);
  assert_true(fabs(st.ci95 - 2.054) < 1e-3);
  /* Missing values are left out; one value has no spread. */
  double w[] = {NAN, 7, NAN};
  st = stats_of(w, 3);
  assert_int_equal(st.n, 1);
  assert_true(st.mean == 7);
  assert_true(isnan(st.sd) && isnan(st.ci95));
  assert_true(fabs(stats_t95(1) - 12.706) < 1e-9);
  assert_true(fabs(stats_t95(30) - 2.042) < 1e-9);
  /* Beyond the table: t(40) = 2.0211, t(120) = 1.9799. */
  assert_true(fabs(stats_t95(40) - 2.0211) < 1e-3);
  assert_true(fabs(stats_t95(120) - 1.9799) < 1e-3);
}

static char *write_temp(const char *name, const char *text) {
  char *dir = g_dir_make_tmp("mipsim-study-XXXXXX", NULL);
  assert_non_null(dir);
  char *path = g_build_filename(dir, name, NULL);
  assert_true(g_file_set_contents(path, text, -1, NULL));
  g_free(dir);
  return path;
}

static const char study_3x2[] =
    "<study xmlns='urn:mipsim:scenario:1' name='s' scenario='x.xml' "
    "replications='4' seed='9'>"
    "<parameter name='a' path='link/@delay' values='1ms 2ms 3ms'/>"
    "<parameter name='b' path='host/@name' values='p q'/>"
    "</study>";

static void test_factorial(void **state) {
  (void)state;
  g_autofree char *path = write_temp("s.xml", study_3x2);
  g_autoptr(GError) error = NULL;
  struct study *s = study_load(path, false, NULL, &error);
  assert_non_null(s);
  assert_int_equal(s->combos->len, 6);
  assert_int_equal(study_runs(s), 24);
  /* The first parameter varies slowest. */
  char **c = g_ptr_array_index(s->combos, 0);
  assert_string_equal(c[0], "1ms");
  assert_string_equal(c[1], "p");
  c = g_ptr_array_index(s->combos, 3);
  assert_string_equal(c[0], "2ms");
  assert_string_equal(c[1], "q");
  /* Run index = combination * replications + replication. */
  assert_int_equal(study_combo_of(s, 0), 0);
  assert_int_equal(study_combo_of(s, 3), 0);
  assert_int_equal(study_combo_of(s, 4), 1);
  assert_int_equal(study_combo_of(s, 23), 5);
  /* Seeds depend on (study seed, run) only: the same whatever the order
   * they are computed in, distinct across runs and study seeds. */
  GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
  uint64_t seeds[24];
  for (guint r = 0; r < 24; r++) {
    seeds[r] = study_run_seed(s->seed, r);
    assert_false(g_hash_table_contains(seen, &seeds[r]));
    g_hash_table_add(seen, &seeds[r]);
  }
  for (guint r = 24; r-- > 0;)
    assert_true(study_run_seed(9, r) == seeds[r]);
  assert_true(study_run_seed(10, 0) != seeds[0]);
  g_hash_table_unref(seen);
  study_free(s);
}

static void test_range(void **state) {
  (void)state;
  g_autofree char *path = write_temp(
      "r.xml",
      "<study xmlns='urn:mipsim:scenario:1' name='s' scenario='x.xml'>\n"
      "<range name='i' path='@duration' from='100ms' to='0.5s' "
      "step='100ms'/></study>");
  g_autoptr(GError) error = NULL;
  struct study *s = study_load(path, false, NULL, &error);
  assert_non_null(s);
  struct study_param *p = g_ptr_array_index(s->params, 0);
  assert_int_equal(p->values->len, 5);
  assert_string_equal(g_ptr_array_index(p->values, 4), "500ms");
  study_free(s);
  g_autofree char *bad = write_temp(
      "b.xml",
      "<study xmlns='urn:mipsim:scenario:1' name='s' scenario='x.xml'>\n"
      "<range name='i' path='@duration' from='100ms' to='1s' "
      "step='100mss'/></study>");
  assert_null(study_load(bad, false, NULL, &error));
  g_autofree char *where = g_strdup_printf("%s:2: range: step: ", bad);
  assert_true(g_str_has_prefix(error->message, where));
}

static void test_xpath_set(void **state) {
  (void)state;
  static const char xml[] =
      "<scenario xmlns='urn:mipsim:scenario:1' name='n' duration='1s'>"
      "<link name='a' delay='1ms'/><link name='b' delay='2ms'/>"
      "<host name='mn'><mobile-node><mip4 detection='eager'/></mobile-node>"
      "</host></scenario>";
  xmlDoc *doc = xmlReadMemory(xml, sizeof xml - 1, "t.xml", NULL, 0);
  assert_non_null(doc);
  g_autoptr(GError) error = NULL;
  assert_int_equal(study_set(doc, "link[@name='b']/@delay", "7ms", &error), 1);
  assert_int_equal(study_set(doc,
                             "host[@name='mn']/mobile-node/mip4/@detection",
                             "lazy", &error),
                   1);
  assert_int_equal(study_set(doc, "/scenario/link/@delay", "3ms", &error), 2);
  xmlNode *root = xmlDocGetRootElement(doc);
  /* The namespace is back on every element. */
  assert_non_null(root->ns);
  xmlNode *b = root->children->next;
  assert_non_null(b->ns);
  xmlChar *d = xmlGetProp(b, BAD_CAST "delay");
  assert_string_equal((char *)d, "3ms");
  xmlFree(d);
  xmlChar *det = xmlGetProp(b->next->children->children, BAD_CAST "detection");
  assert_string_equal((char *)det, "lazy");
  xmlFree(det);
  assert_int_equal(study_set(doc, "link[@name='zz']/@delay", "1ms", &error), 0);
  assert_non_null(strstr(error->message, "matches nothing"));
  g_clear_error(&error);
  assert_int_equal(study_set(doc, "link", "1ms", &error), 0);
  assert_non_null(strstr(error->message, "not an attribute"));
  xmlFreeDoc(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stats),
      cmocka_unit_test(test_factorial),
      cmocka_unit_test(test_range),
      cmocka_unit_test(test_xpath_set),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
