// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only race widener for cxlmemd's VM stress scenarios: stall every
 * call of @symbol made from inside @caller by @delay_ms, busy-waiting in a
 * kprobe pre-handler. A window a few instructions wide (say, between
 * loading a pointer and using it) becomes wide enough for a concurrent
 * teardown to land in it under TCG, without touching the kernel under
 * test: the same module widens the window on the baseline and on the
 * patched kernel, and only the fix decides the outcome.
 *
 * Example: symbol=device_for_each_child caller=cxl_dpa_to_region delay_ms=200
 * Counters: /sys/module/cxlmemd_race_delay/parameters/hits
 */
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>

static char *symbol = "device_for_each_child";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "function whose entry is delayed");

static char *caller = "cxl_dpa_to_region";
module_param(caller, charp, 0444);
MODULE_PARM_DESC(caller, "delay only calls made from this function");

static uint delay_ms = 200;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "busy-wait this long per matching call");

static atomic_t hits = ATOMIC_INIT(0);
static int hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hits));
}

static const struct kernel_param_ops hits_ops = { .get = hits_get };
module_param_cb(hits, &hits_ops, NULL, 0444);

static int pre_handler(struct kprobe *p, struct pt_regs *regs)
{
	char name[KSYM_SYMBOL_LEN];
	size_t len = strlen(caller);

	/* At function entry the return address is on top of the stack. */
	sprint_symbol(name, *(unsigned long *)regs->sp);
	if (strncmp(name, caller, len) != 0 || name[len] != '+')
		return 0;

	atomic_inc(&hits);
	/* Handlers run with preemption off: busy-wait, never sleep. */
	mdelay(delay_ms);
	return 0;
}

static struct kprobe kp = { .pre_handler = pre_handler };

static int __init race_delay_init(void)
{
	kp.symbol_name = symbol;
	return register_kprobe(&kp);
}

static void __exit race_delay_exit(void)
{
	unregister_kprobe(&kp);
}

module_init(race_delay_init);
module_exit(race_delay_exit);
MODULE_DESCRIPTION("cxlmemd VM rig: widen race windows with a kprobe delay");
MODULE_LICENSE("GPL");
