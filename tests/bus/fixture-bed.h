/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * A recorded CXL sysfs tree (tests/bus/fixtures/NAME.umockdev, made by
 * tests/vm/record-fixtures in the VM) loaded into a umockdev testbed, for
 * the real daemon to read through libumockdev-preload.
 *
 * umockdev 0.17 files every "cxl" device under /sys/class/cxl, but the
 * kernel has a cxl *bus*, and libcxl enumerates /sys/bus/cxl/devices
 * only: loaded as umockdev-run loads it, the tree is invisible to
 * `cxl list`. So after loading, every class link of the bus subsystems
 * (cxl, dax) gets its /sys/bus/SUBSYSTEM/devices/NAME twin, and every
 * driver directory a recorded "driver" link points at is created, as
 * the kernel's sysfs has them. Adding or removing a device later keeps
 * the bus links in step.
 *
 * The daemon's environment (fixture_bed_env) holds LD_PRELOAD,
 * UMOCKDEV_DIR, CXLMEMD_IOMEM (the recorded /proc/iomem) and
 * ASAN_OPTIONS with verify_asan_link_order=0: in a sanitizer build the
 * preload, not the ASan runtime, comes first in the library list.
 */
struct fixture_bed;

/* Load fixture @name from $CXLMEMD_SOURCE_ROOT/tests/bus/fixtures. */
int fixture_bed_new(const char *name, struct fixture_bed **ret);

/*
 * The same from @dir/@name.umockdev and @dir/@name.iomem (NULL @dir: the
 * fixtures), e.g. a synthetic tree written by bench/synth-tree.
 */
int fixture_bed_new_at(const char *dir, const char *name, struct fixture_bed **ret);
void fixture_bed_free(struct fixture_bed *b);

/* NULL-terminated "KEY=value" list for bus_env_start_daemon(). */
char *const *fixture_bed_env(struct fixture_bed *b);

/* $CXLMEMD_SOURCE_ROOT/tests/bus/fixtures/NAME.SUFFIX (DIR/NAME.SUFFIX
 * for fixture_bed_new_at); free() it. */
char *fixture_bed_file(struct fixture_bed *b, const char *suffix);

/* /sys/devices/... of bus device @name (mem0, dax0.0); free() it. NULL: none. */
char *fixture_bed_syspath(struct fixture_bed *b, const char *subsystem, const char *name);

/* Write attribute @attr (may contain '/': "ram/size") of @syspath. */
int fixture_bed_set_attribute(struct fixture_bed *b, const char *syspath,
			      const char *attr, const char *value);

/* Send a uevent as the kernel would, for the device at @syspath. */
void fixture_bed_uevent(struct fixture_bed *b, const char *syspath, const char *action);

/*
 * Take the sysfs directory of the device at @syspath and everything
 * below it out of the tree, with its /sys/class and /sys/bus links, as
 * device_del() does; no uevent (send "remove" first: umockdev reads its
 * properties from the device).
 */
int fixture_bed_remove(struct fixture_bed *b, const char *syspath);

/*
 * Put @syspath and its recorded children back exactly as the fixture has
 * them. umockdev sends the "add" uevent itself, before the bus links
 * exist: call it with the daemon stopped.
 */
int fixture_bed_restore(struct fixture_bed *b, const char *syspath);

/*
 * What the fixture recorded for the device at @syspath: @key is the
 * record line's prefix up to '=' ("A: size", "E: DRIVER", "L: driver").
 * Returns the value (a trailing "\n" escape dropped; free() it), or NULL.
 */
char *fixture_bed_recorded(struct fixture_bed *b, const char *syspath, const char *key);

/* Names on /sys/bus/@subsystem/devices of the testbed, sorted; strv, free each. */
char **fixture_bed_devices(struct fixture_bed *b, const char *subsystem);

/*
 * umockdev_testbed_uevent() looks the device up with libudev in the
 * calling process, so the test itself must run under the preload too:
 * call first thing in main(). Re-executes the program with
 * libumockdev-preload in LD_PRELOAD unless it is there; returns only
 * then (or < 0 if the re-exec failed).
 */
int fixture_bed_preload_self(char *argv[]);
