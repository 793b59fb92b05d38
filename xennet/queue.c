// SPDX-License-Identifier: GPL-2.0
/*
 * A queue's rings and event channels: made at each connect, published
 * in xenstore for the backend, and taken down at disconnect, in the order
 * that keeps every page until the backend has let go of it; and which
 * CPU sends on which queue.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>

#include "xennet.h"

/* One shared ring page, zeroed, granted to the backend. */
static void *xennet_ring_alloc(struct xennet_queue *queue, grant_ref_t *ref)
{
	void *sring = (void *)get_zeroed_page(GFP_KERNEL);

	if (!sring)
		return NULL;
	if (xenpv_grant_ring(queue->info->xdev, sring, 1, ref)) {
		free_page((unsigned long)sring);
		return NULL;
	}
	return sring;
}

static void xennet_ring_free(grant_ref_t ref, void *sring)
{
	if (sring)
		xenpv_gnttab_end_and_free(ref, virt_to_page(sring));
}

static int xennet_queue_evtchns(struct xennet_queue *queue)
{
	struct xennet_info *info = queue->info;
	struct xenpv_device *xdev = info->xdev;
	int rc;

	rc = xenpv_alloc_evtchn(xdev, &queue->tx_evtchn);
	if (rc)
		return rc;
	queue->rx_evtchn = queue->tx_evtchn;
	if (!info->feat.split_evtchn)
		return 0;
	rc = xenpv_alloc_evtchn(xdev, &queue->rx_evtchn);
	if (rc) {
		xenpv_evtchn_close(queue->tx_evtchn);
		queue->tx_evtchn = 0;
		queue->rx_evtchn = 0;
	}
	return rc;
}

/* Handlers last: an event may come as soon as a port is bound. */
static int xennet_queue_bind(struct xennet_queue *queue)
{
	struct xenpv_device *xdev = queue->info->xdev;
	bool split = queue->tx_evtchn != queue->rx_evtchn;
	int rc;

	/* Each queue's completions and NAPI run on a CPU of its own. */
	rc = xenpv_evtchn_bind_queue(queue->tx_evtchn,
				     split ? xennet_tx_interrupt :
					     xennet_interrupt,
				     queue, queue->name, queue->id);
	if (rc) {
		dev_err(&xdev->dev, "%s: binding event channel %u failed: %d\n",
			queue->name, queue->tx_evtchn, rc);
		return rc;
	}
	queue->tx_bound = true;
	if (!split)
		return 0;
	rc = xenpv_evtchn_bind_queue(queue->rx_evtchn, xennet_rx_interrupt,
				     queue, queue->name, queue->id);
	if (rc) {
		dev_err(&xdev->dev, "%s: binding rx event channel %u failed: %d\n",
			queue->name, queue->rx_evtchn, rc);
		return rc;
	}
	queue->rx_bound = true;
	return 0;
}

static int xennet_queue_init(struct xennet_info *info, unsigned int id)
{
	struct xennet_queue *queue = &info->queues[id];
	struct xen_netif_tx_sring *txs;
	struct xen_netif_rx_sring *rxs;

	queue->info = info;
	queue->id = id;
	queue->stats = &info->stats[id];
	snprintf(queue->name, sizeof(queue->name), "%s-q%u",
		 info->netdev->name, id);
	xennet_tx_init(queue);
	/* A new ring: nothing of the old one will be answered. */
	netdev_tx_reset_queue(netdev_get_tx_queue(info->netdev, id));
	timer_setup(&queue->refill_timer, xennet_refill_timeout, 0);
	XENPV_NETIF_NAPI_ADD(info->netdev, &queue->napi, xennet_poll);
	queue->napi_added = true;

	txs = xennet_ring_alloc(queue, &queue->tx_ring_ref);
	if (!txs)
		goto nomem;
	SHARED_RING_INIT(txs);
	FRONT_RING_INIT(&queue->tx, txs, PAGE_SIZE);
	rxs = xennet_ring_alloc(queue, &queue->rx_ring_ref);
	if (!rxs)
		goto nomem;
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&queue->rx, rxs, PAGE_SIZE);
	if (xennet_queue_evtchns(queue))
		return -EIO;
	/* Buffers before the backend can look: it may answer at once. */
	xennet_rx_refill(queue, GFP_KERNEL);
	return xennet_queue_bind(queue);
nomem:
	dev_err(&info->xdev->dev, "%s: no memory or grant for a ring\n",
		queue->name);
	return -ENOMEM;
}

static void xennet_queue_destroy(struct xennet_queue *queue)
{
	if (queue->rx_bound)
		xenpv_evtchn_unbind(queue->rx_evtchn);
	if (queue->tx_bound)
		xenpv_evtchn_unbind(queue->tx_evtchn);
	/* No handler runs from here on; NAPI is disabled or never was. */
	timer_delete_sync(&queue->refill_timer);
	if (queue->napi_added)
		netif_napi_del(&queue->napi);
	if (queue->rx_evtchn && queue->rx_evtchn != queue->tx_evtchn)
		xenpv_evtchn_close(queue->rx_evtchn);
	if (queue->tx_evtchn)
		xenpv_evtchn_close(queue->tx_evtchn);
	if (queue->tx.sring)
		xennet_tx_release_all(queue);
	if (queue->rx.sring)
		xennet_rx_release_all(queue);
	xennet_ring_free(queue->tx_ring_ref, queue->tx.sring);
	xennet_ring_free(queue->rx_ring_ref, queue->rx.sring);
}

/*
 * After a restore, under rtnl_lock: the ports are gone with the old
 * domain, and their numbers may be someone else's now.  Destroy must
 * neither unbind nor close them.
 */
void xennet_queues_forget_evtchns(struct xennet_info *info)
{
	struct xennet_queue *queue;
	unsigned int i;

	for (i = 0; i < info->nr_queues; i++) {
		queue = &info->queues[i];
		queue->tx_bound = false;
		queue->rx_bound = false;
		queue->tx_evtchn = 0;
		queue->rx_evtchn = 0;
	}
}

/**
 * xennet_queues_create() - make @nr queues with rings full of rx buffers
 * @info: the device, not connected, under rtnl_lock
 * @nr: how many
 *
 * Return: 0, or an errno after xenpv_dev_fatal() and with nothing left.
 */
int xennet_queues_create(struct xennet_info *info, unsigned int nr)
{
	unsigned int i;
	int rc = 0;

	info->queues = kvcalloc(nr, sizeof(*info->queues), GFP_KERNEL);
	if (!info->queues) {
		xenpv_dev_fatal(info->xdev, -ENOMEM, "allocating %u queues",
				nr);
		return -ENOMEM;
	}
	info->nr_queues = nr;
	for (i = 0; i < nr && !rc; i++)
		rc = xennet_queue_init(info, i);
	if (rc) {
		xenpv_dev_fatal(info->xdev, rc, "setting up queue %u", i - 1);
		xennet_queues_destroy(info);
	}
	return rc;
}

/* Takes every queue down; the device is not connected, rtnl_lock held. */
void xennet_queues_destroy(struct xennet_info *info)
{
	unsigned int i;

	if (!info->queues)
		return;
	for (i = 0; i < info->nr_queues; i++)
		xennet_queue_destroy(&info->queues[i]);
	kvfree(info->queues);
	info->queues = NULL;
	info->nr_queues = 0;
}

/* A queue's keys, in @dir: the device node, or its queue-N/ below it. */
static int xennet_queue_publish_tx(u32 tx, const char *dir,
				   struct xennet_queue *queue)
{
	int rc;

	rc = xenpv_xs_printf(tx, dir, "tx-ring-ref", "%u", queue->tx_ring_ref);
	if (!rc)
		rc = xenpv_xs_printf(tx, dir, "rx-ring-ref", "%u",
				     queue->rx_ring_ref);
	if (rc || queue->tx_evtchn == queue->rx_evtchn)
		return rc ?: xenpv_xs_printf(tx, dir, "event-channel", "%u",
					     queue->tx_evtchn);
	rc = xenpv_xs_printf(tx, dir, "event-channel-tx", "%u",
			     queue->tx_evtchn);
	return rc ?: xenpv_xs_printf(tx, dir, "event-channel-rx", "%u",
				     queue->rx_evtchn);
}

/* What we offer the backend: the same for every connect. */
static const char *const xennet_front_features[] = {
	"request-rx-copy", "feature-rx-notify", "feature-sg",
	"feature-gso-tcpv4", "feature-gso-tcpv6",
	"feature-ipv6-csum-offload",
};

static int xennet_publish_tx(u32 tx, void *arg)
{
	struct xennet_info *info = arg;
	const char *node = info->xdev->nodename;
	unsigned int i;
	char *dir;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(xennet_front_features) && !rc; i++)
		rc = xenpv_xs_write(tx, node, xennet_front_features[i], "1");
	if (rc)
		return rc;
	if (info->nr_queues == 1)
		return xennet_queue_publish_tx(tx, node, &info->queues[0]);
	rc = xenpv_xs_printf(tx, node, "multi-queue-num-queues", "%u",
			     info->nr_queues);
	for (i = 0; i < info->nr_queues && !rc; i++) {
		dir = kasprintf(GFP_KERNEL, "%s/queue-%u", node, i);
		if (!dir)
			return -ENOMEM;
		rc = xennet_queue_publish_tx(tx, dir, &info->queues[i]);
		kfree(dir);
	}
	return rc;
}

/* Tells the backend about every queue, in one transaction. */
int xennet_queues_publish(struct xennet_info *info)
{
	int rc = xenpv_xs_transact(xennet_publish_tx, info);

	if (rc)
		xenpv_dev_fatal(info->xdev, rc, "writing ring and event channel keys to %s",
				info->xdev->nodename);
	return rc;
}

static const char *const xennet_queue_keys[] = {
	"tx-ring-ref", "rx-ring-ref", "event-channel", "event-channel-tx",
	"event-channel-rx",
};

/*
 * Takes the ring keys back out of xenstore at disconnect, so no backend
 * ever reads grant references that may by then name other pages.
 */
void xennet_queues_unpublish(struct xennet_info *info)
{
	const char *node = info->xdev->nodename;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xennet_queue_keys); i++)
		xenpv_xs_rm(XENPV_XS_NO_TX, node, xennet_queue_keys[i]);
	xenpv_xs_rm_queues(XENPV_XS_NO_TX, node, XENNET_MAX_QUEUES);
}

/*
 * Transmit steering (XPS): a CPU sends on the queue whose events it
 * takes (xenpv_evtchn_bind_queue() put queue N's ports on a CPU of its
 * own), so a packet's completion frees it on the CPU that sent it and
 * never wakes another vCPU just for that.  Under rtnl_lock, once the
 * queues are bound and their number is set; it replaces any earlier
 * setting, the user's included, as each connect makes new rings.
 */
void xennet_queues_steer(struct xennet_info *info)
{
	struct xennet_queue *queue;
	unsigned int i;
	int cpu, rc;

	for (i = 0; i < info->nr_queues; i++) {
		queue = &info->queues[i];
		cpu = xenpv_evtchn_cpu_of(queue->tx_evtchn);
		if (cpu < 0)
			continue;
		rc = netif_set_xps_queue(info->netdev, cpumask_of(cpu), i);
		if (rc)
			netdev_warn(info->netdev, "%s: transmit steering to CPU %d failed: %d\n",
				    queue->name, cpu, rc);
	}
}
