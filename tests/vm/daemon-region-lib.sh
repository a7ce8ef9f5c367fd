# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for the daemon-region-* scenarios (sourced after lib.sh in the
# guest): start and stop cxlmemd (or the test build with a fault knob),
# call it with busctl, and snapshot the kernel's region state so a test
# can prove a failed call left nothing behind.

cxl_dev=/sys/bus/cxl/devices
daemon_log=/run/cxlvm/cxlmemd.log
daemon_pid=""

# daemon_start [test]: cxlmemd, or (with "test") cxlmemd-test, which
# fails the kernel action named in $fail_file (STEP or STEP@N) or holds
# it for MS milliseconds (STEP~MS); see daemon/region-ops.h. The file is
# re-read before every action.
fail_file=/run/cxlvm/fail-step
daemon_start() {
	local bin="$CXLMEMD_BUILD_DIR/daemon/cxlmemd"
	[ "${1:-}" = test ] && bin="$CXLMEMD_BUILD_DIR/daemon/cxlmemd-test"
	[ -x "$bin" ] || vm_fail "$bin is not built"
	: > "$fail_file"
	echo "--- start ${bin##*/}" >> "$daemon_log"
	CXLMEMD_TEST_FAIL_STEP_FILE="$fail_file" "$bin" >> "$daemon_log" 2>&1 &
	daemon_pid=$!
	vm_wait_for 30 "org.cxlmemd1 on the bus" \
		busctl --system get-property org.cxlmemd1 /org/cxlmemd1 org.cxlmemd1.Manager Version
}

daemon_stop() {
	[ -n "$daemon_pid" ] || return 0
	kill -0 "$daemon_pid" 2>/dev/null || vm_fail "cxlmemd died (see $daemon_log)"
	kill -TERM "$daemon_pid"
	wait "$daemon_pid" || vm_fail "cxlmemd exited non-zero on SIGTERM"
	daemon_pid=""
	# The name must be gone before the next daemon_start waits for it.
	vm_wait_for 10 "org.cxlmemd1 to leave the bus" \
		sh -c '! busctl --system status org.cxlmemd1 >/dev/null 2>&1'
}

daemon_dump_log() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	echo "--- cxlmemd log"
	cat "$daemon_log" 2>/dev/null || true
}

# gcall OBJPATH IFACE.METHOD ARGS...: a method call through gdbus, which
# parses each argument as GVariant text of the type the method declares
# ("[]" for an empty ao, "{'uuid': <'...'>}" for a{sv}) and, unlike
# busctl, prints the D-Bus error name of a failure.
gcall() {
	local path=$1 method=$2
	shift 2
	gdbus call --system --dest org.cxlmemd1 --object-path "$path" \
		--method "org.cxlmemd1.$method" "$@" 2>&1
}

# expect_error ERRNAME "what" OBJPATH IFACE.METHOD ARGS...: the call must
# fail with org.cxlmemd1.Error.ERRNAME; the message lands in $last_error.
expect_error() {
	local want=$1 what=$2 out
	shift 2
	if out=$(gcall "$@"); then
		vm_fail "$what succeeded: $out"
	fi
	case "$out" in
	*"GDBus.Error:org.cxlmemd1.Error.$want: "*) ;;
	*) vm_fail "$what did not fail with org.cxlmemd1.Error.$want: $out" ;;
	esac
	last_error=${out#*"Error.$want: "}
	vm_log "ok: $what refused ($want): $last_error"
}

# The object path a successful gcall returned: "(objectpath '/x',)" -> /x
objpath_of() { sed -n "s/^(objectpath '\([^']*\)',)\$/\1/p" <<<"$1"; }

# Regions under root decoder $1 and every endpoint decoder's DPA and
# mode, plus each region's targets and commit state: what a failed call
# must leave exactly as it found it.
kernel_snapshot() {
	local d r
	for r in "$cxl_dev/$1"/region*; do
		[ -e "$r" ] || continue
		printf '%s commit=%s' "${r##*/}" "$(vm_sysfs "$r/commit")"
		for d in "$r"/target*; do printf ' %s=%s' "${d##*/}" "$(vm_sysfs "$d")"; done
		printf ' driver=%s\n' "$([ -e "$r/driver" ] && echo bound || echo none)"
	done
	for d in "$cxl_dev"/decoder*.*; do
		[ -e "$d/dpa_size" ] || continue
		printf '%s dpa_size=%s\n' "${d##*/}" "$(vm_sysfs "$d/dpa_size")"
	done
}

region_prop() { # REGION PROP
	busctl --system get-property org.cxlmemd1 "/org/cxlmemd1/region/$1" \
		org.cxlmemd1.Region "$2"
}
