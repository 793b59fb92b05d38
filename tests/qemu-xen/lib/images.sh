# shellcheck shell=bash
# Builds (and caches) what the test bed boots: the host tools, a dom0 root
# filesystem with Xen 4.17, and the HVM guests' root filesystem.

XP_HOST_PKGS="qemu-system-x86 debootstrap busybox-static e2fsprogs cpio kmod
	squashfs-tools gcc make libc6-dev rsync sparse xz-utils zstd fdisk"

# Bump when a change to how the images are built must rebuild them; the
# package lists and the Debian versions are part of the key already.
XP_IMAGE_RECIPE=1

# apt-get update at most once a day: the cache keys read apt's candidates.
xp_apt_update() {
	local stamp=$XP_CACHE/apt-updated
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		xp_step "apt-get update" 900 "$XP_CACHE/logs/apt-update.log" \
			apt-get update
		touch "$stamp"
	fi
}

xp_apt_install() {
	local need="" p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || need="$need $p"
	done
	[ -z "$need" ] && return 0
	xp_apt_update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive xp_step "installing$need" 1800 \
		"$XP_CACHE/logs/apt-install.log" \
		apt-get install -y --no-install-recommends $need
}

xp_host_deps() {
	[ "$(id -u)" = 0 ] || xp_die "the test bed needs root (debootstrap, chroot)"
	mkdir -p "$XP_CACHE/logs"
	# shellcheck disable=SC2086
	xp_apt_install $XP_HOST_PKGS
	xp_apt_update
}

# xp_chroot_sh ROOT LOG SCRIPT: a shell script inside a chroot with
# bookworm's sources, /proc, /dev and /sys, and services kept from starting.
xp_chroot_sh() {
	local r=$1 log=$2 rc
	printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"
	chmod +x "$r/usr/sbin/policy-rc.d"
	cat > "$r/etc/apt/sources.list" <<SRC
deb $XP_MIRROR $XP_SUITE main
deb $XP_MIRROR $XP_SUITE-updates main
deb http://deb.debian.org/debian-security $XP_SUITE-security main
SRC
	mount -t proc proc "$r/proc"
	mount --bind /dev "$r/dev"
	mount -t sysfs sys "$r/sys"
	DEBIAN_FRONTEND=noninteractive timeout -k 10 2400 chroot "$r" sh -ec "$3" \
		> "$log" 2>&1
	rc=$?
	xp_umount_chroot "$r"
	if [ $rc != 0 ]; then
		tail -n 25 "$log" >&2
		xp_die "in the chroot $r: $3 failed (full log: $log)"
	fi
}

# xp_chroot_install ROOT LOG PKG...: apt-get install inside a chroot, and
# what the images need not carry dropped.
xp_chroot_install() {
	local r=$1 log=$2; shift 2
	xp_chroot_sh "$r" "$log" "apt-get update
		apt-get install -y --no-install-recommends $*
		apt-get clean"
	rm -rf "$r/var/lib/apt/lists"/*_Packages "$r/usr/share/doc" \
		"$r/usr/share/man" "$r/usr/share/locale"
}

# xp_prune_cache KEEP: remove the older builds of the same kind as KEEP.
xp_prune_cache() {
	local old
	for old in "${1%-*}"-*; do
		[ "$old" = "$1" ] || [ ! -d "$old" ] && continue
		xp_umount_chroot "$old/root"
		rm -rf --one-file-system "$old"
	done
}

# xp_debootstrap DIR LOG EXTRA_PKGS: a fresh minbase Debian in DIR.
xp_debootstrap() {
	local r=$1 log=$2
	xp_umount_chroot "$r"
	rm -rf --one-file-system "$r"
	xp_step "debootstrap $XP_SUITE -> $r" 1800 "$log" \
		debootstrap --variant=minbase --include="$3" \
		"$XP_SUITE" "$r" "$XP_MIRROR"
}

# dom0: Xen, its toolstack and qemu-xen (the device model of HVM guests),
# and the Debian kernel that serves dom0 and the guests alike.
XP_DOM0_PKGS="xen-hypervisor-4.17-amd64 xen-utils-4.17 qemu-system-xen
	linux-image-amd64 busybox bridge-utils iproute2 iputils-ping pciutils
	e2fsprogs iperf3 fio"

xp_build_dom0() {
	local key r
	key=$(echo "$XP_IMAGE_RECIPE $XP_DOM0_PKGS" | xp_cache_key -)
	XP_DOM0=$XP_CACHE/dom0-$key
	r=$XP_DOM0/root
	if [ ! -f "$XP_DOM0/done" ]; then
		xp_debootstrap "$r" "$XP_CACHE/logs/dom0-debootstrap.log" \
			kmod,iproute2,procps
		xp_log "installing Xen and the kernel into the dom0 root (a few minutes)"
		# shellcheck disable=SC2086
		xp_chroot_install "$r" "$XP_CACHE/logs/dom0-apt.log" $XP_DOM0_PKGS
		touch "$XP_DOM0/done"
		xp_prune_cache "$XP_DOM0"
	fi
	XP_KVER=$(basename "$(ls -d "$r"/lib/modules/* | sort -V | tail -1)")
	[ -f "$r/boot/vmlinuz-$XP_KVER" ] || xp_die "no kernel in $r"
}

# The guests' root: what the suites use (udev for module autoloading, the
# xenstore tools, fio, iperf3, ethtool), plus the dom0 kernel's modules.
XP_GUEST_PKGS="udev kmod xenstore-utils fio iperf3 ethtool iproute2
	iputils-ping pciutils procps util-linux e2fsprogs"

# Kernel module trees a guest never needs; leaving them out keeps the root
# image small, and every byte of it crosses the emulated disk at boot.
XP_GUEST_MOD_PRUNE="drivers/gpu drivers/media drivers/net/wireless
	drivers/infiniband drivers/staging drivers/iio drivers/bluetooth
	drivers/usb drivers/hid drivers/platform drivers/mfd drivers/misc
	drivers/input drivers/net/can drivers/isdn drivers/hwmon drivers/leds
	drivers/power drivers/thunderbolt drivers/nfc drivers/w1 drivers/mmc
	drivers/mtd drivers/spi drivers/i2c drivers/comedi drivers/scsi/lpfc
	drivers/scsi/qla2xxx drivers/scsi/mpt3sas drivers/net/ethernet/mellanox
	drivers/net/ethernet/chelsio drivers/net/ethernet/qlogic
	drivers/net/ethernet/broadcom drivers/net/ethernet/sfc sound net/wireless
	net/mac80211 net/bluetooth fs/ocfs2 fs/gfs2 fs/btrfs fs/xfs"

# The guests' kernel: dom0's, or with --kernel, a release's chroot
# (tests/kernels/chroot.sh) with its kernel image installed.  Sets
# XP_GUEST_KROOT, XP_GUEST_KVER, and XP_GUEST_KDIR where the host builds
# our modules against it, its headers installed (a release's are built in
# its chroot).
xp_guest_kernel() {
	if [ -z "${1:-}" ]; then
		XP_GUEST_KROOT=$XP_DOM0/root
		XP_GUEST_KVER=$XP_KVER
		# shellcheck disable=SC2034 # lib/boot.sh builds against it
		XP_GUEST_KDIR=/usr/src/linux-headers-$XP_KVER
		xp_apt_install "linux-headers-$XP_KVER"
		return
	fi
	# shellcheck source=../../kernels/chroot.sh
	. "$XP_TOP/tests/kernels/chroot.sh"
	xp_kchroot "$1" with-image || xp_die "cannot prepare the $1 kernel (see $XP_KCACHE/$1-*.log)"
	XP_GUEST_KROOT=$XP_KCACHE/$1
	XP_GUEST_KVER=$(basename "$(ls -d "$XP_GUEST_KROOT"/lib/modules/* | sort -V | tail -n 1)")
	[ -f "$XP_GUEST_KROOT/boot/vmlinuz-$XP_GUEST_KVER" ] || xp_die "no kernel image in $XP_GUEST_KROOT"
}

xp_build_guest_root() {
	local key r d
	key=$(echo "$XP_IMAGE_RECIPE $XP_GUEST_PKGS $XP_GUEST_MOD_PRUNE $XP_GUEST_KVER" |
		xp_cache_key -)
	# One image per guest kernel; pruning replaces only the same kernel's.
	XP_GUEST=$XP_CACHE/guest-$XP_GUEST_KVER-$key
	r=$XP_GUEST/root
	if [ ! -f "$XP_GUEST/done" ]; then
		xp_debootstrap "$r" "$XP_CACHE/logs/guest-debootstrap.log" kmod
		xp_log "installing the guest's test tools"
		# shellcheck disable=SC2086
		xp_chroot_install "$r" "$XP_CACHE/logs/guest-apt.log" $XP_GUEST_PKGS
		mkdir -p "$r/lib/modules"
		cp -a "$XP_GUEST_KROOT/lib/modules/$XP_GUEST_KVER" "$r/lib/modules/"
		for d in $XP_GUEST_MOD_PRUNE; do
			rm -rf "$r/lib/modules/$XP_GUEST_KVER/kernel/$d"
		done
		depmod -b "$r" "$XP_GUEST_KVER"
		echo guest > "$r/etc/hostname"
		rm -f "$XP_GUEST/root.sqfs"
		xp_step "squashing the guest root" 900 \
			"$XP_CACHE/logs/guest-mksquashfs.log" \
			mksquashfs "$r" "$XP_GUEST/root.sqfs" -comp zstd \
			-Xcompression-level 19 -noappend -e proc sys dev run tmp
		touch "$XP_GUEST/done"
		xp_prune_cache "$XP_GUEST"
	fi
}

# The boot suites' guest: Debian 12 installed on a partitioned disk as a
# user's would be, with the kernel, its headers, DKMS and initramfs-tools
# with what it recommends (zstd, which compresses in a fraction of gzip's
# time, and busybox), and the initrd that initramfs-tools made.
# /root/kernel2 holds the packages of a second kernel (bookworm-backports)
# for the boot suite to install.  The disk is a sparse raw file: QEMU
# attaches it to dom0 once per suite, each with snapshot=on, so it stays
# as built.
XP_INSTALLED_PKGS="linux-image-amd64 linux-headers-amd64 dkms initramfs-tools
	zstd busybox udev kmod iproute2 iputils-ping procps util-linux e2fsprogs make"
XP_INSTALLED_DISK_MB=6144
# The root filesystem's UUID, for root= and fstab: any fixed value does.
XP_INSTALLED_UUID=6c1c3f3a-7e0b-4c5e-9a57-1d0e5b6a0a01

xp_build_installed_disk() {
	local key r
	key=$(echo "$XP_IMAGE_RECIPE $XP_INSTALLED_PKGS $XP_INSTALLED_DISK_MB $XP_INSTALLED_UUID" |
		xp_cache_key -)
	XP_INSTALLED=$XP_CACHE/installed-$key
	XP_INSTALLED_IMG=$XP_INSTALLED/disk.img
	r=$XP_INSTALLED/root
	[ -f "$XP_INSTALLED/done" ] && return 0
	xp_debootstrap "$r" "$XP_CACHE/logs/installed-debootstrap.log" kmod
	echo "UUID=$XP_INSTALLED_UUID / ext4 errors=remount-ro 0 1" > "$r/etc/fstab"
	echo installed > "$r/etc/hostname"
	xp_log "installing the kernel, its headers and DKMS into the installed guest (a few minutes)"
	# shellcheck disable=SC2086
	xp_chroot_install "$r" "$XP_CACHE/logs/installed-apt.log" $XP_INSTALLED_PKGS
	xp_log "fetching a second kernel for it from $XP_SUITE-backports"
	echo "deb $XP_MIRROR $XP_SUITE-backports main" > "$r/etc/apt/sources.list.d/backports.list"
	xp_chroot_sh "$r" "$XP_CACHE/logs/installed-kernel2.log" "apt-get update
		apt-get install -y --download-only --no-install-recommends \
			-t $XP_SUITE-backports linux-image-amd64 linux-headers-amd64
		mkdir -p /root/kernel2
		mv /var/cache/apt/archives/*.deb /root/kernel2/
		apt-get clean"
	rm -f "$r/etc/apt/sources.list.d/backports.list" "$r/var/lib/apt/lists"/*_Packages
	ls "$r"/root/kernel2/linux-image-6.*.deb > /dev/null 2>&1 ||
		xp_die "no second kernel in $r/root/kernel2"
	xp_installed_disk_image "$r" "$XP_INSTALLED_IMG"
	rm -rf --one-file-system "$r"
	touch "$XP_INSTALLED/done"
	xp_prune_cache "$XP_INSTALLED"
}

# xp_installed_disk_image ROOT IMG: a disk with an MBR and one Linux
# partition from 1 MiB to the end, its ext4 filled from ROOT.
xp_installed_disk_image() {
	local start=2048 sectors
	sectors=$((XP_INSTALLED_DISK_MB * 2048))
	rm -f "$2" "$2.tmp"
	truncate -s "${XP_INSTALLED_DISK_MB}M" "$2.tmp"
	echo "start=$start, type=83" | sfdisk -q "$2.tmp" > /dev/null ||
		xp_die "sfdisk on $2.tmp failed"
	xp_step "the installed guest's disk image" 900 "$XP_CACHE/logs/installed-mkfs.log" \
		mkfs.ext4 -q -F -L xenpvroot -U "$XP_INSTALLED_UUID" \
		-E offset=$((start * 512)) -d "$1" "$2.tmp" \
		"$(((sectors - start) / 2))k"
	mv "$2.tmp" "$2"
}
