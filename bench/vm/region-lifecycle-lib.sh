# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# What both guest halves of bench/region-lifecycle share: the window and
# memdev, and one region's life through each side, timed by bash builtins
# alone. Sourced after tests/vm/lib.sh and daemon-region-lib.sh.
size=$((256 << 20))

# A 1-way pmem-capable window with create_pmem_region and a memdev below
# it with free pmem and no decoder in use: sets rd, mem, W, M.
pick_window() {
	rd="" mem=""
	for d in $(vm_cxl_list -D -d root | jq -r 'select(.pmem_capable == true and .interleave_ways == 1) | .decoder'); do
		[ -e "$cxl_dev/$d/create_pmem_region" ] || continue
		for m in $(vm_cxl_list -M -d "$d" | jq -r 'select(.pmem_size != null) | .memdev'); do
			[ -z "$(vm_dpa_users "$m")" ] && { rd=$d mem=$m; break 2; }
		done
	done
	[ -n "$rd" ] || vm_fail "no 1-way pmem window with an unused memdev"
	W=/org/cxlmemd1/window/${rd//./_}
	M=/org/cxlmemd1/memdev/$mem
}

# Each side is its two client processes and nothing else: the region name
# is taken from their output by bash itself (no jq or sed process on
# either side). mid_us: when the create step returned, for the split.
with_cxl() {
	local out r t0=$EPOCHREALTIME
	out=$(cxl create-region -d "$rd" -t pmem -m -w 1 -g 256 -s "$size" "$mem" 2>/dev/null) ||
		vm_fail "cxl create-region failed"
	us_since mid_us "$t0"
	[[ $out =~ \"region\":\"(region[0-9]+)\" ]] || vm_fail "cxl create-region said: $out"
	r=${BASH_REMATCH[1]}
	cxl destroy-region -f "$r" >/dev/null 2>&1 || vm_fail "cxl destroy-region $r failed"
}
with_daemon() {
	local out p t0=$EPOCHREALTIME
	out=$(gcall "$W" Window.CreateRegion pmem "$size" 1 256 "['$M']" "{}") ||
		vm_fail "CreateRegion: $out"
	us_since mid_us "$t0"
	[[ $out =~ objectpath\ \'([^\']+)\' ]] || vm_fail "CreateRegion said: $out"
	p=${BASH_REMATCH[1]}
	out=$(gcall "$p" Region.Delete false) || vm_fail "Delete $p: $out"
}
# us_since VAR T0: microseconds since $EPOCHREALTIME value T0 into VAR
# (bash 5 builtins only: no process, no subshell inside the timed span).
us_since() { local a=${2/./} b=${EPOCHREALTIME/./}; printf -v "$1" %s $((10#$b - 10#$a)); }
# timed VAR FN: FN's wall time in VAR, its create step in VAR_create.
timed() {
	local t0=$EPOCHREALTIME
	"$2"
	us_since "$1" "$t0"
	printf -v "$1_create" %s "$mid_us"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
