/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API that the xenpv platform module exports to the xenpv frontends
 * (xenblk, xennet, xencons, xenballoon).
 *
 * Everything here works without the kernel's own Xen support: these are
 * not the kernel's xenbus_*, gnttab_* or bind_evtchn_* functions, which
 * exist in a CONFIG_XEN kernel but are dead when the guest was booted with
 * xen_nopv.  Every symbol carries the xenpv_ prefix so it never clashes
 * with them.
 *
 * Context rules, as in the kernel's xenbus:
 *  - event channel handlers run in hard interrupt context;
 *  - watch callbacks, and a driver's probe, remove and otherend_changed,
 *    run in the xenpv watch thread: they may sleep and use xenstore, but
 *    must not wait for another watch to fire.
 */
#ifndef XENPV_XENPV_H
#define XENPV_XENPV_H

#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/io/xenbus.h>

/* Domain id of the toolstack domain, where backends usually live. */
#define XENPV_DOMID_DOM0 0

/* ---------------------------------------------------------------------
 * Platform
 */

/* The running Xen's version, e.g. 4 and 17. */
void xenpv_xen_version(unsigned int *major, unsigned int *minor);

/* Read an HVM parameter (HVM_PARAM_*) of this domain. */
int xenpv_hvm_get_param(unsigned int index, u64 *value);

/* Ballooning: single guest frames to Xen and back (XENMEM_*). */
long xenpv_memory_release(xen_pfn_t *gfns, unsigned int nr);
long xenpv_memory_populate(xen_pfn_t *gfns, unsigned int nr);

/* ---------------------------------------------------------------------
 * Event channels (2-level ABI).  Each CPU takes the events of the ports
 * bound to its vCPU through an upcall vector of its own; vCPU 0 falls
 * back to the platform device's interrupt.
 */

/*
 * An event handler returns IRQ_HANDLED when the event found work to do and
 * IRQ_NONE when it did not: a port that keeps raising events with no work
 * behind them is an event storm from the other end (XSA-391) and is
 * throttled by the core.
 */
typedef irqreturn_t (*xenpv_evtchn_handler_t)(evtchn_port_t port, void *data);

int xenpv_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
int xenpv_evtchn_bind(evtchn_port_t port, xenpv_evtchn_handler_t handler,
		      void *data, const char *name);
int xenpv_evtchn_bind_queue(evtchn_port_t port,
			    xenpv_evtchn_handler_t handler, void *data,
			    const char *name, unsigned int queue);
void xenpv_evtchn_unbind(evtchn_port_t port);
void xenpv_evtchn_close(evtchn_port_t port);
void xenpv_evtchn_notify(evtchn_port_t port);
void xenpv_evtchn_mask(evtchn_port_t port);
void xenpv_evtchn_unmask(evtchn_port_t port);
int xenpv_evtchn_cpu_of(evtchn_port_t port);

/* ---------------------------------------------------------------------
 * Grant tables (v1)
 */

/* Returns a grant reference, or a negative errno. */
int xenpv_gnttab_grant(domid_t domid, unsigned long gfn, bool readonly);

/*
 * Ends access through @ref and frees the reference.  Returns false, and
 * keeps the reference, when the other end still has the page mapped: the
 * caller must then neither free nor reuse the page.
 */
bool xenpv_gnttab_end(grant_ref_t ref);

/*
 * Ends access and frees @page (which may be NULL) once the other end has
 * let go of it.  A backend that never lets go costs that page for good,
 * never a page reused under its feet (XSA-396).
 */
void xenpv_gnttab_end_and_free(grant_ref_t ref, struct page *page);

/* ---------------------------------------------------------------------
 * Xenstore.  Paths are relative to the domain's home
 * (/local/domain/<domid>) unless they start with '/'.  @dir and @node are
 * joined with a '/'; @node may be "" to name @dir itself.  @tx is 0 or a
 * transaction from xenpv_xs_transaction_start().
 */
#define XENPV_XS_NO_TX 0

void *xenpv_xs_read(u32 tx, const char *dir, const char *node,
		    unsigned int *len);
int xenpv_xs_write(u32 tx, const char *dir, const char *node,
		   const char *value);
__printf(4, 5)
int xenpv_xs_printf(u32 tx, const char *dir, const char *node,
		    const char *fmt, ...);
int xenpv_xs_read_uint(u32 tx, const char *dir, const char *node,
		       unsigned int *value);
char **xenpv_xs_directory(u32 tx, const char *dir, const char *node,
			  unsigned int *num);
bool xenpv_xs_exists(u32 tx, const char *dir, const char *node);
int xenpv_xs_rm(u32 tx, const char *dir, const char *node);
void xenpv_xs_rm_queues(u32 tx, const char *dir, unsigned int max_queues);
int xenpv_xs_transaction_start(u32 *tx);
/* Returns -EAGAIN when a conflicting change forces the caller to retry. */
int xenpv_xs_transaction_end(u32 tx, bool abort);
/* Runs @body in a transaction, repeated while it conflicts (-EAGAIN). */
int xenpv_xs_transact(int (*body)(u32 tx, void *arg), void *arg);

struct xenpv_xs_watch {
	const char *path;
	void (*callback)(struct xenpv_xs_watch *watch, const char *path);
	/* Events queued beyond this are dropped (XSA-349); 0: the default. */
	unsigned int max_pending;

	/* Private to the core. */
	struct list_head list;
	unsigned int id;
	unsigned int nr_pending;
	unsigned int nr_dropped;	/* since the queue last drained */
	unsigned int resent;		/* last resume round that sent it */
};

int xenpv_xs_watch_register(struct xenpv_xs_watch *watch);
void xenpv_xs_watch_unregister(struct xenpv_xs_watch *watch);

/* ---------------------------------------------------------------------
 * The xen bus: one device per device/<type>/<id> node of this domain.
 */

struct xenpv_device {
	const char *nodename;		/* "device/vbd/51712" */
	const char *devicetype;		/* "vbd" */
	char *otherend;			/* backend path, while bound */
	domid_t otherend_id;
	enum xenbus_state state;	/* ours, as last written */
	struct xenpv_xs_watch otherend_watch;
	struct device dev;

	/* Private to the core: a save or migration reaches this driver. */
	bool pm_bound;
	unsigned int pm_generation;	/* resumes seen when bound */
};

struct xenpv_device_id {
	char devicetype[32];
};

struct xenpv_driver {
	const char *name;
	const struct xenpv_device_id *ids;
	int (*probe)(struct xenpv_device *xdev,
		     const struct xenpv_device_id *id);
	void (*otherend_changed)(struct xenpv_device *xdev,
				 enum xenbus_state otherend_state);
	void (*remove)(struct xenpv_device *xdev);
	/*
	 * After the domain was saved and restored, or migrated: a new
	 * backend, in a new domain, waits to be connected.  Every event
	 * channel and grant from before is gone with the old domain: forget
	 * the ports without unbinding or closing them (their numbers may be
	 * someone else's now), end the grants (that frees them at once),
	 * and connect again as at probe.  The core has re-read the backend
	 * and set the state to Initialising; otherend_changed() follows.
	 * A driver without resume keeps the domain from being suspended.
	 */
	int (*resume)(struct xenpv_device *xdev);
	struct device_driver driver;
};

static inline struct xenpv_device *to_xenpv_device(struct device *dev)
{
	return container_of(dev, struct xenpv_device, dev);
}

static inline struct xenpv_driver *to_xenpv_driver(struct device_driver *drv)
{
	return container_of(drv, struct xenpv_driver, driver);
}

/*
 * Users of the core outside the bus (the primary console) hear of a
 * restore here, after the bus devices, with the same rules as resume().
 */
struct xenpv_resume_hook {
	void (*resume)(struct xenpv_resume_hook *hook);
	struct list_head list;		/* private to the core */
};

void xenpv_resume_hook_add(struct xenpv_resume_hook *hook);
void xenpv_resume_hook_del(struct xenpv_resume_hook *hook);

int __xenpv_register_driver(struct xenpv_driver *drv, struct module *owner,
			    const char *mod_name);
#define xenpv_register_driver(drv) \
	__xenpv_register_driver(drv, THIS_MODULE, KBUILD_MODNAME)
void xenpv_unregister_driver(struct xenpv_driver *drv);

/* Frontend helpers for the XenbusState handshake and ring setup. */
int xenpv_switch_state(struct xenpv_device *xdev, enum xenbus_state state);
enum xenbus_state xenpv_read_otherend_state(struct xenpv_device *xdev);
__printf(3, 4)
void xenpv_dev_fatal(struct xenpv_device *xdev, int err, const char *fmt, ...);
int xenpv_grant_ring(struct xenpv_device *xdev, void *vaddr,
		     unsigned int nr_pages, grant_ref_t *refs);
int xenpv_alloc_evtchn(struct xenpv_device *xdev, evtchn_port_t *port);

#endif /* XENPV_XENPV_H */
