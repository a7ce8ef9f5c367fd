// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: after a region job the daemon reads only what the
 * job can have changed (topology_read_regions(): one window and its
 * regions, dax devices when a ram region is involved, the free capacity
 * of the memdevs named) and takes the rest from the model it had; the
 * whole walk follows in the background. This proves, on each recorded
 * tree (tests/bus/fixtures: cxltest with an auto-assembled region, qemu
 * with Soft Reserved ranges and dax_hmem devices), that the result is
 * the model the whole walk (topology_enumerate()) gives:
 *
 *  - from the whole walk's own model, for every window and for none;
 *  - from a model that lacks a region the tree has, as after the
 *    CreateRegion that made it, with its memdevs' capacity and the
 *    window's extent wrong too;
 *  - from a model with a region the tree lacks, as after a Delete.
 *
 * The library reads sysfs through libumockdev-preload, which must be
 * loaded before the process starts: each test re-runs this binary with
 * the fixture's environment (fixture-bed.h) and "--child FIXTURE", and
 * the child does the comparisons (in the -valgrind run, under valgrind:
 * CXLMEMD_DAEMON_WRAPPER). Nothing here names a device.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture-bed.h"
#include "macro.h"
#include "model.h"
#include "strv.h"
#include "topology.h"

/* ---- the child: under umockdev ---- */

static int print_change(const struct model_change *c, void *userdata)
{
	const char *what = userdata;
	static const char *const kinds[] = { "added", "removed", "changed" };

	fprintf(stderr, "%s: %s %s %s", what, object_type_info(c->type)->interface, c->name,
		kinds[c->kind]);
	for (size_t i = 0; c->kind == CHANGE_PROPERTIES && c->props[i]; i++)
		fprintf(stderr, " %s", c->props[i]);
	fputc('\n', stderr);
	return 1;	/* counts the differences */
}

static int count_differences(const struct model *want, const struct model *got, const char *what)
{
	int n = 0;

	for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++)
		for (size_t i = 0; i < model_count(want, t) || i < model_count(got, t); i++) {
			const void *a = model_object(want, t, i), *b = model_object(got, t, i);

			if (!a || !b || strcmp(object_name(a), object_name(b)) != 0) {
				fprintf(stderr, "%s: %s lists differ at %zu: %s vs %s\n", what,
					object_type_info(t)->interface, i, a ? object_name(a) : "-",
					b ? object_name(b) : "-");
				n++;
				break;
			}
			n += model_diff_object(t, a, b, print_change, (void *)what);
		}
	return n;
}

/* Read @window again from @stale and compare with @full; 0 when equal. */
static int check_read(const struct model *full, const struct model *stale, const char *window,
		      char *const *memdevs, const char *what)
{
	struct model got;
	int r = topology_read_regions(stale, window, memdevs, &got);

	if (r < 0) {
		fprintf(stderr, "%s: topology_read_regions: %s\n", what, strerror(-r));
		return 1;
	}
	r = count_differences(full, &got, what);
	model_clear(&got);
	return r;
}

static char **region_memdevs(const struct region *g)
{
	char **l = NULL;

	for (size_t i = 0; i < g->n_targets; i++)
		if (strv_extend(&l, g->targets[i].memdev) < 0)
			abort();
	return l;
}

/* The model as it was before region @g existed, as far as it shows. */
static int model_without_region(const struct model *full, const struct region *g,
				struct model *ret)
{
	int r = model_copy(full, ret);

	if (r < 0)
		return r;
	for (size_t i = 0; i < g->n_targets; i++) {
		struct memdev *d = model_find(ret, OBJECT_MEMDEV, g->targets[i].memdev);

		if (d) {
			d->ram_free = d->ram_size;
			d->pmem_free = d->pmem_size;
			d->regions = strv_free(d->regions);
		}
	}
	for (size_t i = 0; i < ret->n_windows; i++)
		if (strcmp(ret->windows[i].name, g->window) == 0) {
			ret->windows[i].regions = strv_free(ret->windows[i].regions);
			ret->windows[i].max_available_extent = ret->windows[i].size;
		}
	return model_remove(ret, OBJECT_REGION, g->name);
}

/* The model with a region the tree lacks, in window @w, mapping memdev @d. */
static int model_with_extra_region(const struct model *full, const struct window *w,
				   const struct memdev *d, struct model *ret)
{
	struct region *g;
	int r = model_copy(full, ret);

	if (r < 0)
		return r;
	g = model_add(ret, OBJECT_REGION);
	if (!g)
		return -ENOMEM;
	*g = (struct region){ .start = w->start, .size = 256 << 20, .ways = 1,
			      .granularity = 256 };
	g->name = strdup("region999");
	g->window = strdup(w->name);
	g->mode = strdup("pmem");
	g->uuid = strdup("");
	g->state = strdup("enabled");
	g->dax = strdup("");
	g->targets = calloc(1, sizeof(*g->targets));
	if (!g->name || !g->window || !g->mode || !g->uuid || !g->state || !g->dax ||
	    !g->targets)
		return -ENOMEM;
	g->n_targets = 1;
	g->targets[0].memdev = strdup(d->name);
	g->targets[0].decoder = strdup(d->endpoint_decoders ? d->endpoint_decoders[0] : "x");
	if (!g->targets[0].memdev || !g->targets[0].decoder)
		return -ENOMEM;
	return model_finish(ret);
}

static int child(const char *fixture)
{
	_cleanup_(strv_freep) char **all = NULL;
	struct model full, stale;
	char what[160];
	int bad = 0, r;

	r = topology_enumerate(&full);
	if (r < 0) {
		fprintf(stderr, "%s: topology_enumerate: %s\n", fixture, strerror(-r));
		return 1;
	}
	if (!full.n_windows || !full.n_memdevs) {
		fprintf(stderr, "%s: the whole walk found no window or no memdev\n", fixture);
		return 1;
	}
	for (size_t i = 0; i < full.n_memdevs; i++)
		if (strv_extend(&all, full.memdevs[i].name) < 0)
			return 1;

	/* Nothing changed: every window, and none, reads as the whole walk. */
	for (size_t i = 0; i <= full.n_windows; i++) {
		const char *w = i < full.n_windows ? full.windows[i].name : NULL;

		snprintf(what, sizeof(what), "%s, window %s, unchanged", fixture, w ?: "(none)");
		bad += check_read(&full, &full, w, all, what);
	}
	/* After a CreateRegion: each region the tree has, missing from the model. */
	for (size_t i = 0; i < full.n_regions; i++) {
		const struct region *g = &full.regions[i];
		_cleanup_(strv_freep) char **memdevs = region_memdevs(g);

		snprintf(what, sizeof(what), "%s, %s missing", fixture, g->name);
		if (model_without_region(&full, g, &stale) < 0)
			return 1;
		bad += check_read(&full, &stale, g->window, memdevs, what);
		model_clear(&stale);
	}
	/* After a Delete: a region the tree lacks, in the model. */
	for (size_t i = 0; i < full.n_windows; i++) {
		char *const one[] = { full.memdevs[0].name, NULL };

		snprintf(what, sizeof(what), "%s, extra region in %s", fixture,
			 full.windows[i].name);
		if (model_with_extra_region(&full, &full.windows[i], &full.memdevs[0], &stale) < 0)
			return 1;
		bad += check_read(&full, &stale, full.windows[i].name, one, what);
		model_clear(&stale);
	}
	printf("# %s: %zu windows, %zu regions, %zu memdevs, %zu dax devices: %d differences\n",
	       fixture, full.n_windows, full.n_regions, full.n_memdevs, full.n_daxes, bad);
	model_clear(&full);
	return bad ? 1 : 0;
}

/* ---- the parent: TAP ---- */

static void run_child(const char *fixture)
{
	struct fixture_bed *bed = NULL;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;
	pid_t pid;

	assert_true(n > 0);
	self[n] = 0;
	assert_int_equal(fixture_bed_new(fixture, &bed), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (char *const *kv = fixture_bed_env(bed); *kv; kv++)
			putenv(*kv);
		/* the -valgrind run: the reading code under valgrind */
		if (getenv("CXLMEMD_DAEMON_WRAPPER"))
			execl("/bin/sh", "sh", "-c",
			      "exec $CXLMEMD_DAEMON_WRAPPER \"$0\" --child \"$1\"", self,
			      fixture, (char *)NULL);
		else
			execl(self, self, "--child", fixture, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	fixture_bed_free(bed);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: the regions read again differ from the whole walk (see above)",
			 fixture);
}

static void test_cxltest(void **state)
{
	run_child("cxltest");
}

static void test_qemu(void **state)
{
	run_child("qemu");
}

int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cxltest),
		cmocka_unit_test(test_qemu),
	};

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child(argv[2]);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
