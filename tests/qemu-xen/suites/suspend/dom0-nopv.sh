#!/bin/bash
# The suspend suite, dom0 part: `xl save -c` (a checkpoint), then
# `xl save` and `xl restore` of the guest, as a user moving a guest
# would.  The restored guest has a new domain id; the orchestrator's
# wait for the guest by name is held off meanwhile (hold_guest), and the
# serial log the new QEMU starts afresh is kept beside the old one.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh

name=$(xl domname "$DOMID")
log=/job/out/$name.log
image=/job/work/suspend-$name.img
ckpt=/job/work/suspend-$name.ckpt
# in_log FILE TEXT: within 30 s, since xenconsoled writes as it reads.
in_log() { local t; for t in $(seq 30); do grep -qF -- "$2" "$1" 2> /dev/null && return; sleep 1; done; return 1; }
# xl_logged FILE CMD...: CMD with its output in FILE (shown on failure).
xl_logged() { local out=$1; shift; timeout 900 "$@" > "$out" 2>&1 || { cat "$out" >&2; return 1; }; }

# xl_fails FILE CMD...: CMD fails, its output in FILE.
xl_fails() { local out=$1; shift; ! timeout 900 "$@" > "$out" 2>&1; }

if wait_guest ready-refuse 600; then
	tap_check "suspend: xl save fails while the guest's disks are on xenblk" \
		xl_fails /job/out/suspend-refused.log xl save "$DOMID" "$image"
	rm -f "$image"
	tap_check "suspend: the refused guest is still domain $DOMID" \
		test "$(xl domid "$name")" = "$DOMID"
	tell_guest "$DOMID" refused 1
else
	tap_not_ok "suspend: the guest got ready for a refused save"
fi
if ! wait_guest ready 600; then
	tap_not_ok "suspend: the guest got ready for the saves"
	exit 0
fi
ip=$(guest_key "$DOMID" ip)

tap_check "suspend: xl save -c (a checkpoint) succeeds and the guest runs on" \
	xl_logged /job/out/suspend-ckpt.log xl save -c "$DOMID" "$ckpt"
rm -f "$ckpt"
tap_check "suspend: after the checkpoint the domain is still $DOMID" \
	test "$(xl domid "$name")" = "$DOMID"
tell_guest "$DOMID" checkpointed 1
wait_guest checkpoint-checked 300

hold_guest "$name"
tap_check "suspend: xl save writes the guest to a file and the domain goes" \
	xl_logged /job/out/suspend-save.log xl save "$DOMID" "$image"
cp "$log" "$log.before-restore" 2> /dev/null
tap_check "suspend: xl restore brings the guest back" \
	xl_logged /job/out/suspend-restore.log xl restore "$image"
rm -f "$image"
old=$DOMID
DOMID=$(xl domid "$name")
echo "$DOMID" > "/job/out/$name.domid"
allow_guest_data "$DOMID"
release_guest "$name"
tap_check "suspend: the restored guest is a new domain ($old -> $DOMID)" \
	test -n "$DOMID" -a "$DOMID" != "$old"
tell_guest "$DOMID" restored 1

wait_guest new-domid 300
tap_check "suspend: the guest reads its new domain id from xenstore" \
	test "$(guest_key "$DOMID" new-domid)" = "$DOMID"
tap_check "suspend: dom0 pings the restored guest" \
	sh -c "ping -c 3 -W 5 $ip > /dev/null"
wait_guest hvc0-marker 300
tap_check "suspend: what the restored guest writes to hvc0 reaches xenconsoled" \
	in_log "/var/log/xen/console/guest-$name.log" "$(guest_key "$DOMID" hvc0-marker)"
tell_guest "$DOMID" outside-checked 1
