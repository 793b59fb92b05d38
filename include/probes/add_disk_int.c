// SPDX-License-Identifier: GPL-2.0
/* device_add_disk() reports failure (Linux 5.15) */
#include <linux/blkdev.h>

static int __maybe_unused probe_add(struct gendisk *disk)
{
	return device_add_disk(NULL, disk, NULL);
}
