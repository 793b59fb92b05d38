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

# The devices the guest sees are the ones xl configured: its disks and
# NICs, and all the toolstack wrote under device/ (a vkbd, say).
wait_guest devices
got=$(guest_key "$DOMID" devices | tr ' ' '\n' | sort)
want=$( {
	xl block-list "$DOMID" | awk 'NR > 1 { print "vbd-" $1 "=xen:vbd" }'
	xl network-list "$DOMID" | awk 'NR > 1 { print "vif-" $1 "=xen:vif" }'
} | sort)
got_disks_nics=$(echo "$got" | grep -E '^(vbd|vif)-')
tap_check "xenbus: guest's disks and NICs [$(echo $got_disks_nics)] are xl's [$(echo $want)]" \
	test "$got_disks_nics" = "$want"
home=/local/domain/$DOMID/device
want=$(for t in $(xenstore-list "$home"); do
	for i in $(xenstore-list "$home/$t"); do
		xenstore-read "$home/$t/$i/state" > /dev/null 2>&1 && echo "$t-$i=xen:$t"
	done
done | sort)
tap_check "xenbus: guest's devices [$(echo $got)] are xenstore's [$(echo $want)]" \
	test "$got" = "$want"

wait_guest hotplug
hot=$(spare_disk "hot-$DOMID")
tap_check "xenbus: xl block-attach of xvdd" \
	timeout 120 xl block-attach "$DOMID" "format=raw,vdev=xvdd,access=rw,target=$hot"
tell_guest "$DOMID" attached 1
wait_guest seen-attach 120
# No frontend driver holds xvdd (xenblk is not loaded here), so nothing
# in the guest can release it: force the detach.
tap_check "xenbus: xl block-detach --force of xvdd" \
	timeout 120 xl block-detach --force "$DOMID" xvdd
tell_guest "$DOMID" detached 1

# The toolstack's requests.  libxl sends them through xenstore because
# the guest has PV drivers; taking one clears control/shutdown (or sysrq),
# which is how the toolstack sees it acknowledged.
control_key() { xenstore-read "/local/domain/$DOMID/control/$1" 2> /dev/null; }
# request NAME KEY CMD...: send a request with CMD, let the guest see it
# land, and check that the guest took it by clearing control/KEY.
request() {
	local name=$1 key=$2; shift 2
	tap_check "xenbus: $*" "$@"
	tell_guest "$DOMID" "$name-sent" 1
	wait_guest "$name-seen" 120
	tap_check "xenbus: the guest took the $name request (control/$key cleared)" \
		test -z "$(control_key "$key")"
}
wait_guest control 600
request sysrq sysrq xl sysrq "$DOMID" h
request shutdown shutdown xl shutdown "$DOMID"
request reboot shutdown xl reboot "$DOMID"
