#!/bin/bash
# The blk suite, guest part (xen_nopv guest, xenblk): data integrity on
# both Xen block backends, raw and through ext4, fio with verification,
# discard, flush/FUA flags, a read-only disk, a 4 KiB
# sector disk, online resize, and hot attach and detach with I/O running.
# dom0's part (dom0-nopv.sh) configures the disks and checks the bytes in
# the backing stores.  The guest has one vCPU, so one queue per disk;
# blk-queues checks several queues in a guest of its own.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh

# xvdb is on blkback (phy: a loop device), xvdc on qemu's qdisk.
MB=${XENPV_BLK_TEST_MB:-32}
PHY=xvdb QDISK=xvdc

sysattr() { cat "/sys/block/$1/$2" 2> /dev/null; }
has_disk() { [ -b "/dev/$1" ] && [ -e "/sys/block/$1/xenblk" ]; }
no_disk() { [ ! -e "/sys/block/$1" ]; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

tap_check "blk: udev loaded xenblk for the vbd devices" \
	wait_for 60 has_disk $PHY
wait_for 30 has_disk $QDISK
for d in $PHY $QDISK; do
	drv=$(basename "$(readlink "/sys/block/$d/device/driver")")
	tap_check "blk: /dev/$d is driven by xenblk ($drv), major 202 ($(sysattr $d dev))" \
		test "$drv" = xenblk -a "$(sysattr $d dev)" = "202:$(( ($(printf %d "'${d:3:1}") - 97) * 16 ))"
done

# The features each disk negotiated, for dom0 to hold against xenstore.
feats() {
	local d=$1 f out=""
	for f in nr_queues ring_pages max_segments indirect_segments \
		persistent flush fua discard; do
		out="$out $f=$(sysattr "$d" "xenblk/$f")"
	done
	echo "${out# }"
}
tell_dom0 feat-$PHY "$(feats $PHY)"
tell_dom0 feat-$QDISK "$(feats $QDISK)"
tap_check "blk: $PHY uses indirect descriptors ($(sysattr $PHY xenblk/max_segments) pages per request)" \
	test "$(sysattr $PHY xenblk/max_segments)" -gt 11
# The block layer's view follows the flush/FUA features.
for d in $PHY $QDISK; do
	want=$( [ "$(sysattr $d xenblk/flush)" = 1 ] && echo "write back" || echo "write through")
	tap_check "blk: $d write cache is '$want' as its flush feature says" \
		test "$(sysattr $d queue/write_cache)" = "$want"
	tap_check "blk: $d queue/fua follows the barrier feature" \
		test "$(sysattr $d queue/fua)" = "$(sysattr $d xenblk/fua)"
done

# --- Raw data integrity: O_DIRECT at 512 B to 1 MiB, offsets not
# aligned to 4 KiB, read back after dropping caches, then checked by dom0
# in the backing store.
head -c $((MB << 20)) /dev/urandom > /tmp/pattern
want=$(sha256sum < /tmp/pattern | cut -d' ' -f1)
OFF=$(( (1 << 20) + 512 ))	# 1 MiB + 512: unaligned to 4 KiB
# write_pieces DISK: the pattern in four pieces of rising block size.
write_pieces() {
	local q=$((MB << 18)) piece bs from len
	for piece in "512 0 1" "4096 1 1" "65536 2 1" "1048576 3 1"; do
		read -r bs from len <<< "$piece"
		dd if=/tmp/pattern of="/dev/$1" bs="$bs" \
			iflag=skip_bytes,count_bytes oflag=seek_bytes,direct \
			skip=$((from * q)) seek=$((OFF + from * q)) \
			count=$((len * q)) conv=notrunc status=none || return 1
	done
}
read_back() {
	dd if="/dev/$1" bs=1M iflag=skip_bytes,count_bytes,direct \
		skip=$OFF count=$((MB << 20)) status=none | sha256sum | cut -d' ' -f1
}
for d in $PHY $QDISK; do
	tap_check "blk: $d: $MB MiB written with O_DIRECT at 512 B, 4 KiB, 64 KiB, 1 MiB" \
		write_pieces $d
	drop_caches
	got=$(read_back $d)
	tap_check "blk: $d: read back after dropping caches, the bytes match" \
		test "$got" = "$want"
	tell_dom0 "raw-$d" "$OFF $((MB << 20)) $want"
done
wait_dom0 raw-checked 300 > /dev/null

# --- Through ext4 on qdisk: files written, unmounted, read back.
mkfs.ext4 -q -F /dev/$QDISK > /tmp/mkfs.log 2>&1
mkdir -p /mnt/x
if tap_check "blk: ext4 on $QDISK mounts" mount /dev/$QDISK /mnt/x; then :; fi
cp /tmp/pattern /mnt/x/big
for i in $(seq 1 200); do head -c $((i * 97)) /tmp/pattern > "/mnt/x/small-$i"; done
(cd /mnt/x && sha256sum big small-* > /tmp/ext4.sums)
umount /mnt/x
drop_caches
mount -o ro /dev/$QDISK /mnt/x
tap_check "blk: ext4 on $QDISK: $MB MiB and 200 small files read back intact after remount" \
	bash -c "cd /mnt/x && sha256sum --quiet -c /tmp/ext4.sums"
umount /mnt/x

# --- fio with verification, iodepth 32, two jobs.
tap_check "blk: fio randwrite+verify crc32c, iodepth 32, 2 jobs on $PHY" \
	fio --name=verify --filename=/dev/$PHY --direct=1 --ioengine=libaio \
		--rw=randwrite --bsrange=4k-128k --iodepth=32 --numjobs=2 \
		--offset=$((128 << 20)) --size=32M --offset_increment=32M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 \
		--output=/tmp/fio.log

# --- Discard: dom0 then sees zeroes where the data was.
if [ "$(sysattr $PHY xenblk/discard)" = 1 ]; then
	tap_check "blk: blkdiscard of 16 MiB on $PHY" \
		blkdiscard -o $((64 << 20)) -l $((16 << 20)) /dev/$PHY
	tell_dom0 discarded "$((64 << 20)) $((16 << 20))"
else
	tap_not_ok "blk: $PHY offers discard (blkback on a loop device does)"
	tell_dom0 discarded none
fi
wait_dom0 discard-checked 120 > /dev/null

# --- Hot plug: a read-only disk and a 4 KiB-sector disk.
tell_dom0 want-hotplug 1
wait_dom0 attached 180 > /dev/null
tap_check "blk: hot-attached read-only xvde appears" wait_for 60 has_disk xvde
tap_check "blk: xvde is read-only (ro=$(sysattr xvde ro))" test "$(sysattr xvde ro)" = 1
dd if=/dev/zero of=/dev/xvde bs=4k count=1 oflag=direct > /tmp/ro.log 2>&1
# The kernel refuses the open (EROFS, or EPERM on some kernels).
tap_check "blk: writing to xvde is refused as read-only" \
	sh -c 'cat /tmp/ro.log; grep -qE "Read-only file system|Operation not permitted" /tmp/ro.log'
tap_check "blk: hot-attached xvdf appears" wait_for 60 has_disk xvdf
tap_check "blk: xvdf has 4096-byte sectors ($(sysattr xvdf queue/logical_block_size))" \
	test "$(sysattr xvdf queue/logical_block_size)" = 4096
head -c $((4 << 20)) /tmp/pattern > /tmp/p4
dd if=/tmp/p4 of=/dev/xvdf bs=4096 oflag=direct status=none
drop_caches
dd if=/dev/xvdf of=/tmp/p4.back bs=4096 count=1024 iflag=direct status=none
tap_check "blk: xvdf: 4 MiB in 4 KiB sectors read back intact" cmp /tmp/p4 /tmp/p4.back

# --- Online resize of xvdf: dom0 grows it, the guest sees the new size.
size0=$(sysattr xvdf size)
tell_dom0 size0 "$size0"
tell_dom0 want-resize 1
wait_dom0 resized 120 > /dev/null
grew() { dd if=/dev/xvdf of=/dev/null bs=4096 count=1 iflag=direct status=none; [ "$(sysattr xvdf size)" -gt "$size0" ]; }
tap_check "blk: xvdf grew online from $size0 sectors" wait_for 60 grew
tell_dom0 new-size "$(sysattr xvdf size)"

# --- Hot detach: xvde idle; xvdf while a writer holds it open.
dd if=/dev/urandom of=/dev/xvdf bs=64k count=512 oflag=direct status=none 2> /tmp/detach-dd.log &
writer=$!
tell_dom0 want-detach 1
wait_dom0 detached 240 > /dev/null
tap_check "blk: detached xvde is gone" wait_for 60 no_disk xvde
wait_for 120 bash -c "! kill -0 $writer 2> /dev/null"
if kill -0 $writer 2> /dev/null; then
	tap_not_ok "blk: the writer on xvdf finished or failed, it did not hang"
	kill -9 $writer
else
	wait $writer
	tap_ok "blk: the writer on xvdf finished (status $?) during the detach"
fi
tap_check "blk: detached xvdf is gone once its writer closed it" wait_for 90 no_disk xvdf
tell_dom0 blk-done 1
