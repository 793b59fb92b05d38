#!/bin/bash
# For measure-flake --load net: the far end of the guest's transfers.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
# shellcheck source=../net/dom0-lib.sh
. "$(dirname "$0")/../net/dom0-lib.sh"
tmp=/tmp/flake-$DOMID

wait_guest flake-ready 300
[ "$(guest_key "$DOMID" flake-ready)" = 1 ] || exit 0
tcp_serve_both_ways 5101 5102 128 "$tmp"
tell_guest "$DOMID" flake-servers 1
tcp_check_guest_sent flake-net 128 "$tmp"
tcp_tell_guest_sent "$tmp"
