#!/bin/bash
# The boot suite, dom0's side: a Debian 12 guest installed on a disk of
# its own (dom0's /dev/vdc, see lib/images.sh) boots, phase after phase,
# the kernel and the initramfs that its own /boot holds, as its boot
# loader would.  guest-init (its init=) does each phase's work and
# checks; dom0 lends it the files it installs, boots it, and hands its
# TAP lines on.
#
#   install  emulated disk: dpkg -i of our .deb; a second kernel
#   pv       the PV disk and NIC, through the initramfs the .deb made
#   pv       the same with the second kernel
#   reinstall  dpkg -r; make dkms-install from the source tarball
#   remove   the PV disk again (make dkms-install's initramfs); then
#            make dkms-remove
#   emu      the emulated disk again, with no xenpv left
set -u
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh

DISK=/dev/vdc
PART=${DISK}1
MNT=/tmp/installed
W=/job/work/boot
BOOT_IP=10.0.0.60
BOOT_MAC=00:16:3e:00:00:60
mkdir -p "$W" "$MNT"

# progress: a TAP line for results.tap and the console.
progress_tap() { echo "$1"; echo "XENPV-TAP $1" > /dev/console; }

# prepare: what the phases use goes onto the installed disk: the init,
# the guest helpers, our .deb and source tarball.
prepare() {
	local rc
	mount "$PART" "$MNT" || return 1
	install -D -m 755 /job/bed/suites/boot/guest-init "$MNT/usr/local/sbin/xenpv-boot-test" &&
		install -D -m 644 /job/bed/guest/lib.sh "$MNT/usr/local/lib/xenpv-test/lib.sh" &&
		mkdir -p "$MNT/root/xenpv" &&
		cp /job/packages/xenpv-dkms_*_all.deb /job/packages/xenpv-*.tar.gz "$MNT/root/xenpv/"
	rc=$?
	umount "$MNT"
	return $rc
}

# kernels: the releases the installed guest has in /boot, oldest first.
kernels() {
	mount -o ro "$PART" "$MNT" || return 1
	find "$MNT/boot" -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' | sort -V
	umount "$MNT"
}

# fetch_boot_files KVER: the kernel and the initramfs the guest made.
fetch_boot_files() {
	mount -o ro "$PART" "$MNT" || return 1
	cp "$MNT/boot/vmlinuz-$1" "$W/vmlinuz" &&
		cp "$MNT/boot/initrd.img-$1" "$W/initrd.img"
	local rc=$?
	umount "$MNT"
	return $rc
}

# config NAME PHASE LOG.  Two vCPUs: most of the suite's time is DKMS
# compiling and initramfs-tools compressing inside this guest, and both
# use every CPU they see; dom0 is idle while the guest works.
config() {
	cat <<CFG
name = "$1"
type = "hvm"
memory = 1024
vcpus = 2
kernel = "$W/vmlinuz"
ramdisk = "$W/initrd.img"
cmdline = "root=UUID=$ROOT_UUID ro console=ttyS0,115200 quiet panic=-1 $(tsc_hint) xen_nopv init=/usr/local/sbin/xenpv-boot-test xpboot.phase=$2 xpboot.ip=$BOOT_IP"
disk = [ 'format=raw,vdev=xvda,access=rw,backendtype=phy,target=$DISK' ]
vif = [ 'bridge=xenbr0,model=e1000,mac=$BOOT_MAC' ]
CFG
	guest_config_common "$3"
}

# boot_once NAME PHASE KVER LIMIT: one boot, to its power-off.
boot_once() {
	local name=$1 log=/job/out/$1.log
	config "$name" "$2" "$log" > "/tmp/$name.cfg"
	: > "$log"
	if ! timeout 600 xl create "/tmp/$name.cfg" > "/job/out/xl-create-$name.log" 2>&1; then
		progress_tap "not ok - boot: xl create of the $2 guest ($3)"
		sed 's/^/# /' "/job/out/xl-create-$name.log" | tail -n 10
		return 1
	fi
	xl domid "$name" > "/job/out/$name.domid"
	wait_domain_gone "$name" "$4" ||
		progress_tap "not ok - boot: the $2 guest ($3) finished within $4 s (destroyed)"
	return 0
}

# boot PHASE KVER LIMIT: boots the installed guest's KVER for PHASE and
# passes its TAP lines on.  A guest that died before its init ran is
# booted once more (nested TCG's crash, README), as the others are.
boot() {
	local phase=$1 kver=$2 name="xenpv-boot-$1-${2%%[-+]*}" log try lines l
	if ! fetch_boot_files "$kver"; then
		progress_tap "not ok - boot: the installed guest has /boot/vmlinuz-$kver and its initrd.img"
		return 1
	fi
	for try in 1 2; do
		[ $try = 2 ] && name=$name-rerun
		log=/job/out/$name.log
		echo "XENPV-DOM0 booting the installed guest: $phase, $kver" > /dev/console
		boot_once "$name" "$phase" "$kver" "$3" || return 1
		grep -q "XENPV-GUEST boot init" "$log" && break
		[ $try = 2 ] && break
		echo $(( $(cat /job/out/env-crashes 2>/dev/null || echo 0) + 1 )) > /job/out/env-crashes
		echo "XENPV-DOM0 environment crash? the $phase guest died before its init ran; booting it again" > /dev/console
	done
	lines=$(tr -d '\r' < "$log" | sed -n 's/^XENPV-TAP //p')
	if [ -n "$lines" ]; then
		echo "$lines"
		while IFS= read -r l; do echo "XENPV-TAP $l"; done <<< "$lines" > /dev/console
	fi
	if ! grep -q XENPV-GUEST-DONE "$log"; then
		progress_tap "not ok - boot: the $phase guest ($kver) ran to the end"
		tr -d '\r' < "$log" | tail -n 30 | sed 's/^/# guest: /'
		return 1
	fi
}

main() {
	local k1 k2
	ROOT_UUID=$(blkid -s UUID -o value "$PART")
	if [ -z "$ROOT_UUID" ] || ! prepare; then
		progress_tap "not ok - boot: dom0 has the installed disk ($PART) and puts our packages on it"
		return 0
	fi
	k1=$(kernels | tail -n 1)
	boot install "$k1" 6000 || return 0
	k2=$(kernels | grep -vxF "$k1" | tail -n 1)
	boot pv "$k1" 900
	if [ -n "$k2" ]; then
		boot pv "$k2" 900
	else
		progress_tap "not ok - boot: the second kernel is in the installed guest's /boot"
	fi
	boot reinstall "$k1" 7200 || return 0
	boot remove "$k1" 4800 || return 0
	boot emu "$k1" 900
}

main
