// SPDX-License-Identifier: GPL-2.0
/* Secure erase has its own size limit, no queue flag (Linux 5.19) */
#include <linux/blkdev.h>

static void __maybe_unused probe_secure(struct request_queue *q)
{
	blk_queue_max_secure_erase_sectors(q, 8);
}
