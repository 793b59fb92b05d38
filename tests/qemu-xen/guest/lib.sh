# shellcheck shell=bash
# Helpers for a suite's guest part: TAP lines on the serial console (dom0
# collects them), and the xenstore handshake with the suite's dom0 part.
# Keep output short: every byte through the emulated UART is slow.

XP_DATA=data/xenpv-test

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

suite_begin() { tell_dom0 suite "$1" 2> /dev/null; }

# wait_for TIMEOUT CMD...: poll until CMD succeeds.
wait_for() {
	local t=0 limit=$1; shift
	until "$@"; do
		[ $t -ge "$limit" ] && return 1
		sleep 1; t=$((t + 1))
	done
}

# Any oops, BUG, WARNING or lockdep report fails the run.
check_kernel_log() {
	local bad
	bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|possible circular locking|KASAN|kernel BUG|UBSAN' | head -n 20)
	if [ -z "$bad" ]; then
		tap_ok "guest $XP_MODE: kernel log has no oops, BUG, WARNING or lockdep report"
	else
		echo "$bad" > /tmp/bad-dmesg
		dmesg | grep -B5 -A25 -m1 -E 'BUG:|WARNING:|Oops|Call Trace' > /tmp/bad-dmesg-ctx
		tap_not_ok "guest $XP_MODE: kernel log has no oops, BUG, WARNING or lockdep report" /tmp/bad-dmesg-ctx
	fi
}

dmesg_has() { dmesg | grep -qF -- "$1"; }

# Where xenpv put its bus: /sys/bus/xen, or /sys/bus/xenpv on a kernel
# with its own (idle) xen bus.  Taken from xenpv's own log line.
xenpv_bus() { dmesg | sed -n 's|.*PV devices are on \(/sys/bus/[a-z]*\).*|\1|p' | tail -n 1; }
