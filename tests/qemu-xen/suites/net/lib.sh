# shellcheck shell=bash
# Guest-side helpers of the suites that drive xennet (net, net-queues,
# flake-net): which interface is ours, bringing it up, and its counters.

# xennet_if [MAC]: the interface xennet drives (with that MAC).
xennet_if() {
	local d
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$d/device/driver")")" = xennet ] || continue
		[ -z "${1:-}" ] || [ "$(cat "$d/address")" = "$1" ] || continue
		basename "$d"
		return 0
	done
	return 1
}
has_if() { xennet_if "$@" > /dev/null; }
carrier() { [ "$(cat "/sys/class/net/$1/carrier" 2> /dev/null)" = 1 ]; }
# bring_up IF: our addresses, up, carrier within 30 s.
bring_up() {
	ip addr add "$XP_IP/24" dev "$1" &&
		ip -6 addr add "fd00::${XP_IP##*.}/64" dev "$1" nodad &&
		ip link set "$1" up && wait_for 30 carrier "$1"
}
# count IF NAME: the sum of a counter over all queues (q*_NAME).
count() { ethtool -S "$1" | awk -v n="_$2:" '$1 ~ n"$" { s += $2 } END { print s + 0 }'; }
# queue_stat IF QUEUE NAME: one queue's counter.
queue_stat() { ethtool -S "$1" | awk -v n="q$2_$3:" '$1 == n { print $2 }'; }

# tcp_both_ways SUITE TX_PORT RX_PORT MIB: MIB MiB to dom0's sink at
# TX_PORT (dom0 checks them against the SHA-256 told here), then from
# its source at RX_PORT, checked here against the SHA-256 dom0 tells.
tcp_both_ways() {
	local suite=$1 tcpcheck sha len want
	tcpcheck=$(dirname "${BASH_SOURCE[0]}")/tcpcheck.py
	python3 "$tcpcheck" send "$XENPV_PEER_IP" "$2" "$4" > "/tmp/$suite-tx.out" 2>&1
	read -r _ sha len < "/tmp/$suite-tx.out"
	tell_dom0 tx-sha "${sha:-none} ${len:-0}"
	python3 "$tcpcheck" recv "$XENPV_PEER_IP" "$3" > "/tmp/$suite-rx.out" 2>&1
	read -r _ sha len < "/tmp/$suite-rx.out"
	want=$(wait_dom0 rx-sha 300)
	tap_check "$suite: $4 MiB dom0 sent over TCP arrive intact (${len:-0} bytes)" \
		test "$sha $len" = "$want"
}
