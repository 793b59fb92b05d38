#!/bin/bash
# The resilience suite, dom0 part: the far end of the guest's TCP stream,
# the balloon target, RES_SAVES rounds of `xl save` + `xl restore` and an
# `xl migrate` to this host (checking after each that hvc0 answers and
# that Xen holds the guest at its target), then RES_HOTPLUGS rounds of
# attaching and detaching a disk and a vif.  The guest (guest-nopv.sh)
# keeps its load running throughout and checks the inside.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
here=$(dirname "$0")
# shellcheck source=counts
. "$here/counts"

name=$(xl domname "$DOMID")
log=/job/out/$name.log
image=/job/work/resilience-$name.img
hot=/job/work/resilience-hot.img

# The sink of the guest's stream: it prints "got SHA BYTES" at the end.
python3 "$here/../net/tcpcheck.py" sink 5301 1 > /tmp/resilience-sink.out 2>&1 &

if ! wait_guest ready 600; then
	tap_not_ok "resilience: the guest got ready"
	exit 0
fi
tap_check "resilience: xl mem-set 768m" xl mem-set "$DOMID" 768m
tell_guest "$DOMID" balloon-set 1
wait_guest loaded 600

# xen_mib: the guest's memory as Xen counts it (xl list).
xen_mib() { xl list "$DOMID" | awk 'NR == 2 { print $3 }'; }
# answers WORD: typed on hvc0, answered by the guest.
answers() {
	local pty
	pty=$(xenstore-read "/local/domain/$DOMID/console/tty") &&
		python3 "$here/../cons/console.py" answer "$pty" "$1"
}

# moved N HOW: the guest is back as a new domain after its Nth move.
moved() {
	local old=$DOMID
	follow_restored "$name"
	tell_guest "$DOMID" "moved-$1" 1
	wait_guest "checked-$1" 600
	tap_check "resilience: after $2 (domain $old -> $DOMID), hvc0 answers" \
		answers "move-$1-$RANDOM"
	tap_check "resilience: after $2, Xen holds the guest at its balloon target ($(xen_mib) MiB)" \
		test "$(xen_mib)" -le 800
}

# save_restore N: the guest saved to a file, then restored from it.  Each
# new QEMU starts the serial log afresh; what came before is kept as
# .partNN, collected in order.
save_restore() {
	local n=$1
	hold_guest "$name"
	if ! xl_logged "/job/out/resilience-save-$n.log" xl save "$DOMID" "$image"; then
		tap_not_ok "resilience: xl save $n"
		release_guest "$name"
		return 1
	fi
	cp "$log" "$log.part$(printf %02d "$n")" 2> /dev/null
	if ! xl_logged "/job/out/resilience-restore-$n.log" xl restore "$image"; then
		tap_not_ok "resilience: xl restore $n"
		release_guest "$name"
		return 1
	fi
	rm -f "$image"
	moved "$n" "restore $n"
}

migrate() {
	local n=$1
	hold_guest "$name"
	cp "$log" "$log.part$(printf %02d "$n")" 2> /dev/null
	if ! xl_logged /job/out/resilience-migrate.log \
		xl migrate -s env "$DOMID" XENPV_MIGRATE=local; then
		tap_not_ok "resilience: xl migrate (to this host)"
		rm -f "$log.part$(printf %02d "$n")"
		release_guest "$name"
		return 1
	fi
	moved "$n" "the migration"
}

for n in $(seq "$RES_SAVES"); do
	save_restore "$n" || exit 0
done
tap_ok "resilience: $RES_SAVES rounds of xl save and xl restore"
migrate $((RES_SAVES + 1)) || exit 0
tap_ok "resilience: xl migrate (to this host)"

# --- hot plug: xvdd with known data, and a vif with a MAC of its own.
head -c 64M /dev/urandom > "$hot"
tell_guest "$DOMID" hot-sha "$(head -c 4M "$hot" | sha256sum | cut -d' ' -f1)"
: > /tmp/resilience-xl.out
# xl_or_note WHAT CMD...: CMD, its failure noted for the cycle's TAP line.
xl_or_note() {
	local what=$1; shift
	timeout 120 "$@" > /tmp/resilience-cmd.out 2>&1 ||
		echo "$what: $(tail -n 1 /tmp/resilience-cmd.out)" >> /tmp/resilience-xl.out
}
for n in $(seq "$RES_HOTPLUGS"); do
	mac=00:16:3e:01:00:$(printf %02x "$n")
	xl_or_note "attach $n" xl block-attach "$DOMID" \
		"format=raw,vdev=xvdd,access=rw,target=$hot"
	xl_or_note "attach $n" xl network-attach "$DOMID" bridge=xenbr0 mac="$mac"
	tell_guest "$DOMID" "plugged-$n" "$mac"
	wait_guest "seen-$n" 300
	xl_or_note "detach $n" xl block-detach "$DOMID" xvdd
	xl_or_note "detach $n" xl network-detach "$DOMID" "$mac"
	tell_guest "$DOMID" "unplugged-$n" 1
	wait_guest "gone-$n" 300
done
desc="resilience: $RES_HOTPLUGS rounds of xl block-attach, network-attach, block-detach and network-detach, with the guest under load, all succeed"
if [ -s /tmp/resilience-xl.out ]; then
	tap_not_ok "$desc"
	sed 's/^/# /' /tmp/resilience-xl.out
else
	tap_ok "$desc"
fi
rm -f "$hot"

# --- the stream, end to end
wait_guest stream-sent 600
wait_for_sink() { for _ in $(seq 60); do grep -q '^got ' /tmp/resilience-sink.out && return; sleep 1; done; return 1; }
wait_for_sink
read -r _ sha len < /tmp/resilience-sink.out
tap_check "resilience: the TCP stream arrived whole through every move and hot plug (${len:-0} bytes, SHA-256 matches)" \
	test "$sha $len" = "$(guest_key "$DOMID" stream-sent)" -a "${len:-0}" -gt 0
tap_check "resilience: xl mem-set 1024m (the reloads need the guest's RAM)" \
	xl mem-set "$DOMID" 1024m
tell_guest "$DOMID" balloon-full 1
