# shellcheck shell=bash
# blk-trace's phases, in order, for the guest and dom0 parts alike:
# NAME:RW:BS:QD[:SETUP], each a 5 s fio job on xvdb (QD 1 jobs traced per
# request).  SETUP is what the guest changes first, the same for both
# drivers (trace.sh's phase_setup): "spin" keeps the vCPU busy at nice 19
# through the job, so an answer never has to wake it from idle; "orderN"
# reloads xenblk with max_ring_page_order=N (its default is 2,
# xen-blkfront's 0, which cannot be reloaded in the pv guest: there the
# phase repeats qd1-read).
# The disk is filled in 64 KiB writes first, so the bounce pool starts
# small; the 1 MiB jobs at QD 8 would want 2048 pages in flight (xenblk
# stops its pool at what blkback keeps mapped, ring.c).
# shellcheck disable=SC2034 # for the scripts that source it
BLK_TRACE_PHASES="qd1-read-small-pool:randread:4k:1
seq-write-1:write:1M:8
seq-write-2:write:1M:8
seq-read:read:1M:8
qd1-read:randread:4k:1
qd1-write:randwrite:4k:1
qd1-read-spin:randread:4k:1:spin
qd1-read-order0:randread:4k:1:order0
qd1-read-order2:randread:4k:1:order2"
