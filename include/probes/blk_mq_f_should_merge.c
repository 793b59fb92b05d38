// SPDX-License-Identifier: GPL-2.0
/* BLK_MQ_F_SHOULD_MERGE: merging is opt-in (until Linux 6.14) */
#include <linux/blk-mq.h>

static struct blk_mq_tag_set probe_set __maybe_unused = {
	.flags = BLK_MQ_F_SHOULD_MERGE,
};
