// SPDX-License-Identifier: GPL-2.0
/*
 * The byte stream to and from xenstored: the page at HVM_PARAM_STORE_PFN
 * holds a request ring and a response ring, HVM_PARAM_STORE_EVTCHN signals
 * both ways.
 *
 * One thread reads whole messages (header checked, then the body) and
 * hands them to xs.c; senders take a mutex so messages never interleave.
 * A peer that breaks the protocol, or a ring that stays full past the
 * timeout, marks the connection broken: every later request fails with
 * -EIO instead of hanging or misparsing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <xen/interface/xen.h>
#include <xen/interface/hvm/params.h>

#include "core.h"
#include "xs_proto.h"

static unsigned int xs_timeout_secs = 30;
module_param_named(xs_timeout, xs_timeout_secs, uint, 0644);
MODULE_PARM_DESC(xs_timeout, "Seconds to wait for xenstored before failing a request (default 30)");

static struct xenstore_domain_interface *xenpv_xs_intf;
static evtchn_port_t xenpv_xs_port;
static DECLARE_WAIT_QUEUE_HEAD(xenpv_xs_waitq);
static DEFINE_MUTEX(xenpv_xs_send_lock);
static struct task_struct *xenpv_xs_reader;
static void (*xenpv_xs_deliver)(struct xenpv_xs_msg *msg);
static bool xenpv_xs_broken;

unsigned long xenpv_xs_timeout(void)
{
	return msecs_to_jiffies(xs_timeout_secs * MSEC_PER_SEC);
}

bool xenpv_xs_ring_broken(void)
{
	return READ_ONCE(xenpv_xs_broken);
}

static void xenpv_xs_break(const char *why)
{
	if (!xchg(&xenpv_xs_broken, true))
		pr_err("xenstore connection broken: %s; xenstore requests will fail\n",
		       why);
	wake_up_all(&xenpv_xs_waitq);
}

static irqreturn_t xenpv_xs_event(evtchn_port_t port, void *data)
{
	wake_up(&xenpv_xs_waitq);
	/* xenstored is the toolstack's own daemon: not throttled. */
	return IRQ_HANDLED;
}

static int xenpv_xs_req_space(void)
{
	int used = xenpv_xs_ring_used(READ_ONCE(xenpv_xs_intf->req_prod),
				      READ_ONCE(xenpv_xs_intf->req_cons));

	return used < 0 ? used : XENSTORE_RING_SIZE - used;
}

static int xenpv_xs_rsp_used(void)
{
	return xenpv_xs_ring_used(READ_ONCE(xenpv_xs_intf->rsp_prod),
				  READ_ONCE(xenpv_xs_intf->rsp_cons));
}

static int xenpv_xs_ring_write(const void *data, unsigned int len)
{
	struct xenstore_domain_interface *intf = xenpv_xs_intf;
	unsigned int n;
	long left;
	int space;

	while (len) {
		left = wait_event_timeout(xenpv_xs_waitq,
					  xenpv_xs_req_space() ||
					  xenpv_xs_ring_broken(),
					  xenpv_xs_timeout());
		if (xenpv_xs_ring_broken())
			return -EIO;
		if (!left) {
			/* Part of a message may be out: the stream is lost. */
			xenpv_xs_break("request ring full past the timeout");
			return -EIO;
		}
		space = xenpv_xs_req_space();
		if (space < 0) {
			xenpv_xs_break("request ring indexes out of range");
			return -EIO;
		}
		/* Read the consumer index before writing the data. */
		virt_mb();
		n = xenpv_xs_ring_put(intf->req, intf->req_prod, space, data,
				      len);
		/* The data must be there before the new producer index. */
		virt_wmb();
		intf->req_prod += n;
		xenpv_evtchn_notify(xenpv_xs_port);
		data += n;
		len -= n;
	}
	return 0;
}

/* Sends one whole message. */
int xenpv_xs_ring_send(const struct xsd_sockmsg *hdr, const void *body)
{
	int rc;

	mutex_lock(&xenpv_xs_send_lock);
	rc = xenpv_xs_ring_write(hdr, sizeof(*hdr));
	if (!rc)
		rc = xenpv_xs_ring_write(body, hdr->len);
	mutex_unlock(&xenpv_xs_send_lock);
	return rc;
}

/*
 * Reads exactly @len bytes.  Waits without limit for the first byte when
 * @mid_message is false (xenstored speaks when it has something to say);
 * once inside a message, the rest must follow within the timeout.
 */
static int xenpv_xs_ring_read(void *data, unsigned int len, bool mid_message)
{
	struct xenstore_domain_interface *intf = xenpv_xs_intf;
	unsigned int n;
	long left;
	int used;

	while (len) {
		if (mid_message) {
			left = wait_event_timeout(xenpv_xs_waitq,
						  xenpv_xs_rsp_used() ||
						  xenpv_xs_ring_broken(),
						  xenpv_xs_timeout());
			if (!left) {
				xenpv_xs_break("reply stopped half way");
				return -EIO;
			}
		} else {
			wait_event_interruptible(xenpv_xs_waitq,
						 xenpv_xs_rsp_used() ||
						 xenpv_xs_ring_broken() ||
						 kthread_should_stop());
			if (kthread_should_stop())
				return -EINTR;
		}
		if (xenpv_xs_ring_broken())
			return -EIO;
		used = xenpv_xs_rsp_used();
		if (used < 0) {
			xenpv_xs_break("response ring indexes out of range");
			return -EIO;
		}
		/* Read the data only after the producer index. */
		virt_rmb();
		n = xenpv_xs_ring_get(intf->rsp, intf->rsp_cons, used, data,
				      len);
		/* Copy out before handing the space back. */
		virt_mb();
		intf->rsp_cons += n;
		xenpv_evtchn_notify(xenpv_xs_port);
		data += n;
		len -= n;
		mid_message = true;
	}
	return 0;
}

static struct xenpv_xs_msg *xenpv_xs_read_msg(void)
{
	struct xenpv_xs_msg *msg = kzalloc(sizeof(*msg), GFP_KERNEL);
	int rc;

	if (!msg)
		return ERR_PTR(-ENOMEM);
	rc = xenpv_xs_ring_read(&msg->hdr, sizeof(msg->hdr), false);
	if (rc)
		goto err;
	if (xenpv_xs_check_header(&msg->hdr)) {
		pr_err("xenstore sent a bad message header (type %u, len %u)\n",
		       msg->hdr.type, msg->hdr.len);
		xenpv_xs_break("protocol violation");
		rc = -EIO;
		goto err;
	}
	msg->body = kmalloc(msg->hdr.len + 1, GFP_KERNEL);
	if (!msg->body) {
		/* Cannot skip the body without a buffer: the stream is lost. */
		xenpv_xs_break("out of memory for a reply");
		rc = -ENOMEM;
		goto err;
	}
	rc = xenpv_xs_ring_read(msg->body, msg->hdr.len, true);
	if (rc)
		goto err;
	msg->body[msg->hdr.len] = '\0';
	return msg;

err:
	kfree(msg->body);
	kfree(msg);
	return ERR_PTR(rc);
}

static int xenpv_xs_reader_fn(void *unused)
{
	struct xenpv_xs_msg *msg;

	while (!kthread_should_stop()) {
		msg = xenpv_xs_read_msg();
		if (!IS_ERR(msg)) {
			xenpv_xs_deliver(msg);
			continue;
		}
		if (PTR_ERR(msg) == -EINTR)
			break;
		/* Broken: park until unloaded. */
		wait_event_interruptible(xenpv_xs_waitq, kthread_should_stop());
	}
	return 0;
}

int xenpv_xs_ring_init(void (*deliver)(struct xenpv_xs_msg *msg))
{
	u64 pfn, port;
	int rc;

	rc = xenpv_hvm_get_param(HVM_PARAM_STORE_PFN, &pfn);
	if (!rc)
		rc = xenpv_hvm_get_param(HVM_PARAM_STORE_EVTCHN, &port);
	if (rc || !pfn) {
		pr_err("no xenstore ring (HVM_PARAM_STORE_PFN %llu, error %d)\n",
		       pfn, rc);
		return rc ?: -ENODEV;
	}
	xenpv_xs_intf = memremap(PFN_PHYS(pfn), PAGE_SIZE, MEMREMAP_WB);
	if (!xenpv_xs_intf)
		return -ENOMEM;
	xenpv_xs_port = port;
	xenpv_xs_deliver = deliver;
	xenpv_xs_broken = false;

	rc = xenpv_evtchn_bind(xenpv_xs_port, xenpv_xs_event, NULL,
			       "xenstore");
	if (rc) {
		pr_err("binding xenstore event channel %u failed: %d\n",
		       xenpv_xs_port, rc);
		goto err_unmap;
	}
	xenpv_xs_reader = kthread_run(xenpv_xs_reader_fn, NULL, "xenpv-xs");
	if (IS_ERR(xenpv_xs_reader)) {
		rc = PTR_ERR(xenpv_xs_reader);
		goto err_unbind;
	}
	return 0;

err_unbind:
	xenpv_evtchn_unbind(xenpv_xs_port);
err_unmap:
	memunmap(xenpv_xs_intf);
	return rc;
}

/*
 * After a restore: the toolstack cleared the ring page and gave xenstore
 * a new event channel.  The reader thread waits for a first byte, and
 * reads the cleared indexes as an empty ring.
 */
int xenpv_xs_ring_resume(void)
{
	u64 port;
	int rc;

	rc = xenpv_hvm_get_param(HVM_PARAM_STORE_EVTCHN, &port);
	if (!rc) {
		xenpv_xs_port = port;
		rc = xenpv_evtchn_bind(xenpv_xs_port, xenpv_xs_event, NULL,
				       "xenstore");
	}
	if (rc) {
		pr_err("resume: binding xenstore's event channel (HVM_PARAM_STORE_EVTCHN) failed: %d\n",
		       rc);
		xenpv_xs_break("no event channel after a restore");
		return rc;
	}
	wake_up_all(&xenpv_xs_waitq);
	return 0;
}

void xenpv_xs_ring_exit(void)
{
	kthread_stop(xenpv_xs_reader);
	xenpv_evtchn_unbind(xenpv_xs_port);
	memunmap(xenpv_xs_intf);
	xenpv_xs_intf = NULL;
}
