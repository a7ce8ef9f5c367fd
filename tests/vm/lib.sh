# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for VM scenarios (sourced inside the guest; guest-init sources it
# too). A scenario starts with:
#   . "$CXLMEMD_SOURCE_ROOT/tests/vm/lib.sh"
#
# Environment guest-init provides (the guest sees the host's paths):
#   CXLMEMD_SOURCE_ROOT     the checkout
#   CXLMEMD_BUILD_DIR       the meson build dir (daemon at daemon/cxlmemd)
#   CXLMEMD_KERNEL_DIR      kernel/build's output dir for the booted kernel
#   CXLMEMD_KERNEL_RELEASE  its uname -r
#   CXLMEMD_VM_TOPOLOGY     qemu or cxl_test
#   CXLMEMD_VM_MODULES_ROOT the -d directory modprobe uses for this topology
#   CXLMEMD_VM_SHARE        directory shared read-write with the host
#   DBUS_SYSTEM_BUS_ADDRESS the guest's system bus

vm_log() { echo "vm: $*"; }

# Fail the scenario with a message naming the caller's line.
vm_fail() {
	echo "vm: FAIL (${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]}): $*" >&2
	exit 1
}

# vm_assert "what is being checked" command [args...]
vm_assert() {
	local what=$1
	shift
	if "$@"; then
		echo "vm: ok: $what"
	else
		echo "vm: FAIL (${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]}): $what (command: $*)" >&2
		exit 1
	fi
}

# vm_wait_for SECONDS "what" command [args...]: poll until command succeeds.
vm_wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null && return 0
		sleep 0.1
	done
	echo "vm: FAIL (${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]}): timed out after ${secs}s waiting for $what" >&2
	exit 1
}

# modprobe against the booted kernel's modules, independent of the host's
# /etc/modprobe.d: ndctl's nvdimm-security.conf installs libnvdimm through
# a plain `modprobe`, which would break -d; an empty -C dir avoids it.
vm_modprobe() {
	local empty=/run/cxlvm/modprobe.d
	mkdir -p "$empty"
	modprobe -d "$CXLMEMD_VM_MODULES_ROOT" -C "$empty" "$@"
}

# Write a marker into the kernel log (printk.devkmsg=on is set).
vm_kmsg() { echo "cxlvm: $*" > /dev/kmsg; }

# The sysfs value of a file, or "" if it does not exist.
vm_sysfs() { cat "$1" 2>/dev/null || true; }

# `cxl list` prints a lone object instead of a one-element array: emit the
# objects one per line (compact JSON) either way, nothing for no output.
vm_cxl_list() {
	cxl list "$@" | jq -c 'if type == "array" then .[] else . end'
}

# The sysfs directory of memdev $1's endpoint port (the port whose uport
# links to the memdev), or nothing.
vm_endpoint_of() {
	local e
	for e in /sys/bus/cxl/devices/endpoint*; do
		[ "$(basename "$(readlink -f "$e/uport")")" = "$1" ] && { echo "$e"; return 0; }
	done
	return 0
}

# The endpoint decoders of memdev $1 that hold DPA (dpa_size != 0).
vm_dpa_users() {
	local ep d
	ep=$(vm_endpoint_of "$1")
	[ -n "$ep" ] || return 0
	for d in "$ep"/decoder[0-9]*; do
		[ "$(($(cat "$d/dpa_size")))" = 0 ] || echo "${d##*/}"
	done
}

# Bind memdev $1 to cxl_mem. cxl_mem_probe() refuses with EBUSY while the
# detach work of the last unbind is still queued (6.12's "racy check": the
# port rescan that follows binds the memdev), and cxl_bus_rescan() may bind
# it before we do (bind then says ENODEV): retry until it is bound, up to
# 30 s. Returns non-zero if it never is.
vm_bind_memdev() {
	local m=$1 i
	for ((i = 0; i < 60; i++)); do
		echo "$m" > /sys/bus/cxl/drivers/cxl_mem/bind 2>/dev/null || true
		[ -e "/sys/bus/cxl/devices/$m/driver" ] && return 0
		sleep 0.5
	done
	return 1
}
