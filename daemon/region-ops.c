// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>

#include "lib-ctx.h"
#include "log.h"
#include "macro.h"
#include "region-ops.h"
#include "sysfs.h"

#define CXL_DEVICES "/sys/bus/cxl/devices"
#define CXL_REGION_DRIVER "/sys/bus/cxl/drivers/cxl_region"

/* ---- test-build fault injection ---- */

static char fail_step[32];
static unsigned fail_nth, fail_seen, stall_ms;

int region_ops_fail_at(const char *spec)
{
	const char *at, *tilde;
	size_t len;

	fail_step[0] = '\0';
	fail_seen = 0;
	stall_ms = 0;
	if (!spec || !*spec)
		return 0;
	tilde = strchr(spec, '~');
	if (tilde) {
		char *end;
		unsigned long ms = strtoul(tilde + 1, &end, 10);

		if (*end || ms == 0 || ms > 60000)
			return -EINVAL;
		stall_ms = (unsigned)ms;
		len = (size_t)(tilde - spec);
		if (len == 0 || len >= sizeof(fail_step) || memchr(spec, '@', len))
			return -EINVAL;
		memcpy(fail_step, spec, len);
		fail_step[len] = '\0';
		log_notice("Test build: the kernel action '%s' will be held %u ms first",
			   fail_step, stall_ms);
		return 0;
	}
	at = strchr(spec, '@');
	len = at ? (size_t)(at - spec) : strlen(spec);
	if (len == 0 || len >= sizeof(fail_step))
		return -EINVAL;
	fail_nth = 1;
	if (at) {
		char *end;
		unsigned long n = strtoul(at + 1, &end, 10);

		if (*end || n == 0 || n > 64)
			return -EINVAL;
		fail_nth = (unsigned)n;
	}
	memcpy(fail_step, spec, len);
	fail_step[len] = '\0';
	log_notice("Test build: the kernel action '%s' number %u will fail with EIO",
		   fail_step, fail_nth);
	return 0;
}

static char *fail_file;
static char fail_spec[64];

int region_ops_fail_from(const char *path)
{
	free(fail_file);
	fail_file = path && *path ? strdup(path) : NULL;
	return path && *path && !fail_file ? -ENOMEM : 0;
}

/* The spec in the file, re-read before every action; a change re-arms. */
static void refresh_fail_spec(void)
{
	_cleanup_free_ char *spec = NULL;

	if (!fail_file)
		return;
	spec = sysfs_read("%s", fail_file);
	if (!spec)
		spec = strdup("");
	if (!spec || strcmp(spec, fail_spec) == 0)
		return;
	snprintf(fail_spec, sizeof(fail_spec), "%s", spec);
	if (region_ops_fail_at(spec) < 0)
		log_error("Ignoring bad fault spec '%s' in %s", spec, fail_file);
}

/* Should the action @step (an attribute name, or create/delete/...) fail? */
static bool inject_fault(const char *step)
{
	size_t len;

	refresh_fail_spec();
	len = strlen(fail_step);

	if (len == 0)
		return false;
	/* "target" names every targetN. */
	if (strcmp(step, fail_step) != 0 &&
	    !(strcmp(fail_step, "target") == 0 && strncmp(step, "target", 6) == 0))
		return false;
	if (stall_ms) {
		/* A long kernel step, for the tests that the bus stays served. */
		log_notice("Test build: holding kernel action '%s' for %u ms", step, stall_ms);
		usleep(stall_ms * 1000U);
		return false;
	}
	if (++fail_seen != fail_nth)
		return false;
	log_notice("Test build: failing kernel action '%s' (injected)", step);
	return true;
}

/* ---- sysfs ---- */

static int write_file(const char *path, const char *value)
{
	_cleanup_free_ char *line = NULL;

	/*
	 * Newline-terminated, as "echo" writes: a zero-length write never
	 * reaches the store handler (clearing targetN needs "\n"), and
	 * uuid_store() insists on exactly UUID_STRING_LEN + 1 bytes.
	 */
	if (asprintf(&line, "%s\n", value) < 0)
		return -ENOMEM;
	return file_write(path, line, 0);
}

static int kernel_write(void *u, const char *device, const char *attr, const char *value)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (inject_fault(attr))
		return -EIO;
	if (asprintf(&path, CXL_DEVICES "/%s/%s", device, attr) < 0)
		return -ENOMEM;
	r = write_file(path, value);
	log_debug("write '%s' > %s: %s", value, path, r < 0 ? strerror(-r) : "ok");
	return r;
}

static int kernel_bind(void *u, const char *region, bool bind)
{
	_cleanup_free_ char *path = NULL;

	if (inject_fault(bind ? "bind" : "unbind"))
		return -EIO;
	if (asprintf(&path, CXL_REGION_DRIVER "/%s", bind ? "bind" : "unbind") < 0)
		return -ENOMEM;
	return write_file(path, region);
}

static int kernel_delete(void *u, const char *window, const char *region)
{
	_cleanup_free_ char *path = NULL;

	if (inject_fault("delete"))
		return -EIO;
	if (asprintf(&path, CXL_DEVICES "/%s/delete_region", window) < 0)
		return -ENOMEM;
	return write_file(path, region);
}

static void cxl_unrefp(struct cxl_ctx **ctx)
{
	if (*ctx)
		cxl_unref(*ctx);
}

/*
 * The kernel offers the next region name in create_{ram,pmem}_region and
 * creates the region when that name is written back: what libcxl does
 * too (cxl_decoder_create_pmem_region in 76.1, the ram one from 77), but
 * libcxl first enumerates every bus, port and decoder to find the window,
 * a walk that cost a tenth of CreateRegion in the VM (bench/region-lifecycle).
 */
static int create_region(const char *window, const char *mode, char **ret_region)
{
	_cleanup_free_ char *path = NULL, *name = NULL;
	int r;

	if (asprintf(&path, CXL_DEVICES "/%s/create_%s_region", window, mode) < 0)
		return -ENOMEM;
	name = sysfs_read("%s", path);
	if (!name)
		return -EOPNOTSUPP;
	if (strncmp(name, "region", 6) != 0)
		return -EBUSY;	/* another creation holds the seed: try again */
	r = write_file(path, name);
	if (r < 0)
		return r;
	*ret_region = TAKE_PTR(name);
	return 0;
}

static int kernel_create(void *u, const char *window, const char *mode, char **ret_region)
{
	if (inject_fault("create"))
		return -EIO;
	if (strcmp(mode, "ram") != 0 && strcmp(mode, "pmem") != 0)
		return -EINVAL;
	return create_region(window, mode, ret_region);
}

/* Next free endpoint decoder of @md and its host bridge, or leave NULL. */
static int memdev_slot(struct cxl_ctx *ctx, struct cxl_memdev *md, char **ret_decoder,
		       char **ret_host_bridge)
{
	struct cxl_decoder *dec, *pick = NULL;
	struct cxl_endpoint *ep = cxl_memdev_get_endpoint(md);
	struct cxl_bus *bus;
	const char *hb = NULL;
	int last_used = -1;

	if (!ep)
		return 0;	/* not enabled: no endpoint port */
	/* The kernel allocates DPA strictly in decoder id order. */
	cxl_decoder_foreach(cxl_endpoint_get_port(ep), dec) {
		unsigned long long dpa = cxl_decoder_get_dpa_size(dec);

		if (dpa != 0 && dpa != ULLONG_MAX && cxl_decoder_get_id(dec) > last_used)
			last_used = cxl_decoder_get_id(dec);
	}
	cxl_decoder_foreach(cxl_endpoint_get_port(ep), dec)
		if (cxl_decoder_get_id(dec) == last_used + 1)
			pick = dec;
	cxl_bus_foreach(ctx, bus) {
		struct cxl_dport *dp = cxl_port_get_dport_by_memdev(cxl_bus_get_port(bus), md);

		if (dp) {
			hb = cxl_dport_get_devname(dp);
			break;
		}
	}
	if (pick && !(*ret_decoder = strdup(cxl_decoder_get_devname(pick))))
		return -ENOMEM;
	if (hb && !(*ret_host_bridge = strdup(hb)))
		return -ENOMEM;
	return 0;
}

static int kernel_memdev_slots(void *u, const char *const *memdevs, size_t n,
			       char **ret_decoders, char **ret_host_bridges)
{
	_cleanup_(cxl_unrefp) struct cxl_ctx *ctx = NULL;
	struct cxl_memdev *md;
	int r;

	for (size_t i = 0; i < n; i++)
		ret_decoders[i] = ret_host_bridges[i] = NULL;
	r = libcxl_open(&ctx);
	if (r < 0)
		return r;
	cxl_memdev_foreach(ctx, md)
		for (size_t i = 0; i < n; i++) {
			if (strcmp(cxl_memdev_get_devname(md), memdevs[i]) != 0)
				continue;
			r = memdev_slot(ctx, md, &ret_decoders[i], &ret_host_bridges[i]);
			if (r < 0)
				return r;
		}
	return 0;
}

/* ---- memory: libdaxctl ---- */

static void daxctl_unrefp(struct daxctl_ctx **ctx)
{
	if (*ctx)
		daxctl_unref(*ctx);
}

static int dax_open(const char *name, struct daxctl_ctx **ret_ctx, struct daxctl_dev **ret)
{
	struct daxctl_region *dr;
	struct daxctl_dev *dev;
	int r;

	r = libdaxctl_open(ret_ctx);
	if (r < 0)
		return r;
	daxctl_region_foreach(*ret_ctx, dr)
		daxctl_dev_foreach(dr, dev)
			if (strcmp(daxctl_dev_get_devname(dev), name) == 0) {
				*ret = dev;
				return 0;
			}
	return -ENODEV;
}

static int kernel_online(void *u, const char *dax, bool movable)
{
	_cleanup_(daxctl_unrefp) struct daxctl_ctx *ctx = NULL;
	struct daxctl_memory *mem;
	struct daxctl_dev *dev;
	int r;

	if (inject_fault("online"))
		return -EIO;
	r = dax_open(dax, &ctx, &dev);
	if (r < 0)
		return r;
	mem = daxctl_dev_get_memory(dev);
	if (!mem) {
		/* device_dax -> kmem: the memory blocks appear offline (or
		 * onlined by the kernel's auto-online policy). */
		r = daxctl_dev_disable(dev);
		if (r >= 0)
			r = daxctl_dev_enable_ram(dev);
		if (r < 0)
			return r;
		mem = daxctl_dev_get_memory(dev);
		if (!mem)
			return -ENXIO;
	}
	r = movable ? daxctl_memory_online(mem) : daxctl_memory_online_no_movable(mem);
	return r < 0 ? r : 0;
}

/* The blocks of @dev still online, as "memoryN memoryM". */
static char *online_blocks(struct daxctl_dev *dev, struct daxctl_memory *mem)
{
	unsigned long bs = daxctl_memory_get_block_size(mem);
	unsigned long long start = daxctl_dev_get_resource(dev);
	unsigned long long size = daxctl_dev_get_size(dev);
	char *buf = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f;

	if (bs == 0 || bs == ULONG_MAX)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (unsigned long long a = start; a < start + size; a += bs) {
		_cleanup_free_ char *state =
			sysfs_read("/sys/devices/system/memory/memory%llu/state", a / bs);

		if (state && strcmp(state, "offline") != 0) {
			fprintf(f, "%smemory%llu", first ? "" : " ", a / bs);
			first = false;
		}
	}
	fclose(f);
	return buf;
}

static int kernel_offline(void *u, const char *dax, char **ret_refused)
{
	_cleanup_(daxctl_unrefp) struct daxctl_ctx *ctx = NULL;
	struct daxctl_memory *mem;
	struct daxctl_dev *dev;
	int r;

	*ret_refused = NULL;
	if (inject_fault("offline"))
		return -EIO;
	r = dax_open(dax, &ctx, &dev);
	if (r < 0)
		return r;
	mem = daxctl_dev_get_memory(dev);
	if (!mem)
		return 0;	/* device_dax already: nothing online */
	(void)daxctl_memory_offline(mem);
	if (daxctl_memory_is_online(mem) > 0) {
		*ret_refused = online_blocks(dev, mem);
		return -EBUSY;
	}
	r = daxctl_dev_disable(dev);
	if (r >= 0)
		r = daxctl_dev_enable_devdax(dev);
	return r;
}

const struct region_ops region_ops_kernel = {
	.online = kernel_online,
	.offline = kernel_offline,
	.create = kernel_create,
	.delete = kernel_delete,
	.write = kernel_write,
	.bind = kernel_bind,
	.memdev_slots = kernel_memdev_slots,
};
