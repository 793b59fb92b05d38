// SPDX-License-Identifier: GPL-2.0
/* blk_cleanup_disk() ends a blk-mq disk (Linux 5.14 to 5.19) */
#include <linux/blkdev.h>

static void __maybe_unused probe_cleanup(struct gendisk *disk)
{
	blk_cleanup_disk(disk);
}
