# shellcheck shell=bash
# Which QEMU runs Xen.  By default Debian 12's own (7.2).  XENPV_QEMU=sid
# takes Debian sid's instead, from a chroot cached in $XP_CACHE/qemu-sid
# (made the first time, remade when older than a week): QEMU 10 from
# bookworm-backports cannot run the nested guests at all, and a newer one
# may emulate nested SVM better than 7.2 (README.md, "Known limits").
# Any other value is the path of a QEMU binary to use.

XP_QEMU_SID=$XP_CACHE/qemu-sid

# xp_qemu_setup: sets XP_QEMU, the command that runs QEMU.
xp_qemu_setup() {
	case ${XENPV_QEMU:-} in
	"") XP_QEMU=(qemu-system-x86_64) ;;
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
