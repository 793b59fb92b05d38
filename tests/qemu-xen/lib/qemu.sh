# shellcheck shell=bash
# Which QEMU runs Xen.  By default (XENPV_QEMU unset or "patched") Debian
# 12's QEMU source built with the fixes in tests/qemu-xen/qemu/ for two
# QEMU bugs that killed nested guests (README.md, "QEMU's share of the
# crash"); cached in $XP_CACHE/qemu-patched, rebuilt when the source or a
# patch changes.  XENPV_QEMU=debian runs Debian 12's packaged QEMU as it
# is.  XENPV_QEMU=sid takes Debian sid's, from a chroot cached in
# $XP_CACHE/qemu-sid (made the first time, remade when older than a
# week); QEMU 10 and 11 cannot run the nested guests at all (README.md,
# "Known limits").  Any other value is the path of a QEMU binary to use.

XP_QEMU_SID=$XP_CACHE/qemu-sid
XP_QEMU_PATCHED=$XP_CACHE/qemu-patched
# What building QEMU 7.2 for x86_64 alone needs, beyond XP_HOST_PKGS.
XP_QEMU_BUILD_PKGS="dpkg-dev patch python3 meson ninja-build pkg-config
	libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev"

# xp_qemu_setup: sets XP_QEMU, the command that runs QEMU.
xp_qemu_setup() {
	case ${XENPV_QEMU:-patched} in
	debian) XP_QEMU=(qemu-system-x86_64) ;;
	patched) xp_qemu_patched_build
		 # A QEMU run from its build tree looks for firmware only
		 # beside itself: point it at Debian's.
		 XP_QEMU=("$XP_QEMU_PATCHED/build/qemu-system-x86_64"
			  -L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu) ;;
	sid) xp_qemu_sid_chroot
	     XP_QEMU=("$XP_BED/lib/chroot-qemu" "$XP_QEMU_SID" "$XP_TOP" "$XP_CACHE" "$XP_OUT" --) ;;
	*) [ -x "$XENPV_QEMU" ] || xp_die "XENPV_QEMU=$XENPV_QEMU: no such program"
	   XP_QEMU=("$XENPV_QEMU") ;;
	esac
	xp_log "QEMU: $("${XP_QEMU[@]}" --version | head -n 1)"
}

xp_qemu_sid_chroot() {
	local r=$XP_QEMU_SID
	[ -f "$r/.done" ] && [ -z "$(find "$r/.done" -mtime +7)" ] && return 0
	xp_umount_chroot "$r"
	rm -rf --one-file-system "$r"
	xp_step "QEMU from Debian sid: debootstrap" 1800 "$XP_CACHE/logs/qemu-sid-debootstrap.log" \
		debootstrap --variant=minbase sid "$r" "$XP_MIRROR"
	echo "deb $XP_MIRROR sid main" > "$r/etc/apt/sources.list"
	# A mirror's sid can lag behind its Valid-Until date.
	echo 'Acquire::Check-Valid-Until "false";' > "$r/etc/apt/apt.conf.d/99xenpv"
	mount -t proc proc "$r/proc"
	xp_step "QEMU from Debian sid: apt-get install qemu-system-x86" 1800 \
		"$XP_CACHE/logs/qemu-sid-apt.log" chroot "$r" sh -ec \
		"apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends qemu-system-x86; apt-get clean"
	xp_umount_chroot "$r"
	date > "$r/.done"
}

# XP_QEMU_APT: options that give apt-get and apt-cache a sources list of
# their own (bookworm's sources, for QEMU's), leaving the host's alone.
xp_qemu_apt_opts() {
	local d=$XP_QEMU_PATCHED/apt
	XP_QEMU_APT=(-o Dir::Etc::SourceList="$d/sources.list"
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$d/lists"
		-o Dir::Cache="$d/cache")
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	cat > "$d/sources.list" <<SRC
deb-src $XP_MIRROR bookworm main
deb-src $XP_MIRROR bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
SRC
	[ -n "$(find "$d/updated" -mmin -1440 2>/dev/null)" ] && return 0
	xp_step "QEMU source: apt-get update" 600 "$XP_CACHE/logs/qemu-patched-apt.log" \
		apt-get "${XP_QEMU_APT[@]}" update
	touch "$d/updated"
}

# Debian 12's QEMU source with our patches, built for x86_64 alone.  The
# key is the source version and the patches: a change to either rebuilds.
xp_qemu_patched_build() {
	local d=$XP_QEMU_PATCHED logs=$XP_CACHE/logs key ver src p
	# shellcheck disable=SC2086
	xp_apt_install $XP_QEMU_BUILD_PKGS
	xp_qemu_apt_opts
	ver=$(apt-cache "${XP_QEMU_APT[@]}" showsrc qemu 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n 1)
	[ -n "$ver" ] || xp_die "no QEMU source on $XP_MIRROR (log: $logs/qemu-patched-apt.log)"
	key="$ver $(cat "$XP_BED"/qemu/*.patch | sha256sum | cut -c1-16)"
	[ "$(cat "$d/.done" 2>/dev/null)" = "$key" ] && return 0
	rm -rf "$d/src" "$d/build" "$d/.done"
	mkdir -p "$d/src" "$d/build"
	xp_step "QEMU $ver: source" 900 "$logs/qemu-patched-source.log" \
		env -C "$d/src" apt-get "${XP_QEMU_APT[@]}" source --download-only "qemu=$ver"
	src=$d/src/qemu
	xp_step "QEMU $ver: unpack" 600 "$logs/qemu-patched-unpack.log" \
		dpkg-source -x "$d/src/qemu_${ver#*:}.dsc" "$src"
	for p in "$XP_BED"/qemu/*.patch; do
		patch -d "$src" -p1 --forward < "$p" > "$logs/qemu-patched-patch.log" 2>&1 ||
			xp_die "$p does not apply to QEMU $ver (log: $logs/qemu-patched-patch.log)"
	done
	xp_step "QEMU $ver: configure" 600 "$logs/qemu-patched-configure.log" \
		env -C "$d/build" "$src/configure" --target-list=x86_64-softmmu \
		--without-default-features --enable-tcg --enable-fdt=system \
		--disable-docs --disable-werror \
		--with-pkgversion="Debian $ver with tests/qemu-xen/qemu"
	xp_step "QEMU $ver: build (a few minutes)" 3600 "$logs/qemu-patched-build.log" \
		ninja -C "$d/build" qemu-system-x86_64
	echo "$key" > "$d/.done"
}
