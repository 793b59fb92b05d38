/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of the blkif protocol that are pure functions of their
 * arguments: naming a disk from its xenstore virtual-device number, and
 * judging a response copied out of the ring.  No locking, no allocation,
 * no kernel services: tests/unit builds this file in userspace and feeds
 * it hostile input.  (The kernel's blkif.h does not build in userspace,
 * so the few protocol numbers needed here are mirrored and checked
 * against it at compile time in ring.c.)
 */
#ifndef XENBLK_PROTO_H
#define XENBLK_PROTO_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#define BIT(n) (1UL << (n))
#endif

/* blkif.h's numbers that the checks below use. */
#define XENBLK_OP_INDIRECT	6
#define XENBLK_RSP_EOPNOTSUPP	(-2)
#define XENBLK_RSP_ERROR	(-1)
#define XENBLK_RSP_OKAY		0

/* A disk's place, from virtual-device (docs/misc/vbd-interface.txt). */
struct xenblk_vdev {
	unsigned int index;	/* 0 for xvda, 1 for xvdb, ... */
	unsigned int partition;	/* 0 for a whole disk */
};

/* Minors per disk on the xvd major: the disk and 15 partitions. */
#define XENBLK_PARTS_PER_DISK	16
/* Disks that fit the xvd major's 20 minor bits. */
#define XENBLK_MAX_DISKS	BIT(20 - 4)

int xenblk_decode_vdev(unsigned int vdev, struct xenblk_vdev *out);
int xenblk_disk_name(const struct xenblk_vdev *vdev, char *buf, size_t len);

/* What the ring knows of each request id it handed out. */
enum xenblk_tag_state {
	XENBLK_TAG_FREE,	/* no request */
	XENBLK_TAG_INFLIGHT,	/* on the ring, waiting for its response */
	XENBLK_TAG_DONE,	/* answered, not yet completed */
};

struct xenblk_tag {
	unsigned char state;	/* enum xenblk_tag_state */
	unsigned char op;	/* the BLKIF_OP_* the response must echo */
	bool indirect;		/* sent as BLKIF_OP_INDIRECT */
};

enum xenblk_verdict {
	XENBLK_RSP_VALID,
	XENBLK_RSP_BAD_ID,		/* not an id we ever handed out */
	XENBLK_RSP_NOT_INFLIGHT,	/* answered twice, or never asked */
	XENBLK_RSP_BAD_OP,		/* not the operation we asked for */
	XENBLK_RSP_BAD_STATUS,		/* not a status blkif defines */
};

enum xenblk_verdict xenblk_check_response(unsigned long long id,
					  unsigned int op, int status,
					  const struct xenblk_tag *tags,
					  unsigned int depth);
const char *xenblk_verdict_str(enum xenblk_verdict verdict);

#endif /* XENBLK_PROTO_H */
