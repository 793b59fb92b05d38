// SPDX-License-Identifier: GPL-2.0
/*
 * The rings: one shared ring and event channel per hardware queue, the
 * request ids that travel on it, and the pool of granted pages every
 * request's data is bounced through (see xenblk.h for why).
 *
 * Request ids are blk-mq tags: a hardware queue has exactly as many tags
 * as its ring has slots, so the ring can never overflow and each id has
 * at most one request on the ring.  Responses are copied out of the ring
 * once and checked (proto.c) before anything else looks at them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/interface/io/protocols.h>

#include "xenblk.h"

static_assert(XENBLK_OP_INDIRECT == BLKIF_OP_INDIRECT);
static_assert(XENBLK_RSP_OKAY == BLKIF_RSP_OKAY);
static_assert(XENBLK_RSP_ERROR == BLKIF_RSP_ERROR);
static_assert(XENBLK_RSP_EOPNOTSUPP == BLKIF_RSP_EOPNOTSUPP);

static struct xenblk_info *xenblk_ring_info(struct xenblk_ring *ring)
{
	return ring->info;
}

/* ---------------------------------------------------------------------
 * The bounce pool
 */

static void xenblk_gpage_free(struct xenblk_gpage *gp)
{
	/* Kept for good if the backend never lets go (XSA-396). */
	xenpv_gnttab_end_and_free(gp->ref, gp->page);
	kfree(gp);
}

/* A zeroed page, granted read-write (or read-only) to the backend. */
static struct xenblk_gpage *xenblk_gpage_alloc(struct xenblk_ring *ring,
					       gfp_t gfp, bool readonly)
{
	struct xenblk_gpage *gp = kmalloc(sizeof(*gp), gfp);
	int ref;

	if (!gp)
		return NULL;
	gp->page = alloc_page(gfp | __GFP_ZERO);
	if (!gp->page)
		goto err;
	ref = xenpv_gnttab_grant(ring->info->xdev->otherend_id,
				 page_to_pfn(gp->page), readonly);
	if (ref < 0) {
		__free_page(gp->page);
		goto err;
	}
	gp->ref = ref;
	return gp;
err:
	kfree(gp);
	return NULL;
}

/*
 * The most pages the pool grows to: what is left of the grants the
 * backend keeps mapped once every slot's indirect page is counted (the
 * tags, and so the slots, all come into use over time), but always
 * enough for the largest request.
 */
static unsigned int xenblk_pool_limit(const struct xenblk_ring *ring)
{
	unsigned int max_segs = ring->info->feat.max_segs;
	unsigned int indirect = 0;

	if (max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		indirect = ring->depth;
	if (indirect + max_segs > XENBLK_BACKEND_GRANTS)
		return max_segs;
	return XENBLK_BACKEND_GRANTS - indirect;
}

/*
 * Grows the pool until it can serve @need pages, up to
 * xenblk_pool_limit().  Called without the lock; returns false when
 * memory is short.  Either way the request is retried when one in flight
 * gives its pages back; with none in flight the pool always holds enough
 * for any request.
 */
static bool xenblk_pool_fill(struct xenblk_ring *ring, unsigned int need,
			     gfp_t gfp)
{
	unsigned int limit = xenblk_pool_limit(ring);
	struct xenblk_gpage *gp;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&ring->lock, flags);
		if (ring->pool_free >= need || ring->pool_size >= limit) {
			spin_unlock_irqrestore(&ring->lock, flags);
			return true;
		}
		spin_unlock_irqrestore(&ring->lock, flags);

		gp = xenblk_gpage_alloc(ring, gfp | __GFP_NOWARN, false);
		if (!gp)
			return false;
		spin_lock_irqsave(&ring->lock, flags);
		list_add(&gp->node, &ring->pool);
		ring->pool_free++;
		ring->pool_size++;
		spin_unlock_irqrestore(&ring->lock, flags);
	}
}

static bool xenblk_pool_take(struct xenblk_ring *ring,
			     struct xenblk_slot *slot, unsigned int nr)
{
	unsigned int i;

	lockdep_assert_held(&ring->lock);
	if (ring->pool_free < nr)
		return false;
	for (i = 0; i < nr; i++) {
		slot->pages[i] = list_first_entry(&ring->pool,
						  struct xenblk_gpage, node);
		list_del(&slot->pages[i]->node);
	}
	ring->pool_free -= nr;
	slot->nr_pages = nr;
	return true;
}

static void xenblk_pool_give_back(struct xenblk_ring *ring,
				  struct xenblk_slot *slot)
{
	unsigned int i;

	lockdep_assert_held(&ring->lock);
	for (i = 0; i < slot->nr_pages; i++)
		list_add(&slot->pages[i]->node, &ring->pool);
	ring->pool_free += slot->nr_pages;
	slot->nr_pages = 0;
}

/* ---------------------------------------------------------------------
 * Copying between a request's pages and the bounce pages
 */

static void xenblk_copy(struct request *rq, struct xenblk_slot *slot,
			bool to_pool)
{
	struct req_iterator iter;
	struct bio_vec bv;
	size_t off = 0;

	rq_for_each_segment(bv, rq, iter) {
		/* x86-64 has no highmem: every page has a kernel address. */
		char *buf = page_address(bv.bv_page) + bv.bv_offset;
		unsigned int len = bv.bv_len;

		while (len) {
			char *pool = page_address(slot->pages[off >> PAGE_SHIFT]->page) +
				     offset_in_page(off);
			unsigned int n = min_t(unsigned int, len,
					       PAGE_SIZE - offset_in_page(off));

			if (to_pool)
				memcpy(pool, buf, n);
			else
				memcpy(buf, pool, n);
			buf += n;
			off += n;
			len -= n;
		}
	}
}

/* ---------------------------------------------------------------------
 * Building requests
 */

static void xenblk_fill_segments(struct blkif_request_segment *seg,
				 struct xenblk_slot *slot, unsigned int nseg,
				 unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < nseg; i++) {
		unsigned int n = min_t(unsigned int, bytes - i * PAGE_SIZE,
				       PAGE_SIZE);

		seg[i].gref = slot->pages[i]->ref;
		seg[i].first_sect = 0;
		seg[i].last_sect = (n >> SECTOR_SHIFT) - 1;
	}
}

static bool xenblk_op_has_data(u8 op)
{
	return op == BLKIF_OP_READ || op == BLKIF_OP_WRITE ||
	       op == BLKIF_OP_WRITE_BARRIER;
}

/*
 * Puts request @id on the ring as @op.  Data requests use the slot's
 * pages, directly or through the slot's indirect page when they need
 * more than a request has room for.
 */
static void xenblk_ring_put(struct xenblk_ring *ring, unsigned int id, u8 op)
{
	struct xenblk_info *info = xenblk_ring_info(ring);
	struct xenblk_slot *slot = &ring->slots[id];
	struct xenblk_tag *tag = &ring->tags[id];
	unsigned int nseg = xenblk_op_has_data(op) ? slot->nr_pages : 0;
	struct request *rq = slot->rq;
	struct blkif_request *req;

	lockdep_assert_held(&ring->lock);
	req = RING_GET_REQUEST(&ring->front, ring->front.req_prod_pvt);
	memset(req, 0, sizeof(*req));
	tag->op = op;
	tag->indirect = false;
	tag->state = XENBLK_TAG_INFLIGHT;

	if (op == BLKIF_OP_DISCARD) {
		req->operation = op;
		req->u.discard.flag = req_op(rq) == REQ_OP_SECURE_ERASE ?
				      BLKIF_DISCARD_SECURE : 0;
		req->u.discard.id = id;
		req->u.discard.sector_number = blk_rq_pos(rq);
		req->u.discard.nr_sectors = blk_rq_sectors(rq);
	} else if (nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		req->operation = BLKIF_OP_INDIRECT;
		req->u.indirect.indirect_op = op;
		req->u.indirect.nr_segments = nseg;
		req->u.indirect.id = id;
		req->u.indirect.sector_number = blk_rq_pos(rq);
		req->u.indirect.handle = info->handle;
		req->u.indirect.indirect_grefs[0] = slot->indirect->ref;
		xenblk_fill_segments(page_address(slot->indirect->page), slot,
				     nseg, blk_rq_bytes(rq));
		tag->indirect = true;
	} else {
		req->operation = op;
		req->u.rw.nr_segments = nseg;
		req->u.rw.handle = info->handle;
		req->u.rw.id = id;
		req->u.rw.sector_number = nseg ? blk_rq_pos(rq) : 0;
		xenblk_fill_segments(req->u.rw.seg, slot, nseg, blk_rq_bytes(rq));
	}
	ring->front.req_prod_pvt++;
	ring->requests++;
}

/* Makes queued requests visible to the backend, and wakes it if needed. */
void xenblk_ring_push(struct xenblk_ring *ring)
{
	unsigned long flags;
	int notify;

	spin_lock_irqsave(&ring->lock, flags);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ring->front, notify);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (notify)
		xenpv_evtchn_notify(ring->evtchn);
}

/* Which blkif operation serves @rq now; false if none can. */
static bool xenblk_choose_op(struct xenblk_info *info, struct request *rq,
			     u8 *op, bool *post_flush)
{
	const struct xenblk_features *f = &info->feat;

	*post_flush = false;
	switch (req_op(rq)) {
	case REQ_OP_READ:
		*op = BLKIF_OP_READ;
		return true;
	case REQ_OP_WRITE:
		*op = BLKIF_OP_WRITE;
		if (rq->cmd_flags & REQ_FUA) {
			if (READ_ONCE(f->fua))
				*op = BLKIF_OP_WRITE_BARRIER;
			else
				*post_flush = READ_ONCE(f->flush);
		}
		return true;
	case REQ_OP_FLUSH:
		*op = BLKIF_OP_FLUSH_DISKCACHE;
		return true;
	case REQ_OP_DISCARD:
		*op = BLKIF_OP_DISCARD;
		return READ_ONCE(f->discard);
	case REQ_OP_SECURE_ERASE:
		*op = BLKIF_OP_DISCARD;
		return READ_ONCE(f->discard) && READ_ONCE(f->secure_discard);
	default:
		return false;
	}
}

/**
 * xenblk_ring_submit() - put a request on its ring
 * @ring: the hardware queue's ring
 * @rq: a started request
 *
 * Return: BLK_STS_OK once the request is on the ring (or finished, for a
 * flush that has nothing to flush), BLK_STS_RESOURCE when bounce pages
 * are short, or an error for the request.
 */
blk_status_t xenblk_ring_submit(struct xenblk_ring *ring, struct request *rq)
{
	struct xenblk_info *info = xenblk_ring_info(ring);
	struct xenblk_slot *slot = &ring->slots[rq->tag];
	unsigned int nr_pages = 0;
	bool post_flush;
	u8 op;

	if (!xenblk_choose_op(info, rq, &op, &post_flush))
		return BLK_STS_NOTSUPP;
	if (op == BLKIF_OP_FLUSH_DISKCACHE && !READ_ONCE(info->feat.flush)) {
		/* The backend said it has no cache to flush. */
		blk_mq_end_request(rq, BLK_STS_OK);
		return BLK_STS_OK;
	}
	if (xenblk_op_has_data(op)) {
		nr_pages = DIV_ROUND_UP(blk_rq_bytes(rq), PAGE_SIZE);
		if (unlikely(nr_pages > info->feat.max_segs || !nr_pages)) {
			dev_err_ratelimited(&info->xdev->dev,
					    "%s: request of %u bytes does not fit %u pages\n",
					    info->name, blk_rq_bytes(rq),
					    info->feat.max_segs);
			return BLK_STS_IOERR;
		}
		if (!xenblk_pool_fill(ring, nr_pages, GFP_NOWAIT))
			return BLK_STS_RESOURCE;
	}

	spin_lock_irq(&ring->lock);
	if (ring->dead || READ_ONCE(info->closing)) {
		spin_unlock_irq(&ring->lock);
		return BLK_STS_IOERR;
	}
	if (!xenblk_pool_take(ring, slot, nr_pages)) {
		spin_unlock_irq(&ring->lock);
		return BLK_STS_RESOURCE;
	}
	spin_unlock_irq(&ring->lock);

	/* Bounce outside the lock; the slot is ours alone until it is sent. */
	if (op != BLKIF_OP_READ && nr_pages)
		xenblk_copy(rq, slot, true);

	spin_lock_irq(&ring->lock);
	if (ring->dead) {
		xenblk_pool_give_back(ring, slot);
		spin_unlock_irq(&ring->lock);
		return BLK_STS_IOERR;
	}
	slot->rq = rq;
	slot->status = BLK_STS_OK;
	slot->post_flush = post_flush;
	ring->inflight++;
	xenblk_ring_put(ring, rq->tag, op);
	spin_unlock_irq(&ring->lock);
	return BLK_STS_OK;
}

/* ---------------------------------------------------------------------
 * Responses
 */

/*
 * The backend cannot do @op after all (BLKIF_RSP_EOPNOTSUPP).  Drop the
 * feature, and either finish the request another way (a FUA write goes
 * again as a write and a flush) or say what it gets.
 */
static bool xenblk_unsupported(struct xenblk_ring *ring, unsigned int id,
			       blk_status_t *status)
{
	struct xenblk_info *info = xenblk_ring_info(ring);
	struct xenblk_slot *slot = &ring->slots[id];
	struct xenpv_device *xdev = info->xdev;

	switch (ring->tags[id].op) {
	case BLKIF_OP_WRITE_BARRIER:
		dev_warn(&xdev->dev, "%s: backend refused a barrier write; emulating FUA with flushes\n",
			 info->name);
		WRITE_ONCE(info->feat.fua, false);
		schedule_work(&info->limits_work);
		slot->post_flush = READ_ONCE(info->feat.flush);
		xenblk_ring_put(ring, id, BLKIF_OP_WRITE);
		return false;
	case BLKIF_OP_FLUSH_DISKCACHE:
		dev_warn(&xdev->dev, "%s: backend cannot flush its cache; writes are as durable as the backend makes them\n",
			 info->name);
		WRITE_ONCE(info->feat.flush, false);
		WRITE_ONCE(info->feat.fua, false);
		schedule_work(&info->limits_work);
		*status = BLK_STS_OK;
		return true;
	case BLKIF_OP_DISCARD:
		dev_warn(&xdev->dev, "%s: backend refused a discard; discard is now off\n",
			 info->name);
		WRITE_ONCE(info->feat.discard, false);
		schedule_work(&info->limits_work);
		*status = BLK_STS_NOTSUPP;
		return true;
	default:
		*status = BLK_STS_IOERR;
		return true;
	}
}

/*
 * Acts on a checked response to request @id.  Returns the request to
 * complete, or NULL while the request still has work on the ring.
 */
static struct request *xenblk_answer(struct xenblk_ring *ring,
				     unsigned int id, s16 rsp_status)
{
	struct xenblk_slot *slot = &ring->slots[id];
	blk_status_t status = BLK_STS_OK;
	struct request *rq = slot->rq;

	switch (rsp_status) {
	case BLKIF_RSP_OKAY:
		if (slot->post_flush) {
			slot->post_flush = false;
			xenblk_ring_put(ring, id, BLKIF_OP_FLUSH_DISKCACHE);
			return NULL;
		}
		break;
	case BLKIF_RSP_EOPNOTSUPP:
		if (!xenblk_unsupported(ring, id, &status))
			return NULL;
		break;
	default:
		dev_err_ratelimited(&ring->info->xdev->dev,
				    "%s: backend failed op %u at sector %llu (%u sectors)\n",
				    ring->info->name, ring->tags[id].op,
				    (unsigned long long)blk_rq_pos(rq),
				    blk_rq_sectors(rq));
		status = BLK_STS_IOERR;
	}
	ring->tags[id].state = XENBLK_TAG_DONE;
	slot->status = status;
	ring->responses++;
	if (!--ring->inflight)
		wake_up(&ring->info->idle_wait);
	return rq;
}

/**
 * xenblk_ring_broken() - stop a ring whose backend broke the protocol
 * @ring: the ring
 * @why: what the backend did, for the log
 *
 * Called with the ring's lock held.  Nothing more is read from or put on
 * the ring; the device is failed from process context.
 */
void xenblk_ring_broken(struct xenblk_ring *ring, const char *why)
{
	struct xenblk_info *info = xenblk_ring_info(ring);

	lockdep_assert_held(&ring->lock);
	if (ring->dead)
		return;
	ring->dead = true;
	info->broken_why = why;
	schedule_work(&info->broken_work);
}

/* Takes the next response, if any; false when the ring must stop. */
static bool xenblk_take_response(struct xenblk_ring *ring, RING_IDX i,
				 struct request **rq)
{
	struct blkif_response rsp;
	enum xenblk_verdict verdict;

	/* One copy: the backend may rewrite the ring under us (XSA-155). */
	RING_COPY_RESPONSE(&ring->front, i, &rsp);
	ring->front.rsp_cons = i + 1;
	verdict = xenblk_check_response(rsp.id, rsp.operation, rsp.status,
					ring->tags, ring->depth);
	if (verdict != XENBLK_RSP_VALID) {
		dev_err(&ring->info->xdev->dev,
			"%s: queue %u: bad response (id %llu, op %u, status %d): %s\n",
			ring->info->name, ring->index,
			(unsigned long long)rsp.id, rsp.operation, rsp.status,
			xenblk_verdict_str(verdict));
		xenblk_ring_broken(ring, "bad response");
		return false;
	}
	*rq = xenblk_answer(ring, rsp.id, rsp.status);
	return true;
}

static irqreturn_t xenblk_ring_interrupt(evtchn_port_t port, void *data)
{
	struct xenblk_ring *ring = data;
	struct request *rq = NULL;
	unsigned long flags;
	bool work = false;
	RING_IDX i, rp;
	int more = 0;

	spin_lock_irqsave(&ring->lock, flags);
	do {
		if (ring->dead)
			break;
		rp = READ_ONCE(ring->front.sring->rsp_prod);
		virt_rmb();	/* the responses, after the index */
		if (RING_RESPONSE_PROD_OVERFLOW(&ring->front, rp)) {
			dev_err(&ring->info->xdev->dev,
				"%s: queue %u: backend produced responses to requests never made (%u after %u)\n",
				ring->info->name, ring->index, rp,
				ring->front.rsp_cons);
			xenblk_ring_broken(ring, "response producer overflow");
			break;
		}
		for (i = ring->front.rsp_cons; i != rp; i++) {
			work = true;
			rq = NULL;
			if (!xenblk_take_response(ring, i, &rq))
				break;
			if (rq) {
				/* ->complete may run right here, and locks. */
				spin_unlock_irqrestore(&ring->lock, flags);
				blk_mq_complete_request(rq);
				spin_lock_irqsave(&ring->lock, flags);
				if (ring->dead)
					break;
			}
		}
		if (ring->dead)
			break;
		/* Requests re-issued above (flush after write) need a push. */
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ring->front, more);
		if (more)
			xenpv_evtchn_notify(ring->evtchn);
		RING_FINAL_CHECK_FOR_RESPONSES(&ring->front, more);
	} while (more);
	spin_unlock_irqrestore(&ring->lock, flags);
	return work ? IRQ_HANDLED : IRQ_NONE;
}

/**
 * xenblk_ring_complete() - finish a request whose response is in
 * @ring: its ring
 * @rq: the request
 *
 * Copies read data out of the bounce pages, gives the pages back to the
 * pool and ends the request.
 */
void xenblk_ring_complete(struct xenblk_ring *ring, struct request *rq)
{
	struct xenblk_slot *slot = &ring->slots[rq->tag];
	blk_status_t status = slot->status;
	unsigned long flags;

	if (status == BLK_STS_OK && req_op(rq) == REQ_OP_READ)
		xenblk_copy(rq, slot, false);
	spin_lock_irqsave(&ring->lock, flags);
	xenblk_pool_give_back(ring, slot);
	slot->rq = NULL;
	ring->tags[rq->tag].state = XENBLK_TAG_FREE;
	spin_unlock_irqrestore(&ring->lock, flags);
	blk_mq_end_request(rq, status);
}

/* ---------------------------------------------------------------------
 * Setting up and tearing down
 */

/*
 * Ring pages: one allocation for a contiguous ring, split so that each
 * page can be kept on its own if the backend never unmaps it.
 */
static int xenblk_ring_pages_alloc(struct xenblk_ring *ring,
				   unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);

	if (!page)
		return -ENOMEM;
	split_page(page, order);
	ring->sring = page_address(page);
	ring->nr_ring_pages = 1U << order;
	return 0;
}

static void xenblk_ring_pages_free(struct xenblk_ring *ring, bool granted)
{
	unsigned int i;

	for (i = 0; i < ring->nr_ring_pages; i++) {
		struct page *page = virt_to_page(ring->sring + i * PAGE_SIZE);

		if (granted)
			xenpv_gnttab_end_and_free(ring->ring_refs[i], page);
		else
			__free_page(page);
	}
	ring->sring = NULL;
	ring->nr_ring_pages = 0;
}

static int xenblk_ring_init(struct xenblk_info *info, struct xenblk_ring *ring,
			    unsigned int order)
{
	struct xenpv_device *xdev = info->xdev;
	int rc;

	spin_lock_init(&ring->lock);
	INIT_LIST_HEAD(&ring->pool);
	ring->info = info;
	snprintf(ring->name, sizeof(ring->name), "%s-q%u", info->name,
		 ring->index);

	rc = xenblk_ring_pages_alloc(ring, order);
	if (rc)
		return rc;
	SHARED_RING_INIT((struct blkif_sring *)ring->sring);
	FRONT_RING_INIT(&ring->front, (struct blkif_sring *)ring->sring,
			PAGE_SIZE << order);
	ring->depth = RING_SIZE(&ring->front);
	ring->tags = kcalloc(ring->depth, sizeof(*ring->tags), GFP_KERNEL);
	ring->slots = kcalloc(ring->depth, sizeof(*ring->slots), GFP_KERNEL);
	if (!ring->tags || !ring->slots) {
		xenblk_ring_pages_free(ring, false);
		return -ENOMEM;
	}

	rc = xenpv_grant_ring(xdev, ring->sring, ring->nr_ring_pages,
			      ring->ring_refs);
	if (rc) {
		xenblk_ring_pages_free(ring, false);
		return rc;
	}
	rc = xenpv_alloc_evtchn(xdev, &ring->evtchn);
	if (rc)
		return rc;
	/* Each hardware queue completes on a CPU of its own. */
	rc = xenpv_evtchn_bind_queue(ring->evtchn, xenblk_ring_interrupt, ring,
				     ring->name, ring->index);
	if (rc) {
		dev_err(&xdev->dev, "%s: binding event channel %u failed: %d\n",
			ring->name, ring->evtchn, rc);
		return rc;
	}
	ring->bound = true;
	return 0;
}

/**
 * xenblk_rings_alloc() - make the rings the backend will be told about
 * @info: the device
 * @nr_rings: hardware queues
 * @ring_order: log2 of each ring's pages
 *
 * Return: 0, or an errno with everything made so far undone.
 */
int xenblk_rings_alloc(struct xenblk_info *info, unsigned int nr_rings,
		       unsigned int ring_order)
{
	unsigned int i;
	int rc;

	info->rings = kcalloc(nr_rings, sizeof(*info->rings), GFP_KERNEL);
	if (!info->rings)
		return -ENOMEM;
	info->nr_rings = nr_rings;
	for (i = 0; i < nr_rings; i++) {
		info->rings[i].index = i;
		rc = xenblk_ring_init(info, &info->rings[i], ring_order);
		if (rc) {
			xenpv_dev_fatal(info->xdev, rc, "setting up ring %u", i);
			xenblk_rings_free(info);
			return rc;
		}
	}
	return 0;
}

static int xenblk_publish_ring(struct xenblk_info *info,
			       struct xenblk_ring *ring, u32 tx)
{
	const char *node = info->xdev->nodename;
	char *dir = NULL;
	unsigned int i;
	int rc = 0;

	if (info->nr_rings > 1) {
		dir = kasprintf(GFP_KERNEL, "%s/queue-%u", node, ring->index);
		if (!dir)
			return -ENOMEM;
		node = dir;
	}
	if (ring->nr_ring_pages == 1) {
		rc = xenpv_xs_printf(tx, node, "ring-ref", "%u",
				     ring->ring_refs[0]);
	} else {
		for (i = 0; i < ring->nr_ring_pages && !rc; i++) {
			char key[24];

			snprintf(key, sizeof(key), "ring-ref%u", i);
			rc = xenpv_xs_printf(tx, node, key, "%u",
					     ring->ring_refs[i]);
		}
	}
	if (!rc)
		rc = xenpv_xs_printf(tx, node, "event-channel", "%u",
				     ring->evtchn);
	kfree(dir);
	return rc;
}

/**
 * xenblk_rings_unpublish() - take the ring keys out of xenstore
 * @info: the device
 * @tx: the xenstore transaction, or XENPV_XS_NO_TX
 *
 * At disconnect, so that no backend reads grant references that may by
 * then name other pages; and before publishing, so that keys an earlier
 * connection left (more queues or ring pages than this one has, before
 * the module was reloaded) never mix with the new ones.  Most keys are
 * not there, so errors are ignored.
 */
void xenblk_rings_unpublish(struct xenblk_info *info, u32 tx)
{
	const char *node = info->xdev->nodename;
	unsigned int i, order = 0, pages;
	char key[24];

	xenpv_xs_rm_queues(tx, node, nr_cpu_ids);
	xenpv_xs_read_uint(tx, node, "ring-page-order", &order);
	xenpv_xs_rm(tx, node, "ring-page-order");
	pages = BIT(min_t(unsigned int, order, XENBLK_MAX_RING_ORDER));
	for (i = 0; i < pages; i++) {
		snprintf(key, sizeof(key), "ring-ref%u", i);
		xenpv_xs_rm(tx, node, key);
	}
	xenpv_xs_rm(tx, node, "ring-ref");
	xenpv_xs_rm(tx, node, "event-channel");
}

/**
 * xenblk_rings_publish() - tell the backend where the rings are
 * @info: the device
 * @tx: the xenstore transaction the keys go in
 *
 * Return: 0 or the errno of the failing write.
 */
int xenblk_rings_publish(struct xenblk_info *info, u32 tx)
{
	const char *node = info->xdev->nodename;
	unsigned int i;
	int rc = 0;

	xenblk_rings_unpublish(info, tx);
	if (info->rings[0].nr_ring_pages > 1)
		rc = xenpv_xs_printf(tx, node, "ring-page-order", "%u",
				     ilog2(info->rings[0].nr_ring_pages));
	if (!rc && info->nr_rings > 1)
		rc = xenpv_xs_printf(tx, node, "multi-queue-num-queues", "%u",
				     info->nr_rings);
	for (i = 0; i < info->nr_rings && !rc; i++)
		rc = xenblk_publish_ring(info, &info->rings[i], tx);
	if (!rc)
		rc = xenpv_xs_write(tx, node, "protocol",
				    XEN_IO_PROTO_ABI_NATIVE);
	if (!rc)
		rc = xenpv_xs_write(tx, node, "feature-persistent", "1");
	return rc;
}

static int xenblk_ring_prepare_io(struct xenblk_ring *ring)
{
	unsigned int max_segs = ring->info->feat.max_segs, i;
	struct xenblk_gpage **pages;

	pages = kcalloc(ring->depth * max_segs, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < ring->depth; i++) {
		ring->slots[i].pages = pages + i * max_segs;
		if (max_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
			continue;
		/*
		 * Read-only, unless the backend keeps grants mapped: Linux's
		 * blkback then maps every grant writable, indirect pages too.
		 */
		ring->slots[i].indirect =
			xenblk_gpage_alloc(ring, GFP_KERNEL,
					   !ring->info->feat.persistent);
		if (!ring->slots[i].indirect)
			return -ENOMEM;
	}
	/* Enough for the largest request, whatever memory is like later. */
	return xenblk_pool_fill(ring, max_segs, GFP_KERNEL) ? 0 : -ENOMEM;
}

/**
 * xenblk_rings_prepare_io() - size the slots once the features are known
 * @info: the device, with info->feat filled in
 *
 * Return: 0 or -ENOMEM (what was allocated goes with the rings).
 */
int xenblk_rings_prepare_io(struct xenblk_info *info)
{
	unsigned int i;
	int rc;

	for (i = 0; i < info->nr_rings; i++) {
		rc = xenblk_ring_prepare_io(&info->rings[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Fails every request still waiting for the backend. */
static void xenblk_ring_kill(struct xenblk_ring *ring)
{
	unsigned int id, nr_failed = 0;
	bool *failed;

	if (ring->bound) {
		/* Waits for a running handler: none runs after this. */
		xenpv_evtchn_unbind(ring->evtchn);
		ring->bound = false;
	}
	if (!ring->tags)
		return;
	failed = kcalloc(ring->depth, sizeof(*failed), GFP_KERNEL | __GFP_NOFAIL);
	spin_lock_irq(&ring->lock);
	ring->dead = true;
	for (id = 0; id < ring->depth; id++) {
		if (ring->tags[id].state != XENBLK_TAG_INFLIGHT)
			continue;
		ring->tags[id].state = XENBLK_TAG_DONE;
		ring->slots[id].status = BLK_STS_IOERR;
		ring->slots[id].post_flush = false;
		failed[id] = true;
		nr_failed++;
	}
	ring->inflight = 0;
	spin_unlock_irq(&ring->lock);
	wake_up(&ring->info->idle_wait);

	if (nr_failed)
		dev_warn(&ring->info->xdev->dev,
			 "%s: queue %u: failing %u requests the backend did not answer\n",
			 ring->info->name, ring->index, nr_failed);
	/* The pages stay granted: a dead ring never hands them out again. */
	for (id = 0; id < ring->depth; id++)
		if (failed[id])
			blk_mq_complete_request(ring->slots[id].rq);
	kfree(failed);
}

/**
 * xenblk_rings_kill() - stop all rings, failing what is in flight
 * @info: the device
 *
 * After this no response is read and no request is sent; requests the
 * backend had not answered complete with an I/O error.
 */
void xenblk_rings_kill(struct xenblk_info *info)
{
	unsigned int i;

	for (i = 0; i < info->nr_rings; i++)
		xenblk_ring_kill(&info->rings[i]);
}

/* Answered before the suspend: let their completions finish first. */
static void xenblk_ring_wait_answered(struct xenblk_ring *ring)
{
	unsigned int id, answered, tries;

	for (tries = 0; tries < 250; tries++) {
		answered = 0;
		spin_lock_irq(&ring->lock);
		for (id = 0; id < ring->depth; id++)
			answered += ring->tags[id].state == XENBLK_TAG_DONE;
		spin_unlock_irq(&ring->lock);
		if (!answered)
			return;
		msleep(20);
	}
	dev_warn(&ring->info->xdev->dev, "%s: queue %u: %u answered requests still not completed\n",
		 ring->info->name, ring->index, answered);
}

/*
 * After a restore, with the disk's queue quiesced: the backend these
 * requests went to is gone with the old domain.  They go back to the
 * block layer, to be sent again on the new rings (a write done twice
 * writes the same data; a read reads it again).
 */
static void xenblk_ring_requeue(struct xenblk_ring *ring)
{
	struct request **requeue;
	unsigned int id, n = 0;

	/* The port died with the old domain: never unbind or close it. */
	ring->bound = false;
	ring->evtchn = 0;
	if (!ring->tags)
		return;
	xenblk_ring_wait_answered(ring);
	requeue = kcalloc(ring->depth, sizeof(*requeue),
			  GFP_KERNEL | __GFP_NOFAIL);
	spin_lock_irq(&ring->lock);
	ring->dead = true;
	for (id = 0; id < ring->depth; id++) {
		if (ring->tags[id].state != XENBLK_TAG_INFLIGHT)
			continue;
		ring->tags[id].state = XENBLK_TAG_FREE;
		requeue[n++] = ring->slots[id].rq;
		ring->slots[id].rq = NULL;
		ring->slots[id].post_flush = false;
		xenblk_pool_give_back(ring, &ring->slots[id]);
	}
	ring->inflight = 0;
	spin_unlock_irq(&ring->lock);
	if (n)
		dev_info(&ring->info->xdev->dev, "%s: queue %u: %u requests to send again after the restore\n",
			 ring->info->name, ring->index, n);
	while (n)
		blk_mq_requeue_request(requeue[--n], false);
	kfree(requeue);
}

/**
 * xenblk_rings_requeue() - after a restore: forget the rings' ports and
 * hand back every request in flight
 * @info: the device, its queue quiesced
 */
void xenblk_rings_requeue(struct xenblk_info *info)
{
	unsigned int i;

	for (i = 0; i < info->nr_rings; i++)
		xenblk_ring_requeue(&info->rings[i]);
}

bool xenblk_rings_idle(struct xenblk_info *info)
{
	unsigned int i, busy = 0;

	for (i = 0; i < info->nr_rings; i++) {
		spin_lock_irq(&info->rings[i].lock);
		busy += info->rings[i].inflight;
		spin_unlock_irq(&info->rings[i].lock);
	}
	return !busy;
}

static void xenblk_ring_free(struct xenblk_ring *ring)
{
	struct xenblk_gpage *gp, *next;
	unsigned int i;

	xenblk_ring_kill(ring);
	if (ring->evtchn)
		xenpv_evtchn_close(ring->evtchn);
	list_for_each_entry_safe(gp, next, &ring->pool, node) {
		list_del(&gp->node);
		xenblk_gpage_free(gp);
	}
	for (i = 0; ring->slots && i < ring->depth; i++) {
		struct xenblk_slot *slot = &ring->slots[i];
		unsigned int p;

		/* Pages of requests that never completed are still here. */
		for (p = 0; p < slot->nr_pages; p++)
			xenblk_gpage_free(slot->pages[p]);
		if (slot->indirect)
			xenblk_gpage_free(slot->indirect);
	}
	if (ring->slots)
		kfree(ring->slots[0].pages);
	kfree(ring->slots);
	kfree(ring->tags);
	if (ring->sring)
		xenblk_ring_pages_free(ring, true);
	memset(ring, 0, sizeof(*ring));
}

/**
 * xenblk_rings_free() - undo xenblk_rings_alloc()
 * @info: the device; its disk must no longer send requests
 *
 * Grants the backend may still hold are left to the core, which frees
 * their pages once the backend lets go.
 */
void xenblk_rings_free(struct xenblk_info *info)
{
	unsigned int i;

	for (i = 0; info->rings && i < info->nr_rings; i++)
		xenblk_ring_free(&info->rings[i]);
	kfree(info->rings);
	info->rings = NULL;
	info->nr_rings = 0;
}
