#!/bin/bash
# The block benchmark, guest part, the same in every mode: nopv (xenblk),
# pv (the kernel's own xen-blkfront) and emu (the emulated IDE disk).  The
# jobs of fio-jobs.sh on the first spare disk, a 256 MiB file in dom0 that
# blkback serves through a loop device (QEMU, when emulated); each result
# is a XENPV-BENCH line that tests/qemu-xen/bench gathers into its table.
# In the nopv guest, dom0 then runs the same jobs on that file
# (dom0-nopv.sh) before the guest ends.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
# shellcheck source=fio-jobs.sh
. "$(dirname "$0")/fio-jobs.sh"
report() { local desc=$1; shift; tap_check "bench $XP_MODE: $desc" "$@"; }

# spare_dev: the first spare disk (xl's xvdb).  Emulated, the two spare
# disks are alike to QEMU (files in the same dom0 folder): the first IDE
# disk of their size that is not the root image (squashfs's magic).
spare_dev() {
	local d
	if [ "$XP_MODE" != emu ]; then
		test -b /dev/xvdb && echo xvdb
		return
	fi
	for d in /sys/block/sd?; do
		[ "$(cat "$d/size")" = $((256 * 2048)) ] || continue
		[ "$(dd if="/dev/${d##*/}" bs=4 count=1 status=none)" = hsqs ] && continue
		basename "$d"
		return 0
	done
	return 1
}

report "the first spare disk is there" wait_for 60 spare_dev
if dev=$(spare_dev); then
	driver=$(basename "$(readlink -f "/sys/block/$dev/device/driver")")
	say "bench $XP_MODE: /dev/$dev, driver $driver, clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	bench_result driver "$driver"
	fio_all "/dev/$dev"
fi
tell_dom0 bench-done 1
[ "$XP_MODE" = nopv ] && wait_dom0 dom0-bench-done 600 > /dev/null
exit 0
