// SPDX-License-Identifier: GPL-2.0
/* blk_mq_alloc_disk(set, limits, queuedata) (Linux 6.9) */
#include <linux/blk-mq.h>

static __maybe_unused struct gendisk *probe_alloc(struct blk_mq_tag_set *set)
{
	struct queue_limits lim = { .logical_block_size = 512 };

	return blk_mq_alloc_disk(set, &lim, NULL);
}
