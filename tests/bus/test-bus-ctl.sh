#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run by test-bus-ctl (see there): every cxlmemctl verb against cxlmemd on
# a private bus with the recorded cxl_test tree. Environment:
# CXLMEMCTL_BINARY, DBUS_SYSTEM_BUS_ADDRESS, N_MEMDEVS, N_WINDOWS,
# N_REGIONS, N_DAX, N_RANGES (the daemon's counts, read over sd-bus).
# Prints TAP; exits non-zero if any check failed.
set -uo pipefail
ctl=$CXLMEMCTL_BINARY
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	sed 's/^/#   stdout: /' "$out" | head -20
	sed 's/^/#   stderr: /' "$err" | head -20
}

# run WANT_STATUS WHAT ARGS...: cxlmemctl ARGS must exit WANT_STATUS.
run() {
	local want=$1 what=$2 rc
	shift 2
	"$ctl" "$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else not_ok "$what: exit $rc, want $want"; fi
}
# jqc WHAT FILTER: the last run's stdout satisfies jq FILTER.
jqc() {
	if jq -e "$2" "$out" >/dev/null 2>&1; then ok "$1"; else not_ok "$1: jq '$2'"; fi
}
# has WHAT STREAM REGEX
has() {
	local f=$out
	[ "$2" = stderr ] && f=$err
	if grep -Eq -- "$3" "$f"; then ok "$1"; else not_ok "$1: no /$3/ on $2"; fi
}

# --- the command line, without the bus ---
run 0 "--help" --help
has "--help lists every command" stdout "poison inject"
for v in status list show create-region attach-target detach-target commit decommit enable \
	 disable online offline attach detach delete-region "poison inject" "poison clear" \
	 "poison list" "ownership explain" "ownership set" "policy reload" monitor; do
	# shellcheck disable=SC2086
	run 0 "$v --help" $v --help
	has "$v --help shows its usage" stdout "^cxlmemctl \[OPTIONS...\] $v"
done
run 0 "--version" --version
has "--version" stdout "^cxlmemctl [0-9]"
run 2 "no command"
run 2 "unknown command" frobnicate
has "unknown command says so" stderr "Unknown command 'frobnicate'"
run 2 "poison without sub-command" poison
run 2 "unknown option" status --colour
run 2 "option of another verb" status --persist
run 2 "missing argument" show
run 2 "extra argument" status extra
run 2 "list of an unknown kind" list widgets
run 2 "a size that is no size" create-region decoder0.0 12Q
run 2 "a position that is no number" attach-target region0 mem0 first
run 2 "an address that is no number" poison inject mem0 0xzz
run 2 "attach without --hold or a command" attach region0
run 2 "a command after -- for another verb" status -- true
DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus run 6 "no system bus" status
has "no bus: says so" stderr "Cannot connect to the system bus"

# --- reading ---
run 0 "status" status
has "status: capabilities" stdout "^Capabilities:"
has "status: the window table" stdout "^WINDOW +START +SIZE"
has "status: the memdev table" stdout "^MEMDEV +HOST"
has "status: the region table" stdout "^REGION +WINDOW"
has "status: the range table" stdout "^RANGE +SIZE +OWNER"
run 0 "status --json" --json status
jqc "status --json: counts match the daemon's" \
	"(.memdevs|length) == $N_MEMDEVS and (.windows|length) == $N_WINDOWS and
	 (.regions|length) == $N_REGIONS and (.dax|length) == $N_DAX and
	 (.ranges|length) == $N_RANGES and (.manager.Capabilities|type) == \"array\""
jqc "status --json: sizes are exact bytes" '[.windows[].Size | type == "number" and . > 0] | all'

for k in memdevs:MEMDEV:N_MEMDEVS windows:WINDOW:N_WINDOWS regions:REGION:N_REGIONS \
	 ranges:RANGE:N_RANGES dax:DAX:N_DAX; do
	kind=${k%%:*} head=${k#*:} head=${head%%:*} var=${k##*:}
	run 0 "list $kind" list "$kind"
	has "list $kind: header" stdout "^$head "
	has "list $kind: count line" stdout "^${!var} $kind\.$"
	run 0 "list $kind --json" --json list "$kind"
	jqc "list $kind --json: ${!var} objects with paths" \
		"length == ${!var} and ([.[].Path | startswith(\"/org/cxlmemd1/\")] | all)"
	run 0 "list $kind --no-legend" --no-legend list "$kind"
	if [ "$(wc -l <"$out")" = "${!var}" ]; then ok "list $kind --no-legend: one line per object"
	else not_ok "list $kind --no-legend: $(wc -l <"$out") lines, want ${!var}"; fi
done
run 0 "list (all)" list
has "list: every kind" stdout "^[0-9]+ dax\.$"

"$ctl" --json list regions >"$out"
region=$(jq -r '.[0].Name' "$out") region_size=$(jq -r '.[0].Size' "$out")
window=$(jq -r '.[0].Window' "$out")
"$ctl" --json list memdevs >"$out"
memdev=$(jq -r '.[0].Name' "$out")
"$ctl" --json list ranges >"$out"
range=$(jq -r '.[0].Start // empty' "$out")
echo "# region $region ($region_size bytes) in $window, memdev $memdev, range ${range:-none}"

run 0 "show $region" show "$region"
has "show: the name" stdout "^ +Name: $region\$"
has "show: size in units with exact bytes" stdout "^ +Size: [0-9.]+ [KMGT]iB \($region_size bytes\)\$"
run 0 "show --bytes" --bytes show "$region"
has "show --bytes: exact" stdout "^ +Size: $region_size\$"
run 0 "show --json" --json show "$region"
jqc "show --json: the region" ".Name == \"$region\" and .Size == $region_size and
	.Interface == \"org.cxlmemd1.Region\" and (.Targets|length) > 0"
run 0 "show by object path" --json show "$window"
jqc "show by path: the window" ".Path == \"$window\" and .Interface == \"org.cxlmemd1.Window\""
run 0 "show a memdev by name" --json show "$memdev"
jqc "show memdev --json" ".Name == \"$memdev\" and (.Serial|type) == \"number\""
run 1 "show of nothing" show nosuchthing
has "show of nothing: says so" stderr "No object named 'nosuchthing'"

run 0 "ownership explain" ownership explain
has "ownership explain: the default" stdout "^Default owner: "
run 0 "ownership explain --json" --json ownership explain
jqc "ownership explain --json: ranges" "(.ranges|length) == $N_RANGES and has(\"default_owner\")"
run 0 "policy reload" policy reload

# --- changing: every one must end in the daemon's sentence and its code ---
# The recorded tree has no kernel behind it: what cannot work fails with
# KernelRefused (exit 1); what the daemon refuses up front has its name.
run 2 "create-region: size not a multiple of 256 MiB" create-region "$window" 100M
has "create-region: the daemon's sentence and error" stderr \
	"^Failed to create the region: .+\. \(InvalidArgument\)\$"
run 1 "create-region: unknown memdev" create-region "$window" 256M --memdev nosuch
has "create-region: unknown memdev named" stderr "No Memdev named 'nosuch'"
run 1 "create-region: not a window" create-region "$memdev" 256M
run 1 "delete-region of nothing" delete-region nosuchregion
# What the daemon answers on this tree, through cxlmemctl: its sentence
# and the exit status of its error name.
run 0 "commit (the recorded tree takes the write)" commit "$region"
run 0 "decommit" decommit "$region"
run 1 "enable: no driver to bind on the recording" enable "$region"
has "enable: the daemon's sentence" stderr "^Failed to call Enable on $region: The kernel refused .*\\(KernelRefused\\)\$"
run 1 "disable" disable "$region"
has "disable: KernelRefused" stderr "\\(KernelRefused\\)\$"
run 2 "online into no zone" online "$region" --zone ""
has "online: the daemon refuses the zone" stderr "Zone '' is not .*\\(InvalidArgument\\)\$"
run 1 "offline: blocks that will not go" offline "$region"
has "offline: Busy" stderr "\\(Busy\\)\$"
run 1 "attach-target to an enabled region" attach-target "$region" "$memdev" 0
has "attach-target: Busy" stderr "is enabled; .*\\(Busy\\)\$"
run 1 "detach-target of an enabled region" detach-target "$region" 0
run 1 "delete-region" delete-region "$region"
has "delete-region: KernelRefused" stderr "^Failed to call Delete on $region: .*\\(KernelRefused\\)\$"
run 1 "create-region: the kernel layer refuses" create-region "$window" 256M
has "create-region: KernelRefused, rolled back" stderr "Rolling back.*\\(KernelRefused\\)\$"
run 1 "create-region --empty" create-region "$window" 256M --empty
for obj in "$memdev" "$region"; do
	run 1 "poison list $obj: no debugfs here" poison list "$obj"
	has "poison list $obj: NotSupported" stderr "cannot list poison here.*\\(NotSupported\\)\$"
	run 1 "poison inject $obj" poison inject "$obj" 0
	run 1 "poison clear $obj" poison clear "$obj" 0x40
done
run 1 "poison list of a window" poison list "$window"
has "poison list of a window: not poisonable" stderr "No such object named"
run 2 "detach of an unknown lease" detach "$region" bogus
has "detach: InvalidArgument" stderr "has no lease 'bogus'.*\\(InvalidArgument\\)\$"
# The lease is there while the command runs, and gone after.
run 0 "attach -- COMMAND" --consumer ctl-test attach "$region" -- \
	sh -c "\"$ctl\" --json show $region | jq -e '[.Attachments[][1]] == [\"ctl-test\"]'"
has "attach: says it holds the lease" stdout "^Holding lease .* on $region while the command runs\.\$"
run 3 "attach passes the command's exit status on" attach "$region" -- sh -c "exit 3"
run 0 "after attach" --json show "$region"
jqc "attach: the lease went with the command" "(.Attachments|length) == 0"
# --hold: until SIGINT, then the lease goes.
"$ctl" --consumer ctl-hold attach --hold "$region" >"$out" 2>"$err" &
holder=$!
for _ in $(seq 100); do grep -q "Holding lease" "$out" && break; sleep 0.1; done
has "attach --hold: holding" stdout "^Holding lease .* on $region until Ctrl-C\\.\$"
"$ctl" --json show "$region" >"$out"
jqc "attach --hold: the lease is listed" '[.Attachments[][1]] == ["ctl-hold"]'
kill -INT "$holder"
wait "$holder"
rc=$?
if [ "$rc" = 0 ]; then ok "attach --hold: exit 0 on Ctrl-C"; else not_ok "attach --hold: exit $rc on SIGINT"; fi
"$ctl" --json show "$region" >"$out"
jqc "attach --hold: the lease went" '(.Attachments|length) == 0'
run 1 "ownership set of no range" ownership set 0x1 auto
has "ownership set: no such range" stderr "No SoftReservedRange named '0x1'"

# --- authorization: uid 65534, no polkit on this bus ---
for v in "commit $region" "delete-region $region" "policy reload" "poison inject $memdev 0"; do
	# shellcheck disable=SC2086
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" --no-ask-password $v \
		>"$out" 2>"$err"
	rc=$?
	if [ "$rc" = 4 ] && grep -q "(org.freedesktop.DBus.Error.AccessDenied)\|(org.freedesktop.DBus.Error.InteractiveAuthorizationRequired)" "$err"; then
		ok "$v as nobody: not authorized (exit 4)"
	else
		not_ok "$v as nobody: exit $rc, want 4 with the daemon's refusal"
	fi
done
setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" --json status >"$out" 2>"$err"
jqc "status as nobody: reading is open" "(.regions|length) == $N_REGIONS"

echo "1..$n"
[ "$failed" = 0 ]
