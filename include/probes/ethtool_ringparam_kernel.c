// SPDX-License-Identifier: GPL-2.0
/* ethtool_ops.get_ringparam() with kernel_ethtool_ringparam and extack (Linux 5.17) */
#include <linux/ethtool.h>

static void probe_ring(struct net_device *dev, struct ethtool_ringparam *ring,
		       struct kernel_ethtool_ringparam *kring,
		       struct netlink_ext_ack *extack)
{
}

static const struct ethtool_ops probe_ops __maybe_unused = {
	.get_ringparam = probe_ring,
};
