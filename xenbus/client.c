// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for frontend drivers: the XenbusState handshake, fatal errors
 * reported where the toolstack looks for them, and sharing rings and
 * event channels with the backend.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "core.h"

/*
 * Write our state node, but only while the device's node exists: after a
 * hot unplug removed it, writing would leave a stray device/<type>/<id>
 * behind for the toolstack to trip over.
 */
struct xenpv_state_write {
	struct xenpv_device *xdev;
	enum xenbus_state state;
};

static int xenpv_write_state_tx(u32 tx, void *arg)
{
	const struct xenpv_state_write *w = arg;

	if (!xenpv_xs_exists(tx, w->xdev->nodename, ""))
		return -ENODEV;
	return xenpv_xs_printf(tx, w->xdev->nodename, "state", "%d", w->state);
}

static int xenpv_write_state(struct xenpv_device *xdev,
			     enum xenbus_state state)
{
	struct xenpv_state_write w = { .xdev = xdev, .state = state };

	return xenpv_xs_transact(xenpv_write_state_tx, &w);
}

/**
 * xenpv_switch_state() - tell the backend our new state
 * @xdev: the device
 * @state: the new XenbusState
 *
 * Return: 0 (also when the device's node is already gone) or an errno,
 * logged.
 */
int xenpv_switch_state(struct xenpv_device *xdev, enum xenbus_state state)
{
	int rc;

	if (state == xdev->state)
		return 0;
	rc = xenpv_write_state(xdev, state);
	if (rc == -ENODEV)
		return 0;
	if (rc) {
		dev_err(&xdev->dev, "writing %s/state = %d failed: %d\n",
			xdev->nodename, state, rc);
		return rc;
	}
	xdev->state = state;
	return 0;
}
EXPORT_SYMBOL_GPL(xenpv_switch_state);

enum xenbus_state xenpv_read_otherend_state(struct xenpv_device *xdev)
{
	unsigned int state;

	if (!xdev->otherend ||
	    xenpv_xs_read_uint(XENPV_XS_NO_TX, xdev->otherend, "state", &state))
		return XenbusStateUnknown;
	return state;
}
EXPORT_SYMBOL_GPL(xenpv_read_otherend_state);

/**
 * xenpv_dev_fatal() - give up on a device, loudly
 * @xdev: the device
 * @err: the negative errno that made us give up
 * @fmt: what we were doing
 *
 * Logs the error, writes it to error/<nodename>/error where the toolstack
 * reports it, and moves to Closing.
 */
void xenpv_dev_fatal(struct xenpv_device *xdev, int err, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;
	char *what, *node;

	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	dev_err(&xdev->dev, "%pV: error %d\n", &vaf, err);
	va_end(ap);

	va_start(ap, fmt);
	what = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	node = kasprintf(GFP_KERNEL, "error/%s", xdev->nodename);
	if (what && node)
		xenpv_xs_printf(XENPV_XS_NO_TX, node, "error", "%d %s", -err,
				what);
	kfree(node);
	kfree(what);
	xenpv_switch_state(xdev, XenbusStateClosing);
}
EXPORT_SYMBOL_GPL(xenpv_dev_fatal);

static unsigned long xenpv_virt_to_gfn(void *vaddr)
{
	if (is_vmalloc_addr(vaddr))
		return vmalloc_to_pfn(vaddr);
	return PFN_DOWN(__pa(vaddr));
}

/**
 * xenpv_grant_ring() - grant the backend access to a ring
 * @xdev: the device; the grants go to its backend's domain
 * @vaddr: the ring, @nr_pages page-aligned pages
 * @nr_pages: its size
 * @refs: receives one grant reference per page
 *
 * Return: 0, or an errno with nothing left granted.
 */
int xenpv_grant_ring(struct xenpv_device *xdev, void *vaddr,
		     unsigned int nr_pages, grant_ref_t *refs)
{
	unsigned int i;
	int ref;

	for (i = 0; i < nr_pages; i++) {
		ref = xenpv_gnttab_grant(xdev->otherend_id,
					 xenpv_virt_to_gfn(vaddr + i * PAGE_SIZE),
					 false);
		if (ref < 0) {
			xenpv_dev_fatal(xdev, ref, "granting ring page %u", i);
			/* Not yet published: the backend cannot hold these. */
			while (i--)
				xenpv_gnttab_end(refs[i]);
			return ref;
		}
		refs[i] = ref;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xenpv_grant_ring);

int xenpv_alloc_evtchn(struct xenpv_device *xdev, evtchn_port_t *port)
{
	int rc = xenpv_evtchn_alloc_unbound(xdev->otherend_id, port);

	if (rc)
		xenpv_dev_fatal(xdev, rc, "allocating an event channel");
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_alloc_evtchn);
