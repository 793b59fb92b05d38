// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit path.  A packet becomes one request per piece of a page it
 * occupies (its head, then its frags), each with an id and a read-only
 * grant, plus a GSO extra-info slot right after the first; it stays ours
 * until the backend has answered every one of its ids and let go of every
 * grant.  With trusted=0 the packet is first copied into zeroed pages of
 * its own, so a backend sees nothing else that shared a page with it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/etherdevice.h>
#include <linux/mm.h>
#include <linux/skbuff.h>

#include "xennet.h"

/* proto.c judges with mirrored numbers: they must be netif.h's. */
static_assert(XENNET_RSP_NULL == XEN_NETIF_RSP_NULL);
static_assert(XENNET_RSP_OKAY == XEN_NETIF_RSP_OKAY);
static_assert(XENNET_RSP_ERROR == XEN_NETIF_RSP_ERROR);
static_assert(XENNET_RSP_DROPPED == XEN_NETIF_RSP_DROPPED);
static_assert(XENNET_MAX_DATA_SLOTS == XEN_NETIF_NR_SLOTS_MIN);

void xennet_tx_init(struct xennet_queue *queue)
{
	unsigned int id;

	spin_lock_init(&queue->tx_lock);
	for (id = 0; id < XENNET_TX_RING_SIZE; id++)
		queue->tx_free[id] = XENNET_TX_RING_SIZE - 1 - id;
	queue->tx_nr_free = XENNET_TX_RING_SIZE;
}

static unsigned int xennet_tx_ring_free(struct xennet_queue *queue)
{
	return XENNET_TX_RING_SIZE -
		(queue->tx.req_prod_pvt - queue->tx.rsp_cons);
}

/* Data slots of a packet sent in place: each page piece of head and frags. */
static unsigned int xennet_tx_count_slots(struct sk_buff *skb)
{
	unsigned int slots = xennet_slots_for(offset_in_page(skb->data),
					      skb_headlen(skb));
	unsigned int i;

	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		slots += xennet_slots_for(skb_frag_off(frag),
					  skb_frag_size(frag));
	}
	return slots;
}

/* The packet being put on the ring, request by request. */
struct xennet_tx_build {
	struct sk_buff *skb;
	struct xen_netif_tx_request *first;
	struct xen_netif_tx_request *last;
	unsigned int ids[XENNET_MAX_DATA_SLOTS];
	unsigned int nr_ids;
};

/* The GSO extra-info slot, which must follow the first request. */
static void xennet_tx_add_gso(struct xennet_queue *queue,
			      struct xennet_tx_build *b)
{
	struct skb_shared_info *shinfo = skb_shinfo(b->skb);
	struct xen_netif_extra_info *gso;

	gso = (struct xen_netif_extra_info *)
		RING_GET_REQUEST(&queue->tx, queue->tx.req_prod_pvt++);
	gso->type = XEN_NETIF_EXTRA_TYPE_GSO;
	gso->flags = 0;
	gso->u.gso.size = shinfo->gso_size;
	gso->u.gso.type = shinfo->gso_type & SKB_GSO_TCPV6 ?
		XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4;
	gso->u.gso.pad = 0;
	gso->u.gso.features = 0;
	b->first->flags |= XEN_NETTXF_extra_info;
}

/* Adds one data request for @len bytes at @offset of @page. */
static int xennet_tx_add(struct xennet_queue *queue,
			 struct xennet_tx_build *b, struct page *page,
			 unsigned int offset, unsigned int len,
			 struct page *bounce)
{
	struct xen_netif_tx_request *req;
	unsigned int id;
	int ref;

	if (WARN_ON_ONCE(b->nr_ids >= XENNET_MAX_DATA_SLOTS ||
			 !queue->tx_nr_free))
		return -ENOSPC;
	ref = xenpv_gnttab_grant(queue->info->xdev->otherend_id,
				 page_to_pfn(page), true);
	if (ref < 0)
		return ref;
	id = queue->tx_free[--queue->tx_nr_free];
	queue->tx_inflight[id] = true;
	queue->tx_slots[id] = (struct xennet_tx_slot){ .ref = ref,
						       .bounce = bounce };
	b->ids[b->nr_ids++] = id;

	req = RING_GET_REQUEST(&queue->tx, queue->tx.req_prod_pvt++);
	req->gref = ref;
	req->offset = offset;
	req->flags = 0;
	req->id = id;
	req->size = len;
	if (b->last)
		b->last->flags |= XEN_NETTXF_more_data;
	b->last = req;
	if (!b->first) {
		b->first = req;
		if (skb_is_gso(b->skb))
			xennet_tx_add_gso(queue, b);
	}
	return 0;
}

/* Adds requests for @len bytes of kernel memory from @page + @offset on. */
static int xennet_tx_add_range(struct xennet_queue *queue,
			       struct xennet_tx_build *b, struct page *page,
			       unsigned int offset, unsigned int len)
{
	unsigned int n;
	int rc;

	page += offset >> PAGE_SHIFT;
	offset &= ~PAGE_MASK;
	while (len) {
		n = min_t(unsigned int, len, PAGE_SIZE - offset);
		rc = xennet_tx_add(queue, b, page, offset, n, NULL);
		if (rc)
			return rc;
		len -= n;
		page++;
		offset = 0;
	}
	return 0;
}

static int xennet_tx_add_in_place(struct xennet_queue *queue,
				  struct xennet_tx_build *b)
{
	struct sk_buff *skb = b->skb;
	unsigned int i;
	int rc;

	rc = xennet_tx_add_range(queue, b, virt_to_page(skb->data),
				 offset_in_page(skb->data), skb_headlen(skb));
	for (i = 0; !rc && i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		rc = xennet_tx_add_range(queue, b, skb_frag_page(frag),
					 skb_frag_off(frag),
					 skb_frag_size(frag));
	}
	return rc;
}

/* trusted=0: the packet's bytes in zeroed pages that hold nothing else. */
static int xennet_tx_add_bounced(struct xennet_queue *queue,
				 struct xennet_tx_build *b)
{
	struct sk_buff *skb = b->skb;
	unsigned int done, n;
	struct page *page;
	int rc;

	for (done = 0; done < skb->len; done += n) {
		n = min_t(unsigned int, skb->len - done, PAGE_SIZE);
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		if (skb_copy_bits(skb, done, page_address(page), n) < 0) {
			__free_page(page);
			return -EFAULT;
		}
		rc = xennet_tx_add(queue, b, page, 0, n, page);
		if (rc) {
			__free_page(page);
			return rc;
		}
	}
	return 0;
}

/* Takes back what xennet_tx_add() gave: nothing was pushed yet. */
static void xennet_tx_unwind(struct xennet_queue *queue,
			     struct xennet_tx_build *b, RING_IDX start)
{
	struct xennet_tx_slot *slot;
	unsigned int i, id;

	for (i = 0; i < b->nr_ids; i++) {
		id = b->ids[i];
		slot = &queue->tx_slots[id];
		xenpv_gnttab_end(slot->ref);	/* never seen: cannot fail */
		if (slot->bounce)
			__free_page(slot->bounce);
		*slot = (struct xennet_tx_slot){ 0 };
		queue->tx_inflight[id] = false;
		queue->tx_free[queue->tx_nr_free++] = id;
	}
	queue->tx.req_prod_pvt = start;
}

/* Puts @skb on the ring; the caller holds tx_lock and made room. */
static int xennet_tx_queue_skb(struct xennet_queue *queue,
			       struct sk_buff *skb)
{
	struct xennet_tx_build b = { .skb = skb };
	RING_IDX start = queue->tx.req_prod_pvt;
	bool bounce = !queue->info->trusted;
	unsigned int i;
	int rc;

	rc = bounce ? xennet_tx_add_bounced(queue, &b) :
		      xennet_tx_add_in_place(queue, &b);
	if (rc) {
		xennet_tx_unwind(queue, &b, start);
		return rc;
	}
	b.first->size = skb->len;
	queue->tx_slots[b.ids[0]].bql_bytes = skb->len;
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		b.first->flags |= XEN_NETTXF_csum_blank |
				  XEN_NETTXF_data_validated;
	else if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		b.first->flags |= XEN_NETTXF_data_validated;

	if (bounce) {
		xennet_stat_add(&queue->stats->tx, &queue->stats->tx.bounced, 1);
		return 0;	/* the caller frees the skb: its bytes are copied */
	}
	/* Each id holds the skb until its own answer: any order is safe. */
	for (i = 0; i < b.nr_ids; i++)
		queue->tx_slots[b.ids[i]].skb = i ? skb_get(skb) : skb;
	return 0;
}

/* The answer to a multicast add or del: a refused add ends filtering. */
static void xennet_tx_mcast_done(struct xennet_queue *queue, s16 status)
{
	struct xennet_info *info = queue->info;

	if (status == XEN_NETIF_RSP_OKAY)
		return;
	netdev_warn(info->netdev,
		    "backend refused a multicast address (status %d): letting all multicast through\n",
		    status);
	WRITE_ONCE(info->mcast.refused, true);
	schedule_work(&info->mcast.work);
}

/* Packets and bytes answered, for byte queue limits. */
struct xennet_tx_done {
	unsigned int pkts;
	unsigned int bytes;
};

/* The backend answered @id and should have let go of its grant. */
static void xennet_tx_complete(struct xennet_queue *queue, unsigned int id,
			       s16 status, struct xennet_tx_done *done)
{
	struct xennet_tx_slot *slot = &queue->tx_slots[id];

	if (slot->mcast) {
		xennet_tx_mcast_done(queue, status);
		goto free_id;
	}
	if (!xenpv_gnttab_end(slot->ref)) {
		/* Keep id, skb and page: the backend may still read them. */
		netdev_err(queue->info->netdev,
			   "queue %u: tx id %u answered but its grant is still mapped\n",
			   queue->id, id);
		xennet_broken(queue, "tx grant still mapped after its answer");
		return;
	}
	if (slot->bql_bytes) {
		done->pkts++;
		done->bytes += slot->bql_bytes;
	}
	if (status == XEN_NETIF_RSP_ERROR)
		xennet_stat_add(&queue->stats->tx, &queue->stats->tx.errors, 1);
	else if (status == XEN_NETIF_RSP_DROPPED)
		xennet_stat_add(&queue->stats->tx, &queue->stats->tx.dropped, 1);
	if (slot->skb)
		dev_consume_skb_any(slot->skb);
	if (slot->bounce)
		__free_page(slot->bounce);
free_id:
	*slot = (struct xennet_tx_slot){ 0 };
	queue->tx_inflight[id] = false;
	queue->tx_free[queue->tx_nr_free++] = id;
}

/*
 * Asks for the next tx event once half of what is in flight has been
 * answered rather than at the first answer: start_xmit collects answers
 * as it goes, and each event is an interrupt on the platform device with
 * its EOI, dear under virtualisation.  The index (proto.h) never passes
 * the last request made, by our own count, not the shared page's; one
 * made but not yet pushed is pushed at the end of its xmit_more batch.
 * Returns true if answers arrived meanwhile, to be taken now.
 */
static bool xennet_tx_arm_event(struct xennet_queue *queue)
{
	RING_IDX cons = queue->tx.rsp_cons;

	queue->tx.sring->rsp_event =
		xennet_tx_event_index(cons, queue->tx.req_prod_pvt);
	mb();	/* the event index before the producer check */
	return READ_ONCE(queue->tx.sring->rsp_prod) != cons;
}

/* Reads the backend's answers (xennet_tx_gc()); true if there were any. */
static bool xennet_tx_take(struct xennet_queue *queue,
			   struct xennet_tx_done *done)
{
	struct xen_netif_tx_response rsp;
	enum xennet_tx_verdict verdict;
	bool work = false;
	RING_IDX i, rp;

	do {
		if (READ_ONCE(queue->info->broken))
			return work;
		rp = READ_ONCE(queue->tx.sring->rsp_prod);
		virt_rmb();	/* the responses, after the index */
		if (rp - queue->tx.rsp_cons >
		    queue->tx.req_prod_pvt - queue->tx.rsp_cons) {
			netdev_err(queue->info->netdev,
				   "queue %u: backend answered tx requests never made (producer %u, consumer %u, requests %u)\n",
				   queue->id, rp, queue->tx.rsp_cons,
				   queue->tx.req_prod_pvt);
			xennet_broken(queue, "tx response producer overflow");
			return true;
		}
		for (i = queue->tx.rsp_cons; i != rp; i++) {
			/* One copy: the backend may rewrite it (XSA-155). */
			RING_COPY_RESPONSE(&queue->tx, i, &rsp);
			work = true;
			verdict = xennet_tx_judge(rsp.id, rsp.status,
						  queue->tx_inflight,
						  XENNET_TX_RING_SIZE);
			if (verdict == XENNET_TX_SKIP)
				continue;
			if (verdict != XENNET_TX_VALID) {
				netdev_err(queue->info->netdev,
					   "queue %u: bad tx response (id %u, status %d): %s\n",
					   queue->id, rsp.id, rsp.status,
					   xennet_tx_verdict_str(verdict));
				xennet_broken(queue, "bad tx response");
				return true;
			}
			xennet_tx_complete(queue, rsp.id, rsp.status, done);
		}
		queue->tx.rsp_cons = rp;
	} while (xennet_tx_arm_event(queue));
	return work;
}

/*
 * Takes the backend's answers; true if there were any.  tx_lock held.
 * The packets they complete go to byte queue limits (BQL), which keep
 * what waits on the ring short and let the qdisc hand us packets in
 * batches, one notification for each batch (xmit_more).
 */
static bool xennet_tx_gc(struct xennet_queue *queue)
{
	struct netdev_queue *txq = netdev_get_tx_queue(queue->info->netdev,
						       queue->id);
	struct xennet_tx_done done = { 0 };
	bool work;

	work = xennet_tx_take(queue, &done);
	if (done.pkts)
		netdev_tx_completed_queue(txq, done.pkts, done.bytes);
	return work;
}

static void xennet_tx_maybe_wake(struct xennet_queue *queue)
{
	struct netdev_queue *txq;

	txq = netdev_get_tx_queue(queue->info->netdev, queue->id);
	if (netif_tx_queue_stopped(txq) && READ_ONCE(queue->info->connected) &&
	    !READ_ONCE(queue->info->broken) &&
	    xennet_tx_ring_free(queue) >= XENNET_TX_MAX_RING_SLOTS &&
	    netif_running(queue->info->netdev))
		netif_tx_wake_queue(txq);
}

static void xennet_tx_count(struct xennet_queue *queue, struct sk_buff *skb)
{
	struct xennet_stats *s = &queue->stats->tx;

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, skb->len);
	if (skb_is_gso(skb))
		u64_stats_inc(&s->gso);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		u64_stats_inc(&s->csum);
	u64_stats_update_end(&s->syncp);
}

/* Whether @skb can cross the ring at all, after linearising if need be. */
static bool xennet_tx_fits(struct xennet_queue *queue, struct sk_buff *skb)
{
	if (skb->len > XEN_NETIF_MAX_TX_SIZE || skb->len < ETH_HLEN)
		return false;
	if (skb_is_gso(skb) &&
	    !(skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)))
		return false;
	if (!queue->info->trusted ||
	    xennet_tx_count_slots(skb) <= XENNET_MAX_DATA_SLOTS)
		return true;
	if (skb_linearize(skb))
		return false;
	xennet_stat_add(&queue->stats->tx, &queue->stats->tx.linearized, 1);
	return xennet_tx_count_slots(skb) <= XENNET_MAX_DATA_SLOTS;
}

static void xennet_tx_push(struct xennet_queue *queue)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&queue->tx, notify);
	if (notify)
		xenpv_evtchn_notify(queue->tx_evtchn);
}

netdev_tx_t xennet_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct xennet_info *info = netdev_priv(dev);
	unsigned int qid = skb_get_queue_mapping(skb);
	struct xennet_queue *queue;
	struct netdev_queue *txq;
	unsigned long flags;
	bool consume;

	/* Disconnecting stops and drains the queues before the rings go. */
	if (unlikely(!READ_ONCE(info->connected) || READ_ONCE(info->broken) ||
		     qid >= info->nr_queues)) {
		atomic64_inc(&info->tx_dropped_unconnected);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	queue = &info->queues[qid];
	txq = netdev_get_tx_queue(dev, qid);
	if (unlikely(!xennet_tx_fits(queue, skb)))
		goto drop;

	spin_lock_irqsave(&queue->tx_lock, flags);
	if (unlikely(xennet_tx_ring_free(queue) < XENNET_TX_MAX_RING_SLOTS)) {
		/* The queue is stopped before this can happen; be safe. */
		netif_tx_stop_queue(txq);
		spin_unlock_irqrestore(&queue->tx_lock, flags);
		return NETDEV_TX_BUSY;
	}
	if (xennet_tx_queue_skb(queue, skb)) {
		spin_unlock_irqrestore(&queue->tx_lock, flags);
		goto drop;
	}
	xennet_tx_count(queue, skb);
	consume = !info->trusted;
	skb_tx_timestamp(skb);
	if (xennet_tx_ring_free(queue) < XENNET_TX_MAX_RING_SLOTS)
		netif_tx_stop_queue(txq);
	/* The batch ends here, or either we or BQL stopped the queue. */
	if (__netdev_tx_sent_queue(txq, skb->len, netdev_xmit_more()))
		xennet_tx_push(queue);
	/*
	 * Take the answers already there without waiting for their event:
	 * the skbs they free let the socket hand us more sooner (TCP small
	 * queues, a UDP send buffer).  @skb may be gone after this.
	 */
	if (xennet_tx_gc(queue)) {
		queue->tx_taken_by_xmit = true;
		xennet_tx_maybe_wake(queue);
	}
	spin_unlock_irqrestore(&queue->tx_lock, flags);
	if (consume)
		dev_consume_skb_any(skb);
	return NETDEV_TX_OK;

drop:
	xennet_stat_add(&queue->stats->tx, &queue->stats->tx.dropped, 1);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/**
 * xennet_tx_send_mcast() - ask the backend to add or drop a multicast address
 * @queue: the queue whose ring carries it (any; xennet uses the first)
 * @type: XEN_NETIF_EXTRA_TYPE_MCAST_ADD or XEN_NETIF_EXTRA_TYPE_MCAST_DEL
 * @addr: the Ethernet address
 *
 * A request with no data, followed by the extra-info slot that says what
 * to do; the backend answers it like a packet (netif.h).
 *
 * Return: 0 once on the ring; -EBUSY if the ring has no room to spare for
 * it right now; -ENOTCONN if the device is not connected.
 */
int xennet_tx_send_mcast(struct xennet_queue *queue, u8 type,
			 const u8 *addr)
{
	struct xen_netif_extra_info *extra;
	struct xen_netif_tx_request *req;
	unsigned long flags;
	unsigned int id;
	int rc = 0;

	spin_lock_irqsave(&queue->tx_lock, flags);
	if (!READ_ONCE(queue->info->connected) ||
	    READ_ONCE(queue->info->broken)) {
		rc = -ENOTCONN;
		goto out;
	}
	/* Leave the stack the room its largest packet needs. */
	if (xennet_tx_ring_free(queue) < XENNET_TX_MAX_RING_SLOTS + 2 ||
	    !queue->tx_nr_free) {
		rc = -EBUSY;
		goto out;
	}
	id = queue->tx_free[--queue->tx_nr_free];
	queue->tx_inflight[id] = true;
	queue->tx_slots[id] = (struct xennet_tx_slot){ .mcast = true };

	req = RING_GET_REQUEST(&queue->tx, queue->tx.req_prod_pvt++);
	*req = (struct xen_netif_tx_request){ .id = id,
					      .flags = XEN_NETTXF_extra_info };
	extra = (struct xen_netif_extra_info *)
		RING_GET_REQUEST(&queue->tx, queue->tx.req_prod_pvt++);
	*extra = (struct xen_netif_extra_info){ .type = type };
	ether_addr_copy(extra->u.mcast.addr, addr);
	xennet_tx_push(queue);
out:
	spin_unlock_irqrestore(&queue->tx_lock, flags);
	return rc;
}

irqreturn_t xennet_tx_interrupt(evtchn_port_t port, void *data)
{
	struct xennet_queue *queue = data;
	unsigned long flags;
	bool work;

	spin_lock_irqsave(&queue->tx_lock, flags);
	work = xennet_tx_gc(queue);
	/*
	 * An event whose answers start_xmit took first is no storm.  Only
	 * the first event after such a take is excused: a backend raising
	 * events with nothing behind them is still caught once it raises
	 * evtchn.c's threshold of them between two takes.
	 */
	if (!work && queue->tx_taken_by_xmit)
		work = true;
	queue->tx_taken_by_xmit = false;
	if (work)
		xennet_tx_maybe_wake(queue);
	spin_unlock_irqrestore(&queue->tx_lock, flags);
	return work ? IRQ_HANDLED : IRQ_NONE;
}

/* Ends a data slot's grant and frees what it held; false if still mapped. */
static bool xennet_tx_release_data(struct xennet_tx_slot *slot)
{
	if (slot->bounce) {
		xenpv_gnttab_end_and_free(slot->ref, slot->bounce);
		return true;
	}
	if (!xenpv_gnttab_end(slot->ref))
		return false;
	dev_kfree_skb_any(slot->skb);
	return true;
}

/*
 * After the event channel is gone: take back every id still in flight.
 * A grant the backend still maps keeps its skb or page for good, never
 * freed under it (XSA-396).
 */
void xennet_tx_release_all(struct xennet_queue *queue)
{
	struct xennet_tx_slot *slot;
	unsigned int id, kept = 0;

	for (id = 0; id < XENNET_TX_RING_SIZE; id++) {
		if (!queue->tx_inflight[id])
			continue;
		slot = &queue->tx_slots[id];
		if (!slot->mcast && !xennet_tx_release_data(slot)) {
			kept++;
			continue;
		}
		*slot = (struct xennet_tx_slot){ 0 };
		queue->tx_inflight[id] = false;
		queue->tx_free[queue->tx_nr_free++] = id;
	}
	if (kept)
		netdev_warn(queue->info->netdev,
			    "queue %u: backend still maps %u tx buffers; their memory is kept, not reused\n",
			    queue->id, kept);
}
