# shellcheck shell=bash
# Helpers for a suite's guest part: TAP lines on the serial console (dom0
# collects them), and the xenstore handshake with the suite's dom0 part.
# Keep output short: every byte through the emulated UART is slow.

# Each suite's keys live in a folder of their own (SUITE is set for a
# suite's part), so that one suite's leftovers never answer the next
# one's questions; init itself uses the top, where "suite" is.
XP_DATA=data/xenpv-test${SUITE:+/$SUITE}

say() { echo "XENPV-GUEST $*" > /dev/ttyS0; }
tap_ok() { echo "XENPV-TAP ok - $1" > /dev/ttyS0; }
# tap_not_ok DESC [LOGFILE]: a failure, with the log's tail as diagnostics.
tap_not_ok() {
	echo "XENPV-TAP not ok - $1" > /dev/ttyS0
	[ -n "${2:-}" ] && [ -s "$2" ] && tail -n 15 "$2" | sed 's/^/XENPV-TAP # /' > /dev/ttyS0
	return 0
}
# tap_check DESC CMD...: one test from a command's status; the command's
# output is shown only when it fails.
tap_check() {
	local desc=$1 out; shift
	out=$(mktemp)
	if "$@" > "$out" 2>&1; then tap_ok "$desc"; else tap_not_ok "$desc" "$out"; fi
	rm -f "$out"
}

# bench_result METRIC VALUE: a measurement, for tests/qemu-xen/bench.
bench_result() { echo "XENPV-BENCH $XP_MODE $1 $2" > /dev/ttyS0; }

tell_dom0() { xenstore-write "$XP_DATA/$1" "$2"; }
# wait_dom0 KEY [TIMEOUT]: prints the value dom0 wrote under KEY.
wait_dom0() {
	local t=0 v
	while [ $t -lt "${2:-120}" ]; do
		if v=$(xenstore-read "$XP_DATA/$1" 2> /dev/null); then
			echo "$v"
			return 0
		fi
		sleep 1; t=$((t + 1))
	done
	return 1
}

suite_begin() { xenstore-write data/xenpv-test/suite "$1" 2> /dev/null; }

# wait_for TIMEOUT CMD...: poll until CMD succeeds.
wait_for() {
	local t=0 limit=$1; shift
	until "$@"; do
		[ $t -ge "$limit" ] && return 1
		sleep 1; t=$((t + 1))
	done
}

# What the kernel prints for an oops, BUG(), WARN(), lockdep or sanitizer
# report.  ("RETBleed: WARNING: ..." at boot is advice, not a WARN().)
XP_KERNEL_TROUBLE='BUG:|WARNING: CPU:|Oops|general protection fault|Call Trace:|possible circular locking|possible recursive locking|KASAN:|UBSAN:|kernel BUG at'

# Any of those fails the run; the first one is shown with its context.
check_kernel_log() {
	local desc="guest $XP_MODE: kernel log has no oops, BUG, WARNING or lockdep report"
	if ! dmesg | grep -qE "$XP_KERNEL_TROUBLE"; then
		tap_ok "$desc"
		return
	fi
	dmesg | grep -m1 -A14 -E "$XP_KERNEL_TROUBLE" > /tmp/bad-dmesg
	tap_not_ok "$desc" /tmp/bad-dmesg
}

dmesg_has() { dmesg | grep -qF -- "$1"; }

# irq_count NAME [CPU]: the interrupts of the irqs called NAME in
# /proc/interrupts, summed over the CPUs, or taken on CPU alone (0 if
# there is none).  Its columns are the online CPUs, found by heading.
irq_count() {
	awk -v name="$1" -v cpu="${2:-}" 'NR == 1 {
			ncpu = NF
			for (i = 1; i <= NF; i++) if ($i == "CPU" cpu) col = i + 1
			next
		}
		$NF == name && cpu == "" { for (i = 2; i <= ncpu + 1; i++) n += $i }
		$NF == name && col { n += $col }
		END { print n + 0 }' /proc/interrupts
}

# debugfs_up: debugfs mounted, where xenpv keeps its state (xenpv/*).
debugfs_up() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
}

# evtchn_cpus PREFIX: the CPUs that take the events of the ports xenpv
# bound under a name starting with PREFIX (debugfs evtchn: "PORT cpu C
# vcpu V NAME"), on one line, each once.
evtchn_cpus() {
	awk -v p="$1" 'index($6, p) == 1 { print $3 }' /sys/kernel/debug/xenpv/evtchn |
		sort -un | xargs
}

# Where xenpv put its bus: /sys/bus/xen, or /sys/bus/xenpv on a kernel
# with its own (idle) xen bus.  Taken from xenpv's own log line.
xenpv_bus() { dmesg | sed -n 's|.*PV devices are on \(/sys/bus/[a-z]*\).*|\1|p' | tail -n 1; }
