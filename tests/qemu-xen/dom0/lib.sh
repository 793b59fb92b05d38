# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables are for the scripts that source it
# Helpers for the dom0 side: TAP output, the guest's xl config, and the
# xenstore handshake with the guest under /local/domain/<id>/data/xenpv-test
# (a dom0 part's keys under its suite's folder there, as the guest's).

XP_DOM0_IP=10.0.0.1
XP_GUEST_TIMEOUT=$(cat /job/guest-timeout 2>/dev/null || echo 900)
XP_SUITE_START_TIMEOUT=600
XP_DOM0_PART_TIMEOUT=600

# TAP lines go to stdout of a dom0 part (collected into results.tap) and
# to the console, for progress.
tap_ok() { echo "ok - $1"; echo "XENPV-TAP ok - $1" > /dev/console; }
tap_not_ok() { echo "not ok - $1"; echo "XENPV-TAP not ok - $1" > /dev/console; }
# tap_check DESC CMD...: one test from a command's status.
tap_check() {
	local desc=$1; shift
	if "$@"; then tap_ok "$desc"; else tap_not_ok "$desc"; fi
}
# tap_fail DESC [LOGFILE]: record a failure of the harness itself.
tap_fail() {
	echo "not ok - $1" >> /job/out/results.tap
	echo "XENPV-TAP not ok - $1" > /dev/console
	[ -n "${2:-}" ] && sed 's/^/# /' "$2" | tail -n 20 >> /job/out/results.tap
	return 0
}

guest_path() { echo "/local/domain/$1/data/xenpv-test${SUITE:+/$SUITE}"; }
guest_key() { xenstore-read "$(guest_path "$1")/$2" 2> /dev/null; }

# wait_guest_key DOMID KEY VALUE TIMEOUT: until the guest wrote VALUE.
wait_guest_key() {
	local t=0
	while [ $t -lt "$4" ]; do
		[ "$(guest_key "$1" "$2")" = "$3" ] && return 0
		xl list "$1" > /dev/null 2>&1 || return 1
		sleep 1; t=$((t + 1))
	done
	return 1
}

# wait_guest KEY [TIMEOUT]: until the guest ($DOMID) wrote KEY at all.
wait_guest() {
	local t=0
	until guest_key "$DOMID" "$1" > /dev/null; do
		[ $t -ge "${2:-300}" ] && return 1
		sleep 1; t=$((t + 1))
	done
}

# wait_guest_quietly KEY [TIMEOUT]: wait_guest for the benchmarks, with a
# xenstore watch instead of a command a second: under nested TCG those
# commands cost dom0 about a fifth of a CPU (suites/blk-trace), taken
# from the backends being measured.  The timeout is in wall-clock seconds.
wait_guest_quietly() {
	local path end=$((SECONDS + ${2:-300}))
	path=$(guest_path "$DOMID")/$1
	until guest_key "$DOMID" "$1" > /dev/null; do
		[ $SECONDS -ge $end ] && return 1
		# A watch fires once when set, then on each change under path;
		# the timeout covers a change between the read and the watch.
		timeout 30 xenstore-watch -n 2 "$path" > /dev/null 2>&1
	done
}

# tell_guest DOMID KEY VALUE: a key the guest may read and remove.
tell_guest() {
	local p
	p=$(guest_path "$1")/$2
	xenstore-write "$p" "$3" && xenstore-chmod "$p" "n$1"
}

# The guest owns its data/ node, but the test subtree is made by dom0.
allow_guest_data() {
	local p
	p=$(guest_path "$1")
	xenstore-write "$p/ready" 0 && xenstore-chmod -r "$p" "n$1"
}

# in_log FILE TEXT: TEXT in FILE within 30 s (xenconsoled writes its
# console logs as it reads).
in_log() { local t; for t in $(seq 30); do grep -qF -- "$2" "$1" 2> /dev/null && return; sleep 1; done; return 1; }

# hold_guest NAME / release_guest NAME: a guest being saved and restored
# is gone for a while, and not finished.
hold_guest() { touch "/tmp/xenpv-hold-$1"; }
release_guest() { rm -f "/tmp/xenpv-hold-$1"; }

# xl_logged FILE CMD...: CMD, at most 15 minutes, with its output in FILE
# (shown on failure): xl save, restore and migrate.
xl_logged() { local out=$1; shift; timeout 900 "$@" > "$out" 2>&1 || { cat "$out" >&2; return 1; }; }

# follow_restored NAME: guest NAME is back as a new domain, restored or
# migrated.  DOMID names it from now on, the test keys are the guest's
# again, and the orchestrator's wait for it resumes.  Fails if there is
# no such domain (the wait resumes all the same).
follow_restored() {
	release_guest "$1"
	DOMID=$(xl domid "$1") || return 1
	echo "$DOMID" > "/job/out/$1.domid"
	allow_guest_data "$DOMID"
}

wait_domain_gone() {
	local t=0
	while xl domid "$1" > /dev/null 2>&1 || [ -e "/tmp/xenpv-hold-$1" ]; do
		if [ $t -ge "$2" ]; then
			xl destroy "$1"
			return 1
		fi
		sleep 2; t=$((t + 2))
	done
	return 0
}

spare_disk() {
	local img=/job/work/$1.img
	[ -f "$img" ] || truncate -s 256M "$img"
	echo "$img"
}

# env_crashed NAME LOG: did this guest die, unfinished, of the nested-TCG
# environment rather than of our code?  Either it never reached stage 2,
# where our modules load (a stock kernel dying in early boot, often with
# no word on its console), or Xen reports it triple-faulted, or the
# kernel's own syscall entry faulted on its per-CPU data (GS base lost:
# "ENTRY_TRAMPOLINE stack guard page was hit"), which no module can
# cause.  Keeps Xen's lines about the guest next to its console.
env_crashed() {
	local domid
	domid=$(cat "/job/out/$1.domid")
	grep -q "XENPV-GUEST-DONE" "$2" && return 1
	# Xen's lines name the vCPU (d1v0) after a timestamp, or the domain's
	# own console output is tagged (d1).
	{
		xl dmesg | grep -E " d${domid}v[0-9]+ |\(d${domid}\)"
		# The register dump that follows a triple fault names no domain.
		xl dmesg | grep -A40 -E " d${domid}v[0-9]+ Triple fault"
	} > "/job/out/$1.xen.txt"
	! grep -q "XENPV-GUEST stage 2" "$2" ||
		grep -qE "d${domid}v[0-9]+ Triple fault" "/job/out/$1.xen.txt" ||
		grep -q "BUG: ENTRY_TRAMPOLINE stack guard page was hit" "$2"
}

# guest_time SUITE...: how long a guest running them may take: the run's
# guest timeout, or more if a suite's guest-time file asks for it.
guest_time() {
	local s t max=$XP_GUEST_TIMEOUT
	for s in "$@"; do
		t=$(head -n 1 "/job/bed/suites/$s/guest-time" 2> /dev/null)
		[[ $t =~ ^[0-9]+$ ]] && [ "$t" -gt "$max" ] && max=$t
	done
	echo "$max"
}

# suite_vcpus SUITE...: the most vCPUs any of them asks for, at least 1.
suite_vcpus() {
	local s n max=1
	for s in "$@"; do
		n=$(head -n 1 "/job/bed/suites/$s/vcpus" 2> /dev/null)
		[[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt $max ] && max=$n
	done
	echo "$max"
}

# tsc_hint: the kernel arguments that tell a xen_nopv guest its TSC
# frequency, which it cannot calibrate under nested TCG (it would fall
# back to the slow HPET).
tsc_hint() {
	local mhz
	mhz=$(xl info cpu_mhz | cut -d. -f1)
	echo "tsc_early_khz=$((mhz * 1000)) tsc=reliable"
}

# guest_config_common LOG: the xl config lines every test guest shares:
# its serial console into LOG, no display, the host's TSC, and a domain
# that is destroyed, not restarted, when it ends.
guest_config_common() {
	cat <<CFG
serial = 'file:$1'
vnc = 0
sdl = 0
vga = "none"
tsc_mode = "native"
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
}

# write_guest_config N MODE SUITES NAME LOG
write_guest_config() {
	local n=$1 mode=$2 suites=$3 name=$4 log=$5 extra=""
	local tsc="" console="" memory="memory = 1024" vcpus forced
	[ "$mode" != pv ] && extra="xen_nopv"
	# The cons suite: kernel messages on the PV console too (ttyS0 stays
	# /dev/console, being last).
	[[ " $suites " == *" cons "* ]] && console="console=hvc0 "
	# The balloon suite: populate-on-demand, room to grow to 1 GiB.
	[[ " $suites " == *" balloon "* ]] && memory="memory = 512
maxmem = 1024"
	# A xen_nopv guest cannot calibrate its TSC under nested TCG and falls
	# back to the slow HPET; tell it the frequency (unless measure-flake
	# compares without).
	[ "$(cat /job/tsc-hint 2>/dev/null)" != 0 ] && tsc=$(tsc_hint)
	# One vCPU: under network load, 5 of 25 two-vCPU guests died of the
	# test bed's crash and none of 20 one-vCPU guests did (README).  A
	# suite that spreads queues over vCPUs says how many in its vcpus file
	# (and runs in a guest of its own).
	# shellcheck disable=SC2086 # one word per suite
	vcpus=$(suite_vcpus $suites)
	forced=$(cat /job/guest-vcpus 2> /dev/null)
	[ -n "$forced" ] && vcpus=$forced
	mkdir -p /job/work
	cat <<CFG
name = "$name"
type = "hvm"
$memory
vcpus = $vcpus
kernel = "/job/guest/vmlinuz"
ramdisk = "/job/guest/initrd.gz"
cmdline = "${console}console=ttyS0,115200 quiet panic=-1 panic_on_warn=1 nokaslr $tsc $extra xptest.mode=$mode xptest.suites=${suites// /,} xptest.ip=10.0.0.$((10 + n))"
disk = [ 'format=raw,vdev=xvda,access=rw,target=/job/guest/root.sqfs',
         'format=raw,vdev=xvdb,access=rw,backendtype=phy,target=$(spare_disk "spare1-$n")',
         'format=raw,vdev=xvdc,access=rw,backendtype=qdisk,target=$(spare_disk "spare2-$n")' ]
vif = [ 'bridge=xenbr0,model=e1000,mac=00:16:3e:00:00:$(printf %02x $((0x10 + n)))' ]
CFG
	guest_config_common "$log"
}

# collect_guest NAME MODE LOG: the guest's TAP lines into results.tap; a
# guest that never said it was done crashed or hung.
collect_guest() {
	local name=$1 mode=$2 log=$3 domid
	domid=$(cat "/job/out/$name.domid")
	# A restored or migrated guest's QEMU starts the log afresh: the
	# suspend suite keeps the parts from before as $log.part1, .part2...
	local whole
	whole=$(mktemp)
	cat "$log".part* "$log" 2> /dev/null | tr -d '\r' > "$whole"
	sed -n 's/^XENPV-TAP //p' "$whole" >> /job/out/results.tap
	# Guests run with panic_on_warn: a WARN() is a panic, and fails.
	if grep -q "Kernel panic - not syncing" "$whole"; then
		{
			echo "not ok - guest $name: no kernel panic (a WARN is one, with panic_on_warn)"
			grep -B 25 -A 5 -m 1 "Kernel panic - not syncing" "$whole" |
				sed 's/^/# guest: /'
		} >> /job/out/results.tap
		echo "XENPV-TAP not ok - guest $name: kernel panic" > /dev/console
	fi
	rm -f "$whole"
	if ! grep -q "XENPV-GUEST-DONE" "$log"; then
		{
			echo "not ok - guest $name: ran to the end"
			tr -d '\r' < "$log" | tail -n 30 | sed 's/^/# guest: /'
			xl dmesg | grep -E " d${domid}v[0-9]+ |\(d${domid}\)" | tail -n 10 | sed 's/^/# xen: /'
		} >> /job/out/results.tap
		echo "XENPV-TAP not ok - guest $name: ran to the end" > /dev/console
	fi
}
