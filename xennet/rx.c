// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path.  Every rx ring slot holds a page of ours, granted
 * writable to the backend, which copies a packet's bytes into as many
 * slots as it needs (rx-copy) and answers in ring order: the answer in
 * slot i belongs to the request in slot i, whose id is i & (size - 1).
 * NAPI takes the answers a packet at a time, copied out of the ring once
 * and judged by proto.c, then posts fresh pages in their place.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/etherdevice.h>
#include <linux/mm.h>
#include <linux/skbuff.h>

#include "xennet.h"

/* proto.c reads copies of ring slots through its own mirror of them. */
static_assert(sizeof(union xennet_rx_slot) ==
	      sizeof(struct xen_netif_rx_response));
static_assert(sizeof(struct xennet_extra) ==
	      sizeof(struct xen_netif_extra_info));
static_assert(offsetof(struct xennet_rx_rsp, status) ==
	      offsetof(struct xen_netif_rx_response, status));
static_assert(offsetof(struct xennet_extra, gso.type) ==
	      offsetof(struct xen_netif_extra_info, u.gso.type));
static_assert(offsetof(struct xennet_extra, hash.value) ==
	      offsetof(struct xen_netif_extra_info, u.hash.value));
static_assert(XEN_NETIF_EXTRA_TYPE_HASH == XENNET_EXTRA_TYPE_HASH);
static_assert(_XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP == XENNET_HASH_TYPE_IPV6_TCP);
static_assert(XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ ==
	      XENNET_HASH_ALG_TOEPLITZ);
static_assert(XEN_NETRXF_more_data == XENNET_RXF_MORE_DATA);
static_assert(XEN_NETRXF_extra_info == XENNET_RXF_EXTRA_INFO);
static_assert(XENNET_EXTRA_TYPE_GSO == XEN_NETIF_EXTRA_TYPE_GSO);
static_assert(XENNET_EXTRA_TYPE_MAX == XEN_NETIF_EXTRA_TYPE_MAX);
static_assert(XENNET_EXTRA_FLAG_MORE == XEN_NETIF_EXTRA_FLAG_MORE);
static_assert(XENNET_GSO_TYPE_TCPV4 == XEN_NETIF_GSO_TYPE_TCPV4);
static_assert(XENNET_GSO_TYPE_TCPV6 == XEN_NETIF_GSO_TYPE_TCPV6);
static_assert(XENNET_PAGE_SIZE == PAGE_SIZE);

#define XENNET_RX_MASK		(XENNET_RX_RING_SIZE - 1)
/* How soon a refill that found no memory or grant is tried again. */
#define XENNET_REFILL_RETRY	(HZ / 10)

/**
 * xennet_rx_refill() - post a page in every free rx slot
 * @queue: the queue
 * @gfp: GFP_ATOMIC from NAPI, GFP_KERNEL before the backend connects
 *
 * Called from NAPI or before the queue's event channel is bound, so never
 * twice at once.  Without memory or grants it posts what it could and
 * tries again from a timer: a starved ring only delays packets.
 */
void xennet_rx_refill(struct xennet_queue *queue, gfp_t gfp)
{
	domid_t backend = queue->info->xdev->otherend_id;
	RING_IDX prod = queue->rx.req_prod_pvt;
	struct xen_netif_rx_request *req;
	struct xennet_rx_buf *slot;
	struct page *page;
	int notify, ref;

	if (!queue->info->trusted)
		gfp |= __GFP_ZERO;	/* a writable grant is readable too */
	while (prod - queue->rx.rsp_cons < XENNET_RX_RING_SIZE) {
		page = alloc_page(gfp | __GFP_NOWARN);
		if (!page)
			goto starved;
		ref = xenpv_gnttab_grant(backend, page_to_pfn(page), false);
		if (ref < 0) {
			__free_page(page);
			goto starved;
		}
		slot = &queue->rx_slots[prod & XENNET_RX_MASK];
		slot->page = page;
		slot->ref = ref;
		req = RING_GET_REQUEST(&queue->rx, prod);
		req->id = prod & XENNET_RX_MASK;
		req->gref = ref;
		prod++;
	}
	goto push;
starved:
	xennet_stat_add(&queue->stats->rx, &queue->stats->rx.refill_fail, 1);
	mod_timer(&queue->refill_timer, jiffies + XENNET_REFILL_RETRY);
push:
	queue->rx.req_prod_pvt = prod;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&queue->rx, notify);
	if (notify)
		xenpv_evtchn_notify(queue->rx_evtchn);
}

void xennet_refill_timeout(struct timer_list *t)
{
	struct xennet_queue *queue = timer_container_of(queue, t,
							refill_timer);

	napi_schedule(&queue->napi);
}

/*
 * Takes the pages out of a packet's @nr slots from @cons on, grants ended.
 * False if the backend still maps one: that page stays its own for good,
 * and the device stops.
 */
static bool xennet_rx_take_pages(struct xennet_queue *queue, RING_IDX cons,
				 unsigned int nr, struct page **pages)
{
	struct xennet_rx_buf *slot;
	bool ok = true;
	unsigned int k;

	for (k = 0; k < nr; k++) {
		slot = &queue->rx_slots[(cons + k) & XENNET_RX_MASK];
		pages[k] = NULL;
		if (xenpv_gnttab_end(slot->ref))
			pages[k] = slot->page;
		else
			ok = false;
		slot->page = NULL;
	}
	return ok;
}

static void xennet_rx_free_pages(struct page **pages, unsigned int nr)
{
	unsigned int k;

	for (k = 0; k < nr; k++)
		if (pages[k])
			put_page(pages[k]);
}

/* Checksum and GSO state from the first slot's flags and the extra info. */
static int xennet_rx_offloads(struct xennet_queue *queue,
			      struct sk_buff *skb,
			      const struct xennet_rx_pkt *pkt)
{
	bool recalculate = false;

	if (pkt->flags & XEN_NETRXF_csum_blank)
		skb->ip_summed = CHECKSUM_PARTIAL;
	else if (pkt->flags & XEN_NETRXF_data_validated)
		skb->ip_summed = CHECKSUM_UNNECESSARY;

	if (pkt->gso_size) {
		skb_shinfo(skb)->gso_size = pkt->gso_size;
		skb_shinfo(skb)->gso_type = SKB_GSO_DODGY |
			(pkt->gso_type == XENNET_GSO_TYPE_TCPV6 ?
			 SKB_GSO_TCPV6 : SKB_GSO_TCPV4);
		skb_shinfo(skb)->gso_segs = 0;
		/* GSO needs a partial checksum; some backends forget it. */
		if (skb->ip_summed != CHECKSUM_PARTIAL) {
			skb->ip_summed = CHECKSUM_PARTIAL;
			recalculate = true;
		}
	}
	if (pkt->has_hash) {
		skb_set_hash(skb, pkt->hash, pkt->hash_l4 ? PKT_HASH_TYPE_L4 :
							    PKT_HASH_TYPE_L3);
		xennet_stat_add(&queue->stats->rx, &queue->stats->rx.hash, 1);
	}
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return 0;
	skb_reset_network_header(skb);
	return skb_checksum_setup(skb, recalculate);
}

static void xennet_rx_count(struct xennet_queue *queue, struct sk_buff *skb,
			    unsigned int len)
{
	struct xennet_stats *s = &queue->stats->rx;

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, len);
	if (skb_is_gso(skb))
		u64_stats_inc(&s->gso);
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		u64_stats_inc(&s->csum);
	u64_stats_update_end(&s->syncp);
}

/* One packet, judged @verdict, from the slots at @cons on: to the stack. */
static void xennet_rx_packet(struct xennet_queue *queue, RING_IDX cons,
			     const struct xennet_rx_pkt *pkt,
			     enum xennet_rx_verdict verdict)
{
	struct net_device *dev = queue->info->netdev;
	struct page *pages[XENNET_MAX_RUN];
	struct sk_buff *skb = NULL;
	unsigned int i, slot;

	if (!xennet_rx_take_pages(queue, cons, pkt->nr_slots, pages)) {
		netdev_err(dev, "queue %u: an answered rx buffer is still mapped by the backend\n",
			   queue->id);
		xennet_broken(queue, "rx grant still mapped after its answer");
		goto free;
	}
	if (verdict != XENNET_RX_OK) {
		net_dbg_ratelimited("%s: queue %u: rx packet dropped: %s\n",
				    dev->name, queue->id,
				    xennet_rx_verdict_str(verdict));
		xennet_stat_add(&queue->stats->rx, &queue->stats->rx.errors, 1);
		goto free;
	}
	skb = napi_alloc_skb(&queue->napi, XENNET_RX_PULL);
	if (!skb) {
		xennet_stat_add(&queue->stats->rx, &queue->stats->rx.dropped, 1);
		goto free;
	}
	for (i = 0; i < pkt->nr_frags; i++) {
		slot = pkt->frag[i].slot;
		skb_add_rx_frag(skb, i, pages[slot], pkt->frag[i].offset,
				pkt->frag[i].len, PAGE_SIZE);
		pages[slot] = NULL;
	}
	/* The headers in the head, where the stack looks for them. */
	if (!__pskb_pull_tail(skb, min_t(unsigned int, pkt->len,
					 XENNET_RX_PULL)))
		goto drop;
	skb->protocol = eth_type_trans(skb, dev);
	if (xennet_rx_offloads(queue, skb, pkt)) {
		xennet_stat_add(&queue->stats->rx, &queue->stats->rx.errors, 1);
		goto drop;
	}
	xennet_rx_count(queue, skb, pkt->len);
	napi_gro_receive(&queue->napi, skb);
	skb = NULL;
	goto free;
drop:
	dev_kfree_skb_any(skb);
free:
	xennet_rx_free_pages(pages, pkt->nr_slots);
}

/* Copies up to a packet's worth of slots from @cons on: once (XSA-155). */
static unsigned int xennet_rx_copy_run(struct xennet_queue *queue,
				       RING_IDX cons, RING_IDX rp,
				       union xennet_rx_slot *run)
{
	unsigned int k, n = min_t(unsigned int, rp - cons, XENNET_MAX_RUN);

	for (k = 0; k < n; k++)
		RING_COPY_RESPONSE(&queue->rx, cons + k,
				   (struct xen_netif_rx_response *)&run[k]);
	return n;
}

/*
 * The backend has produced part of a packet: ask for an event at its
 * next answer instead of at the one already there.
 */
static void xennet_rx_wait_rest(struct xennet_queue *queue, RING_IDX rp)
{
	queue->rx.sring->rsp_event = rp + 1;
	mb();	/* the new event index before the producer check */
	if (READ_ONCE(queue->rx.sring->rsp_prod) != rp)
		napi_schedule(&queue->napi);
}

int xennet_poll(struct napi_struct *napi, int budget)
{
	struct xennet_queue *queue = container_of(napi, struct xennet_queue,
						  napi);
	union xennet_rx_slot run[XENNET_MAX_RUN];
	enum xennet_rx_verdict verdict;
	bool incomplete = false;
	struct xennet_rx_pkt pkt;
	RING_IDX cons, rp;
	int done = 0, more;

	if (READ_ONCE(queue->info->broken)) {
		napi_complete(napi);
		return 0;
	}
	rp = READ_ONCE(queue->rx.sring->rsp_prod);
	virt_rmb();	/* the responses, after the index */
	cons = queue->rx.rsp_cons;
	if (rp - cons > queue->rx.req_prod_pvt - cons) {
		netdev_err(queue->info->netdev,
			   "queue %u: backend answered rx requests never made (producer %u, consumer %u, requests %u)\n",
			   queue->id, rp, cons, queue->rx.req_prod_pvt);
		xennet_broken(queue, "rx response producer overflow");
		napi_complete(napi);
		return 0;
	}
	while (done < budget && cons != rp) {
		verdict = xennet_rx_parse(run,
					  xennet_rx_copy_run(queue, cons, rp,
							     run),
					  cons, XENNET_RX_MASK, MAX_SKB_FRAGS,
					  &pkt);
		if (verdict == XENNET_RX_INCOMPLETE) {
			incomplete = true;
			break;
		}
		if (xennet_rx_verdict_fatal(verdict)) {
			netdev_err(queue->info->netdev,
				   "queue %u: bad rx response at %u: %s\n",
				   queue->id, cons,
				   xennet_rx_verdict_str(verdict));
			xennet_broken(queue, "bad rx response");
			napi_complete(napi);
			return done;
		}
		xennet_rx_packet(queue, cons, &pkt, verdict);
		cons += pkt.nr_slots;
		queue->rx.rsp_cons = cons;
		done++;
	}
	xennet_rx_refill(queue, GFP_ATOMIC);
	if (done < budget && napi_complete_done(napi, done)) {
		if (incomplete) {
			xennet_rx_wait_rest(queue, rp);
		} else {
			RING_FINAL_CHECK_FOR_RESPONSES(&queue->rx, more);
			if (more)
				napi_schedule(napi);
		}
	}
	return done;
}

irqreturn_t xennet_rx_interrupt(evtchn_port_t port, void *data)
{
	struct xennet_queue *queue = data;

	/* No answer waiting, or NAPI already on it: nothing for us here. */
	if (!RING_HAS_UNCONSUMED_RESPONSES(&queue->rx) ||
	    !napi_schedule_prep(&queue->napi))
		return IRQ_NONE;
	__napi_schedule(&queue->napi);
	return IRQ_HANDLED;
}

/* One event channel for both rings, when the backend cannot split. */
irqreturn_t xennet_interrupt(evtchn_port_t port, void *data)
{
	irqreturn_t tx = xennet_tx_interrupt(port, data);
	irqreturn_t rx = xennet_rx_interrupt(port, data);

	return tx == IRQ_HANDLED || rx == IRQ_HANDLED ? IRQ_HANDLED : IRQ_NONE;
}

/* After the event channel is gone: every posted page back. */
void xennet_rx_release_all(struct xennet_queue *queue)
{
	struct xennet_rx_buf *slot;
	unsigned int i;

	for (i = 0; i < XENNET_RX_RING_SIZE; i++) {
		slot = &queue->rx_slots[i];
		if (!slot->page)
			continue;
		/* Freed only once the backend has let go of it. */
		xenpv_gnttab_end_and_free(slot->ref, slot->page);
		slot->page = NULL;
	}
}
