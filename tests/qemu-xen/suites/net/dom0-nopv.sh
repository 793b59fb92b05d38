#!/bin/bash
# The net suite, dom0 part: the guest's peer on xenbr0 (IPv4 10.0.0.1,
# IPv6 fd00::1), the far end of its TCP and UDP transfers (tcpcheck.py), jumbo
# frames on the bridge, and xl network-detach / network-attach.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
here=$(dirname "$0")
# shellcheck source=dom0-lib.sh
. "$here/dom0-lib.sh"
tmp=/tmp/net-$DOMID

wait_guest net-ready 300
[ "$(guest_key "$DOMID" net-ready)" = 1 ] || exit 0
ip -6 addr add fd00::1/64 dev xenbr0 nodad 2> /dev/null
tcp_serve_both_ways 5001 5002 256 "$tmp"
tcp sink 5004 1 > "$tmp-bounced" 2>&1 &
# A socket buffer that holds a burst while python, slow under nested
# emulation, catches up: losses should be the network's, not ours.
sysctl -qw net.core.rmem_max=$((16 << 20))
tcp udpsink 5005 > "$tmp-udp" 2>&1 &
udp=$!
tell_guest "$DOMID" net-servers 1

tcp_check_guest_sent net 256 "$tmp"
# Receive hashing: the guest gave netback its algorithm, key and table.
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
hash_info=/sys/kernel/debug/xen-netback/vif$DOMID.0/ctrl
# shellcheck disable=SC2317 # called through tap_check
hashing() {
	if grep -q 'Hash Algorithm: TOEPLITZ' "$1" && grep -q 'IPv6 + TCP' "$1" &&
		grep -qi 'mapping' "$1"; then
		return 0
	fi
	cat "$1"	# what netback has instead, for the log
	return 1
}
tap_check "net: netback hashes with the guest's Toeplitz algorithm, flags and table ($hash_info)" \
	hashing "$hash_info"
tcp_tell_guest_sent "$tmp"

# UDP: every datagram that arrives is intact and new; at most 1 in 10 lost.
wait_guest udp-sent 600
wait "$udp"
read -r _ _ got _ sent _ bad _ dup < <(grep '^udp received ' "$tmp-udp")
udp_ok=false
if [ "${sent:-None}" != None ] && [ "$bad" = 0 ] && [ "$dup" = 0 ] &&
	[ $((got * 10)) -ge $((sent * 9)) ]; then
	udp_ok=true
fi
tap_check "net: UDP: ${got:-0} of ${sent:-?} datagrams of 1400 bytes arrived, $((${sent/None/0} - ${got:-0})) lost, ${bad:-?} damaged, ${dup:-?} repeated" \
	"$udp_ok"

# Multicast: frames to a group the guest did not join, to one it did,
# then to the first again once it asked for all.  They come from another
# port of the bridge (a veth from a network namespace), as a peer's
# would: netback filters only frames the bridge received as multicast,
# not ones dom0 itself sends.  The bridge floods them all (no snooping),
# so only the backend's filter stands between them and the guest.
echo 0 > /sys/class/net/xenbr0/bridge/multicast_snooping
ip netns del mcast 2> /dev/null	# a re-run guest's: its veth goes with it
ip netns add mcast
ip link add mcast-br type veth peer name mcast0 netns mcast
ip link set mcast-br master xenbr0 up
ip -n mcast addr add 10.0.0.2/24 dev mcast0
ip -n mcast link set mcast0 up
ip -n mcast route add 224.0.0.0/4 dev mcast0
mcast() { ip netns exec mcast python3 "$here/tcpcheck.py" "$@"; }
for phase in other:239.9.9.9 joined:239.1.2.3 all:239.9.9.9; do
	wait_guest "mcast-${phase%%:*}" 600
	mcast mcastsend "${phase#*:}" 5006 300 10.0.0.2 > /dev/null 2>&1
	[ "${phase%%:*}" = joined ] && mcast mcastend "${phase#*:}" 5006 10.0.0.2
	sleep 1
	tell_guest "$DOMID" "mcast-${phase%%:*}-sent" 1
done

# Jumbo frames: every port of the bridge, then the bridge.
wait_guest mtu-request 600
for port in /sys/class/net/xenbr0/brif/*; do
	ip link set "$(basename "$port")" mtu 9000
done
ip link set xenbr0 mtu 9000
tell_guest "$DOMID" mtu9000 1

wait_guest bounced-sha 600
read -r _ sha len < <(grep '^got ' "$tmp-bounced")
tap_check "net: trusted=0: 8 MiB the guest sent arrive intact (${len:-0} bytes)" \
	test "$sha $len" = "$(guest_key "$DOMID" bounced-sha)"

wait_guest detach-request 600
tap_check "net: xl network-detach of the vif, with a ping flood running" \
	xl network-detach "$DOMID" 0
wait_guest detached 180
mac=00:16:3e:00:01:$(printf %02x $((DOMID % 256)))
tap_check "net: xl network-attach of a new vif ($mac)" \
	xl network-attach "$DOMID" bridge=xenbr0 mac="$mac"
tell_guest "$DOMID" attached "$mac"
wait_guest net-done 300
finished=$?
# Listeners still running were left by a failed step, already reported.
jobs -p | xargs -r kill 2> /dev/null || true
exit "$finished"
