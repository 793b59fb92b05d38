// SPDX-License-Identifier: GPL-2.0
/*
 * Event channels, 2-level ABI.
 *
 * Xen marks a port pending in shared_info, sets its word's bit in vCPU 0's
 * evtchn_pending_sel and raises evtchn_upcall_pending, then the upcall
 * interrupt (upcall.c), whose handler here dispatches each pending,
 * unmasked port to the handler bound to it.  Only vCPU 0's upcall is
 * ours, so every port stays bound to vCPU 0.
 *
 * Defences against a hostile other end:
 *  - work per interrupt is bounded (XENPV_EVTCHN_BUDGET); what is left is
 *    handed back to Xen, which raises the interrupt again, so a flood can
 *    slow the guest but never hold a CPU in interrupt context (XSA-391);
 *  - a port whose events keep finding no work is masked for a growing
 *    while (storm throttling, XSA-391);
 *  - unbinding masks the port, unpublishes the handler and waits for a
 *    running dispatch, so a handler never runs after unbind returns
 *    (XSA-331).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <asm/sync_bitops.h>
#include <xen/interface/xen.h>
#include <xen/interface/memory.h>

#include "core.h"

#define XENPV_WORD_BITS		(sizeof(xen_ulong_t) * BITS_PER_BYTE)
#define XENPV_NR_PORTS		(XENPV_WORD_BITS * XENPV_WORD_BITS)

/* Ports handled per interrupt before the rest is handed back to Xen. */
#define XENPV_EVTCHN_BUDGET	256
/* Consecutive events with no work behind them that make a storm. */
#define XENPV_STORM_EVENTS	1000
#define XENPV_STORM_MAX_MS	1000

struct xenpv_evtchn {
	evtchn_port_t port;
	xenpv_evtchn_handler_t handler;
	void *data;
	const char *name;
	bool driver_masked;
	unsigned int idle_events;	/* events in a row that found no work */
	unsigned int throttle_ms;
	struct timer_list throttle;
	struct xenpv_evtchn *next_stale;	/* xenpv_evtchn_forget_all() */
};

static struct shared_info *xenpv_shinfo;
static unsigned long xenpv_shinfo_gfn;
static struct xenpv_evtchn *xenpv_ports[XENPV_NR_PORTS];
static DEFINE_MUTEX(xenpv_bind_lock);
/* Both upcall interrupts may fire at once while Xen switches between them. */
static DEFINE_RAW_SPINLOCK(xenpv_upcall_lock);
static unsigned int xenpv_first_word;	/* rotates, so no word starves */
static atomic_t xenpv_hand_backs;	/* upcalls that ran out of budget */
/* Restored, bindings not yet forgotten: they are for ports of the past. */
static bool xenpv_bindings_stale;

/* How often an upcall ran out of budget and handed work back to Xen. */
unsigned int xenpv_evtchn_hand_backs(void)
{
	return atomic_read(&xenpv_hand_backs);
}

static unsigned long *xenpv_pending_bits(void)
{
	return (unsigned long *)xenpv_shinfo->evtchn_pending;
}

static unsigned long *xenpv_mask_bits(void)
{
	return (unsigned long *)xenpv_shinfo->evtchn_mask;
}

static void xenpv_port_mask(evtchn_port_t port)
{
	sync_set_bit(port, xenpv_mask_bits());
}

/* Unmasking goes through Xen, which re-raises an event that came in while
 * the port was masked.
 */
static void xenpv_port_unmask(evtchn_port_t port)
{
	struct evtchn_unmask unmask = { .port = port };

	xenpv_event_channel_op(EVTCHNOP_unmask, &unmask);
}

static void xenpv_throttle_end(struct timer_list *t)
{
	struct xenpv_evtchn *ch = timer_container_of(ch, t, throttle);

	if (READ_ONCE(xenpv_ports[ch->port]) == ch && !ch->driver_masked)
		xenpv_port_unmask(ch->port);
}

/* The port raised XENPV_STORM_EVENTS events with nothing to do. */
static void xenpv_throttle(struct xenpv_evtchn *ch)
{
	xenpv_port_mask(ch->port);
	ch->idle_events = 0;
	ch->throttle_ms = clamp(ch->throttle_ms * 2, 1U, XENPV_STORM_MAX_MS);
	pr_warn_ratelimited("event channel %u (%s): event storm from the other end, masked for %u ms\n",
			    ch->port, ch->name, ch->throttle_ms);
	mod_timer(&ch->throttle, jiffies + msecs_to_jiffies(ch->throttle_ms));
}

static void xenpv_dispatch(evtchn_port_t port)
{
	struct xenpv_evtchn *ch = READ_ONCE(xenpv_ports[port]);

	if (unlikely(!ch || READ_ONCE(xenpv_bindings_stale))) {
		/* Not ours (any more): keep it quiet. */
		xenpv_port_mask(port);
		return;
	}
	if (ch->handler(port, ch->data) == IRQ_HANDLED) {
		ch->idle_events = 0;
		ch->throttle_ms = 0;
	} else if (++ch->idle_events >= XENPV_STORM_EVENTS) {
		xenpv_throttle(ch);
	}
}

/*
 * Dispatch the pending ports of word @w.  Returns false when the budget
 * ran out first; the ports not yet dispatched stay pending.
 */
static bool xenpv_scan_word(unsigned int w, unsigned int *budget)
{
	xen_ulong_t ready = READ_ONCE(xenpv_shinfo->evtchn_pending[w]) &
			    ~READ_ONCE(xenpv_shinfo->evtchn_mask[w]);
	unsigned int bit;
	evtchn_port_t port;

	while (ready) {
		if (!*budget)
			return false;
		bit = __ffs(ready);
		ready &= ~(1UL << bit);
		port = w * XENPV_WORD_BITS + bit;
		sync_clear_bit(port, xenpv_pending_bits());
		(*budget)--;
		xenpv_dispatch(port);
	}
	return true;
}

/*
 * Out of budget with the words in @left still to scan.  Mask and unmask,
 * through Xen, one pending port of the first of them that has one: Xen,
 * seeing it pending with its word's selector bit clear, sets that bit and
 * raises the upcall, so our interrupt comes again.  The other words'
 * selector bits are handed back for that next round.
 */
static void xenpv_hand_back(xen_ulong_t left)
{
	struct vcpu_info *vcpu = &xenpv_shinfo->vcpu_info[0];
	bool kicked = false;
	xen_ulong_t ready;
	evtchn_port_t port;
	unsigned int w;

	atomic_inc(&xenpv_hand_backs);
	for_each_set_bit(w, (unsigned long *)&left, XENPV_WORD_BITS) {
		ready = READ_ONCE(xenpv_shinfo->evtchn_pending[w]) &
			~READ_ONCE(xenpv_shinfo->evtchn_mask[w]);
		if (!kicked && ready) {
			port = w * XENPV_WORD_BITS + __ffs(ready);
			xenpv_port_mask(port);
			xenpv_port_unmask(port);
			kicked = true;
			continue;
		}
		sync_set_bit(w, (unsigned long *)&vcpu->evtchn_pending_sel);
	}
}

/* The upcall's handler, for either interrupt (upcall.c). */
irqreturn_t xenpv_evtchn_upcall(void)
{
	struct vcpu_info *vcpu = &xenpv_shinfo->vcpu_info[0];
	unsigned int budget = XENPV_EVTCHN_BUDGET;
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;
	xen_ulong_t sel;
	unsigned int i, w;

	raw_spin_lock_irqsave(&xenpv_upcall_lock, flags);
	while (READ_ONCE(vcpu->evtchn_upcall_pending)) {
		/* Cleared before the scan, so nothing raised during it is lost. */
		WRITE_ONCE(vcpu->evtchn_upcall_pending, 0);
		ret = IRQ_HANDLED;
		sel = xchg(&vcpu->evtchn_pending_sel, 0);
		for (i = 0; i < XENPV_WORD_BITS && sel; i++) {
			w = (xenpv_first_word + i) % XENPV_WORD_BITS;
			if (!(sel & (1UL << w)))
				continue;
			if (!xenpv_scan_word(w, &budget)) {
				xenpv_first_word = w;
				xenpv_hand_back(sel);
				goto out;
			}
			sel &= ~(1UL << w);
		}
		xenpv_first_word = (xenpv_first_word + 1) % XENPV_WORD_BITS;
	}
out:
	raw_spin_unlock_irqrestore(&xenpv_upcall_lock, flags);
	return ret;
}

/**
 * xenpv_evtchn_alloc_unbound() - open a port for domain @remote to bind
 * @remote: the other end, usually the backend's domain
 * @port: the new port, masked and without a handler
 *
 * Return: 0 or a negative errno from Xen.
 */
int xenpv_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = remote,
	};
	int rc;

	rc = xenpv_event_channel_op(EVTCHNOP_alloc_unbound, &op);
	if (rc)
		return rc;
	*port = op.port;
	return 0;
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_alloc_unbound);

/**
 * xenpv_evtchn_bind() - route events of @port to @handler and unmask it
 * @port: an open port
 * @handler: called in hard interrupt context for each event
 * @data: passed to @handler
 * @name: names the port in log messages; must outlive the binding
 *
 * Return: 0, -EINVAL for a port out of range, -EBUSY if already bound.
 */
int xenpv_evtchn_bind(evtchn_port_t port, xenpv_evtchn_handler_t handler,
		      void *data, const char *name)
{
	struct xenpv_evtchn *ch;

	if (port >= XENPV_NR_PORTS)
		return -EINVAL;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	ch->port = port;
	ch->handler = handler;
	ch->data = data;
	ch->name = name;
	timer_setup(&ch->throttle, xenpv_throttle_end, 0);

	mutex_lock(&xenpv_bind_lock);
	if (xenpv_ports[port]) {
		mutex_unlock(&xenpv_bind_lock);
		kfree(ch);
		return -EBUSY;
	}
	xenpv_port_mask(port);
	/* Publish the fully set up binding before the first event can see it. */
	smp_store_release(&xenpv_ports[port], ch);
	xenpv_port_unmask(port);
	mutex_unlock(&xenpv_bind_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_bind);

/**
 * xenpv_evtchn_unbind() - stop events of @port reaching its handler
 * @port: a bound port
 *
 * When this returns, the handler is not running and will not run again.
 * The port stays open (xenstore's port belongs to the toolstack); close
 * ports of our own with xenpv_evtchn_close().  May sleep.
 */
void xenpv_evtchn_unbind(evtchn_port_t port)
{
	struct xenpv_evtchn *ch;

	if (port >= XENPV_NR_PORTS)
		return;
	mutex_lock(&xenpv_bind_lock);
	ch = xenpv_ports[port];
	if (ch) {
		xenpv_port_mask(port);
		WRITE_ONCE(xenpv_ports[port], NULL);
		/* A dispatch that read the old pointer finishes first. */
		xenpv_upcall_sync();
		timer_delete_sync(&ch->throttle);
		sync_clear_bit(port, xenpv_pending_bits());
	}
	mutex_unlock(&xenpv_bind_lock);
	kfree(ch);
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_unbind);

/* Close a port of ours; unbinds it first if needed. */
void xenpv_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	xenpv_evtchn_unbind(port);
	if (xenpv_event_channel_op(EVTCHNOP_close, &op))
		pr_err("closing event channel %u failed\n", port);
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_close);

void xenpv_evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	xenpv_event_channel_op(EVTCHNOP_send, &send);
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_notify);

/* Mask and unmask on behalf of a driver; storm throttling respects it. */
void xenpv_evtchn_mask(evtchn_port_t port)
{
	struct xenpv_evtchn *ch;

	if (port >= XENPV_NR_PORTS)
		return;
	ch = READ_ONCE(xenpv_ports[port]);
	if (ch)
		ch->driver_masked = true;
	xenpv_port_mask(port);
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_mask);

void xenpv_evtchn_unmask(evtchn_port_t port)
{
	struct xenpv_evtchn *ch;

	if (port >= XENPV_NR_PORTS)
		return;
	ch = READ_ONCE(xenpv_ports[port]);
	if (ch) {
		ch->driver_masked = false;
		if (timer_pending(&ch->throttle))
			return;	/* xenpv_throttle_end() unmasks it */
	}
	xenpv_port_unmask(port);
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_unmask);

/* Every port masked: nothing is bound, or nothing bound is ours any more. */
static void xenpv_mask_all(void)
{
	unsigned int w;

	for (w = 0; w < XENPV_WORD_BITS; w++)
		WRITE_ONCE(xenpv_shinfo->evtchn_mask[w], ~(xen_ulong_t)0);
}

/* Every port masked and vCPU 0's upcall no longer pending. */
static void xenpv_quiesce(void)
{
	struct vcpu_info *vcpu = &xenpv_shinfo->vcpu_info[0];

	xenpv_mask_all();
	WRITE_ONCE(vcpu->evtchn_upcall_pending, 0);
	xchg(&vcpu->evtchn_pending_sel, 0);
}

/**
 * xenpv_evtchn_resume_noirq() - events in the domain a restore made
 *
 * Every other CPU is stopped and interrupts are off.  The new domain has
 * a shared_info page of its own, which Xen must map where the old one
 * was, and knows nothing of our upcall interrupt.  Its ports are the
 * toolstack's: all are masked, and no event reaches a handler, until
 * xenpv_evtchn_forget_all() has dropped the old bindings.
 */
void xenpv_evtchn_resume_noirq(void)
{
	int rc;

	rc = xenpv_map_gfn(XENMAPSPACE_shared_info, 0, xenpv_shinfo_gfn);
	if (rc)
		pr_err("resume: mapping shared_info again failed: %d\n", rc);
	xenpv_mask_all();
	WRITE_ONCE(xenpv_bindings_stale, true);
	xenpv_upcall_resume_noirq();
}

/* Ports with a handler bound, for the leak checks of the tests. */
unsigned int xenpv_evtchn_bound_count(void)
{
	evtchn_port_t port;
	unsigned int n = 0;

	mutex_lock(&xenpv_bind_lock);
	for (port = 0; port < XENPV_NR_PORTS; port++)
		n += !!xenpv_ports[port];
	mutex_unlock(&xenpv_bind_lock);
	return n;
}

/**
 * xenpv_evtchn_forget_all() - drop every binding after a restore
 *
 * The ports they were for died with the old domain, and their numbers
 * may already be the toolstack's new ones: nothing is unbound or closed
 * in Xen, the bindings just go.  The drivers that held them are told to
 * forget them too (struct xenpv_driver's resume).
 */
void xenpv_evtchn_forget_all(void)
{
	struct xenpv_evtchn *stale = NULL, *ch;
	evtchn_port_t port;

	mutex_lock(&xenpv_bind_lock);
	for (port = 0; port < XENPV_NR_PORTS; port++) {
		ch = xenpv_ports[port];
		if (!ch)
			continue;
		WRITE_ONCE(xenpv_ports[port], NULL);
		ch->next_stale = stale;
		stale = ch;
	}
	/* A dispatch that read an old pointer finishes first. */
	xenpv_upcall_sync();
	WRITE_ONCE(xenpv_bindings_stale, false);
	mutex_unlock(&xenpv_bind_lock);
	while (stale) {
		ch = stale;
		stale = ch->next_stale;
		timer_delete_sync(&ch->throttle);
		kfree(ch);
	}
}

/**
 * xenpv_evtchn_init() - map shared_info and take the upcall interrupt
 * @pdev: the platform device (see upcall.c)
 *
 * Return: 0 or a negative errno, logged.
 */
int xenpv_evtchn_init(struct pci_dev *pdev)
{
	unsigned long gfn = xenpv_mmio_alloc(1);
	int rc;

	if (!gfn)
		return -ENOSPC;
	rc = xenpv_map_gfn(XENMAPSPACE_shared_info, 0, gfn);
	if (rc) {
		dev_err(&pdev->dev, "mapping shared_info failed: %d\n", rc);
		return rc;
	}
	xenpv_shinfo = memremap(PFN_PHYS(gfn), PAGE_SIZE, MEMREMAP_WB);
	if (!xenpv_shinfo)
		return -ENOMEM;

	xenpv_shinfo_gfn = gfn;
	/* Nothing is bound yet: silence whatever an earlier owner left. */
	xenpv_quiesce();

	rc = xenpv_upcall_init(pdev);
	if (rc) {
		memunmap(xenpv_shinfo);
		xenpv_shinfo = NULL;
	}
	return rc;
}

void xenpv_evtchn_exit(struct pci_dev *pdev)
{
	evtchn_port_t port;

	for (port = 0; port < XENPV_NR_PORTS; port++)
		if (xenpv_ports[port])
			pr_err("event channel %u (%s) still bound at exit\n",
			       port, xenpv_ports[port]->name);
	/* Nothing left for Xen to raise the upcall for (upcall.c). */
	xenpv_quiesce();
	xenpv_upcall_exit(pdev);
	memunmap(xenpv_shinfo);
	xenpv_shinfo = NULL;
}
