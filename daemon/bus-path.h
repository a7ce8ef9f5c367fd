/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Object path component for a kernel device name. Letters, digits and
 * '_' stay as they are (decoder0_1 -> decoder0_1), '.' becomes '_'
 * (dax0.1 -> dax0_1: the dot is the only separator the kernel uses in
 * these names), and any other byte becomes _xx in hex as
 * sd_bus_path_encode() would. The daemon always maps paths back by
 * comparing against the encoded names it knows, never by decoding, so
 * the mapping only has to be injective over real kernel names.
 */
char *bus_path_component(const char *name);

/* prefix + "/" + bus_path_component(name); NULL on OOM. */
char *bus_path_for(const char *prefix, const char *name);
