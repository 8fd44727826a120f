/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mipsim command: run and validate scenarios, run and aggregate
 * studies.
 * Exit status: 0 success, 1 the run failed, 2 bad usage or bad input. */
#include "config.h"

#include <glib.h>
#include <libxml/parser.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_MPI
#include <mpi.h>
#endif

#include "protocols/registry.h"
#include "sim/core/sim.h"
#include "sim/core/units.h"
#include "sim/results/results.h"
#include "sim/results/trace.h"
#include "sim/scenario/scenario.h"
#include "study/study.h"

enum { EXIT_RUN_FAILED = 1, EXIT_BAD_INPUT = 2 };

static const char usage_text[] =
    "Usage:\n"
    "  mipsim run SCENARIO.xml [--out DIR] [--seed N] [--until TIME] "
    "[--pcap]\n"
    "  mipsim validate FILE.xml...\n"
    "  mipsim study STUDY.xml [--jobs N] [--out DIR] [--resume] "
    "[--time-limit TIME]\n"
    "                         [--shard K/N]\n"
    "  mipsim aggregate DIR\n"
    "  mipsim --help | --version\n"
    "\n"
    "Commands:\n"
    "  run        simulate a scenario and write its result tables\n"
    "  validate   check files against the schema and for bad values\n"
    "  study      run a scenario over parameter combinations and "
    "replications\n"
    "  aggregate  (re)compute a study's summary, plots and report\n"
    "\n"
    "Run options:\n"
    "  --out DIR      where to write results (default results/<scenario>)\n"
    "  --seed N       override the scenario's seed\n"
    "  --until TIME   stop earlier than the scenario's duration (e.g. 2s)\n"
    "  --pcap         write one capture per link to DIR/pcap/<link>.pcap\n"
    "\n"
    "Study options:\n"
    "  --jobs N          runs at once, each in its own process (default: "
    "cores)\n"
    "  --out DIR         where to write results (default results/<study>)\n"
    "  --resume          keep the runs an earlier invocation completed\n"
    "  --time-limit TIME kill a run that takes longer (wall clock, e.g. "
    "30s)\n"
    "  --shard K/N       only the runs i with i % N == K - 1 (1 <= K <= N), "
    "no\n"
    "                    aggregation: 'mipsim aggregate DIR' once all N are "
    "done\n"
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
  fprintf(stderr,
          "\r%s: %.3f s of %.3f s simulated (%.0f%%), %" G_GUINT64_FORMAT
          " events",
          sim->name, now, end, end > 0 ? 100.0 * now / end : 100.0,
          sim->sched.dispatched);
  fflush(stderr);
}

static int usage_error(const char *message) {
  fprintf(stderr, "mipsim: %s\nTry 'mipsim --help'.\n", message);
  return EXIT_BAD_INPUT;
}

/* Is path's root element <study>?  Only a sniff to pick the loader: the
 * loader itself reports what is wrong with the file. */
static bool is_study_file(const char *path) {
  xmlDoc *doc = xmlReadFile(
      path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
  bool study = root && strcmp((const char *)root->name, "study") == 0;
  xmlFreeDoc(doc);
  return study;
}

static int cmd_validate(int argc, char **argv) {
  if (argc < 1)
    return usage_error("validate needs at least one file");
  int status = 0;
  for (int i = 0; i < argc; i++) {
    g_autoptr(GError) error = NULL;
    if (is_study_file(argv[i])) {
      /* A study is valid when its scenario is and every combination of
       * its parameters loads. */
      struct study *study = study_load(argv[i], true, registry_modules, &error);
      if (!study) {
        fprintf(stderr, "%s\n", error->message);
        status = EXIT_BAD_INPUT;
        continue;
      }
      printf("%s: valid study of %u runs\n", argv[i], study_runs(study));
      study_free(study);
      continue;
    }
    struct sim *sim = scenario_load(argv[i], registry_modules, NULL, &error);
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

  struct sim *sim = scenario_load(path, registry_modules, &ov, &error);
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

static int cmd_aggregate(int argc, char **argv) {
  if (argc != 1)
    return usage_error("aggregate needs exactly one study directory");
  g_autofree char *path = g_build_filename(argv[0], "study.xml", NULL);
  g_autoptr(GError) error = NULL;
  struct study *study = study_load(path, false, registry_modules, &error);
  if (!study) {
    fprintf(stderr, "%s\n", error->message);
    return EXIT_BAD_INPUT;
  }
  g_autofree char *note = NULL;
  int status = 0;
  if (!study_aggregate(study, argv[0], &note, &error)) {
    fprintf(stderr, "mipsim: %s\n", error->message);
    status = EXIT_RUN_FAILED;
  } else {
    if (note)
      fprintf(stderr, "mipsim: %s\n", note);
    printf("report: %s/report.md\n", argv[0]);
  }
  /* A partial set (shards not all done, failed runs) is aggregated, but
   * not silently. */
  guint missing = 0, failed = 0;
  g_autofree char *incomplete =
      study_incomplete(study, argv[0], &missing, &failed);
  if (incomplete) {
    fprintf(stderr,
            "mipsim: %s\nmipsim: the outputs cover the %u complete "
            "runs only; run the rest (the missing shards, or "
            "'mipsim study STUDY.xml --resume --out %s') and "
            "aggregate again\n",
            incomplete, study_runs(study) - missing - failed, argv[0]);
    status = EXIT_RUN_FAILED;
  }
  study_free(study);
  return status;
}

struct study_progress {
  gint64 started; /* monotonic, us */
  guint first;    /* runs kept from an earlier invocation, for the ETA */
  bool seen;      /* first is known: study_execute reports it first */
  bool tty;
};

static void study_progress(void *ctx, guint done, guint total, guint failed) {
  struct study_progress *p = ctx;
  if (!p->seen) {
    p->first = done;
    p->seen = true;
  }
  double elapsed = (double)(g_get_monotonic_time() - p->started) / 1e6;
  guint fresh = done - p->first;
  double eta = fresh ? elapsed / fresh * (total - done) : 0;
  if (p->tty) {
    fprintf(stderr, "\r%u/%u runs, %u failed, %.0f s elapsed, ETA %.0f s  ",
            done, total, failed, elapsed, eta);
    if (done == total)
      fputc('\n', stderr);
  } else {
    fprintf(stderr, "%u/%u runs, %u failed\n", done, total, failed);
  }
  fflush(stderr);
}

/* Under mpirun (configure --with-mpi), the rank and size of this process
 * in MPI_COMM_WORLD; size 1 otherwise. */
static int mpi_rank, mpi_size = 1;

/* "K/N" with 1 <= K <= N. */
static bool parse_shard(const char *text, guint *k, guint *n) {
  char *end;
  if (!g_ascii_isdigit(text[0]))
    return false;
  guint64 a = g_ascii_strtoull(text, &end, 10);
  if (*end != '/' || !g_ascii_isdigit(end[1]))
    return false;
  guint64 b = g_ascii_strtoull(end + 1, &end, 10);
  if (*end || a < 1 || a > b || b > G_MAXUINT)
    return false;
  *k = (guint)a;
  *n = (guint)b;
  return true;
}

static int cmd_study(int argc, char **argv) {
  g_autofree char *out = NULL;
  g_autofree char *limit_text = NULL;
  g_autofree char *shard_text = NULL;
  gint jobs = 0;
  gboolean resume = FALSE;
  GOptionEntry entries[] = {
      {"out", 0, 0, G_OPTION_ARG_FILENAME, &out, "results directory", "DIR"},
      {"jobs", 0, 0, G_OPTION_ARG_INT, &jobs, "parallel runs", "N"},
      {"resume", 0, 0, G_OPTION_ARG_NONE, &resume, "keep completed runs", NULL},
      {"time-limit", 0, 0, G_OPTION_ARG_STRING, &limit_text,
       "per-run wall-clock limit", "TIME"},
      {"shard", 0, 0, G_OPTION_ARG_STRING, &shard_text, "run only shard K of N",
       "K/N"},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("STUDY.xml");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_set_help_enabled(ctx, FALSE);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error))
    return usage_error(error->message);
  if (argc != 2)
    return usage_error("study needs exactly one study file");
  if (jobs < 0)
    return usage_error("--jobs: must be at least 1");
  struct study_exec ex = {.jobs = jobs ? (guint)jobs : g_get_num_processors(),
                          .resume = resume};
  if (limit_text && (!units_parse_time(limit_text, &ex.time_limit, &error) ||
                     ex.time_limit <= 0))
    return usage_error(error ? error->message
                             : "--time-limit: must be greater than zero");
  if (shard_text && !parse_shard(shard_text, &ex.shard, &ex.shards))
    return usage_error("--shard: expected K/N with 1 <= K <= N (e.g. 1/4)");
  if (shard_text && mpi_size > 1)
    return usage_error("--shard: not with mpirun, which gives each rank "
                       "its shard");
  if (mpi_size > 1) {
    ex.shard = (guint)mpi_rank + 1;
    ex.shards = (guint)mpi_size;
  }
  struct study *study = study_load(argv[1], true, registry_modules, &error);
  if (!study) {
    fprintf(stderr, "%s\n", error->message);
    return EXIT_BAD_INPUT;
  }
  if (!out)
    out = g_build_filename("results", study->name, NULL);
  struct study_progress prog = {.started = g_get_monotonic_time(),
                                .tty = isatty(STDERR_FILENO)};
  /* Under mpirun only rank 0 reports progress, of its own shard. */
  ex.progress = mpi_rank == 0 ? study_progress : NULL;
  ex.ctx = &prog;
  int status = 0;
  gboolean executed = study_execute(study, out, &ex, &error);
  if (!executed)
    fprintf(stderr, "mipsim: %s\n", error->message);
#ifdef HAVE_MPI
  if (mpi_size > 1) {
    /* Every rank gets here, even after an error, so that none waits
     * forever; rank 0 then aggregates what all of them wrote. */
    unsigned long mine[2] = {ex.failed, executed ? 0 : 1}, all[2];
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Allreduce(mine, all, 2, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD);
    if (all[1]) {
      study_free(study);
      return EXIT_RUN_FAILED;
    }
    if (mpi_rank != 0) {
      study_free(study);
      return ex.failed ? EXIT_RUN_FAILED : 0;
    }
    ex.failed = (guint)all[0];
    ex.shards = 0;
  }
#endif
  if (!executed) {
    study_free(study);
    return EXIT_RUN_FAILED;
  }
  if (ex.shards) {
    /* Each shard writes only its runs; aggregating is for the last. */
    guint mine = 0;
    for (guint run = 0; run < study_runs(study); run++)
      mine += study_in_shard(&ex, run);
    if (ex.failed) {
      fprintf(stderr,
              "mipsim: %u of the %u runs of shard %u/%u failed; see "
              "%s/runs/*/FAILED\n",
              ex.failed, mine, ex.shard, ex.shards, out);
      status = EXIT_RUN_FAILED;
    }
    printf("shard %u/%u: %u of %u runs written to %s/runs; once all %u "
           "shards are done, 'mipsim aggregate %s' merges them\n",
           ex.shard, ex.shards, mine, study_runs(study), out, ex.shards, out);
    study_free(study);
    return status;
  }
  g_autofree char *note = NULL;
  if (!study_aggregate(study, out, &note, &error)) {
    fprintf(stderr, "mipsim: %s\n", error->message);
    status = EXIT_RUN_FAILED;
  } else if (note) {
    fprintf(stderr, "mipsim: %s\n", note);
  }
  if (ex.failed) {
    fprintf(stderr, "mipsim: %u of %u runs failed; see %s/runs/*/FAILED\n",
            ex.failed, study_runs(study), out);
    status = EXIT_RUN_FAILED;
  }
  printf("results written to %s (report.md, summary.tsv, plots)\n", out);
  study_free(study);
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
  if (strcmp(cmd, "study") == 0) {
#ifdef HAVE_MPI
    /* Only when started by a launcher (OpenMPI's mpirun, or a PMI one such
     * as MPICH's): a plain 'mipsim study' stays a single process. */
    if (g_getenv("OMPI_COMM_WORLD_SIZE") || g_getenv("PMI_SIZE") ||
        g_getenv("PMIX_RANK")) {
      MPI_Init(&argc, &argv);
      MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
      MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
      int status = cmd_study(argc - 1, argv + 1);
      MPI_Finalize();
      return status;
    }
#endif
    return cmd_study(argc - 1, argv + 1);
  }
  if (strcmp(cmd, "aggregate") == 0)
    return cmd_aggregate(argc - 2, argv + 2);
  g_autofree char *message = g_strdup_printf("unknown command '%s'", cmd);
  return usage_error(message);
}
