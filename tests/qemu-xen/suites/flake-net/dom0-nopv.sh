#!/bin/bash
# For measure-flake --load net: the far end of the guest's transfers.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
tcp() { python3 "$(dirname "$0")/../net/tcpcheck.py" "$@"; }
tmp=/tmp/flake-$DOMID

wait_guest flake-ready 300
[ "$(guest_key "$DOMID" flake-ready)" = 1 ] || exit 0
tcp sink 5101 1 > "$tmp-sink" 2>&1 &
tcp source 5102 128 > "$tmp-source" 2>&1 &
source=$!
tell_guest "$DOMID" flake-servers 1

wait_guest tx-sha 900
read -r _ sha len < <(grep '^got ' "$tmp-sink")
tap_check "flake-net: 128 MiB the guest sent arrive intact in dom0 (${len:-0} bytes)" \
	test "$sha $len" = "$(guest_key "$DOMID" tx-sha)"
wait "$source"
read -r _ sha len < <(grep '^sent ' "$tmp-source")
tell_guest "$DOMID" rx-sha "${sha:-none} ${len:-0}"
