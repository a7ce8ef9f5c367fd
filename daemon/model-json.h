/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "model.h"

/*
 * The whole model as one JSON document, for orchestrators that prefer one
 * call over walking the bus: {"memdevs": [...], "windows": [...],
 * "regions": [...], "dax_devices": [...], "soft_reserved": [...]}, keys
 * in `cxl list` style, references by name, numbers as numbers. Pure.
 * Returns a malloc'd string or NULL on OOM.
 */
char *model_to_json(const struct model *m);
