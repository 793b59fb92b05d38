#!/bin/bash
# The resilience suite, guest part (xen_nopv guest, every module).  Under
# load all along - fio writing and verifying on xvdb, a TCP stream to dom0
# checked end to end, an answerer on hvc0, the balloon holding the guest
# 256 MiB below its RAM - dom0 (dom0-nopv.sh) saves and restores the
# guest RES_SAVES times and migrates it once, then hot-plugs a disk and a
# vif RES_HOTPLUGS times.  Then every module, xenpv included, is unloaded
# and loaded RES_RELOADS times: after each unload, the grants and event
# channels xenpv holds are back to what it held before the frontends
# came, and the kernel's unreclaimable memory does not grow.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
here=$(dirname "$0")
# shellcheck source=../net/lib.sh
. "$here/../net/lib.sh"
# shellcheck source=counts
. "$here/counts"
# shellcheck source=../balloon/lib.sh
. "$here/../balloon/lib.sh"
# shellcheck source=reloads.sh
. "$here/reloads.sh"
peer=$XENPV_PEER_IP

# --- the load: fio, the TCP stream, the console answerer

# fio_loop: rounds of 64 MiB of random writes to xvdb, each read back and
# verified (fresh seeds per round, so a write that was lost and left the
# last round's block is caught too).
fio_loop() {
	local round=0 bad=0
	while [ ! -e /tmp/fio.stop ]; do
		round=$((round + 1))
		if ! fio --name=verify --filename=/dev/xvdb --rw=randwrite \
			--bsrange=4k-128k --size=64M --ioengine=libaio --iodepth=16 \
			--direct=1 --verify=crc32c --verify_fatal=1 --randrepeat=0 \
			--output=/tmp/fio.last > /dev/null 2>&1; then
			bad=$((bad + 1))
			cp /tmp/fio.last /tmp/fio.bad
		fi
		echo "$round $bad" > /tmp/fio.count
	done
}
fio_rounds() { cut -d' ' -f1 /tmp/fio.count 2> /dev/null || echo 0; }
fio_past() { [ "$(fio_rounds)" -gt "$1" ]; }

# answerer: every line typed on hvc0 is answered there.  It dies with
# hvc0 (a hang-up or an error), which dom0's next question then shows.
answerer() {
	local line
	while IFS= read -r line; do
		printf 'answer:%s\n' "$line"
	done < /dev/hvc0 > /dev/hvc0
}

# --- checks after each move
pings_fine() {
	wait_for 30 ping -c 1 -W 2 "$peer" > /dev/null &&
		ping -q -c 20 -i 0.1 -W 5 "$peer" > /dev/null
}
# The stream's bytes sent so far, and whether that grew past $1.
stream_sent() { cat /tmp/stream.sent 2> /dev/null || echo 0; }
stream_past() { [ "$(stream_sent)" -gt "$1" ]; }
# stream_state: what the stuck connection looks like from the guest - its
# TCP state, the kernel's retransmit counters, the vif's ring counters.
stream_state() {
	ss -tin dst "$peer"
	nstat -az 2> /dev/null | grep -E 'Retrans|HostQueues|TCPTimeouts|TCPLoss'
	ethtool -S "$if" 2> /dev/null | grep -v ': 0$'
}
resumes() { dmesg | grep -c "resumed in a restored domain"; }
# moved_checks N WHAT: the guest came back from its Nth move: one line
# per thing that is wrong (shown by tap_check), status 1 if any.
moved_checks() {
	local n=$1 before sent fails=0
	before=$(fio_rounds)
	sent=$(stream_sent)
	wait_for 30 test "$(resumes)" -ge "$n" ||
		{ echo "xenpv logged $(resumes) resumes, not $n"; fails=1; }
	wait_for 60 carrier "$if" || { echo "$if has no carrier"; fails=1; }
	pings_fine || { echo "pings to dom0 were lost"; fails=1; }
	wait_for 60 at_target 768 ||
		{ echo "balloon: target $(kib target_kb) KiB, at $(kib info/current_kb) KiB"; fails=1; }
	wait_for 180 fio_past "$before" ||
		{ echo "fio made no progress after round $before"; fails=1; }
	if ! kill -0 "$stream_pid" 2> /dev/null; then
		echo "the TCP stream ended: $(cat /tmp/stream.out)"
		fails=1
	elif ! wait_for 60 stream_past "$sent"; then
		echo "the TCP stream sent nothing in 60 s (stuck at $(stream_sent) bytes)"
		stream_state
		fails=1
	fi
	kill -0 "$answerer_pid" 2> /dev/null ||
		{ echo "the hvc0 answerer ended"; fails=1; }
	return $fails
}

# --- set up
all_loaded() {
	local m
	for m in xenpv "${FRONTENDS[@]}"; do
		grep -q "^$m " /proc/modules || return 1
	done
}
modprobe -a "${FRONTENDS[@]}"
tap_check "resilience: every module is loaded (${FRONTENDS[*]})" \
	all_loaded
tap_check "resilience: xvdb is on xenblk" wait_for 60 test -b /dev/xvdb
tap_check "resilience: hvc0 is on xencons" wait_for 30 test -c /dev/hvc0
mac=$(xenstore-read device/vif/0/mac)
if=$(wait_for 60 has_if "$mac" && xennet_if "$mac")
tap_check "resilience: $if (xennet) comes up" bring_up "$if"
tap_check "resilience: ping dom0" ping -c 3 -W 5 "$peer"
tell_dom0 ready 1

wait_dom0 balloon-set 300 > /dev/null
wait_for 300 at_target 768
tap_check "resilience: the balloon takes the guest down to 768 MiB ($(kib info/current_kb) KiB)" \
	at_target 768

fio_loop &
fio_pid=$!
python3 "$here/../net/tcpcheck.py" stream "$peer" 5301 /tmp/stream.stop \
	/tmp/stream.sent > /tmp/stream.out 2>&1 &
stream_pid=$!
answerer &
answerer_pid=$!
tap_check "resilience: fio writes and verifies on xvdb" wait_for 120 fio_past 0
tap_check "resilience: the TCP stream to dom0 runs" kill -0 "$stream_pid"
tell_dom0 loaded 1

# --- saves and restores, then one migration
domid=$(xenstore-read domid)
for n in $(seq "$RES_SAVES") migrate; do
	what="restore $n"
	moves=$n
	[ "$n" = migrate ] && what="migration" && moves=$((RES_SAVES + 1))
	if ! wait_dom0 "moved-$moves" 900 > /dev/null; then
		tap_not_ok "resilience: dom0 moved the guest ($what)"
		break
	fi
	new=$(xenstore-read domid)
	tap_check "resilience: after $what (domain $domid -> $new): resumed, $if pings, balloon at target, fio and the stream going, hvc0 answerer alive" \
		moved_checks "$moves"
	domid=$new
	tell_dom0 "checked-$moves" 1
done

# --- hot plug under the same load
hot_sha=$(wait_dom0 hot-sha 300)
first_mib_sha() { dd if=/dev/xvdd bs=1M count=4 iflag=direct status=none | sha256sum | cut -d' ' -f1; }
# plugged_checks MAC: xvdd reads what dom0 wrote, the vif comes up.
plugged_checks() {
	local vif
	wait_for 60 test -b /dev/xvdd || { echo "no /dev/xvdd"; return 1; }
	[ "$(first_mib_sha)" = "$hot_sha" ] || { echo "xvdd reads wrong data"; return 1; }
	wait_for 60 has_if "$1" || { echo "no interface with MAC $1"; return 1; }
	vif=$(xennet_if "$1")
	ip link set "$vif" up
	wait_for 30 carrier "$vif" || { echo "$vif has no carrier"; return 1; }
}
no_if() { ! has_if "$1"; }
unplugged_checks() {
	wait_for 60 test ! -e /dev/xvdd || { echo "/dev/xvdd is still there"; return 1; }
	wait_for 60 no_if "$1" || { echo "the interface with MAC $1 is still there"; return 1; }
}
for n in $(seq "$RES_HOTPLUGS"); do
	if ! hot_mac=$(wait_dom0 "plugged-$n" 300); then
		tap_not_ok "resilience: dom0 hot-plugged a disk and a vif (cycle $n)"
		break
	fi
	plugged_checks "$hot_mac" > /tmp/plug.out 2>&1
	tell_dom0 "seen-$n" 1
	wait_dom0 "unplugged-$n" 300 > /dev/null
	if unplugged_checks "$hot_mac" >> /tmp/plug.out 2>&1 && [ ! -s /tmp/plug.out ]; then
		tap_ok "resilience: hot plug $n: xvdd and a vif come, work, and go"
	else
		tap_not_ok "resilience: hot plug $n: xvdd and a vif come, work, and go" /tmp/plug.out
	fi
	tell_dom0 "gone-$n" 1
done

# --- the load stops; was everything intact?
touch /tmp/fio.stop /tmp/stream.stop
wait "$fio_pid"
read -r rounds bad < /tmp/fio.count
desc="resilience: $rounds rounds of fio --verify on xvdb through every move and hot plug, none failed"
if [ "$bad" = 0 ] && [ "$rounds" -ge 2 ]; then
	tap_ok "$desc"
else
	tap_not_ok "$desc ($bad failed; the last one's output follows)" /tmp/fio.bad
fi
wait "$stream_pid"
read -r _ sha len < /tmp/stream.out
tell_dom0 stream-sent "${sha:-none} ${len:-0}"
kill "$answerer_pid" 2> /dev/null
wait "$answerer_pid" 2> /dev/null

# --- unload and load every module, RES_RELOADS times
wait_dom0 balloon-full 300 > /dev/null
wait_for 300 at_target 1024
tap_check "resilience: the balloon gives the guest its RAM back before the reloads ($(kib info/current_kb) KiB)" \
	at_target 1024
reloads_begin
kernel_kib() { awk '/^(SUnreclaim|VmallocUsed|Percpu):/ { s += $2 } END { print s }' /proc/meminfo; }
: > "$RELOAD_LOG"
kib_at_10=""
start=$(date +%s)
for n in $(seq "$RES_RELOADS"); do
	unload_all "$n" || break
	[ "$n" = 10 ] && kib_at_10=$(kernel_kib)
	load_all "$n" || break
done >> "$RELOAD_LOG" 2>&1
unload_all last >> "$RELOAD_LOG" 2>&1
kib_end=$(kernel_kib)
say "resilience: $RES_RELOADS reloads took $(($(date +%s) - start)) s"
desc="resilience: $RES_RELOADS times, every module unloads, loads, and its devices come back; no grant or event channel left behind"
reloads_report "$desc"
tap_check "resilience: from reload 10 to the end, the kernel's unreclaimable memory grew less than 1 MiB (${kib_at_10:-?} -> $kib_end KiB)" \
	test -n "$kib_at_10" -a $((kib_end - ${kib_at_10:-0})) -lt 1024
reloads_end
modprobe xenpv
modprobe -a "${FRONTENDS[@]}"
tap_check "resilience: and all is back for the rest of the guest's life" wait_for 60 all_bound
