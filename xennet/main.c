// SPDX-License-Identifier: GPL-2.0
/*
 * xennet: the Xen virtual network interface frontend (xen:vif), for guests
 * whose kernel's own Xen support is absent or switched off (xen_nopv).
 *
 * A vif's life, driven by the backend's state (otherend_changed):
 *
 *   probe               read mac and mtu, register ethN with no carrier
 *   backend InitWait    read the backend's features, make the queues
 *                       (tx and rx ring, event channels, rx buffers
 *                       posted), publish them, go Connected
 *   backend Connected   carrier on, tell the peers where we are (after
 *                       a migration the switch must learn it again),
 *                       set up receive hashing over the control ring
 *   backend Closing     carrier off, take the rings down once the backend
 *                       has let go of them, go Closed; a backend back in
 *                       InitWait connects again
 *   remove              ask the backend to let go, unregister ethN
 *   resume              after a restore: the rings of the old domain
 *                       dropped, then as from InitWait
 *
 * netdev.c is what the stack sees, queue.c the rings, tx.c and rx.c the
 * two directions, mcast.c the backend's multicast filter, ctrl.c the
 * control ring and receive hashing, ethtool.c the counters, proto.c the
 * protocol checks that need no kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "xennet.h"

static unsigned int xennet_max_queues = 4;
module_param_named(max_queues, xennet_max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "Most queues (ring pairs) per vif, 1-16, default 4; never more than online CPUs or the backend's multi-queue-max-queues");

static bool xennet_trusted = true;
module_param_named(trusted, xennet_trusted, bool, 0444);
MODULE_PARM_DESC(trusted, "Trust backends (default). With 0, or a vif's trusted key 0, packets are copied into pages of their own before the backend sees them, and rx pages are zeroed");

/* How long remove waits for a connected backend to let go of the rings. */
#define XENNET_CLOSE_TIMEOUT_MS	5000

static void xennet_broken_work(struct work_struct *work)
{
	struct xennet_info *info = container_of(work, struct xennet_info,
						broken_work);

	rtnl_lock();
	netif_carrier_off(info->netdev);
	netif_tx_disable(info->netdev);
	rtnl_unlock();
	xenpv_dev_fatal(info->xdev, -EPROTO,
			"%s: the backend broke the protocol (%s); the vif is stopped until it is re-attached",
			info->netdev->name, info->broken_why);
}

/**
 * xennet_broken() - stop a vif whose backend broke the protocol
 * @queue: where it happened
 * @why: what the backend did, for the log
 *
 * Any context.  Nothing more is read from or put on any ring; the device
 * is failed from process context.
 */
void xennet_broken(struct xennet_queue *queue, const char *why)
{
	struct xennet_info *info = queue->info;

	if (xchg(&info->broken, true))
		return;
	info->broken_why = why;
	schedule_work(&info->broken_work);
}

/* A backend feature flag: 0 when the key is absent. */
static unsigned int xennet_backend_uint(struct xennet_info *info,
					const char *key)
{
	unsigned int value = 0;

	if (xenpv_xs_read_uint(XENPV_XS_NO_TX, info->xdev->otherend, key,
			       &value))
		return 0;
	return value;
}

static int xennet_read_features(struct xennet_info *info)
{
	struct xennet_features *f = &info->feat;

	if (!xennet_backend_uint(info, "feature-rx-copy")) {
		xenpv_dev_fatal(info->xdev, -EOPNOTSUPP,
				"%s/feature-rx-copy is not 1: xennet needs a backend that copies received packets",
				info->xdev->otherend);
		return -EOPNOTSUPP;
	}
	f->sg = xennet_backend_uint(info, "feature-sg");
	f->gso_tcpv4 = xennet_backend_uint(info, "feature-gso-tcpv4");
	f->gso_tcpv6 = xennet_backend_uint(info, "feature-gso-tcpv6");
	f->ipv6_csum = xennet_backend_uint(info, "feature-ipv6-csum-offload");
	f->split_evtchn = xennet_backend_uint(info,
					      "feature-split-event-channels");
	f->max_queues = xennet_backend_uint(info, "multi-queue-max-queues");
	f->mcast_ctrl = xennet_backend_uint(info,
					    "feature-dynamic-multicast-control");
	f->ctrl_ring = xennet_backend_uint(info, "feature-ctrl-ring");
	return 0;
}

static unsigned int xennet_nr_queues(struct xennet_info *info)
{
	unsigned int nr = info->netdev->num_tx_queues;

	nr = min(nr, num_online_cpus());
	return clamp(min(nr, info->feat.max_queues), 1U, nr);
}

/* The rings, under rtnl_lock; true when the backend can be told. */
static bool xennet_connect_rings(struct xennet_info *info, unsigned int nr)
{
	struct net_device *dev = info->netdev;

	if (xennet_queues_create(info, nr))
		return false;
	if (xennet_queues_publish(info)) {
		xennet_queues_destroy(info);
		return false;
	}
	xennet_ctrl_create(info);
	netif_set_real_num_tx_queues(dev, nr);
	netif_set_real_num_rx_queues(dev, nr);
	xennet_queues_steer(info);
	if (!info->feat.sg && dev->mtu > ETH_DATA_LEN) {
		netdev_warn(dev, "backend has no feature-sg: MTU %u lowered to %u\n",
			    dev->mtu, ETH_DATA_LEN);
		dev_set_mtu(dev, ETH_DATA_LEN);
	}
	netdev_update_features(dev);
	WRITE_ONCE(info->connected, true);
	xennet_mcast_connect(info);
	if (netif_running(dev))
		xennet_queues_start(info);
	return true;
}

static void xennet_connect(struct xennet_info *info)
{
	struct net_device *dev = info->netdev;
	unsigned int nr;
	bool ok;

	if (xennet_read_features(info))
		return;
	nr = xennet_nr_queues(info);
	rtnl_lock();
	ok = xennet_connect_rings(info, nr);
	rtnl_unlock();
	if (!ok)
		return;
	xenpv_switch_state(info->xdev, XenbusStateConnected);
	netdev_info(dev, "%s: %u queue%s%s, sg %d, tso %d/%d, ipv6 csum %d, multicast filter %d, ctrl ring %d%s\n",
		    info->xdev->nodename, nr, nr == 1 ? "" : "s",
		    info->feat.split_evtchn ? " (split events)" : "",
		    info->feat.sg, info->feat.gso_tcpv4, info->feat.gso_tcpv6,
		    info->feat.ipv6_csum, info->feat.mcast_ctrl,
		    !!info->ctrl.ring.sring,
		    info->trusted ? "" : ", untrusted backend: bouncing");
}

static void xennet_disconnect(struct xennet_info *info)
{
	struct net_device *dev = info->netdev;

	rtnl_lock();
	netif_carrier_off(dev);
	if (info->connected) {
		WRITE_ONCE(info->connected, false);
		if (netif_running(dev))
			xennet_queues_stop(info);
	}
	xennet_ctrl_destroy(info);
	if (info->queues) {
		xennet_queues_unpublish(info);
		xennet_queues_destroy(info);
	}
	rtnl_unlock();
}

static void xennet_backend_changed(struct xenpv_device *xdev,
				   enum xenbus_state state)
{
	struct xennet_info *info = dev_get_drvdata(&xdev->dev);

	switch (state) {
	case XenbusStateInitWait:
		if (!info->queues && !info->broken &&
		    (xdev->state == XenbusStateInitialising ||
		     xdev->state == XenbusStateClosed))
			xennet_connect(info);
		break;
	case XenbusStateConnected:
		if (!info->connected || netif_carrier_ok(info->netdev))
			break;
		netif_carrier_on(info->netdev);
		xennet_ctrl_start(info);
		/* Gratuitous ARP and IPv6 NA: the switch may have moved. */
		netdev_notify_peers(info->netdev);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:
		xennet_disconnect(info);
		if (xdev->state != XenbusStateClosed)
			xenpv_switch_state(xdev, XenbusStateClosed);
		break;
	default:
		break;
	}
}

/*
 * After a restore: the rings' ports died with the old domain and are
 * forgotten, not closed; their grants read as unused now, so taking the
 * rings down frees their pages at once.  Packets on the rings are lost,
 * as on a cable pulled and plugged back.  The new backend's InitWait
 * connects us again, and Connected tells the switch where we are.
 */
static int xennet_resume(struct xenpv_device *xdev)
{
	struct xennet_info *info = dev_get_drvdata(&xdev->dev);

	rtnl_lock();
	xennet_queues_forget_evtchns(info);
	xennet_ctrl_forget_evtchn(info);
	rtnl_unlock();
	xennet_disconnect(info);
	return 0;
}

/* Whether the backend says trusted=0 for this vif (frontend key). */
static bool xennet_read_trusted(struct xenpv_device *xdev)
{
	unsigned int trusted;

	if (!xennet_trusted)
		return false;
	if (xenpv_xs_read_uint(XENPV_XS_NO_TX, xdev->nodename, "trusted",
			       &trusted))
		return true;
	return trusted != 0;
}

static int xennet_probe(struct xenpv_device *xdev,
			const struct xenpv_device_id *id)
{
	unsigned int max = clamp(xennet_max_queues, 1U, XENNET_MAX_QUEUES);
	struct xennet_info *info;
	struct net_device *dev;
	unsigned int q;
	int rc;

	dev = xennet_alloc_netdev(xdev, max);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	info = netdev_priv(dev);
	info->stats = kcalloc(max, sizeof(*info->stats), GFP_KERNEL);
	if (!info->stats) {
		free_netdev(dev);
		return -ENOMEM;
	}
	for (q = 0; q < max; q++) {
		u64_stats_init(&info->stats[q].tx.syncp);
		u64_stats_init(&info->stats[q].rx.syncp);
	}
	info->trusted = xennet_read_trusted(xdev);
	INIT_WORK(&info->broken_work, xennet_broken_work);
	xennet_mcast_init(info);
	xennet_ctrl_init(info);
	dev_set_drvdata(&xdev->dev, info);

	rc = register_netdev(dev);
	if (rc) {
		dev_err(&xdev->dev, "%s: register_netdev failed: %d\n",
			xdev->nodename, rc);
		kfree(info->stats);
		free_netdev(dev);
		return rc;
	}
	netdev_info(dev, "%s, MAC %pM\n", xdev->nodename, dev->dev_addr);
	return 0;
}

/* Asks a connected backend to let go of our rings, and waits a while. */
static void xennet_close_backend(struct xennet_info *info)
{
	struct xenpv_device *xdev = info->xdev;
	enum xenbus_state state;
	unsigned int waited;

	if (!info->queues ||
	    xenpv_read_otherend_state(xdev) != XenbusStateConnected)
		return;
	xenpv_switch_state(xdev, XenbusStateClosing);
	/* remove may run in the watch thread: poll, do not wait for a watch. */
	for (waited = 0; waited < XENNET_CLOSE_TIMEOUT_MS; waited += 20) {
		state = xenpv_read_otherend_state(xdev);
		if (state == XenbusStateUnknown || state >= XenbusStateClosing)
			return;
		msleep(20);
	}
	dev_warn(&xdev->dev, "%s: backend still connected after %u ms; its pages are kept\n",
		 xdev->otherend, XENNET_CLOSE_TIMEOUT_MS);
}

static void xennet_remove(struct xenpv_device *xdev)
{
	struct xennet_info *info = dev_get_drvdata(&xdev->dev);
	struct net_device *dev = info->netdev;

	xennet_close_backend(info);
	unregister_netdev(dev);
	cancel_work_sync(&info->broken_work);
	cancel_work_sync(&info->mcast.work);
	cancel_work_sync(&info->ctrl.work);
	xennet_disconnect(info);
	dev_set_drvdata(&xdev->dev, NULL);
	kfree(info->stats);
	free_netdev(dev);
}

static const struct xenpv_device_id xennet_ids[] = {
	{ "vif" },
	{ "" },
};

static struct xenpv_driver xennet_driver = {
	.name = "xennet",
	.ids = xennet_ids,
	.probe = xennet_probe,
	.otherend_changed = xennet_backend_changed,
	.remove = xennet_remove,
	.resume = xennet_resume,
};

static int __init xennet_init(void)
{
	return xenpv_register_driver(&xennet_driver);
}

static void __exit xennet_exit(void)
{
	xenpv_unregister_driver(&xennet_driver);
}

module_init(xennet_init);
module_exit(xennet_exit);

MODULE_DESCRIPTION("Xen virtual network interface frontend for guests without the kernel's Xen support");
MODULE_LICENSE("GPL");
MODULE_VERSION(XENPV_VERSION);
MODULE_ALIAS("xen:vif");
MODULE_SOFTDEP("pre: xenpv");
