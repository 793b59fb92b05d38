#!/bin/bash
# The net benchmark, dom0 part, the same in every mode: an iperf3 server
# on xenbr0 for as long as the guest measures.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
iperf3 -s -B "$XP_DOM0_IP" > "/tmp/iperf3-$DOMID.log" 2>&1 &
server=$!
sleep 1
tell_guest "$DOMID" bench-server 1
wait_guest bench-done 900
finished=$?
kill "$server" 2> /dev/null
wait "$server" 2> /dev/null
exit "$finished"
