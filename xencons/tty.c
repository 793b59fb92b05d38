// SPDX-License-Identifier: GPL-2.0
/*
 * The tty side of xencons: a tty driver of our own, since the kernel's hvc
 * layer keeps its interface (drivers/tty/hvc/hvc_console.h) out of the
 * headers that out-of-tree modules build against.
 *
 * Every console is a tty line of one of two drivers:
 *   hvc	major 229, minors 0-15: hvc0 to hvc15, the names of today's
 *		kernels (the hvc layer's major, free unless one of its
 *		backends is active, which a xen_nopv guest does not have)
 *   xvc	major 204, minor 191: xvc0, the primary console's name in
 *		Xen's classic Linux kernels, when xencons.primary=xvc0
 * and the primary console is also a kernel console of the same name.
 *
 * Input: the event handler moves bytes from the ring into the tty's flip
 * buffer, as many as it has room for; what is left stays in the ring (so
 * the backend holds the rest, nothing is dropped) and is tried again soon,
 * or when the line discipline unthrottles.  Output: write() puts what fits
 * in the ring and the tty layer waits for the backend's event that says it
 * consumed some.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
/* 5.10's tty_flip.h needs tty.h first. */
#include <linux/tty_flip.h>
#include <xenpv/tty_compat.h>

#include "xencons.h"

#define XENCONS_HVC_MAJOR	229
#define XENCONS_XVC_MAJOR	204
#define XENCONS_XVC_MINOR	191

/* Input the tty had no room for is tried again this soon. */
#define XENCONS_INPUT_RETRY	msecs_to_jiffies(20)
/*
 * A kernel console write waits at most this long for the backend to make
 * room, then drops the rest: printk must not hang on a stalled backend.
 */
#define XENCONS_CONSOLE_WAIT_US	(50 * USEC_PER_MSEC)
#define XENCONS_CONSOLE_POLL_US	10

static struct tty_driver *xencons_hvc;	/* hvc0-hvc15 */
static struct tty_driver *xencons_xvc;	/* xvc0, when it is the primary */

/* Who serves each line; tty install looks them up here. */
static DEFINE_MUTEX(xencons_lines_lock);
static struct xencons *xencons_lines[XENCONS_LINES];

/* The console printk writes to: the primary, while it is attached. */
static struct xencons *xencons_kcons;

/* ---------------------------------------------------------------------
 * The ring, under cons->lock
 */

/*
 * The backend wrote impossible indexes: the ring is not used again (every
 * ring call now fails), the tty is hung up, and one line says why.
 */
static void xencons_broken(struct xencons *cons)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&cons->lock, flags);
	first = !cons->stopped;
	cons->stopped = true;
	spin_unlock_irqrestore(&cons->lock, flags);
	if (!first)
		return;
	pr_err("%s: backend (event channel %u) wrote impossible ring indexes; console stopped\n",
	       cons->name, cons->evtchn);
	tty_port_tty_hangup(&cons->port, false);
}

/*
 * Moves input from the ring to the tty, as much as it has room for.
 * Returns true when it took any.  Any context.
 */
static bool xencons_receive(struct xencons *cons)
{
	unsigned long flags;
	int avail, room, taken = 0;
	bool broken = false, more = false;

	spin_lock_irqsave(&cons->lock, flags);
	if (!cons->ring.intf || cons->throttled)
		goto out;
	avail = xencons_ring_in_avail(&cons->ring);
	if (avail <= 0) {
		broken = avail < 0;
		goto out;
	}
	if (!tty_port_initialized(&cons->port)) {
		/* Nobody has the console open: like a serial line, it drops. */
		taken = xencons_ring_read(&cons->ring, cons->inbuf, avail);
		goto out;
	}
	room = tty_buffer_request_room(&cons->port, avail);
	taken = xencons_ring_read(&cons->ring, cons->inbuf, room);
	if (taken > 0) {
		tty_insert_flip_string(&cons->port, cons->inbuf, taken);
		/* Under the lock: one producer of the flip buffer at a time. */
		tty_flip_buffer_push(&cons->port);
	}
	more = taken >= 0 && taken < avail;
out:
	spin_unlock_irqrestore(&cons->lock, flags);
	if (taken < 0 || broken)
		xencons_broken(cons);
	if (taken > 0)
		xenpv_evtchn_notify(cons->evtchn);
	if (more)
		schedule_delayed_work(&cons->input_work, XENCONS_INPUT_RETRY);
	return taken > 0;
}

static void xencons_input_work(struct work_struct *work)
{
	struct xencons *cons = container_of(to_delayed_work(work),
					    struct xencons, input_work);

	xencons_receive(cons);
}

/* Queues what fits of @buf for the backend: bytes queued, or an errno. */
static int xencons_send(struct xencons *cons, const u8 *buf, size_t len)
{
	unsigned long flags;
	int sent = -EIO;

	spin_lock_irqsave(&cons->lock, flags);
	if (cons->ring.intf)
		sent = xencons_ring_write(&cons->ring, buf, len);
	spin_unlock_irqrestore(&cons->lock, flags);
	if (sent > 0)
		xenpv_evtchn_notify(cons->evtchn);
	else if (sent == -EPROTO)
		xencons_broken(cons);
	return sent;
}

/* Output bytes still in the ring, or -EIO once it is gone or broken. */
static int xencons_out_used(struct xencons *cons)
{
	unsigned long flags;
	int used = -EIO;

	spin_lock_irqsave(&cons->lock, flags);
	if (cons->ring.intf)
		used = xencons_ring_out_used(&cons->ring);
	spin_unlock_irqrestore(&cons->lock, flags);
	return used < 0 ? -EIO : used;
}

/*
 * An event: input arrived, or the backend consumed output (it notifies
 * after both).  IRQ_NONE when neither happened tells the core the backend
 * is raising events for nothing, which it throttles.
 */
static irqreturn_t xencons_event(evtchn_port_t port, void *data)
{
	struct xencons *cons = data;
	bool progress = false, broken;

	spin_lock(&cons->lock);
	if (cons->ring.intf)
		progress = xencons_ring_out_progress(&cons->ring);
	broken = cons->ring.broken;
	spin_unlock(&cons->lock);
	if (broken) {
		/* Later events find nothing to do: the core throttles them. */
		xencons_broken(cons);
		return IRQ_NONE;
	}
	if (progress)
		tty_port_tty_wakeup(&cons->port);
	if (xencons_receive(cons))
		progress = true;
	return progress ? IRQ_HANDLED : IRQ_NONE;
}

/* ---------------------------------------------------------------------
 * tty operations
 */

static int xencons_install(struct tty_driver *driver, struct tty_struct *tty)
{
	struct xencons *cons = NULL;
	int rc;

	mutex_lock(&xencons_lines_lock);
	if (tty->index < XENCONS_LINES)
		cons = xencons_lines[tty->index];
	if (cons && (cons->driver != driver || !tty_port_get(&cons->port)))
		cons = NULL;
	mutex_unlock(&xencons_lines_lock);
	if (!cons)
		return -ENODEV;

	tty->driver_data = cons;
	rc = tty_port_install(&cons->port, driver, tty);
	if (rc)
		tty_port_put(&cons->port);	/* no cleanup() after this */
	return rc;
}

static void xencons_cleanup(struct tty_struct *tty)
{
	struct xencons *cons = tty->driver_data;

	tty_port_put(&cons->port);
}

static int xencons_open(struct tty_struct *tty, struct file *filp)
{
	return tty_port_open(tty->port, tty, filp);
}

static void xencons_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(tty->port, tty, filp);
}

static void xencons_hangup(struct tty_struct *tty)
{
	tty_port_hangup(tty->port);
}

static XENPV_TTY_WRITE_RET xencons_write(struct tty_struct *tty,
					 const u8 *buf, XENPV_TTY_WRITE_LEN count)
{
	return xencons_send(tty->driver_data, buf, count);
}

static XENPV_TTY_ROOM xencons_write_room(struct tty_struct *tty)
{
	int used = xencons_out_used(tty->driver_data);

	return used < 0 ? 0 : XENCONS_OUT_SIZE - used;
}

static XENPV_TTY_ROOM xencons_chars_in_buffer(struct tty_struct *tty)
{
	int used = xencons_out_used(tty->driver_data);

	return used < 0 ? 0 : used;
}

static void xencons_throttle(struct tty_struct *tty)
{
	struct xencons *cons = tty->driver_data;
	unsigned long flags;

	spin_lock_irqsave(&cons->lock, flags);
	cons->throttled = true;
	spin_unlock_irqrestore(&cons->lock, flags);
}

static void xencons_unthrottle(struct tty_struct *tty)
{
	struct xencons *cons = tty->driver_data;
	unsigned long flags;

	spin_lock_irqsave(&cons->lock, flags);
	cons->throttled = false;
	spin_unlock_irqrestore(&cons->lock, flags);
	xencons_receive(cons);
}

static const struct tty_operations xencons_tty_ops = {
	.install = xencons_install,
	.cleanup = xencons_cleanup,
	.open = xencons_open,
	.close = xencons_close,
	.hangup = xencons_hangup,
	.write = xencons_write,
	.write_room = xencons_write_room,
	.chars_in_buffer = xencons_chars_in_buffer,
	.throttle = xencons_throttle,
	.unthrottle = xencons_unthrottle,
};

static void xencons_port_destruct(struct tty_port *port)
{
	kfree(container_of(port, struct xencons, port));
}

static const struct tty_port_operations xencons_port_ops = {
	.destruct = xencons_port_destruct,
};

/* ---------------------------------------------------------------------
 * The kernel console (printk), on the primary console
 */

/* Writes @buf, waiting for room while *@budget_us lasts. */
static bool xencons_console_put(struct xencons *cons, const u8 *buf,
				size_t len, unsigned int *budget_us)
{
	while (len) {
		int sent = xencons_ring_write(&cons->ring, buf, len);

		if (sent < 0)
			return false;
		if (sent) {
			xenpv_evtchn_notify(cons->evtchn);
			buf += sent;
			len -= sent;
			continue;
		}
		if (*budget_us < XENCONS_CONSOLE_POLL_US)
			return false;
		udelay(XENCONS_CONSOLE_POLL_US);
		*budget_us -= XENCONS_CONSOLE_POLL_US;
	}
	return true;
}

/* Kernel messages end lines with \n; a terminal wants \r\n. */
static void xencons_console_emit(struct xencons *cons, const char *s,
				 unsigned int count)
{
	unsigned int budget_us = XENCONS_CONSOLE_WAIT_US;

	if (!cons->ring.intf)
		return;
	while (count) {
		const char *nl = memchr(s, '\n', count);
		unsigned int line = nl ? nl - s : count;

		if (!xencons_console_put(cons, (const u8 *)s, line, &budget_us))
			return;
		if (!nl)
			return;
		if (!xencons_console_put(cons, (const u8 *)"\r\n", 2,
					 &budget_us))
			return;
		s += line + 1;
		count -= line + 1;
	}
}

static void xencons_console_write(struct console *co, const char *s,
				  unsigned int count)
{
	struct xencons *cons = READ_ONCE(xencons_kcons);
	unsigned long flags;

	if (!cons)
		return;
	if (!oops_in_progress) {
		spin_lock_irqsave(&cons->lock, flags);
		xencons_console_emit(cons, s, count);
		spin_unlock_irqrestore(&cons->lock, flags);
	} else if (spin_trylock_irqsave(&cons->lock, flags)) {
		xencons_console_emit(cons, s, count);
		spin_unlock_irqrestore(&cons->lock, flags);
	} else {
		/* The oops struck with the lock held: print anyway. */
		local_irq_save(flags);
		xencons_console_emit(cons, s, count);
		local_irq_restore(flags);
	}
}

static struct tty_driver *xencons_console_device(struct console *co,
						 int *index)
{
	struct xencons *cons = READ_ONCE(xencons_kcons);

	*index = 0;
	return cons ? cons->driver : NULL;
}

static struct console xencons_console = {
	.write = xencons_console_write,
	.device = xencons_console_device,
	/* The boot log so far, then what follows: as hvc0 has it. */
	.flags = CON_PRINTBUFFER,
	.index = 0,
};

/*
 * Offers @cons as kernel console "hvc0" (or "xvc0"): it is used when the
 * kernel command line names it (console=hvc0), as any console is.
 */
void xencons_console_register(struct xencons *cons)
{
	strscpy(xencons_console.name, cons->driver->name,
		sizeof(xencons_console.name));
	WRITE_ONCE(xencons_kcons, cons);
	register_console(&xencons_console);
}

void xencons_console_unregister(void)
{
	if (!READ_ONCE(xencons_kcons))
		return;
	unregister_console(&xencons_console);
	WRITE_ONCE(xencons_kcons, NULL);
}

/* ---------------------------------------------------------------------
 * Consoles and their lines
 */

struct tty_driver *xencons_tty_driver(unsigned int line)
{
	if (line == 0 && xencons_xvc)
		return xencons_xvc;
	return line < XENCONS_LINES ? xencons_hvc : NULL;
}

/* A console for @line, not yet attached; xencons_put() frees it. */
struct xencons *xencons_alloc(unsigned int line)
{
	struct tty_driver *driver = xencons_tty_driver(line);
	struct xencons *cons;

	if (!driver)
		return ERR_PTR(-ENODEV);
	cons = kzalloc(sizeof(*cons), GFP_KERNEL);
	if (!cons)
		return ERR_PTR(-ENOMEM);
	tty_port_init(&cons->port);
	cons->port.ops = &xencons_port_ops;
	cons->driver = driver;
	cons->line = line;
	snprintf(cons->name, sizeof(cons->name), "%s%u", driver->name, line);
	spin_lock_init(&cons->lock);
	INIT_DELAYED_WORK(&cons->input_work, xencons_input_work);
	return cons;
}

void xencons_put(struct xencons *cons)
{
	tty_port_put(&cons->port);
}

/* Events of cons->evtchn to the console: 0, or an errno after logging. */
static int xencons_bind(struct xencons *cons)
{
	int rc = xenpv_evtchn_bind(cons->evtchn, xencons_event, cons,
				   cons->name);

	if (rc) {
		pr_err("%s: binding event channel %u failed: %d\n",
		       cons->name, cons->evtchn, rc);
		return rc;
	}
	cons->evtchn_bound = true;
	return 0;
}

/**
 * xencons_attach() - make a console of a ring page and an event channel
 * @cons: from xencons_alloc()
 * @intf: the ring page, mapped
 * @adopt: the page was in use before (see xencons_ring_init())
 * @evtchn: an open event channel to the backend
 * @parent: the device the tty hangs under, or NULL
 *
 * Return: 0, or an errno after logging why.
 */
int xencons_attach(struct xencons *cons, struct xencons_interface *intf,
		   bool adopt, evtchn_port_t evtchn, struct device *parent)
{
	struct device *dev;
	int rc;

	rc = xencons_ring_init(&cons->ring, intf, adopt);
	if (rc) {
		pr_err("%s: the ring page holds impossible indexes (out %u/%u, in %u/%u); not using it\n",
		       cons->name, intf->out_cons, intf->out_prod,
		       intf->in_cons, intf->in_prod);
		cons->ring.intf = NULL;
		return rc;
	}
	cons->evtchn = evtchn;

	mutex_lock(&xencons_lines_lock);
	if (xencons_lines[cons->line])
		rc = -EBUSY;
	else
		xencons_lines[cons->line] = cons;
	mutex_unlock(&xencons_lines_lock);
	if (rc) {
		pr_err("%s: that line is taken by another console\n",
		       cons->name);
		goto err_ring;
	}

	rc = xencons_bind(cons);
	if (rc)
		goto err_line;

	dev = tty_port_register_device(&cons->port, cons->driver, cons->line,
				       parent);
	if (IS_ERR(dev)) {
		rc = PTR_ERR(dev);
		pr_err("%s: registering the tty failed: %d\n", cons->name, rc);
		goto err_unbind;
	}
	return 0;

err_unbind:
	xenpv_evtchn_unbind(evtchn);
	cons->evtchn_bound = false;
err_line:
	mutex_lock(&xencons_lines_lock);
	xencons_lines[cons->line] = NULL;
	mutex_unlock(&xencons_lines_lock);
err_ring:
	cons->ring.intf = NULL;
	return rc;
}

/**
 * xencons_detach() - stop using the ring; the tty is hung up
 * @cons: an attached console
 *
 * When this returns nothing touches the ring page any more.  A process
 * that still has the tty open gets EIO; the struct lives until it closes.
 */
void xencons_detach(struct xencons *cons)
{
	unsigned long flags;

	mutex_lock(&xencons_lines_lock);
	xencons_lines[cons->line] = NULL;
	mutex_unlock(&xencons_lines_lock);
	tty_unregister_device(cons->driver, cons->line);
	if (cons->evtchn_bound)
		xenpv_evtchn_unbind(cons->evtchn);
	cons->evtchn_bound = false;

	spin_lock_irqsave(&cons->lock, flags);
	cons->ring.intf = NULL;
	spin_unlock_irqrestore(&cons->lock, flags);
	cancel_delayed_work_sync(&cons->input_work);
	tty_port_tty_hangup(&cons->port, false);
}

/* After a restore: the port is gone; detach must not unbind it. */
void xencons_forget_evtchn(struct xencons *cons)
{
	unsigned long flags;

	spin_lock_irqsave(&cons->lock, flags);
	cons->evtchn_bound = false;
	cons->evtchn = 0;
	spin_unlock_irqrestore(&cons->lock, flags);
}

/**
 * xencons_reattach() - carry on after a restore, with a new event channel
 * @cons: an attached console
 * @evtchn: the port the toolstack opened in the new domain
 *
 * The binding to the old port went with the old domain and is not
 * unbound (its number may be someone else's now).  The page is the same;
 * its indexes are as the toolstack left them, so they are adopted again.
 *
 * Return: 0, or an errno after logging why.
 */
int xencons_reattach(struct xencons *cons, evtchn_port_t evtchn)
{
	unsigned long flags;
	int rc;

	xencons_forget_evtchn(cons);
	spin_lock_irqsave(&cons->lock, flags);
	cons->evtchn = evtchn;
	rc = cons->ring.intf ? xencons_ring_init(&cons->ring, cons->ring.intf,
						 true) : -ENODEV;
	spin_unlock_irqrestore(&cons->lock, flags);
	if (rc) {
		pr_err("%s: the ring is unusable after a restore: %d\n",
		       cons->name, rc);
		return rc;
	}
	rc = xencons_bind(cons);
	if (rc)
		return rc;
	/* Output written while we were away waits in the ring. */
	xenpv_evtchn_notify(evtchn);
	return 0;
}

/* ---------------------------------------------------------------------
 * The tty drivers
 */

static struct tty_driver *xencons_make_driver(const char *name, int major,
					      int minor, unsigned int lines)
{
	struct tty_driver *driver;
	int rc;

	/* Settings outlive an open, as on a serial line (stty, then use). */
	driver = tty_alloc_driver(lines, TTY_DRIVER_REAL_RAW |
				  TTY_DRIVER_DYNAMIC_DEV);
	if (IS_ERR(driver))
		return driver;
	driver->driver_name = KBUILD_MODNAME;
	driver->name = name;
	driver->major = major;
	driver->minor_start = minor;
	driver->type = TTY_DRIVER_TYPE_SYSTEM;
	driver->init_termios = tty_std_termios;
	tty_set_operations(driver, &xencons_tty_ops);

	rc = tty_register_driver(driver);
	if (rc) {
		pr_err("registering %s (major %d, minors %d-%u) failed: %d\n",
		       name, major, minor, minor + lines - 1, rc);
		tty_driver_kref_put(driver);
		return ERR_PTR(rc);
	}
	return driver;
}

static void xencons_drop_driver(struct tty_driver **driver)
{
	if (!*driver)
		return;
	tty_unregister_driver(*driver);
	tty_driver_kref_put(*driver);
	*driver = NULL;
}

/**
 * xencons_tty_init() - register the tty drivers
 * @primary_is_xvc: the primary console is xvc0 rather than hvc0
 *
 * Without the hvc major (another driver holds it) only xvc0 can exist.
 */
int xencons_tty_init(bool primary_is_xvc)
{
	struct tty_driver *driver;

	driver = xencons_make_driver("hvc", XENCONS_HVC_MAJOR, 0,
				     XENCONS_LINES);
	if (IS_ERR(driver)) {
		pr_err("hvc0-hvc%d are taken (by the kernel's own hvc consoles?); %s\n",
		       XENCONS_LINES - 1,
		       primary_is_xvc ? "only xvc0 will exist"
				      : "xencons.primary=xvc0 still gives xvc0");
		if (!primary_is_xvc)
			return PTR_ERR(driver);
		driver = NULL;
	}
	xencons_hvc = driver;

	if (primary_is_xvc) {
		driver = xencons_make_driver("xvc", XENCONS_XVC_MAJOR,
					     XENCONS_XVC_MINOR, 1);
		if (IS_ERR(driver)) {
			xencons_drop_driver(&xencons_hvc);
			return PTR_ERR(driver);
		}
		xencons_xvc = driver;
	}
	return 0;
}

void xencons_tty_exit(void)
{
	xencons_drop_driver(&xencons_xvc);
	xencons_drop_driver(&xencons_hvc);
}
