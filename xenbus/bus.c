// SPDX-License-Identifier: GPL-2.0
/*
 * The xen bus ("xen", or "xenpv" beside a kernel's own: see compat.h): a
 * device for each device/<type>/<id> node of this domain, named
 * <type>-<id> (vbd-51712, vif-0), announced to udev with
 * MODALIAS=xen:<type> so the frontend module loads by itself.
 *
 * A watch on "device" keeps the bus in step with the toolstack: nodes
 * that appear (xl block-attach) become devices, nodes that vanish (after
 * xl block-detach) take their device with them.
 *
 * While a driver is bound, a watch on the backend's state node reports
 * the backend's moves to the driver's otherend_changed().
 *
 * A save or migration (suspend.c) runs under xenpv_bus_pm_lock, which
 * probe and the driver part of remove take too: a driver is resumed
 * whole or not at all, never while it is being set up or torn down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>

#include "core.h"

static DEFINE_MUTEX(xenpv_bus_pm_lock);
static unsigned int xenpv_bus_generation;	/* restores so far */
static LIST_HEAD(xenpv_resume_hooks);		/* under xenpv_bus_pm_lock */

static const struct xenpv_device_id *
xenpv_match_id(const struct xenpv_device_id *ids, const char *type)
{
	for (; ids && ids->devicetype[0]; ids++)
		if (!strcmp(ids->devicetype, type))
			return ids;
	return NULL;
}

static int xenpv_bus_match(struct device *dev, XENPV_MATCH_DRV *drv)
{
	const struct xenpv_driver *xdrv =
		container_of(drv, struct xenpv_driver, driver);

	return xenpv_match_id(xdrv->ids, to_xenpv_device(dev)->devicetype) !=
	       NULL;
}

static int xenpv_bus_uevent(XENPV_UEVENT_DEV *dev,
			    struct kobj_uevent_env *env)
{
	const struct xenpv_device *xdev =
		container_of(dev, struct xenpv_device, dev);

	if (add_uevent_var(env, "MODALIAS=xen:%s", xdev->devicetype) ||
	    add_uevent_var(env, "XENBUS_TYPE=%s", xdev->devicetype) ||
	    add_uevent_var(env, "XENBUS_PATH=%s", xdev->nodename))
		return -ENOMEM;
	return 0;
}

static void xenpv_otherend_changed(struct xenpv_xs_watch *watch,
				   const char *path)
{
	struct xenpv_device *xdev =
		container_of(watch, struct xenpv_device, otherend_watch);
	struct xenpv_driver *xdrv = to_xenpv_driver(xdev->dev.driver);

	if (xdrv->otherend_changed)
		xdrv->otherend_changed(xdev, xenpv_read_otherend_state(xdev));
}

static void xenpv_free_otherend(struct xenpv_device *xdev)
{
	kfree(xdev->otherend_watch.path);
	xdev->otherend_watch.path = NULL;
	kfree(xdev->otherend);
	xdev->otherend = NULL;
}

/* Where the backend lives: the "backend" and "backend-id" keys. */
static int xenpv_read_otherend(struct xenpv_device *xdev)
{
	unsigned int id;
	char *path;
	int rc;

	rc = xenpv_xs_read_uint(XENPV_XS_NO_TX, xdev->nodename, "backend-id",
				&id);
	if (rc || id >= DOMID_FIRST_RESERVED) {
		dev_err(&xdev->dev, "no valid %s/backend-id (%d)\n",
			xdev->nodename, rc);
		return rc ?: -EINVAL;
	}
	path = xenpv_xs_read(XENPV_XS_NO_TX, xdev->nodename, "backend", NULL);
	if (IS_ERR(path) || !path[0] || !xenpv_xs_exists(0, path, "")) {
		dev_err(&xdev->dev, "%s/backend is missing or names no node\n",
			xdev->nodename);
		if (!IS_ERR(path))
			kfree(path);
		return -ENODEV;
	}
	xdev->otherend = path;
	xdev->otherend_id = id;
	xdev->otherend_watch.path = kasprintf(GFP_KERNEL, "%s/state", path);
	xdev->otherend_watch.callback = xenpv_otherend_changed;
	if (!xdev->otherend_watch.path) {
		xenpv_free_otherend(xdev);
		return -ENOMEM;
	}
	return 0;
}

static int xenpv_bus_probe_locked(struct xenpv_device *xdev,
				  struct xenpv_driver *xdrv)
{
	struct device *dev = &xdev->dev;
	int rc;

	rc = xenpv_read_otherend(xdev);
	if (rc)
		return rc;
	/*
	 * Start over from Initialising in xenstore too: a driver unloaded
	 * earlier left the node Closed, and a backend waits for a frontend
	 * to say Initialising before it offers a new connection.
	 */
	xdev->state = XenbusStateUnknown;
	xenpv_switch_state(xdev, XenbusStateInitialising);
	rc = xdrv->probe(xdev, xenpv_match_id(xdrv->ids, xdev->devicetype));
	if (rc)
		goto err;
	/* Only now: the first event comes right away and needs the driver. */
	rc = xenpv_xs_watch_register(&xdev->otherend_watch);
	if (rc) {
		dev_err(dev, "watching %s failed: %d\n",
			xdev->otherend_watch.path, rc);
		if (xdrv->remove)
			xdrv->remove(xdev);
		goto err;
	}
	xdev->pm_bound = true;
	xdev->pm_generation = xenpv_bus_generation;
	return 0;
err:
	xenpv_free_otherend(xdev);
	return rc;
}

static int xenpv_bus_probe(struct device *dev)
{
	int rc;

	mutex_lock(&xenpv_bus_pm_lock);
	rc = xenpv_bus_probe_locked(to_xenpv_device(dev),
				    to_xenpv_driver(dev->driver));
	mutex_unlock(&xenpv_bus_pm_lock);
	return rc;
}

/*
 * The otherend watch goes first, outside the pm lock: unregistering waits
 * for a running callback, and a restore holds the lock in the watch
 * thread.  From then on a restore passes this device by; if one did
 * before the driver's remove, the driver is told of it first, so it
 * tears down nothing of the old domain's.
 */
static void xenpv_bus_remove(struct device *dev)
{
	struct xenpv_device *xdev = to_xenpv_device(dev);
	struct xenpv_driver *xdrv = to_xenpv_driver(dev->driver);

	mutex_lock(&xenpv_bus_pm_lock);
	xdev->pm_bound = false;
	mutex_unlock(&xenpv_bus_pm_lock);
	xenpv_xs_watch_unregister(&xdev->otherend_watch);

	mutex_lock(&xenpv_bus_pm_lock);
	if (xdev->pm_generation != xenpv_bus_generation && xdrv->resume)
		xdrv->resume(xdev);
	if (xdrv->remove)
		xdrv->remove(xdev);
	xenpv_free_otherend(xdev);
	mutex_unlock(&xenpv_bus_pm_lock);
	xenpv_switch_state(xdev, XenbusStateClosed);
}

XENPV_DEFINE_BUS_REMOVE(xenpv_bus_remove)

static ssize_t nodename_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_xenpv_device(dev)->nodename);
}
static DEVICE_ATTR_RO(nodename);

static ssize_t devtype_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_xenpv_device(dev)->devicetype);
}
static DEVICE_ATTR_RO(devtype);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "xen:%s\n", to_xenpv_device(dev)->devicetype);
}
static DEVICE_ATTR_RO(modalias);

static struct attribute *xenpv_dev_attrs[] = {
	&dev_attr_nodename.attr,
	&dev_attr_devtype.attr,
	&dev_attr_modalias.attr,
	NULL,
};
ATTRIBUTE_GROUPS(xenpv_dev);

static struct bus_type xenpv_bus = {
	.name = XENPV_BUS_NAME,
	.match = xenpv_bus_match,
	.uevent = xenpv_bus_uevent,
	.probe = xenpv_bus_probe,
	.remove = XENPV_BUS_REMOVE(xenpv_bus_remove),
	.dev_groups = xenpv_dev_groups,
};

int __xenpv_register_driver(struct xenpv_driver *drv, struct module *owner,
			    const char *mod_name)
{
	drv->driver.name = drv->name;
	drv->driver.bus = &xenpv_bus;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__xenpv_register_driver);

void xenpv_unregister_driver(struct xenpv_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(xenpv_unregister_driver);

/* ---------------------------------------------------------------------
 * Suspend and resume (suspend.c drives them, in the watch thread)
 */

static int xenpv_check_resumable(struct device *dev, void *unused)
{
	struct xenpv_device *xdev = to_xenpv_device(dev);

	if (!xdev->pm_bound || to_xenpv_driver(dev->driver)->resume)
		return 0;
	dev_warn(dev, "driver %s cannot resume after a save or migration\n",
		 dev->driver->name);
	return -EOPNOTSUPP;
}

/**
 * xenpv_bus_suspend_prepare() - hold probe and remove off for a suspend
 *
 * Return: 0 with the pm lock held, to be released by xenpv_bus_resume();
 * or -EOPNOTSUPP, logged, when a bound driver cannot resume.
 */
int xenpv_bus_suspend_prepare(void)
{
	int rc;

	mutex_lock(&xenpv_bus_pm_lock);
	rc = bus_for_each_dev(&xenpv_bus, NULL, NULL, xenpv_check_resumable);
	if (rc)
		mutex_unlock(&xenpv_bus_pm_lock);
	return rc;
}

/*
 * The backend's path names our domain id, which a restore changes: read
 * it again, keeping the old one if that fails (a driver bound is never
 * left without one).
 */
static int xenpv_reread_otherend(struct xenpv_device *xdev)
{
	char *old_path = xdev->otherend;
	const char *old_watch = xdev->otherend_watch.path;
	domid_t old_id = xdev->otherend_id;
	int rc;

	rc = xenpv_read_otherend(xdev);
	if (rc) {
		xdev->otherend = old_path;
		xdev->otherend_watch.path = old_watch;
		xdev->otherend_id = old_id;
		return rc;
	}
	kfree(old_path);
	kfree(old_watch);
	return 0;
}

static int xenpv_resume_dev(struct device *dev, void *unused)
{
	struct xenpv_device *xdev = to_xenpv_device(dev);
	struct xenpv_driver *xdrv;
	int rc;

	if (!xdev->pm_bound)
		return 0;
	xdrv = to_xenpv_driver(dev->driver);
	/* In the watch thread: unregistering waits for nothing. */
	xenpv_xs_watch_unregister(&xdev->otherend_watch);
	if (xenpv_reread_otherend(xdev))
		dev_err(dev, "after a restore, the backend of %s is unknown; keeping %s\n",
			xdev->nodename, xdev->otherend);
	xdev->state = XenbusStateUnknown;
	xenpv_switch_state(xdev, XenbusStateInitialising);
	/* Even so: the driver must let go of the old domain's ports. */
	rc = xdrv->resume(xdev);
	xdev->pm_generation = xenpv_bus_generation;
	if (rc)
		dev_err(dev, "resuming %s after a restore failed: %d\n",
			xdev->nodename, rc);
	if (xenpv_xs_watch_register(&xdev->otherend_watch))
		dev_err(dev, "watching %s again failed; the backend's moves go unseen\n",
			xdev->otherend_watch.path);
	return 0;
}

/**
 * xenpv_bus_resume() - after the domain suspended, or failed to
 * @cancelled: the domain carried on where it was: nothing to do
 *
 * Otherwise every bound driver, then every resume hook, meets its new
 * backend.  Releases the pm lock.
 */
void xenpv_bus_resume(bool cancelled)
{
	struct xenpv_resume_hook *hook;

	if (!cancelled) {
		xenpv_bus_generation++;
		bus_for_each_dev(&xenpv_bus, NULL, NULL, xenpv_resume_dev);
		list_for_each_entry(hook, &xenpv_resume_hooks, list)
			hook->resume(hook);
	}
	mutex_unlock(&xenpv_bus_pm_lock);
}

/**
 * xenpv_resume_hook_add() - be told of each restore
 * @hook: with resume set; kept until xenpv_resume_hook_del()
 */
void xenpv_resume_hook_add(struct xenpv_resume_hook *hook)
{
	mutex_lock(&xenpv_bus_pm_lock);
	list_add_tail(&hook->list, &xenpv_resume_hooks);
	mutex_unlock(&xenpv_bus_pm_lock);
}
EXPORT_SYMBOL_GPL(xenpv_resume_hook_add);

/* When this returns, @hook->resume is not running and will not run. */
void xenpv_resume_hook_del(struct xenpv_resume_hook *hook)
{
	mutex_lock(&xenpv_bus_pm_lock);
	list_del(&hook->list);
	mutex_unlock(&xenpv_bus_pm_lock);
}
EXPORT_SYMBOL_GPL(xenpv_resume_hook_del);

/* ---------------------------------------------------------------------
 * Devices from xenstore
 */

static void xenpv_dev_release(struct device *dev)
{
	struct xenpv_device *xdev = to_xenpv_device(dev);

	kfree(xdev->nodename);
	kfree(xdev->devicetype);
	kfree(xdev);
}

static struct device *xenpv_find_dev(const char *type, const char *id)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-%s", type, id);
	return bus_find_device_by_name(&xenpv_bus, NULL, name);
}

static void xenpv_add_dev(const char *type, const char *id)
{
	struct xenpv_device *xdev;
	int rc;

	xdev = kzalloc(sizeof(*xdev), GFP_KERNEL);
	if (!xdev)
		return;
	xdev->nodename = kasprintf(GFP_KERNEL, "device/%s/%s", type, id);
	xdev->devicetype = kstrdup(type, GFP_KERNEL);
	xdev->state = XenbusStateInitialising;
	xdev->dev.bus = &xenpv_bus;
	xdev->dev.release = xenpv_dev_release;
	device_initialize(&xdev->dev);
	rc = dev_set_name(&xdev->dev, "%s-%s", type, id);
	if (!rc && (!xdev->nodename || !xdev->devicetype))
		rc = -ENOMEM;
	if (!rc)
		rc = device_add(&xdev->dev);
	if (rc) {
		pr_err("adding device %s-%s failed: %d\n", type, id, rc);
		put_device(&xdev->dev);
	}
}

/*
 * A node is a device when it has a state, as the toolstack writes for
 * every device (device/suspend/event-channel, say, is only a key), and is
 * not on its way out (Closing): the same rule as the kernel's xenbus.
 */
static bool xenpv_node_is_new_device(const char *node)
{
	unsigned int state;

	if (xenpv_xs_read_uint(XENPV_XS_NO_TX, node, "state", &state))
		return false;
	return state != XenbusStateClosing;
}

/*
 * Bring the device for device/@type/@id in line with xenstore: add it when
 * it is a device, remove it only once its node is gone (a bound driver
 * sees Closing through its backend first).
 */
static void xenpv_sync_dev(const char *type, const char *id)
{
	struct device *dev = xenpv_find_dev(type, id);
	char *node = kasprintf(GFP_KERNEL, "device/%s/%s", type, id);

	if (!node)
		goto out;
	if (!dev && xenpv_node_is_new_device(node))
		xenpv_add_dev(type, id);
	else if (dev && !xenpv_xs_exists(XENPV_XS_NO_TX, node, ""))
		device_unregister(dev);
	kfree(node);
out:
	put_device(dev);
}

static void xenpv_scan_type(const char *type)
{
	unsigned int i, n;
	char **ids;

	ids = xenpv_xs_directory(XENPV_XS_NO_TX, "device", type, &n);
	if (IS_ERR(ids))
		return;
	for (i = 0; i < n; i++)
		xenpv_sync_dev(type, ids[i]);
	kfree(ids);
}

static int xenpv_drop_stale(struct device *dev, void *unused)
{
	struct xenpv_device *xdev = to_xenpv_device(dev);

	if (!xenpv_xs_exists(XENPV_XS_NO_TX, xdev->nodename, ""))
		device_unregister(dev);
	return 0;
}

static void xenpv_scan_all(void)
{
	unsigned int i, n;
	char **types;

	types = xenpv_xs_directory(XENPV_XS_NO_TX, "device", "", &n);
	if (!IS_ERR(types)) {
		for (i = 0; i < n; i++)
			xenpv_scan_type(types[i]);
		kfree(types);
	}
	bus_for_each_dev(&xenpv_bus, NULL, NULL, xenpv_drop_stale);
}

/*
 * Fired for "device" and anything below it: a path naming one device
 * (device/vbd/51712/...) re-checks that device, anything shorter all.
 */
static void xenpv_devices_changed(struct xenpv_xs_watch *watch,
				  const char *path)
{
	const char *rel = strstr(path, "device/");
	char type[32], id[32];

	if (rel && sscanf(rel, "device/%31[^/]/%31[^/]", type, id) == 2)
		xenpv_sync_dev(type, id);
	else
		xenpv_scan_all();
}

static struct xenpv_xs_watch xenpv_devices_watch = {
	.path = "device",
	.callback = xenpv_devices_changed,
};

static int xenpv_unregister_one(struct device *dev, void *unused)
{
	device_unregister(dev);
	return 0;
}

int xenpv_bus_init(void)
{
	int rc = bus_register(&xenpv_bus);

	if (rc) {
		pr_err("registering bus %s failed: %d\n", XENPV_BUS_NAME, rc);
		return rc;
	}
	pr_info("PV devices are on /sys/bus/%s\n", XENPV_BUS_NAME);
	/* Devices are there when the module finishes loading... */
	xenpv_scan_all();
	/* ...and stay in step from then on. */
	rc = xenpv_xs_watch_register(&xenpv_devices_watch);
	if (rc) {
		bus_for_each_dev(&xenpv_bus, NULL, NULL, xenpv_unregister_one);
		bus_unregister(&xenpv_bus);
		return rc;
	}
	return 0;
}

void xenpv_bus_exit(void)
{
	xenpv_xs_watch_unregister(&xenpv_devices_watch);
	bus_for_each_dev(&xenpv_bus, NULL, NULL, xenpv_unregister_one);
	bus_unregister(&xenpv_bus);
}
