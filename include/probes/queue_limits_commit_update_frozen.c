// SPDX-License-Identifier: GPL-2.0
/* queue_limits_commit_update_frozen() (Linux 6.14, backported) */
#include <linux/blkdev.h>

static int __maybe_unused probe_commit(struct request_queue *q,
				       struct queue_limits *lim)
{
	return queue_limits_commit_update_frozen(q, lim);
}
