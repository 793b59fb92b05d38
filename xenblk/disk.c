// SPDX-License-Identifier: GPL-2.0
/*
 * The disk the guest sees: a blk-mq gendisk with one hardware queue per
 * ring, named and numbered from the xenstore virtual-device (xvda on
 * major 202), its limits from what the backend offered, and the
 * negotiated features under /sys/block/<disk>/xenblk/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/hdreg.h>
#include <linux/module.h>
#include <xenpv/blk_compat.h>

#include "xenblk.h"

/* The xvd major, as Xen guests have always had it. */
#define XENBLK_MAJOR 202

static int xenblk_major;

int xenblk_register_major(void)
{
	int rc = register_blkdev(XENBLK_MAJOR, "xvd");

	if (!rc) {
		xenblk_major = XENBLK_MAJOR;
		return 0;
	}
	/* Taken (by a loaded xen-blkfront?): disks still work, by name. */
	rc = register_blkdev(0, "xvd");
	if (rc < 0) {
		pr_err("no block major for xvd disks: %d\n", rc);
		return rc;
	}
	pr_warn("major %d is taken; xvd disks use major %d\n", XENBLK_MAJOR,
		rc);
	xenblk_major = rc;
	return 0;
}

void xenblk_unregister_major(void)
{
	unregister_blkdev(xenblk_major, "xvd");
}

/* ---------------------------------------------------------------------
 * blk-mq
 */

static int xenblk_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			    unsigned int index)
{
	hctx->driver_data = data;
	return 0;
}

/*
 * Looked up at each call, never kept: a restore builds the rings anew
 * under the living disk (with its queue quiesced).
 */
static struct xenblk_ring *xenblk_hctx_ring(struct blk_mq_hw_ctx *hctx)
{
	struct xenblk_info *info = hctx->driver_data;

	return &info->rings[hctx->queue_num];
}

static blk_status_t xenblk_queue_rq(struct blk_mq_hw_ctx *hctx,
				    const struct blk_mq_queue_data *bd)
{
	struct xenblk_ring *ring = xenblk_hctx_ring(hctx);
	blk_status_t status;

	blk_mq_start_request(bd->rq);
	status = xenblk_ring_submit(ring, bd->rq);
	if (bd->last || status != BLK_STS_OK)
		xenblk_ring_push(ring);
	return status;
}

static void xenblk_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	xenblk_ring_push(xenblk_hctx_ring(hctx));
}

static void xenblk_complete_rq(struct request *rq)
{
	xenblk_ring_complete(xenblk_hctx_ring(rq->mq_hctx), rq);
}

static const struct blk_mq_ops xenblk_mq_ops = {
	.queue_rq = xenblk_queue_rq,
	.commit_rqs = xenblk_commit_rqs,
	.complete = xenblk_complete_rq,
	.init_hctx = xenblk_init_hctx,
};

/* ---------------------------------------------------------------------
 * Block device operations
 */

/*
 * Opens are counted under their own lock, never info->mutex: the block
 * layer calls us with the disk's open_mutex held, which del_gendisk()
 * takes too, and del_gendisk() runs under info->mutex.
 */
static int xenblk_open(struct gendisk *disk)
{
	struct xenblk_info *info = disk->private_data;
	int rc = 0;

	spin_lock(&info->open_lock);
	if (info->closing) {
		rc = -ENXIO;
	} else {
		info->open_count++;
		/* A disk opened after its removal still closes: keep info. */
		kref_get(&info->kref);
	}
	spin_unlock(&info->open_lock);
	return rc;
}

static void xenblk_release(struct gendisk *disk)
{
	struct xenblk_info *info = disk->private_data;

	spin_lock(&info->open_lock);
	/* The backend asked to close while we were in use: now we can. */
	if (!--info->open_count && info->closing_deferred && info->bound)
		schedule_work(&info->close_work);
	spin_unlock(&info->open_lock);
	xenblk_info_put(info);
}

/* A made-up geometry, for tools that still ask (fdisk's DOS mode). */
static int xenblk_getgeo(struct gendisk *disk, struct hd_geometry *geo)
{
	sector_t cylinders = get_capacity(disk);

	geo->heads = 255;
	geo->sectors = 63;
	sector_div(cylinders, geo->heads * geo->sectors);
	geo->cylinders = min_t(sector_t, cylinders, 0xffff);
	return 0;
}

XENPV_DEFINE_BDEV_OPEN(xenblk_open)
XENPV_DEFINE_BDEV_RELEASE(xenblk_release)
XENPV_DEFINE_BDEV_GETGEO(xenblk_getgeo)

static const struct block_device_operations xenblk_fops = {
	.owner = THIS_MODULE,
	.open = xenblk_open_bdops,
	.release = xenblk_release_bdops,
	.getgeo = xenblk_getgeo_bdops,
};

/* ---------------------------------------------------------------------
 * sysfs: /sys/block/<disk>/xenblk/
 */

static struct xenblk_info *xenblk_dev_info(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

#define XENBLK_FEATURE_ATTR(name, fmt, expr)				\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct xenblk_info *info = xenblk_dev_info(dev);		\
									\
	return sysfs_emit(buf, fmt "\n", expr);				\
}									\
static DEVICE_ATTR_RO(name)

XENBLK_FEATURE_ATTR(nr_queues, "%u", info->feat.nr_rings);
XENBLK_FEATURE_ATTR(ring_pages, "%u", 1U << info->feat.ring_order);
XENBLK_FEATURE_ATTR(max_segments, "%u", info->feat.max_segs);
XENBLK_FEATURE_ATTR(indirect_segments, "%u", info->feat.indirect_segs);
XENBLK_FEATURE_ATTR(persistent, "%d", info->feat.persistent);
XENBLK_FEATURE_ATTR(flush, "%d", READ_ONCE(info->feat.flush));
XENBLK_FEATURE_ATTR(fua, "%d", READ_ONCE(info->feat.fua));
XENBLK_FEATURE_ATTR(discard, "%d", READ_ONCE(info->feat.discard));
XENBLK_FEATURE_ATTR(secure_discard, "%d", info->feat.secure_discard);
XENBLK_FEATURE_ATTR(trusted, "%d", info->trusted);
XENBLK_FEATURE_ATTR(backend, "%s", info->xdev->otherend ?: "");

static ssize_t bounce_pages_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct xenblk_info *info = xenblk_dev_info(dev);
	unsigned int i, pages = 0;

	/* No lock: the rings outlive the disk and its sysfs files. */
	for (i = 0; i < info->nr_rings; i++)
		pages += READ_ONCE(info->rings[i].pool_size);
	return sysfs_emit(buf, "%u\n", pages);
}
static DEVICE_ATTR_RO(bounce_pages);

static ssize_t requests_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct xenblk_info *info = xenblk_dev_info(dev);
	unsigned int i;
	ssize_t len = 0;

	/* Per queue, so a test can see the load spread over them. */
	for (i = 0; i < info->nr_rings; i++)
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "",
				     READ_ONCE(info->rings[i].requests));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(requests);

static struct attribute *xenblk_attrs[] = {
	&dev_attr_nr_queues.attr,
	&dev_attr_ring_pages.attr,
	&dev_attr_max_segments.attr,
	&dev_attr_indirect_segments.attr,
	&dev_attr_persistent.attr,
	&dev_attr_flush.attr,
	&dev_attr_fua.attr,
	&dev_attr_discard.attr,
	&dev_attr_secure_discard.attr,
	&dev_attr_trusted.attr,
	&dev_attr_backend.attr,
	&dev_attr_bounce_pages.attr,
	&dev_attr_requests.attr,
	NULL,
};

static const struct attribute_group xenblk_attr_group = {
	.name = "xenblk",
	.attrs = xenblk_attrs,
};

static const struct attribute_group *xenblk_attr_groups[] = {
	&xenblk_attr_group,
	NULL,
};

/* ---------------------------------------------------------------------
 * The gendisk
 */

static void xenblk_fill_limits(struct xenblk_info *info,
			       struct xenpv_blk_limits *lim)
{
	const struct xenblk_features *f = &info->feat;

	memset(lim, 0, sizeof(*lim));
	lim->logical_block_size = info->sector_size;
	lim->physical_block_size = info->physical_sector_size;
	lim->max_hw_sectors = f->max_segs * XENBLK_SECTORS_PER_PAGE;
	/* Data is packed into the bounce pages: any bvec layout fits. */
	lim->max_segments = min_t(unsigned int, f->max_segs * 4, USHRT_MAX);
	if (READ_ONCE(f->discard)) {
		lim->max_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		lim->discard_granularity = f->discard_granularity ?:
					   info->sector_size;
		lim->discard_alignment = f->discard_alignment;
		lim->secure_erase = f->secure_discard;
	}
	lim->write_cache = READ_ONCE(f->flush);
	lim->fua = READ_ONCE(f->fua);
}

static int xenblk_tag_set_init(struct xenblk_info *info)
{
	struct blk_mq_tag_set *set = &info->tag_set;

	memset(set, 0, sizeof(*set));
	set->ops = &xenblk_mq_ops;
	set->nr_hw_queues = info->nr_rings;
	set->queue_depth = info->rings[0].depth;
	set->numa_node = NUMA_NO_NODE;
	set->flags = XENPV_BLK_MQ_F_MERGE;
	set->driver_data = info;
	return blk_mq_alloc_tag_set(set);
}

/**
 * xenblk_disk_create() - make the disk, once the backend is connected
 * @info: the device, with its rings and features ready
 *
 * Return: 0, or an errno (logged) with nothing left behind.
 */
int xenblk_disk_create(struct xenblk_info *info)
{
	struct device *dev = &info->xdev->dev;
	struct xenpv_blk_limits lim;
	struct gendisk *gd;
	int rc;

	rc = xenblk_tag_set_init(info);
	if (rc) {
		dev_err(dev, "%s: allocating %u queues of %u tags failed: %d\n",
			info->name, info->nr_rings, info->rings[0].depth, rc);
		return rc;
	}
	xenblk_fill_limits(info, &lim);
	gd = xenpv_blk_alloc_disk(&info->tag_set, &lim, info);
	if (IS_ERR(gd)) {
		rc = PTR_ERR(gd);
		dev_err(dev, "%s: allocating the disk failed: %d\n", info->name,
			rc);
		goto err_tags;
	}
	gd->major = xenblk_major;
	gd->first_minor = info->vdev.index * XENBLK_PARTS_PER_DISK +
			  info->vdev.partition;
	gd->minors = info->vdev.partition ? 1 : XENBLK_PARTS_PER_DISK;
	gd->fops = &xenblk_fops;
	gd->private_data = info;
	strscpy(gd->disk_name, info->name, sizeof(gd->disk_name));
	if (info->vdisk_info & (VDISK_CDROM | VDISK_REMOVABLE))
		gd->flags |= GENHD_FL_REMOVABLE;
	set_capacity(gd, info->sectors);
	set_disk_ro(gd, !!(info->vdisk_info & VDISK_READONLY));

	rc = xenpv_blk_add_disk(dev, gd, xenblk_attr_groups);
	if (rc) {
		dev_err(dev, "%s: adding the disk failed: %d\n", info->name, rc);
		xenpv_blk_put_disk(gd);
		goto err_tags;
	}
	info->gd = gd;
	return 0;

err_tags:
	blk_mq_free_tag_set(&info->tag_set);
	return rc;
}

/**
 * xenblk_disk_remove() - take the disk away
 * @info: the device; its rings must fail or finish every request, since
 *        del_gendisk() waits for them
 */
void xenblk_disk_remove(struct xenblk_info *info)
{
	if (!info->gd)
		return;
	del_gendisk(info->gd);
	xenpv_blk_put_disk(info->gd);
	blk_mq_free_tag_set(&info->tag_set);
	info->gd = NULL;
}

/* The backend changed the size (online resize). */
void xenblk_disk_resize(struct xenblk_info *info, u64 sectors)
{
	if (!info->gd || sectors == get_capacity(info->gd))
		return;
	dev_info(&info->xdev->dev, "%s: size changed from %llu to %llu sectors\n",
		 info->name, (unsigned long long)get_capacity(info->gd),
		 (unsigned long long)sectors);
	info->sectors = sectors;
	set_capacity_and_notify(info->gd, sectors);
}

/* A feature the backend refused is withdrawn from the block layer. */
void xenblk_disk_update_features(struct xenblk_info *info)
{
	struct xenpv_blk_limits lim;
	int rc;

	if (!info->gd)
		return;
	xenblk_fill_limits(info, &lim);
	rc = xenpv_blk_update_limits(info->gd, &lim);
	if (rc)
		dev_err(&info->xdev->dev, "%s: updating queue limits failed: %d\n",
			info->name, rc);
}
