// SPDX-License-Identifier: GPL-2.0
/*
 * Extra consoles: the xen bus's "console" devices, device/console/<n> for
 * n > 0 (an xl `channel`; qemu is the backend).  Console 0 is the primary
 * (main.c), which the toolstack sets up without us.
 *
 *   backend InitWait    grant a fresh zeroed ring page, open an event
 *                       channel, make hvc<n>, publish ring-ref and port,
 *                       go Initialised
 *   backend Connected   go Connected
 *   backend Closing     hang up hvc<n>, take the page back once the
 *                       backend has let go of it, go Closed; a backend
 *                       back in InitWait connects again
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "xencons.h"

struct xencons_front {
	struct xenpv_device *xdev;
	unsigned int line;		/* n of device/console/<n>: hvc<n> */
	struct mutex mutex;		/* the connection below */
	struct xencons *cons;		/* NULL while not connected */
	struct page *page;
	grant_ref_t ref;
	evtchn_port_t evtchn;
};

static int xencons_front_publish_tx(u32 tx, void *arg)
{
	struct xencons_front *front = arg;
	const char *node = front->xdev->nodename;
	int rc;

	rc = xenpv_xs_printf(tx, node, "ring-ref", "%u", front->ref);
	if (!rc)
		rc = xenpv_xs_printf(tx, node, "port", "%u", front->evtchn);
	return rc;
}

/*
 * qemu's console backend connects with whatever ring-ref and port it finds,
 * whatever our state says.  Stale ones, left from an earlier connection,
 * would have it map a grant reference that may by then belong to another
 * page, so they go before the grant does, and again at probe in case an
 * earlier kernel or driver left them.
 */
static void xencons_front_unpublish(struct xenpv_device *xdev)
{
	static const char *const keys[] = { "ring-ref", "port" };
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		rc = xenpv_xs_rm(XENPV_XS_NO_TX, xdev->nodename, keys[i]);
		if (rc && rc != -ENOENT && rc != -ENODEV)
			dev_warn(&xdev->dev, "removing %s/%s failed: %d\n",
				 xdev->nodename, keys[i], rc);
	}
}

/* Undoes xencons_front_connect(); the mutex is held. */
static void xencons_front_disconnect(struct xencons_front *front)
{
	if (!front->cons)
		return;
	xencons_front_unpublish(front->xdev);
	xencons_detach(front->cons);
	xencons_put(front->cons);
	front->cons = NULL;
	if (front->evtchn)
		xenpv_evtchn_close(front->evtchn);
	front->evtchn = 0;
	/* The backend may still have the page mapped: it decides when. */
	xenpv_gnttab_end_and_free(front->ref, front->page);
	front->page = NULL;
}

static int xencons_front_connect(struct xencons_front *front)
{
	struct xenpv_device *xdev = front->xdev;
	struct xencons *cons;
	int rc;

	cons = xencons_alloc(front->line);
	if (IS_ERR(cons)) {
		xenpv_dev_fatal(xdev, PTR_ERR(cons), "creating hvc%u",
				front->line);
		return PTR_ERR(cons);
	}
	front->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!front->page) {
		rc = -ENOMEM;
		xenpv_dev_fatal(xdev, rc, "allocating the ring page");
		goto err_cons;
	}
	rc = xenpv_grant_ring(xdev, page_address(front->page), 1, &front->ref);
	if (rc)
		goto err_page;
	rc = xenpv_alloc_evtchn(xdev, &front->evtchn);
	if (rc)
		goto err_grant;
	rc = xencons_attach(cons, page_address(front->page), false,
			    front->evtchn, &xdev->dev);
	if (rc) {
		xenpv_dev_fatal(xdev, rc, "attaching %s", cons->name);
		goto err_evtchn;
	}
	front->cons = cons;

	rc = xenpv_xs_transact(xencons_front_publish_tx, front);
	if (rc) {
		xenpv_dev_fatal(xdev, rc, "writing ring-ref and port to %s",
				xdev->nodename);
		xencons_front_disconnect(front);
		return rc;
	}
	xenpv_switch_state(xdev, XenbusStateInitialised);
	return 0;

err_evtchn:
	xenpv_evtchn_close(front->evtchn);
err_grant:
	/* Never published: the backend cannot have mapped it. */
	xenpv_gnttab_end_and_free(front->ref, front->page);
	front->page = NULL;
err_page:
	if (front->page)
		__free_page(front->page);
	front->page = NULL;
err_cons:
	xencons_put(cons);
	return rc;
}

static void xencons_front_changed(struct xenpv_device *xdev,
				  enum xenbus_state state)
{
	struct xencons_front *front = dev_get_drvdata(&xdev->dev);

	mutex_lock(&front->mutex);
	switch (state) {
	case XenbusStateInitWait:
		if (!front->cons && (xdev->state == XenbusStateInitialising ||
				     xdev->state == XenbusStateClosed))
			xencons_front_connect(front);
		break;
	case XenbusStateConnected:
		if (front->cons && xdev->state != XenbusStateConnected)
			xenpv_switch_state(xdev, XenbusStateConnected);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:
		xencons_front_disconnect(front);
		if (xdev->state != XenbusStateClosed)
			xenpv_switch_state(xdev, XenbusStateClosed);
		break;
	default:
		break;
	}
	mutex_unlock(&front->mutex);
}

static int xencons_front_probe(struct xenpv_device *xdev,
			       const struct xenpv_device_id *id)
{
	const char *slash = strrchr(xdev->nodename, '/');
	struct xencons_front *front;
	unsigned int line;

	if (!slash || kstrtouint(slash + 1, 10, &line)) {
		dev_err(&xdev->dev, "%s: no console number in the node name\n",
			xdev->nodename);
		return -EINVAL;
	}
	if (line == 0) {
		/* The primary console: main.c serves it from HVM params. */
		dev_info(&xdev->dev, "%s is the primary console\n",
			 xdev->nodename);
		return -ENODEV;
	}
	if (line >= XENCONS_LINES || !xencons_tty_driver(line)) {
		dev_err(&xdev->dev, "%s: no hvc%u (xencons has hvc1-hvc%d)\n",
			xdev->nodename, line, XENCONS_LINES - 1);
		return -ENODEV;
	}

	xencons_front_unpublish(xdev);
	front = kzalloc(sizeof(*front), GFP_KERNEL);
	if (!front)
		return -ENOMEM;
	front->xdev = xdev;
	front->line = line;
	mutex_init(&front->mutex);
	dev_set_drvdata(&xdev->dev, front);
	return 0;
}

static void xencons_front_remove(struct xenpv_device *xdev)
{
	struct xencons_front *front = dev_get_drvdata(&xdev->dev);

	mutex_lock(&front->mutex);
	xencons_front_disconnect(front);
	mutex_unlock(&front->mutex);
	dev_set_drvdata(&xdev->dev, NULL);
	kfree(front);
}

/*
 * After a restore: the ring's port went with the old domain and is
 * forgotten, not closed (struct xenpv_driver's resume).  hvc<n> hangs up
 * and comes back when the new backend connects.
 */
static int xencons_front_resume(struct xenpv_device *xdev)
{
	struct xencons_front *front = dev_get_drvdata(&xdev->dev);

	mutex_lock(&front->mutex);
	if (front->cons)
		xencons_forget_evtchn(front->cons);
	front->evtchn = 0;
	xencons_front_disconnect(front);
	mutex_unlock(&front->mutex);
	return 0;
}

static const struct xenpv_device_id xencons_front_ids[] = {
	{ "console" },
	{ "" },
};

static struct xenpv_driver xencons_front_driver = {
	.name = "xencons",
	.ids = xencons_front_ids,
	.probe = xencons_front_probe,
	.otherend_changed = xencons_front_changed,
	.remove = xencons_front_remove,
	.resume = xencons_front_resume,
};

int xencons_front_init(void)
{
	int rc = xenpv_register_driver(&xencons_front_driver);

	if (rc)
		pr_err("registering the console frontend failed: %d\n", rc);
	return rc;
}

void xencons_front_exit(void)
{
	xenpv_unregister_driver(&xencons_front_driver);
}
