# shellcheck shell=bash
# Cached Debian chroots, one per release, with that release's compiler and
# default kernel's headers: for tests/kernels/build-all, and for the
# test bed's guests on another kernel (which also need the kernel itself).
#
# xp_kchroot RELEASE [with-image]: makes $XP_KCACHE/RELEASE if missing,
# older than a week, or made with other packages; prints nothing.

XP_KCACHE=${XENPV_CACHE:-/var/cache/xenpv-tests}/kernels
XP_KMIRROR=${XENPV_MIRROR:-http://deb.debian.org/debian}
XP_KCHROOT_PKGS="make gcc libc6-dev perl linux-headers-amd64"

xp_kchroot_umount() {
	local m
	for m in proc dev sys; do
		mountpoint -q "$1/$m" && umount -l "$1/$m"
	done
	return 0
}

# xp_kchroot_run ROOT CMD...: a command in the chroot, with /proc (objtool
# and dpkg want it).
xp_kchroot_run() {
	local r=$1 rc; shift
	mount -t proc proc "$r/proc"
	chroot "$r" "$@"
	rc=$?
	xp_kchroot_umount "$r"
	return $rc
}

xp_kchroot() {
	local rel=$1 r=$XP_KCACHE/$1 rc
	if [ "$(cat "$r/.done" 2>/dev/null)" != "$XP_KCHROOT_PKGS" ] ||
	   [ -n "$(find "$r/.done" -mtime +7 2>/dev/null)" ]; then
		echo "[kernels] preparing the $rel chroot (once a week)" >&2
		xp_kchroot_umount "$r"
		rm -rf --one-file-system "$r"
		mkdir -p "$XP_KCACHE"
		timeout 1800 debootstrap --variant=minbase "$rel" "$r" "$XP_KMIRROR" \
			> "$XP_KCACHE/$rel-debootstrap.log" 2>&1 || return 1
		{
			echo "deb $XP_KMIRROR $rel main"
			if [ "$rel" != sid ]; then
				echo "deb $XP_KMIRROR $rel-updates main"
				echo "deb http://deb.debian.org/debian-security $rel-security main"
			fi
		} > "$r/etc/apt/sources.list"
		# A mirror's sid can lag behind its Valid-Until date; the
		# packages are still Debian's own.
		echo 'Acquire::Check-Valid-Until "false";' > "$r/etc/apt/apt.conf.d/99xenpv"
		xp_kchroot_run "$r" timeout 1800 sh -c "apt-get update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends $XP_KCHROOT_PKGS && apt-get clean" \
			> "$XP_KCACHE/$rel-apt.log" 2>&1 || return 1
		echo "$XP_KCHROOT_PKGS" > "$r/.done"
	fi
	if [ "${2:-}" = with-image ] && ! ls "$r"/boot/vmlinuz-* > /dev/null 2>&1; then
		echo "[kernels] installing the $rel kernel image" >&2
		xp_kchroot_run "$r" timeout 1800 sh -c "apt-get update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends linux-image-amd64 && apt-get clean" \
			> "$XP_KCACHE/$rel-image.log" 2>&1 || return 1
	fi
	return 0
}

# The kernel release whose headers the chroot has.
xp_kchroot_kver() {
	local kdir
	kdir=$(ls -d "$XP_KCACHE/$1"/usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
	echo "${kdir##*/linux-headers-}"
}

# xp_kchroot_build RELEASE SRC LOG [MAKEARGS...]: builds SRC (a copy of the
# tree) in the chroot, W=1, against its kernel.
xp_kchroot_build() {
	local rel=$1 src=$2 log=$3 r=$XP_KCACHE/$1 kver; shift 3
	kver=$(xp_kchroot_kver "$rel")
	rm -rf "$r/src"
	cp -a "$src" "$r/src"
	xp_kchroot_run "$r" make -C "/usr/src/linux-headers-$kver" M=/src W=1 \
		"$@" modules > "$log" 2>&1
}
