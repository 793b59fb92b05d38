// SPDX-License-Identifier: GPL-2.0
/* blk_mq_alloc_disk(set, queuedata) (Linux 5.14 to 6.8) */
#include <linux/blk-mq.h>

static __maybe_unused struct gendisk *probe_alloc(struct blk_mq_tag_set *set)
{
	return blk_mq_alloc_disk(set, NULL);
}
