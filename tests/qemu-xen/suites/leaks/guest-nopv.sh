#!/bin/bash
# The leaks suite, guest part (xen_nopv guest on the debug kernel, which
# the suite's kernel file asks for).  LEAKS_RELOADS times: a little I/O
# through each of our devices, then every module unloaded, xenpv
# included, and loaded again.  Then, with none of ours loaded, kmemleak
# scans the kernel: nothing our modules allocated may be left
# unreferenced.  Lockdep and the might_sleep checks watch all along; the
# guest's kernel-log check fails on any report of theirs.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
here=$(dirname "$0")
# shellcheck source=../net/lib.sh
. "$here/../net/lib.sh"
# shellcheck source=../balloon/lib.sh
. "$here/../balloon/lib.sh"
# shellcheck source=../resilience/reloads.sh
. "$here/../resilience/reloads.sh"
LEAKS_RELOADS=100
KMEMLEAK=/sys/kernel/debug/kmemleak
peer=$XENPV_PEER_IP

reloads_begin
if [ ! -w "$KMEMLEAK" ]; then
	tap_not_ok "leaks: the guest kernel has kmemleak (this one, $(uname -r), has not: run --kernel 6.1-debug)"
	exit 0
fi
tap_ok "leaks: the guest kernel ($(uname -r)) has kmemleak"
# Lockdep turns itself off after its first report: that it is still on
# at the end says it saw nothing to report.
lockdep_on() { grep -qE '^ *debug_locks: *1$' /proc/lockdep_stats; }
tap_check "leaks: lockdep is on" lockdep_on

# --- where our modules' code was, load after load
# kmemleak prints a frame in a module that is gone as a bare address;
# every load's text range says whose it was.
RANGES=/tmp/module-ranges
: > "$RANGES"
record_ranges() {
	local name size addr
	# name size users users-by-name state address [taints]
	while read -r name size _ _ _ addr _; do
		case $name in
		xenpv|xenblk|xennet|xencons|xenballoon)
			printf '%s 0x%016x 0x%016x\n' "$name" $((addr)) $((addr + size)) ;;
		esac
	done < /proc/modules >> "$RANGES"
}

# report_blocks WHOSE REPORT: the report's blocks with a frame in our
# modules (WHOSE=ours: named, or a bare address inside a range they were
# loaded at) or in the canary (WHOSE=canary).  Fixed-width lower-case hex
# compares as text (the "" keeps awk from reading it as a number, which
# would round it).  The canary's blocks are its own, never ours: its freed
# init text may lie where one of ours once did.
report_blocks() {
	awk -v whose="$1" -v ranges="$RANGES" '
		BEGIN { while ((getline l < ranges) > 0) { split(l, f, " "); lo[++n] = f[2]; hi[n] = f[3] } }
		function ours(line,   i, a) {
			if (line ~ /\[(xenpv|xenblk|xennet|xencons|xenballoon)\]/) return 1
			if (!match(line, /\] 0x[0-9a-f]+/)) return 0
			a = substr(line, RSTART + 2, RLENGTH - 2)
			for (i = 1; i <= n; i++) if (length(a) == 18 && a "" >= lo[i] "" && a "" < hi[i] "") return 1
			return 0
		}
		function flush() {
			if (whose == "canary" ? canary : hit && !canary) printf "%s", block
			block = ""; hit = canary = 0
		}
		/^unreferenced object/ { flush() }
		{ block = block $0 "\n"; if (ours($0)) hit = 1; if ($0 ~ /\[xenpv_leak_canary\]/) canary = 1 }
		END { flush() }' "$2"
}
ours_in() { report_blocks ours "$1"; }
canary_in() { report_blocks canary "$1"; }
reports() { grep -c '^unreferenced object' "$1"; }

# --- the modules, loaded and bound
mac=$(xenstore-read device/vif/0/mac)
modprobe -a "${FRONTENDS[@]}"
tap_check "leaks: every module is loaded and its device bound" wait_for 60 all_bound
record_ranges

# The reader must see what it is there to see: a frame of xenblk's, as a
# bare address once xenblk is gone, and one of the kernel's own.
test_reader() {
	local a
	a=$(awk '$1 == "xenblk" { print $2; exit }' "$RANGES")
	[ -n "$a" ] || { echo "no xenblk range in $RANGES"; return 1; }
	printf 'unreferenced object 0xffff8880 (size 64):\n  backtrace:\n    [<0000>] 0x%x\n' \
		$((a + 16)) > /tmp/ours.txt
	printf 'unreferenced object 0xffff8881 (size 64):\n  backtrace:\n    [<0000>] kmalloc_trace+0x26/0x90\n' \
		> /tmp/theirs.txt
	[ "$(ours_in /tmp/ours.txt | reports -)" = 1 ] &&
		[ "$(ours_in /tmp/theirs.txt | reports -)" = 0 ]
}
tap_check "leaks: the report reader tells a frame of ours from the kernel's" test_reader

# --- a little I/O through every device, then a reload; LEAKS_RELOADS times
# exercise N: a write and a read-back on xvdb, pings over the vif, a line
# on hvc0.
exercise() {
	local n=$1 if
	dd if=/dev/urandom of=/tmp/block bs=64k count=4 status=none
	if ! { dd if=/tmp/block of=/dev/xvdb bs=64k seek=$((n * 4)) oflag=direct status=none &&
		dd if=/dev/xvdb of=/tmp/back bs=64k skip=$((n * 4)) count=4 iflag=direct status=none &&
		cmp -s /tmp/block /tmp/back; }; then
		echo "reload $n: xvdb did not read back what was written"
		return 1
	fi
	if=$(xennet_if "$mac")
	if ! { bring_up "$if" && ping -q -c 3 -i 0.2 -W 5 "$peer" > /dev/null; }; then
		echo "reload $n: no ping to dom0 over $if"
		return 1
	fi
	echo "leaks: reload $n" > /dev/hvc0 || { echo "reload $n: cannot write to hvc0"; return 1; }
}
: > "$RELOAD_LOG"
start=$(date +%s) reloaded=0
{
	for n in $(seq "$LEAKS_RELOADS"); do
		exercise "$n" || break
		unload_all "$n" || break
		load_all "$n" || break
		record_ranges
		reloaded=$n
	done
	exercise "$((LEAKS_RELOADS + 1))" && unload_all last
} >> "$RELOAD_LOG" 2>&1
say "leaks: $reloaded reloads took $(($(date +%s) - start)) s"
desc="leaks: $LEAKS_RELOADS times, I/O on xvdb, the vif and hvc0, then every module unloads and loads again"
reloads_report "$desc"

# --- with none of ours loaded: what kmemleak finds
# First the canary (tests/qemu-xen/leak-canary), which leaks on purpose:
# the scans must find its objects, or their finding nothing of ours says
# nothing.  It stays loaded through them, so its frames carry its name.
CANARY=/opt/xenpv/test-modules/xenpv_leak_canary.ko
tap_check "leaks: the canary module, which leaks on purpose, loads" insmod "$CANARY"
# An object counts once kmemleak has seen it unreferenced and older than
# five seconds; a second scan settles what the first one half-saw.
sleep 10
scans=ok
echo scan > "$KMEMLEAK" || scans=failed
echo scan > "$KMEMLEAK" || scans=failed
cat "$KMEMLEAK" > /tmp/kmemleak.txt
ours_in /tmp/kmemleak.txt > /tmp/leaks.ours
canary_in /tmp/kmemleak.txt > /tmp/leaks.canary
all=$(reports /tmp/kmemleak.txt) ours=$(reports /tmp/leaks.ours)
canary=$(reports /tmp/leaks.canary)
say "leaks: kmemleak reports $all unreferenced objects, $ours of them ours, $canary the canary's"
tap_check "leaks: kmemleak scans (its scans $scans) and finds the canary's leak ($canary of its objects)" \
	test "$scans" = ok -a "$canary" -gt 0
rmmod xenpv_leak_canary
desc="leaks: kmemleak finds nothing our modules allocated unreferenced after $reloaded reloads"
if [ "$ours" = 0 ]; then
	tap_ok "$desc ($((all - canary)) reports of the kernel's own)"
else
	tap_not_ok "$desc ($ours found; the first ones follow)"
	head -n 40 /tmp/leaks.ours | sed 's/^/XENPV-TAP # /' > /dev/ttyS0
fi
tap_check "leaks: lockdep watched to the end (debug_locks still 1)" lockdep_on

reloads_end
modprobe xenpv
modprobe -a "${FRONTENDS[@]}"
tap_check "leaks: and all is back for the rest of the guest's life" wait_for 60 all_bound
