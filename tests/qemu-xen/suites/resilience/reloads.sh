# shellcheck shell=bash
# Unloading and loading every module, xenpv included, checking each time
# that the frontends left nothing of theirs with xenpv: the last part of
# the resilience suite, and the whole of the leaks suite.  Needs the
# guest's lib.sh, net/lib.sh and balloon/lib.sh, and $mac, the MAC of the
# guest's vif.
# udev must not load frontends behind the caller's back: reloads_begin
# blacklists them (modprobe by name ignores a blacklist).

FRONTENDS=(xenblk xennet xencons xenballoon)
RESOURCES=/sys/kernel/debug/xenpv/resources
# What xenpv held with no frontend loaded, taken at each load_all.
XP_ALONE=""
# Where the callers' reload loops write why a reload failed.
RELOAD_LOG=/tmp/reload.out

reloads_begin() {
	debugfs_up
	printf 'blacklist %s\n' "${FRONTENDS[@]}" > /etc/modprobe.d/xenpv-reloads.conf
}
reloads_end() { rm -f /etc/modprobe.d/xenpv-reloads.conf; }

held() { grep -vx 'grants_deferred 0' "$RESOURCES" | tr '\n' ' '; }
# shellcheck disable=SC2154 # mac is the caller's
all_bound() {
	test -b /dev/xvdb && test -c /dev/hvc0 && has_if "$mac" && test -d "$BALLOON"
}
# rmmod_loaded MODULE...: those of them still loaded go (a retry after
# one was busy finds the others gone already).
rmmod_loaded() {
	local m
	for m in "$@"; do
		if grep -q "^$m " /proc/modules; then
			rmmod "$m" 2> /dev/null || return 1
		fi
	done
}
# unload_frontends N: status 1, and a line saying why, if they would not
# go or left anything of theirs with xenpv.
unload_frontends() {
	local after
	wait_for 10 rmmod_loaded "${FRONTENDS[@]}" ||
		{ echo "reload $1: rmmod ${FRONTENDS[*]} failed: $(lsmod | grep ^xen | tr '\n' ' ')"; return 1; }
	# A grant the backend still maps waits on xenpv's deferred list.
	wait_for 10 grep -qx 'grants_deferred 0' "$RESOURCES"
	after=$(held)
	[ -z "$XP_ALONE" ] || [ "$after" = "$XP_ALONE" ] ||
		{ echo "reload $1: xenpv holds '$after' after the unload, '$XP_ALONE' before the load"; return 1; }
}
# reloads_report DESC: one test, failed by any line in RELOAD_LOG.
reloads_report() {
	if [ -s "$RELOAD_LOG" ]; then
		tap_not_ok "$1" "$RELOAD_LOG"
	else
		tap_ok "$1"
	fi
}
# unload_all N and load_all N: one reload, in two halves so that a caller
# can look at the kernel with none of our modules in it.
unload_all() {
	unload_frontends "$1" || return 1
	rmmod xenpv || { echo "reload $1: rmmod xenpv failed"; return 1; }
}
load_all() {
	modprobe xenpv || { echo "reload $1: modprobe xenpv failed"; return 1; }
	XP_ALONE=$(held)
	modprobe -a "${FRONTENDS[@]}" || { echo "reload $1: modprobe ${FRONTENDS[*]} failed"; return 1; }
	wait_for 60 all_bound || { echo "reload $1: the devices did not come back"; return 1; }
}
