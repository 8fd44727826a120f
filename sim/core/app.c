/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Application registry of a run. */
#include "sim/core/app.h"

#include "sim/core/sim.h"

void app_register(struct sim *sim, struct app *app) {
  g_ptr_array_add(sim->apps, app);
}
