// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * synth-check DIR NAME [--dump]: load the synthetic tree DIR/NAME (bench/synth-tree)
 * into a fixture bed, and check that `cxl list -M -D -R -u` and the real
 * cxlmemd on a private bus both see every memdev, region, window (and
 * decoder, dax device) the tree holds. Exit 0 if they do, 1 if not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth-bed.h"

int main(int argc, char *argv[])
{
	struct fixture_bed *b = NULL;
	struct synth_counts want;
	struct bus_env e;
	uint64_t t0, t1;
	int r;

	if (argc == 4 && strcmp(argv[3], "--dump") == 0) {
		/* Print what `cxl list -M -D -R -u` says, to look at the tree. */
		static const char *const list[] = { "list", "-M", "-D", "-R", "-u", NULL };
		char *json = NULL;

		if (fixture_bed_preload_self(argv) < 0 ||
		    fixture_bed_new_at(argv[1], argv[2], &b) < 0 ||
		    synth_run_cxl(b, list, &json, NULL) < 0)
			return 1;
		fputs(json, stdout);
		free(json);
		fixture_bed_free(b);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s DIR NAME [--dump]\n", argv[0]);
		return 2;
	}
	if (fixture_bed_preload_self(argv) < 0)
		return 1;
	r = synth_read_counts(argv[1], argv[2], &want);
	if (r < 0)
		return 1;
	t0 = synth_now_usec();
	r = fixture_bed_new_at(argv[1], argv[2], &b);
	t1 = synth_now_usec();
	if (r < 0)
		return 1;
	fprintf(stderr, "loaded %s/%s into a testbed in %.0f ms\n", argv[1], argv[2],
		(t1 - t0) / 1000.0);
	r = bus_env_start(&e);
	if (r >= 0)
		r = bus_env_start_daemon(&e, fixture_bed_env(b));
	if (r >= 0)
		r = synth_wait_ready(&e, bus_env_timeout_ms(120000));
	if (r >= 0)
		r = synth_verify(b, &e, &want);
	bus_env_stop(&e);
	fixture_bed_free(b);
	if (r < 0) {
		fprintf(stderr, "synth-check: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
