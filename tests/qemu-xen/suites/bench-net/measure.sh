#!/bin/bash
# The net benchmark, guest part, the same in every mode: nopv (xennet), pv
# (the kernel's own xen-netfront) and emu (the emulated e1000).  iperf3
# against dom0 (TCP both ways with 1 and 4 streams, UDP 64-byte packets)
# and ping latency; each result is a XENPV-BENCH line that
# tests/qemu-xen/bench gathers into its table.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh
peer=$XENPV_PEER_IP
BENCH_SECS=5	# per iperf3 run: long enough to settle, short for the flake
# Every job this many times over.  One run's TCP numbers move by half
# from the next under nested TCG, and the test bed's speed drifts over a
# boot: tests/qemu-xen/bench runs each driver's guest several times, the
# drivers taking turns, so one round per guest gives each driver samples
# from the whole boot; the table shows their spread.
BENCH_ROUNDS=1

# The guest's NIC, whatever drives it: the MAC prefix of the xl config.
nic_of_vif() {
	local d
	for d in /sys/class/net/*; do
		case $(cat "$d/address") in
		00:16:3e:*) basename "$d"; return 0 ;;
		esac
	done
	return 1
}
carrier() { [ "$(cat "/sys/class/net/$1/carrier" 2> /dev/null)" = 1 ]; }

tap_check "bench $XP_MODE: a NIC with the vif's MAC" wait_for 60 nic_of_vif
nic=$(nic_of_vif) || { tell_dom0 bench-done 1; exit 0; }
ip addr add "$XP_IP/24" dev "$nic"
ip link set "$nic" up
wait_for 30 carrier "$nic"
say "bench $XP_MODE: $nic, driver $(basename "$(readlink -f "/sys/class/net/$nic/device/driver")")"
bench_result driver "$(basename "$(readlink -f "/sys/class/net/$nic/device/driver")")"
wait_dom0 bench-server 120 > /dev/null
tap_check "bench $XP_MODE: dom0 answers a ping" ping -c 3 -W 5 "$peer"

# iperf3 ROUND NAME ARGS...: one run; its JSON summary becomes results:
# TCP in Mbit/s that arrived; UDP in datagrams per second sent (what the
# driver pushed) and received (what dom0 took in).
iperf() {
	local round=$1 name=$2 out; shift 2
	out=/tmp/iperf-$name.json
	if ! iperf3 -c "$peer" -J -t "$BENCH_SECS" -O 1 "$@" > "$out" 2>&1; then
		tap_not_ok "bench $XP_MODE: iperf3 $name, round $round" "$out"
		return
	fi
	tap_ok "bench $XP_MODE: iperf3 $name, round $round"
	python3 - "$name" "$out" <<'PY' | while read -r metric value; do bench_result "$metric" "$value"; done
import json, sys
name, path = sys.argv[1:]
end = json.load(open(path))["end"]
if name.startswith("udp"):
    for side, s in (("sent", end["sum_sent"]), ("recv", end["sum_received"])):
        print(f"{name}_{side}", round((s["packets"] - s["lost_packets"]) / s["seconds"]))
else:
    print(name, round(end["sum_received"]["bits_per_second"] / 1e6, 1))
PY
}
for r in $(seq "$BENCH_ROUNDS"); do
	iperf "$r" tcp_tx_1
	iperf "$r" tcp_tx_4 -P 4
	iperf "$r" tcp_rx_1 -R
	iperf "$r" tcp_rx_4 -R -P 4
	iperf "$r" udp64_tx -u -l 64 -b 0
	rtt=$(ping -q -c 100 -i 0.02 "$peer" | sed -n 's|^rtt [^=]*= [^/]*/\([^/]*\)/.*|\1|p')
	tap_check "bench $XP_MODE: ping latency measured, round $r (${rtt:-none} ms)" test -n "$rtt"
	[ -n "$rtt" ] && bench_result ping_ms "$rtt"
done
# The driver's own counters after every round (GSO, linearised, dropped),
# for the log: why a number is what it is.
ethtool -S "$nic" 2> /dev/null | grep -v ': 0$' |
	while read -r l; do say "bench $XP_MODE: ethtool -S: $l"; done
tell_dom0 bench-done 1
