// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast control (netif.h, "feature-dynamic-multicast-control"): the
 * backend drops multicast frames whose address is not on a list we keep
 * in step with the device's own, so a guest is not woken for groups it
 * never joined.  The list travels as dataless tx requests with an
 * extra-info slot each; "request-multicast-control" turns the filter on
 * and off.  Only the dynamic variant is used: promiscuous mode, more
 * addresses than the backend keeps, or an address it refused must be able
 * to switch the filter off at any time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>

#include "xennet.h"

/* How long one add or del may wait for room on the ring. */
#define XENNET_MCAST_SEND_TRIES	100
#define XENNET_MCAST_SEND_WAIT_MS	10

void xennet_mcast_init(struct xennet_info *info)
{
	INIT_WORK(&info->mcast.work, xennet_mcast_work);
}

/* Tells the backend whether to filter; false if xenstore failed. */
static bool xennet_mcast_set_filter(struct xennet_info *info, bool on)
{
	struct xenpv_device *xdev = info->xdev;
	int rc;

	if (info->mcast.filtering == on)
		return true;
	rc = xenpv_xs_write(XENPV_XS_NO_TX, xdev->nodename,
			    "request-multicast-control", on ? "1" : "0");
	if (rc) {
		dev_err(&xdev->dev, "%s: writing request-multicast-control failed: %d\n",
			xdev->nodename, rc);
		return false;
	}
	info->mcast.filtering = on;
	if (on)
		netdev_info(info->netdev, "backend filters multicast: %u address%s\n",
			    info->mcast.nr_sent,
			    info->mcast.nr_sent == 1 ? "" : "es");
	else
		netdev_info(info->netdev, "backend lets all multicast through\n");
	return true;
}

/* The device's addresses into mcast.want; false if no filter can hold them. */
static bool xennet_mcast_read_wanted(struct xennet_info *info)
{
	struct net_device *dev = info->netdev;
	struct netdev_hw_addr *ha;
	bool fits;

	if (dev->flags & (IFF_PROMISC | IFF_ALLMULTI))
		return false;
	netif_addr_lock_bh(dev);
	fits = netdev_mc_count(dev) <= XENNET_MCAST_MAX;
	info->mcast.nr_want = 0;
	if (fits)
		netdev_for_each_mc_addr(ha, dev)
			ether_addr_copy(info->mcast.want[info->mcast.nr_want++],
					ha->addr);
	netif_addr_unlock_bh(dev);
	return fits;
}

static bool xennet_mcast_listed(u8 (*list)[ETH_ALEN], unsigned int nr,
				const u8 *addr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (ether_addr_equal(list[i], addr))
			return true;
	return false;
}

/* One add or del on the first queue's ring, waiting a while for room. */
static int xennet_mcast_send(struct xennet_info *info, u8 type,
			     const u8 *addr)
{
	unsigned int try;
	int rc;

	for (try = 0; try < XENNET_MCAST_SEND_TRIES; try++) {
		rc = xennet_tx_send_mcast(&info->queues[0], type, addr);
		if (rc != -EBUSY)
			return rc;
		msleep(XENNET_MCAST_SEND_WAIT_MS);
	}
	netdev_warn(info->netdev, "no room on the tx ring for a multicast update\n");
	return rc;
}

/* Brings the backend's list to the device's; false if it could not. */
static bool xennet_mcast_sync(struct xennet_info *info)
{
	struct xennet_mcast *m = &info->mcast;
	unsigned int i = 0;

	while (i < m->nr_sent) {
		if (xennet_mcast_listed(m->want, m->nr_want, m->sent[i])) {
			i++;
			continue;
		}
		if (xennet_mcast_send(info, XEN_NETIF_EXTRA_TYPE_MCAST_DEL,
				      m->sent[i]))
			return false;
		ether_addr_copy(m->sent[i], m->sent[--m->nr_sent]);
	}
	for (i = 0; i < m->nr_want; i++) {
		if (xennet_mcast_listed(m->sent, m->nr_sent, m->want[i]))
			continue;
		if (xennet_mcast_send(info, XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
				      m->want[i]))
			return false;
		ether_addr_copy(m->sent[m->nr_sent++], m->want[i]);
	}
	return true;
}

/* ndo_set_rx_mode runs atomic; the list is sent from here, under rtnl. */
void xennet_mcast_work(struct work_struct *work)
{
	struct xennet_info *info = container_of(work, struct xennet_info,
						mcast.work);

	rtnl_lock();
	if (!info->feat.mcast_ctrl || !info->connected || info->broken)
		goto out;
	if (READ_ONCE(info->mcast.refused) ||
	    !xennet_mcast_read_wanted(info)) {
		xennet_mcast_set_filter(info, false);
		goto out;
	}
	/* Addresses first, then the filter: nothing wanted is ever dropped. */
	if (!xennet_mcast_sync(info) || READ_ONCE(info->mcast.refused))
		xennet_mcast_set_filter(info, false);
	else
		xennet_mcast_set_filter(info, true);
out:
	rtnl_unlock();
}

/*
 * A new connection: the backend starts with an empty list, and must not
 * filter until it holds ours (the key may be left from the last one).
 * Called before the frontend says Connected; rtnl held.
 */
void xennet_mcast_connect(struct xennet_info *info)
{
	ASSERT_RTNL();
	info->mcast.nr_sent = 0;
	info->mcast.refused = false;
	info->mcast.filtering = true;	/* so that the write below happens */
	if (!xennet_mcast_set_filter(info, false))
		info->mcast.filtering = false;
	if (info->feat.mcast_ctrl)
		schedule_work(&info->mcast.work);
}
