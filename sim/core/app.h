/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Applications: traffic sources and sinks that run on nodes. */
#ifndef MIPSIM_APP_H
#define MIPSIM_APP_H

#include <stdint.h>

struct sim;
struct node;
struct app;

struct app_ops {
  const char *kind;
  /* Called once when the run starts (time 0); schedules the app's own
   * start time. */
  void (*start)(struct app *app);
  /* Cancel pending events and free everything, the app included. */
  void (*free)(struct app *app);
};

/* Embedded as the first member of each application's own struct. */
struct app {
  const struct app_ops *ops;
  struct sim *sim;
  struct node *node;
  char *name;
};

/* Takes ownership of app (already filled in). */
void app_register(struct sim *sim, struct app *app);

#endif
