#!/bin/bash
# The balloon suite, dom0 part: `xl mem-set` the guest to 256, 512 and
# 1024 MiB and below its floor; at each step, once the guest says it got
# there, `xl list` must show the domain at the target and Xen's free
# memory must have moved by as much.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh

dom_mib() { xl list "$DOMID" | awk 'NR == 2 { print $3 }'; }
free_mib() { xl info free_memory; }
near() { local d=$(($1 - $2)); [ ${d#-} -le "$3" ]; }

prev=$(dom_mib)
for mb in 256 512 1024; do
	wait_guest ready-$mb 600 || break
	free_before=$(free_mib)
	xl mem-set "$DOMID" ${mb}m
	tell_guest "$DOMID" set-$mb 1
	wait_guest at-$mb 400 || break
	sleep 2
	now=$(dom_mib)
	freed=$(($(free_mib) - free_before))
	tap_check "balloon: xl list shows the domain at ${mb} MiB ($now)" near "$now" "$mb" 16
	tap_check "balloon: Xen's free memory moved by $freed MiB, as the domain did ($((prev - now)))" \
		near "$freed" $((prev - now)) 32
	prev=$now
done

wait_guest ready-floor 600 &&
	xl mem-set "$DOMID" 64m && tell_guest "$DOMID" set-floor 1
if wait_guest at-floor 400; then
	floor=$(guest_key "$DOMID" ready-floor)
	now=$(dom_mib)
	tap_check "balloon: below the floor, the domain stays above the floor of ${floor} MiB ($now)" \
		test "$now" -ge $((floor - 8))
fi
# xl mem-set also lowers the domain's maxmem to the target; raise it
# again, so Xen lets the unload that follows back all the guest's RAM.
xl mem-set "$DOMID" 512m
xl mem-max "$DOMID" 1024m
tell_guest "$DOMID" set-back 1

# Past the RAM the guest booted with: maxmem and the target to 1536 MiB.
if wait_guest ready-grow 600; then
	free_before=$(free_mib)
	xl mem-max "$DOMID" 1536m && xl mem-set "$DOMID" 1536m
	tell_guest "$DOMID" set-grow 1
	if wait_guest at-grow 400; then
		sleep 2
		now=$(dom_mib)
		tap_check "balloon: xl list shows the domain grown to 1536 MiB ($now)" near "$now" 1536 16
		tap_check "balloon: Xen's free memory fell by as much ($((free_before - $(free_mib))) MiB)" \
			near $((free_before - $(free_mib))) $((now - 512)) 32
	fi
fi
