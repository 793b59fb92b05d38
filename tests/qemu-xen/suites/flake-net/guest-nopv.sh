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

if ! wait_for 60 has_if; then
	tap_not_ok "flake-net: no xennet interface" /tmp/xenpv-load.log
	tell_dom0 flake-ready 0
	exit 0
fi
if=$(xennet_if)
bring_up "$if"
tell_dom0 flake-ready 1
wait_dom0 flake-servers 300 > /dev/null

tcp_both_ways flake-net 5101 5102 128
