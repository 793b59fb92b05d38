#!/bin/bash
# The net-queues suite, dom0 part: sinks for the guest's four rounds of
# 16 flows.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
tcp() { python3 "$(dirname "$0")/../net/tcpcheck.py" "$@"; }
tmp=/tmp/net-queues-$DOMID

wait_guest queues-ready 300
[ "$(guest_key "$DOMID" queues-ready)" = 1 ] || exit 0
tcp sink 5003 16 > "$tmp-flows" 2>&1 &	# sent from queue 0's vCPU
tcp sink 5011 16 > "$tmp-flows1" 2>&1 &	# and from queue 1's
tcp sink 5007 16 > "$tmp-flows2" 2>&1 &	# ethtool -X's flows
tcp sink 5009 16 > "$tmp-flows3" 2>&1 &	# with vCPU 1 offline
tell_guest "$DOMID" queues-servers 1
wait_guest queues-done 300
finished=$?
jobs -p | xargs -r kill 2> /dev/null || true
exit "$finished"
