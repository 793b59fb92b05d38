// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/xenpv: what the tests look at from inside the guest.
 *
 * resources: the grants and event channel bindings held right now.  A
 * frontend that is unloaded, or a device that goes, must give back all
 * it took; the resilience tests read this before and after hundreds of
 * load and unload cycles.  upcall: how each CPU's events arrive
 * (upcall.c).  evtchn: each bound port, its CPU and its name (evtchn.c).
 * selftest: see selftest.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "core.h"

static struct dentry *xenpv_debugfs_dir;

static int xenpv_resources_show(struct seq_file *m, void *unused)
{
	unsigned int in_use, deferred;

	xenpv_gnttab_counts(&in_use, &deferred);
	seq_printf(m, "grants_in_use %u\n", in_use);
	seq_printf(m, "grants_deferred %u\n", deferred);
	seq_printf(m, "evtchn_bound %u\n", xenpv_evtchn_bound_count());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xenpv_resources);

static int xenpv_upcall_file_show(struct seq_file *m, void *unused)
{
	xenpv_upcall_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xenpv_upcall_file);

static int xenpv_evtchn_file_show(struct seq_file *m, void *unused)
{
	xenpv_evtchn_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xenpv_evtchn_file);

void xenpv_debugfs_init(void)
{
	xenpv_debugfs_dir = debugfs_create_dir("xenpv", NULL);
	debugfs_create_file("resources", 0400, xenpv_debugfs_dir, NULL,
			    &xenpv_resources_fops);
	debugfs_create_file("upcall", 0400, xenpv_debugfs_dir, NULL,
			    &xenpv_upcall_file_fops);
	debugfs_create_file("evtchn", 0400, xenpv_debugfs_dir, NULL,
			    &xenpv_evtchn_file_fops);
	xenpv_selftest_init(xenpv_debugfs_dir);
}

void xenpv_debugfs_exit(void)
{
	debugfs_remove_recursive(xenpv_debugfs_dir);
}
