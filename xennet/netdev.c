// SPDX-License-Identifier: GPL-2.0
/*
 * The net_device side: what the stack sees of a vif.  Opening and closing
 * the interface and connecting and disconnecting the rings all happen
 * under rtnl_lock, so NAPI is enabled exactly when the interface is up
 * and the rings are there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/tcp.h>

#include "xennet.h"

/* Up and connected: NAPI on, every queue taking packets. rtnl held. */
void xennet_queues_start(struct xennet_info *info)
{
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < info->nr_queues; i++) {
		napi_enable(&info->queues[i].napi);
		/* Answers may have come while NAPI was off. */
		napi_schedule(&info->queues[i].napi);
	}
	netif_tx_wake_all_queues(info->netdev);
}

/* Down or disconnecting: nothing sent, NAPI off. rtnl held. */
void xennet_queues_stop(struct xennet_info *info)
{
	unsigned int i;

	ASSERT_RTNL();
	netif_tx_disable(info->netdev);
	for (i = 0; i < info->nr_queues; i++)
		napi_disable(&info->queues[i].napi);
}

static int xennet_open(struct net_device *dev)
{
	struct xennet_info *info = netdev_priv(dev);

	if (info->connected)
		xennet_queues_start(info);
	else
		netif_tx_start_all_queues(dev);
	return 0;
}

static int xennet_close(struct net_device *dev)
{
	struct xennet_info *info = netdev_priv(dev);

	if (info->connected)
		xennet_queues_stop(info);
	else
		netif_tx_disable(dev);
	return 0;
}

/* Offloads need the backend's word; jumbo frames need scatter-gather. */
static netdev_features_t xennet_fix_features(struct net_device *dev,
					     netdev_features_t features)
{
	struct xennet_info *info = netdev_priv(dev);

	if (!info->feat.sg)
		features &= ~NETIF_F_SG;
	if (!info->feat.ipv6_csum)
		features &= ~NETIF_F_IPV6_CSUM;
	if (!info->feat.gso_tcpv4)
		features &= ~NETIF_F_TSO;
	if (!info->feat.gso_tcpv6)
		features &= ~NETIF_F_TSO6;
	/* Frames that take more than one page need it. */
	if (dev->mtu > ETH_DATA_LEN && info->feat.sg)
		features |= NETIF_F_SG;
	return features;
}

static int xennet_change_mtu(struct net_device *dev, int mtu)
{
	if (mtu > ETH_DATA_LEN && !(dev->features & NETIF_F_SG)) {
		netdev_err(dev, "MTU %d needs scatter-gather, which the backend does not offer\n",
			   mtu);
		return -EINVAL;
	}
	dev->mtu = mtu;
	return 0;
}

/* Called atomic, with the address list locked: the work sends it. */
static void xennet_set_rx_mode(struct net_device *dev)
{
	struct xennet_info *info = netdev_priv(dev);

	if (info->feat.mcast_ctrl)
		schedule_work(&info->mcast.work);
}

static const struct net_device_ops xennet_netdev_ops = {
	.ndo_open = xennet_open,
	.ndo_stop = xennet_close,
	.ndo_start_xmit = xennet_start_xmit,
	.ndo_get_stats64 = xennet_get_stats64,
	.ndo_change_mtu = xennet_change_mtu,
	.ndo_fix_features = xennet_fix_features,
	.ndo_set_rx_mode = xennet_set_rx_mode,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/* The MAC the toolstack chose, from the device's "mac" key. */
static int xennet_read_mac(struct xenpv_device *xdev, u8 *mac)
{
	char *str = xenpv_xs_read(XENPV_XS_NO_TX, xdev->nodename, "mac",
				  NULL);
	int rc = 0;

	if (IS_ERR(str)) {
		dev_err(&xdev->dev, "reading %s/mac failed: %ld\n",
			xdev->nodename, PTR_ERR(str));
		return PTR_ERR(str);
	}
	if (!mac_pton(str, mac) || !is_valid_ether_addr(mac)) {
		dev_err(&xdev->dev, "%s/mac: \"%s\" is no unicast MAC address\n",
			xdev->nodename, str);
		rc = -EINVAL;
	}
	kfree(str);
	return rc;
}

/* The toolstack's MTU (its "mtu" key), where there is one that fits. */
static void xennet_read_mtu(struct xenpv_device *xdev, struct net_device *dev)
{
	unsigned int mtu;

	if (xenpv_xs_read_uint(XENPV_XS_NO_TX, xdev->nodename, "mtu", &mtu))
		return;
	if (mtu < dev->min_mtu || mtu > ETH_DATA_LEN) {
		/* Above 1500 it needs SG, known only once connected. */
		dev_info(&xdev->dev, "%s/mtu = %u: keeping %u\n",
			 xdev->nodename, mtu, dev->mtu);
		return;
	}
	dev->mtu = mtu;
}

/**
 * xennet_alloc_netdev() - a net_device for the vif at @xdev, not registered
 * @xdev: the xen bus device
 * @max_queues: most queues it may ever have
 *
 * Return: the device, or an ERR_PTR after a log line naming the key.
 */
struct net_device *xennet_alloc_netdev(struct xenpv_device *xdev,
				       unsigned int max_queues)
{
	struct xennet_info *info;
	struct net_device *dev;
	u8 mac[ETH_ALEN];
	int rc;

	rc = xennet_read_mac(xdev, mac);
	if (rc)
		return ERR_PTR(rc);
	dev = alloc_etherdev_mq(sizeof(*info), max_queues);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	info = netdev_priv(dev);
	info->netdev = dev;
	info->xdev = xdev;
	eth_hw_addr_set(dev, mac);
	dev->netdev_ops = &xennet_netdev_ops;
	dev->ethtool_ops = &xennet_ethtool_ops;
	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM |
			   NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_RXCSUM;
	dev->features = dev->hw_features | NETIF_F_GSO_ROBUST;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = XEN_NETIF_MAX_TX_SIZE - ETH_HLEN;
	/* A GSO packet and its headers must fit one 64 KiB request. */
	xenpv_set_tso_max_size(dev, XEN_NETIF_MAX_TX_SIZE - MAX_TCP_HEADER);
	xennet_read_mtu(xdev, dev);
	netif_set_real_num_tx_queues(dev, 1);
	netif_set_real_num_rx_queues(dev, 1);
	netif_carrier_off(dev);
	SET_NETDEV_DEV(dev, &xdev->dev);
	return dev;
}
