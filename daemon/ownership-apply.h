/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manager.h"
#include "policy/ownership.h"

/*
 * One range's decision carried out in the kernel (ownership-bus.h says
 * when): the handoff through the soft_reserved interface, with what it
 * takes around it: offlining dax_hmem's memory first and onlining it
 * again when the handoff fails, deleting userspace's regions in the way
 * of a hand-back to dax_hmem, reassembling kept firmware decode or making
 * a region over a range CXL got. @why gets the explanation a failure (or
 * a caveat) leaves on the range; free() it.
 */

/*
 * Move @sr (kernel directory @dir, kernel state @state) to @d's owner.
 * Returns 0; 1 when done but @why says what it means; -1 with @why set
 * and the previous owner restored where the kernel allows.
 */
int ownership_handoff(Manager *m, const struct softreserved *sr, const char *dir,
		      const char *state, const struct ownership_decision *d, char **why);

/* dax_hmem owns @sr already: online its memory where @d asks. 0, or -1 with @why. */
int ownership_follow_up(Manager *m, const struct softreserved *sr,
			const struct ownership_decision *d, char **why);

/* CXL owns @sr and nothing decodes it: make a region over it. 0, or -1 with @why. */
int ownership_place_region(Manager *m, const struct softreserved *sr, char **why);

/* Does any region of the model decode part of @sr? */
bool ownership_range_has_region(const struct model *m, const struct softreserved *sr);

/* Do endpoint decoders keep firmware decode of @sr that CXL can reassemble? */
bool ownership_has_kept_decode(const struct softreserved *sr);

/* Re-probe the endpoints holding @sr's kept decode; how many were re-bound. */
size_t ownership_reassemble(const struct softreserved *sr);

/* Append "; @what" to *@why; returns 1, ownership_handoff()'s "done, but". */
int ownership_caveat(char **why, const char *what);
