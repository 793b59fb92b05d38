/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console ring (xen/interface/io/console.h): one page shared with the
 * backend, output bytes in out[], input bytes in in[], each with a
 * producer and a consumer index that run freely and wrap at 2^32.
 *
 * The backend is another domain and may be hostile.  Our own indexes
 * (out_prod, in_cons) live here and are only ever written to the page,
 * never read back from it; the backend's (out_cons, in_prod) are read
 * once per operation and must stay within a ring's length of ours.  A
 * ring that breaks that rule is broken for good: every call then returns
 * -EPROTO.  No locking and no kernel services: the caller serialises,
 * and tests/unit builds this file in userspace against a hostile backend.
 */
#ifndef XENCONS_RING_H
#define XENCONS_RING_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <asm/barrier.h>
#else
#include "kernel_shim.h"	/* tests/unit: u8, READ_ONCE, barriers */
#endif
#include <xen/interface/io/console.h>

struct xencons_ring {
	struct xencons_interface *intf;
	XENCONS_RING_IDX out_prod;	/* ours: bytes written */
	XENCONS_RING_IDX in_cons;	/* ours: bytes read */
	XENCONS_RING_IDX out_cons_seen;	/* the backend's, as last seen */
	bool broken;
};

#define XENCONS_OUT_SIZE	sizeof(((struct xencons_interface *)0)->out)
#define XENCONS_IN_SIZE		sizeof(((struct xencons_interface *)0)->in)

int xencons_ring_init(struct xencons_ring *ring,
		      struct xencons_interface *intf, bool adopt);
int xencons_ring_out_used(struct xencons_ring *ring);
int xencons_ring_write(struct xencons_ring *ring, const u8 *buf, size_t len);
int xencons_ring_in_avail(struct xencons_ring *ring);
int xencons_ring_read(struct xencons_ring *ring, u8 *buf, size_t len);
bool xencons_ring_out_progress(struct xencons_ring *ring);

#endif /* XENCONS_RING_H */
