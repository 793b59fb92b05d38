#!/bin/bash
# The blk-queues suite, guest part (xen_nopv guest with two vCPUs): xenblk
# spreads a blkback disk over a ring per vCPU by default, says so in
# xenstore, and fio with verification sends requests through every ring;
# max_queues=1 takes it back to one.  Kept apart from the blk suite so
# that only this guest has a second vCPU (see vcpus).
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
PHY=xvdb
vdev=51728	# xvdb: 202:16

sysattr() { cat "/sys/block/$1/$2" 2> /dev/null; }
has_disk() { [ -b "/dev/$1" ] && [ -e "/sys/block/$1/xenblk" ]; }

wait_for 60 has_disk $PHY

offered=$(xenstore-read "$(xenstore-read device/vbd/$vdev/backend)/multi-queue-max-queues" 2> /dev/null || echo 1)
want=$(nproc)
[ "$offered" -lt "$want" ] && want=$offered
[ "$want" -gt 4 ] && want=4
queues=$(sysattr $PHY xenblk/nr_queues)
tap_check "blk-queues: $PHY has $queues queues by default (backend offers $offered, $(nproc) vCPUs)" \
	test "$queues" = "$want" -a "$queues" -ge 2
tap_check "blk-queues: xenstore says so (multi-queue-num-queues)" \
	test "$(xenstore-read device/vbd/$vdev/multi-queue-num-queues 2> /dev/null)" = "$queues"

# Each ring's event channel goes to a vCPU of its own (xenbus/evtchn.c),
# so each queue completes there.
debugfs_up
cpus=$(evtchn_cpus "$PHY-q")
tap_check "blk-queues: the $queues rings' event channels are on as many vCPUs ($cpus)" \
	test "$(echo "$cpus" | wc -w)" = "$queues"

# One fio job per vCPU, each pinned to its own, so both queues carry
# requests; every block written is read back and checked.
before=$(sysattr $PHY xenblk/requests)
upcalls_before=$(irq_count xenpv-upcall 1)
tap_check "blk-queues: fio randwrite+verify crc32c, iodepth 32, a job on each vCPU" \
	fio --name=verify --filename=/dev/$PHY --direct=1 --ioengine=libaio \
		--rw=randwrite --bsrange=4k-128k --iodepth=32 --numjobs=2 \
		--offset=$((128 << 20)) --size=16M --offset_increment=32M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 \
		--cpus_allowed=0-1 --cpus_allowed_policy=split \
		--output=/tmp/fio.log
after=$(sysattr $PHY xenblk/requests)
upcalls_after=$(irq_count xenpv-upcall 1)
# every_queue_busy: each queue's request count grew.
every_queue_busy() {
	local i=0 b a
	for a in $after; do
		b=$(echo "$before" | cut -d' ' -f$((i + 1)))
		[ $((a - b)) -gt 0 ] || return 1
		i=$((i + 1))
	done
	[ $i -ge 2 ]
}
tap_check "blk-queues: requests went through every queue (before: $before; after: $after)" \
	every_queue_busy
tap_check "blk-queues: their completions raised the upcall on vCPU 1 too ($upcalls_before -> $upcalls_after)" \
	test "$upcalls_after" -ge $((upcalls_before + 16))

tap_check "blk-queues: xenblk unloads" rmmod xenblk
tap_check "blk-queues: xenblk loads with max_queues=1" modprobe xenblk max_queues=1
tap_check "blk-queues: $PHY is back" wait_for 60 has_disk $PHY
tap_check "blk-queues: $PHY has one queue with max_queues=1 ($(sysattr $PHY xenblk/nr_queues))" \
	test "$(sysattr $PHY xenblk/nr_queues)" = 1
tap_check "blk-queues: xenstore says one queue (no multi-queue-num-queues)" \
	test -z "$(xenstore-read device/vbd/$vdev/multi-queue-num-queues 2> /dev/null)"
