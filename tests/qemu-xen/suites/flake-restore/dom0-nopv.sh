#!/bin/bash
# For measure-flake --load restore: FLAKE_RESTORES rounds of xl save and
# xl restore of the guest, each followed by a minute of it running under
# its load.  Xen holds the guest 256 MiB below its RAM throughout, as in
# the resilience suite.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
FLAKE_RESTORES=6
name=$(xl domname "$DOMID")
log=/job/out/$name.log
image=/job/work/flake-$name.img

# The far end of the guest's stream (tcpcheck.py stream); nobody checks it.
python3 "$(dirname "$0")/../net/tcpcheck.py" sink 5301 1 > /dev/null 2>&1 &
wait_guest ready 600 || exit 0
xl mem-set "$DOMID" 768m
tell_guest "$DOMID" balloon-set 1
wait_guest at-target 360 || exit 0
for n in $(seq $FLAKE_RESTORES); do
	hold_guest "$name"
	if ! xl_logged /tmp/flake-save.out xl save "$DOMID" "$image"; then
		release_guest "$name"
		tap_not_ok "flake-restore: xl save $n"
		exit 0
	fi
	cp "$log" "$log.part$(printf %02d "$n")" 2> /dev/null
	# A failed restore shows its output; follow_restored finds no domain.
	xl_logged /tmp/flake-restore.out xl restore "$image"
	rm -f "$image"
	if ! follow_restored "$name"; then
		tap_not_ok "flake-restore: xl restore $n"
		exit 0
	fi
	sleep 60
	xl list "$DOMID" > /dev/null 2>&1 || exit 0	# died: the orchestrator sees it
	echo "XENPV-DOM0 flake-restore: $name alive a minute after restore $n" > /dev/console
done
tell_guest "$DOMID" restores-done 1
