#!/bin/bash
# The suspend suite, dom0 part: `xl save -c` (a checkpoint), then
# `xl save` and `xl restore` of the guest, then `xl migrate` to this
# host, as a user moving a guest would.  The restored guest has a new domain id; the orchestrator's
# wait for the guest by name is held off meanwhile (hold_guest), and the
# serial log the new QEMU starts afresh is kept beside the old one.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh

name=$(xl domname "$DOMID")
log=/job/out/$name.log
image=/job/work/suspend-$name.img
ckpt=/job/work/suspend-$name.ckpt


# follow_guest HOW: the guest is back (restored or migrated) as a new
# domain: DOMID follows it, the orchestrator's wait resumes, and the
# guest hears it under the key HOW.
follow_guest() {
	local old=$DOMID
	follow_restored "$name"
	tap_check "suspend: the $1 guest is a new domain ($old -> $DOMID)" \
		test -n "$DOMID" -a "$DOMID" != "$old"
	tell_guest "$DOMID" "$1" 1
}

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
cp "$log" "$log.part1" 2> /dev/null
desc="suspend: xl restore brings the guest back"
if xl_logged /job/out/suspend-restore.log xl restore "$image"; then
	tap_ok "$desc"
else
	tap_not_ok "$desc"
	rm -f "$log.part1"	# no new QEMU started the log afresh
fi
rm -f "$image"
follow_guest restored

wait_guest new-domid 300
tap_check "suspend: the guest reads its new domain id from xenstore" \
	test "$(guest_key "$DOMID" new-domid)" = "$DOMID"
tap_check "suspend: dom0 pings the restored guest" \
	sh -c "ping -c 3 -W 5 $ip > /dev/null"
wait_guest hvc0-marker 300
tap_check "suspend: what the restored guest writes to hvc0 reaches xenconsoled" \
	in_log "/var/log/xen/console/guest-$name.log" "$(guest_key "$DOMID" hvc0-marker)"
tell_guest "$DOMID" outside-checked 1

# --- migrated, to this same host: xl runs "exec SSH HOST xl
# migrate-receive ..."; with SSH "env" and HOST a variable setting, that
# is the receiving xl, here.
wait_guest ready-migrate 300
hold_guest "$name"
cp "$log" "$log.part2" 2> /dev/null
desc="suspend: xl migrate (to this host) moves the guest"
if xl_logged /job/out/suspend-migrate.log \
	xl migrate -s env "$DOMID" XENPV_MIGRATE=local; then
	tap_ok "$desc"
	follow_guest migrated
else
	tap_not_ok "$desc"
	rm -f "$log.part2"	# the old QEMU's log goes on
	release_guest "$name"
	tell_guest "$DOMID" migrated 0	# its checks fail now, not at a timeout
fi
wait_guest migrate-checked 300
tap_check "suspend: dom0 pings the migrated guest" \
	sh -c "ping -c 3 -W 5 $ip > /dev/null"
tell_guest "$DOMID" migrate-outside-checked 1
