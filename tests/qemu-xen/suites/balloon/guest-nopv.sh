#!/bin/bash
# The balloon suite, guest part (xen_nopv guest, xenballoon).  The guest
# runs on populate-on-demand (memory=512, maxmem=1024): stage 2 loaded
# xenballoon first thing, and it had to balloon down at once.  dom0 moves
# the target with `xl mem-set` (dom0-nopv.sh) while a program fills and
# checks memory; each step waits for the guest to reach the target and
# checks what it sees.  Then a target below the floor, and an unload.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
memtotal() { awk '/^MemTotal:/ { print $2 }' /proc/meminfo; }
# meminfo [FIELDS]: what the guest had, for the log, in MiB: by default
# available, and in tmpfs (its root); FIELDS is an ERE of /proc/meminfo names.
meminfo() {
	awk -v re="^(${1:-MemAvailable|Shmem}):" '$0 ~ re { printf "%s %d MiB ", $1, $2 / 1024 }' /proc/meminfo
}
MIB=$((1024))
# Where the guest's memory is and what the driver said: once as a
# baseline, and again whenever a target is not reached.
explain_memory() {
	say "balloon: target_kb $(kib target_kb) current_kb $(kib info/current_kb) low_kb $(kib info/low_kb)"
	say "balloon: $(meminfo 'MemTotal|MemFree|MemAvailable|Cached|Shmem|Unevictable|AnonPages|Slab|SUnreclaim|KernelStack|PageTables|Percpu|HugePages_Total')"
	dmesg | grep -E 'xenballoon|Out of memory|oom' | tail -n 8 | while read -r l; do say "balloon: $l"; done
	say "balloon: largest RSS (KiB): $(ps -eo rss=,comm= | sort -rn | head -n 5 | tr -s '\n ' ' ')"
}

tap_check "balloon: xenballoon is loaded" grep -q '^xenballoon ' /proc/modules
tap_check "balloon: it ballooned down at load, as a populate-on-demand guest must" \
	dmesg_has "ballooning down now"
tap_check "balloon: $BALLOON has target_kb, target, info/{current,low,high}_kb" \
	test -r $BALLOON/target_kb -a -r $BALLOON/target -a -r $BALLOON/info/current_kb \
	-a -r $BALLOON/info/low_kb -a -r $BALLOON/info/high_kb
tap_check "balloon: the guest reached its first target, about 512 MiB ($(kib target_kb) KiB)" \
	wait_for 180 at_target 512

# Stage 1 left a RAM copy of the root image (about 100 MiB), which no
# guest on a real disk has and which would keep this one above 256 MiB.
# From here on, the root image is read through xenblk.
tap_check "balloon: the root image now reads from /dev/xvda, its RAM copy freed" \
	python3 "$(dirname "$0")/root-to-disk.py" /dev/xvda
say "balloon: after moving the root to disk: $(meminfo)"
explain_memory

python3 "$(dirname "$0")/memstress.py" 16 /tmp/memstress.stop > /tmp/memstress.log 2>&1 &
stress=$!

for mb in 256 512 1024; do
	before=$(memtotal) cur_before=$(kib info/current_kb)
	tell_dom0 ready-$mb 1
	if ! wait_dom0 set-$mb 120 > /dev/null; then
		tap_not_ok "balloon: dom0 set the target to $mb MiB"
		continue
	fi
	wait_for 300 at_target $mb || explain_memory
	tap_check "balloon: after xl mem-set ${mb}m the guest reaches its target ($(meminfo))" \
		at_target $mb
	after=$(memtotal) cur_after=$(kib info/current_kb)
	tap_check "balloon: MemTotal moved with it ($((before / MIB)) -> $((after / MIB)) MiB)" \
		near $((before - after)) $((cur_before - cur_after)) $((4 * MIB))
	tell_dom0 at-$mb "$cur_after"
done

touch /tmp/memstress.stop
wait $stress
tap_check "balloon: 16 MiB filled and checked while the balloon moved: $(cat /tmp/memstress.log)" \
	grep -q 'bad 0$' /tmp/memstress.log
tap_check "balloon: no OOM kill while the targets were reachable" \
	sh -c '! dmesg | grep -q "Out of memory"'

# Below the floor: refused with a log line, the guest stays at the floor.
floor=$(dmesg | sed -n 's/.*xenballoon: .*floor \([0-9]*\) MiB.*/\1/p' | head -n 1)
tell_dom0 ready-floor "$floor"
wait_dom0 set-floor 120 > /dev/null
tap_check "balloon: a target below the floor ($floor MiB) is refused with a log line" \
	wait_for 60 dmesg_has "below the floor"
tap_check "balloon: the guest's own target stops at the floor ($(kib target_kb) KiB)" \
	near "$(kib target_kb)" $((floor * MIB)) "$MIB"
# It heads for the floor as far as the guest can spare memory.
wait_for 120 reached
tap_check "balloon: it never goes below the floor ($(kib info/current_kb) KiB, $(meminfo))" \
	test "$(kib info/current_kb)" -ge $((floor * MIB))
tap_check "balloon: and no OOM kill" sh -c '! dmesg | grep -q "Out of memory"'
tell_dom0 at-floor "$(kib info/current_kb)"
wait_dom0 set-back 120 > /dev/null
wait_for 300 at_target 512

# Unload gives every ballooned page back first.
ram_kib=$(( $(kib info/current_kb) + $(kib info/low_kb) ))
tap_check "balloon: xenballoon unloads" rmmod xenballoon
tap_check "balloon: and the guest has all its RAM back (MemTotal $(( $(memtotal) / MIB )) MiB of $((ram_kib / MIB)))" \
	near "$(memtotal)" "$ram_kib" $((64 * MIB))

# Past the RAM the guest booted with: dom0 raises maxmem to 1536 MiB and
# the target with it; xenballoon hot-adds memory, which the kernel onlines
# (auto_online_blocks) into the balloon, and backs it.  Once it is all
# backed, nothing pins the module.
echo online > /sys/devices/system/memory/auto_online_blocks
tap_check "balloon: xenballoon loads again" modprobe xenballoon
wait_for 180 at_target 512
before=$(memtotal)
tell_dom0 ready-grow 1
if wait_dom0 set-grow 120 > /dev/null; then
	wait_for 300 at_target 1536
	tap_check "balloon: after xl mem-max and mem-set 1536m the guest reaches its target by hot-adding memory ($(meminfo))" \
		at_target 1536
	tap_check "balloon: it said so in its log" dmesg_has "hot-added"
	tap_check "balloon: MemTotal grew with it ($((before / MIB)) -> $(( $(memtotal) / MIB )) MiB)" \
		test $(( $(memtotal) - before )) -ge $((960 * MIB))
	tell_dom0 at-grow "$(kib info/current_kb)"
	# 1 GiB of checked data needs the hot-added part: the guest booted
	# with 1 GiB in all.
	touch /tmp/memstress.now
	tap_check "balloon: 1 GiB filled and checked, hot-added memory included" \
		python3 "$(dirname "$0")/memstress.py" 1024 /tmp/memstress.now
else
	tap_not_ok "balloon: dom0 raised maxmem and the target to 1536 MiB"
fi
tap_check "balloon: with every hot-added page backed, xenballoon unloads" rmmod xenballoon
