# shellcheck shell=bash
# dom0-side helpers of the suites that move data over xennet (net,
# flake-net): the far end of the guest's tcp_both_ways (net/lib.sh).

tcp() { python3 "$(dirname "${BASH_SOURCE[0]}")/tcpcheck.py" "$@"; }

# tcp_serve_both_ways TX_PORT RX_PORT MIB TMP: a sink for what the guest
# sends and a source of MIB MiB for it, logging to TMP-sink and
# TMP-source.  Sets tcp_source_pid.
tcp_serve_both_ways() {
	tcp sink "$1" 1 > "$4-sink" 2>&1 &
	tcp source "$2" "$3" > "$4-source" 2>&1 &
	tcp_source_pid=$!
}

# tcp_check_guest_sent SUITE MIB TMP: what the sink got is what the
# guest says it sent.
tcp_check_guest_sent() {
	local sha len
	wait_guest tx-sha 900
	read -r _ sha len < <(grep '^got ' "$3-sink")
	tap_check "$1: $2 MiB the guest sent over TCP arrive intact in dom0 (${len:-0} bytes)" \
		test "$sha $len" = "$(guest_key "$DOMID" tx-sha)"
}

# tcp_tell_guest_sent TMP: once the source is done, what it sent.
tcp_tell_guest_sent() {
	local sha len
	wait "$tcp_source_pid"
	read -r _ sha len < <(grep '^sent ' "$1-source")
	tell_guest "$DOMID" rx-sha "${sha:-none} ${len:-0}"
}
