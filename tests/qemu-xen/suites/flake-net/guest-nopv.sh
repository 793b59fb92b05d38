#!/bin/bash
# For measure-flake --load net: network load of the kind under which
# nested guests die most often (README, "Known limits").  The guest
# sends 128 MiB to dom0 over xennet and receives 128 MiB back, both
# checked by SHA-256; dom0-nopv.sh serves the transfers.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
here=$(dirname "$0")
# shellcheck source=../net/lib.sh
. "$here/../net/lib.sh"
tcpcheck=$here/../net/tcpcheck.py
peer=$XENPV_PEER_IP

if ! wait_for 60 has_if; then
	tap_not_ok "flake-net: no xennet interface" /tmp/xenpv-load.log
	tell_dom0 flake-ready 0
	exit 0
fi
if=$(xennet_if)
bring_up "$if"
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
