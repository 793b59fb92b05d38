#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fills MiB of memory and checks it, over and over, until STOPFILE exists.

    memstress.py MIB STOPFILE

Each 1 MiB block holds bytes derived from its number and the round; every
round checks each block's sha256 and rewrites it.  A block that reads back
different from what was written means memory lost or corrupted under the
balloon.  Prints "rounds N, blocks M, bad B" at the end; exits 1 if B > 0.
"""
import hashlib
import os
import sys
import time

BLOCK = 1 << 20


def content(block, rnd):
    seed = hashlib.sha256(b'%d-%d' % (block, rnd)).digest()
    return bytearray(seed * (BLOCK // len(seed)))


def main():
    mib, stopfile = int(sys.argv[1]), sys.argv[2]
    blocks = [content(i, 0) for i in range(mib)]
    sums = [hashlib.sha256(b).digest() for b in blocks]
    rounds = bad = 0
    while not os.path.exists(stopfile):
        rounds += 1
        for i in range(mib):
            if hashlib.sha256(blocks[i]).digest() != sums[i]:
                bad += 1
            blocks[i] = content(i, rounds)
            sums[i] = hashlib.sha256(blocks[i]).digest()
        time.sleep(0.2)
    for i in range(mib):
        if hashlib.sha256(blocks[i]).digest() != sums[i]:
            bad += 1
    print('rounds %d, blocks %d, bad %d' % (rounds, mib, bad), flush=True)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
