// SPDX-License-Identifier: GPL-2.0
/*
 * Negative control for the VM rig's dmesg scan (tests/vm/run-vm): loading
 * this module emits one kernel WARN and nothing else. The kernel has no
 * built-in way to WARN on request (LKDTM is not configured), and the
 * control must not depend on a driver bug staying unfixed.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init cxlmemd_vm_warn_init(void)
{
	WARN(1, "cxlmemd_vm_warn: deliberate warning (negative control)\n");
	return 0;
}

static void __exit cxlmemd_vm_warn_exit(void)
{
}

module_init(cxlmemd_vm_warn_init);
module_exit(cxlmemd_vm_warn_exit);
MODULE_DESCRIPTION("cxlmemd VM rig: WARN on load");
MODULE_LICENSE("GPL");
