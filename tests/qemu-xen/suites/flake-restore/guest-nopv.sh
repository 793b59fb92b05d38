#!/bin/bash
# For measure-flake --load restore: a guest that dom0 saves and restores
# FLAKE_RESTORES times (dom0-nopv.sh), under the resilience suite's kind
# of load: fio on xvdb, a TCP stream to dom0, and the balloon holding the
# guest 256 MiB below its RAM.  Its drivers are ours (nopv) or the
# kernel's own (pv, the same script); the orchestrator counts a guest
# that died as an environment crash.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
here=$(dirname "$0")
# shellcheck source=../net/lib.sh
. "$here/../net/lib.sh"
# shellcheck source=../balloon/lib.sh
. "$here/../balloon/lib.sh"

# mac_if MAC: the interface with that MAC, whichever driver has it.
mac_if() { ip -o link | awk -F': ' -v m="$1" '$0 ~ m { print $2; exit }' | grep .; }
mac=$(xenstore-read device/vif/0/mac)
wait_for 60 mac_if "$mac" > /dev/null
if=$(mac_if "$mac")
tap_check "flake-restore: $if comes up" bring_up "$if"
ping -q -i 0.5 "$XENPV_PEER_IP" > /dev/null 2>&1 &
wait_for 60 test -b /dev/xvdb
fio --name=load --filename=/dev/xvdb --rw=randrw --bsrange=4k-128k \
	--ioengine=libaio --iodepth=16 --direct=1 --time_based --runtime=3600 \
	> /dev/null 2>&1 &
python3 "$here/../net/tcpcheck.py" stream "$XENPV_PEER_IP" 5301 /tmp/stream.stop \
	> /dev/null 2>&1 &
# Ours in a nopv guest; a pv guest has the kernel's own built in.
[ "$XP_MODE" = nopv ] && modprobe -a xencons xenballoon
wait_for 60 test -e "$BALLOON/target_kb"
tell_dom0 ready 1
# Saved before the balloon gets there, the guest would hold more memory
# than xl restore lets the new domain have ("Over-allocation").
wait_dom0 balloon-set 300 > /dev/null
tap_check "flake-restore: the balloon takes the guest to its target ($(kib target_kb) KiB)" \
	wait_for 300 at_target 768
tell_dom0 at-target 1
wait_dom0 restores-done 3600 > /dev/null
tap_check "flake-restore: ping dom0 after the restores" ping -c 3 -W 5 "$XENPV_PEER_IP"
tap_check "flake-restore: the balloon held the guest at its target ($(kib info/current_kb) KiB)" \
	at_target 768
