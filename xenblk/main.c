// SPDX-License-Identifier: GPL-2.0
/*
 * xenblk: the Xen virtual block device frontend, for guests whose kernel's
 * own Xen support is absent or switched off (xen_nopv).
 *
 * A device's life, driven by the backend's state (otherend_changed):
 *
 *   probe               read virtual-device: the disk's name and number
 *   backend InitWait    make the rings (as many queues and ring pages as
 *                       both sides allow), publish them, go Initialised
 *   backend Connected   read size and features, make the disk, go
 *                       Connected; later Connected events are resizes
 *   backend Closing     drop the disk (at the last close if it is open),
 *                       go Closed; a backend back in InitWait reconnects
 *   remove              the device's node is gone: drop everything
 *   resume              after a restore: the disk stays, quiesced, its
 *                       requests handed back; then as from InitWait
 *
 * ring.c owns the rings and the bounce pool, disk.c the gendisk, proto.c
 * the protocol checks that need no kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "xenblk.h"

/*
 * As many queues as the in-tree driver takes by default; fewer when the
 * guest has fewer vCPUs or the backend offers fewer.
 */
static unsigned int xenblk_max_queues = 4;
module_param_named(max_queues, xenblk_max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "Most hardware queues (rings) per disk, default 4; never more than online CPUs or the backend's multi-queue-max-queues");

static unsigned int xenblk_max_ring_order = 2;
module_param_named(max_ring_page_order, xenblk_max_ring_order, uint, 0444);
MODULE_PARM_DESC(max_ring_page_order, "log2 of the most pages per ring (0-4), default 2: 128 requests in flight per queue");

static unsigned int xenblk_max_indirect_segments = 128;
module_param_named(max_indirect_segments, xenblk_max_indirect_segments, uint, 0444);
MODULE_PARM_DESC(max_indirect_segments, "Most 4 KiB pages per request with indirect descriptors (11-512), default 128");

static bool xenblk_trusted = true;
module_param_named(trusted, xenblk_trusted, bool, 0444);
MODULE_PARM_DESC(trusted, "Trust backends (default). xenblk bounces all data through pages it grants and zeroes, so trusted=0 changes nothing it does; it is shown per disk");

/* How long a closing disk waits for the backend to answer what it has. */
#define XENBLK_DRAIN_TIMEOUT	(30 * HZ)

static void xenblk_info_release(struct kref *kref)
{
	kfree(container_of(kref, struct xenblk_info, kref));
}

void xenblk_info_put(struct xenblk_info *info)
{
	kref_put(&info->kref, xenblk_info_release);
}

/* ---------------------------------------------------------------------
 * Talking to the backend
 */

static unsigned int xenblk_backend_uint(struct xenblk_info *info,
					const char *key, unsigned int dflt)
{
	unsigned int value;

	if (xenpv_xs_read_uint(XENPV_XS_NO_TX, info->xdev->otherend, key,
			       &value))
		return dflt;
	return value;
}

static int xenblk_publish_tx(u32 tx, void *info)
{
	return xenblk_rings_publish(info, tx);
}

/*
 * After a restore the disk lives on, its queues and tags as they were:
 * the new rings must be the same in number and at least as deep.
 */
static bool xenblk_resume_fits(struct xenblk_info *info, unsigned int *queues,
			       unsigned int *order)
{
	unsigned int want_queues = info->tag_set.nr_hw_queues;
	unsigned int want_order = info->feat.ring_order;

	if (xenblk_backend_uint(info, "multi-queue-max-queues", 1) <
	    want_queues ||
	    xenblk_backend_uint(info, "max-ring-page-order", 0) < want_order) {
		xenpv_dev_fatal(info->xdev, -EOPNOTSUPP,
				"%s: after the restore, %s offers fewer queues or ring pages than %s was made with (%u of order %u)",
				info->name, info->xdev->otherend, info->name,
				want_queues, want_order);
		return false;
	}
	*queues = want_queues;
	*order = want_order;
	return true;
}

/* Backend in InitWait: make and publish the rings. */
static void xenblk_talk_to_backend(struct xenblk_info *info)
{
	struct xenpv_device *xdev = info->xdev;
	unsigned int queues, order;
	int rc;

	queues = min3(xenblk_backend_uint(info, "multi-queue-max-queues", 1),
		      xenblk_max_queues, num_online_cpus());
	queues = max(queues, 1U);
	order = min3(xenblk_backend_uint(info, "max-ring-page-order", 0),
		     xenblk_max_ring_order, (unsigned int)XENBLK_MAX_RING_ORDER);

	mutex_lock(&info->mutex);
	if (info->conn != XENBLK_DISCONNECTED)
		goto out;
	if (info->gd && !xenblk_resume_fits(info, &queues, &order))
		goto out;
	spin_lock(&info->open_lock);
	info->closing = false;
	info->closing_deferred = false;
	spin_unlock(&info->open_lock);
	memset(&info->feat, 0, sizeof(info->feat));
	info->feat.nr_rings = queues;
	info->feat.ring_order = order;

	rc = xenblk_rings_alloc(info, queues, order);
	if (rc)
		goto out;
	rc = xenpv_xs_transact(xenblk_publish_tx, info);
	if (rc) {
		xenpv_dev_fatal(xdev, rc, "writing ring details to %s",
				xdev->nodename);
		xenblk_rings_free(info);
		goto out;
	}
	info->conn = XENBLK_INITIALISED;
	xenpv_switch_state(xdev, XenbusStateInitialised);
out:
	mutex_unlock(&info->mutex);
}

/* The sector sizes must be powers of two a page can hold. */
static bool xenblk_sector_size_ok(unsigned int size)
{
	return is_power_of_2(size) && size >= SECTOR_SIZE && size <= PAGE_SIZE;
}

static int xenblk_read_geometry(struct xenblk_info *info)
{
	struct xenpv_device *xdev = info->xdev;
	const char *be = xdev->otherend;
	unsigned long long sectors;
	char *s;
	int rc;

	s = xenpv_xs_read(XENPV_XS_NO_TX, be, "sectors", NULL);
	if (IS_ERR(s)) {
		dev_err(&xdev->dev, "%s: reading %s/sectors failed: %ld\n",
			info->name, be, PTR_ERR(s));
		return PTR_ERR(s);
	}
	rc = kstrtoull(s, 10, &sectors);
	kfree(s);
	if (rc) {
		dev_err(&xdev->dev, "%s: %s/sectors is not a number\n",
			info->name, be);
		return rc;
	}
	info->sectors = sectors;
	info->vdisk_info = xenblk_backend_uint(info, "info", 0);
	info->sector_size = xenblk_backend_uint(info, "sector-size", 0);
	if (!xenblk_sector_size_ok(info->sector_size)) {
		dev_err(&xdev->dev, "%s: %s/sector-size %u is not one a disk can have\n",
			info->name, be, info->sector_size);
		return -EINVAL;
	}
	info->physical_sector_size =
		xenblk_backend_uint(info, "physical-sector-size",
				    info->sector_size);
	if (!is_power_of_2(info->physical_sector_size) ||
	    info->physical_sector_size < info->sector_size)
		info->physical_sector_size = info->sector_size;
	return 0;
}

static void xenblk_read_features(struct xenblk_info *info)
{
	struct xenblk_features *f = &info->feat;

	f->flush = xenblk_backend_uint(info, "feature-flush-cache", 0);
	f->fua = f->flush && xenblk_backend_uint(info, "feature-barrier", 0);
	f->persistent = xenblk_backend_uint(info, "feature-persistent", 0);
	f->discard = xenblk_backend_uint(info, "feature-discard", 0);
	if (f->discard) {
		f->discard_granularity =
			xenblk_backend_uint(info, "discard-granularity", 0);
		f->discard_alignment =
			xenblk_backend_uint(info, "discard-alignment", 0);
		f->secure_discard =
			xenblk_backend_uint(info, "discard-secure", 0);
	}
	f->indirect_segs =
		xenblk_backend_uint(info, "feature-max-indirect-segments", 0);
	f->max_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	if (f->indirect_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		f->max_segs = clamp_t(unsigned int,
				      min(f->indirect_segs,
					  xenblk_max_indirect_segments),
				      BLKIF_MAX_SEGMENTS_PER_REQUEST,
				      XENBLK_SEGS_PER_INDIRECT_PAGE);
}

static void xenblk_log_connected(struct xenblk_info *info)
{
	const struct xenblk_features *f = &info->feat;

	dev_info(&info->xdev->dev,
		 "%s: %llu sectors (%u-byte, physical %u)%s, %u queue(s) of %u, %u pages per request%s%s%s%s\n",
		 info->name, (unsigned long long)info->sectors,
		 info->sector_size, info->physical_sector_size,
		 info->vdisk_info & VDISK_READONLY ? " read-only" : "",
		 f->nr_rings, info->rings[0].depth, f->max_segs,
		 f->persistent ? ", persistent" : "",
		 f->flush ? ", flush" : "", f->fua ? ", fua" : "",
		 f->discard ? ", discard" : "");
}

/*
 * The backend is Connected and our rings are up: what it offers (size,
 * features), and the bounce pages to go with it.  Return: 0, or an
 * errno after xenpv_dev_fatal().
 */
static int xenblk_ready_io(struct xenblk_info *info)
{
	struct xenpv_device *xdev = info->xdev;
	int rc;

	rc = xenblk_read_geometry(info);
	if (rc) {
		xenpv_dev_fatal(xdev, rc, "reading the size of %s", info->name);
		return rc;
	}
	if (info->cdrom)
		info->vdisk_info |= VDISK_CDROM;
	xenblk_read_features(info);
	rc = xenblk_rings_prepare_io(info);
	if (rc)
		xenpv_dev_fatal(xdev, rc, "allocating bounce pages for %s",
				info->name);
	return rc;
}

/*
 * The new backend after a restore is Connected: the disk, whose queue
 * was quiesced with its requests handed back, runs again on the new
 * rings, and the requests go out again.
 */
static void xenblk_reconnect(struct xenblk_info *info)
{
	struct xenpv_device *xdev = info->xdev;

	if (xenblk_ready_io(info))
		return;
	info->conn = XENBLK_CONNECTED;
	xenblk_disk_resize(info, info->sectors);
	xenblk_disk_update_features(info);
	xenpv_switch_state(xdev, XenbusStateConnected);
	blk_mq_unquiesce_queue(info->gd->queue);
	blk_mq_kick_requeue_list(info->gd->queue);
	dev_info(&xdev->dev, "%s: reconnected after a restore\n", info->name);
}

/* Backend Connected: make the disk, or notice a new size. */
static void xenblk_connect(struct xenblk_info *info)
{
	struct xenpv_device *xdev = info->xdev;
	int rc;

	mutex_lock(&info->mutex);
	if (info->conn == XENBLK_CONNECTED) {
		if (!xenblk_read_geometry(info))
			xenblk_disk_resize(info, info->sectors);
		goto out;
	}
	if (info->conn != XENBLK_INITIALISED)
		goto out;
	if (info->gd) {
		xenblk_reconnect(info);
		goto out;
	}

	if (xenblk_ready_io(info))
		goto out;
	rc = xenblk_disk_create(info);
	if (rc) {
		xenpv_dev_fatal(xdev, rc, "creating disk %s", info->name);
		goto out;
	}
	info->conn = XENBLK_CONNECTED;
	xenpv_switch_state(xdev, XenbusStateConnected);
	xenblk_log_connected(info);
out:
	mutex_unlock(&info->mutex);
}

/*
 * Drops the disk and the rings.  A backend that is still there gets time
 * to answer what it has; whatever it leaves unanswered fails.
 */
static void xenblk_teardown(struct xenblk_info *info)
{
	enum xenbus_state be = xenpv_read_otherend_state(info->xdev);

	lockdep_assert_held(&info->mutex);
	spin_lock(&info->open_lock);
	info->closing = true;
	spin_unlock(&info->open_lock);

	if (info->conn == XENBLK_CONNECTED &&
	    (be == XenbusStateConnected || be == XenbusStateClosing) &&
	    !wait_event_timeout(info->idle_wait, xenblk_rings_idle(info),
				XENBLK_DRAIN_TIMEOUT))
		dev_warn(&info->xdev->dev, "%s: backend left requests unanswered for %u s\n",
			 info->name, XENBLK_DRAIN_TIMEOUT / HZ);
	xenblk_rings_kill(info);
	xenblk_disk_remove(info);
	xenblk_rings_unpublish(info, XENPV_XS_NO_TX);
	xenblk_rings_free(info);
	info->conn = XENBLK_DISCONNECTED;
}

static void xenblk_close(struct xenblk_info *info)
{
	mutex_lock(&info->mutex);
	xenblk_teardown(info);
	mutex_unlock(&info->mutex);
	xenpv_switch_state(info->xdev, XenbusStateClosed);
}

/* Backend Closing or gone: close now, or when the last user closes. */
static void xenblk_backend_closing(struct xenblk_info *info)
{
	enum xenbus_state ours = info->xdev->state;

	/*
	 * Nothing to close yet: a backend still Closed from an earlier
	 * connection moves to InitWait once it sees us Initialising.
	 */
	if (ours == XenbusStateClosed || ours == XenbusStateInitialising)
		return;
	spin_lock(&info->open_lock);
	if (info->open_count) {
		info->closing_deferred = true;
		spin_unlock(&info->open_lock);
		dev_warn(&info->xdev->dev, "%s: backend is closing but the disk is in use; closing when it is no longer\n",
			 info->name);
		return;
	}
	spin_unlock(&info->open_lock);
	xenblk_close(info);
}

static void xenblk_close_work(struct work_struct *work)
{
	xenblk_close(container_of(work, struct xenblk_info, close_work));
}

static void xenblk_broken_work(struct work_struct *work)
{
	struct xenblk_info *info =
		container_of(work, struct xenblk_info, broken_work);

	mutex_lock(&info->mutex);
	if (info->conn == XENBLK_INITIALISED || info->conn == XENBLK_CONNECTED) {
		info->conn = XENBLK_BROKEN;
		xenblk_rings_kill(info);
	}
	mutex_unlock(&info->mutex);
	xenpv_dev_fatal(info->xdev, -EPROTO,
			"%s: backend %s broke the blkif protocol (%s); all I/O fails",
			info->name, info->xdev->otherend ?: "?",
			info->broken_why ?: "?");
}

static void xenblk_limits_work(struct work_struct *work)
{
	struct xenblk_info *info =
		container_of(work, struct xenblk_info, limits_work);

	mutex_lock(&info->mutex);
	xenblk_disk_update_features(info);
	mutex_unlock(&info->mutex);
}

static void xenblk_otherend_changed(struct xenpv_device *xdev,
				    enum xenbus_state state)
{
	struct xenblk_info *info = dev_get_drvdata(&xdev->dev);

	switch (state) {
	case XenbusStateInitWait:
		/* Also after a close: a backend that comes back reconnects. */
		if (xdev->state == XenbusStateInitialising ||
		    xdev->state == XenbusStateClosed)
			xenblk_talk_to_backend(info);
		break;
	case XenbusStateConnected:
		xenblk_connect(info);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:
		xenblk_backend_closing(info);
		break;
	default:
		break;
	}
}

/*
 * After a restore (struct xenpv_driver's resume): the rings' backend is
 * gone with the old domain.  The disk stays, its queue quiesced, and
 * what was in flight goes back to the block layer; the new backend's
 * InitWait and Connected build the rings again and let it all out.
 */
static int xenblk_resume(struct xenpv_device *xdev)
{
	struct xenblk_info *info = dev_get_drvdata(&xdev->dev);

	mutex_lock(&info->mutex);
	if (info->gd)
		blk_mq_quiesce_queue(info->gd->queue);
	xenblk_rings_requeue(info);
	xenblk_rings_free(info);
	info->conn = XENBLK_DISCONNECTED;
	mutex_unlock(&info->mutex);
	return 0;
}

/* ---------------------------------------------------------------------
 * Probe and remove
 */

static int xenblk_read_vdev(struct xenblk_info *info)
{
	struct xenpv_device *xdev = info->xdev;
	unsigned int vdev;
	int rc;

	rc = xenpv_xs_read_uint(XENPV_XS_NO_TX, xdev->nodename,
				"virtual-device", &vdev);
	if (rc == -ENOENT)
		rc = xenpv_xs_read_uint(XENPV_XS_NO_TX, xdev->nodename,
					"virtual-device-ext", &vdev);
	if (rc) {
		dev_err(&xdev->dev, "reading %s/virtual-device failed: %d\n",
			xdev->nodename, rc);
		return rc;
	}
	if (xenblk_decode_vdev(vdev, &info->vdev) ||
	    xenblk_disk_name(&info->vdev, info->name, sizeof(info->name))) {
		dev_err(&xdev->dev, "%s/virtual-device %#x names no disk xenblk can make\n",
			xdev->nodename, vdev);
		return -EINVAL;
	}
	info->handle = vdev;
	return 0;
}

static bool xenblk_is_cdrom(struct xenpv_device *xdev)
{
	char *type = xenpv_xs_read(XENPV_XS_NO_TX, xdev->nodename,
				   "device-type", NULL);
	bool cdrom;

	if (IS_ERR(type))
		return false;
	cdrom = !strcmp(type, "cdrom");
	kfree(type);
	return cdrom;
}

static int xenblk_probe(struct xenpv_device *xdev,
			const struct xenpv_device_id *id)
{
	struct xenblk_info *info;
	unsigned int trusted;
	int rc;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->xdev = xdev;
	kref_init(&info->kref);
	mutex_init(&info->mutex);
	spin_lock_init(&info->open_lock);
	init_waitqueue_head(&info->idle_wait);
	INIT_WORK(&info->broken_work, xenblk_broken_work);
	INIT_WORK(&info->limits_work, xenblk_limits_work);
	INIT_WORK(&info->close_work, xenblk_close_work);

	rc = xenblk_read_vdev(info);
	if (rc) {
		kfree(info);
		return rc;
	}
	info->cdrom = xenblk_is_cdrom(xdev);
	if (xenpv_xs_read_uint(XENPV_XS_NO_TX, xdev->nodename, "trusted",
			       &trusted))
		trusted = 1;
	info->trusted = xenblk_trusted && trusted;
	info->bound = true;
	dev_set_drvdata(&xdev->dev, info);
	return 0;
}

static void xenblk_remove(struct xenpv_device *xdev)
{
	struct xenblk_info *info = dev_get_drvdata(&xdev->dev);

	spin_lock(&info->open_lock);
	info->bound = false;
	spin_unlock(&info->open_lock);
	cancel_work_sync(&info->close_work);

	mutex_lock(&info->mutex);
	xenblk_teardown(info);
	mutex_unlock(&info->mutex);
	/* The rings are dead: nothing schedules these any more. */
	cancel_work_sync(&info->broken_work);
	cancel_work_sync(&info->limits_work);
	dev_set_drvdata(&xdev->dev, NULL);
	xenblk_info_put(info);
}

static const struct xenpv_device_id xenblk_ids[] = {
	{ "vbd" },
	{ "" },
};

static struct xenpv_driver xenblk_driver = {
	.name = "xenblk",
	.ids = xenblk_ids,
	.probe = xenblk_probe,
	.otherend_changed = xenblk_otherend_changed,
	.remove = xenblk_remove,
	.resume = xenblk_resume,
	/* Unbinding a disk that may be mounted is not a sysfs whim. */
	.driver.suppress_bind_attrs = true,
};

static int __init xenblk_init(void)
{
	int rc;

	xenblk_max_ring_order = min_t(unsigned int, xenblk_max_ring_order,
				      XENBLK_MAX_RING_ORDER);
	rc = xenblk_register_major();
	if (rc)
		return rc;
	rc = xenpv_register_driver(&xenblk_driver);
	if (rc) {
		pr_err("registering the vbd driver failed: %d\n", rc);
		xenblk_unregister_major();
	}
	return rc;
}
module_init(xenblk_init);

static void __exit xenblk_exit(void)
{
	xenpv_unregister_driver(&xenblk_driver);
	xenblk_unregister_major();
}
module_exit(xenblk_exit);

MODULE_DESCRIPTION("Xen virtual block device frontend for HVM guests without kernel Xen support");
MODULE_LICENSE("GPL");
MODULE_VERSION(XENPV_VERSION);
MODULE_ALIAS("xen:vbd");
MODULE_SOFTDEP("pre: xenpv");
