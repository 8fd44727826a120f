/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mipsim command: run and validate scenarios.
 * Exit status: 0 success, 1 the run failed, 2 bad usage or bad input. */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "sim/units.h"

enum { EXIT_RUN_FAILED = 1, EXIT_BAD_INPUT = 2 };

static const char usage_text[] =
    "Usage:\n"
    "  mipsim run SCENARIO.xml [--out DIR] [--seed N] [--until TIME] "
    "[--pcap]\n"
    "  mipsim validate FILE.xml...\n"
    "  mipsim --help | --version\n"
    "\n"
    "Commands:\n"
    "  run        simulate a scenario and write its result tables\n"
    "  validate   check files against the schema and for bad values\n"
    "\n"
    "Run options:\n"
    "  --out DIR      where to write results (default results/<scenario>)\n"
    "  --seed N       override the scenario's seed\n"
    "  --until TIME   stop earlier than the scenario's duration (e.g. 2s)\n"
    "  --pcap         write one capture per link to DIR/pcap/<link>.pcap\n"
    "\n"
    "Exit status: 0 success, 1 the run failed, 2 bad usage or bad input.\n";

/* The run a SIGINT should stop; only this command-line front end keeps it,
 * the kernel has no global state. */
static struct sim *interruptible;

static void on_sigint(int signo) {
  (void)signo;
  if (interruptible)
    interruptible->stop = true;
}

static void progress(void *ctx, const struct sim *sim) {
  (void)ctx;
  double now = (double)sim_now(sim) / 1e9;
  double end = (double)sim->duration / 1e9;
  fprintf(stderr, "\r%s: %.3f s of %.3f s simulated (%.0f%%), %" G_GUINT64_FORMAT
                  " events",
          sim->name, now, end, end > 0 ? 100.0 * now / end : 100.0,
          sim->sched.dispatched);
  fflush(stderr);
}

static int usage_error(const char *message) {
  fprintf(stderr, "mipsim: %s\nTry 'mipsim --help'.\n", message);
  return EXIT_BAD_INPUT;
}

static int cmd_validate(int argc, char **argv) {
  if (argc < 1)
    return usage_error("validate needs at least one file");
  int status = 0;
  for (int i = 0; i < argc; i++) {
    g_autoptr(GError) error = NULL;
    struct sim *sim = scenario_load(argv[i], NULL, &error);
    if (!sim) {
      fprintf(stderr, "%s\n", error->message);
      status = EXIT_BAD_INPUT;
      continue;
    }
    printf("%s: valid\n", argv[i]);
    sim_free(sim);
  }
  return status;
}

static int cmd_run(int argc, char **argv) {
  g_autofree char *out = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *until_text = NULL;
  gboolean pcap = FALSE;
  GOptionEntry entries[] = {
      {"out", 0, 0, G_OPTION_ARG_FILENAME, &out, "results directory", "DIR"},
      {"seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "random seed", "N"},
      {"until", 0, 0, G_OPTION_ARG_STRING, &until_text, "stop time", "TIME"},
      {"pcap", 0, 0, G_OPTION_ARG_NONE, &pcap, "write pcap traces", NULL},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO.xml");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_set_help_enabled(ctx, FALSE);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error))
    return usage_error(error->message);
  if (argc != 2)
    return usage_error("run needs exactly one scenario file");
  const char *path = argv[1];

  struct scenario_overrides ov = {0};
  if (seed_text) {
    char *end = NULL;
    ov.seed = g_ascii_strtoull(seed_text, &end, 10);
    if (!*seed_text || *end)
      return usage_error("--seed: not a whole number");
    ov.has_seed = true;
  }
  int64_t until = 0;
  if (until_text && !units_parse_time(until_text, &until, &error))
    return usage_error(error->message);

  struct sim *sim = scenario_load(path, &ov, &error);
  if (!sim) {
    fprintf(stderr, "%s\n", error->message);
    return EXIT_BAD_INPUT;
  }
  if (!out)
    out = g_build_filename("results", sim->name, NULL);
  struct pcap_trace *trace = NULL;
  if (pcap || sim->record_pcap) {
    g_autofree char *pcap_dir = g_build_filename(out, "pcap", NULL);
    trace = pcap_trace_start(sim, pcap_dir, &error);
    if (!trace) {
      fprintf(stderr, "mipsim: %s\n", error->message);
      sim_free(sim);
      return EXIT_RUN_FAILED;
    }
  }
  interruptible = sim;
  signal(SIGINT, on_sigint);
  bool tty = isatty(STDERR_FILENO);
  sim_run(sim, until, tty ? progress : NULL, NULL);
  signal(SIGINT, SIG_DFL);
  interruptible = NULL;
  if (tty && sim->sched.dispatched > 0)
    fputc('\n', stderr);
  bool interrupted = sim->stop;
  int status = 0;
  if (trace && !pcap_trace_finish(trace, &error)) {
    fprintf(stderr, "mipsim: %s\n", error->message);
    g_clear_error(&error);
    status = EXIT_RUN_FAILED;
  }
  if (!results_write(sim, out, &error)) {
    fprintf(stderr, "mipsim: %s\n", error->message);
    status = EXIT_RUN_FAILED;
  } else if (interrupted) {
    fprintf(stderr,
            "mipsim: interrupted at %.6f s; the tables in %s cover the run "
            "up to then\n",
            (double)sim_now(sim) / 1e9, out);
    status = EXIT_RUN_FAILED;
  } else {
    printf("results written to %s\n", out);
  }
  sim_free(sim);
  return status;
}

int main(int argc, char **argv) {
  setlocale(LC_ALL, "");
  if (argc < 2) {
    fputs(usage_text, stderr);
    return EXIT_BAD_INPUT;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("mipsim %s\n", PACKAGE_VERSION);
    return 0;
  }
  if (strcmp(cmd, "run") == 0)
    return cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "validate") == 0)
    return cmd_validate(argc - 2, argv + 2);
  g_autofree char *message = g_strdup_printf("unknown command '%s'", cmd);
  return usage_error(message);
}
