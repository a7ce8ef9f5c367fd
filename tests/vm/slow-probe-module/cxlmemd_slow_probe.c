// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only "device probing in flight" for cxlmemd's VM scenarios: a
 * platform device whose probe sleeps for @delay_ms and then, optionally,
 * loads module @then_load (request_module()) before returning. While it
 * sleeps, wait_for_device_probe() cannot return; with then_load=cxl_mock_mem
 * the mock CXL memory devices are probed, and cxl_test's region assembled,
 * inside that probe, so anything waiting for probing to settle also waits
 * for the region.
 *
 * The probe sleeps (msleep), it does not spin: the rest of the system keeps
 * running, unlike a busy-waiting kprobe. Load it with insmod in the
 * background: insmod returns when the probe does.
 * /sys/module/cxlmemd_slow_probe/parameters/state: 0 not probed yet,
 * 1 sleeping, 2 loading @then_load, 3 done.
 */
#include <linux/delay.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/platform_device.h>

static unsigned int delay_ms = 5000;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "how long the probe sleeps");

static char *then_load = "";
module_param(then_load, charp, 0444);
MODULE_PARM_DESC(then_load, "module to load at the end of the probe");

static int state;
module_param(state, int, 0444);
MODULE_PARM_DESC(state, "0 not probed, 1 sleeping, 2 loading then_load, 3 done");

static struct platform_device *slow_pdev;

static int slow_probe(struct platform_device *pdev)
{
	int rc;

	WRITE_ONCE(state, 1);
	dev_info(&pdev->dev, "probe sleeping %u ms\n", delay_ms);
	msleep(delay_ms);
	if (then_load[0]) {
		WRITE_ONCE(state, 2);
		rc = request_module("%s", then_load);
		dev_info(&pdev->dev, "loaded %s: %d\n", then_load, rc);
	}
	WRITE_ONCE(state, 3);
	return 0;
}

static struct platform_driver slow_driver = {
	.probe = slow_probe,
	.driver = {
		.name = "cxlmemd_slow_probe",
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static int __init slow_init(void)
{
	int rc;

	rc = platform_driver_register(&slow_driver);
	if (rc)
		return rc;

	/* added after the driver: probed right here, counted as in flight */
	slow_pdev = platform_device_register_simple("cxlmemd_slow_probe", -1,
						    NULL, 0);
	if (IS_ERR(slow_pdev)) {
		platform_driver_unregister(&slow_driver);
		return PTR_ERR(slow_pdev);
	}
	return 0;
}

static void __exit slow_exit(void)
{
	platform_device_unregister(slow_pdev);
	platform_driver_unregister(&slow_driver);
}

module_init(slow_init);
module_exit(slow_exit);
MODULE_DESCRIPTION("cxlmemd VM rig: a platform device probe that takes its time");
MODULE_LICENSE("GPL");
