/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenblk internals.  One struct xenblk_info per virtual block device,
 * owning one struct xenblk_ring per hardware queue.
 *
 * Data never leaves the guest's own pages through a grant: every request
 * is bounced through pages xenblk allocated, zeroed and granted for the
 * life of the connection (a pool per ring).  This is what the backend's
 * feature-persistent asks for, it is what trusted=0 (XSA-403) demands,
 * and it means a backend that keeps a grant mapped can never see or
 * scribble on a page the kernel has reused: failing a request is always
 * safe, whatever the backend does.
 */
#ifndef XENBLK_XENBLK_H
#define XENBLK_XENBLK_H

#include <linux/blk-mq.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/interface/io/blkif.h>
#include <xenpv/xenpv.h>

#include "proto.h"

/* Ring pages a backend may offer: blkif's max-ring-page-order of 4. */
#define XENBLK_MAX_RING_ORDER		4
#define XENBLK_MAX_RING_PAGES		BIT(XENBLK_MAX_RING_ORDER)
/* Segments an indirect page holds; we use one indirect page at most. */
#define XENBLK_SEGS_PER_INDIRECT_PAGE \
	(PAGE_SIZE / sizeof(struct blkif_request_segment))
#define XENBLK_SECTORS_PER_PAGE		(PAGE_SIZE >> SECTOR_SHIFT)
/*
 * Grants of a ring that Linux's blkback keeps mapped (its module parameter
 * max_persistent_grants, 1056 by default).  Past that it maps and unmaps
 * grants for every request and purges its mapped set every 100 ms, so a
 * ring's bounce pool and indirect pages stay within it.
 */
#define XENBLK_BACKEND_GRANTS		1056

/* A page of the bounce pool, granted to the backend while we connect. */
struct xenblk_gpage {
	struct list_head node;
	struct page *page;
	grant_ref_t ref;
};

/* The pages behind one request id. */
struct xenblk_slot {
	struct request *rq;
	blk_status_t status;		/* set when the response is in */
	bool post_flush;		/* FUA emulated: flush after the write */
	unsigned int nr_pages;
	struct xenblk_gpage **pages;	/* [max_segs] */
	struct xenblk_gpage *indirect;	/* segment list for the backend */
};

struct xenblk_info;

struct xenblk_ring {
	struct xenblk_info *info;
	unsigned int index;
	char name[DISK_NAME_LEN + 16];	/* "xvdb-q0", for the event channel */

	spinlock_t lock;		/* ring, tags, slots, pool */
	struct blkif_front_ring front;
	void *sring;
	unsigned int nr_ring_pages;
	grant_ref_t ring_refs[XENBLK_MAX_RING_PAGES];
	evtchn_port_t evtchn;
	bool bound;
	bool dead;			/* no more requests, no more responses */

	unsigned int depth;		/* request ids: the ring's slots */
	struct xenblk_tag *tags;
	struct xenblk_slot *slots;
	unsigned int inflight;

	struct list_head pool;		/* free granted pages */
	unsigned int pool_free;
	unsigned int pool_size;

	u64 requests, responses;	/* for sysfs */
};

/* Backend features, as negotiated at connect. */
struct xenblk_features {
	unsigned int nr_rings;
	unsigned int ring_order;
	unsigned int max_segs;		/* data pages per request */
	unsigned int indirect_segs;	/* the backend's offer; 0: none */
	bool persistent;
	bool flush;
	bool fua;			/* through BLKIF_OP_WRITE_BARRIER */
	bool discard;
	bool secure_discard;
	unsigned int discard_granularity;
	unsigned int discard_alignment;
};

enum xenblk_conn {
	XENBLK_DISCONNECTED,		/* no rings */
	XENBLK_INITIALISED,		/* rings published, backend not ready */
	XENBLK_CONNECTED,
	XENBLK_BROKEN,			/* the backend misbehaved: all I/O fails */
};

struct xenblk_info {
	struct xenpv_device *xdev;
	struct kref kref;		/* the binding, and each open */
	struct mutex mutex;		/* connection state, disk life */
	enum xenblk_conn conn;

	spinlock_t open_lock;		/* the four below */
	bool bound;			/* the driver is bound to xdev */
	bool closing;			/* disk going away: no opens, no I/O */
	bool closing_deferred;		/* backend closing while we are open */
	unsigned int open_count;

	u32 handle;			/* virtual-device, for requests */
	struct xenblk_vdev vdev;
	char name[DISK_NAME_LEN];
	bool trusted;			/* shown only: we always bounce */
	bool cdrom;

	struct xenblk_features feat;
	unsigned int vdisk_info;	/* VDISK_* */
	unsigned int sector_size;
	unsigned int physical_sector_size;
	u64 sectors;			/* 512-byte units */

	struct xenblk_ring *rings;
	unsigned int nr_rings;
	wait_queue_head_t idle_wait;	/* woken when a ring drains */

	struct gendisk *gd;
	struct blk_mq_tag_set tag_set;
	bool tag_set_ready;

	struct work_struct broken_work;	/* report a broken backend */
	struct work_struct limits_work;	/* a feature turned out missing */
	struct work_struct close_work;	/* deferred close after last user */
	const char *broken_why;
};

/* main.c */
void xenblk_info_put(struct xenblk_info *info);

/* ring.c */
int xenblk_rings_alloc(struct xenblk_info *info, unsigned int nr_rings,
		       unsigned int ring_order);
int xenblk_rings_publish(struct xenblk_info *info, u32 tx);
void xenblk_rings_unpublish(struct xenblk_info *info, u32 tx);
int xenblk_rings_prepare_io(struct xenblk_info *info);
void xenblk_rings_kill(struct xenblk_info *info);
void xenblk_rings_requeue(struct xenblk_info *info);
void xenblk_rings_free(struct xenblk_info *info);
bool xenblk_rings_idle(struct xenblk_info *info);
blk_status_t xenblk_ring_submit(struct xenblk_ring *ring, struct request *rq);
void xenblk_ring_push(struct xenblk_ring *ring);
void xenblk_ring_complete(struct xenblk_ring *ring, struct request *rq);
void xenblk_ring_broken(struct xenblk_ring *ring, const char *why);

/* disk.c */
int xenblk_disk_create(struct xenblk_info *info);
void xenblk_disk_remove(struct xenblk_info *info);
void xenblk_disk_resize(struct xenblk_info *info, u64 sectors);
void xenblk_disk_update_features(struct xenblk_info *info);
int xenblk_register_major(void);
void xenblk_unregister_major(void);

#endif /* XENBLK_XENBLK_H */
