#!/bin/bash
# The net-queues suite, guest part (xen_nopv guest with two vCPUs,
# xennet): as many queues as the backend offers and the vCPUs allow, each
# vCPU's flows sent on the queue whose events it takes, and receive
# hashing steered with ethtool -x/-X.  Kept apart from the net suite so
# that only this short guest has a second vCPU (see vcpus).  dom0's part
# (dom0-nopv.sh) sinks the flows.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
here=$(dirname "$0")
# shellcheck source=../net/lib.sh
. "$here/../net/lib.sh"
tcpcheck=$here/../net/tcpcheck.py
peer=$XENPV_PEER_IP

mac=$(xenstore-read device/vif/0/mac)
if ! wait_for 60 has_if "$mac"; then
	tap_not_ok "net-queues: no xennet interface for device/vif/0" /tmp/xenpv-load.log
	tell_dom0 queues-ready 0
	exit 0
fi
if=$(xennet_if "$mac")
tap_check "net-queues: $if comes up with carrier" bring_up "$if"
tell_dom0 queues-ready 1
wait_dom0 queues-servers 300 > /dev/null

queues=$(ethtool -l "$if" | awk '/^Combined:/ { v = $2 } END { print v }')
offered=$(xenstore-read "$(xenstore-read device/vif/0/backend)/multi-queue-max-queues" 2> /dev/null || echo 1)
want=$(( offered < $(nproc) ? offered : $(nproc) ))
tap_check "net-queues: $queues queues negotiated (backend offers $offered, $(nproc) vCPUs)" \
	test "$queues" = "$want" -a "$queues" -gt 1
tap_check "net-queues: the queues are in xenstore (multi-queue-num-queues)" \
	test "$(xenstore-read device/vif/0/multi-queue-num-queues 2> /dev/null)" = "$queues"

# send_flows PORT: 16 TCP flows of 1 MiB in all to dom0's sink at PORT.
send_flows() { python3 "$tcpcheck" send "$peer" "$1" 1 16 > "/tmp/flows-$1.out" 2>&1; }

# Each queue's event channels go to a vCPU of its own (xenbus/evtchn.c),
# so each queue's completions and NAPI run there.
debugfs_up
cpus=$(evtchn_cpus "$if-q")
tap_check "net-queues: the $queues queues' event channels are on as many vCPUs ($cpus)" \
	test "$(echo "$cpus" | wc -w)" = "$queues"

# Transmit steering (xennet/queue.c): each queue's xps_cpus is the vCPU
# that takes its events, so flows sent from a vCPU leave by its queue and
# their completions come back to it.
queue_cpu() { evtchn_cpus "$if-q$1"; }
xps_steered() {
	local q mask cpu ok=0
	for q in $(seq 0 $((queues - 1))); do
		mask=$(tr -d , < "/sys/class/net/$if/queues/tx-$q/xps_cpus")
		cpu=$(queue_cpu "$q")
		echo "tx-$q: xps_cpus $mask, events on cpu $cpu"
		[ -n "$cpu" ] && [ $((16#$mask)) = $((1 << cpu)) ] || ok=1
	done
	return $ok
}
tap_check "net-queues: each queue's transmit steering (xps_cpus) is the vCPU of its events" \
	xps_steered

# steered_flows Q PORT: 16 flows of 1 MiB each to dom0's sink at PORT,
# sent from queue Q's vCPU, with receive hashing (ethtool -X) also
# putting every flow's ACKs on queue Q: a flow whose sent packets are
# all freed is steered again from the CPU sending next, which for ACK-
# clocked sends is where the ACKs came in.  Says each queue's tx packets
# meanwhile; true when Q carried two thirds of them or more (one make
# check run: 88%; hashed without steering, about half).
steered_flows() {
	local q=$1 port=$2 cpu i n mine=0 total=0 before=() weights=()
	cpu=$(queue_cpu "$q")
	for i in $(seq 0 $((queues - 1))); do
		weights[i]=$((i == q))
		before[i]=$(queue_stat "$if" "$i" tx_packets)
	done
	ethtool -X "$if" weight "${weights[@]}" || { echo "ethtool -X failed"; return 1; }
	taskset -c "$cpu" python3 "$tcpcheck" send "$peer" "$port" 1 16 \
		> "/tmp/flows-$port.out" 2>&1 || { echo "send failed"; return 1; }
	ethtool -X "$if" default
	for i in $(seq 0 $((queues - 1))); do
		n=$(($(queue_stat "$if" "$i" tx_packets) - before[i]))
		printf 'q%s %s ' "$i" "$n"
		total=$((total + n))
		[ "$i" = "$q" ] && mine=$n
	done
	[ $((mine * 3)) -ge $((total * 2)) ]
}
for q in 0 1; do
	upcalls_before=$(irq_count xenpv-upcall 1)
	rc=0
	out=$(steered_flows "$q" $((5003 + 8 * q))) || rc=1
	tap_check "net-queues: 16 flows sent from vCPU $(queue_cpu "$q") leave by queue $q (tx packets: $out)" \
		test "$rc" = 0
done
upcalls_after=$(irq_count xenpv-upcall 1)
tap_check "net-queues: and those from vCPU 1 raised its upcall ($upcalls_before -> $upcalls_after)" \
	test "$upcalls_after" -ge $((upcalls_before + 16))

# Receive hashing through ethtool: -x shows the key and table the backend
# was given; -X with a table that names only queue 0 steers every flow's
# packets there (16 flows' ACKs come back), and -X default undoes it.
rxfh_shown() {
	local out
	out=$(ethtool -x "$if") || return 1
	echo "$out"
	grep -q "indirection table for $if with $queues RX ring" <<< "$out" &&
		grep -A1 'RSS hash key' <<< "$out" | grep -qE '^([0-9a-f]{2}:){39}[0-9a-f]{2}$' &&
		grep -q 'toeplitz: on' <<< "$out"
}
rx_on() { queue_stat "$if" "$1" rx_packets; }
if [ "$queues" -gt 1 ] && dmesg_has "Toeplitz receive hashing"; then
	tap_check "net-queues: ethtool -x shows the Toeplitz key and a table over $queues queues" rxfh_shown
	tap_check "net-queues: ethtool -X $if equal 1 is taken" ethtool -X "$if" equal 1
	sleep 1
	q0=$(rx_on 0) q1=$(rx_on 1)
	send_flows 5007
	tap_check "net-queues: then 16 flows' packets all arrive on queue 0 ($(($(rx_on 0) - q0)) on 0, $(($(rx_on 1) - q1)) on 1)" \
		test "$(rx_on 1)" = "$q1" -a "$(($(rx_on 0) - q0))" -gt 100
	tap_check "net-queues: ethtool -X $if default spreads them again" ethtool -X "$if" default
else
	tap_not_ok "net-queues: receive hashing over several queues is set up (xennet's log)"
	dmesg | grep xennet | tail -n 5 | sed 's/^/XENPV-TAP # /' > /dev/ttyS0
fi

# CPU hotplug (xenbus/upcall.c): vCPU 1 going offline hands its ports to
# vCPU 0 first, and traffic goes on; back online it gets a vector again,
# a port bound for a second queue fires there (the selftest's check), and
# the queues' ports come back to it (xenbus/evtchn.c).
cpu1=/sys/devices/system/cpu/cpu1/online
offline_flows() {
	local on
	echo 0 > $cpu1 || return 1
	on=$(evtchn_cpus "$if-q")
	echo "ports on: $on"
	[ "$on" = 0 ] && send_flows 5009
}
queue_selftest() {
	grep 'ports bound for queues' /sys/kernel/debug/xenpv/selftest |
		tee /dev/stderr | grep -q '^ok '
}
tap_check "net-queues: with vCPU 1 offline, every queue's port is on vCPU 0 and 16 flows get through" \
	offline_flows
tap_check "net-queues: vCPU 1 comes back online" sh -c "echo 1 > $cpu1"
tap_check "net-queues: then it has an upcall vector again ($(grep 'cpu 1 ' /sys/kernel/debug/xenpv/upcall))" \
	grep -q '^vector 0x[0-9a-f]* cpu 1 ' /sys/kernel/debug/xenpv/upcall
tap_check "net-queues: and ports bound for two queues fire on both vCPUs (selftest)" \
	queue_selftest
tap_check "net-queues: and the queues' event channels are back on their own vCPUs ($(evtchn_cpus "$if-q"))" \
	test "$(evtchn_cpus "$if-q")" = "$cpus"
tap_check "net-queues: so each queue's transmit steering is its events' vCPU again" \
	xps_steered
tell_dom0 queues-done 1
