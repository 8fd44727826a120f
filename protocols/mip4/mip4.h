/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Mobile IPv4 module's public interface: its scenario elements. */
#ifndef MIPSIM_MIP4_H
#define MIPSIM_MIP4_H

#include "sim/module.h"

extern const struct module mip4_home_agent_module;
extern const struct module mip4_foreign_agent_module;
extern const struct module mip4_mobile_node_module;

#endif
