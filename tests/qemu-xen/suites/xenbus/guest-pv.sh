#!/bin/bash
# The xenbus suite in a guest whose kernel runs Xen itself: xenpv must
# refuse, touching nothing, and the in-tree drivers must keep working.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh

tap_check "xenbus: the in-tree Xen support is active (/sys/hypervisor/type)" \
	grep -qx xen /sys/hypervisor/type
tap_check "xenbus: modprobe xenpv is refused" sh -c '! modprobe xenpv'
tap_check "xenbus: the refusal is one clear log line" \
	dmesg_has "xenpv: the kernel's own Xen support is active"
tap_check "xenbus: the in-tree platform driver keeps the device" \
	sh -c 'readlink /sys/bus/pci/devices/*/driver | grep -q xen-platform-pci'
tap_check "xenbus: the in-tree xen-blkfront disk still reads" \
	dd if=/dev/xvda of=/dev/null bs=1M count=4 iflag=direct
# udev names it (enX0); find it by its driver.
nic=$(basename "$(dirname "$(dirname "$(grep -l '^DRIVER=vif$' /sys/class/net/*/device/uevent | head -n 1)")")")
ip addr add "$XP_IP/24" dev "$nic"
ip link set "$nic" up
tap_check "xenbus: the in-tree xen-netfront NIC ($nic) still pings dom0" \
	wait_for 20 ping -c 1 -W 2 "$XENPV_PEER_IP"
