// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon itself.  Inflating takes pages from the guest's allocator,
 * zeroes them and gives their frames to Xen; deflating has Xen back those
 * frames with memory again and frees the pages to the allocator.  A worker
 * heads for the target a batch at a time, and backs off when Xen or the
 * guest has nothing to give.  Ballooned pages leave the guest's MemTotal.
 * Pages hot-added past the RAM the guest booted with wait, unbacked, in
 * the balloon too (hotplug.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <xenpv/xenpv.h>

#include "xenballoon.h"

/* Pages per hypercall: one batch is a bounded piece of work. */
#define XENBALLOON_BATCH	512
#define XENBALLOON_MAX_BACKOFF	32	/* seconds */
/* What inflating leaves the guest at least: 16 MiB, or 1/32 of its RAM. */
#define XENBALLOON_MIN_RESERVE	(16UL << (20 - PAGE_SHIFT))
#define PAGES_TO_MIB(p)		((p) >> (20 - PAGE_SHIFT))

struct xenballoon xenballoon;

/* One batch in flight, under xenballoon.lock. */
static struct page *xenballoon_pages[XENBALLOON_BATCH];
static xen_pfn_t xenballoon_gfns[XENBALLOON_BATCH];

/*
 * What the guest can spare: the memory it could have without swapping
 * (MemAvailable), less a reserve for what it allocates next.  The balloon
 * takes no more, so a target the guest cannot reach stalls, and says so,
 * instead of driving the guest into the OOM killer.  The reserve follows
 * the RAM the guest has now, not what it booted with: a populate-on-demand
 * guest boots with maxmem, and 1/32 of that would hold back from a small
 * target more than the guest ever needs free.
 */
static unsigned long xenballoon_spare_pages(void)
{
	unsigned long reserve = max(XENBALLOON_MIN_RESERVE,
				    xenballoon.current_pages / 32);
	long avail = si_mem_available();

	return avail > (long)reserve ? avail - reserve : 0;
}

/* Up to @nr pages from the guest to Xen: how many went, or an errno. */
static long xenballoon_inflate(unsigned long nr)
{
	unsigned int i, got = 0;
	long done;

	nr = min_t(unsigned long, nr, XENBALLOON_BATCH);
	nr = min(nr, xenballoon_spare_pages());
	while (got < nr) {
		struct page *page = alloc_page(GFP_HIGHUSER | __GFP_NOWARN |
					       __GFP_NORETRY |
					       __GFP_NOMEMALLOC);

		if (!page)
			break;
		/* What goes back to Xen holds nothing of the guest's. */
		clear_highpage(page);
		xenballoon_pages[got] = page;
		/* An HVM guest's frame numbers are its gfns. */
		xenballoon_gfns[got++] = page_to_pfn(page);
	}
	if (!got)
		return -ENOMEM;

	done = xenpv_memory_release(xenballoon_gfns, got);
	if (done < 0) {
		pr_err("XENMEM_decrease_reservation of %u pages failed: %ld\n",
		       got, done);
		done = 0;
	}
	for (i = 0; i < got; i++) {
		struct page *page = xenballoon_pages[i];

		if (i < done) {
			list_add(&page->lru, &xenballoon.ballooned);
			adjust_managed_page_count(page, -1);
		} else {
			__free_page(page);
		}
	}
	xenballoon.nr_ballooned += done;
	xenballoon.current_pages -= done;
	return done ?: -EAGAIN;
}

/*
 * Up to @nr pages for one batch: RAM the balloon took first, then
 * hot-added pages never backed.  Returns how many, of which *@ram from
 * the first list (they come first in the batch).
 */
static unsigned int xenballoon_pick(unsigned long nr, unsigned int *ram)
{
	struct list_head *lists[] = { &xenballoon.ballooned,
				      &xenballoon.unbacked };
	struct page *page;
	unsigned int l, got = 0;

	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		list_for_each_entry(page, lists[l], lru) {
			if (got == nr)
				break;
			xenballoon_pages[got] = page;
			xenballoon_gfns[got++] = page_to_pfn(page);
		}
		if (!l)
			*ram = got;
	}
	return got;
}

/* Up to @nr pages from Xen back to the guest: how many came, or an errno. */
static long xenballoon_deflate(unsigned long nr)
{
	struct page *page;
	unsigned int i, got, ram;
	long done;

	nr = min_t(unsigned long, nr, XENBALLOON_BATCH);
	got = xenballoon_pick(nr, &ram);
	if (!got)
		return -ENOENT;

	done = xenpv_memory_populate(xenballoon_gfns, got);
	if (done < 0) {
		pr_err("XENMEM_populate_physmap of %u pages failed: %ld\n",
		       got, done);
		done = 0;
	}
	/* Only the frames Xen backed again may be used. */
	for (i = 0; i < done; i++) {
		page = xenballoon_pages[i];
		list_del(&page->lru);
		if (i < ram) {
			adjust_managed_page_count(page, 1);
			__free_page(page);
		} else {
			/* A hot-added page's first time in the allocator. */
			generic_online_page(page, 0);
			xenballoon.nr_unbacked--;
		}
	}
	xenballoon.nr_ballooned -= done;
	xenballoon.current_pages += done;
	return done ?: -ENOMEM;
}

/* Once per stall: which way, how far, and who has nothing to give. */
static void xenballoon_report_stall(struct xenballoon *b)
{
	bool inflating = b->current_pages > b->target_pages;
	unsigned long gap = inflating ? b->current_pages - b->target_pages :
					b->target_pages - b->current_pages;

	pr_warn("%s stalled %lu MiB from the target of %lu MiB (%s); retrying\n",
		inflating ? "inflating" : "deflating", PAGES_TO_MIB(gap),
		PAGES_TO_MIB(b->target_pages),
		inflating ? "the guest has no memory to spare" :
			    "Xen has no memory to give back");
}

/*
 * Growing past all the guest has takes hot-added memory: how many pages
 * to ask for now, or 0 (none needed, or some already on the way).
 */
static unsigned long xenballoon_hot_needed(struct xenballoon *b)
{
	if (b->stopping || b->nr_ballooned || b->hot_pending ||
	    b->target_pages <= b->current_pages ||
	    !xenballoon_hotplug_enabled())
		return 0;
	return b->target_pages - b->current_pages;
}

static void xenballoon_work_fn(struct work_struct *work)
{
	struct xenballoon *b = &xenballoon;
	unsigned long delay = 0, hot;
	long moved = 0;

	mutex_lock(&b->lock);
	hot = xenballoon_hot_needed(b);
	if (hot) {
		/* Onlining the new blocks brings the worker back. */
		mutex_unlock(&b->lock);
		xenballoon_hotplug_add(hot);
		return;
	}
	if (b->current_pages > b->target_pages && !b->stopping)
		moved = xenballoon_inflate(b->current_pages - b->target_pages);
	else if (b->current_pages < b->target_pages && b->nr_ballooned)
		moved = xenballoon_deflate(b->target_pages - b->current_pages);

	if (moved < 0) {
		if (!b->backoff_secs)
			xenballoon_report_stall(b);
		b->backoff_secs = clamp(b->backoff_secs * 2, 1U,
					(unsigned int)XENBALLOON_MAX_BACKOFF);
		delay = b->backoff_secs * HZ;
	} else if (moved > 0 && b->backoff_secs) {
		pr_info("moving again: %lu MiB, target %lu MiB\n",
			PAGES_TO_MIB(b->current_pages),
			PAGES_TO_MIB(b->target_pages));
		b->backoff_secs = 0;
	}
	if (b->current_pages != b->target_pages && moved)
		queue_delayed_work(system_freezable_wq, &b->work, delay);
	mutex_unlock(&b->lock);
	xenballoon_hotplug_unpin();
}

/* The balloon's starting point: all of the guest's RAM, none ballooned. */
void xenballoon_init_state(void)
{
	mutex_init(&xenballoon.lock);
	INIT_LIST_HEAD(&xenballoon.ballooned);
	INIT_LIST_HEAD(&xenballoon.unbacked);
	INIT_DELAYED_WORK(&xenballoon.work, xenballoon_work_fn);
	xenballoon.current_pages = get_num_physpages();
	xenballoon.target_pages = xenballoon.current_pages;
}

/**
 * xenballoon_set_target() - head for @pages of RAM
 * @pages: the new target, in pages of guest RAM
 * @who: who asked (for the log): "xenstore memory/target", "sysfs"
 *
 * A target below the floor stops at the floor; one above all the guest
 * has grows it by memory hotplug (hotplug.c), or, where that cannot be,
 * stops at what it has.  Both say so in the log.
 */
void xenballoon_set_target(unsigned long pages, const char *who)
{
	struct xenballoon *b = &xenballoon;
	unsigned long most;

	mutex_lock(&b->lock);
	most = b->current_pages + b->nr_ballooned + b->hot_pending;
	if (pages < b->floor_pages) {
		pr_warn("%s asks for %lu MiB, below the floor of %lu MiB (floor_mb); going no lower than the floor\n",
			who, PAGES_TO_MIB(pages), PAGES_TO_MIB(b->floor_pages));
		pages = b->floor_pages;
	}
	if (pages > most && xenballoon_hotplug_enabled()) {
		pr_info("%s asks for %lu MiB, %lu MiB more than this guest has; adding memory\n",
			who, PAGES_TO_MIB(pages), PAGES_TO_MIB(pages - most));
	} else if (pages > most) {
		pr_warn("%s asks for %lu MiB, more than the %lu MiB this guest has; growing needs memory hotplug, which is not available (see the log above)\n",
			who, PAGES_TO_MIB(pages), PAGES_TO_MIB(most));
		pages = most;
	}
	b->target_pages = pages;
	b->backoff_secs = 0;
	if (!b->stopping)
		mod_delayed_work(system_freezable_wq, &b->work, 0);
	mutex_unlock(&b->lock);
}

/**
 * xenballoon_deflate_all() - every ballooned page back to the guest
 *
 * For unload.  Tries for about a minute while Xen is short of memory.
 * Return: true when the balloon is empty.  Pages Xen never backed again
 * stay out of the allocator: using them would fault.
 */
bool xenballoon_deflate_all(void)
{
	struct xenballoon *b = &xenballoon;
	unsigned int tries = 0;
	bool empty;

	mutex_lock(&b->lock);
	b->stopping = true;
	mutex_unlock(&b->lock);
	cancel_delayed_work_sync(&b->work);

	mutex_lock(&b->lock);
	while (b->nr_ballooned && tries < 60) {
		if (xenballoon_deflate(b->nr_ballooned) > 0) {
			cond_resched();
			continue;
		}
		mutex_unlock(&b->lock);
		msleep(1000);
		tries++;
		mutex_lock(&b->lock);
	}
	empty = !b->nr_ballooned;
	if (!empty)
		pr_err("Xen would not give back %lu MiB (is the domain's maxmem below the guest's RAM? xl mem-max); those pages stay out of use\n",
		       PAGES_TO_MIB(b->nr_ballooned));
	mutex_unlock(&b->lock);
	return empty;
}
