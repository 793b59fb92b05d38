// SPDX-License-Identifier: GPL-2.0
/* Queue features (write cache, FUA) live in queue_limits (Linux 6.11) */
#include <linux/blkdev.h>

static struct queue_limits probe_lim __maybe_unused = {
	.features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA,
};
