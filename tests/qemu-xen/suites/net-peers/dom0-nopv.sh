#!/bin/bash
# The net-peers suite, dom0 part: starts the far guest (a second
# xen_nopv guest running suites/net-peer) on the same bridge, tells the
# near guest where it is, and compares what each end says it sent with
# what the other got.  The far guest's TAP lines, and its end, are
# reported here.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
MIB=64
FAR_N=60			# its address is 10.0.0.(10 + FAR_N)
FAR=xenpv-peer-$FAR_N
FAR_LOG=/job/out/$FAR.log
NEAR=$DOMID

wait_guest near-ready 300
[ "$(guest_key "$NEAR" near-ready)" = 1 ] || exit 0
write_guest_config "$FAR_N" nopv net-peer "$FAR" "$FAR_LOG" > "/tmp/$FAR.cfg"
if ! timeout 600 xl create "/tmp/$FAR.cfg" > "/job/out/xl-create-$FAR.log" 2>&1; then
	tap_fail "net-peers: xl create of the far guest" "/job/out/xl-create-$FAR.log"
	exit 0
fi
far_id=$(xl domid "$FAR")
echo "$far_id" > "/job/out/$FAR.domid"
allow_guest_data "$far_id"
SUITE=net-peer tell_guest "$far_id" mib $MIB
if ! SUITE=net-peer wait_guest_key "$far_id" ready 1 900; then
	tap_not_ok "net-peers: the far guest brought up its xennet vif"
	tail -n 30 "$FAR_LOG" | tr -d '\r' | sed 's/^/# far guest: /'
	xl destroy "$FAR" 2> /dev/null
	exit 0
fi
ip -6 addr add fd00::1/64 dev xenbr0 nodad 2> /dev/null
tell_guest "$NEAR" mib $MIB
tell_guest "$NEAR" far-ip "10.0.0.$((10 + FAR_N))"

wait_guest near-done 1500
SUITE=net-peer tell_guest "$far_id" stop 1
far_key() { SUITE=net-peer guest_key "$far_id" "$1"; }
wait_far() { local t=0; until far_key "$1" > /dev/null; do
	[ $t -ge 120 ] && return 1; sleep 1; t=$((t + 1)); done; }
wait_far tx-bytes
# same SUM1 SUM2: both ends reported, and alike (two missing reports are
# not a match).
# shellcheck disable=SC2317 # called through tap_check
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
tap_check "net-peers: $MIB MiB the near guest sent arrive intact in the far guest ($(far_key got))" \
	same "$(far_key got)" "$(guest_key "$NEAR" tx-sha)"
tap_check "net-peers: $MIB MiB the far guest sent arrive intact in the near guest ($(guest_key "$NEAR" rx-sha))" \
	same "$(far_key sent)" "$(guest_key "$NEAR" rx-sha)"
bytes=$((MIB << 20))
tap_check "net-peers: the far guest's xennet counted at least $MIB MiB each way (rx $(far_key rx-bytes), tx $(far_key tx-bytes))" \
	test "$(far_key rx-bytes)" -ge $bytes -a "$(far_key tx-bytes)" -ge $bytes

# The far guest powers off by itself; its TAP lines are ours to report.
wait_domain_gone "$FAR" 300 ||
	tap_not_ok "net-peers: the far guest finished within 300 s (destroyed)"
tr -d '\r' < "$FAR_LOG" | sed -n 's/^XENPV-TAP //p' | sed 's/guest nopv: /far guest: /'
grep -q XENPV-GUEST-DONE "$FAR_LOG" ||
	tap_not_ok "net-peers: the far guest ran to the end"
exit 0
