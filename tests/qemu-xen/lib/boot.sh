# shellcheck shell=bash
# Puts together what one run boots: our modules built for the guest
# kernel, the guest initramfs, dom0's disk, the job disk; then boots Xen.

# xp_mk_initramfs ROOT KVER OUT INIT MODULE...: busybox, the listed
# modules of kernel KVER in ROOT with their dependencies in load order
# (uncompressed: busybox's insmod takes plain .ko), INIT as /init, and
# whatever is in $XP_PAYLOAD (a directory) as /xenpv.
xp_mk_initramfs() {
	local root=$1 kver=$2 out=$3 init=$4 d m ko rel; shift 4
	d=$(mktemp -d "$XP_OUT/initramfs.XXXX")
	mkdir -p "$d/bin" "$d/lib/modules"
	cp /bin/busybox "$d/bin/busybox"
	install -m 755 "$init" "$d/init"
	[ -n "${XP_PAYLOAD:-}" ] && cp -a "$XP_PAYLOAD" "$d/xenpv"
	: > "$d/modlist"
	for m in "$@"; do
		modprobe -d "$root" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		rel=${ko#"$root/lib/modules/$kver/"}
		mkdir -p "$d/lib/modules/$(dirname "$rel")"
		case $ko in
		*.xz) rel=${rel%.xz}; xz -dc "$ko" > "$d/lib/modules/$rel" ;;
		*.zst) rel=${rel%.zst}; zstd -qdc "$ko" > "$d/lib/modules/$rel" ;;
		*) cp "$ko" "$d/lib/modules/$rel" ;;
		esac
		echo "$rel" >> "$d/modlist"
	done
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -9) > "$out"
	rm -rf "$d"
}

# Our modules, built from a copy of the tree against the guest kernel's
# headers: on the host for dom0's kernel, else in that release's chroot
# with its compiler.  Records TAP lines: the build itself is a test.
xp_build_modules() {
	local src=$XP_OUT/build/src log=$XP_OUT/build/make.log
	local rc
	mkdir -p "$src"
	# --delete-excluded: a clean build every time, so W=1 sees every
	# file and no stale object or probe result survives.
	rsync -a --delete --delete-excluded --exclude /tests/qemu-xen/out --exclude /.git \
		--exclude '*.o' --exclude '*.ko' --exclude /.probes \
		--exclude /tests/kernels/out "$XP_TOP/" "$src/"
	xp_log "building the modules against $XP_GUEST_KVER (W=1)"
	if [ -n "$XP_GUEST_RELEASE" ]; then
		xp_kchroot_build "$XP_GUEST_RELEASE" "$src" "$log"
		rc=$?
		rm -rf "$src"
		cp -a "$XP_KCACHE/$XP_GUEST_RELEASE/src" "$src"
	else
		make -C "$src" KDIR="$XP_GUEST_KDIR" W=1 > "$log" 2>&1
		rc=$?
	fi
	if [ $rc != 0 ]; then
		xp_host_tap "not ok - build: modules build against $XP_GUEST_KVER"
		tail -n 20 "$log" | sed 's/^/# /' >> "$XP_OUT/host.tap"
		return 1
	fi
	if grep -E 'warning:|error:' "$log" > "$XP_OUT/build/warnings.txt"; then
		xp_host_tap "not ok - build: no compiler warnings with W=1 against $XP_GUEST_KVER"
		sed 's/^/# /' "$XP_OUT/build/warnings.txt" | head -n 20 >> "$XP_OUT/host.tap"
	else
		xp_host_tap "ok - build: no compiler warnings with W=1 against $XP_GUEST_KVER"
	fi
	XP_MODULES=$(cd "$src" && find . -name '*.ko' -printf '%p ')
	xp_host_tap "ok - build: modules build against $XP_GUEST_KVER ($XP_MODULES)"
	[ -n "$XP_GUEST_DEBUG" ] && xp_build_canary "$src"
	# sparse runs against dom0's kernel, whose headers are on the host.
	[ -z "$XP_GUEST_RELEASE$XP_GUEST_DEBUG" ] && xp_sparse "$src" "$XP_GUEST_KDIR"
	return 0
}

# The leaks suite's canary (leak-canary/), a test module that leaks on
# purpose so that the suite can show kmemleak finding a leak; only the
# debug kernel, the one with kmemleak, gets it.
xp_build_canary() {
	local log=$XP_OUT/build/canary.log
	if make -C "$XP_GUEST_KDIR" M="$1/tests/qemu-xen/leak-canary" W=1 modules > "$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log" >&2; then
		xp_host_tap "ok - build: the leaks suite's canary module builds against $XP_GUEST_KVER"
	else
		xp_host_tap "not ok - build: the leaks suite's canary module builds against $XP_GUEST_KVER"
		tail -n 20 "$log" | sed 's/^/# /' >> "$XP_OUT/host.tap"
	fi
}

# sparse over every file, forced to recheck them all.
xp_sparse() {
	local log=$XP_OUT/build/sparse.log
	if make -C "$2" M="$1" C=2 CF=-D__CHECK_ENDIAN__ modules > "$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log" > "$XP_OUT/build/sparse-warnings.txt"; then
		xp_host_tap "ok - build: sparse finds nothing"
	else
		xp_host_tap "not ok - build: sparse finds nothing"
		sed 's/^/# /' "$XP_OUT/build/sparse-warnings.txt" | head -n 20 >> "$XP_OUT/host.tap"
	fi
}

xp_host_tap() { echo "$1" | tee -a "$XP_OUT/host.tap" >&2; }

# What the guest gets beside its root image: our modules (without debug
# info: every initramfs byte costs boot time), the guest scripts, suites.
xp_make_payload() {
	local p=$XP_OUT/payload ko
	rm -rf "$p"
	mkdir -p "$p/modules"
	for ko in $XP_MODULES; do
		strip --strip-debug -o "$p/modules/$(basename "$ko")" \
			"$XP_OUT/build/src/$ko"
	done
	for ko in "$XP_OUT"/build/src/tests/qemu-xen/leak-canary/*.ko; do
		[ -f "$ko" ] || continue
		mkdir -p "$p/test-modules"
		strip --strip-debug -o "$p/test-modules/$(basename "$ko")" "$ko"
	done
	cp -a "$XP_BED/guest" "$XP_BED/suites" "$p/"
	if [ -n "$XP_GUEST_SCRIPT" ]; then
		mkdir -p "$p/suites/script"
		cp "$XP_GUEST_SCRIPT" "$p/suites/script/user-script"
		cp "$XP_BED/lib/guest-script.sh" "$p/suites/script/guest-nopv.sh"
		basename "$XP_GUEST_SCRIPT" > "$p/suites/script/name"
	fi
	XP_PAYLOAD=$p
}

# The .deb and the source tarball, as make deb and make dist build them,
# for the boot suites to install in their guest.
xp_build_packages() {
	local p=$XP_OUT/packages
	xp_apt_install debhelper dh-dkms
	rm -rf "$p"
	xp_step "make deb" 600 "$XP_OUT/logs/deb.log" \
		"$XP_TOP/scripts/build-packages" deb "$p"
	xp_step "make dist" 300 "$XP_OUT/logs/dist.log" \
		"$XP_TOP/scripts/build-packages" dist "$p"
}

xp_make_dom0_disk() {
	local key
	key=$(sha256sum < "$XP_BED/dom0/init" | cut -c1-12)
	XP_DOM0_IMG=$XP_DOM0/root-$key.img
	[ -f "$XP_DOM0_IMG" ] && return 0
	rm -f "$XP_DOM0"/root-*.img
	install -m 755 "$XP_BED/dom0/init" "$XP_DOM0/root/sbin/xenpv-dom0-init"
	echo dom0 > "$XP_DOM0/root/etc/hostname"
	xp_step "dom0 disk image" 600 "$XP_CACHE/logs/dom0-mkfs.log" \
		mkfs.ext4 -q -F -L dom0root -d "$XP_DOM0/root" \
		"$XP_DOM0_IMG.tmp" "$(( $(du -sm "$XP_DOM0/root" | cut -f1) + 600 ))M"
	mv "$XP_DOM0_IMG.tmp" "$XP_DOM0_IMG"
}

# xp_make_job_disk PLAN: the disk dom0 runs from and writes results to.
xp_make_job_disk() {
	local j=$XP_OUT/job
	rm -rf "$j"
	mkdir -p "$j/guest" "$j/out" "$j/work" "$j/bed"
	cp -a "$XP_BED/dom0" "$XP_BED/guest" "$XP_BED/suites" "$j/bed/"
	[ -n "$XP_GUEST_SCRIPT" ] && cp -a "$XP_PAYLOAD/suites/script" "$j/bed/suites/"
	cp "$XP_GUEST_KROOT/boot/vmlinuz-$XP_GUEST_KVER" "$j/guest/vmlinuz"
	cp "$XP_OUT/guest-initrd.gz" "$j/guest/initrd.gz"
	cp "$XP_GUEST/root.sqfs" "$j/guest/root.sqfs"
	[ -d "$XP_OUT/packages" ] && cp -a "$XP_OUT/packages" "$j/"
	printf '%s\n' "$@" > "$j/plan"
	echo "$XP_GUEST_TIMEOUT" > "$j/guest-timeout"
	echo "${XENPV_GUEST_TSC_HINT:-1}" > "$j/tsc-hint"
	echo "${XENPV_GUEST_VCPUS:-}" > "$j/guest-vcpus"
	echo $((XP_QEMU_TIMEOUT - 60)) > "$j/time-limit"
	rm -f "$XP_OUT/job.img"
	xp_step "job disk image" 300 "$XP_OUT/logs/job-mkfs.log" \
		mkfs.ext4 -q -F -L job -d "$j" "$XP_OUT/job.img" 3G
}

# Boots Xen with dom0; dom0 runs the job and powers off.  Progress lines
# (TAP, markers, Xen's panics) are shown as they come; the whole serial
# log is kept.
xp_boot_xen() {
	local serial=$XP_OUT/logs/xen-serial.log
	local xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 loglvl=all guest_loglvl=all bootscrub=0 console_timestamps=boot"
	local dom0_cmdline="root=/dev/vda ro console=hvc0 quiet"
	zcat "$XP_DOM0/root/boot/xen-4.17-amd64.gz" > "$XP_OUT/xen"
	xp_mk_initramfs "$XP_DOM0/root" "$XP_KVER" "$XP_OUT/dom0-initrd.gz" \
		"$XP_BED/dom0/initramfs-init" \
		virtio_pci virtio_blk crc32c_generic ext4
	local args=(
		-nodefaults -machine pc -accel "${XENPV_QEMU_ACCEL:-tcg}"
		-cpu "qemu64,+svm,+npt,family=23,model=1,stepping=2"
		-smp 2 -m 4096 -display none -vga none -monitor none
		-serial stdio -nic none -no-reboot
		-kernel "$XP_OUT/xen" -append "$xen_cmdline"
		-initrd "$XP_DOM0/root/boot/vmlinuz-$XP_KVER $dom0_cmdline,$XP_OUT/dom0-initrd.gz"
		-drive "file=$XP_DOM0_IMG,if=virtio,format=raw,snapshot=on"
		-drive "file=$XP_OUT/job.img,if=virtio,format=raw"
	)
	# The installed guest, once per suite that boots it: dom0's /dev/vdc,
	# vdd...  Each copy's writes go to a temporary overlay of its own, so
	# every suite starts from the image as built, and the cache keeps it.
	local copy
	for ((copy = 0; copy < ${XP_INSTALLED_COPIES:-0}; copy++)); do
		args+=(-drive "file=$XP_INSTALLED_IMG,if=virtio,format=raw,snapshot=on")
	done
	xp_log "booting Xen in QEMU (limit ${XP_QEMU_TIMEOUT}s); serial log: $serial"
	# sed -u: tr would hold lines back in a pipe's 4 KiB buffer, and
	# the log and the progress lines would lag by minutes.
	timeout -k 15 "$XP_QEMU_TIMEOUT" "${XP_QEMU[@]}" "${args[@]}" \
		< /dev/null 2>&1 | sed -u 's/\r//g' | tee "$serial" |
		grep --line-buffered -aE 'XENPV-(TAP|DOM0)|Kernel panic|\(XEN\).*(Panic|FATAL)' >&2
	XP_QEMU_RC=${PIPESTATUS[0]}
	xp_log "QEMU exited with status $XP_QEMU_RC"
}

# Pulls dom0's results off the job disk.
xp_fetch_results() {
	local r=$XP_OUT/results
	rm -rf "$r"
	mkdir -p "$r"
	debugfs -R "rdump /out $r" "$XP_OUT/job.img" > /dev/null 2>&1
	[ -d "$r/out" ] && mv "$r/out"/* "$r/" && rmdir "$r/out"
}
