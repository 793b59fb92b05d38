// SPDX-License-Identifier: GPL-2.0
/*
 * Pure blkif logic (see proto.h): disk naming from virtual-device numbers
 * and the checks every response passes before it is believed.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <stdio.h>
#include <string.h>
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#include "proto.h"

#define XENBLK_VDEV_EXT		BIT(28)
#define XENBLK_XVD_MAJOR	202

/* IDE majors, two disks each (hda/hdb on 3, hdc/hdd on 22, ...). */
static const unsigned int xenblk_ide_majors[] = {
	3, 22, 33, 34, 56, 57, 88, 89, 90, 91,
};

/* SCSI majors, sixteen disks each (sda..sdp on 8, sdq.. on 65, ...). */
static const unsigned int xenblk_scsi_majors[] = {
	8, 65, 66, 67, 68, 69, 70, 71,
	128, 129, 130, 131, 132, 133, 134, 135,
};

static int xenblk_major_slot(const unsigned int *majors, unsigned int n,
			     unsigned int major)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (majors[i] == major)
			return i;
	return -1;
}

/**
 * xenblk_decode_vdev() - which disk a virtual-device number names
 * @vdev: the frontend's virtual-device key
 * @out: receives the disk index and partition
 *
 * The xvd, hd and sd encodings all map to xvd names, hda and sda being
 * xvda, as the guest sees them when the toolstack's emulated disks are
 * gone.
 *
 * Return: 0, or -EINVAL for a number no encoding defines.
 */
int xenblk_decode_vdev(unsigned int vdev, struct xenblk_vdev *out)
{
	unsigned int major = (vdev >> 8) & 0xff, minor = vdev & 0xff;
	int ide = xenblk_major_slot(xenblk_ide_majors,
				    ARRAY_SIZE(xenblk_ide_majors), major);
	int scsi = xenblk_major_slot(xenblk_scsi_majors,
				     ARRAY_SIZE(xenblk_scsi_majors), major);

	if (vdev & XENBLK_VDEV_EXT) {
		if (vdev >> 29)
			return -EINVAL;
		out->index = (vdev >> 8) & 0xfffff;
		out->partition = vdev & 0xff;
	} else if (vdev >> 16) {
		return -EINVAL;
	} else if (major == XENBLK_XVD_MAJOR) {
		out->index = minor >> 4;
		out->partition = minor & 15;
	} else if (ide >= 0 && minor < 128) {
		out->index = ide * 2 + (minor >> 6);
		out->partition = minor & 63;
	} else if (scsi >= 0) {
		out->index = scsi * 16 + (minor >> 4);
		out->partition = minor & 15;
	} else {
		return -EINVAL;
	}
	/* Our minors: 16 per disk on one major, partitions 1..15. */
	if (out->index >= XENBLK_MAX_DISKS ||
	    out->partition >= XENBLK_PARTS_PER_DISK)
		return -EINVAL;
	return 0;
}

/**
 * xenblk_disk_name() - the name of a disk: xvda ... xvdz, xvdaa ...
 * @vdev: the decoded virtual-device
 * @buf: receives the name, with the partition number for a partition
 * @len: size of @buf
 *
 * Return: 0, or -ENAMETOOLONG when @buf is too small.
 */
int xenblk_disk_name(const struct xenblk_vdev *vdev, char *buf, size_t len)
{
	char letters[8];
	unsigned int n = vdev->index + 1, i = sizeof(letters) - 1;
	int w;

	letters[i] = '\0';
	/* Bijective base 26, as sd names count: z, aa, ab, ... */
	do {
		n--;
		letters[--i] = 'a' + n % 26;
		n /= 26;
	} while (n && i);
	if (vdev->partition)
		w = snprintf(buf, len, "xvd%s%u", &letters[i], vdev->partition);
	else
		w = snprintf(buf, len, "xvd%s", &letters[i]);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/**
 * xenblk_check_response() - may this response be believed?
 * @id: the response's id, as copied out of the ring
 * @op: its operation
 * @status: its status
 * @tags: what we know of each id we hand out
 * @depth: how many ids there are
 *
 * A backend answers each request once, with the id and operation it was
 * given and a status blkif defines.  Anything else is a broken or hostile
 * backend (XSA-155): the caller stops the device rather than complete a
 * request twice, or one that another request now owns.
 */
enum xenblk_verdict xenblk_check_response(unsigned long long id,
					  unsigned int op, int status,
					  const struct xenblk_tag *tags,
					  unsigned int depth)
{
	const struct xenblk_tag *tag;

	if (id >= depth)
		return XENBLK_RSP_BAD_ID;
	tag = &tags[id];
	if (tag->state != XENBLK_TAG_INFLIGHT)
		return XENBLK_RSP_NOT_INFLIGHT;
	if (op != tag->op && !(tag->indirect && op == XENBLK_OP_INDIRECT))
		return XENBLK_RSP_BAD_OP;
	if (status != XENBLK_RSP_OKAY && status != XENBLK_RSP_ERROR &&
	    status != XENBLK_RSP_EOPNOTSUPP)
		return XENBLK_RSP_BAD_STATUS;
	return XENBLK_RSP_VALID;
}

const char *xenblk_verdict_str(enum xenblk_verdict verdict)
{
	static const char * const what[] = {
		[XENBLK_RSP_VALID] = "valid",
		[XENBLK_RSP_BAD_ID] = "id out of range",
		[XENBLK_RSP_NOT_INFLIGHT] = "id not in flight",
		[XENBLK_RSP_BAD_OP] = "operation does not match the request",
		[XENBLK_RSP_BAD_STATUS] = "unknown status",
	};

	if ((unsigned int)verdict >= ARRAY_SIZE(what))
		return "?";
	return what[verdict];
}
