/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loss models.  Gilbert-Elliott steps its two-state chain once per frame,
 * then loses the frame with the probability of the state it is in. */
#include "sim/net/loss.h"

bool loss_draw(struct loss_model *m) {
  switch (m->kind) {
  case LOSS_NONE:
    return false;
  case LOSS_BERNOULLI:
    return rng_uniform(&m->rng) < m->p;
  case LOSS_GILBERT_ELLIOTT: {
    double flip = rng_uniform(&m->rng);
    if (m->bad ? flip < m->p_bad_good : flip < m->p_good_bad)
      m->bad = !m->bad;
    return rng_uniform(&m->rng) < (m->bad ? m->loss_bad : m->loss_good);
  }
  }
  return false;
}
