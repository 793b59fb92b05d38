#!/bin/bash
# The block benchmark, dom0 part (only the nopv guest has one).  Once the
# guest has measured, the same jobs on its first spare disk's backing
# file, straight from dom0: what the storage under the backends gives,
# the table's last column.
# Its results go to bench-dom0-DOMID.txt in the results (one file per
# nopv guest: bench runs several), as XENPV-BENCH lines.
# shellcheck source=../../dom0/lib.sh
. /job/bed/dom0/lib.sh
# shellcheck source=fio-jobs.sh
. "$(dirname "$0")/fio-jobs.sh"
results=/job/out/bench-dom0-$DOMID.txt
bench_result() { echo "XENPV-BENCH dom0 $1 $2" >> "$results"; }
report() { local desc=$1; shift; tap_check "bench dom0: $desc" "$@"; }

wait_guest_quietly bench-done 900 || exit 1
: > "$results"
bench_result driver "$(findmnt -n -o FSTYPE --target /job/work || echo file)"
# xvdb is virtual device 51728 (202 << 8 | 1 << 4); blkback's node
# holds the file its loop device serves.
file=$(xenstore-read "/local/domain/0/backend/vbd/$DOMID/51728/params")
report "the backing file of the guest's xvdb ($file)" test -f "$file"
fio_all "$file"
tell_guest "$DOMID" dom0-bench-done 1
