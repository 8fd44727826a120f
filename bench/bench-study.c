/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark of studies: 200 short runs (4 x 5 combinations, 10
 * replications of a CBR flow over a lossy link, about 50-100 ms each),
 * wall time of 'mipsim study' with --jobs 1 and --jobs 2 (the median of
 * three each) and their ratio, which should be close to 2 on two cores.
 * Runs ./mipsim, or the program that $MIPSIM names. */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define REPEATS 3

static const char scenario_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<scenario xmlns=\"urn:mipsim:scenario:1\" name=\"bench\" "
    "duration=\"%s\" seed=\"1\">\n"
    "  <host name=\"a\"/>\n"
    "  <host name=\"b\"/>\n"
    "  <link name=\"ab\" bandwidth=\"10Mbps\" delay=\"2ms\">\n"
    "    <end node=\"a\" ipv4=\"10.0.0.1/30\"/>\n"
    "    <end node=\"b\" ipv4=\"10.0.0.2/30\"/>\n"
    "    <loss model=\"bernoulli\" p=\"1%%\"/>\n"
    "  </link>\n"
    "  <cbr name=\"a-to-b\" from=\"a\" to=\"b\" port=\"5000\" size=\"200B\"\n"
    "       interval=\"1ms\"/>\n"
    "</scenario>\n";

static const char study_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<study xmlns=\"urn:mipsim:scenario:1\" name=\"bench\" "
    "scenario=\"scenario.xml\" replications=\"%d\" seed=\"1\">\n"
    "  <parameter name=\"delay\" path=\"link[@name='ab']/@delay\"\n"
    "             values=\"1ms 5ms 20ms 50ms\"/>\n"
    "  <parameter name=\"loss\" path=\"link/loss/@p\"\n"
    "             values=\"0%% 1%% 2%% 5%% 10%%\"/>\n"
    "  <plot name=\"delay\" metric=\"flows.tsv:delay_mean_ms\" "
    "flow=\"a-to-b\"\n"
    "        x=\"delay\" lines=\"loss\"/>\n"
    "</study>\n";

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, GError *error) {
  fprintf(stderr, "bench-study: %s: %s\n", what,
          error ? error->message : "failed");
  exit(1);
}

/* Runs argv, output discarded; exits on failure. */
static void run(char **argv) {
  g_autoptr(GError) error = NULL;
  int status;
  if (!g_spawn_sync(NULL, argv, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                        G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, NULL, NULL, &status, &error))
    die(argv[0], error);
  if (!g_spawn_check_wait_status(status, &error)) {
    g_autofree char *cmd = g_strjoinv(" ", argv);
    die(cmd, error);
  }
}

/* CPU time (user + system) of the waited-for children so far. */
static double children_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median wall time of 'mipsim study' with jobs workers; the last output
 * directory is left at out. */
static double time_study(const char *mipsim, const char *study, const char *out,
                         int jobs, int repeats) {
  double t[REPEATS];
  char jobs_text[16];
  g_snprintf(jobs_text, sizeof jobs_text, "%d", jobs);
  for (int r = 0; r < repeats; r++) {
    char *rm[] = {"rm", "-rf", (char *)out, NULL};
    run(rm);
    char *argv[] = {(char *)mipsim, "study", (char *)study, "--jobs",
                    jobs_text,      "--out", (char *)out,   NULL};
    double t0 = seconds_now(), c0 = children_cpu_s();
    run(argv);
    t[r] = seconds_now() - t0;
    /* CPU time shows whether a ratio above 2 is other load on the cores. */
    printf("  --jobs %d, repetition %d: %.2f s wall, %.2f s CPU\n", jobs, r + 1,
           t[r], children_cpu_s() - c0);
    fflush(stdout);
  }
  qsort(t, (size_t)repeats, sizeof t[0], cmp_double);
  return t[repeats / 2];
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  /* --quick: 20 runs once each, for a smoke test. */
  int replications = quick ? 1 : 10, repeats = quick ? 1 : REPEATS;
  const char *duration = "200s"; /* about 60 ms of wall clock per run */
  const char *mipsim = g_getenv("MIPSIM") ? g_getenv("MIPSIM") : "./mipsim";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("bench-study-XXXXXX", &error);
  if (!dir)
    die("temporary directory", error);
  g_autofree char *scenario = g_build_filename(dir, "scenario.xml", NULL);
  g_autofree char *study = g_build_filename(dir, "study.xml", NULL);
  g_autofree char *s_text = g_strdup_printf(scenario_xml, duration);
  g_autofree char *st_text = g_strdup_printf(study_xml, replications);
  if (!g_file_set_contents(scenario, s_text, -1, &error) ||
      !g_file_set_contents(study, st_text, -1, &error))
    die(dir, error);
  g_autofree char *out1 = g_build_filename(dir, "jobs1", NULL);
  g_autofree char *out2 = g_build_filename(dir, "jobs2", NULL);
  int runs = 4 * 5 * replications;

  printf("study of %d runs (4 x 5 combinations x %d replications, %s "
         "simulated, a 1 ms CBR flow), %s, median of %d:\n",
         runs, replications, duration, mipsim, repeats);
  fflush(stdout);
  double j1 = time_study(mipsim, study, out1, 1, repeats);
  double j2 = time_study(mipsim, study, out2, 2, repeats);
  /* The outputs must not depend on --jobs. */
  char *diff[] = {"diff", "-r", "-q", out1, out2, NULL};
  run(diff);
  char *rm[] = {"rm", "-rf", dir, NULL};
  run(rm);

  const char *name = quick ? "study20" : "study200";
  printf("  --jobs 1 %.2f s (%.1f ms per run), --jobs 2 %.2f s, speedup "
         "%.2f x on %u processors; identical outputs\n",
         j1, 1e3 * j1 / runs, j2, j1 / j2, g_get_num_processors());
  printf("bench: %s_jobs1_wall_s %.2f s\n", name, j1);
  printf("bench: %s_jobs2_wall_s %.2f s\n", name, j2);
  printf("bench: %s_speedup %.2f x\n", name, j1 / j2);
  return 0;
}
