/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protocol modules this build has. */
#include "protocols/registry.h"

#include "protocols/mip4/mip4.h"
#include "protocols/ro/ro.h"

const struct module *const registry_modules[] = {
    &mip4_module,
    &ro_module,
    NULL,
};
