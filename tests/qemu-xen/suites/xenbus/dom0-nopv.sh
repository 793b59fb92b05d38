#!/bin/bash
# The xenbus suite, dom0 part: compares what the guest read with what xl
# knows, writes the watched key, hot plugs a disk.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh

wait_guest() { local t=0; until guest_key "$DOMID" "$1" > /dev/null; do
	[ $t -ge "${2:-300}" ] && return 1; sleep 1; t=$((t + 1)); done; }

wait_guest xen-version
want="$(xl info xen_major).$(xl info xen_minor)"
got=$(guest_key "$DOMID" xen-version)
tap_check "xenbus: guest's Xen version ($got) is dom0's ($want)" test "$got" = "$want"
got=$(guest_key "$DOMID" name)
tap_check "xenbus: guest reads its name ($got) as xl knows it" \
	test "$got" = "$(xl domname "$DOMID")"
got=$(guest_key "$DOMID" domid)
tap_check "xenbus: guest reads its domid ($got) as xl knows it ($DOMID)" \
	test "$got" = "$DOMID"

wait_guest watching
value=pong-$RANDOM
tell_guest "$DOMID" ping "$value"
wait_guest ping-echo 90
tap_check "xenbus: the guest read back what dom0 wrote" \
	test "$(guest_key "$DOMID" ping-echo)" = "$value"

# The devices the guest sees are the ones xl configured.
wait_guest devices
want=$( {
	xl block-list "$DOMID" | awk 'NR > 1 { print "vbd-" $1 "=xen:vbd" }'
	xl network-list "$DOMID" | awk 'NR > 1 { print "vif-" $1 "=xen:vif" }'
} | sort | tr '\n' ' ')
got=$(guest_key "$DOMID" devices | tr ' ' '\n' | sort | tr '\n' ' ')
tap_check "xenbus: guest's xen devices [${got% }] match xl's [${want% }]" \
	test "$got" = "$want"

wait_guest hotplug
hot=$(spare_disk "hot-$DOMID")
tap_check "xenbus: xl block-attach of xvdd" \
	timeout 120 xl block-attach "$DOMID" "format=raw,vdev=xvdd,access=rw,target=$hot"
tell_guest "$DOMID" attached 1
wait_guest seen-attach 120
tap_check "xenbus: xl block-detach of xvdd" timeout 120 xl block-detach "$DOMID" xvdd
tell_guest "$DOMID" detached 1
