/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block layer as xenblk needs it, on every kernel xenpv builds for.
 *
 * Linux changed how a blk-mq disk is made and described three times
 * between 5.10 and 7.x: a queue and a disk made separately (5.10), one
 * call for both (5.14), and queue limits handed over at birth with the
 * write cache and FUA as limit "features" (6.9, 6.11).  xenblk describes
 * its disk once, in struct xenpv_blk_limits, and these helpers apply it
 * the way the running kernel wants.  Each branch rests on a compile probe
 * (include/probes/), never on a version number.
 */
#ifndef XENPV_BLK_COMPAT_H
#define XENPV_BLK_COMPAT_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/hdreg.h>

struct xenpv_blk_limits {
	unsigned int logical_block_size;	/* bytes */
	unsigned int physical_block_size;	/* bytes */
	unsigned int max_hw_sectors;		/* 512-byte units */
	unsigned int max_segments;
	unsigned int max_discard_sectors;	/* 0: no discard */
	unsigned int discard_granularity;	/* bytes */
	unsigned int discard_alignment;		/* bytes */
	bool secure_erase;
	bool write_cache;
	bool fua;
};

/* Merging of adjacent bios was opt-in until the flag went away. */
#ifdef XENPV_HAVE_BLK_MQ_F_SHOULD_MERGE
#define XENPV_BLK_MQ_F_MERGE BLK_MQ_F_SHOULD_MERGE
#else
#define XENPV_BLK_MQ_F_MERGE 0
#endif

#ifdef XENPV_HAVE_BLK_FEAT_WRITE_CACHE

static inline void xenpv_blk_fill_limits(struct queue_limits *lim,
					 const struct xenpv_blk_limits *l)
{
	lim->logical_block_size = l->logical_block_size;
	lim->physical_block_size = l->physical_block_size;
	lim->max_hw_sectors = l->max_hw_sectors;
	lim->max_segments = l->max_segments;
	lim->max_hw_discard_sectors = l->max_discard_sectors;
	lim->discard_granularity = l->discard_granularity;
	lim->discard_alignment = l->discard_alignment;
	lim->max_secure_erase_sectors =
		l->secure_erase ? l->max_discard_sectors : 0;
	lim->features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA |
			   BLK_FEAT_ROTATIONAL);
	if (l->write_cache)
		lim->features |= BLK_FEAT_WRITE_CACHE;
	if (l->write_cache && l->fua)
		lim->features |= BLK_FEAT_FUA;
}

static inline struct gendisk *
xenpv_blk_alloc_disk(struct blk_mq_tag_set *set,
		     const struct xenpv_blk_limits *l, void *data)
{
	struct queue_limits lim = {};

	xenpv_blk_fill_limits(&lim, l);
	return blk_mq_alloc_disk(set, &lim, data);
}

/* Applies @l to a live disk: a feature the backend refused goes away. */
static inline int xenpv_blk_update_limits(struct gendisk *disk,
					  const struct xenpv_blk_limits *l)
{
	struct queue_limits lim = queue_limits_start_update(disk->queue);

	xenpv_blk_fill_limits(&lim, l);
#ifdef XENPV_HAVE_QUEUE_LIMITS_COMMIT_UPDATE_FROZEN
	return queue_limits_commit_update_frozen(disk->queue, &lim);
#else
	return queue_limits_commit_update(disk->queue, &lim);
#endif
}

#else /* limits set one by one, on the queue */

static inline int xenpv_blk_update_limits(struct gendisk *disk,
					  const struct xenpv_blk_limits *l)
{
	struct request_queue *q = disk->queue;

	blk_queue_logical_block_size(q, l->logical_block_size);
	blk_queue_physical_block_size(q, l->physical_block_size);
	blk_queue_max_hw_sectors(q, l->max_hw_sectors);
	blk_queue_max_segments(q, l->max_segments);
	blk_queue_max_discard_sectors(q, l->max_discard_sectors);
	q->limits.discard_granularity = l->discard_granularity;
	q->limits.discard_alignment = l->discard_alignment;
#ifdef QUEUE_FLAG_DISCARD
	if (l->max_discard_sectors)
		blk_queue_flag_set(QUEUE_FLAG_DISCARD, q);
	else
		blk_queue_flag_clear(QUEUE_FLAG_DISCARD, q);
#endif
#ifdef XENPV_HAVE_BLK_QUEUE_MAX_SECURE_ERASE_SECTORS
	blk_queue_max_secure_erase_sectors(q, l->secure_erase ?
					   l->max_discard_sectors : 0);
#elif defined(QUEUE_FLAG_SECERASE)
	if (l->secure_erase && l->max_discard_sectors)
		blk_queue_flag_set(QUEUE_FLAG_SECERASE, q);
	else
		blk_queue_flag_clear(QUEUE_FLAG_SECERASE, q);
#endif
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_write_cache(q, l->write_cache, l->write_cache && l->fua);
	return 0;
}

static inline struct gendisk *
xenpv_blk_alloc_disk(struct blk_mq_tag_set *set,
		     const struct xenpv_blk_limits *l, void *data)
{
	struct gendisk *disk;

#if defined(XENPV_HAVE_BLK_MQ_ALLOC_DISK_LIM)
	disk = blk_mq_alloc_disk(set, NULL, data);
#elif defined(XENPV_HAVE_BLK_MQ_ALLOC_DISK)
	disk = blk_mq_alloc_disk(set, data);
#else
	struct request_queue *q = blk_mq_init_queue(set);

	if (IS_ERR(q))
		return ERR_CAST(q);
	q->queuedata = data;
	/* The caller sets the minors; alloc_disk() only sizes a table. */
	disk = alloc_disk(1);
	if (!disk) {
		blk_cleanup_queue(q);
		return ERR_PTR(-ENOMEM);
	}
	disk->queue = q;
#endif
	if (IS_ERR(disk))
		return disk;
	xenpv_blk_update_limits(disk, l);
	return disk;
}

#endif /* XENPV_HAVE_BLK_FEAT_WRITE_CACHE */

static inline int xenpv_blk_add_disk(struct device *parent,
				     struct gendisk *disk,
				     const struct attribute_group **groups)
{
#ifdef XENPV_HAVE_ADD_DISK_INT
	return device_add_disk(parent, disk, groups);
#else
	device_add_disk(parent, disk, groups);
	return 0;
#endif
}

/* Undoes xenpv_blk_alloc_disk(), after del_gendisk() if it was added. */
static inline void xenpv_blk_put_disk(struct gendisk *disk)
{
#if defined(XENPV_HAVE_BLK_CLEANUP_DISK)
	blk_cleanup_disk(disk);
#elif defined(XENPV_HAVE_BLK_MQ_ALLOC_DISK) || \
	defined(XENPV_HAVE_BLK_MQ_ALLOC_DISK_LIM)
	put_disk(disk);
#else
	blk_cleanup_queue(disk->queue);
	put_disk(disk);
#endif
}

/*
 * block_device_operations callbacks, written once against the gendisk:
 * XENPV_DEFINE_BDEV_OPEN(fn) makes fn##_bdops from int fn(struct gendisk *),
 * and likewise for release (void fn(struct gendisk *)) and getgeo.
 */
#ifdef XENPV_HAVE_BDOPS_OPEN_GENDISK
#define XENPV_DEFINE_BDEV_OPEN(fn)					\
	static int fn##_bdops(struct gendisk *disk, blk_mode_t mode)	\
	{								\
		return fn(disk);					\
	}
#else
#define XENPV_DEFINE_BDEV_OPEN(fn)					\
	static int fn##_bdops(struct block_device *bdev, fmode_t mode)	\
	{								\
		return fn(bdev->bd_disk);				\
	}
#endif

#ifdef XENPV_HAVE_BDOPS_RELEASE_GENDISK_ONLY
#define XENPV_DEFINE_BDEV_RELEASE(fn)					\
	static void fn##_bdops(struct gendisk *disk)			\
	{								\
		fn(disk);						\
	}
#else
#define XENPV_DEFINE_BDEV_RELEASE(fn)					\
	static void fn##_bdops(struct gendisk *disk, fmode_t mode)	\
	{								\
		fn(disk);						\
	}
#endif

#ifdef XENPV_HAVE_BDOPS_GETGEO_GENDISK
#define XENPV_DEFINE_BDEV_GETGEO(fn)					\
	static int fn##_bdops(struct gendisk *disk,			\
			      struct hd_geometry *geo)			\
	{								\
		return fn(disk, geo);					\
	}
#else
#define XENPV_DEFINE_BDEV_GETGEO(fn)					\
	static int fn##_bdops(struct block_device *bdev,		\
			      struct hd_geometry *geo)			\
	{								\
		return fn(bdev->bd_disk, geo);				\
	}
#endif

#endif /* XENPV_BLK_COMPAT_H */
