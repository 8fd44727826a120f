/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The route optimisation module's public interface: the module, which
 * implements every role under the mip4-optimized and mip4-smooth schemes
 * with its settings in the roles' <route-optimization> children. */
#ifndef MIPSIM_RO_H
#define MIPSIM_RO_H

#include "sim/scenario/module.h"

extern const struct module ro_module;

#endif
