# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables are for the scripts that source it
# Helpers shared by the host-side scripts of the Xen-in-QEMU test bed.

XP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
XP_BED=$XP_TOP/tests/qemu-xen
# Downloads and built images live outside the clone, so a fresh clone (CI)
# reuses them.  Everything under it can be deleted at any time.
XP_CACHE=${XENPV_CACHE:-/var/cache/xenpv-tests}
XP_OUT=${XENPV_OUT:-$XP_BED/out}
XP_MIRROR=${XENPV_MIRROR:-http://deb.debian.org/debian}
XP_SUITE=bookworm
XP_T0=${XP_T0:-$(date +%s)}

xp_log() { printf '[xenpv-test %4ss] %s\n' "$(( $(date +%s) - XP_T0 ))" "$*" >&2; }
xp_die() { xp_log "FATAL: $*"; exit 2; }

# xp_step NAME TIMEOUT LOG CMD...: run one build step with a hard time
# limit, its output in LOG; on failure show the log's tail and stop.
xp_step() {
	local name=$1 limit=$2 log=$3; shift 3
	xp_log "$name"
	if ! timeout -k 10 "$limit" "$@" > "$log" 2>&1; then
		tail -n 25 "$log" >&2
		xp_die "$name failed (full log: $log)"
	fi
}

# Keys a cached artefact by the recipe that built it and the versions of
# the packages that went into it, so a Debian point release rebuilds it.
xp_cache_key() {
	{
		cat "$@"
		apt-cache policy linux-image-amd64 xen-hypervisor-4.17-amd64 \
			qemu-system-xen 2>/dev/null | grep -E '^[a-z]|Candidate'
	} | sha256sum | cut -c1-16
}

xp_umount_chroot() {
	local r=$1 m
	for m in dev/pts proc sys dev; do
		mountpoint -q "$r/$m" 2>/dev/null && umount -l "$r/$m"
	done
	return 0
}
