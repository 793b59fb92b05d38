# shellcheck shell=bash
# The guests' debug kernel (run --kernel 6.1-debug): Debian 12's own kernel
# source and configuration, plus kmemleak, lockdep and the might_sleep
# checks, so that the suites that load and unload our modules can show
# that nothing leaks and no lock is taken in the wrong order.  Built once
# on the host (about 35 minutes on two cores) and cached; never part of
# make check.
#
# Only the modules a test guest loads are built (make localmodconfig with
# the list below): every built-in part of Debian's kernel stays as Debian
# configures it.

# The modules the guests load, in lsmod's format for localmodconfig; the
# emulated platform (i440FX, PIIX IDE, e1000), the initramfs's modules and
# the in-tree frontends the pv guests use.
XP_DEBUG_MODULES="ata_piix ata_generic sd_mod sr_mod squashfs loop overlay
	xen_blkfront xen_netfront e1000 ext4 crc32c_generic veth tun bridge"

# What is changed in Debian's configuration, in scripts/config's words.
# No debug information (kallsyms is enough for kmemleak's traces, and
# DWARF would double the build), no Debian certificates (not in the source
# package: the build signs its modules with a key of its own; ours, as on
# Debian's kernel, load unsigned) and no compressed modules (the test
# bed's initramfs has busybox's insmod).
XP_DEBUG_CONFIG=(--enable DEBUG_KMEMLEAK --disable DEBUG_KMEMLEAK_DEFAULT_OFF
	--disable DEBUG_KMEMLEAK_AUTO_SCAN --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 40000
	--enable PROVE_LOCKING --enable DEBUG_ATOMIC_SLEEP
	--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --disable DEBUG_INFO_DWARF4
	--disable DEBUG_INFO_DWARF5 --enable DEBUG_INFO_NONE --disable DEBUG_INFO_BTF
	--disable MODULE_COMPRESS_XZ --disable MODULE_COMPRESS_ZSTD
	--enable MODULE_COMPRESS_NONE --set-str SYSTEM_TRUSTED_KEYS ""
	--set-str SYSTEM_REVOCATION_KEYS "" --set-str LOCALVERSION -xenpv-debug
	--disable LOCALVERSION_AUTO)

XP_DEBUG_PKGS="linux-source-6.1 bc bison flex libelf-dev libssl-dev cpio
	xz-utils kmod"

# xp_debug_kernel: sets XP_GUEST_KROOT (boot/ and lib/modules/ as a guest
# needs them), XP_GUEST_KVER and XP_GUEST_KDIR (the build tree our modules
# are built against), building the kernel first if the cache lacks it.
xp_debug_kernel() {
	local d=$XP_CACHE/debug-kernel tarball stamp
	# shellcheck disable=SC2086
	xp_apt_install $XP_DEBUG_PKGS
	tarball=$(printf '%s\n' /usr/src/linux-source-6.1*.tar.xz | tail -n 1)
	[ -f "$tarball" ] || xp_die "linux-source-6.1 installed no tarball in /usr/src"
	stamp=$(xp_debug_stamp "$tarball")
	if [ "$(cat "$d/done" 2> /dev/null)" != "$stamp" ]; then
		xp_build_debug_kernel "$d" "$tarball"
		echo "$stamp" > "$d/done"
	fi
	XP_GUEST_KROOT=$d/root
	# shellcheck disable=SC2034 # lib/boot.sh builds against it
	XP_GUEST_KDIR=$d/build
	XP_GUEST_KVER=$(cat "$d/build/include/config/kernel.release")
	[ -f "$XP_GUEST_KROOT/boot/vmlinuz-$XP_GUEST_KVER" ] ||
		xp_die "no kernel image in $XP_GUEST_KROOT"
}

# xp_debug_stamp TARBALL: what the cached build was made from.
xp_debug_stamp() {
	echo "$1 $(dpkg-query -W -f='${Version}' linux-source-6.1)" \
		"$XP_KVER $XP_DEBUG_MODULES ${XP_DEBUG_CONFIG[*]}" | sha256sum | cut -c1-16
}

# xp_build_debug_kernel DIR TARBALL
xp_build_debug_kernel() {
	local d=$1 src=$1/src b=$1/build log=$XP_CACHE/logs/debug-kernel.log kver
	xp_log "building the debug kernel from $(basename "$2") (once; about 35 minutes)"
	rm -rf "$d"
	mkdir -p "$src" "$b" "$d/root/boot"
	xp_step "unpacking $(basename "$2")" 900 "$log" \
		tar -xf "$2" -C "$src" --strip-components=1
	cp "$XP_DOM0/root/boot/config-$XP_KVER" "$b/.config"
	printf 'Module Size Used by\n' > "$d/lsmod"
	# shellcheck disable=SC2086
	printf '%s 0 0\n' $XP_DEBUG_MODULES >> "$d/lsmod"
	# localmodconfig asks about options Debian's file does not set.
	xp_step "configuring the debug kernel" 900 "$log.config" sh -c \
		"yes '' | make -C '$src' O='$b' LSMOD='$d/lsmod' localmodconfig"
	"$src/scripts/config" --file "$b/.config" "${XP_DEBUG_CONFIG[@]}"
	xp_step "completing the debug kernel's configuration" 900 "$log.config" \
		make -C "$src" O="$b" olddefconfig
	xp_debug_config_holds "$b/.config"
	xp_step "compiling the debug kernel" 7200 "$log" \
		make -C "$src" O="$b" -j"$(nproc)" bzImage modules
	xp_step "installing the debug kernel's modules" 900 "$log.install" \
		make -C "$src" O="$b" INSTALL_MOD_PATH="$d/root" INSTALL_MOD_STRIP=1 \
		modules_install
	kver=$(cat "$b/include/config/kernel.release")
	cp "$b/arch/x86/boot/bzImage" "$d/root/boot/vmlinuz-$kver"
	# The source is only needed to build; the build tree keeps what
	# out-of-tree modules need (its Makefile points back at src/).
	find "$b" -name '*.o' -delete
}

# olddefconfig drops silently what it cannot satisfy: the options the
# debug kernel is for must have survived it.
xp_debug_config_holds() {
	local opt
	for opt in DEBUG_KMEMLEAK PROVE_LOCKING DEBUG_ATOMIC_SLEEP XEN_PVHVM; do
		grep -qx "CONFIG_$opt=y" "$1" ||
			xp_die "the debug kernel's configuration lost CONFIG_$opt ($1)"
	done
}
