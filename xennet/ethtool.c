// SPDX-License-Identifier: GPL-2.0
/*
 * What ethtool and ip show of a vif: driver info, ring sizes, queues,
 * per-queue counters (ethtool -S) that prove which offloads really crossed
 * the ring, and the receive hashing key and table (ethtool -x, -X).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/string.h>

#include "xennet.h"

struct xennet_stat_desc {
	const char *name;
	size_t offset;		/* of a u64_stats_t in struct xennet_stats */
};

#define XENNET_STAT(n) { #n, offsetof(struct xennet_stats, n) }

static const struct xennet_stat_desc xennet_tx_stat_descs[] = {
	XENNET_STAT(packets), XENNET_STAT(bytes), XENNET_STAT(gso),
	XENNET_STAT(csum), XENNET_STAT(errors), XENNET_STAT(dropped),
	XENNET_STAT(linearized), XENNET_STAT(bounced),
};

static const struct xennet_stat_desc xennet_rx_stat_descs[] = {
	XENNET_STAT(packets), XENNET_STAT(bytes), XENNET_STAT(gso),
	XENNET_STAT(csum), XENNET_STAT(errors), XENNET_STAT(dropped),
	XENNET_STAT(refill_fail), XENNET_STAT(hash),
};

#define XENNET_STATS_PER_QUEUE \
	(ARRAY_SIZE(xennet_tx_stat_descs) + ARRAY_SIZE(xennet_rx_stat_descs))

static void xennet_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *drvinfo)
{
	struct xennet_info *info = netdev_priv(dev);

	strscpy(drvinfo->driver, KBUILD_MODNAME, sizeof(drvinfo->driver));
	strscpy(drvinfo->version, XENPV_VERSION, sizeof(drvinfo->version));
	strscpy(drvinfo->bus_info, info->xdev->nodename,
		sizeof(drvinfo->bus_info));
}

static void xennet_get_ringparam(struct net_device *dev,
				 struct ethtool_ringparam *ring)
{
	ring->rx_max_pending = XENNET_RX_RING_SIZE;
	ring->tx_max_pending = XENNET_TX_RING_SIZE;
	ring->rx_pending = XENNET_RX_RING_SIZE;
	ring->tx_pending = XENNET_TX_RING_SIZE;
}

XENPV_DEFINE_GET_RINGPARAM(xennet_get_ringparam)

static void xennet_get_channels(struct net_device *dev,
				struct ethtool_channels *ch)
{
	struct xennet_info *info = netdev_priv(dev);

	ch->max_combined = dev->num_tx_queues;
	ch->combined_count = info->nr_queues;
}

static int xennet_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return dev->num_tx_queues * XENNET_STATS_PER_QUEUE;
}

static void xennet_stat_names(u8 **p, unsigned int q, const char *dir,
			      const struct xennet_stat_desc *descs,
			      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(*p, ETH_GSTRING_LEN, "q%u_%s_%s", q, dir,
			 descs[i].name);
		*p += ETH_GSTRING_LEN;
	}
}

static void xennet_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int q;

	if (sset != ETH_SS_STATS)
		return;
	for (q = 0; q < dev->num_tx_queues; q++) {
		xennet_stat_names(&data, q, "tx", xennet_tx_stat_descs,
				  ARRAY_SIZE(xennet_tx_stat_descs));
		xennet_stat_names(&data, q, "rx", xennet_rx_stat_descs,
				  ARRAY_SIZE(xennet_rx_stat_descs));
	}
}

/* A consistent snapshot of @n counters of @s into @out. */
static void xennet_stat_read(const struct xennet_stats *s,
			     const struct xennet_stat_desc *descs,
			     unsigned int n, u64 *out)
{
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		for (i = 0; i < n; i++)
			out[i] = u64_stats_read((const u64_stats_t *)
						((const char *)s +
						 descs[i].offset));
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

/* Every possible queue: counters stay while rings come and go. */
static void xennet_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct xennet_info *info = netdev_priv(dev);
	const unsigned int ntx = ARRAY_SIZE(xennet_tx_stat_descs);
	const unsigned int nrx = ARRAY_SIZE(xennet_rx_stat_descs);
	unsigned int q;

	for (q = 0; q < dev->num_tx_queues; q++) {
		xennet_stat_read(&info->stats[q].tx, xennet_tx_stat_descs, ntx,
				 data);
		xennet_stat_read(&info->stats[q].rx, xennet_rx_stat_descs, nrx,
				 data + ntx);
		data += XENNET_STATS_PER_QUEUE;
	}
}

/*
 * Receive hashing (ctrl.c), shown with ethtool -x and changed with -X:
 * the Toeplitz key and the table from hash to queue that the backend
 * uses.  Without the control ring there is nothing to show.
 */
static u32 xennet_rx_ring_count(struct net_device *dev)
{
	struct xennet_info *info = netdev_priv(dev);

	return info->nr_queues;
}

XENPV_DEFINE_RX_RING_COUNT(xennet_rx_ring_count)

static u32 xennet_get_rxfh_key_size(struct net_device *dev)
{
	struct xennet_info *info = netdev_priv(dev);

	return info->ctrl.hashing ? XENNET_HASH_KEY_SIZE : 0;
}

static u32 xennet_get_rxfh_indir_size(struct net_device *dev)
{
	struct xennet_info *info = netdev_priv(dev);

	return info->ctrl.hashing ? info->ctrl.table_size : 0;
}

static int xennet_get_rxfh(struct net_device *dev, u32 *indir, u8 *key,
			   u8 *hfunc)
{
	struct xennet_info *info = netdev_priv(dev);
	const struct xennet_ctrl *ctrl = &info->ctrl;

	if (!ctrl->hashing)
		return -EOPNOTSUPP;
	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (key)
		memcpy(key, ctrl->key, sizeof(ctrl->key));
	if (indir)
		memcpy(indir, ctrl->table, ctrl->table_size * sizeof(u32));
	return 0;
}

static int xennet_set_rxfh(struct net_device *dev, const u32 *indir,
			   const u8 *key, u8 hfunc)
{
	struct xennet_info *info = netdev_priv(dev);
	int rc;

	if (!info->ctrl.hashing)
		return -EOPNOTSUPP;
	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	if (key) {
		rc = xennet_ctrl_set_key(info, key);
		if (rc)
			return rc;
	}
	return indir ? xennet_ctrl_set_table(info, indir) : 0;
}

XENPV_DEFINE_RXFH(xennet_get_rxfh, xennet_set_rxfh)

const struct ethtool_ops xennet_ethtool_ops = {
	.get_drvinfo = xennet_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_ringparam = xennet_get_ringparam_ethtool,
	.get_channels = xennet_get_channels,
	.get_sset_count = xennet_get_sset_count,
	.get_strings = xennet_get_strings,
	.get_ethtool_stats = xennet_get_ethtool_stats,
	XENPV_ETHTOOL_RX_RING_COUNT(xennet_rx_ring_count),
	.get_rxfh_key_size = xennet_get_rxfh_key_size,
	.get_rxfh_indir_size = xennet_get_rxfh_indir_size,
	.get_rxfh = xennet_get_rxfh_ethtool,
	.set_rxfh = xennet_set_rxfh_ethtool,
};

/* Adds one direction of one queue to packets, bytes, errors, dropped. */
static void xennet_stats_totals(const struct xennet_stats *s, u64 *sum)
{
	u64 packets, bytes, errors, dropped;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		packets = u64_stats_read(&s->packets);
		bytes = u64_stats_read(&s->bytes);
		errors = u64_stats_read(&s->errors);
		dropped = u64_stats_read(&s->dropped);
	} while (u64_stats_fetch_retry(&s->syncp, start));
	sum[0] += packets;
	sum[1] += bytes;
	sum[2] += errors;
	sum[3] += dropped;
}

void xennet_get_stats64(struct net_device *dev,
			struct rtnl_link_stats64 *tot)
{
	struct xennet_info *info = netdev_priv(dev);
	u64 tx[4] = { 0 }, rx[4] = { 0 };
	unsigned int q;

	for (q = 0; q < dev->num_tx_queues; q++) {
		xennet_stats_totals(&info->stats[q].tx, tx);
		xennet_stats_totals(&info->stats[q].rx, rx);
	}
	tot->tx_packets = tx[0];
	tot->tx_bytes = tx[1];
	tot->tx_errors = tx[2];
	tot->tx_dropped = tx[3] + atomic64_read(&info->tx_dropped_unconnected);
	tot->rx_packets = rx[0];
	tot->rx_bytes = rx[1];
	tot->rx_errors = rx[2];
	tot->rx_dropped = rx[3];
}
