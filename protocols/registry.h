/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protocol modules this build has, for the scenario loader. */
#ifndef MIPSIM_REGISTRY_H
#define MIPSIM_REGISTRY_H

#include "sim/scenario/module.h"

/* NULL-terminated, in the order their indexes are given (module.h). */
extern const struct module *const registry_modules[];

#endif
