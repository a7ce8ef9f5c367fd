// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the policy loader: any bytes either load or are
 * refused with "FILE:LINE:COLUMN: message" and leave the policy in force
 * untouched; nothing crashes, leaks (ASan) or invokes undefined behaviour
 * (UBSan). Run by tests/fuzz/run-fuzz for a bounded time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/json-locate.h"
#include "policy/ownership.h"
#include "policy/policy.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base[] = "{\"version\":1,\"rules\":[{\"name\":\"keep\",\"owner\":\"cxl\"}]}";
	struct policy p = { 0 };
	char *err = NULL, *text;
	int r;

	if (policy_parse(&p, "base.json", base, strlen(base), &err) != 0)
		abort();
	/* the loader gets a NUL-terminated copy, as read_file() makes one */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	r = policy_parse(&p, "fuzz.json", text, size, &err);
	if (r == 0) {
		if (err || p.n_rules < 1 || strcmp(p.rules[0].name, "keep"))
			abort();
		for (size_t i = 0; i < p.n_rules; i++)
			if (!p.rules[i].name || !p.rules[i].origin)
				abort();
	} else if (r == -EINVAL) {
		unsigned line, col;

		/* refused: a position, and the previous policy unchanged */
		if (!err || sscanf(err, "fuzz.json:%u:%u: ", &line, &col) != 2 ||
		    line < 1 || col < 1 || p.n_rules != 1 || strv_length(p.files) != 1)
			abort();
	} else if (r != -ENOMEM) {
		abort();
	}
	free(err);
	free(text);
	policy_clear(&p);
	return 0;
}
