#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Moves the guest's root image from RAM to its PV disk.

    root-to-disk.py DISK

Stage 1 copied the squashfs root into tmpfs (so xenpv could unplug the
emulated disk) and mounted it through a read-only loop device.  That copy
holds about 100 MiB the balloon can never take.  LOOP_CHANGE_FD swaps the
loop device's backing file for DISK, which must hold the same bytes (the
image, now through xenblk); then the RAM copy is deleted.  Prints the
loop device and the size freed; exits 1 with a message on any failure.
"""
import fcntl
import os
import sys

LOOP_CHANGE_FD = 0x4C06


def root_loop():
    """The loop device whose backing file is the RAM copy, and that file."""
    for dev in sorted(os.listdir("/sys/block")):
        try:
            with open(f"/sys/block/{dev}/loop/backing_file") as f:
                backing = f.read().strip()
        except OSError:
            continue
        if os.path.basename(backing) == "root.sqfs":
            return dev, backing
    sys.exit("no loop device is backed by root.sqfs")


def main():
    disk = sys.argv[1]
    dev, backing = root_loop()
    with open(disk, "rb") as d, open(backing, "rb") as r:
        if d.read(4 << 20) != r.read(4 << 20):
            sys.exit(f"{disk} does not start with the root image {backing}")
    size = os.path.getsize(backing)
    loop = os.open(f"/dev/{dev}", os.O_RDONLY)
    new = os.open(disk, os.O_RDONLY)
    try:
        fcntl.ioctl(loop, LOOP_CHANGE_FD, new)
    except OSError as e:
        sys.exit(f"LOOP_CHANGE_FD {dev} -> {disk}: {e}")
    os.close(new)
    os.close(loop)
    os.unlink(backing)
    print(f"{dev} now reads {disk}; {size >> 20} MiB of RAM freed")


if __name__ == "__main__":
    main()
