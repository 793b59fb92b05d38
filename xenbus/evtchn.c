// SPDX-License-Identifier: GPL-2.0
/*
 * Event channels, 2-level ABI.
 *
 * Xen marks a port pending in shared_info, sets its word's bit in the
 * evtchn_pending_sel of the vCPU the port is bound to and raises that
 * vCPU's evtchn_upcall_pending, then its upcall interrupt (upcall.c).
 * The handler, on that vCPU's CPU, dispatches each pending, unmasked port
 * bound there to the handler bound to it.
 *
 * Which vCPU: a port bound for a device's queue N goes to the Nth of the
 * CPUs that take events (xenpv_evtchn_bind_queue()), so a device's queues
 * interrupt, and run their completions and NAPI on, different CPUs, as
 * with Linux's own Xen code; other ports go to the first, normally vCPU
 * 0's.  Where only vCPU 0 has an upcall (upcall.c), all ports are there.
 * A CPU going offline hands its ports to the CPU with the fewest; they
 * come back when it is online again.
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

#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/seq_file.h>
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
	int cpu;			/* whose vCPU Xen notifies; -1 none yet */
	int placed_cpu;			/* back there when it is online again */
	xenpv_evtchn_handler_t handler;
	void *data;
	const char *name;
	bool driver_masked;
	unsigned int idle_events;	/* events in a row that found no work */
	unsigned int throttle_ms;
	struct timer_list throttle;
	struct xenpv_evtchn *next_stale;	/* xenpv_evtchn_forget_all() */
};

/* A CPU's share of the events: those of its vCPU. */
struct xenpv_evtchn_cpu {
	struct vcpu_info *vcpu;		/* in shared_info; NULL until online */
	u32 vcpu_id;
	/* vCPU 0's INTx and vector may both fire while Xen switches. */
	raw_spinlock_t lock;
	unsigned int first_word;	/* rotates, so no word starves */
	unsigned int nr_bound;
	DECLARE_BITMAP(ports, XENPV_NR_PORTS);	/* bound to its vCPU */
};

static struct shared_info *xenpv_shinfo;
static unsigned long xenpv_shinfo_gfn;
static struct xenpv_evtchn *xenpv_ports[XENPV_NR_PORTS];
/* Guards binding, the CPUs' port sets and xenpv_event_cpus. */
static DEFINE_MUTEX(xenpv_bind_lock);
static DEFINE_PER_CPU(struct xenpv_evtchn_cpu, xenpv_evtchn_cpus);
/* CPUs that take events: ports may be bound to their vCPUs. */
static cpumask_t xenpv_event_cpus;
static int xenpv_vcpu0_cpu = -1;	/* the CPU whose vCPU is 0 */
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

/* The ports of word @w that are pending, unmasked and bound to @ec's vCPU. */
static xen_ulong_t xenpv_ready(struct xenpv_evtchn_cpu *ec, unsigned int w)
{
	return READ_ONCE(xenpv_shinfo->evtchn_pending[w]) &
	       ~READ_ONCE(xenpv_shinfo->evtchn_mask[w]) &
	       READ_ONCE(ec->ports[w]);
}

/*
 * Dispatch @ec's pending ports of word @w.  Returns false when the budget
 * ran out first; the ports not yet dispatched stay pending.
 */
static bool xenpv_scan_word(struct xenpv_evtchn_cpu *ec, unsigned int w,
			    unsigned int *budget)
{
	xen_ulong_t ready = xenpv_ready(ec, w);
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
static void xenpv_hand_back(struct xenpv_evtchn_cpu *ec, xen_ulong_t left)
{
	bool kicked = false;
	xen_ulong_t ready;
	evtchn_port_t port;
	unsigned int w;

	atomic_inc(&xenpv_hand_backs);
	for_each_set_bit(w, (unsigned long *)&left, XENPV_WORD_BITS) {
		ready = xenpv_ready(ec, w);
		if (!kicked && ready) {
			port = w * XENPV_WORD_BITS + __ffs(ready);
			xenpv_port_mask(port);
			xenpv_port_unmask(port);
			kicked = true;
			continue;
		}
		sync_set_bit(w, (unsigned long *)&ec->vcpu->evtchn_pending_sel);
	}
}

/**
 * xenpv_evtchn_upcall() - dispatch the events of @cpu's vCPU
 * @cpu: a CPU whose upcall interrupt fired (upcall.c)
 *
 * Return: IRQ_HANDLED if the vCPU's upcall was pending.
 */
irqreturn_t xenpv_evtchn_upcall(unsigned int cpu)
{
	struct xenpv_evtchn_cpu *ec = per_cpu_ptr(&xenpv_evtchn_cpus, cpu);
	struct vcpu_info *vcpu = READ_ONCE(ec->vcpu);
	unsigned int budget = XENPV_EVTCHN_BUDGET;
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;
	xen_ulong_t sel;
	unsigned int i, w;

	if (!vcpu)
		return IRQ_NONE;
	raw_spin_lock_irqsave(&ec->lock, flags);
	while (READ_ONCE(vcpu->evtchn_upcall_pending)) {
		/* Cleared before the scan, so nothing raised during it is lost. */
		WRITE_ONCE(vcpu->evtchn_upcall_pending, 0);
		ret = IRQ_HANDLED;
		sel = xchg(&vcpu->evtchn_pending_sel, 0);
		for (i = 0; i < XENPV_WORD_BITS && sel; i++) {
			w = (ec->first_word + i) % XENPV_WORD_BITS;
			if (!(sel & (1UL << w)))
				continue;
			if (!xenpv_scan_word(ec, w, &budget)) {
				ec->first_word = w;
				xenpv_hand_back(ec, sel);
				goto out;
			}
			sel &= ~(1UL << w);
		}
		ec->first_word = (ec->first_word + 1) % XENPV_WORD_BITS;
	}
out:
	raw_spin_unlock_irqrestore(&ec->lock, flags);
	return ret;
}

/* The platform device's INTx raises vCPU 0's upcall, on any CPU. */
irqreturn_t xenpv_evtchn_upcall_vcpu0(void)
{
	int cpu = READ_ONCE(xenpv_vcpu0_cpu);

	return cpu < 0 ? IRQ_NONE : xenpv_evtchn_upcall(cpu);
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

static struct xenpv_evtchn_cpu *xenpv_evtchn_cpu(unsigned int cpu)
{
	return per_cpu_ptr(&xenpv_evtchn_cpus, cpu);
}

/* The CPU for a device's queue @queue: round the CPUs taking events. */
static int xenpv_queue_cpu(unsigned int queue)
{
	unsigned int nr = cpumask_weight(&xenpv_event_cpus), cpu;

	if (!nr)
		return -1;
	queue %= nr;
	for_each_cpu(cpu, &xenpv_event_cpus)
		if (!queue--)
			return cpu;
	return -1;
}

/* The CPU taking events with the fewest ports, but @not. */
static int xenpv_least_busy_cpu(unsigned int not)
{
	unsigned int cpu;
	int best = -1;

	for_each_cpu(cpu, &xenpv_event_cpus)
		if (cpu != not &&
		    (best < 0 || xenpv_evtchn_cpu(cpu)->nr_bound <
				 xenpv_evtchn_cpu(best)->nr_bound))
			best = cpu;
	return best;
}

static void xenpv_port_disown(struct xenpv_evtchn *ch)
{
	struct xenpv_evtchn_cpu *ec;

	if (ch->cpu < 0)
		return;
	ec = xenpv_evtchn_cpu(ch->cpu);
	clear_bit(ch->port, ec->ports);
	ec->nr_bound--;
	ch->cpu = -1;
}

/* Has Xen notify @cpu's vCPU of @ch's events, and @cpu dispatch them. */
static int xenpv_port_to_cpu(struct xenpv_evtchn *ch, unsigned int cpu)
{
	struct xenpv_evtchn_cpu *ec = xenpv_evtchn_cpu(cpu);
	struct evtchn_bind_vcpu op = { .port = ch->port, .vcpu = ec->vcpu_id };
	int rc;

	rc = xenpv_event_channel_op(EVTCHNOP_bind_vcpu, &op);
	if (rc)
		return rc;
	xenpv_port_disown(ch);
	set_bit(ch->port, ec->ports);
	ec->nr_bound++;
	ch->cpu = cpu;
	return 0;
}

/* A new binding's CPU: @queue's, and vCPU 0's if Xen refuses that. */
static int xenpv_port_place(struct xenpv_evtchn *ch, unsigned int queue)
{
	int cpu = xenpv_queue_cpu(queue), home = xenpv_queue_cpu(0);
	int rc;

	if (cpu < 0) {
		pr_err("event channel %u (%s): no CPU takes events\n",
		       ch->port, ch->name);
		return -ENODEV;
	}
	rc = xenpv_port_to_cpu(ch, cpu);
	if (rc && cpu != home) {
		pr_warn("event channel %u (%s): EVTCHNOP_bind_vcpu(vCPU %u) failed: %d; on CPU %d instead\n",
			ch->port, ch->name, xenpv_evtchn_cpu(cpu)->vcpu_id, rc,
			home);
		rc = xenpv_port_to_cpu(ch, home);
	}
	if (rc)
		pr_err("event channel %u (%s): EVTCHNOP_bind_vcpu failed: %d\n",
		       ch->port, ch->name, rc);
	else
		ch->placed_cpu = ch->cpu;
	return rc;
}

/**
 * xenpv_evtchn_bind_queue() - route events of @port to @handler on a
 * CPU of @queue's own, and unmask it
 * @port: an open port
 * @handler: called in hard interrupt context for each event, on one CPU
 *	at a time
 * @data: passed to @handler
 * @name: names the port in log messages; must outlive the binding
 * @queue: the device's queue the port serves: queue N's events come to
 *	the Nth CPU that takes events (round), so a device's queues are
 *	served by different CPUs
 *
 * Return: 0, -EINVAL for a port out of range, -EBUSY if already bound,
 * or the errno of EVTCHNOP_bind_vcpu (logged).
 */
int xenpv_evtchn_bind_queue(evtchn_port_t port,
			    xenpv_evtchn_handler_t handler, void *data,
			    const char *name, unsigned int queue)
{
	struct xenpv_evtchn *ch;
	int rc;

	if (port >= XENPV_NR_PORTS)
		return -EINVAL;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	ch->port = port;
	ch->cpu = -1;
	ch->placed_cpu = -1;
	ch->handler = handler;
	ch->data = data;
	ch->name = name;
	timer_setup(&ch->throttle, xenpv_throttle_end, 0);

	mutex_lock(&xenpv_bind_lock);
	rc = -EBUSY;
	if (xenpv_ports[port])
		goto err;
	xenpv_port_mask(port);
	rc = xenpv_port_place(ch, queue);
	if (rc)
		goto err;
	/* Publish the fully set up binding before the first event can see it. */
	smp_store_release(&xenpv_ports[port], ch);
	xenpv_port_unmask(port);
	mutex_unlock(&xenpv_bind_lock);
	return 0;
err:
	mutex_unlock(&xenpv_bind_lock);
	kfree(ch);
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_bind_queue);

/**
 * xenpv_evtchn_bind() - route events of @port to @handler and unmask it
 * @port: an open port
 * @handler: called in hard interrupt context for each event
 * @data: passed to @handler
 * @name: names the port in log messages; must outlive the binding
 *
 * The port's events come to the first CPU that takes events (vCPU 0's,
 * unless that is offline or has no upcall).
 *
 * Return: as xenpv_evtchn_bind_queue().
 */
int xenpv_evtchn_bind(evtchn_port_t port, xenpv_evtchn_handler_t handler,
		      void *data, const char *name)
{
	return xenpv_evtchn_bind_queue(port, handler, data, name, 0);
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
		xenpv_port_disown(ch);
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

/*
 * Moves a live binding to @cpu's vCPU.  Masked meanwhile, so Xen notifies
 * no vCPU of it; unmasked through Xen, which raises an event that came in
 * meanwhile on the new vCPU.  A driver that masks the port during the
 * move may find it unmasked once: its handler then sees an event with
 * nothing to do, which every handler must bear anyway.
 */
static int xenpv_port_move(struct xenpv_evtchn *ch, unsigned int cpu)
{
	int rc;

	xenpv_port_mask(ch->port);
	/* The throttle's end would unmask it behind our back. */
	timer_delete_sync(&ch->throttle);
	rc = xenpv_port_to_cpu(ch, cpu);
	/* A dispatch on the old CPU that saw it pending ends first. */
	xenpv_upcall_sync();
	if (!READ_ONCE(ch->driver_masked))
		xenpv_port_unmask(ch->port);
	return rc;
}

/*
 * Ports placed on @cpu that its going offline moved elsewhere come back,
 * as a device's queues would lose their CPUs of their own otherwise.
 * Not in a restored domain before its bindings are forgotten: their
 * port numbers may be the toolstack's now.  Bind lock held.
 */
static void xenpv_ports_return(unsigned int cpu)
{
	struct xenpv_evtchn *ch;
	evtchn_port_t port;
	int rc;

	if (READ_ONCE(xenpv_bindings_stale))
		return;
	for (port = 0; port < XENPV_NR_PORTS; port++) {
		ch = xenpv_ports[port];
		if (!ch || ch->placed_cpu != cpu || ch->cpu == cpu)
			continue;
		rc = xenpv_port_move(ch, cpu);
		if (rc)
			pr_warn("event channel %u (%s): moving it back to CPU %u failed: %d; it stays on CPU %d\n",
				port, ch->name, cpu, rc, ch->cpu);
	}
}

/**
 * xenpv_evtchn_cpu_online() - let @cpu take its vCPU's events
 * @cpu: a CPU whose vCPU's upcall reaches us now (upcall.c)
 * @vcpu_id: Xen's id for that vCPU
 *
 * Ports bound from now on may go there, and those placed there before it
 * went offline come back.
 */
void xenpv_evtchn_cpu_online(unsigned int cpu, u32 vcpu_id)
{
	struct xenpv_evtchn_cpu *ec = xenpv_evtchn_cpu(cpu);

	if (vcpu_id >= ARRAY_SIZE(xenpv_shinfo->vcpu_info)) {
		pr_warn("CPU %u: vCPU %u has no vcpu_info in shared_info; other CPUs take the events\n",
			cpu, vcpu_id);
		return;
	}
	mutex_lock(&xenpv_bind_lock);
	ec->vcpu_id = vcpu_id;
	WRITE_ONCE(ec->vcpu, &xenpv_shinfo->vcpu_info[vcpu_id]);
	if (!vcpu_id)
		WRITE_ONCE(xenpv_vcpu0_cpu, cpu);
	cpumask_set_cpu(cpu, &xenpv_event_cpus);
	xenpv_ports_return(cpu);
	mutex_unlock(&xenpv_bind_lock);
}

/**
 * xenpv_evtchn_cpu_offline() - @cpu is going: move its ports elsewhere
 * @cpu: the CPU, still online; its upcall still works
 */
void xenpv_evtchn_cpu_offline(unsigned int cpu)
{
	struct xenpv_evtchn_cpu *ec = xenpv_evtchn_cpu(cpu);
	evtchn_port_t port;
	int to, rc;

	mutex_lock(&xenpv_bind_lock);
	cpumask_clear_cpu(cpu, &xenpv_event_cpus);
	for_each_set_bit(port, ec->ports, XENPV_NR_PORTS) {
		to = xenpv_least_busy_cpu(cpu);
		if (to < 0) {
			pr_err("CPU %u goes offline with %u event channels, and no other CPU takes events\n",
			       cpu, ec->nr_bound);
			break;
		}
		rc = xenpv_port_move(xenpv_ports[port], to);
		if (rc)
			pr_err("event channel %u (%s): moving it off CPU %u failed: %d; no events while that CPU is offline\n",
			       port, xenpv_ports[port]->name, cpu, rc);
	}
	mutex_unlock(&xenpv_bind_lock);
}

/*
 * In a restored domain, with interrupts off and the other CPUs stopped:
 * Xen would not set @cpu's vector again, so @cpu takes no more events.
 * Its bindings are stale, and go with the others.
 */
void xenpv_evtchn_cpu_lost_noirq(unsigned int cpu)
{
	cpumask_clear_cpu(cpu, &xenpv_event_cpus);
}

/* Every port masked: nothing is bound, or nothing bound is ours any more. */
static void xenpv_mask_all(void)
{
	unsigned int w;

	for (w = 0; w < XENPV_WORD_BITS; w++)
		WRITE_ONCE(xenpv_shinfo->evtchn_mask[w], ~(xen_ulong_t)0);
}

/* Every port masked and no vCPU's upcall pending. */
static void xenpv_quiesce(void)
{
	struct vcpu_info *vcpu;
	unsigned int v;

	xenpv_mask_all();
	for (v = 0; v < ARRAY_SIZE(xenpv_shinfo->vcpu_info); v++) {
		vcpu = &xenpv_shinfo->vcpu_info[v];
		WRITE_ONCE(vcpu->evtchn_upcall_pending, 0);
		xchg(&vcpu->evtchn_pending_sel, 0);
	}
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

/**
 * xenpv_evtchn_cpu_of() - the CPU that takes @port's events now
 * @port: a bound port
 *
 * For putting work where the port's events are handled, as xennet's
 * transmit steering does.  A hint, not a promise: the port moves when
 * its CPU goes offline.
 *
 * Return: the CPU, or -1 if @port is not bound.
 */
int xenpv_evtchn_cpu_of(evtchn_port_t port)
{
	struct xenpv_evtchn *ch;
	int cpu = -1;

	if (port >= XENPV_NR_PORTS)
		return -1;
	mutex_lock(&xenpv_bind_lock);
	ch = xenpv_ports[port];
	if (ch)
		cpu = ch->cpu;
	mutex_unlock(&xenpv_bind_lock);
	return cpu;
}
EXPORT_SYMBOL_GPL(xenpv_evtchn_cpu_of);

/* For debugfs: a line per binding, "PORT cpu C vcpu V NAME". */
void xenpv_evtchn_show(struct seq_file *m)
{
	struct xenpv_evtchn *ch;
	evtchn_port_t port;

	mutex_lock(&xenpv_bind_lock);
	for (port = 0; port < XENPV_NR_PORTS; port++) {
		ch = xenpv_ports[port];
		if (ch)
			seq_printf(m, "%u cpu %d vcpu %u %s\n", port, ch->cpu,
				   xenpv_evtchn_cpu(ch->cpu)->vcpu_id,
				   ch->name);
	}
	mutex_unlock(&xenpv_bind_lock);
}

/* How many CPUs take events (selftest.c). */
unsigned int xenpv_evtchn_event_cpus(void)
{
	unsigned int nr;

	mutex_lock(&xenpv_bind_lock);
	nr = cpumask_weight(&xenpv_event_cpus);
	mutex_unlock(&xenpv_bind_lock);
	return nr;
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
	for (ch = stale; ch; ch = ch->next_stale)
		xenpv_port_disown(ch);
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
	unsigned int cpu;
	int rc;

	/* The dispatch reads a CPU's port set word by word, as Xen's. */
	BUILD_BUG_ON(sizeof(xen_ulong_t) != sizeof(unsigned long));
	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&xenpv_evtchn_cpu(cpu)->lock);
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
	unsigned int cpu;
	evtchn_port_t port;

	for (port = 0; port < XENPV_NR_PORTS; port++)
		if (xenpv_ports[port])
			pr_err("event channel %u (%s) still bound at exit\n",
			       port, xenpv_ports[port]->name);
	/* Nothing left for Xen to raise the upcall for (upcall.c). */
	xenpv_quiesce();
	xenpv_upcall_exit(pdev);
	for_each_possible_cpu(cpu)
		WRITE_ONCE(xenpv_evtchn_cpu(cpu)->vcpu, NULL);
	WRITE_ONCE(xenpv_vcpu0_cpu, -1);
	memunmap(xenpv_shinfo);
	xenpv_shinfo = NULL;
}
