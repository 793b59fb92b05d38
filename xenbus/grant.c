// SPDX-License-Identifier: GPL-2.0
/*
 * Grant table, version 1.
 *
 * The table lives in Xen; we map its frames into the platform device's
 * MMIO BAR (there is no RAM behind those frames to lose) and grow it a
 * frame at a time, up to what Xen allows, as references run out.
 *
 * Ending access races with the other end mapping the page: the flags word
 * is swapped to 0 only while Xen shows no mapping (GTF_reading/GTF_writing
 * clear).  A page the other end still holds is never freed or reused; it
 * waits on a deferred list that is retried every second, for as long as
 * it takes (XSA-396).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <xen/interface/xen.h>
#include <xen/interface/memory.h>

#include "core.h"

#define XENPV_GREFS_PER_FRAME	(PAGE_SIZE / sizeof(struct grant_entry_v1))
/* 0..7 are the toolstack's (console, xenstore, ...): never handed out. */
#define XENPV_GNTTAB_RESERVED	8
#define XENPV_GNTTAB_INITIAL	4
#define XENPV_GNTTAB_MAX_FRAMES	256
#define XENPV_GREF_END		((grant_ref_t)-1)
#define XENPV_DEFER_WARN_SECS	60

struct xenpv_deferred {
	struct list_head list;
	grant_ref_t ref;
	struct page *page;
	unsigned int tries;
};

static struct grant_entry_v1 *xenpv_gnttab;
static unsigned long xenpv_gnttab_gfn;
static unsigned int xenpv_gnttab_frames, xenpv_gnttab_max_frames;
static grant_ref_t *xenpv_gref_next;	/* free list links */
static grant_ref_t xenpv_gref_free = XENPV_GREF_END;
static unsigned int xenpv_grefs_in_use;	/* handed out, not yet released */
static DEFINE_SPINLOCK(xenpv_gnttab_lock);

static LIST_HEAD(xenpv_deferred_list);
static DEFINE_SPINLOCK(xenpv_deferred_lock);
static void xenpv_deferred_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(xenpv_deferred_dwork, xenpv_deferred_work);

static bool xenpv_gref_held(grant_ref_t ref)
{
	return READ_ONCE(xenpv_gnttab[ref].flags) & (GTF_reading | GTF_writing);
}

static void xenpv_gref_put(grant_ref_t ref)
{
	xenpv_gref_next[ref] = xenpv_gref_free;
	xenpv_gref_free = ref;
}

static void xenpv_defer(grant_ref_t ref, struct page *page);

/*
 * Map table frame number xenpv_gnttab_frames and free its entries.  An
 * entry an earlier load of this module left mapped by a backend stays out
 * of the free list until the backend lets go.  Called with the lock held.
 */
static int xenpv_gnttab_add_frame(void)
{
	unsigned int frame = xenpv_gnttab_frames;
	grant_ref_t ref, first, last;
	int rc;

	if (frame >= xenpv_gnttab_max_frames)
		return -ENOSPC;
	rc = xenpv_map_gfn(XENMAPSPACE_grant_table, frame,
			   xenpv_gnttab_gfn + frame);
	if (rc) {
		pr_err("mapping grant table frame %u failed: %d\n", frame, rc);
		return rc;
	}
	xenpv_gnttab_frames++;
	first = max_t(grant_ref_t, frame * XENPV_GREFS_PER_FRAME,
		      XENPV_GNTTAB_RESERVED);
	last = (frame + 1) * XENPV_GREFS_PER_FRAME;
	for (ref = last; ref-- > first;) {
		if (xenpv_gref_held(ref)) {
			xenpv_defer(ref, NULL);
			continue;
		}
		WRITE_ONCE(xenpv_gnttab[ref].flags, 0);
		xenpv_gref_put(ref);
	}
	return 0;
}

/**
 * xenpv_gnttab_grant() - let @domid access the page at @gfn
 * @domid: the domain to grant access to
 * @gfn: the guest frame number of the page
 * @readonly: whether the other end may only read
 *
 * Return: the grant reference, or -ENOSPC when the table is full.
 */
int xenpv_gnttab_grant(domid_t domid, unsigned long gfn, bool readonly)
{
	struct grant_entry_v1 *entry;
	unsigned long flags;
	grant_ref_t ref;

	spin_lock_irqsave(&xenpv_gnttab_lock, flags);
	if (xenpv_gref_free == XENPV_GREF_END && xenpv_gnttab_add_frame()) {
		spin_unlock_irqrestore(&xenpv_gnttab_lock, flags);
		return -ENOSPC;
	}
	ref = xenpv_gref_free;
	xenpv_gref_free = xenpv_gref_next[ref];
	xenpv_grefs_in_use++;
	spin_unlock_irqrestore(&xenpv_gnttab_lock, flags);

	entry = &xenpv_gnttab[ref];
	entry->frame = gfn;
	entry->domid = domid;
	/* Xen must see frame and domid before the entry becomes valid. */
	wmb();
	WRITE_ONCE(entry->flags,
		   GTF_permit_access | (readonly ? GTF_readonly : 0));
	return ref;
}
EXPORT_SYMBOL_GPL(xenpv_gnttab_grant);

/* Invalidate @ref unless the other end has it mapped. */
static bool xenpv_gref_revoke(grant_ref_t ref)
{
	u16 *pflags = &xenpv_gnttab[ref].flags;
	u16 old, flags = READ_ONCE(*pflags);

	for (;;) {
		if (flags & (GTF_reading | GTF_writing))
			return false;
		old = cmpxchg(pflags, flags, 0);
		if (old == flags)
			return true;
		flags = old;
	}
}

static void xenpv_gref_release(grant_ref_t ref)
{
	unsigned long flags;

	spin_lock_irqsave(&xenpv_gnttab_lock, flags);
	xenpv_gref_put(ref);
	xenpv_grefs_in_use--;
	spin_unlock_irqrestore(&xenpv_gnttab_lock, flags);
}

bool xenpv_gnttab_end(grant_ref_t ref)
{
	if (!xenpv_gref_revoke(ref))
		return false;
	xenpv_gref_release(ref);
	return true;
}
EXPORT_SYMBOL_GPL(xenpv_gnttab_end);

static void xenpv_defer(grant_ref_t ref, struct page *page)
{
	struct xenpv_deferred *d = kzalloc(sizeof(*d), GFP_ATOMIC);
	unsigned long flags;

	if (!d) {
		/* Cannot track it: leaking ref and page is the safe choice. */
		pr_err("grant %u still in use and out of memory: leaking it\n",
		       ref);
		return;
	}
	d->ref = ref;
	d->page = page;
	spin_lock_irqsave(&xenpv_deferred_lock, flags);
	list_add_tail(&d->list, &xenpv_deferred_list);
	spin_unlock_irqrestore(&xenpv_deferred_lock, flags);
	schedule_delayed_work(&xenpv_deferred_dwork, HZ);
}

void xenpv_gnttab_end_and_free(grant_ref_t ref, struct page *page)
{
	if (xenpv_gnttab_end(ref)) {
		if (page)
			__free_page(page);
		return;
	}
	xenpv_defer(ref, page);
}
EXPORT_SYMBOL_GPL(xenpv_gnttab_end_and_free);

static void xenpv_deferred_work(struct work_struct *work)
{
	struct xenpv_deferred *d, *tmp;
	LIST_HEAD(done);
	bool again;

	spin_lock_irq(&xenpv_deferred_lock);
	list_for_each_entry_safe(d, tmp, &xenpv_deferred_list, list) {
		if (xenpv_gref_revoke(d->ref)) {
			list_move(&d->list, &done);
		} else if (++d->tries == XENPV_DEFER_WARN_SECS) {
			pr_warn("grant %u still mapped by domain %u after %u s; its page stays reserved\n",
				d->ref, xenpv_gnttab[d->ref].domid, d->tries);
		}
	}
	again = !list_empty(&xenpv_deferred_list);
	spin_unlock_irq(&xenpv_deferred_lock);

	list_for_each_entry_safe(d, tmp, &done, list) {
		xenpv_gref_release(d->ref);
		if (d->page)
			__free_page(d->page);
		kfree(d);
	}
	if (again)
		schedule_delayed_work(&xenpv_deferred_dwork, HZ);
}

/*
 * For the leak checks of the tests (debugfs.c): grants handed out and not
 * released, and how many of those wait on the deferred list.
 */
void xenpv_gnttab_counts(unsigned int *in_use, unsigned int *deferred)
{
	struct xenpv_deferred *d;
	unsigned int n = 0;

	spin_lock_irq(&xenpv_deferred_lock);
	list_for_each_entry(d, &xenpv_deferred_list, list)
		n++;
	spin_unlock_irq(&xenpv_deferred_lock);
	*deferred = n;
	*in_use = READ_ONCE(xenpv_grefs_in_use);
}

/**
 * xenpv_gnttab_resume_noirq() - the table of the domain a restore made
 *
 * Every other CPU is stopped and interrupts are off.  Xen's new table is
 * empty but for the toolstack's entries; its frames go where the old
 * ones were.  Our free list stays right: an entry in use before now
 * reads as unused, so ending it frees it at once, and what waited on the
 * deferred list goes at the next retry.
 */
void xenpv_gnttab_resume_noirq(void)
{
	unsigned int frame;
	int rc;

	for (frame = 0; frame < xenpv_gnttab_frames; frame++) {
		rc = xenpv_map_gfn(XENMAPSPACE_grant_table, frame,
				   xenpv_gnttab_gfn + frame);
		if (rc)
			pr_err("resume: mapping grant table frame %u failed: %d\n",
			       frame, rc);
	}
}

static unsigned int xenpv_gnttab_query_max(void)
{
	struct gnttab_query_size query = { .dom = DOMID_SELF };
	long rc = xenpv_grant_table_op(GNTTABOP_query_size, &query, 1);

	if (rc || query.status != GNTST_okay) {
		pr_warn("GNTTABOP_query_size failed (%ld/%d), assuming %u frames\n",
			rc, query.status, XENPV_GNTTAB_INITIAL);
		return XENPV_GNTTAB_INITIAL;
	}
	return min_t(unsigned int, query.max_nr_frames,
		     XENPV_GNTTAB_MAX_FRAMES);
}

int xenpv_gnttab_init(void)
{
	unsigned int i;
	int rc = 0;

	xenpv_gnttab_max_frames = xenpv_gnttab_query_max();
	xenpv_gnttab_gfn = xenpv_mmio_alloc(xenpv_gnttab_max_frames);
	if (!xenpv_gnttab_gfn)
		return -ENOSPC;
	xenpv_gnttab = memremap(PFN_PHYS(xenpv_gnttab_gfn),
				xenpv_gnttab_max_frames * PAGE_SIZE,
				MEMREMAP_WB);
	xenpv_gref_next = kvcalloc(xenpv_gnttab_max_frames *
				   XENPV_GREFS_PER_FRAME,
				   sizeof(*xenpv_gref_next), GFP_KERNEL);
	if (!xenpv_gnttab || !xenpv_gref_next) {
		rc = -ENOMEM;
		goto err;
	}
	spin_lock_irq(&xenpv_gnttab_lock);
	for (i = 0; i < XENPV_GNTTAB_INITIAL && !rc; i++)
		rc = xenpv_gnttab_add_frame();
	spin_unlock_irq(&xenpv_gnttab_lock);
	if (rc && !xenpv_gnttab_frames)
		goto err;
	pr_info("grant table: %u of at most %u frames mapped\n",
		xenpv_gnttab_frames, xenpv_gnttab_max_frames);
	return 0;

err:
	pr_err("grant table setup failed: %d\n", rc);
	xenpv_gnttab_exit();
	return rc;
}

void xenpv_gnttab_exit(void)
{
	struct xenpv_deferred *d, *tmp;
	unsigned int leaked = 0;

	cancel_delayed_work_sync(&xenpv_deferred_dwork);
	xenpv_deferred_work(NULL);
	cancel_delayed_work_sync(&xenpv_deferred_dwork);
	/* What a backend still holds stays granted and its page stays ours. */
	list_for_each_entry_safe(d, tmp, &xenpv_deferred_list, list) {
		list_del(&d->list);
		kfree(d);
		leaked++;
	}
	if (leaked)
		pr_warn("%u grants still mapped by backends at unload; their pages are kept\n",
			leaked);
	if (xenpv_gnttab)
		memunmap(xenpv_gnttab);
	xenpv_gnttab = NULL;
	kvfree(xenpv_gref_next);
	xenpv_gref_next = NULL;
	xenpv_gref_free = XENPV_GREF_END;
	xenpv_gnttab_frames = 0;
}
