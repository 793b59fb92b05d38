#!/bin/bash
# The xenbus suite, guest part (xen_nopv guest; xenpv loaded by init).
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh

# --- xenpv loaded, and said which Xen it found
tap_check "xenbus: xenpv loads in a xen_nopv guest" \
	sh -c '[ "$(cat /tmp/xenpv-load.rc)" = 0 ] && grep -qw xenpv /proc/modules || { cat /tmp/xenpv-load.log; exit 1; }'
version=$(dmesg | sed -n 's/.*xenpv [0-9a-f:.]*: Xen \([0-9]*\.[0-9]*\).*/\1/p' | tail -n 1)
tap_check "xenbus: xenpv logs the Xen version ($version)" test -n "$version"
tap_check "xenbus: the platform device is bound to xenpv" \
	sh -c 'basename "$(readlink /sys/bus/pci/devices/*/driver 2>/dev/null | grep xenpv | head -n1)" | grep -qx xenpv'

# --- xenstore through /dev/xen/xenbus: dom0 compares with what xl says
tell_dom0 xen-version "$version"
tell_dom0 name "$(xenstore-read name)"
tell_dom0 domid "$(xenstore-read domid)"
tap_check "xenbus: xenstore-ls lists the guest's own home" \
	sh -c 'xenstore-ls device | grep -q backend-id'

tap_check "xenbus: a node written and removed reads back as expected" \
	sh -c "xenstore-write $XP_DATA/scratch hello && [ \"\$(xenstore-read $XP_DATA/scratch)\" = hello ] &&
	       xenstore-rm $XP_DATA/scratch && ! xenstore-read $XP_DATA/scratch"

# --- the API frontends use, exercised in the kernel against this Xen
debugfs_up
if cat /sys/kernel/debug/xenpv/selftest > /tmp/selftest.tap 2> /tmp/selftest.err &&
   grep -q '^ok ' /tmp/selftest.tap; then
	sed 's/^\(\(not \)\{0,1\}ok\) - /XENPV-TAP \1 - xenbus: selftest: /' /tmp/selftest.tap > /dev/ttyS0
else
	tap_not_ok "xenbus: the in-kernel selftest runs" /tmp/selftest.err
fi

# --- how events arrive (xenbus/upcall.c): Xen 4.17 offers the per-vCPU
# upcall vector, and every kernel but 5.10 lets a module have a vector,
# so the upcall comes there and no longer by the platform device's INTx.
upcall=$(cat /sys/kernel/debug/xenpv/upcall)
case $(uname -r) in
5.10.*) want=intx ;;
*) want=vector ;;
esac
tap_check "xenbus: events arrive by $want (debugfs upcall: $upcall)" \
	sh -c "case '$upcall' in $want*) exit 0 ;; *) exit 1 ;; esac"
xenstore_traffic() {
	local i
	for i in $(seq 50); do
		xenstore-write "$XP_DATA/upcall" "$i" || return 1
	done
	xenstore-rm "$XP_DATA/upcall"
}
vector_before=$(irq_count xenpv-upcall)
intx_before=$(irq_count xenpv)
tap_check "xenbus: 50 xenstore writes go through" xenstore_traffic
vector_after=$(irq_count xenpv-upcall)
intx_after=$(irq_count xenpv)
if [ "$want" = vector ]; then
	tap_check "xenbus: their replies raise the vector's irq ($vector_before -> $vector_after), not the INTx ($intx_before -> $intx_after)" \
		test "$vector_after" -ge $((vector_before + 25)) -a "$intx_after" = "$intx_before"
else
	tap_check "xenbus: their replies raise the INTx ($intx_before -> $intx_after)" \
		test "$intx_after" -ge $((intx_before + 25))
fi

# --- many processes at once through /dev/xen/xenbus
concurrent() {
	local i
	for i in 1 2 3 4 5 6; do
		(for r in $(seq 20); do
			xenstore-write "$XP_DATA/p$i" "$i.$r" &&
				[ "$(xenstore-read "$XP_DATA/p$i")" = "$i.$r" ] || echo "wrong $i.$r"
		done) &
	done > /tmp/concurrent.out
	wait
	xenstore-rm "$XP_DATA/p1" "$XP_DATA/p2" "$XP_DATA/p3" "$XP_DATA/p4" "$XP_DATA/p5" "$XP_DATA/p6"
	! grep -q wrong /tmp/concurrent.out
}
tap_check "xenbus: 6 processes x 20 write+read through /dev/xen/xenbus at once" concurrent

# --- a watch fires when dom0 writes under data/
xenstore-watch -n 2 "$XP_DATA/ping" > /tmp/watch.out 2>&1 &
watcher=$!
sleep 1
tell_dom0 watching 1
wait_for 60 sh -c "! kill -0 $watcher 2>/dev/null"
kill "$watcher" 2>/dev/null
tap_check "xenbus: a watch fires when dom0 writes under data/" \
	sh -c "[ \$(grep -c '$XP_DATA/ping' /tmp/watch.out) -ge 2 ]"
tell_dom0 ping-echo "$(xenstore-read "$XP_DATA/ping")"

# --- the xen bus matches the xl config
bus=$(xenpv_bus)
tap_check "xenbus: xenpv names its bus in the log ($bus)" test -d "$bus"
devs=""
for d in "$bus"/devices/*; do
	[ -e "$d" ] && devs="$devs $(basename "$d")=$(cat "$d/modalias")"
done
tell_dom0 devices "${devs# }"
tap_check "xenbus: $bus/devices lists vbd and vif devices" \
	sh -c "echo '$devs' | grep -q 'vbd-51712=xen:vbd' && echo '$devs' | grep -q 'vif-0=xen:vif'"
tap_check "xenbus: devices carry MODALIAS=xen:<type> in their uevent" \
	grep -qx 'MODALIAS=xen:vbd' "$bus/devices/vbd-51712/uevent"

# --- devices appear and disappear at run time
tell_dom0 hotplug ready
wait_dom0 attached 120 > /dev/null
tap_check "xenbus: a disk attached at run time appears (vbd-51760)" \
	wait_for 60 test -e "$bus/devices/vbd-51760"
tell_dom0 seen-attach 1
wait_dom0 detached 180 > /dev/null
tap_check "xenbus: a disk detached at run time disappears" \
	wait_for 60 sh -c "! test -e $bus/devices/vbd-51760"

# --- with unplug on, no emulated disk or NIC is left
modprobe ata_piix > /dev/null 2>&1
modprobe e1000 > /dev/null 2>&1
udevadm settle -t 30
tap_check "xenbus: xenpv unplugged the emulated devices" \
	dmesg_has 'unplugged emulated devices: IDE disks NICs'
tap_check "xenbus: no emulated IDE disk appears after unplug" \
	sh -c '! ls /sys/block | grep -E "^(sd|hd)"'
tap_check "xenbus: no emulated NIC appears after unplug" \
	sh -c '! grep -l e1000 /sys/class/net/*/device/uevent 2>/dev/null | grep -q .'

# --- unload, reload (the frontends first: they use xenpv)
for m in xenblk xencons xennet xenballoon; do
	grep -q "^$m " /proc/modules &&
		tap_check "xenbus: rmmod $m, with its devices idle, succeeds" rmmod $m
done
tap_check "xenbus: rmmod xenpv succeeds" rmmod xenpv
tap_check "xenbus: the xen bus is gone after rmmod" \
	sh -c "! test -e $bus"
tap_check "xenbus: xenpv loads again after rmmod" modprobe xenpv
tap_check "xenbus: after reload, devices and xenstore are back" \
	sh -c "test -e $bus/devices/vbd-51712 && xenstore-read name > /dev/null"

# --- the toolstack's requests: xl sysrq, xl shutdown, xl reboot.  The
# kernel runs its poweroff and reboot helpers for them; here the helpers
# are recorders, so the guest lives on to report that they ran.
control_features() {
	local f
	# libxl makes these two keys for the guest to set; it has no
	# feature-sysrq (xl sysrq is tested below instead).
	for f in poweroff reboot; do
		[ "$(xenstore-read "control/feature-$f")" = 1 ] || { echo "feature-$f unset"; return 1; }
	done
}
tap_check "xenbus: xenpv tells the toolstack it takes poweroff and reboot (control/feature-*)" \
	control_features
cat > /tmp/xenpv-record <<'SH'
#!/bin/sh
basename "$0" >> /tmp/control-requests
SH
chmod 755 /tmp/xenpv-record
ln -s /tmp/xenpv-record /tmp/poweroff
echo /tmp/poweroff > /proc/sys/kernel/poweroff_cmd
# The reboot helper's path is fixed: /sbin/reboot (the root is a tmpfs
# overlay, so this changes nothing on disk).
mv /sbin/reboot /sbin/reboot.real
ln -s /tmp/xenpv-record /sbin/reboot

tell_dom0 control ready
wait_dom0 sysrq-sent 120 > /dev/null
tap_check "xenbus: xl sysrq h reaches the kernel's sysrq handler" \
	wait_for 60 dmesg_has 'sysrq: HELP'
tell_dom0 sysrq-seen 1
wait_dom0 shutdown-sent 120 > /dev/null
tap_check "xenbus: xl shutdown runs the kernel's poweroff helper" \
	wait_for 60 grep -qx poweroff /tmp/control-requests
tell_dom0 shutdown-seen 1
wait_dom0 reboot-sent 120 > /dev/null
tap_check "xenbus: xl reboot runs the kernel's reboot helper (/sbin/reboot)" \
	wait_for 60 grep -qx reboot /tmp/control-requests
tell_dom0 reboot-seen 1
tap_check "xenbus: each request ran its helper once" \
	test "$(wc -l < /tmp/control-requests)" = 2
rm /sbin/reboot
mv /sbin/reboot.real /sbin/reboot
echo /sbin/poweroff > /proc/sys/kernel/poweroff_cmd
