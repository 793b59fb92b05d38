#!/bin/bash
# The net benchmark, dom0 part, the same in every mode: an iperf3 server
# on xenbr0 for as long as the guest measures.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
# Where a datagram the guest sent was lost, for the serial log: dom0's UDP
# counters (UdpRcvbufErrors: a full socket) and the vif's drops.
udp_counters() {
	nstat -az UdpInDatagrams UdpInErrors UdpRcvbufErrors 2> /dev/null |
		awk 'NR > 1 { printf "%s=%s ", $1, $2 }'
}
report() {
	echo "XENPV-DOM0 bench $DOMID: UDP $1: $(udp_counters)"
	ip -s -s link show "vif$DOMID.0" 2> /dev/null | sed "s/^/XENPV-DOM0 bench $DOMID: vif $1: /"
} > /dev/console
report before
iperf3 -s -B "$XP_DOM0_IP" > "/tmp/iperf3-$DOMID.log" 2>&1 &
server=$!
sleep 1
tell_guest "$DOMID" bench-server 1
wait_guest_quietly bench-done 900
finished=$?
kill "$server" 2> /dev/null
wait "$server" 2> /dev/null
report after
exit "$finished"
