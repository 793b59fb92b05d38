// SPDX-License-Identifier: GPL-2.0
/* netif_set_tso_max_size(), which took over from netif_set_gso_max_size() (Linux 6.0) */
#include <linux/netdevice.h>

static void __maybe_unused probe_tso(struct net_device *dev)
{
	netif_set_tso_max_size(dev, 65536);
}
