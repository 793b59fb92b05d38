#!/bin/bash
# The blk suite, dom0 part: holds the features the guest negotiated
# against xenstore, checks the guest's bytes in the backing stores, and
# drives hot plug, read-only, 4 KiB sectors, resize and detach.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh

fe_of() { echo "/local/domain/$DOMID/device/vbd/$1"; }
be_of() { xenstore-read "$(fe_of "$1")/backend"; }
vdev_of() { echo $((51712 + ($(printf %d "'${1:3:1}") - 97) * 16)); }
# The file behind a disk: params is "file", "aio:file" or "raw:file".
backing_of() { local p; p=$(xenstore-read "$(be_of "$(vdev_of "$1")")/params"); echo "${p##*:}"; }

# Each feature the guest shows must be what the two ends wrote.
check_features() {
	local d=$1 fe be kv k v want
	fe=$(fe_of "$(vdev_of "$d")")
	be=$(be_of "$(vdev_of "$d")")
	for kv in $(guest_key "$DOMID" "feat-$d"); do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		nr_queues) want=$(xenstore-read "$fe/multi-queue-num-queues" 2> /dev/null || echo 1) ;;
		ring_pages) want=$((1 << $(xenstore-read "$fe/ring-page-order" 2> /dev/null || echo 0))) ;;
		persistent) want=$(xenstore-read "$be/feature-persistent" 2> /dev/null || echo 0) ;;
		flush) want=$(xenstore-read "$be/feature-flush-cache" 2> /dev/null || echo 0) ;;
		discard) want=$(xenstore-read "$be/feature-discard" 2> /dev/null || echo 0) ;;
		indirect_segments) want=$(xenstore-read "$be/feature-max-indirect-segments" 2> /dev/null || echo 0) ;;
		*) continue ;;
		esac
		tap_check "blk: $d ($be): guest's $k=$v is what xenstore says ($want)" test "$v" = "$want"
	done
}

wait_guest feat-xvdc 300
check_features xvdb
check_features xvdc
tap_check "blk: xvdb is on blkback (vbd) and xvdc on qdisk" \
	bash -c "[[ $(be_of "$(vdev_of xvdb)") == */vbd/* ]] && [[ $(be_of "$(vdev_of xvdc)") == */qdisk/* ]]"

# The guest's bytes, in the backing files.
for d in xvdb xvdc; do
	wait_guest "raw-$d" 600
	read -r off len sum <<< "$(guest_key "$DOMID" "raw-$d")"
	f=$(backing_of $d)
	got=$(dd if="$f" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$len" status=none | sha256sum | cut -d' ' -f1)
	tap_check "blk: $d: the guest's $((len >> 20)) MiB are in $f" test "$got" = "$sum"
done
tell_guest "$DOMID" raw-checked 1

wait_guest discarded 900
read -r off len <<< "$(guest_key "$DOMID" discarded)"
if [ "$off" != none ]; then
	f=$(backing_of xvdb)
	tap_check "blk: the discarded 16 MiB read as zeroes in $f" \
		cmp -n "$len" <(dd if="$f" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$len" status=none) /dev/zero
fi
tell_guest "$DOMID" discard-checked 1

# Hot plug: xvde read-only; xvdf on a loop device with 4 KiB sectors.
wait_guest want-hotplug 600
ro=$(spare_disk "ro-$DOMID")
tap_check "blk: xl block-attach of read-only xvde" \
	timeout 120 xl block-attach "$DOMID" "format=raw,vdev=xvde,access=ro,backendtype=phy,target=$ro"
img=/job/work/4k-$DOMID.img
truncate -s 64M "$img"
loop=$(losetup -f --show -b 4096 "$img")
tap_check "blk: xl block-attach of xvdf on $loop (4 KiB sectors)" \
	timeout 120 xl block-attach "$DOMID" "format=raw,vdev=xvdf,access=rw,backendtype=phy,target=$loop"
tell_guest "$DOMID" attached 1

wait_guest want-resize 600
truncate -s 128M "$img"
losetup -c "$loop"
tell_guest "$DOMID" resized 1
wait_guest new-size 120
tap_check "blk: guest's new size of xvdf ($(guest_key "$DOMID" new-size) sectors) is the store's" \
	test "$(guest_key "$DOMID" new-size)" = $((128 << 11))

# Detach: xvde idle, xvdf under a writer.  A frontend in use closes when
# the writer is done; xl's wait may run out first, then force it.
wait_guest want-detach 600
tap_check "blk: xl block-detach of idle xvde" timeout 120 xl block-detach "$DOMID" xvde
if timeout 120 xl block-detach "$DOMID" xvdf > /tmp/detach.log 2>&1; then
	tap_ok "blk: xl block-detach of xvdf while the guest writes to it"
else
	echo "# xl block-detach xvdf: $(tail -n 1 /tmp/detach.log); forcing"
	tap_check "blk: xl block-detach --force of xvdf while the guest writes to it" \
		timeout 120 xl block-detach --force "$DOMID" xvdf
fi
tell_guest "$DOMID" detached 1
wait_guest blk-done 600
losetup -d "$loop" 2> /dev/null
true
