#!/bin/bash
# What a user wants to see in a xen_nopv guest running xenpv.  Run by
# "make demo" (and by "make check", as a guest script): it shows, and
# fails if what it shows is not so.
set -u
fail=0
show() { printf '\n== %s\n' "$1"; }
expect() { "$@" > /dev/null 2>&1 || { echo "!! expected: $*"; fail=1; }; }

show "The kernel's own Xen support is off (xen_nopv): /sys/hypervisor/type"
cat /sys/hypervisor/type 2>/dev/null || echo "(absent)"
show "xenpv's log"
dmesg | grep -E 'xenpv' | sed 's/^\[[^]]*\] //' | sort -u
show "lspci -k: the Xen platform device is driven by xenpv"
lspci -k -d 5853:0001
expect sh -c 'lspci -k -d 5853:0001 | grep -q "Kernel driver in use: xenpv"'
bus=$(dmesg | sed -n 's|.*PV devices are on \(/sys/bus/[a-z]*\).*|\1|p' | tail -n 1)
show "PV devices on $bus"
for d in "$bus"/devices/*; do
	drv=none
	[ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	printf '%-12s %-22s %-9s driver=%s\n' "$(basename "$d")" \
		"$(cat "$d/nodename")" "$(cat "$d/modalias")" "$drv"
done
expect test -e "$bus/devices/vbd-51712"
show "xenstore through /dev/xen/xenbus: xenstore-read name; xenstore-ls device/vif"
xenstore-read name
xenstore-ls device/vif | head -n 8
expect xenstore-read name
show "Disks: lsblk; the PV disks are xvd* on xenblk, no emulated sd* left"
# udev loaded xenblk for the vbd devices; give it the time to connect.
for _ in $(seq 60); do [ -b /dev/xvda ] && break; sleep 1; done
lsblk -d -o NAME,MAJ:MIN,SIZE,RO,TYPE
for d in /sys/block/xvd*; do
	[ -e "$d" ] || continue
	printf '%-6s driver=%s queues=%s ring_pages=%s backend=%s\n' \
		"$(basename "$d")" "$(basename "$(readlink "$d/device/driver")")" \
		"$(cat "$d/xenblk/nr_queues")" "$(cat "$d/xenblk/ring_pages")" \
		"$(cat "$d/xenblk/backend")"
done
expect test -b /dev/xvda
expect sh -c '[ "$(basename "$(readlink /sys/block/xvda/device/driver)")" = xenblk ]'
expect sh -c '! ls /sys/block | grep -qE "^(sd|hd)"'
show "Network: the vif is an Ethernet device on xennet; ping dom0"
nic=
for _ in $(seq 60); do
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$d/device/driver")")" = xennet ] &&
			nic=$(basename "$d")
	done
	[ -n "$nic" ] && break
	sleep 1
done
ip -br link
if [ -n "$nic" ]; then
	ethtool -i "$nic" | grep -E '^(driver|bus-info):'
	ip addr add "${XP_IP:-10.0.0.99}/24" dev "$nic"
	ip link set "$nic" up
	for _ in $(seq 30); do
		[ "$(cat "/sys/class/net/$nic/carrier" 2> /dev/null)" = 1 ] && break
		sleep 1
	done
	ip -br addr show dev "$nic"
	ping -c 3 -W 5 "${XENPV_PEER_IP:-10.0.0.1}" | tail -n 2
fi
expect test -n "$nic"
expect ping -c 1 -W 5 "${XENPV_PEER_IP:-10.0.0.1}"
show "Console: modprobe xencons; the console xl console reaches is hvc0"
modprobe xencons
# (xvc0 instead if xencons was loaded with primary=xvc0.)
con=
for _ in $(seq 10); do
	for c in /dev/hvc0 /dev/xvc0; do [ -c "$c" ] && con=$c; done
	[ -n "$con" ] && break
	sleep 1
done
ls -l "${con:-/dev/hvc0}"
[ -n "$con" ] && echo "xenpv demo: hello from the guest on $con" > "$con"
expect test -n "$con"
exit $fail
