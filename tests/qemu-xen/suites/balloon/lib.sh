# shellcheck shell=bash
# Guest-side helpers of the suites that watch the balloon (balloon,
# resilience, leaks, flake-restore): the files are the same whether
# xenballoon or the kernel's own driver has it.

BALLOON=/sys/devices/system/xen_memory/xen_memory0
kib() { cat "$BALLOON/$1"; }
# near A B SLACK: A within SLACK of B
near() { local d=$(($1 - $2)); [ ${d#-} -le "$3" ]; }
reached() { [ "$(kib info/current_kb)" = "$(kib target_kb)" ]; }
# at_target MIB: the guest's target is about MIB (what memory/target says,
# less what Xen counts and the guest never sees), and it got there.
at_target() { near "$(kib target_kb)" $(($1 * 1024)) $((24 * 1024)) && reached; }
