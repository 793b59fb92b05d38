// SPDX-License-Identifier: GPL-2.0
/*
 * xenballoon: memory ballooning for guests whose kernel's own Xen support
 * is absent or switched off (xen_nopv).
 *
 * The toolstack (`xl mem-set`) writes the domain's memory/target in KiB;
 * xenballoon moves the guest toward it (balloon.c) and shows where it is
 * in /sys/devices/system/xen_memory/xen_memory0/ (sysfs.c), where writing
 * target_kb moves it too.
 *
 * memory/target counts all the domain's memory, some of which the guest
 * never sees as RAM (firmware, video memory).  As Linux's own driver does,
 * the difference is taken once, at the first target: memory/static-max
 * less the guest's RAM at that time.  A guest started with memory below
 * maxmem runs on Xen's populate-on-demand pool and must balloon down to
 * the target before it touches more memory than the pool holds: the first
 * target arrives as the watch is set, so that happens at load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <xenpv/xenpv.h>

#include "xenballoon.h"

#define MIB_TO_PAGES(mb)	((unsigned long)(mb) << (20 - PAGE_SHIFT))
#define KIB_TO_PAGES(kb)	((kb) >> (PAGE_SHIFT - 10))

static unsigned int xenballoon_floor_mb;
module_param_named(floor_mb, xenballoon_floor_mb, uint, 0444);
MODULE_PARM_DESC(floor_mb, "Never balloon below this many MiB (default: from the guest's RAM, 104 MiB + 1/8 of it for a 1 GiB guest)");

/* Guest pages that memory/target counts and the guest has not as RAM. */
static long xenballoon_target_diff;
static bool xenballoon_diff_known;
static bool xenballoon_first_seen;

/*
 * The floor when none is given: the sizes Xen's classic Linux kernels
 * used, a fixed part and a share of RAM that both shrink as RAM grows.
 */
static unsigned long xenballoon_default_floor(unsigned long ram)
{
	if (ram < MIB_TO_PAGES(128))
		return MIB_TO_PAGES(8) + ram / 2;
	if (ram < MIB_TO_PAGES(512))
		return MIB_TO_PAGES(40) + ram / 4;
	if (ram < MIB_TO_PAGES(2048))
		return MIB_TO_PAGES(104) + ram / 8;
	return MIB_TO_PAGES(296) + ram / 32;
}

static unsigned long xenballoon_read_kib(const char *node)
{
	char *val = xenpv_xs_read(XENPV_XS_NO_TX, "memory", node, NULL);
	unsigned long long kib;
	int rc;

	if (IS_ERR(val))
		return 0;
	rc = kstrtoull(val, 10, &kib);
	kfree(val);
	return rc ? 0 : kib;
}

static void xenballoon_target_changed(struct xenpv_xs_watch *watch,
				      const char *path)
{
	unsigned long target_kib = xenballoon_read_kib("target");
	unsigned long static_max;
	long pages;

	if (!target_kib)
		return;
	if (!xenballoon_diff_known) {
		static_max = KIB_TO_PAGES(xenballoon_read_kib("static-max"));
		if (!static_max)
			static_max = xenballoon.current_pages;
		xenballoon_target_diff = static_max - xenballoon.current_pages;
		xenballoon_diff_known = true;
	}
	pages = KIB_TO_PAGES(target_kib) - xenballoon_target_diff;
	if (pages <= 0)
		return;
	if (!xenballoon_first_seen && pages < xenballoon.current_pages)
		pr_info("the domain's target is %lu MiB below the guest's RAM: ballooning down now (populate-on-demand guests must)\n",
			(xenballoon.current_pages - pages) >> (20 - PAGE_SHIFT));
	xenballoon_first_seen = true;
	xenballoon_set_target(pages, "xenstore memory/target");
}

static struct xenpv_xs_watch xenballoon_target_watch = {
	.path = "memory/target",
	.callback = xenballoon_target_changed,
};

static int __init xenballoon_init(void)
{
	unsigned long ram;
	int rc;

	xenballoon_init_state();
	ram = xenballoon.current_pages;
	xenballoon.floor_pages = xenballoon_floor_mb ?
		MIB_TO_PAGES(xenballoon_floor_mb) :
		xenballoon_default_floor(ram);
	xenballoon.floor_pages = min(xenballoon.floor_pages, ram);

	rc = xenballoon_sysfs_init();
	if (rc)
		return rc;
	xenballoon_hotplug_init();
	/* The watch fires once now: the first target, at load. */
	rc = xenpv_xs_watch_register(&xenballoon_target_watch);
	if (rc) {
		pr_err("watching memory/target failed: %d\n", rc);
		xenballoon_hotplug_exit();
		xenballoon_sysfs_exit();
		return rc;
	}
	pr_info("%lu MiB of RAM, floor %lu MiB; following memory/target\n",
		ram >> (20 - PAGE_SHIFT),
		xenballoon.floor_pages >> (20 - PAGE_SHIFT));
	return 0;
}

static void __exit xenballoon_exit(void)
{
	xenpv_xs_watch_unregister(&xenballoon_target_watch);
	xenballoon_deflate_all();
	xenballoon_hotplug_exit();
	xenballoon_sysfs_exit();
}

module_init(xenballoon_init);
module_exit(xenballoon_exit);

MODULE_DESCRIPTION("Xen memory balloon for guests without the kernel's Xen support");
MODULE_LICENSE("GPL");
MODULE_VERSION(XENPV_VERSION);
MODULE_SOFTDEP("pre: xenpv");
