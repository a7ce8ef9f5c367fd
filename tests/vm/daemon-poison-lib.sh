# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for the daemon-poison-* scenarios (sourced after lib.sh and
# daemon-region-lib.sh in the guest): the kernel's own cxl_poison trace
# records, read from the top-level tracefs buffer (cxlmemd uses instances
# of its own, so the two never consume each other's events), and the
# poison lists cxlmemd returns.

tracing=/sys/kernel/tracing

kernel_trace_start() {
	[ -e "$tracing/events/cxl/cxl_poison/enable" ] ||
		vm_fail "no cxl_poison trace event in $tracing"
	echo 1 > "$tracing/events/cxl/cxl_poison/enable"
	: > "$tracing/trace"
}

# The last cxl_poison record of type $1 (Inject, Clear) since the last
# kernel_trace_clear, as "memdev dpa hpa region" (numbers in decimal).
kernel_trace_clear() { : > "$tracing/trace"; }
kernel_last_record() {
	grep " cxl_poison: " "$tracing/trace" | grep "trace_type=$1 " | tail -n1 |
		sed -n 's/.*memdev=\([^ ]*\) .* region=\([^ ]*\) .* hpa=\(0x[0-9a-f]*\) dpa=\(0x[0-9a-f]*\) .*/\1 \4 \3 \2/p' |
		{ read -r m d h r && printf '%s %d %s %s\n' "$m" "$d" "$h" "${r:--}"; }
}

# GetPoison of object $1 (Memdev or Region interface $2) as lines
# "FIRST LENGTH SOURCE PATH SECOND" (busctl's JSON; the numbers compared
# here are small enough for jq's doubles, the unmapped HPA is not used).
poison_list() {
	busctl --system --json=short call org.cxlmemd1 "$1" "org.cxlmemd1.$2" GetPoison |
		jq -r '.data[0][] | "\(.[0]) \(.[1]) \(.[2]) \(.[3]) \(.[4])"'
}

# Watch PoisonChanged signals into $1 (background; sets signal_pid).
signal_watch() {
	dbus-monitor --system "type='signal',sender='org.cxlmemd1',member='PoisonChanged'" \
		> "$1" 2>&1 &
	signal_pid=$!
	sleep 1
}
