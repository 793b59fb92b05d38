/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of the netif protocol that are pure functions of their
 * arguments: judging a transmit response, and taking apart a received
 * packet's run of ring slots (responses and extra-info slots) once they
 * have been copied out of the ring.  No locking, no allocation, no kernel
 * services: tests/unit builds this file in userspace and feeds it hostile
 * input.  The kernel's netif.h does not build in userspace, so the layouts
 * and numbers used here are mirrored, and checked against it at compile
 * time in rx.c and tx.c.
 */
#ifndef XENNET_PROTO_H
#define XENNET_PROTO_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stdbool.h>
#define BIT(n) (1UL << (n))
typedef __u8 u8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
#endif

/* netif.h's numbers that the checks below use. */
#define XENNET_RSP_DROPPED	(-2)
#define XENNET_RSP_ERROR	(-1)
#define XENNET_RSP_OKAY		0
#define XENNET_RSP_NULL		1

#define XENNET_RXF_MORE_DATA	BIT(2)
#define XENNET_RXF_EXTRA_INFO	BIT(3)

#define XENNET_EXTRA_TYPE_GSO	1
#define XENNET_EXTRA_TYPE_HASH	4
#define XENNET_EXTRA_TYPE_MAX	6
#define XENNET_EXTRA_FLAG_MORE	BIT(0)
#define XENNET_GSO_TYPE_TCPV4	1
#define XENNET_GSO_TYPE_TCPV6	2
/* _XEN_NETIF_CTRL_HASH_TYPE_*: the bit numbers, as the extra carries them. */
#define XENNET_HASH_TYPE_IPV4		0
#define XENNET_HASH_TYPE_IPV4_TCP	1
#define XENNET_HASH_TYPE_IPV6		2
#define XENNET_HASH_TYPE_IPV6_TCP	3
#define XENNET_HASH_ALG_TOEPLITZ	1

#define XENNET_PAGE_SIZE	4096U
#define XENNET_ETH_HLEN		14U

/*
 * Data slots per packet a backend may use (XEN_NETIF_NR_SLOTS_MIN), and
 * the most extra-info slots that can follow a first slot (one per type).
 * A run of slots longer than both together is no packet at all.
 */
#define XENNET_MAX_DATA_SLOTS	18U
#define XENNET_MAX_EXTRAS	(XENNET_EXTRA_TYPE_MAX - 1)
#define XENNET_MAX_RUN		(XENNET_MAX_DATA_SLOTS + XENNET_MAX_EXTRAS)

/* struct xen_netif_rx_response and struct xen_netif_extra_info. */
struct xennet_rx_rsp {
	u16 id;
	u16 offset;
	u16 flags;
	s16 status;
};

struct xennet_extra {
	u8 type;
	u8 flags;
	union {
		struct {
			u16 size;
			u8 type;
			u8 pad;
			u16 features;
		} gso;
		struct {
			u8 type;	/* which headers: XENNET_HASH_TYPE_* */
			u8 alg;
			u8 value[4];	/* little-endian */
		} hash;
	};
};

/* One rx ring slot: a response, or the extra info after a first one. */
union xennet_rx_slot {
	struct xennet_rx_rsp rsp;
	struct xennet_extra extra;
};

/* ------------------------------------------------------------------ */

/* What the tx ring knows of each request id it handed out. */
enum xennet_tx_verdict {
	XENNET_TX_VALID,
	XENNET_TX_SKIP,		/* the answer to an extra-info slot */
	XENNET_TX_BAD_ID,	/* not an id we ever handed out */
	XENNET_TX_NOT_INFLIGHT,	/* ours, but not waiting for an answer */
	XENNET_TX_BAD_STATUS,	/* not a status the protocol defines */
};

enum xennet_tx_verdict xennet_tx_judge(u16 id, s16 status,
				       const bool *inflight,
				       unsigned int nr_ids);
const char *xennet_tx_verdict_str(enum xennet_tx_verdict v);

/*
 * The tx rsp_event to ask for when the answers up to @cons are taken and
 * requests up to @made exist: half of those in flight answered, and never
 * beyond the last one, so the last answer always raises an event.  Ring
 * indexes are free-running and wrap.
 */
static inline u32 xennet_tx_event_index(u32 cons, u32 made)
{
	return cons + (made - cons) / 2 + 1;
}

/* ------------------------------------------------------------------ */

enum xennet_rx_verdict {
	XENNET_RX_OK,
	XENNET_RX_INCOMPLETE,	/* the packet's last slot is not there yet */
	/* The packet is dropped; its slots are consumed. */
	XENNET_RX_BAD_STATUS,	/* the backend failed it, or it is empty */
	XENNET_RX_BAD_RANGE,	/* data beyond the end of its page */
	XENNET_RX_TOO_SHORT,	/* shorter than an Ethernet header */
	XENNET_RX_TOO_MANY_FRAGS, /* more data slots than an skb holds */
	XENNET_RX_BAD_EXTRA,	/* unknown extra type, or bad GSO info */
	/* The backend broke the protocol: the device stops. */
	XENNET_RX_BAD_ID,	/* not the id of the request in that slot */
	XENNET_RX_RUN_TOO_LONG,	/* no packet takes this many slots */
};

static inline bool xennet_rx_verdict_fatal(enum xennet_rx_verdict v)
{
	return v >= XENNET_RX_BAD_ID;
}

const char *xennet_rx_verdict_str(enum xennet_rx_verdict v);

/* A received packet, as its slots describe it. */
struct xennet_rx_pkt {
	unsigned int nr_slots;		/* ring slots, extras included */
	unsigned int nr_frags;		/* data slots */
	unsigned int len;		/* bytes, all data slots */
	u16 flags;			/* of the first slot */
	u16 gso_size;			/* 0: not GSO */
	u8 gso_type;
	bool has_hash;			/* the backend's Toeplitz hash */
	bool hash_l4;			/* over addresses and TCP ports */
	u32 hash;
	struct {
		unsigned int slot;	/* index in the run */
		u16 offset;
		u16 len;
	} frag[XENNET_MAX_DATA_SLOTS];
};

enum xennet_rx_verdict xennet_rx_parse(const union xennet_rx_slot *run,
				       unsigned int avail,
				       unsigned int first_pos,
				       unsigned int id_mask,
				       unsigned int max_frags,
				       struct xennet_rx_pkt *pkt);

/* Ring slots a buffer of @len bytes at @offset in its page needs. */
static inline unsigned int xennet_slots_for(unsigned long offset,
					    unsigned long len)
{
	if (!len)
		return 0;
	offset %= XENNET_PAGE_SIZE;
	return (offset + len + XENNET_PAGE_SIZE - 1) / XENNET_PAGE_SIZE;
}

#endif /* XENNET_PROTO_H */
