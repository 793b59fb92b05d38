# shellcheck shell=bash
# blk-trace's phases, in order, for the guest and dom0 parts alike:
# NAME:RW:BS:QD, each a 5 s fio job on xvdb (QD 1 jobs traced per request).
# The disk is filled in 64 KiB writes first, so the bounce pool starts
# small; the 1 MiB jobs at QD 8 would want 2048 pages in flight (xenblk
# stops its pool at what blkback keeps mapped, ring.c).
# shellcheck disable=SC2034 # for the scripts that source it
BLK_TRACE_PHASES="qd1-read-small-pool:randread:4k:1
seq-write-1:write:1M:8
seq-write-2:write:1M:8
seq-read:read:1M:8
qd1-read:randread:4k:1
qd1-write:randwrite:4k:1"
