#!/bin/bash
# Where a 4 KiB QD 1 read's time goes, guest part, the same for xenblk
# (nopv) and the kernel's own xen-blkfront (pv): the kernel's block and
# irq trace events split each request into issue -> first interrupt
# (Xen, dom0's blkback and the delivery) and interrupt -> completion
# (the frontend and the block layer), and completion -> next issue
# (fio), for the phases of phases.sh.  Also how much CPU the guest
# takes idle, and how long a fixed piece of computation takes in it: the
# two guests' kernels do not run equally fast under nested TCG.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
report() { local desc=$1; shift; tap_check "blk-trace $XP_MODE: $desc" "$@"; }
T=/sys/kernel/tracing

trace_setup() {
	[ -d "$T"/events ] || mount -t tracefs nodev "$T" || return 1
	echo 16384 > "$T"/buffer_size_kb
	echo 1 > "$T"/events/block/block_rq_issue/enable
	echo 1 > "$T"/events/block/block_rq_complete/enable
	echo 1 > "$T"/events/irq/irq_handler_entry/enable
	echo 0 > "$T"/tracing_on
}

# reload_xenblk ORDER: xenblk unloaded and loaded again with at most
# 2^ORDER ring pages (rmmod: modprobe -r would take xenpv along).
reload_xenblk() {
	rmmod xenblk && modprobe xenblk max_ring_page_order="$1" &&
		wait_for 60 test -b /dev/xvdb
}

# phase_setup SETUP: what a phase changes before its job (phases.sh).
phase_setup() {
	case $1 in
	"") ;;
	spin) nice -n 19 sh -c 'while :; do :; done' & spinner=$! ;;
	order*)
		if [ "$XP_MODE" = pv ]; then
			# Its module is held by the guest's own disks; its
			# ring order is the one it booted with.
			say "blk-trace pv: xen-blkfront keeps max_ring_page_order=$(cat /sys/module/xen_blkfront/parameters/max_ring_page_order)"
		else
			report "xenblk reloaded with max_ring_page_order=${1#order}" \
				reload_xenblk "${1#order}"
		fi ;;
	*) report "phase setup $1 known" false ;;
	esac
}

# phase NAME RW BS QD [SETUP]: one job, dom0 counting blkback's requests;
# a QD 1 job is traced request by request.
phase() {
	local name=$1 rw=$2 bs=$3 qd=$4 setup=$5 result traced=0 spinner=""
	[ "$qd" = 1 ] && traced=1
	phase_setup "$setup"
	tell_dom0 "start-$name" 1
	wait_dom0 "armed-$name" 120 > /dev/null || report "$name: dom0 armed" false
	echo > "$T"/trace
	echo $traced > "$T"/tracing_on
	result=$(fio --name="$name" --filename=/dev/xvdb --rw="$rw" --bs="$bs" \
		--iodepth="$qd" --ioengine=libaio --direct=1 --time_based \
		--runtime=5 --output-format=json 2> /dev/null |
		python3 -c 'import json,sys; j = json.load(sys.stdin)["jobs"][0]; s = j["write" if "write" in sys.argv[1] else "read"]; print("%d IOPS, %.1f MiB/s" % (s["iops"], s["bw"] / 1024))' "$rw")
	echo 0 > "$T"/tracing_on
	[ -n "$spinner" ] && kill "$spinner"
	tell_dom0 "stop-$name" 1
	report "$name: fio ran ($result)" test -n "$result"
	if [ $traced = 1 ]; then
		trace_split "$name"
		report "$name: requests traced" grep -q "issue->irq" /tmp/split
	fi
	wait_dom0 "dom0-$name" 120 > /dev/null || report "$name: dom0 counted" false
}

# trace_split NAME: says where the traced requests' time went.
trace_split() {
	python3 - "$1" <<'PY' > /tmp/split
import re, statistics, sys
name = sys.argv[1]
ev = re.compile(r"\s(\d+\.\d+): (block_rq_issue|block_rq_complete|irq_handler_entry): (.*)")
issue = irq = done = None
split = {"issue->irq": [], "irq->complete": [], "complete->issue": [], "irqs": []}
irqs = 0
names = {}
for line in open("/sys/kernel/tracing/trace"):
    m = ev.search(line)
    if not m:
        continue
    t, kind, rest = float(m.group(1)) * 1e6, m.group(2), m.group(3)
    if kind.startswith("block") and not rest.startswith("202,16 "):
        continue
    if kind == "block_rq_issue":
        if done is not None:
            split["complete->issue"].append(t - done)
        issue, irq, irqs = t, None, 0
    elif kind == "irq_handler_entry" and issue is not None:
        irqs += 1
        n = rest.split("name=")[-1]
        names[n] = names.get(n, 0) + 1
        if irq is None:
            irq = t
            split["issue->irq"].append(t - issue)
    elif kind == "block_rq_complete" and issue is not None:
        if irq is not None:
            split["irq->complete"].append(t - irq)
        split["irqs"].append(irqs)
        done, issue = t, None
for k, v in split.items():
    if v:
        print("%s %s median %.0f p90 %.0f n %d" % (name, k, statistics.median(v),
              sorted(v)[int(len(v) * 0.9)], len(v)))
print("%s irq names %s" % (name, names))
PY
	while read -r line; do say "blk-trace $XP_MODE: $line"; done < /tmp/split
}

# The interrupts the kernel took per second while idle, by line.
irq_totals() {
	awk '$1 ~ /:$/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print $1, n }' /proc/interrupts
}

# idle_probe: 10 s of nothing; dom0 counts the CPU time the guest took.
idle_probe() {
	irq_totals > /tmp/irq-before
	tell_dom0 idle-start 1
	sleep 10
	tell_dom0 idle-stop 1
	irq_totals > /tmp/irq-after
	join /tmp/irq-before /tmp/irq-after |
		awk '$3 - $2 >= 20 { printf "%s %d/s ", $1, ($3 - $2) / 10 }'
	wait_dom0 dom0-idle 60 > /dev/null
}

# cpu_probe: the milliseconds a fixed piece of pure computation takes.
cpu_probe() {
	python3 -c 'import time; t = time.perf_counter(); sum(range(2000000)); print(round((time.perf_counter() - t) * 1000))'
}

report "xvdb is there" wait_for 60 test -b /dev/xvdb
report "tracing set up" trace_setup
say "blk-trace $XP_MODE: driver $(basename "$(readlink -f /sys/block/xvdb/device/driver)"), scheduler $(cat /sys/block/xvdb/queue/scheduler), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
say "blk-trace $XP_MODE: idle interrupts: $(idle_probe)"
say "blk-trace $XP_MODE: cpu probe ms: $(cpu_probe) $(cpu_probe) $(cpu_probe)"
fio --name=fill --filename=/dev/xvdb --rw=write --bs=64k --direct=1 \
	--ioengine=libaio --iodepth=1 > /dev/null 2>&1
# shellcheck source=phases.sh
. "$(dirname "$0")/phases.sh"
for p in $BLK_TRACE_PHASES; do
	IFS=: read -r name rw bs qd setup <<< "$p"
	phase "$name" "$rw" "$bs" "$qd" "$setup"
done
[ -f /sys/block/xvdb/xenblk/bounce_pages ] &&
	say "blk-trace $XP_MODE: bounce pool $(cat /sys/block/xvdb/xenblk/bounce_pages) pages"
exit 0
