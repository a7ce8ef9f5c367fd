# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by bench/startup, bench/query, bench/footprint and
# bench/callgrind-startup: build what they run, write the synthetic trees.
#
# synth_prepare BUILD_DIR N...: builds synth-bench and the daemons in
# BUILD_DIR, writes the trees of N memdevs to $SYNTH_DIR (default
# /tmp/cxlmemd-synth-$UID; kept, rewritten when bench/synth-tree is newer),
# exports what the bus harness needs and sets SYNTH_NAMES and SYNTH_BUILD
# (BUILD_DIR, absolute).
synth_prepare() {
	local build=$1 n
	shift
	meson compile -C "$build" bench/synth-bench daemon/cxlmemd daemon/cxlmemd-test >/dev/null
	SYNTH_DIR=${SYNTH_DIR:-/tmp/cxlmemd-synth-$(id -u)}
	SYNTH_NAMES=
	for n in "$@"; do
		if [ ! -e "$SYNTH_DIR/synth$n.counts.json" ] ||
		   [ bench/synth-tree -nt "$SYNTH_DIR/synth$n.counts.json" ]; then
			bench/synth-tree --memdevs "$n" --out "$SYNTH_DIR" >/dev/null
		fi
		SYNTH_NAMES="$SYNTH_NAMES synth$n"
	done
	SYNTH_BUILD=$(cd "$build" && pwd)
	export CXLMEMD_SOURCE_ROOT=$PWD CXLMEMD_BINARY=$SYNTH_BUILD/daemon/cxlmemd
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null)," \
	     "$(nproc) CPUs, $(cxl version 2>/dev/null | sed 's/^/ndctl /')"
}
