// SPDX-License-Identifier: GPL-2.0
/*
 * The control ring (netif.h, "feature-ctrl-ring") and receive-side
 * hashing over it: xennet gives the backend a Toeplitz key and a table
 * from hash to queue, so each flow's packets arrive on one queue, spread
 * over all of them, each with its hash for the stack (RPS, sockets).
 *
 * The ring is made with the queues and published before Connected; the
 * requests go once the backend is Connected (it binds its end of the event
 * channel only then), one at a time from a work item, each answered or
 * given up after a timeout.  Key and table travel in a page granted
 * read-only for one request and ended after its answer.  A backend that
 * answers wrongly or not at all only loses us the hashing, never the
 * device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/wait.h>

#include "xennet.h"

#define XENNET_CTRL_TIMEOUT	(5 * HZ)

static const char *xennet_ctrl_type_str(u16 type)
{
	switch (type) {
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		return "set hash algorithm";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		return "set hash flags";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		return "set hash key";
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
		return "get hash mapping size";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		return "set hash mapping size";
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		return "set hash mapping";
	}
	return "?";
}

/* Answers on the ring, each copied once, then checked.  ctrl->lock held. */
static void xennet_ctrl_take_responses(struct xennet_ctrl *ctrl)
{
	struct xen_netif_ctrl_response rsp;
	RING_IDX rp;
	int more;

	do {
		rp = READ_ONCE(ctrl->ring.sring->rsp_prod);
		virt_rmb();	/* the responses, after the index */
		if (rp - ctrl->ring.rsp_cons >
		    ctrl->ring.req_prod_pvt - ctrl->ring.rsp_cons) {
			ctrl->dead = true;	/* answers to nothing asked */
			return;
		}
		for (; ctrl->ring.rsp_cons != rp; ctrl->ring.rsp_cons++) {
			RING_COPY_RESPONSE(&ctrl->ring, ctrl->ring.rsp_cons,
					   &rsp);
			if (!ctrl->waiting || rsp.id != ctrl->id ||
			    rsp.type != ctrl->type) {
				ctrl->dead = true;
				continue;
			}
			ctrl->rsp = rsp;
			ctrl->waiting = false;
		}
		/* Asks for an event at the next answer, then looks again. */
		RING_FINAL_CHECK_FOR_RESPONSES(&ctrl->ring, more);
	} while (more);
}

static irqreturn_t xennet_ctrl_interrupt(evtchn_port_t port, void *data)
{
	struct xennet_ctrl *ctrl = data;
	unsigned long flags;

	spin_lock_irqsave(&ctrl->lock, flags);
	xennet_ctrl_take_responses(ctrl);
	spin_unlock_irqrestore(&ctrl->lock, flags);
	wake_up(&ctrl->wq);
	return IRQ_HANDLED;
}

static bool xennet_ctrl_answered(struct xennet_ctrl *ctrl)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&ctrl->lock, flags);
	done = !ctrl->waiting || ctrl->dead;
	spin_unlock_irqrestore(&ctrl->lock, flags);
	return done;
}

/**
 * xennet_ctrl_call() - one request on the control ring, and its answer
 * @info: the device; rtnl held, so requests never overlap
 * @type: XEN_NETIF_CTRL_TYPE_*
 * @d0: the request's first data word
 * @d1: its second
 * @d2: its third
 * @data: the answer's data word, or NULL
 *
 * Return: 0 on XEN_NETIF_CTRL_STATUS_SUCCESS; -EOPNOTSUPP, -EINVAL or
 * -ENOSPC for the other statuses; -EIO once the ring is unusable (a
 * wrong answer, or none in time), logged once.
 */
static int xennet_ctrl_call(struct xennet_info *info, u16 type, u32 d0,
			    u32 d1, u32 d2, u32 *data)
{
	struct xennet_ctrl *ctrl = &info->ctrl;
	struct xen_netif_ctrl_request *req;
	unsigned long flags;
	int notify;

	if (ctrl->dead)
		return -EIO;
	spin_lock_irqsave(&ctrl->lock, flags);
	ctrl->id++;
	ctrl->type = type;
	ctrl->waiting = true;
	req = RING_GET_REQUEST(&ctrl->ring, ctrl->ring.req_prod_pvt++);
	*req = (struct xen_netif_ctrl_request){ .id = ctrl->id, .type = type,
						.data = { d0, d1, d2 } };
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ctrl->ring, notify);
	spin_unlock_irqrestore(&ctrl->lock, flags);
	if (notify)
		xenpv_evtchn_notify(ctrl->evtchn);

	wait_event_timeout(ctrl->wq, xennet_ctrl_answered(ctrl),
			   XENNET_CTRL_TIMEOUT);
	spin_lock_irqsave(&ctrl->lock, flags);
	if (ctrl->waiting || ctrl->dead) {
		ctrl->dead = true;
		spin_unlock_irqrestore(&ctrl->lock, flags);
		netdev_err(info->netdev, "control ring: %s: %s; no receive hashing\n",
			   xennet_ctrl_type_str(type),
			   ctrl->waiting ? "no answer in 5 s" : "a wrong answer");
		return -EIO;
	}
	spin_unlock_irqrestore(&ctrl->lock, flags);
	if (data)
		*data = ctrl->rsp.data;
	switch (ctrl->rsp.status) {
	case XEN_NETIF_CTRL_STATUS_SUCCESS:
		return 0;
	case XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER:
		return -EINVAL;
	case XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW:
		return -ENOSPC;
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * A request whose data is in a page granted read-only for its duration.
 * If the backend keeps the grant, the page is left to it (never reused).
 */
static int xennet_ctrl_call_page(struct xennet_info *info, u16 type,
				 const void *buf, size_t len, u32 d1, u32 d2)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int ref, rc;

	if (!page)
		return -ENOMEM;
	memcpy(page_address(page), buf, len);
	ref = xenpv_gnttab_grant(info->xdev->otherend_id, page_to_pfn(page),
				 true);
	if (ref < 0) {
		__free_page(page);
		return ref;
	}
	rc = xennet_ctrl_call(info, type, ref, d1, d2, NULL);
	xenpv_gnttab_end_and_free(ref, page);
	return rc;
}

/* Whether the table set with ethtool still fits the connection. */
static bool xennet_table_fits(struct xennet_info *info, u32 size)
{
	const struct xennet_ctrl *ctrl = &info->ctrl;
	u32 i;

	if (size != ctrl->table_size)
		return false;
	for (i = 0; i < size; i++)
		if (ctrl->table[i] >= info->nr_queues)
			return false;
	return true;
}

static int xennet_hash_send_table(struct xennet_info *info)
{
	struct xennet_ctrl *ctrl = &info->ctrl;

	return xennet_ctrl_call_page(info, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
				     ctrl->table,
				     ctrl->table_size * sizeof(u32),
				     ctrl->table_size, 0);
}

static int xennet_hash_send_key(struct xennet_info *info)
{
	struct xennet_ctrl *ctrl = &info->ctrl;

	return xennet_ctrl_call_page(info, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
				     ctrl->key, sizeof(ctrl->key),
				     sizeof(ctrl->key), 0);
}

static int xennet_hash_set_table(struct xennet_info *info)
{
	struct xennet_ctrl *ctrl = &info->ctrl;
	u32 max = 0, i;
	int rc;

	rc = xennet_ctrl_call(info, XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE,
			      0, 0, 0, &max);
	if (rc)
		return rc;
	max = min_t(u32, max, XENNET_HASH_TABLE_SIZE);
	if (!xennet_table_fits(info, max))
		ctrl->user_table = false;
	ctrl->table_size = max;
	if (!ctrl->table_size)
		return 0;	/* the backend maps by hash % queues */
	for (i = 0; i < ctrl->table_size && !ctrl->user_table; i++)
		ctrl->table[i] = ethtool_rxfh_indir_default(i, info->nr_queues);
	rc = xennet_ctrl_call(info, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE,
			      ctrl->table_size, 0, 0, NULL);
	if (rc)
		return rc;
	return xennet_hash_send_table(info);
}

/* Toeplitz over addresses and TCP ports, our key, our table. */
static int xennet_hash_setup(struct xennet_info *info)
{
	struct xennet_ctrl *ctrl = &info->ctrl;
	int rc;

	rc = xennet_ctrl_call(info, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
			      XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0,
			      NULL);
	if (rc)
		return rc;
	rc = xennet_ctrl_call(info, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
			      XEN_NETIF_CTRL_HASH_TYPE_IPV4 |
			      XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP |
			      XEN_NETIF_CTRL_HASH_TYPE_IPV6 |
			      XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP, 0, 0, NULL);
	if (rc)
		return rc;
	if (!ctrl->user_key)
		netdev_rss_key_fill(ctrl->key, sizeof(ctrl->key));
	rc = xennet_hash_send_key(info);
	if (rc)
		return rc;
	return xennet_hash_set_table(info);
}

static void xennet_ctrl_work(struct work_struct *work)
{
	struct xennet_info *info = container_of(work, struct xennet_info,
						ctrl.work);
	int rc;

	rtnl_lock();
	if (!info->ctrl.ring.sring || !info->connected || info->broken)
		goto out;
	rc = xennet_hash_setup(info);
	info->ctrl.hashing = !rc;
	if (rc) {
		netdev_warn(info->netdev, "control ring: receive hashing not set up: %d\n",
			    rc);
		/* Back to the backend's own choice of queue, if it listens. */
		if (rc != -EIO)
			xennet_ctrl_call(info,
					 XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
					 XEN_NETIF_CTRL_HASH_ALGORITHM_NONE,
					 0, 0, NULL);
		goto out;
	}
	netdev_info(info->netdev, "control ring: Toeplitz receive hashing, %u-entry table over %u queue%s\n",
		    info->ctrl.table_size, info->nr_queues,
		    info->nr_queues == 1 ? "" : "s");
out:
	rtnl_unlock();
}

void xennet_ctrl_init(struct xennet_info *info)
{
	spin_lock_init(&info->ctrl.lock);
	init_waitqueue_head(&info->ctrl.wq);
	INIT_WORK(&info->ctrl.work, xennet_ctrl_work);
}

static int xennet_ctrl_publish(struct xennet_info *info)
{
	struct xennet_ctrl *ctrl = &info->ctrl;
	const char *node = info->xdev->nodename;
	int rc;

	rc = xenpv_xs_printf(XENPV_XS_NO_TX, node, "ctrl-ring-ref", "%u",
			     ctrl->ring_ref);
	if (!rc)
		rc = xenpv_xs_printf(XENPV_XS_NO_TX, node,
				     "event-channel-ctrl", "%u", ctrl->evtchn);
	if (rc)
		dev_err(&info->xdev->dev, "%s: writing ctrl-ring-ref and event-channel-ctrl failed: %d\n",
			node, rc);
	return rc;
}

/**
 * xennet_ctrl_create() - the control ring, if the backend has one
 * @info: the device, connecting, rtnl held
 *
 * Without it the device works as well, unhashed: failures are logged and
 * leave no ring.
 */
void xennet_ctrl_create(struct xennet_info *info)
{
	struct xennet_ctrl *ctrl = &info->ctrl;
	struct xen_netif_ctrl_sring *sring;

	ctrl->dead = false;
	ctrl->hashing = false;
	ctrl->waiting = false;
	if (!info->feat.ctrl_ring)
		return;
	sring = (void *)get_zeroed_page(GFP_KERNEL);
	if (!sring)
		return;
	if (xenpv_grant_ring(info->xdev, sring, 1, &ctrl->ring_ref)) {
		free_page((unsigned long)sring);
		return;
	}
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&ctrl->ring, sring, PAGE_SIZE);
	if (xenpv_alloc_evtchn(info->xdev, &ctrl->evtchn))
		goto free_ring;
	snprintf(ctrl->name, sizeof(ctrl->name), "%s-ctrl",
		 info->netdev->name);
	if (xenpv_evtchn_bind(ctrl->evtchn, xennet_ctrl_interrupt, ctrl,
			      ctrl->name))
		goto close;
	if (xennet_ctrl_publish(info)) {
		xenpv_evtchn_unbind(ctrl->evtchn);
		goto close;
	}
	return;
close:
	xenpv_evtchn_close(ctrl->evtchn);
free_ring:
	xenpv_gnttab_end_and_free(ctrl->ring_ref, virt_to_page(sring));
	ctrl->ring.sring = NULL;
	netdev_warn(info->netdev, "control ring not set up; no receive hashing\n");
}

/* Once the backend is Connected: hashing, from the work. */
void xennet_ctrl_start(struct xennet_info *info)
{
	if (info->ctrl.ring.sring)
		schedule_work(&info->ctrl.work);
}

/* After a restore, rtnl held: the port is gone (see xennet_resume()). */
void xennet_ctrl_forget_evtchn(struct xennet_info *info)
{
	info->ctrl.evtchn = 0;
}

/* At disconnect, rtnl held: the keys first, then the ring. */
void xennet_ctrl_destroy(struct xennet_info *info)
{
	struct xennet_ctrl *ctrl = &info->ctrl;
	const char *node = info->xdev->nodename;

	if (!ctrl->ring.sring)
		return;
	xenpv_xs_rm(XENPV_XS_NO_TX, node, "ctrl-ring-ref");
	xenpv_xs_rm(XENPV_XS_NO_TX, node, "event-channel-ctrl");
	if (ctrl->evtchn) {
		xenpv_evtchn_unbind(ctrl->evtchn);
		xenpv_evtchn_close(ctrl->evtchn);
	}
	xenpv_gnttab_end_and_free(ctrl->ring_ref,
				  virt_to_page(ctrl->ring.sring));
	ctrl->ring.sring = NULL;
	ctrl->hashing = false;
}

/**
 * xennet_ctrl_set_key() - a new Toeplitz key, from ethtool -X
 * @info: the device, hashing, rtnl held
 * @key: XENNET_HASH_KEY_SIZE bytes
 *
 * Kept for later reconnects.  Return: 0, or what the backend said.
 */
int xennet_ctrl_set_key(struct xennet_info *info, const u8 *key)
{
	memcpy(info->ctrl.key, key, sizeof(info->ctrl.key));
	info->ctrl.user_key = true;
	return xennet_hash_send_key(info);
}

/**
 * xennet_ctrl_set_table() - a new hash-to-queue table, from ethtool -X
 * @info: the device, hashing, rtnl held
 * @table: table_size queue numbers, each below nr_queues
 *
 * Kept for later reconnects with as many queues.  Return: 0, -EINVAL for
 * a queue that does not exist, or what the backend said.
 */
int xennet_ctrl_set_table(struct xennet_info *info, const u32 *table)
{
	struct xennet_ctrl *ctrl = &info->ctrl;
	u32 i;

	for (i = 0; i < ctrl->table_size; i++)
		if (table[i] >= info->nr_queues)
			return -EINVAL;
	memcpy(ctrl->table, table, ctrl->table_size * sizeof(u32));
	ctrl->user_table = true;
	return xennet_hash_send_table(info);
}
