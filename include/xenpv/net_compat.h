/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network API differences between the kernels xenpv builds for; each rests
 * on a compile probe (include/probes/), see compat.h.
 */
#ifndef XENPV_NET_COMPAT_H
#define XENPV_NET_COMPAT_H

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>

/* mac_pton(): in <linux/kernel.h>, later <linux/hex.h> */
#ifdef XENPV_HAVE_MAC_PTON_HEX_H
#include <linux/hex.h>
#endif

/* netif_napi_add() lost its weight argument; the default is the same. */
#ifdef XENPV_HAVE_NETIF_NAPI_ADD_NO_WEIGHT
#define XENPV_NETIF_NAPI_ADD(dev, napi, poll) netif_napi_add(dev, napi, poll)
#else
#define XENPV_NETIF_NAPI_ADD(dev, napi, poll) \
	netif_napi_add(dev, napi, poll, NAPI_POLL_WEIGHT)
#endif

/* The largest GSO packet the stack may hand the driver. */
#ifdef XENPV_HAVE_NETIF_SET_TSO_MAX_SIZE
#define xenpv_set_tso_max_size(dev, size) netif_set_tso_max_size(dev, size)
#else
#define xenpv_set_tso_max_size(dev, size) netif_set_gso_max_size(dev, size)
#endif

/*
 * XENPV_DEFINE_GET_RINGPARAM(fn) makes fn##_ethtool, the get_ringparam
 * method, from void fn(struct net_device *, struct ethtool_ringparam *).
 */
#ifdef XENPV_HAVE_ETHTOOL_RINGPARAM_KERNEL
#define XENPV_DEFINE_GET_RINGPARAM(fn)					\
	static void fn##_ethtool(struct net_device *dev,		\
				 struct ethtool_ringparam *ring,	\
				 struct kernel_ethtool_ringparam *kring,\
				 struct netlink_ext_ack *extack)	\
	{								\
		fn(dev, ring);						\
	}
#else
#define XENPV_DEFINE_GET_RINGPARAM(fn)					\
	static void fn##_ethtool(struct net_device *dev,		\
				 struct ethtool_ringparam *ring)	\
	{								\
		fn(dev, ring);						\
	}
#endif

/*
 * XENPV_DEFINE_RXFH(get, set) makes get##_ethtool and set##_ethtool, the
 * get_rxfh and set_rxfh methods, from
 *	int get(struct net_device *, u32 *indir, u8 *key, u8 *hfunc);
 *	int set(struct net_device *, const u32 *indir, const u8 *key, u8 hfunc);
 * (the methods take struct ethtool_rxfh_param since Linux 6.8).
 */
#ifdef XENPV_HAVE_ETHTOOL_RXFH_PARAM
#define XENPV_DEFINE_RXFH(get, set)					\
	static int get##_ethtool(struct net_device *dev,		\
				 struct ethtool_rxfh_param *p)		\
	{								\
		return get(dev, p->indir, p->key, &p->hfunc);		\
	}								\
	static int set##_ethtool(struct net_device *dev,		\
				 struct ethtool_rxfh_param *p,		\
				 struct netlink_ext_ack *extack)	\
	{								\
		return set(dev, p->indir, p->key, p->hfunc);		\
	}
#else
#define XENPV_DEFINE_RXFH(get, set)					\
	static int get##_ethtool(struct net_device *dev, u32 *indir,	\
				 u8 *key, u8 *hfunc)			\
	{								\
		return get(dev, indir, key, hfunc);			\
	}								\
	static int set##_ethtool(struct net_device *dev,		\
				 const u32 *indir, const u8 *key,	\
				 const u8 hfunc)			\
	{								\
		return set(dev, indir, key, hfunc);			\
	}
#endif

/*
 * How many receive rings, for ethtool -x/-X: get_rx_ring_count() where the
 * kernel has it, get_rxnfc(ETHTOOL_GRXRINGS) before.  The driver writes
 * u32 fn(struct net_device *), XENPV_DEFINE_RX_RING_COUNT(fn) after it,
 * and XENPV_ETHTOOL_RX_RING_COUNT(fn) among its ethtool_ops.
 */
#ifdef XENPV_HAVE_ETHTOOL_GET_RX_RING_COUNT
#define XENPV_DEFINE_RX_RING_COUNT(fn)
#define XENPV_ETHTOOL_RX_RING_COUNT(fn) .get_rx_ring_count = fn
#else
#define XENPV_DEFINE_RX_RING_COUNT(fn)					\
	static int fn##_rxnfc(struct net_device *dev,			\
			      struct ethtool_rxnfc *nfc, u32 *rules)	\
	{								\
		if (nfc->cmd != ETHTOOL_GRXRINGS)			\
			return -EOPNOTSUPP;				\
		nfc->data = fn(dev);					\
		return 0;						\
	}
#define XENPV_ETHTOOL_RX_RING_COUNT(fn) .get_rxnfc = fn##_rxnfc
#endif

#ifndef XENPV_HAVE_ETH_HW_ADDR_SET
static inline void eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	memcpy(dev->dev_addr, addr, ETH_ALEN);
}
#endif

#endif /* XENPV_NET_COMPAT_H */
