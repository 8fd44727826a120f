/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running a study's runs in forked worker processes, so that a run that
 * crashes or hangs costs only itself. */
#include "study/study.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/results/results.h"

struct worker {
  pid_t pid;
  guint run;
  gint64 started; /* monotonic, us */
  bool timed_out;
};

static gboolean io_error(GError **error, const char *what, const char *path) {
  int err = errno;
  g_set_error(error, MIPSIM_STUDY_ERROR, MIPSIM_STUDY_ERROR_IO,
              "cannot %s %s: %s", what, path, g_strerror(err));
  return FALSE;
}

/* Removes path and everything under it; a missing path is fine. */
static gboolean remove_tree(const char *path, GError **error) {
  if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
      !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    GDir *d = g_dir_open(path, 0, error);
    if (!d)
      return FALSE;
    const char *name;
    gboolean ok = TRUE;
    while (ok && (name = g_dir_read_name(d))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      ok = remove_tree(child, error);
    }
    g_dir_close(d);
    if (!ok)
      return FALSE;
    if (g_rmdir(path) != 0)
      return io_error(error, "remove", path);
  } else if (g_remove(path) != 0 && errno != ENOENT) {
    return io_error(error, "remove", path);
  }
  return TRUE;
}

static void write_failed(const char *runs_dir, guint run, const char *why) {
  g_autofree char *dir = g_strdup_printf("%s/%u", runs_dir, run);
  g_autofree char *text = g_strconcat(why, "\n", NULL);
  /* If even this fails the run still counts as failed. */
  results_write_file(dir, "FAILED", text, strlen(text), NULL);
}

G_GNUC_NORETURN static void child(const struct study *study, guint run,
                                  const char *runs_dir, pid_t parent) {
  /* Die with the study: an orphan finishing its run would race with the
   * run that --resume starts afresh. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(1);
  g_autoptr(GError) error = NULL;
  if (!study_run_one(study, run, runs_dir, &error)) {
    write_failed(runs_dir, run, error->message);
    _exit(1);
  }
  _exit(0);
}

static void reap(const char *runs_dir, struct worker *w, int status,
                 int64_t time_limit, struct study_exec *ex) {
  g_autofree char *tmp =
      g_strdup_printf("%s/.%u.tmp-%ld", runs_dir, w->run, (long)w->pid);
  remove_tree(tmp, NULL);
  g_autofree char *summary =
      g_strdup_printf("%s/%u/summary.tsv", runs_dir, w->run);
  g_autofree char *failed = g_strdup_printf("%s/%u/FAILED", runs_dir, w->run);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
      g_file_test(summary, G_FILE_TEST_EXISTS))
    return;
  ex->failed++;
  g_autofree char *why = NULL;
  if (w->timed_out)
    why = g_strdup_printf("killed after the time limit of %.3f s",
                          (double)time_limit / 1e9);
  else if (WIFSIGNALED(status))
    why = g_strdup_printf("killed by signal %d (%s)", WTERMSIG(status),
                          strsignal(WTERMSIG(status)));
  else if (!g_file_test(failed, G_FILE_TEST_EXISTS))
    why = g_strdup_printf("exited with status %d",
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  if (why)
    write_failed(runs_dir, w->run, why);
}

gboolean study_execute(const struct study *study, const char *dir,
                       struct study_exec *ex, GError **error) {
  g_return_val_if_fail(ex->jobs >= 1, FALSE);
  g_return_val_if_fail(
      ex->shards == 0 || (ex->shard >= 1 && ex->shard <= ex->shards), FALSE);
  g_autofree char *runs_dir = g_build_filename(dir, "runs", NULL);
  if (g_mkdir_with_parents(runs_dir, 0777) != 0)
    return io_error(error, "create directory", runs_dir);
  /* A copy of the study beside its results, for 'mipsim aggregate'. */
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents(study->path, &text, &len, error) ||
      !results_write_file(dir, "study.xml", text, len, error))
    return FALSE;

  /* Leftovers of an interrupted study: temporary run directories. */
  GDir *d = g_dir_open(runs_dir, 0, error);
  if (!d)
    return FALSE;
  const char *name;
  GPtrArray *stale = g_ptr_array_new_with_free_func(g_free);
  while ((name = g_dir_read_name(d))) {
    /* ".RUN.tmp-PID": only this shard's, another may be writing its own. */
    char *end = NULL;
    guint64 run = name[0] == '.' ? g_ascii_strtoull(name + 1, &end, 10) : 0;
    if (name[0] == '.' &&
        (ex->shards == 0 ||
         (end && end != name + 1 && g_str_has_prefix(end, ".tmp-") &&
          run < G_MAXUINT && study_in_shard(ex, (guint)run))))
      g_ptr_array_add(stale, g_build_filename(runs_dir, name, NULL));
  }
  g_dir_close(d);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < stale->len; i++)
    ok = remove_tree(g_ptr_array_index(stale, i), error);
  g_ptr_array_unref(stale);
  if (!ok)
    return FALSE;

  guint total = 0;
  GArray *todo = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint run = 0; ok && run < study_runs(study); run++) {
    if (!study_in_shard(ex, run))
      continue;
    total++;
    g_autofree char *rd = g_strdup_printf("%s/%u", runs_dir, run);
    g_autofree char *summary = g_build_filename(rd, "summary.tsv", NULL);
    if (ex->resume && g_file_test(summary, G_FILE_TEST_EXISTS))
      ex->skipped++;
    else if ((ok = remove_tree(rd, error)))
      g_array_append_val(todo, run);
  }
  if (!ok) {
    g_array_unref(todo);
    return FALSE;
  }

  guint done = ex->skipped, next = 0;
  ex->failed = 0;
  if (ex->progress)
    ex->progress(ex->ctx, done, total, ex->failed);
  GArray *active = g_array_new(FALSE, FALSE, sizeof(struct worker));
  pid_t self = getpid();
  while (ok && (next < todo->len || active->len > 0)) {
    while (active->len < ex->jobs && next < todo->len) {
      struct worker w = {.run = g_array_index(todo, guint, next++),
                         .started = g_get_monotonic_time()};
      fflush(NULL);
      w.pid = fork();
      if (w.pid < 0) {
        ok = io_error(error, "start a worker for run", "");
        break;
      }
      if (w.pid == 0)
        child(study, w.run, runs_dir, self);
      g_array_append_val(active, w);
    }
    gboolean reaped = FALSE;
    for (guint i = 0; i < active->len;) {
      struct worker *w = &g_array_index(active, struct worker, i);
      int status;
      pid_t r = waitpid(w->pid, &status, WNOHANG);
      if (r == w->pid) {
        reap(runs_dir, w, status, ex->time_limit, ex);
        done++;
        reaped = TRUE;
        g_array_remove_index(active, i);
        continue;
      }
      if (ex->time_limit > 0 && !w->timed_out &&
          (g_get_monotonic_time() - w->started) * 1000 > ex->time_limit) {
        w->timed_out = true;
        kill(w->pid, SIGKILL);
      }
      i++;
    }
    if (reaped && ex->progress)
      ex->progress(ex->ctx, done, total, ex->failed);
    else if (!reaped)
      g_usleep(5000);
  }
  /* Only a failed fork gets here with workers left: wait for them. */
  for (guint i = 0; i < active->len; i++) {
    int status;
    struct worker *w = &g_array_index(active, struct worker, i);
    if (waitpid(w->pid, &status, 0) == w->pid)
      reap(runs_dir, w, status, ex->time_limit, ex);
  }
  g_array_unref(active);
  g_array_unref(todo);
  return ok;
}
