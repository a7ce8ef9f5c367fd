/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/*
 * Soft Reserved ownership at run time: the policy in force, admin
 * overrides, and applying decisions through the kernel's soft_reserved
 * interface (kernel/patches 0010, 0014):
 *
 *   /sys/bus/platform/devices/hmem_platform.0/soft_reserved/rangeN/state
 *
 * Applying converges: after the first snapshot, after every refresh, on
 * ReloadPolicy/SIGHUP and SetOwner, each range whose kernel state differs
 * from the decision is written once; a write the kernel refuses is not
 * retried until the decision or the range's state changes, and the range's
 * explanation says why it failed. Memory online as system RAM is never
 * yanked: a handoff from dax_hmem to CXL first offlines the range's dax
 * device, and if that fails the range stays with dax_hmem; if the handoff
 * itself then fails, the memory is onlined again as it was.
 *
 * Without the kernel interface (a stock kernel) nothing is written: the
 * explanation and CapabilitiesNote say what the daemon cannot do there.
 */

struct ownership;

extern const sd_bus_vtable ownership_manager_vtable[];
extern const sd_bus_vtable ownership_range_vtable[];

/* Load the policy (a bad file is logged; built-in defaults then apply)
 * and watch SIGHUP (blocked by manager_new). */
int ownership_start(Manager *m);
void ownership_free(Manager *m);
int ownership_bus_register(Manager *m);

/* Decide every range and write what differs (see above). */
void ownership_apply(Manager *m);

/* The directories policy files are read from (environment overrides for
 * tests: CXLMEMD_POLICY_DIR, CXLMEMD_POLICY_DROPIN_DIR). */
const char *ownership_policy_dir(void);
const char *ownership_dropin_dir(void);
