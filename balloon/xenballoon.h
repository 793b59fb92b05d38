/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of xenballoon share: the one balloon of this domain. */
#ifndef XENBALLOON_H
#define XENBALLOON_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

struct xenballoon {
	struct mutex lock;		/* everything below */
	unsigned long current_pages;	/* the guest's RAM, balloon excluded */
	unsigned long target_pages;	/* where the worker is headed */
	unsigned long floor_pages;	/* never below this */
	unsigned long nr_ballooned;	/* pages in the balloon, both lists */
	struct list_head ballooned;	/* RAM given back to Xen, by lru */
	struct list_head unbacked;	/* hot-added, never backed (hotplug.c) */
	unsigned long nr_unbacked;
	unsigned long hot_pending;	/* hot-added pages not yet onlined */
	bool hot_failed;		/* adding memory failed: no more */
	unsigned int backoff_secs;	/* after Xen or the guest said no */
	bool stopping;			/* unload: only deflate */
	struct delayed_work work;
};

extern struct xenballoon xenballoon;

/* balloon.c */
void xenballoon_init_state(void);
void xenballoon_set_target(unsigned long pages, const char *who);
bool xenballoon_deflate_all(void);

/* hotplug.c */
void xenballoon_hotplug_init(void);
void xenballoon_hotplug_exit(void);
bool xenballoon_hotplug_enabled(void);
void xenballoon_hotplug_add(unsigned long pages);
void xenballoon_hotplug_unpin(void);

/* sysfs.c */
int xenballoon_sysfs_init(void);
void xenballoon_sysfs_exit(void);

#endif /* XENBALLOON_H */
