// SPDX-License-Identifier: GPL-2.0
/* timer_container_of(), which replaces from_timer() (Linux 6.16) */
#include <linux/timer.h>

struct probe_owner {
	struct timer_list timer;
};

static void __maybe_unused probe_timer(struct timer_list *t)
{
	struct probe_owner *o = timer_container_of(o, t, timer);

	(void)o;
}
