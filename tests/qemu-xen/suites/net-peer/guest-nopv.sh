#!/bin/bash
# The far guest of the net-peers suite, started by that suite's dom0
# part (never by a plan: see not-default).  It brings up its own xennet
# vif and serves what the near guest sends and fetches: a TCP sink and
# source checked by SHA-256, as dom0 serves them in the net suite.  It
# says what it got and sent, and stops when dom0 says the near guest is
# done.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
# shellcheck source=../net/lib.sh
. "$(dirname "$0")/../net/lib.sh"
tcpcheck=$(dirname "$0")/../net/tcpcheck.py
mib=$(xenstore-read "$XP_DATA/mib" 2> /dev/null || echo 64)

tap_check "net-peer: udev loaded xennet for device/vif/0" wait_for 60 has_if
if=$(xennet_if) || { tell_dom0 ready 0; exit 0; }
tap_check "net-peer: $if comes up with carrier" bring_up "$if"
python3 "$tcpcheck" sink 6001 1 > /tmp/peer-sink 2>&1 &
sink=$!
python3 "$tcpcheck" source 6002 "$mib" > /tmp/peer-source 2>&1 &
source=$!
tell_dom0 ready 1

wait_dom0 stop 1500 > /dev/null
# Both ends finished by now; a server still running got nothing.
kill "$sink" "$source" 2> /dev/null
wait "$sink" "$source" 2> /dev/null
tell_dom0 got "$(sed -n 's/^got //p' /tmp/peer-sink)"
tell_dom0 sent "$(sed -n 's/^sent //p' /tmp/peer-source)"
tell_dom0 rx-bytes "$(count "$if" rx_bytes)"
tell_dom0 tx-bytes "$(count "$if" tx_bytes)"
