/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protocol modules this build knows, by the XML element each owns. */
#include <string.h>

#include "protocols/mip4/mip4.h"
#include "protocols/ro/ro.h"
#include "sim/module.h"

static const struct module *const modules[] = {
    &mip4_home_agent_module,
    &mip4_foreign_agent_module,
    &mip4_mobile_node_module,
    &ro_module,
    NULL,
};

const struct module *module_find(const char *name) {
  for (const struct module *const *m = modules; *m; m++)
    if (strcmp((*m)->name, name) == 0)
      return *m;
  return NULL;
}
