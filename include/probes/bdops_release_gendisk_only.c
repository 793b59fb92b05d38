// SPDX-License-Identifier: GPL-2.0
/* block_device_operations.release takes only the gendisk (Linux 6.5) */
#include <linux/blkdev.h>

static void probe_release(struct gendisk *disk)
{
}

static const struct block_device_operations probe_ops __maybe_unused = {
	.release = probe_release,
};
