// SPDX-License-Identifier: GPL-2.0
/* block_device_operations.getgeo takes the gendisk (Linux 6.19) */
#include <linux/blkdev.h>
#include <linux/hdreg.h>

static int probe_getgeo(struct gendisk *disk, struct hd_geometry *geo)
{
	return 0;
}

static const struct block_device_operations probe_ops __maybe_unused = {
	.getgeo = probe_getgeo,
};
