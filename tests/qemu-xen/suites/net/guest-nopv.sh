#!/bin/bash
# The net suite, guest part (xen_nopv guest, xennet): the vif as an
# Ethernet device with the toolstack's MAC; IPv4 and IPv6 to dom0, large
# and fragmented packets; 256 MiB each way over TCP checked by SHA-256;
# UDP with its losses counted; the backend's multicast filter; receive
# hashing set up over the control ring; offloads on and used (the
# driver's own counters); MTU 9000; a clean unload; trusted=0 bouncing;
# and a hot detach and re-attach of the vif with traffic running.  dom0's
# part (dom0-nopv.sh) serves the TCP transfers and does the xl operations.
# The guest has one vCPU; net-queues checks several queues in a guest of
# its own.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"
peer=$XENPV_PEER_IP
peer6=fd00::1

feature_on() { ethtool -k "$1" | grep -qx "$2: on.*"; }

mac=$(xenstore-read device/vif/0/mac)
tap_check "net: udev loaded xennet for device/vif/0 (xen:vif)" \
	wait_for 60 has_if "$mac"
if ! has_if "$mac"; then
	tap_not_ok "net: no xennet interface; the rest of the suite is skipped" /tmp/xenpv-load.log
	tell_dom0 net-ready 0
	exit 0
fi
if=$(xennet_if "$mac")
tap_check "net: $if has the toolstack's MAC ($mac)" \
	test "$(cat "/sys/class/net/$if/address")" = "$mac"
drvinfo() { ethtool -i "$if" | grep -qx 'driver: xennet' && ethtool -i "$if" | grep -qx 'bus-info: device/vif/0'; }
tap_check "net: ethtool says driver xennet, bus device/vif/0" drvinfo
tap_check "net: $if comes up with carrier" bring_up "$if"

tell_dom0 net-ready 1
wait_dom0 net-servers 300 > /dev/null
tap_check "net: IPv4 ping to dom0" ping -c 3 -W 5 "$peer"
tap_check "net: IPv6 ping to dom0" ping -6 -c 3 -W 5 "$peer6"
tap_check "net: 30000-byte pings, fragmented both ways" \
	ping -c 3 -W 5 -s 30000 "$peer"

# 256 MiB each way, checked by SHA-256 on both ends.
tcp_both_ways net 5001 5002 256

# UDP: dom0 counts what arrives; lost datagrams are counted, not hidden.
python3 "$here/tcpcheck.py" udpsend "$peer" 5005 20000 1400 > /tmp/net-udp.out 2>&1
tell_dom0 udp-sent "$(cat /tmp/net-udp.out)"

# The offloads are on, and packets really crossed the ring with them.
for f in scatter-gather tx-checksumming tcp-segmentation-offload; do
	tap_check "net: ethtool -k: $f is on" feature_on "$if" "$f"
done
tap_check "net: GSO packets were sent through the ring ($(count "$if" tx_gso) of $(count "$if" tx_packets))" \
	test "$(count "$if" tx_gso)" -gt 0
tap_check "net: GSO packets were received through the ring ($(count "$if" rx_gso) of $(count "$if" rx_packets))" \
	test "$(count "$if" rx_gso)" -gt 0
tap_check "net: the control ring is published (ctrl-ring-ref)" \
	xenstore-read device/vif/0/ctrl-ring-ref
hash_set_up() { dmesg | grep -E 'xennet.*control ring' | tail -n 3 | grep -q 'Toeplitz receive hashing'; }
tap_check "net: xennet set up Toeplitz hashing over the control ring (its log)" \
	hash_set_up
tap_check "net: received packets carried the backend's Toeplitz hash ($(count "$if" rx_hash) of $(count "$if" rx_packets))" \
	test "$(count "$if" rx_hash)" -gt 0
tap_check "net: packets were sent with the checksum left to dom0 ($(count "$if" tx_csum))" \
	test "$(count "$if" tx_csum)" -gt 0
tap_check "net: no errors or drops counted ($(count "$if" tx_errors) $(count "$if" rx_errors) $(count "$if" tx_dropped) $(count "$if" rx_dropped))" \
	test "$(($(count "$if" tx_errors) + $(count "$if" rx_errors) + $(count "$if" tx_dropped) + $(count "$if" rx_dropped)))" = 0

# Multicast control: the backend drops frames for groups not joined, until
# allmulti switches its filter off.  dom0 sends 300 frames per phase.
mcast_key() { [ "$(xenstore-read device/vif/0/request-multicast-control 2> /dev/null)" = "$1" ]; }
# mcast_filter VALUE: waits for the key; says what there is if it fails.
mcast_filter() {
	wait_for 20 mcast_key "$1" && return 0
	echo "request-multicast-control: $(xenstore-read device/vif/0/request-multicast-control 2>&1)"
	ip link show "$if"
	dmesg | grep -E 'xennet|multicast' | tail -n 5
	return 1
}
# mcast_phase NAME: dom0 sends that phase's frames; prints how many
# reached the driver meanwhile.
mcast_phase() {
	local before
	before=$(count "$if" rx_packets)
	tell_dom0 "mcast-$1" 1
	wait_dom0 "mcast-$1-sent" 120 > /dev/null
	echo $(($(count "$if" rx_packets) - before))
}
backend=$(xenstore-read device/vif/0/backend)
tap_check "net: the backend offers dynamic multicast control" \
	test "$(xenstore-read "$backend/feature-dynamic-multicast-control" 2> /dev/null)" = 1
python3 "$here/tcpcheck.py" mcastrecv 239.1.2.3 5006 "$XP_IP" > /tmp/net-mcast.out 2>&1 &
mcast_recv=$!
tap_check "net: multicast: after joining a group, the backend filters (request-multicast-control 1)" \
	mcast_filter 1
n=$(mcast_phase other)
tap_check "net: multicast: 300 frames to a group not joined stop at the backend ($n reached the driver)" \
	test "$n" -lt 30
mcast_phase joined > /dev/null
wait "$mcast_recv"
got=$(sed -n 's/^mcast got //p' /tmp/net-mcast.out)
tap_check "net: multicast: ${got:-0} of 300 frames to the joined group received" \
	test "${got:-0}" -ge 270
allmulti_on() { ip link set "$if" allmulticast on && mcast_filter 0; }
tap_check "net: multicast: allmulti switches the backend's filter off" \
	allmulti_on
n=$(mcast_phase all)
tap_check "net: multicast: with allmulti, frames to any group reach the driver ($n of 300)" \
	test "$n" -ge 270
ip link set "$if" allmulticast off

# Jumbo frames, once dom0's bridge takes them.
tell_dom0 mtu-request 1
wait_dom0 mtu9000 120 > /dev/null
tap_check "net: MTU 9000 set on $if" ip link set "$if" mtu 9000
tap_check "net: 8972-byte pings with don't-fragment (MTU 9000 end to end)" \
	ping -c 3 -W 5 -M "do" -s 8972 "$peer"

# Unload while up, then again with trusted=0: every packet bounced.
tap_check "net: xennet unloads with $if up" rmmod xennet
gone() { ! test -e "/sys/class/net/$1"; }
tap_check "net: $if is gone with it" gone "$if"
tap_check "net: xennet loads again with trusted=0" modprobe xennet trusted=0
tap_check "net: the vif is back" wait_for 30 has_if "$mac"
if=$(xennet_if "$mac")
bring_up "$if"
tap_check "net: trusted=0: ping to dom0" ping -c 3 -W 5 "$peer"
python3 "$here/tcpcheck.py" send "$peer" 5004 8 > /tmp/net-bounced.out 2>&1
read -r _ sha len < /tmp/net-bounced.out
tell_dom0 bounced-sha "${sha:-none} ${len:-0}"
bounced=$(count "$if" tx_bounced)
sent=$(count "$if" tx_packets)
tap_check "net: trusted=0: every packet sent was bounced ($bounced of $sent)" \
	test "$bounced" -gt 0 -a "$bounced" = "$sent"

# Hot detach with a ping flood running, then a new vif.
ping -i 0.02 "$peer" > /dev/null 2>&1 &
flood=$!
tell_dom0 detach-request 1
tap_check "net: $if disappears after xl network-detach" \
	wait_for 120 gone "$if"
kill "$flood" 2> /dev/null
wait "$flood" 2> /dev/null
tell_dom0 detached 1
newmac=$(wait_dom0 attached 180)
tap_check "net: a vif from xl network-attach appears ($newmac)" \
	wait_for 60 has_if "$newmac"
if has_if "$newmac"; then
	if=$(xennet_if "$newmac")
	bring_up "$if"
	tap_check "net: traffic resumes on the re-attached vif" \
		ping -c 3 -W 5 "$peer"
fi
tell_dom0 net-done 1
