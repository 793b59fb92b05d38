#!/bin/bash
# Where a request's time goes, dom0 part: what dom0 itself spends while
# the guest idles (the test bed's own polling competes with the backends
# for the two CPUs), and how many requests blkback served in each phase.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
stats=/sys/bus/xen-backend/devices/vbd-$DOMID-51728/statistics

# cpu_seconds DOMID: the CPU time the domain has had so far.
cpu_seconds() { xl list "$1" | awk 'NR == 2 { print $6 }'; }

# proc_ticks: each process's CPU time so far with its reaped children's, in
# clock ticks (the polling loops spawn a command a second).
proc_ticks() { awk '{ print $1 "-" $2, $14 + $15 + $16 + $17 }' /proc/[0-9]*/stat 2> /dev/null | sort; }

wait_guest idle-start 600 || exit 1
g0=$(cpu_seconds "$DOMID"); d0=$(cpu_seconds 0)
proc_ticks > /tmp/ticks-before
wait_guest idle-stop 60
g1=$(cpu_seconds "$DOMID"); d1=$(cpu_seconds 0)
proc_ticks > /tmp/ticks-after
busiest=$(join /tmp/ticks-before /tmp/ticks-after |
	awk '{ print $3 - $2, $1 }' | sort -rn | head -n 6 | tr '\n' ' ')
tap_ok "blk-trace $MODE dom0: 10 s idle guest: guest CPU $g0 -> $g1 s, dom0 $d0 -> $d1 s; busiest dom0 processes (ticks): $busiest"
tell_guest "$DOMID" dom0-idle 1
# shellcheck source=phases.sh
. "$(dirname "$0")/phases.sh"
for p in $BLK_TRACE_PHASES; do
	phase=${p%%:*}
	wait_guest "start-$phase" 600 || exit 1
	before=$(($(cat "$stats/rd_req") + $(cat "$stats/wr_req")))
	tell_guest "$DOMID" "armed-$phase" 1
	# Through the job itself: a poll here would compete with blkback.
	wait_guest_quietly "stop-$phase" 120
	after=$(($(cat "$stats/rd_req") + $(cat "$stats/wr_req")))
	tap_ok "blk-trace $MODE dom0: $phase: blkback served $((after - before)) requests"
	tell_guest "$DOMID" "dom0-$phase" 1
done
