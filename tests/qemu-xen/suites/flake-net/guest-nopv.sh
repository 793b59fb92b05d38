#!/bin/bash
# For measure-flake --load net: network load of the kind under which
# nested guests die most often (README, "Known limits").  The guest
# sends 128 MiB to dom0 over xennet and receives 128 MiB back, both
# checked by SHA-256; dom0-nopv.sh serves the transfers.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
tcpcheck=$(dirname "$0")/../net/tcpcheck.py
peer=$XENPV_PEER_IP

has_vif() {
	local d
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$d/device/driver")")" = xennet ] &&
			basename "$d" && return 0
	done
	return 1
}
carrier() { [ "$(cat "/sys/class/net/$1/carrier" 2> /dev/null)" = 1 ]; }

if ! wait_for 60 has_vif > /dev/null; then
	tap_not_ok "flake-net: no xennet interface" /tmp/xenpv-load.log
	tell_dom0 flake-ready 0
	exit 0
fi
if=$(has_vif)
ip addr add "$XP_IP/24" dev "$if" && ip link set "$if" up &&
	wait_for 30 carrier "$if"
tell_dom0 flake-ready 1
wait_dom0 flake-servers 300 > /dev/null

python3 "$tcpcheck" send "$peer" 5101 128 > /tmp/flake-tx.out 2>&1
read -r _ sha len < /tmp/flake-tx.out
tell_dom0 tx-sha "${sha:-none} ${len:-0}"
python3 "$tcpcheck" recv "$peer" 5102 > /tmp/flake-rx.out 2>&1
read -r _ sha len < /tmp/flake-rx.out
want=$(wait_dom0 rx-sha 300)
tap_check "flake-net: 128 MiB dom0 sent arrive intact ($len bytes)" \
	test "$sha $len" = "$want"
