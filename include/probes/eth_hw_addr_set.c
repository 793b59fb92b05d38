// SPDX-License-Identifier: GPL-2.0
/* eth_hw_addr_set(), for a dev_addr that became const (Linux 5.15, some 5.10) */
#include <linux/etherdevice.h>

static void __maybe_unused probe_addr(struct net_device *dev, const u8 *mac)
{
	eth_hw_addr_set(dev, mac);
}
