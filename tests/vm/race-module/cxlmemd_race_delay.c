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
 * @symbol may name several functions, comma-separated (at most
 * MAX_PROBES); those the kernel does not have are skipped, at least one
 * must be found. That lets one scenario widen the same window on kernels
 * whose @caller reaches it through different calls.
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
MODULE_PARM_DESC(symbol, "function(s) whose entry is delayed, comma-separated");

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

#define MAX_PROBES 4
static struct kprobe kps[MAX_PROBES];
static char names[MAX_PROBES][KSYM_NAME_LEN];
static int nr_kps;

static int __init race_delay_init(void)
{
	const char *p = symbol;
	int i, rc;

	while (*p && nr_kps < MAX_PROBES) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= KSYM_NAME_LEN)
			return -EINVAL;
		memcpy(names[nr_kps], p, n);
		names[nr_kps][n] = '\0';
		p += n + (p[n] == ',');

		kps[nr_kps].symbol_name = names[nr_kps];
		kps[nr_kps].pre_handler = pre_handler;
		rc = register_kprobe(&kps[nr_kps]);
		if (rc == -ENOENT) {
			pr_info("%s: not in this kernel, skipped\n", names[nr_kps]);
			memset(&kps[nr_kps], 0, sizeof(kps[nr_kps]));
			continue;
		}
		if (rc)
			goto err;
		nr_kps++;
	}
	if (*p)
		rc = -E2BIG;
	else if (nr_kps == 0)
		rc = -ENOENT;
	else
		return 0;
err:
	for (i = 0; i < nr_kps; i++)
		unregister_kprobe(&kps[i]);
	return rc;
}

static void __exit race_delay_exit(void)
{
	int i;

	for (i = 0; i < nr_kps; i++)
		unregister_kprobe(&kps[i]);
}

module_init(race_delay_init);
module_exit(race_delay_exit);
MODULE_DESCRIPTION("cxlmemd VM rig: widen race windows with a kprobe delay");
MODULE_LICENSE("GPL");
