#!/bin/bash
# The suspend suite, guest part (xen_nopv guest: xenpv, xennet, xencons):
# with a writer checking its data on a xenblk disk all along, the
# toolstack saves the domain twice.  `xl save -c` is a checkpoint, so
# the suspend is cancelled and the guest carries on in the same domain;
# `xl save` then `xl restore` brings it back in a new domain, where the
# same kernel (same boot id, same uptime clock) must find xenstore,
# its vif and hvc0 working again; `xl migrate` to the same host does it
# once more.  dom0's part (dom0-nopv.sh) does the xl
# operations and checks from outside.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
here=$(dirname "$0")
# shellcheck source=../net/lib.sh
. "$here/../net/lib.sh"
peer=$XENPV_PEER_IP

# A disk on xenblk with a writer running across every move: 8 MiB of
# random data written with O_DIRECT, read back and compared, round after
# round, until told to stop.
blk_bound() { compgen -G "$(xenpv_bus)/drivers/xenblk/vbd-*" > /dev/null; }
modprobe xenblk
tap_check "suspend: xenblk drives the guest's PV disks" wait_for 60 blk_bound
old_domid=$(xenstore-read domid)
writer() {
	local round=0 bad=0
	head -c 8M /dev/urandom > /tmp/w.data
	while [ ! -e /tmp/w.stop ]; do
		round=$((round + 1))
		if ! dd if=/tmp/w.data of=/dev/xvdb bs=1M oflag=direct status=none ||
		   ! dd if=/dev/xvdb of=/tmp/w.back bs=1M count=8 iflag=direct status=none ||
		   ! cmp -s /tmp/w.data /tmp/w.back; then
			bad=$((bad + 1))
		fi
		echo "$round $bad" > /tmp/w.count
	done
}
writer &
writer_pid=$!
rounds() { cut -d' ' -f1 /tmp/w.count 2> /dev/null || echo 0; }
rounds_above() { [ "$(rounds)" -gt "$1" ]; }
tap_check "suspend: the writer on xvdb gets going" wait_for 60 rounds_above 0

modprobe xencons
tap_check "suspend: xencons gives hvc0" wait_for 30 test -c /dev/hvc0

mac=$(xenstore-read device/vif/0/mac)
if=$(wait_for 60 has_if "$mac" && xennet_if "$mac")
tap_check "suspend: $if (xennet) comes up" bring_up "$if"
tap_check "suspend: ping dom0 before the saves" ping -c 3 -W 5 "$peer"

boot_id=$(cat /proc/sys/kernel/random/boot_id)
debugfs_up
upcall=$(cat /sys/kernel/debug/xenpv/upcall)
tell_dom0 ip "$XP_IP"
tell_dom0 ready 1

# --- a checkpoint: the suspend is cancelled, the domain carries on
wait_dom0 checkpointed 600 > /dev/null
tap_check "suspend: after xl save -c, xenpv says the suspend was cancelled" \
	wait_for 30 dmesg_has "suspend cancelled or refused; carrying on"
tap_check "suspend: after the checkpoint, still the same domain ($old_domid)" \
	test "$(xenstore-read domid)" = "$old_domid"
tap_check "suspend: after the checkpoint, ping dom0" \
	ping -c 3 -W 5 "$peer"
tell_dom0 checkpoint-checked 1

# --- saved and restored: a new domain, the same kernel
wait_dom0 restored 900 > /dev/null
tap_check "suspend: after xl restore, xenpv says it resumed in a new domain" \
	wait_for 30 dmesg_has "resumed in a restored domain"
tap_check "suspend: the same kernel carries on (boot id unchanged)" \
	test "$(cat /proc/sys/kernel/random/boot_id)" = "$boot_id"
new_domid=$(xenstore-read domid)
tap_check "suspend: xenstore answers in the new domain (domid $old_domid -> $new_domid)" \
	test -n "$new_domid" -a "$new_domid" != "$old_domid"
tell_dom0 new-domid "$new_domid"
tap_check "suspend: $if gets its carrier back" wait_for 60 carrier "$if"
tap_check "suspend: after the restore, ping dom0 through $if" \
	wait_for 30 ping -c 1 -W 2 "$peer"
vector_before=$(irq_count xenpv-upcall)
intx_before=$(irq_count xenpv)
tap_check "suspend: after the restore, 100 pings, none lost" \
	ping -q -c 100 -i 0.05 -W 5 "$peer"
# Xen does not carry the upcall vector over a save and restore: resume
# sets it again (xenbus/upcall.c), so events do not stay on the INTx.
vector_after=$(irq_count xenpv-upcall)
intx_after=$(irq_count xenpv)
tap_check "suspend: after the restore, the upcall is as before ($upcall)" \
	test "$(cat /sys/kernel/debug/xenpv/upcall)" = "$upcall"
case $upcall in
vector*)
	tap_check "suspend: after the restore, events arrive by the vector again ($vector_before -> $vector_after), not the INTx ($intx_before -> $intx_after)" \
		test "$vector_after" -ge $((vector_before + 100)) -a "$intx_after" = "$intx_before" ;;
esac
marker="xenpv-after-restore-$RANDOM$RANDOM"
echo "$marker" > /dev/hvc0
tell_dom0 hvc0-marker "$marker"
wait_dom0 outside-checked 300 > /dev/null

# --- migrated (to the same host): once more, a new domain
tell_dom0 ready-migrate 1
wait_dom0 migrated 900 > /dev/null
resumes() { [ "$(dmesg | grep -c "resumed in a restored domain")" -ge "$1" ]; }
tap_check "suspend: after xl migrate, xenpv resumed a second time" \
	wait_for 30 resumes 2
migrated_domid=$(xenstore-read domid)
tap_check "suspend: after the migration, xenstore gives another domain id ($new_domid -> $migrated_domid)" \
	test -n "$migrated_domid" -a "$migrated_domid" != "$new_domid"
tap_check "suspend: after the migration, ping dom0 through $if" \
	wait_for 60 ping -c 1 -W 2 "$peer"
tap_check "suspend: after the migration, 100 pings, none lost" \
	ping -q -c 100 -i 0.05 -W 5 "$peer"
reconnects() { [ "$(dmesg | grep -c "xvdb: reconnected after a restore")" -ge 2 ]; }
tap_check "suspend: xenblk reconnected xvdb after the restore and the migration" \
	wait_for 60 reconnects
resent=$(dmesg | awk '/xvdb: queue [0-9]+: [0-9]+ requests to send again/ {
	for (i = 1; i <= NF; i++) if ($i == "requests") n += $(i - 1) } END { print n + 0 }')
before=$(rounds)
tap_check "suspend: after the moves, the writer on xvdb goes on (${resent:-0} requests were sent again)" \
	wait_for 120 rounds_above "$before"
touch /tmp/w.stop
wait "$writer_pid"
read -r total bad < /tmp/w.count
tap_check "suspend: $total rounds of 8 MiB written to xvdb and read back across the moves, none wrong" \
	test "$bad" = 0 -a "$total" -ge 2
tell_dom0 migrate-checked 1
wait_dom0 migrate-outside-checked 300 > /dev/null
