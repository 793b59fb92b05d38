// SPDX-License-Identifier: GPL-2.0
/* timer_delete_sync(), which replaces del_timer_sync() (Linux 6.2) */
#include <linux/timer.h>

static void __maybe_unused probe_timer(struct timer_list *t)
{
	timer_delete_sync(t);
}
