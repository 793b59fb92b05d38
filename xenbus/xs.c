// SPDX-License-Identifier: GPL-2.0
/*
 * Xenstore requests, transactions and watches.
 *
 * Any number of callers may have requests out at once: each gets a
 * request id and sleeps until the reader thread (xs_ring.c) hands it the
 * reply with that id, or until the timeout, after which a late reply is
 * dropped.
 *
 * Watch events go to a bounded queue (XSA-349) served by one watch thread,
 * which runs the callbacks one at a time.  An event for a path already
 * queued for the same watch is coalesced: callbacks read the current
 * state, so the second event would tell them nothing new.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core.h"
#include "xs_proto.h"

#define XENPV_XS_MAX_EVENTS		1024
#define XENPV_XS_WATCH_MAX_PENDING	256
#define XENPV_XS_TOKEN_FMT		"xenpv-%u"
/* How long a suspend waits for open transactions to end. */
#define XENPV_XS_SUSPEND_WAIT		(15 * HZ)

struct xenpv_xs_req {
	struct list_head list;
	u32 req_id;
	struct completion done;
	struct xenpv_xs_msg *reply;
};

struct xenpv_xs_event {
	struct list_head list;
	struct xenpv_xs_watch *watch;
	const char *path;		/* points into msg->body */
	struct xenpv_xs_msg *msg;
};

/*
 * The suspend gate.  A transaction does not survive a restore (the new
 * domain is a new xenstore connection), so a suspend first stops new
 * ones and waits for the open ones to end, then holds every request off
 * until it is over.  Requests hold the rwsem for reading.
 */
static DECLARE_RWSEM(xenpv_xs_gate);
static bool xenpv_xs_suspending;
static atomic_t xenpv_xs_open_tx = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(xenpv_xs_tx_waitq);
static unsigned int xenpv_xs_resend_round;

static LIST_HEAD(xenpv_xs_reqs);
static DEFINE_SPINLOCK(xenpv_xs_reqs_lock);
static u32 xenpv_xs_next_req_id;

static LIST_HEAD(xenpv_xs_watches);
static DEFINE_SPINLOCK(xenpv_xs_watches_lock);
static unsigned int xenpv_xs_next_watch_id;

static LIST_HEAD(xenpv_xs_events);
static unsigned int xenpv_xs_nr_events;
static DEFINE_SPINLOCK(xenpv_xs_events_lock);
static DECLARE_WAIT_QUEUE_HEAD(xenpv_xs_events_waitq);
/* Held while a callback runs: unregistering waits for it. */
static DEFINE_MUTEX(xenpv_xs_watch_mutex);
static struct task_struct *xenpv_xs_watch_task;

void xenpv_xs_msg_free(struct xenpv_xs_msg *msg)
{
	if (msg) {
		kfree(msg->body);
		kfree(msg);
	}
}

bool xenpv_in_watch_thread(void)
{
	return current == xenpv_xs_watch_task;
}

/* ---------------------------------------------------------------------
 * Requests
 */

static void xenpv_xs_handle_reply(struct xenpv_xs_msg *msg)
{
	struct xenpv_xs_req *req;

	spin_lock(&xenpv_xs_reqs_lock);
	list_for_each_entry(req, &xenpv_xs_reqs, list) {
		if (req->req_id == msg->hdr.req_id) {
			list_del_init(&req->list);
			req->reply = msg;
			complete(&req->done);
			spin_unlock(&xenpv_xs_reqs_lock);
			return;
		}
	}
	spin_unlock(&xenpv_xs_reqs_lock);
	pr_warn_ratelimited("dropping xenstore reply %u (type %u) that no request waits for\n",
			    msg->hdr.req_id, msg->hdr.type);
	xenpv_xs_msg_free(msg);
}

/* xenpv_xs_talk() without the suspend gate. */
static int xenpv_xs_talk_ungated(u32 type, u32 tx, const void *body,
				 unsigned int len, struct xenpv_xs_msg **reply)
{
	struct xsd_sockmsg hdr = { .type = type, .tx_id = tx, .len = len };
	struct xenpv_xs_req req = { };
	int rc;

	*reply = NULL;
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	if (xenpv_xs_ring_broken())
		return -EIO;
	init_completion(&req.done);
	spin_lock(&xenpv_xs_reqs_lock);
	req.req_id = ++xenpv_xs_next_req_id;
	hdr.req_id = req.req_id;
	list_add_tail(&req.list, &xenpv_xs_reqs);
	spin_unlock(&xenpv_xs_reqs_lock);

	rc = xenpv_xs_ring_send(&hdr, body);
	if (!rc && !wait_for_completion_timeout(&req.done, xenpv_xs_timeout()))
		rc = -ETIMEDOUT;

	spin_lock(&xenpv_xs_reqs_lock);
	if (!req.reply)
		list_del(&req.list);
	spin_unlock(&xenpv_xs_reqs_lock);

	if (!req.reply) {
		if (rc == -ETIMEDOUT)
			pr_err("xenstore request type %u timed out\n", type);
		return rc ?: -EIO;
	}
	if (req.reply->hdr.type == XS_ERROR) {
		rc = xenpv_xs_error_errno(req.reply->body, req.reply->hdr.len);
		xenpv_xs_msg_free(req.reply);
		return rc;
	}
	if (req.reply->hdr.type != type) {
		pr_err("xenstore answered request type %u with type %u\n",
		       type, req.reply->hdr.type);
		xenpv_xs_msg_free(req.reply);
		return -EIO;
	}
	*reply = req.reply;
	return 0;
}

/* Keeps count of open transactions, for the suspend gate. */
static void xenpv_xs_count_tx(u32 type, int rc)
{
	if (type == XS_TRANSACTION_START && !rc) {
		atomic_inc(&xenpv_xs_open_tx);
	} else if (type == XS_TRANSACTION_END && rc != -ENOENT) {
		/* Committed, aborted, or lost to a conflict: it is over. */
		atomic_dec_if_positive(&xenpv_xs_open_tx);
		wake_up_all(&xenpv_xs_tx_waitq);
	}
}

/**
 * xenpv_xs_talk() - send one request and wait for its reply
 * @type: XS_* request type
 * @tx: transaction id, or 0
 * @body: payload
 * @len: payload length, at most XENSTORE_PAYLOAD_MAX
 * @reply: the reply, to free with xenpv_xs_msg_free()
 *
 * While the domain suspends, a request waits until it has resumed, and
 * a new transaction until then too.
 *
 * Return: 0, the errno of an XS_ERROR reply, -ETIMEDOUT, or -EIO for a
 * broken connection or a reply of the wrong type.
 */
int xenpv_xs_talk(u32 type, u32 tx, const void *body, unsigned int len,
		  struct xenpv_xs_msg **reply)
{
	int rc;

	if (type == XS_TRANSACTION_START)
		wait_event(xenpv_xs_tx_waitq, !READ_ONCE(xenpv_xs_suspending));
	down_read(&xenpv_xs_gate);
	rc = xenpv_xs_talk_ungated(type, tx, body, len, reply);
	xenpv_xs_count_tx(type, rc);
	up_read(&xenpv_xs_gate);
	return rc;
}

static char *xenpv_xs_join(const char *dir, const char *node)
{
	char *path = node[0] ? kasprintf(GFP_KERNEL, "%s/%s", dir, node) :
			       kstrdup(dir, GFP_KERNEL);

	if (path && strlen(path) >= XENSTORE_ABS_PATH_MAX) {
		kfree(path);
		return ERR_PTR(-ENAMETOOLONG);
	}
	return path ?: ERR_PTR(-ENOMEM);
}

/* A request whose payload is one path; returns the reply. */
static struct xenpv_xs_msg *xenpv_xs_path_op(u32 type, u32 tx,
					     const char *dir,
					     const char *node)
{
	struct xenpv_xs_msg *reply;
	char *path = xenpv_xs_join(dir, node);
	int rc;

	if (IS_ERR(path))
		return ERR_CAST(path);
	rc = xenpv_xs_talk(type, tx, path, strlen(path) + 1, &reply);
	kfree(path);
	return rc ? ERR_PTR(rc) : reply;
}

/**
 * xenpv_xs_read() - read a node's value
 * @tx: transaction, or XENPV_XS_NO_TX
 * @dir: directory
 * @node: node under @dir, or ""
 * @len: if not NULL, the value's length
 *
 * Return: the value, NUL-terminated, to kfree(); or an ERR_PTR().
 */
void *xenpv_xs_read(u32 tx, const char *dir, const char *node,
		    unsigned int *len)
{
	struct xenpv_xs_msg *reply = xenpv_xs_path_op(XS_READ, tx, dir, node);
	char *value;

	if (IS_ERR(reply))
		return reply;
	value = reply->body;
	if (len)
		*len = reply->hdr.len;
	kfree(reply);
	return value;
}
EXPORT_SYMBOL_GPL(xenpv_xs_read);

int xenpv_xs_write(u32 tx, const char *dir, const char *node,
		   const char *value)
{
	struct xenpv_xs_msg *reply;
	char *path = xenpv_xs_join(dir, node);
	size_t plen, vlen = strlen(value);
	char *body;
	int rc;

	if (IS_ERR(path))
		return PTR_ERR(path);
	plen = strlen(path) + 1;
	body = kmalloc(plen + vlen, GFP_KERNEL);
	if (!body) {
		kfree(path);
		return -ENOMEM;
	}
	memcpy(body, path, plen);
	memcpy(body + plen, value, vlen);
	rc = xenpv_xs_talk(XS_WRITE, tx, body, plen + vlen, &reply);
	xenpv_xs_msg_free(reply);
	kfree(body);
	kfree(path);
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_xs_write);

int xenpv_xs_printf(u32 tx, const char *dir, const char *node,
		    const char *fmt, ...)
{
	va_list ap;
	char *value;
	int rc;

	va_start(ap, fmt);
	value = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (!value)
		return -ENOMEM;
	rc = xenpv_xs_write(tx, dir, node, value);
	kfree(value);
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_xs_printf);

int xenpv_xs_read_uint(u32 tx, const char *dir, const char *node,
		       unsigned int *value)
{
	char *str = xenpv_xs_read(tx, dir, node, NULL);
	int rc;

	if (IS_ERR(str))
		return PTR_ERR(str);
	rc = kstrtouint(str, 0, value);
	kfree(str);
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_xs_read_uint);

/**
 * xenpv_xs_directory() - list a node's children
 * @tx: transaction, or XENPV_XS_NO_TX
 * @dir: directory
 * @node: node under @dir, or ""
 * @num: the number of children
 *
 * Return: an array of @num names in one allocation, to kfree(); or an
 * ERR_PTR().
 */
char **xenpv_xs_directory(u32 tx, const char *dir, const char *node,
			  unsigned int *num)
{
	struct xenpv_xs_msg *reply;
	char **names;
	int n;

	reply = xenpv_xs_path_op(XS_DIRECTORY, tx, dir, node);
	if (IS_ERR(reply))
		return ERR_CAST(reply);
	n = xenpv_xs_split(reply->body, reply->hdr.len, NULL, 0);
	if (n < 0) {
		pr_err("malformed directory listing of %s/%s\n", dir, node);
		names = ERR_PTR(-EIO);
		goto out;
	}
	/* The pointers, then the strings they point to. */
	names = kmalloc(n * sizeof(*names) + reply->hdr.len, GFP_KERNEL);
	if (!names) {
		names = ERR_PTR(-ENOMEM);
		goto out;
	}
	memcpy(&names[n], reply->body, reply->hdr.len);
	xenpv_xs_split((char *)&names[n], reply->hdr.len,
		       (const char **)names, n);
	*num = n;
out:
	xenpv_xs_msg_free(reply);
	return names;
}
EXPORT_SYMBOL_GPL(xenpv_xs_directory);

bool xenpv_xs_exists(u32 tx, const char *dir, const char *node)
{
	struct xenpv_xs_msg *reply;

	reply = xenpv_xs_path_op(XS_DIRECTORY, tx, dir, node);
	if (IS_ERR(reply))
		return false;
	xenpv_xs_msg_free(reply);
	return true;
}
EXPORT_SYMBOL_GPL(xenpv_xs_exists);

int xenpv_xs_rm(u32 tx, const char *dir, const char *node)
{
	struct xenpv_xs_msg *reply = xenpv_xs_path_op(XS_RM, tx, dir, node);

	if (IS_ERR(reply))
		return PTR_ERR(reply);
	xenpv_xs_msg_free(reply);
	return 0;
}
EXPORT_SYMBOL_GPL(xenpv_xs_rm);

/**
 * xenpv_xs_rm_queues() - remove a multi-queue frontend's queue keys
 * @tx: transaction, or XENPV_XS_NO_TX
 * @dir: the frontend's directory
 * @max_queues: the most queues its driver can have written
 *
 * Removes multi-queue-num-queues and the queue-N directories it counts,
 * the layout Xen's block and network protocols share.  The count comes
 * from xenstore, so no more than @max_queues directories are removed.
 * Keys that are not there are no error.
 */
void xenpv_xs_rm_queues(u32 tx, const char *dir, unsigned int max_queues)
{
	unsigned int i, queues = 0;
	char key[24];

	xenpv_xs_read_uint(tx, dir, "multi-queue-num-queues", &queues);
	xenpv_xs_rm(tx, dir, "multi-queue-num-queues");
	for (i = 0; i < min(queues, max_queues); i++) {
		snprintf(key, sizeof(key), "queue-%u", i);
		xenpv_xs_rm(tx, dir, key);
	}
}
EXPORT_SYMBOL_GPL(xenpv_xs_rm_queues);

int xenpv_xs_transaction_start(u32 *tx)
{
	struct xenpv_xs_msg *reply;
	int rc;

	rc = xenpv_xs_talk(XS_TRANSACTION_START, 0, "", 1, &reply);
	if (rc)
		return rc;
	rc = kstrtou32(reply->body, 10, tx);
	xenpv_xs_msg_free(reply);
	return rc ? -EIO : 0;
}
EXPORT_SYMBOL_GPL(xenpv_xs_transaction_start);

int xenpv_xs_transaction_end(u32 tx, bool abort)
{
	struct xenpv_xs_msg *reply;
	int rc;

	rc = xenpv_xs_talk(XS_TRANSACTION_END, tx, abort ? "F" : "T", 2,
			   &reply);
	xenpv_xs_msg_free(reply);
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_xs_transaction_end);

/**
 * xenpv_xs_transact() - run @body in a transaction, again while it conflicts
 * @body: the reads and writes; a non-zero return aborts with that errno
 * @arg: passed to @body
 *
 * Return: 0 once committed, or the errno of @body, of starting or of
 * committing.
 */
int xenpv_xs_transact(int (*body)(u32 tx, void *arg), void *arg)
{
	u32 tx;
	int rc;

	do {
		rc = xenpv_xs_transaction_start(&tx);
		if (rc)
			return rc;
		rc = body(tx, arg);
		if (rc) {
			xenpv_xs_transaction_end(tx, true);
			return rc;
		}
		rc = xenpv_xs_transaction_end(tx, false);
	} while (rc == -EAGAIN);
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_xs_transact);

/* ---------------------------------------------------------------------
 * Watches
 */

static int xenpv_xs_watch_op(u32 type, const char *path, unsigned int id,
			     bool gated)
{
	struct xenpv_xs_msg *reply;
	char *body;
	int len, rc;

	body = kasprintf(GFP_KERNEL, "%s%c" XENPV_XS_TOKEN_FMT, path, 0, id);
	if (!body)
		return -ENOMEM;
	len = strlen(path) + 1;
	len += strlen(body + len) + 1;
	if (gated)
		rc = xenpv_xs_talk(type, 0, body, len, &reply);
	else
		rc = xenpv_xs_talk_ungated(type, 0, body, len, &reply);
	xenpv_xs_msg_free(reply);
	kfree(body);
	return rc;
}

/* Called with xenpv_xs_watches_lock held. */
static struct xenpv_xs_watch *xenpv_xs_find_watch(const char *token)
{
	struct xenpv_xs_watch *watch;
	unsigned int id;

	if (sscanf(token, XENPV_XS_TOKEN_FMT, &id) != 1)
		return NULL;
	list_for_each_entry(watch, &xenpv_xs_watches, list)
		if (watch->id == id)
			return watch;
	return NULL;
}

/* Called with xenpv_xs_events_lock held. */
static bool xenpv_xs_event_queued(struct xenpv_xs_watch *watch,
				  const char *path)
{
	struct xenpv_xs_event *ev;

	list_for_each_entry(ev, &xenpv_xs_events, list)
		if (ev->watch == watch && !strcmp(ev->path, path))
			return true;
	return false;
}

static void xenpv_xs_queue_event(struct xenpv_xs_msg *msg)
{
	struct xenpv_xs_event *ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	struct xenpv_xs_watch *watch;
	const char *token;
	unsigned int max;

	if (!ev ||
	    xenpv_xs_parse_watch_event(msg->body, msg->hdr.len, &ev->path,
				       &token)) {
		pr_warn_ratelimited("dropping a malformed watch event\n");
		goto drop;
	}
	ev->msg = msg;

	spin_lock(&xenpv_xs_watches_lock);
	watch = xenpv_xs_find_watch(token);
	spin_lock(&xenpv_xs_events_lock);
	if (!watch || xenpv_xs_event_queued(watch, ev->path))
		goto drop_locked;
	max = watch->max_pending ?: XENPV_XS_WATCH_MAX_PENDING;
	if (watch->nr_pending >= max ||
	    xenpv_xs_nr_events >= XENPV_XS_MAX_EVENTS) {
		/* One line per flood, however long: the log is no queue either. */
		if (!watch->nr_dropped++)
			pr_warn("watch on %s: too many events queued, dropping until it catches up\n",
				watch->path);
		goto drop_locked;
	}
	ev->watch = watch;
	watch->nr_pending++;
	xenpv_xs_nr_events++;
	list_add_tail(&ev->list, &xenpv_xs_events);
	spin_unlock(&xenpv_xs_events_lock);
	spin_unlock(&xenpv_xs_watches_lock);
	wake_up(&xenpv_xs_events_waitq);
	return;

drop_locked:
	spin_unlock(&xenpv_xs_events_lock);
	spin_unlock(&xenpv_xs_watches_lock);
drop:
	kfree(ev);
	xenpv_xs_msg_free(msg);
}

static void xenpv_xs_deliver(struct xenpv_xs_msg *msg)
{
	if (msg->hdr.type == XS_WATCH_EVENT)
		xenpv_xs_queue_event(msg);
	else
		xenpv_xs_handle_reply(msg);
}

static struct xenpv_xs_event *xenpv_xs_next_event(void)
{
	struct xenpv_xs_event *ev;

	spin_lock(&xenpv_xs_events_lock);
	ev = list_first_entry_or_null(&xenpv_xs_events,
				      struct xenpv_xs_event, list);
	if (ev) {
		list_del(&ev->list);
		xenpv_xs_nr_events--;
		if (!--ev->watch->nr_pending && ev->watch->nr_dropped) {
			pr_info("watch on %s: caught up, %u events were dropped\n",
				ev->watch->path, ev->watch->nr_dropped);
			ev->watch->nr_dropped = 0;
		}
	}
	spin_unlock(&xenpv_xs_events_lock);
	return ev;
}

static int xenpv_xs_watch_fn(void *unused)
{
	struct xenpv_xs_event *ev;

	while (!kthread_should_stop()) {
		wait_event_interruptible(xenpv_xs_events_waitq,
					 !list_empty(&xenpv_xs_events) ||
					 kthread_should_stop());
		mutex_lock(&xenpv_xs_watch_mutex);
		ev = xenpv_xs_next_event();
		if (ev)
			ev->watch->callback(ev->watch, ev->path);
		mutex_unlock(&xenpv_xs_watch_mutex);
		if (ev) {
			xenpv_xs_msg_free(ev->msg);
			kfree(ev);
		}
		cond_resched();
	}
	return 0;
}

/**
 * xenpv_xs_watch_register() - call @watch->callback when @watch->path or
 * anything below it changes
 * @watch: the watch; path and callback set, and kept until unregistered
 *
 * Xenstored fires every new watch once right away.
 *
 * Return: 0 or a negative errno.
 */
int xenpv_xs_watch_register(struct xenpv_xs_watch *watch)
{
	int rc;

	watch->nr_pending = 0;
	watch->nr_dropped = 0;
	spin_lock(&xenpv_xs_watches_lock);
	watch->id = ++xenpv_xs_next_watch_id;
	list_add_tail(&watch->list, &xenpv_xs_watches);
	spin_unlock(&xenpv_xs_watches_lock);

	rc = xenpv_xs_watch_op(XS_WATCH, watch->path, watch->id, true);
	/* Sent already, by a resume that found it listed (tokens are unique). */
	if (rc == -EEXIST)
		rc = 0;
	if (rc) {
		pr_err("watching %s failed: %d\n", watch->path, rc);
		spin_lock(&xenpv_xs_watches_lock);
		list_del(&watch->list);
		spin_unlock(&xenpv_xs_watches_lock);
	}
	return rc;
}
EXPORT_SYMBOL_GPL(xenpv_xs_watch_register);

/**
 * xenpv_xs_watch_unregister() - stop a watch
 * @watch: a registered watch
 *
 * When this returns, @watch->callback is not running and will not run
 * again (unless called from that very callback, which is allowed).
 */
void xenpv_xs_watch_unregister(struct xenpv_xs_watch *watch)
{
	struct xenpv_xs_event *ev, *tmp;
	LIST_HEAD(purged);
	int rc;

	spin_lock(&xenpv_xs_watches_lock);
	list_del(&watch->list);
	spin_unlock(&xenpv_xs_watches_lock);

	rc = xenpv_xs_watch_op(XS_UNWATCH, watch->path, watch->id, true);
	if (rc && rc != -ENOENT)
		pr_warn("unwatching %s failed: %d\n", watch->path, rc);

	spin_lock(&xenpv_xs_events_lock);
	list_for_each_entry_safe(ev, tmp, &xenpv_xs_events, list) {
		if (ev->watch == watch) {
			list_move(&ev->list, &purged);
			xenpv_xs_nr_events--;
		}
	}
	watch->nr_pending = 0;
	spin_unlock(&xenpv_xs_events_lock);
	list_for_each_entry_safe(ev, tmp, &purged, list) {
		xenpv_xs_msg_free(ev->msg);
		kfree(ev);
	}

	if (!xenpv_in_watch_thread()) {
		/* Wait for a callback of this watch that is running now. */
		mutex_lock(&xenpv_xs_watch_mutex);
		mutex_unlock(&xenpv_xs_watch_mutex);
	}
}
EXPORT_SYMBOL_GPL(xenpv_xs_watch_unregister);

/* ---------------------------------------------------------------------
 * Suspend and resume
 */

/**
 * xenpv_xs_suspend() - close the gate before the domain suspends
 *
 * New transactions wait; open ones may finish for XENPV_XS_SUSPEND_WAIT;
 * then every request waits until xenpv_xs_resume().
 *
 * Return: 0 with the gate closed, or -EBUSY (logged) with it open again.
 */
int xenpv_xs_suspend(void)
{
	unsigned long deadline = jiffies + XENPV_XS_SUSPEND_WAIT;
	long left;

	WRITE_ONCE(xenpv_xs_suspending, true);
	for (;;) {
		left = max_t(long, (long)(deadline - jiffies), 1);
		wait_event_timeout(xenpv_xs_tx_waitq,
				   !atomic_read(&xenpv_xs_open_tx), left);
		down_write(&xenpv_xs_gate);
		/* A transaction started just before the flag was seen. */
		if (!atomic_read(&xenpv_xs_open_tx))
			return 0;
		up_write(&xenpv_xs_gate);
		if (time_after(jiffies, deadline))
			break;
	}
	pr_err("suspend: %d xenstore transactions still open after %u s; not suspending\n",
	       atomic_read(&xenpv_xs_open_tx), XENPV_XS_SUSPEND_WAIT / HZ);
	WRITE_ONCE(xenpv_xs_suspending, false);
	wake_up_all(&xenpv_xs_tx_waitq);
	return -EBUSY;
}

/* The next watch not yet sent again in this round, with its path copied. */
static char *xenpv_xs_next_to_resend(unsigned int *id)
{
	struct xenpv_xs_watch *watch;
	char *path = NULL;

	spin_lock(&xenpv_xs_watches_lock);
	list_for_each_entry(watch, &xenpv_xs_watches, list) {
		if (watch->resent == xenpv_xs_resend_round)
			continue;
		watch->resent = xenpv_xs_resend_round;
		*id = watch->id;
		path = kstrdup(watch->path, GFP_ATOMIC) ?: ERR_PTR(-ENOMEM);
		break;
	}
	spin_unlock(&xenpv_xs_watches_lock);
	return path;
}

/*
 * The restored domain's xenstored knows no watch of ours: each is sent
 * again, and fires once as a new watch does, so its callback sees the
 * new domain.  Under the closed gate, so a watch whose own XS_WATCH waits
 * at the gate meets EEXIST, which register takes for success.
 */
static void xenpv_xs_resend_watches(void)
{
	unsigned int id;
	char *path;
	int rc;

	xenpv_xs_resend_round++;
	while ((path = xenpv_xs_next_to_resend(&id))) {
		if (IS_ERR(path)) {
			pr_err("resume: out of memory; watch %u is lost\n", id);
			continue;
		}
		rc = xenpv_xs_watch_op(XS_WATCH, path, id, false);
		if (rc && rc != -EEXIST)
			pr_err("resume: watching %s again failed: %d\n", path,
			       rc);
		kfree(path);
	}
}

/**
 * xenpv_xs_resume() - open the gate again
 * @cancelled: the domain carried on where it was: nothing changed
 */
void xenpv_xs_resume(bool cancelled)
{
	if (!cancelled && !xenpv_xs_ring_resume())
		xenpv_xs_resend_watches();
	up_write(&xenpv_xs_gate);
	WRITE_ONCE(xenpv_xs_suspending, false);
	wake_up_all(&xenpv_xs_tx_waitq);
}

/*
 * After a crash or kexec, xenstored may still hold watches of a kernel
 * that is gone; their events would only be dropped.  Reset them when the
 * toolstack says xenstored supports it.
 */
static void xenpv_xs_reset_watches(void)
{
	struct xenpv_xs_msg *reply;
	unsigned int supported = 0;

	if (xenpv_xs_read_uint(XENPV_XS_NO_TX, "control",
			       "platform-feature-xs_reset_watches",
			       &supported) || !supported)
		return;
	if (xenpv_xs_talk(XS_RESET_WATCHES, 0, "", 1, &reply))
		pr_warn("resetting stale xenstore watches failed\n");
	xenpv_xs_msg_free(reply);
}

int xenpv_xs_init(void)
{
	int rc;

	rc = xenpv_xs_ring_init(xenpv_xs_deliver);
	if (rc)
		return rc;
	xenpv_xs_watch_task = kthread_run(xenpv_xs_watch_fn, NULL,
					  "xenpv-watch");
	if (IS_ERR(xenpv_xs_watch_task)) {
		rc = PTR_ERR(xenpv_xs_watch_task);
		xenpv_xs_ring_exit();
		return rc;
	}
	xenpv_xs_reset_watches();
	return 0;
}

void xenpv_xs_exit(void)
{
	struct xenpv_xs_event *ev;

	kthread_stop(xenpv_xs_watch_task);
	xenpv_xs_ring_exit();
	while ((ev = xenpv_xs_next_event())) {
		xenpv_xs_msg_free(ev->msg);
		kfree(ev);
	}
	if (!list_empty(&xenpv_xs_watches))
		pr_err("xenstore watches still registered at exit\n");
}
