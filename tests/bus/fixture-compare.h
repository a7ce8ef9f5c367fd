/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "fixture-bed.h"
#include "model.h"

/*
 * cxlmemd's bus tree compared with what a fixture recorded (fixture-bed.h).
 *
 * Expectations come from the recording, not from the caller: the
 * memdevs, windows and regions from the fixture's `cxl list` JSON
 * (NAME.cxl-list.json), the dax devices and the attributes cxl list does
 * not print from the umockdev records, the Soft Reserved ranges from the
 * recorded /proc/iomem. The fixtures' dax devices were onlined as system
 * RAM in the VM, but umockdev recorded no memory blocks, so their Online
 * and Zone are not compared.
 *
 * Everything here asserts with cmocka: a mismatch, or a property the
 * daemon does not answer, fails the calling test with a message naming
 * the object, except fixture_compare_init(), which runs in a setup.
 */
struct json_object;

struct fixture_compare {
	struct fixture_bed *bed;
	sd_bus *bus;			/* a client on the daemon's bus */
	struct json_object *list;	/* the recording's cxl list JSON */
};

/* Load @bed's cxl list JSON; < 0, said on stderr, if it cannot. */
int fixture_compare_init(struct fixture_compare *c, struct fixture_bed *bed, sd_bus *bus);
void fixture_compare_done(struct fixture_compare *c);

/* What matched: one per object of each kind. */
struct fixture_counts {
	size_t memdevs, windows, regions, daxes, soft_reserved;
};

/*
 * The whole tree: every memdev, window, region, dax device and Soft
 * Reserved range of the recording is on the bus with the recorded
 * properties, and the daemon manages nothing else.
 */
void fixture_compare_tree(struct fixture_compare *c, struct fixture_counts *ret);

/* The memdevs of @objects (daemon_objects()) against the recording; how many. */
size_t fixture_compare_memdevs(struct fixture_compare *c, char **objects);

/* The regions umockdev recorded with capacity (not seeds). */
size_t fixture_recorded_regions(struct fixture_compare *c);

/* The recording's memdev names, in cxl list's order; strv. */
char **fixture_memdevs(struct fixture_compare *c);

/* Bus paths of the recorded regions whose mappings name @memdev, sorted; NULL: none. */
char **fixture_memdev_regions(struct fixture_compare *c, const char *memdev);

/* /sys/devices/... of @subsystem device @name, which the fixture must have; free() it. */
char *fixture_syspath(struct fixture_bed *bed, const char *subsystem, const char *name);

/* The record line @key ("A: serial") of @syspath, which must be there; free() it. */
char *fixture_recorded(struct fixture_bed *bed, const char *syspath, const char *key);

/* model_bus_path(), which must succeed; free() it. */
char *object_path(enum object_type t, const char *name);

/* Every object's interfaces of ours (not Peer, Properties...), as "path iface", sorted. */
char **daemon_objects(sd_bus *bus);
bool objects_contain(char **objects, const char *path, const char *iface);

/* Properties of object @path of type @t. */
uint64_t daemon_get_u64(sd_bus *bus, const char *path, enum object_type t, const char *prop);
/* A string or object path; free() it. */
char *daemon_get_str(sd_bus *bus, const char *path, enum object_type t, const char *prop);
