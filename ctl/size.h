/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Sizes as an operator reads and types them. Output is IEC with at most
 * one decimal ("256 MiB", "1.5 GiB", "512 B"), exact whenever the value
 * is a whole number of the unit; input takes a byte count in any base
 * strtoull understands, or a number with K/M/G/T (binary, optional "iB"
 * or "B": 256M, 256MiB, 1G).
 */
#define SIZE_BUF 48

const char *size_format(uint64_t bytes, char buf[static SIZE_BUF]);

/* 0, or -EINVAL (not a size) / -ERANGE (above 2^64-1). */
int size_parse(const char *s, uint64_t *ret);

/* An address or offset: a plain number, decimal or 0x-prefixed hex. */
int number_parse(const char *s, uint64_t *ret);
