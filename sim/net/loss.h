/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-link loss models: none, Bernoulli, Gilbert-Elliott. */
#ifndef MIPSIM_LOSS_H
#define MIPSIM_LOSS_H

#include <stdbool.h>

#include "sim/core/rng.h"

enum loss_kind { LOSS_NONE, LOSS_BERNOULLI, LOSS_GILBERT_ELLIOTT };

struct loss_model {
  enum loss_kind kind;
  /* Bernoulli: p.  Gilbert-Elliott: per-frame transition probabilities
   * good->bad and bad->good, and the loss probability in each state. */
  double p;
  double p_good_bad, p_bad_good;
  double loss_good, loss_bad;
  bool bad;
  struct rng rng;
};

/* Does the next frame get lost?  Draws only for a model that is set. */
bool loss_draw(struct loss_model *m);

#endif
