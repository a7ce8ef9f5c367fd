// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only fault injection for cxlmemd's VM scenario sr-error-path: make
 * dax_hmem's registration of one Soft Reserved range fail, so that
 * hmem_platform's probe takes its error path after it has already dealt
 * with (on the patched kernel: recorded and deferred) the ranges before it.
 *
 * A kretprobe on hmem_register_device(), the callback dax_hmem's probe
 * runs for every range: when the range starting at @fail_start was
 * registered successfully, the return value is replaced with -ENOMEM. The
 * function really ran (a device may have been added), so the probe unwinds
 * real work, as it would for a failure in its last step. Nothing in the
 * kernel under test changes: the same module fails the same range on the
 * baseline and on the patched kernel, and it does nothing when unloaded or
 * with fail_start=0.
 *
 * dax_hmem must be loaded before this module (the probed symbol lives in
 * it). Counter: /sys/module/cxlmemd_hmem_fail/parameters/hits
 */
#include <linux/ioport.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>

static unsigned long fail_start;
module_param(fail_start, ulong, 0644);
MODULE_PARM_DESC(fail_start, "fail the registration of the range starting here (0: none)");

static atomic_t hits = ATOMIC_INIT(0);
static int hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hits));
}

static const struct kernel_param_ops hits_ops = { .get = hits_get };
module_param_cb(hits, &hits_ops, NULL, 0444);

struct hmem_fail_call {
	resource_size_t start;
};

/* hmem_register_device(struct device *host, int target_nid, const struct resource *res) */
static int entry_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct resource *res =
		(const struct resource *)regs_get_kernel_argument(regs, 2);
	struct hmem_fail_call *call = (void *)ri->data;

	call->start = res ? res->start : 0;
	return 0;
}

static int ret_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct hmem_fail_call *call = (void *)ri->data;
	unsigned long want = READ_ONCE(fail_start);

	if (want && call->start == want && regs_return_value(regs) == 0) {
		regs_set_return_value(regs, -ENOMEM);
		atomic_inc(&hits);
		pr_info("failing hmem_register_device() for %#llx\n",
			(unsigned long long)call->start);
	}
	return 0;
}

static struct kretprobe krp = {
	.kp.symbol_name = "hmem_register_device",
	.entry_handler = entry_handler,
	.handler = ret_handler,
	.data_size = sizeof(struct hmem_fail_call),
	.maxactive = 4,
};

static int __init hmem_fail_init(void)
{
	return register_kretprobe(&krp);
}

static void __exit hmem_fail_exit(void)
{
	unregister_kretprobe(&krp);
}

module_init(hmem_fail_init);
module_exit(hmem_fail_exit);
MODULE_DESCRIPTION("cxlmemd VM rig: fail one dax_hmem range registration");
MODULE_LICENSE("GPL");
