// SPDX-License-Identifier: GPL-2.0
/*
 * Pure netif protocol checks (see proto.h): everything here judges values
 * already copied out of the shared ring, so a backend rewriting the ring
 * meanwhile changes nothing (XSA-155).
 */
#include "proto.h"

enum xennet_tx_verdict xennet_tx_judge(u16 id, s16 status,
				       const bool *inflight,
				       unsigned int nr_ids)
{
	/* Extra-info slots are answered too, with no id worth reading. */
	if (status == XENNET_RSP_NULL)
		return XENNET_TX_SKIP;
	if (id >= nr_ids)
		return XENNET_TX_BAD_ID;
	if (!inflight[id])
		return XENNET_TX_NOT_INFLIGHT;
	if (status != XENNET_RSP_OKAY && status != XENNET_RSP_ERROR &&
	    status != XENNET_RSP_DROPPED)
		return XENNET_TX_BAD_STATUS;
	return XENNET_TX_VALID;
}

const char *xennet_tx_verdict_str(enum xennet_tx_verdict v)
{
	switch (v) {
	case XENNET_TX_VALID:
		return "valid";
	case XENNET_TX_SKIP:
		return "extra-info slot";
	case XENNET_TX_BAD_ID:
		return "id out of range";
	case XENNET_TX_NOT_INFLIGHT:
		return "id not in flight";
	case XENNET_TX_BAD_STATUS:
		return "unknown status";
	}
	return "?";
}

const char *xennet_rx_verdict_str(enum xennet_rx_verdict v)
{
	switch (v) {
	case XENNET_RX_OK:
		return "ok";
	case XENNET_RX_INCOMPLETE:
		return "incomplete";
	case XENNET_RX_BAD_STATUS:
		return "failed or empty";
	case XENNET_RX_BAD_RANGE:
		return "data beyond its page";
	case XENNET_RX_TOO_SHORT:
		return "shorter than an Ethernet header";
	case XENNET_RX_TOO_MANY_FRAGS:
		return "too many data slots";
	case XENNET_RX_BAD_EXTRA:
		return "bad extra info";
	case XENNET_RX_BAD_ID:
		return "id not the one of the request in that slot";
	case XENNET_RX_RUN_TOO_LONG:
		return "more slots than any packet takes";
	}
	return "?";
}

/* The first reason to drop a packet is the one reported. */
static void xennet_rx_note(enum xennet_rx_verdict *verdict,
			   enum xennet_rx_verdict v)
{
	if (*verdict == XENNET_RX_OK)
		*verdict = v;
}

/* One data slot, the @i'th of the run; false if the device must stop. */
static bool xennet_rx_data(const struct xennet_rx_rsp *rsp, unsigned int i,
			   unsigned int first_pos, unsigned int id_mask,
			   unsigned int max_frags, struct xennet_rx_pkt *pkt,
			   enum xennet_rx_verdict *verdict)
{
	if (rsp->id != ((first_pos + i) & id_mask)) {
		*verdict = XENNET_RX_BAD_ID;
		return false;
	}
	if (rsp->status < 0 || (i == 0 && rsp->status == 0)) {
		xennet_rx_note(verdict, XENNET_RX_BAD_STATUS);
		return true;
	}
	if ((unsigned int)rsp->offset + (unsigned int)rsp->status >
	    XENNET_PAGE_SIZE) {
		xennet_rx_note(verdict, XENNET_RX_BAD_RANGE);
		return true;
	}
	if (!rsp->status)
		return true;
	if (pkt->nr_frags >= max_frags ||
	    pkt->nr_frags >= XENNET_MAX_DATA_SLOTS) {
		xennet_rx_note(verdict, XENNET_RX_TOO_MANY_FRAGS);
		return true;
	}
	pkt->frag[pkt->nr_frags].slot = i;
	pkt->frag[pkt->nr_frags].offset = rsp->offset;
	pkt->frag[pkt->nr_frags].len = rsp->status;
	pkt->nr_frags++;
	pkt->len += rsp->status;
	return true;
}

static void xennet_rx_gso(const struct xennet_extra *extra,
			  struct xennet_rx_pkt *pkt,
			  enum xennet_rx_verdict *verdict)
{
	if (!extra->gso.size || (extra->gso.type != XENNET_GSO_TYPE_TCPV4 &&
				 extra->gso.type != XENNET_GSO_TYPE_TCPV6)) {
		xennet_rx_note(verdict, XENNET_RX_BAD_EXTRA);
		return;
	}
	pkt->gso_size = extra->gso.size;
	pkt->gso_type = extra->gso.type;
}

/* A hash is a hint: one of a kind we did not ask for is left out. */
static void xennet_rx_hash(const struct xennet_extra *extra,
			   struct xennet_rx_pkt *pkt)
{
	const u8 *v = extra->hash.value;

	if (extra->hash.alg != XENNET_HASH_ALG_TOEPLITZ ||
	    extra->hash.type > XENNET_HASH_TYPE_IPV6_TCP)
		return;
	pkt->has_hash = true;
	pkt->hash_l4 = extra->hash.type == XENNET_HASH_TYPE_IPV4_TCP ||
		       extra->hash.type == XENNET_HASH_TYPE_IPV6_TCP;
	pkt->hash = v[0] | v[1] << 8 | v[2] << 16 | (u32)v[3] << 24;
}

static void xennet_rx_extra(const struct xennet_extra *extra,
			    struct xennet_rx_pkt *pkt,
			    enum xennet_rx_verdict *verdict)
{
	switch (extra->type) {
	case XENNET_EXTRA_TYPE_GSO:
		xennet_rx_gso(extra, pkt, verdict);
		break;
	case XENNET_EXTRA_TYPE_HASH:
		xennet_rx_hash(extra, pkt);
		break;
	default:
		/* mcast and xdp are not sent on rx; 0 and beyond MAX are no type */
		if (extra->type == 0 || extra->type >= XENNET_EXTRA_TYPE_MAX)
			xennet_rx_note(verdict, XENNET_RX_BAD_EXTRA);
		break;
	}
}

/**
 * xennet_rx_parse() - take apart the packet at the head of a run of slots
 * @run: copies of the ring slots from the packet's first one on
 * @avail: how many of them the backend has produced
 * @first_pos: the ring index of the first slot
 * @id_mask: ring size - 1: a request's id is its ring index & @id_mask
 * @max_frags: most data slots the caller can take in one packet
 * @pkt: the packet found
 *
 * A packet is its first response, the extra-info slots it announces
 * (each may announce another), then responses for as long as the one
 * before says more data follows.
 *
 * Return: XENNET_RX_OK; XENNET_RX_INCOMPLETE if the run ends before the
 * packet does; a reason to drop the packet, whose @pkt->nr_slots are then
 * consumed all the same; or a fatal one (xennet_rx_verdict_fatal()).
 */
enum xennet_rx_verdict xennet_rx_parse(const union xennet_rx_slot *run,
				       unsigned int avail,
				       unsigned int first_pos,
				       unsigned int id_mask,
				       unsigned int max_frags,
				       struct xennet_rx_pkt *pkt)
{
	enum xennet_rx_verdict verdict = XENNET_RX_OK;
	bool more_extra, more_data;
	unsigned int i;

	*pkt = (struct xennet_rx_pkt){ 0 };
	if (!avail)
		return XENNET_RX_INCOMPLETE;
	pkt->flags = run[0].rsp.flags;
	if (!xennet_rx_data(&run[0].rsp, 0, first_pos, id_mask, max_frags,
			    pkt, &verdict))
		return verdict;
	more_extra = pkt->flags & XENNET_RXF_EXTRA_INFO;
	more_data = pkt->flags & XENNET_RXF_MORE_DATA;
	for (i = 1; more_extra || more_data; i++) {
		if (i >= XENNET_MAX_RUN)
			return XENNET_RX_RUN_TOO_LONG;
		if (i >= avail)
			return XENNET_RX_INCOMPLETE;
		if (more_extra) {
			xennet_rx_extra(&run[i].extra, pkt, &verdict);
			more_extra = run[i].extra.flags & XENNET_EXTRA_FLAG_MORE;
			continue;
		}
		if (!xennet_rx_data(&run[i].rsp, i, first_pos, id_mask,
				    max_frags, pkt, &verdict))
			return verdict;
		more_data = run[i].rsp.flags & XENNET_RXF_MORE_DATA;
	}
	pkt->nr_slots = i;
	if (verdict == XENNET_RX_OK && pkt->len < XENNET_ETH_HLEN)
		verdict = XENNET_RX_TOO_SHORT;
	return verdict;
}
