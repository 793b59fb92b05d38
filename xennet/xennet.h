/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xennet's shared state: a device (struct xennet_info, the netdev's
 * private part) has one or more queues, each with a tx and an rx ring.
 */
#ifndef XENNET_H
#define XENNET_H

#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/u64_stats_sync.h>
#include <linux/wait.h>
#include <xen/interface/io/netif.h>
#include <xenpv/compat.h>
#include <xenpv/net_compat.h>
#include <xenpv/xenpv.h>

#include "proto.h"

#define XENNET_TX_RING_SIZE	__CONST_RING_SIZE(xen_netif_tx, PAGE_SIZE)
#define XENNET_RX_RING_SIZE	__CONST_RING_SIZE(xen_netif_rx, PAGE_SIZE)

/* Most queues per device, whatever the backend offers. */
#define XENNET_MAX_QUEUES	16

/* Ring slots the largest packet takes: its data slots and a GSO slot. */
#define XENNET_TX_MAX_RING_SLOTS	(XENNET_MAX_DATA_SLOTS + 1)

/* Bytes of a received packet copied into the skb's head for the stack. */
#define XENNET_RX_PULL		128

/* A tx request id's holdings, until the backend answers it. */
struct xennet_tx_slot {
	struct sk_buff *skb;	/* one reference per slot, or NULL */
	struct page *bounce;	/* trusted=0: the page granted instead */
	grant_ref_t ref;
	bool mcast;		/* a multicast add or del: no data, no grant */
	unsigned int bql_bytes;	/* a packet's first slot: its length */
};

/* The page posted in an rx ring slot. */
struct xennet_rx_buf {
	struct page *page;
	grant_ref_t ref;
};

/* Counters, per queue and direction; ethtool -S shows them. */
struct xennet_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t gso;	/* packets that crossed the ring as GSO */
	u64_stats_t csum;	/* with the checksum left to the other end */
	u64_stats_t errors;	/* the other end failed them, or bad form */
	u64_stats_t dropped;	/* we could not send or take them */
	u64_stats_t linearized;	/* tx: too many slots, copied into one */
	u64_stats_t bounced;	/* tx: copied into pages of their own */
	u64_stats_t refill_fail; /* rx: no page or grant for a buffer */
	u64_stats_t hash;	/* rx: with the backend's hash (control ring) */
	struct u64_stats_sync syncp;
};

/* A queue's counters outlive its rings: they are the device's. */
struct xennet_queue_stats {
	struct xennet_stats tx;
	struct xennet_stats rx;
};

struct xennet_queue {
	struct xennet_info *info;
	struct xennet_queue_stats *stats;
	unsigned int id;
	char name[IFNAMSIZ + 16];	/* "eth0-q0-tx", for the event */

	/* tx: the stack's xmit and the tx event, under tx_lock */
	spinlock_t tx_lock;
	struct xen_netif_tx_front_ring tx;
	grant_ref_t tx_ring_ref;
	evtchn_port_t tx_evtchn;
	bool tx_bound;
	unsigned int tx_free[XENNET_TX_RING_SIZE];	/* free ids, a stack */
	unsigned int tx_nr_free;
	bool tx_inflight[XENNET_TX_RING_SIZE];
	struct xennet_tx_slot tx_slots[XENNET_TX_RING_SIZE];
	bool tx_taken_by_xmit;	/* answers an event may have been raised for */

	/* rx: NAPI */
	struct napi_struct napi;
	bool napi_added;
	struct xen_netif_rx_front_ring rx;
	grant_ref_t rx_ring_ref;
	evtchn_port_t rx_evtchn;	/* == tx_evtchn unless split */
	bool rx_bound;
	struct xennet_rx_buf rx_slots[XENNET_RX_RING_SIZE];
	struct timer_list refill_timer;	/* retries a refill that failed */
};

/* What the backend offers, read at each connect. */
struct xennet_features {
	bool mcast_ctrl;	/* feature-dynamic-multicast-control */
	bool ctrl_ring;		/* feature-ctrl-ring */
	bool sg;
	bool gso_tcpv4;
	bool gso_tcpv6;
	bool ipv6_csum;
	bool split_evtchn;
	unsigned int max_queues;
};

/*
 * Netback's multicast filter (netif.h, "feature-multicast-control"): the
 * backend keeps a list of addresses we send it and drops other multicast
 * frames.  At most XENNET_MCAST_MAX addresses, netback's own limit;
 * beyond that, or in promiscuous or all-multicast mode, or once the
 * backend refused an address, we let every multicast frame through.
 * All under rtnl_lock, in the work.
 */
#define XENNET_MCAST_MAX	64

struct xennet_mcast {
	struct work_struct work;
	u8 sent[XENNET_MCAST_MAX][ETH_ALEN];	/* the backend's list */
	unsigned int nr_sent;
	u8 want[XENNET_MCAST_MAX][ETH_ALEN];	/* the device's list */
	unsigned int nr_want;
	bool filtering;		/* request-multicast-control is 1 */
	bool refused;		/* an add failed: no filter until reconnect */
};

/*
 * The control ring, for receive hashing (ctrl.c).  One request at a time,
 * under rtnl_lock; the interrupt hands over its answer under @lock.
 */
#define XENNET_HASH_KEY_SIZE	40	/* netback's largest Toeplitz key */
#define XENNET_HASH_TABLE_SIZE	128	/* netback's largest mapping */

struct xennet_ctrl {
	struct xen_netif_ctrl_front_ring ring;	/* sring NULL: no ring */
	grant_ref_t ring_ref;
	evtchn_port_t evtchn;
	char name[IFNAMSIZ + 8];
	struct work_struct work;
	spinlock_t lock;		/* id..rsp, against the interrupt */
	wait_queue_head_t wq;
	u16 id;				/* of the request in flight */
	u16 type;
	bool waiting;			/* for its answer */
	bool dead;			/* answered wrongly or not at all */
	struct xen_netif_ctrl_response rsp;
	bool hashing;			/* the backend took key and table */
	bool user_key;			/* set with ethtool -X: kept */
	bool user_table;		/* across reconnects */
	u8 key[XENNET_HASH_KEY_SIZE];
	u32 table[XENNET_HASH_TABLE_SIZE];
	u32 table_size;
};

struct xennet_info {
	struct net_device *netdev;
	struct xenpv_device *xdev;
	struct xennet_features feat;
	bool trusted;			/* false: bounce tx, zero rx pages */

	struct xennet_queue_stats *stats;	/* one per possible queue */

	/* Changed under rtnl_lock, which ndo_open and ndo_stop hold too. */
	struct xennet_queue *queues;
	unsigned int nr_queues;
	bool connected;			/* rings up, backend told */
	atomic64_t tx_dropped_unconnected;

	struct xennet_mcast mcast;
	struct xennet_ctrl ctrl;

	/* A backend that broke the protocol stops the device for good. */
	bool broken;
	struct work_struct broken_work;
	const char *broken_why;
};

/* main.c */
void xennet_broken(struct xennet_queue *queue, const char *why);

/* netdev.c */
struct net_device *xennet_alloc_netdev(struct xenpv_device *xdev,
				       unsigned int max_queues);
void xennet_queues_start(struct xennet_info *info);
void xennet_queues_stop(struct xennet_info *info);

/* ctrl.c */
void xennet_ctrl_init(struct xennet_info *info);
void xennet_ctrl_create(struct xennet_info *info);
void xennet_ctrl_start(struct xennet_info *info);
void xennet_ctrl_destroy(struct xennet_info *info);
void xennet_ctrl_forget_evtchn(struct xennet_info *info);
int xennet_ctrl_set_key(struct xennet_info *info, const u8 *key);
int xennet_ctrl_set_table(struct xennet_info *info, const u32 *table);

/* mcast.c */
void xennet_mcast_init(struct xennet_info *info);
void xennet_mcast_connect(struct xennet_info *info);
void xennet_mcast_work(struct work_struct *work);

/* queue.c */
int xennet_queues_create(struct xennet_info *info, unsigned int nr);
int xennet_queues_publish(struct xennet_info *info);
void xennet_queues_unpublish(struct xennet_info *info);
void xennet_queues_destroy(struct xennet_info *info);
void xennet_queues_forget_evtchns(struct xennet_info *info);
void xennet_queues_steer(struct xennet_info *info);

/* tx.c */
netdev_tx_t xennet_start_xmit(struct sk_buff *skb, struct net_device *dev);
irqreturn_t xennet_tx_interrupt(evtchn_port_t port, void *data);
void xennet_tx_init(struct xennet_queue *queue);
void xennet_tx_release_all(struct xennet_queue *queue);
int xennet_tx_send_mcast(struct xennet_queue *queue, u8 type,
			 const u8 *addr);

/* rx.c */
int xennet_poll(struct napi_struct *napi, int budget);
irqreturn_t xennet_rx_interrupt(evtchn_port_t port, void *data);
irqreturn_t xennet_interrupt(evtchn_port_t port, void *data);
void xennet_rx_refill(struct xennet_queue *queue, gfp_t gfp);
void xennet_refill_timeout(struct timer_list *t);
void xennet_rx_release_all(struct xennet_queue *queue);

/* ethtool.c */
extern const struct ethtool_ops xennet_ethtool_ops;
void xennet_get_stats64(struct net_device *dev,
			struct rtnl_link_stats64 *stats);

static inline void xennet_stat_add(struct xennet_stats *s, u64_stats_t *c,
				   u64 n)
{
	u64_stats_update_begin(&s->syncp);
	u64_stats_add(c, n);
	u64_stats_update_end(&s->syncp);
}

#endif /* XENNET_H */
