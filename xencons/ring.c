// SPDX-License-Identifier: GPL-2.0
/*
 * Console ring I/O, with the backend's indexes checked on every use (see
 * ring.h).  Bytes are copied one at a time: the rings are at most 2 KiB
 * and the modulo arithmetic stays obvious.
 */
#include "ring.h"

/* Have the backend's @theirs and our @ours drifted further than @size? */
static bool xencons_idx_bad(XENCONS_RING_IDX ours, XENCONS_RING_IDX theirs,
			    size_t size)
{
	return (XENCONS_RING_IDX)(ours - theirs) > size;
}

/**
 * xencons_ring_init() - start using a console page
 * @ring: the ring to set up
 * @intf: the shared page
 * @adopt: the page was in use before us (the primary console, which the
 *	toolstack set up and an earlier driver may have written): carry on
 *	from its indexes.  Otherwise it is a fresh zeroed page of ours.
 *
 * Return: 0, or -EPROTO when an adopted page's indexes are impossible.
 */
int xencons_ring_init(struct xencons_ring *ring,
		      struct xencons_interface *intf, bool adopt)
{
	ring->intf = intf;
	ring->broken = false;
	ring->out_prod = 0;
	ring->in_cons = 0;
	if (adopt) {
		ring->out_prod = READ_ONCE(intf->out_prod);
		ring->in_cons = READ_ONCE(intf->in_cons);
	}
	ring->out_cons_seen = READ_ONCE(intf->out_cons);
	if (xencons_idx_bad(ring->out_prod, ring->out_cons_seen,
			    XENCONS_OUT_SIZE) ||
	    xencons_idx_bad(READ_ONCE(intf->in_prod), ring->in_cons,
			    XENCONS_IN_SIZE)) {
		ring->broken = true;
		return -EPROTO;
	}
	return 0;
}

/* Output bytes the backend has not consumed yet, or -EPROTO. */
int xencons_ring_out_used(struct xencons_ring *ring)
{
	XENCONS_RING_IDX cons;

	if (ring->broken)
		return -EPROTO;
	cons = READ_ONCE(ring->intf->out_cons);
	if (xencons_idx_bad(ring->out_prod, cons, XENCONS_OUT_SIZE)) {
		ring->broken = true;
		return -EPROTO;
	}
	ring->out_cons_seen = cons;
	return ring->out_prod - cons;
}

/**
 * xencons_ring_write() - queue output for the backend
 * @ring: the ring
 * @buf: bytes to send
 * @len: how many
 *
 * Return: bytes queued, 0 when the ring is full, or -EPROTO.  The caller
 * notifies the backend when it queued any.
 */
int xencons_ring_write(struct xencons_ring *ring, const u8 *buf, size_t len)
{
	struct xencons_interface *intf = ring->intf;
	int used = xencons_ring_out_used(ring);
	size_t i, n;

	if (used < 0)
		return used;
	n = XENCONS_OUT_SIZE - used;
	if (n > len)
		n = len;
	/* The backend's out_cons was read before we overwrite what it freed. */
	virt_mb();
	for (i = 0; i < n; i++)
		intf->out[MASK_XENCONS_IDX(ring->out_prod + i, intf->out)] = buf[i];
	/* The bytes before the index that hands them over. */
	virt_wmb();
	ring->out_prod += n;
	WRITE_ONCE(intf->out_prod, ring->out_prod);
	return n;
}

/* Input bytes waiting for us, or -EPROTO. */
int xencons_ring_in_avail(struct xencons_ring *ring)
{
	XENCONS_RING_IDX prod;

	if (ring->broken)
		return -EPROTO;
	prod = READ_ONCE(ring->intf->in_prod);
	if (xencons_idx_bad(prod, ring->in_cons, XENCONS_IN_SIZE)) {
		ring->broken = true;
		return -EPROTO;
	}
	return prod - ring->in_cons;
}

/**
 * xencons_ring_read() - take input from the backend
 * @ring: the ring
 * @buf: where to copy it
 * @len: room in @buf
 *
 * Return: bytes taken, or -EPROTO.  The caller notifies the backend when
 * it took any, so that it can refill the ring.
 */
int xencons_ring_read(struct xencons_ring *ring, u8 *buf, size_t len)
{
	struct xencons_interface *intf = ring->intf;
	int avail = xencons_ring_in_avail(ring);
	size_t i, n;

	if (avail < 0)
		return avail;
	n = (size_t)avail < len ? (size_t)avail : len;
	/* The producer index before the bytes it covers. */
	virt_rmb();
	for (i = 0; i < n; i++) {
		XENCONS_RING_IDX at = MASK_XENCONS_IDX(ring->in_cons + i,
						       intf->in);

		buf[i] = READ_ONCE(intf->in[at]);
	}
	/* Done reading before the backend may write over those bytes. */
	virt_mb();
	ring->in_cons += n;
	WRITE_ONCE(intf->in_cons, ring->in_cons);
	return n;
}

/*
 * Has the backend consumed output since we last looked?  An event that
 * brings neither input nor this is one the backend sent for nothing.
 */
bool xencons_ring_out_progress(struct xencons_ring *ring)
{
	XENCONS_RING_IDX before = ring->out_cons_seen;

	return xencons_ring_out_used(ring) >= 0 && ring->out_cons_seen != before;
}
