// SPDX-License-Identifier: GPL-2.0
/* netif_napi_add() without the weight argument (Linux 6.1) */
#include <linux/netdevice.h>

static int __maybe_unused probe_poll(struct napi_struct *napi, int budget)
{
	return 0;
}

static void __maybe_unused probe_napi(struct net_device *dev,
				      struct napi_struct *napi)
{
	netif_napi_add(dev, napi, probe_poll);
}
