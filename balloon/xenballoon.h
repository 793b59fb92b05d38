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
	unsigned long reserve_pages;	/* MemAvailable inflating leaves */
	unsigned long nr_ballooned;	/* pages in the balloon */
	struct list_head ballooned;	/* their struct pages, by lru */
	unsigned int backoff_secs;	/* after Xen or the guest said no */
	bool stopping;			/* unload: only deflate */
	struct delayed_work work;
};

extern struct xenballoon xenballoon;

/* balloon.c */
void xenballoon_init_state(void);
void xenballoon_set_target(unsigned long pages, const char *who);
bool xenballoon_deflate_all(void);

/* sysfs.c */
int xenballoon_sysfs_init(void);
void xenballoon_sysfs_exit(void);

#endif /* XENBALLOON_H */
