/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of xencons share: one struct xencons per console. */
#ifndef XENCONS_XENCONS_H
#define XENCONS_XENCONS_H

#include <linux/console.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/workqueue.h>
#include <xenpv/xenpv.h>

#include "ring.h"

/* Consoles per driver: hvc0 to hvc15, as many as the kernel's hvc layer. */
#define XENCONS_LINES		16

struct xencons {
	struct tty_port port;		/* first: the port's refcount frees us */
	struct tty_driver *driver;	/* the face it shows: hvc or xvc */
	unsigned int line;
	char name[16];			/* "hvc1": logs and the event channel */

	spinlock_t lock;		/* the ring, and whether it is there */
	struct xencons_ring ring;	/* ring.intf NULL once detached */
	bool throttled;			/* the tty asked us to hold input */
	bool stopped;			/* broken: said so, hung up */
	u8 inbuf[XENCONS_IN_SIZE];	/* input on its way to the tty */
	struct delayed_work input_work;	/* input the tty had no room for */

	evtchn_port_t evtchn;
	bool evtchn_bound;
};

/* tty.c */
int xencons_tty_init(bool primary_is_xvc);
void xencons_tty_exit(void);
struct tty_driver *xencons_tty_driver(unsigned int line);
struct xencons *xencons_alloc(unsigned int line);
int xencons_attach(struct xencons *cons, struct xencons_interface *intf,
		   bool adopt, evtchn_port_t evtchn, struct device *parent);
void xencons_detach(struct xencons *cons);
int xencons_reattach(struct xencons *cons, evtchn_port_t evtchn);
void xencons_forget_evtchn(struct xencons *cons);
void xencons_put(struct xencons *cons);
void xencons_console_register(struct xencons *cons);
void xencons_console_unregister(void);

/* front.c */
int xencons_front_init(void);
void xencons_front_exit(void);

#endif /* XENCONS_XENCONS_H */
