# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for the Soft Reserved ownership scenarios (tests/vm/scenarios/sr-*,
# kernel/patches 0004-0010). Sourced after lib.sh.
#
# THEORY OF OPERATION
# A Soft Reserved range is owned by CXL when an enabled region decodes it
# (a dax device under regionN), by dax_hmem when an "hmem.N" platform device
# carries a dax region for it, or by nobody. The scenarios judge ownership
# from those objects, which exist on both kernels, and on the patched
# kernel also read dax_hmem's account of it under
# /sys/bus/platform/devices/hmem_platform.0/soft_reserved/ (the ABI added
# by 0010) and require the two to agree. On the baseline kernel (release
# ending in -baseline) that directory must not exist.

sr_platform=/sys/bus/platform/devices/hmem_platform.0
sr_dir=$sr_platform/soft_reserved
sr_drv=/sys/bus/platform/drivers/hmem_platform

sr_is_baseline() {
	case "$(uname -r)" in
	*-baseline) return 0 ;;
	esac
	return 1
}

# sr_hex VALUE: a number in canonical 0x form (lowercase, no leading zeros).
sr_hex() { printf '0x%x\n' "$(($1))"; }

# Top-level-or-nested "Soft Reserved" ranges in /proc/iomem, as "START END"
# (canonical hex), one per line.
sr_iomem_ranges() {
	sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : Soft Reserved$/\1 \2/p' /proc/iomem |
		while read -r s e; do echo "$(sr_hex "0x$s") $(sr_hex "0x$e")"; done
}

# sr_in_cxl_window START: is the Soft Reserved range starting at START
# inside a CXL window in /proc/iomem?
sr_in_cxl_window() {
	local want=$(($1)) line a b name ws=-1 we=-1
	while IFS= read -r line; do
		name=${line#*: }
		line=${line%% : *}
		line=${line// /}
		a=$((0x${line%-*}))
		b=$((0x${line#*-}))
		case "$name" in
		"CXL Window "*) ws=$a we=$b ;;
		"Soft Reserved")
			if [ "$a" = "$want" ] && [ "$ws" -ge 0 ] &&
			   [ "$a" -ge "$ws" ] && [ "$b" -le "$we" ]; then
				return 0
			fi
			;;
		esac
	done < /proc/iomem
	return 1
}

# sr_hmem_device START: the hmem.N platform device whose dax region starts
# at START, or nothing. Works on both kernels.
sr_hmem_device() {
	local want=$1 d r
	for d in /sys/bus/platform/devices/hmem.*; do
		[ -e "$d" ] || continue
		for r in "$d"/dax[0-9]*/resource; do
			[ -r "$r" ] || continue
			if [ "$(sr_hex "$(cat "$r")")" = "$want" ]; then
				basename "$d"
				return 0
			fi
		done
	done
	return 0
}

# sr_cxl_dax START: the dax device (daxX.Y) published by a CXL region whose
# range starts at START, or nothing.
sr_cxl_dax() {
	local want=$1 d
	for d in /sys/bus/dax/devices/dax*; do
		[ -e "$d" ] || continue
		case "$(readlink -f "$d")" in
		*/region*/dax_region*) ;;
		*) continue ;;
		esac
		if [ "$(sr_hex "$(cat "$d/resource")")" = "$want" ]; then
			basename "$d"
			return 0
		fi
	done
	return 0
}

# sr_region_over START END: CXL regions whose resource intersects START-END,
# as "regionN STATE" (STATE = commit value, 1 committed).
sr_region_over() {
	local s=$(($1)) e=$(($2)) r rs rz
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r/resource" ] || continue
		rs=$(cat "$r/resource" 2>/dev/null) || continue
		rz=$(cat "$r/size" 2>/dev/null) || continue
		case "$rs" in ''|-1|18446744073709551615) continue ;; esac
		[ "$((rz))" -gt 0 ] || continue
		if [ "$((rs))" -le "$e" ] && [ "$((rs + rz - 1))" -ge "$s" ]; then
			echo "$(basename "$r") $(cat "$r/commit")"
		fi
	done
}

# sr_range_dir START: soft_reserved/rangeN for the range starting at START.
sr_range_dir() {
	local want=$1 r
	for r in "$sr_dir"/range*; do
		[ -e "$r/start" ] || continue
		if [ "$(sr_hex "$(cat "$r/start")")" = "$want" ]; then
			echo "$r"
			return 0
		fi
	done
	return 1
}

sr_state() { cat "$(sr_range_dir "$1")/state"; }
sr_reason() { cat "$(sr_range_dir "$1")/reason"; }
# sr_reason_has START TEXT: does the range's reason contain TEXT?
sr_reason_has() { sr_reason "$1" | grep -q -- "$2"; }

# Print every range dax_hmem reports (patched kernel), for the log.
sr_show() {
	local r
	[ -d "$sr_dir" ] || { vm_log "no $sr_dir"; return 0; }
	for r in "$sr_dir"/range*; do
		[ -e "$r/start" ] || continue
		vm_log "$(basename "$r"): $(cat "$r/start") size $(cat "$r/size") node $(cat "$r/target_node") state $(cat "$r/state") device '$(cat "$r/device")' reason '$(cat "$r/reason")'"
	done
}

# sr_owner START END: who owns the range, judged from the objects only:
# "cxl:<dax>", "hmem:<hmem.N>", "both:<dax>,<hmem.N>" or "none".
sr_owner() {
	local c h
	c=$(sr_cxl_dax "$1")
	h=$(sr_hmem_device "$1")
	if [ -n "$c" ] && [ -n "$h" ]; then
		echo "both:$c,$h"
	elif [ -n "$c" ]; then
		echo "cxl:$c"
	elif [ -n "$h" ]; then
		echo "hmem:$h"
	else
		echo none
	fi
}

# sr_wait_resolved SECONDS START: wait until dax_hmem no longer reports the
# range pending (patched kernel).
sr_wait_resolved() {
	local secs=$1 start=$2 i st
	for ((i = 0; i < secs * 10; i++)); do
		st=$(sr_state "$start" 2>/dev/null || true)
		[ -n "$st" ] && [ "$st" != pending ] && return 0
		sleep 0.1
	done
	return 1
}

# Unbind / bind dax_hmem from hmem_platform.0 (dax_hmem stays loaded).
# Binding goes through /sys/bus/platform/drivers_probe, not the driver's
# bind file: drivers_probe probes like a device or driver registration does
# (driver_probe_device(), counted in probe_count, which
# wait_for_device_probe() waits for), the bind file does not. dax_hmem's
# probe normally runs from module load or device registration, so that is
# the path whose interaction with its deferred work must be tested.
sr_unbind() {
	if [ -e "$sr_platform/driver" ]; then
		echo hmem_platform.0 > "$sr_drv/unbind"
	fi
}
sr_bind() { echo hmem_platform.0 > /sys/bus/platform/drivers_probe; }

# sr_load_cxl_test OPTIONS...: (re)load cxl_test with OPTIONS, cxl_mock_mem
# first, so the mock memory devices' probes (and region autodiscovery) are
# in flight when cxl_test publishes its Soft Reserved ranges and dax_hmem
# probes, as at boot. guest-init loads cxl_test without options; the
# Soft Reserved ranges only exist with them.
sr_load_cxl_test() {
	vm_modprobe -r dax_hmem 2>/dev/null || true
	vm_modprobe -r dax_cxl 2>/dev/null || true
	vm_modprobe -r cxl_test cxl_mock_mem cxl_mem cxl_port cxl_pmem 2>/dev/null || true
	if lsmod | grep -q '^cxl_test '; then
		vm_fail "cxl_test did not unload"
	fi
	vm_modprobe cxl_mock_mem || vm_fail "loading cxl_mock_mem failed"
	vm_modprobe cxl_test "$@" || vm_fail "loading cxl_test $* failed"
	vm_modprobe -a cxl_mem cxl_port cxl_pmem || vm_fail "loading the cxl_test drivers failed"
	udevadm settle --timeout=120 || vm_fail "udevadm settle timed out"
}

# The first Soft Reserved range cxl_test put over its window 0, and the one
# outside every window (soft_reserved_outside), as "START END".
sr_cxltest_window_range() {
	local s e
	while read -r s e; do
		sr_in_cxl_window "$s" && { echo "$s $e"; return 0; }
	done < <(sr_iomem_ranges)
	return 1
}
sr_cxltest_outside_range() {
	local s e
	while read -r s e; do
		sr_in_cxl_window "$s" || { echo "$s $e"; return 0; }
	done < <(sr_iomem_ranges)
	return 1
}

# sr_bounded SECONDS COMMAND...: run COMMAND in the background and wait for
# it at most SECONDS. Returns its status, or 124 if it is still running then;
# unlike timeout(1) it does not wait for a task stuck in the kernel (which
# no signal can end) before returning.
# Its output goes through a file, so a stuck task holds no pipe of ours open.
sr_bounded() {
	local secs=$1 pid i rc out
	shift
	out=$(mktemp /run/cxlvm/sr-bounded.XXXXXX)
	"$@" > "$out" 2>&1 < /dev/null &
	pid=$!
	for ((i = 0; i < secs * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			rc=0
			wait "$pid" || rc=$?
			cat "$out" >&2
			rm -f "$out"
			return "$rc"
		fi
		sleep 0.1
	done
	echo "vm: '$*' still running after ${secs}s" >&2
	return 124
}
