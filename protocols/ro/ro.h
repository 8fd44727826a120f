/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route optimisation module's public interface: its scenario
 * element, <route-optimization>, inside a node (that node's role and
 * settings) or at the top of a scenario (the default mode). */
#ifndef MIPSIM_RO_H
#define MIPSIM_RO_H

#include "sim/module.h"

extern const struct module ro_module;

#endif
