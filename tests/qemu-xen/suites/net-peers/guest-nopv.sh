#!/bin/bash
# The net-peers suite, near guest (xen_nopv, xennet): two guests, each on
# its own xennet vif, talk to each other across dom0's bridge, netback to
# netback, with no dom0 process in the path.  dom0's part starts the far
# guest (suites/net-peer) and says where it is.  IPv4 and IPv6 pings,
# fragmented ones too, and TCP both ways checked by SHA-256 against what
# the far guest says it got and sent.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
# shellcheck source=../net/lib.sh
. "$(dirname "$0")/../net/lib.sh"
tcpcheck=$(dirname "$0")/../net/tcpcheck.py

tap_check "net-peers: udev loaded xennet for device/vif/0" wait_for 60 has_if
if=$(xennet_if) || { tell_dom0 near-ready 0; exit 0; }
tap_check "net-peers: $if comes up with carrier" bring_up "$if"
tell_dom0 near-ready 1
far=$(wait_dom0 far-ip 900)
if [ -z "$far" ]; then
	tap_not_ok "net-peers: dom0 started the far guest and told its address"
	exit 0
fi
far6=fd00::${far##*.}
mib=$(wait_dom0 mib 10 || echo 64)

tap_check "net-peers: IPv4 ping to the far guest ($far)" \
	wait_for 60 ping -c 1 -W 2 "$far"
tap_check "net-peers: IPv6 ping to the far guest ($far6)" \
	wait_for 60 ping -6 -c 1 -W 2 "$far6"
tap_check "net-peers: 8000-byte IPv4 pings, fragmented at MTU 1500, come back" \
	ping -c 3 -W 5 -s 8000 "$far"
tap_check "net-peers: 8000-byte IPv6 pings, fragmented at MTU 1500, come back" \
	ping -6 -c 3 -W 5 -s 8000 "$far6"

rx0=$(count "$if" rx_bytes)
tx0=$(count "$if" tx_bytes)
python3 "$tcpcheck" send "$far" 6001 "$mib" > /tmp/peers-tx.out 2>&1
read -r _ sha len < /tmp/peers-tx.out
tell_dom0 tx-sha "${sha:-none} ${len:-0}"
python3 "$tcpcheck" recv "$far" 6002 > /tmp/peers-rx.out 2>&1
read -r _ sha len < /tmp/peers-rx.out
tell_dom0 rx-sha "${sha:-none} ${len:-0}"
bytes=$((mib << 20))
tap_check "net-peers: xennet counted at least $mib MiB sent ($(( $(count "$if" tx_bytes) - tx0 )) bytes)" \
	test $(( $(count "$if" tx_bytes) - tx0 )) -ge $bytes
tap_check "net-peers: xennet counted at least $mib MiB received ($(( $(count "$if" rx_bytes) - rx0 )) bytes)" \
	test $(( $(count "$if" rx_bytes) - rx0 )) -ge $bytes
tell_dom0 near-done 1
