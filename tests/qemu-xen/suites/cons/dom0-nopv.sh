#!/bin/bash
# The cons suite, dom0 part: the far end of the guest's consoles, through
# the ptys xenconsoled (console 0) and qemu (the channel) made, as
# `xl console` would use them.  console.py plays the user.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
here=$(dirname "$0")

primary_pty() { xenstore-read "/local/domain/$DOMID/console/tty"; }
channel_pty() { xenstore-read "/local/domain/$DOMID/device/console/1/tty"; }

# add_channel N NAME: an extra console served by qemu, as xl's `channel`
# would make it.  xl 4.17 cannot: it numbers the first channel 0, which
# libxl then refuses as a second primary console ("Primary console has
# invalid configuration"; fixed upstream later).  So dom0 writes the
# nodes libxl would write.  Nodes dom0 makes inherit their parent's
# permissions, so the parents come first with the guest's access (the
# guest reads its backend and writes its frontend), and the frontend, which
# the guest acts on as soon as it appears, comes last, whole, in one
# transaction (one xenstore-write).
add_channel() {
	local fe=/local/domain/$DOMID/device/console/$1
	local be=/local/domain/0/backend/console/$DOMID/$1
	xenstore-write "$be/frontend-id" "$DOMID" &&
	xenstore-chmod "$be" n0 "r$DOMID" &&
	xenstore-write "${fe%/*}" "" &&
	xenstore-chmod "${fe%/*}" n0 "b$DOMID" &&
	xenstore-write \
		"$be/frontend" "$fe" "$be/online" 1 "$be/state" 1 \
		"$be/protocol" vt100 "$be/name" "$2" \
		"$fe/backend" "$be" "$fe/backend-id" 0 "$fe/limit" 1048576 \
		"$fe/type" ioemu "$fe/output" pty "$fe/tty" "" "$fe/name" "$2" \
		"$fe/state" 1
}

name=$(xl domname "$DOMID")
tap_check "cons: dom0 adds a channel (device/console/1) for the guest" \
	add_channel 1 org.xenpv.test
tell_guest "$DOMID" channel-added 1
wait_guest kmsg 300
marker=$(guest_key "$DOMID" kmsg)
tap_check "cons: a kernel message printed on console=hvc0 is in dom0's log of the console" \
	in_log "/var/log/xen/console/guest-$name.log" "$marker"

wait_guest getty-hvc0 300
python3 "$here/console.py" login "$(primary_pty)" hvc0 "$(guest_key "$DOMID" big-sha)"
tell_guest "$DOMID" login-done-hvc0 1

# The channel: 8 KiB each way, raw.
if wait_guest hvc1-ready 240; then
	out=/tmp/cons-raw-$DOMID.out
	python3 "$here/console.py" raw "$(channel_pty)" 8192 > "$out" 2>&1 &
	raw=$!
	t=0
	until grep -q '^sent ' "$out" || [ $t -ge 60 ]; do sleep 1; t=$((t + 1)); done
	tell_guest "$DOMID" hvc1-in-sha "$(sed -n 's/^sent //p' "$out")"
	wait_guest hvc1-out-sha 180
	wait "$raw"
	read -r _ got len < <(grep '^got ' "$out")
	tap_check "cons: 8 KiB the guest wrote to hvc1 arrive intact in dom0 (${len:-0} bytes read)" \
		test "$got" = "$(guest_key "$DOMID" hvc1-out-sha)"
	tell_guest "$DOMID" hvc1-done 1
fi

wait_guest getty-xvc0 300
python3 "$here/console.py" command "$(primary_pty)" xvc0
tell_guest "$DOMID" login-done-xvc0 1
