// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/xenbus: the xenstore wire protocol for userspace, the device
 * that libxenstore (xenstore-read, xenstore-write, guest agents) opens
 * when there is no xenstored socket.
 *
 * Each open file is its own little connection: requests are forwarded with
 * our request ids and answered with the caller's; XS_WATCH and XS_UNWATCH
 * become kernel watches whose events are queued to the file; transactions
 * left open at close are aborted.  A reader that never reads cannot make
 * the kernel queue without bound.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core.h"
#include "xs_proto.h"

/* Replies and events queued for a reader before events are dropped. */
#define XENPV_XS_DEV_MAX_QUEUED	(64 * 1024)

struct xenpv_xs_dev_chunk {
	struct list_head list;
	unsigned int len, off;
	char data[];
};

struct xenpv_xs_dev_watch {
	struct list_head list;
	struct xenpv_xs_watch watch;
	struct xenpv_xs_dev *file;
	char *token;
};

struct xenpv_xs_dev_tx {
	struct list_head list;
	u32 id;
};

struct xenpv_xs_dev {
	struct mutex lock;		/* the request being assembled, lists */
	union {
		struct xsd_sockmsg hdr;
		char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	} in;
	unsigned int in_len;
	struct list_head watches;
	struct list_head txs;

	struct mutex read_lock;		/* one reader at a time */
	spinlock_t out_lock;
	struct list_head out;		/* chunks for read() */
	unsigned int out_bytes;
	wait_queue_head_t out_waitq;
};

static int xenpv_xs_dev_queue(struct xenpv_xs_dev *file, u32 type,
			      u32 req_id, u32 tx_id, const void *body,
			      unsigned int len, bool droppable)
{
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = req_id, .tx_id = tx_id, .len = len,
	};
	struct xenpv_xs_dev_chunk *chunk;

	chunk = kmalloc(struct_size(chunk, data, sizeof(hdr) + len),
			GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	chunk->len = sizeof(hdr) + len;
	chunk->off = 0;
	memcpy(chunk->data, &hdr, sizeof(hdr));
	memcpy(chunk->data + sizeof(hdr), body, len);

	spin_lock(&file->out_lock);
	if (droppable && file->out_bytes >= XENPV_XS_DEV_MAX_QUEUED) {
		spin_unlock(&file->out_lock);
		kfree(chunk);
		pr_warn_ratelimited("/dev/xen/xenbus reader is not reading; dropping a watch event\n");
		return -ENOBUFS;
	}
	list_add_tail(&chunk->list, &file->out);
	file->out_bytes += chunk->len;
	spin_unlock(&file->out_lock);
	wake_up(&file->out_waitq);
	return 0;
}

static int xenpv_xs_dev_error(struct xenpv_xs_dev *file, int err)
{
	const char *name = "EIO";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (xsd_errors[i].errnum == -err)
			name = xsd_errors[i].errstring;
	return xenpv_xs_dev_queue(file, XS_ERROR, file->in.hdr.req_id,
				  file->in.hdr.tx_id, name, strlen(name) + 1,
				  false);
}

static void xenpv_xs_dev_watch_fired(struct xenpv_xs_watch *watch,
				     const char *path)
{
	struct xenpv_xs_dev_watch *w =
		container_of(watch, struct xenpv_xs_dev_watch, watch);
	size_t plen = strlen(path) + 1, tlen = strlen(w->token) + 1;
	char *body = kmalloc(plen + tlen, GFP_KERNEL);

	if (!body)
		return;
	memcpy(body, path, plen);
	memcpy(body + plen, w->token, tlen);
	xenpv_xs_dev_queue(w->file, XS_WATCH_EVENT, 0, 0, body, plen + tlen,
			   true);
	kfree(body);
}

static void xenpv_xs_dev_watch_free(struct xenpv_xs_dev_watch *w)
{
	kfree(w->watch.path);
	kfree(w->token);
	kfree(w);
}

static int xenpv_xs_dev_watch(struct xenpv_xs_dev *file, const char *path,
			      const char *token)
{
	struct xenpv_xs_dev_watch *w = kzalloc(sizeof(*w), GFP_KERNEL);
	int rc;

	if (!w)
		return -ENOMEM;
	w->watch.path = kstrdup(path, GFP_KERNEL);
	w->token = kstrdup(token, GFP_KERNEL);
	w->watch.callback = xenpv_xs_dev_watch_fired;
	w->file = file;
	if (!w->watch.path || !w->token) {
		xenpv_xs_dev_watch_free(w);
		return -ENOMEM;
	}
	rc = xenpv_xs_watch_register(&w->watch);
	if (rc) {
		xenpv_xs_dev_watch_free(w);
		return rc;
	}
	list_add(&w->list, &file->watches);
	return 0;
}

static int xenpv_xs_dev_unwatch(struct xenpv_xs_dev *file, const char *path,
				const char *token)
{
	struct xenpv_xs_dev_watch *w;

	list_for_each_entry(w, &file->watches, list) {
		if (!strcmp(w->watch.path, path) && !strcmp(w->token, token)) {
			list_del(&w->list);
			xenpv_xs_watch_unregister(&w->watch);
			xenpv_xs_dev_watch_free(w);
			return 0;
		}
	}
	return -ENOENT;
}

/* XS_WATCH and XS_UNWATCH are served here; their payload is path, token. */
static int xenpv_xs_dev_watch_msg(struct xenpv_xs_dev *file)
{
	const char *strs[2];
	struct xsd_sockmsg *hdr = &file->in.hdr;
	char *body = file->in.buf + sizeof(*hdr);
	int rc;

	if (xenpv_xs_split(body, hdr->len, strs, 2) != 2)
		return -EINVAL;
	if (hdr->type == XS_WATCH)
		rc = xenpv_xs_dev_watch(file, strs[0], strs[1]);
	else
		rc = xenpv_xs_dev_unwatch(file, strs[0], strs[1]);
	if (rc)
		return rc;
	return xenpv_xs_dev_queue(file, hdr->type, hdr->req_id, 0, "OK", 3,
				  false);
}

static void xenpv_xs_dev_track_tx(struct xenpv_xs_dev *file, u32 type,
				  u32 tx, struct xenpv_xs_msg *reply)
{
	struct xenpv_xs_dev_tx *t, *tmp;
	u32 id;

	if (type == XS_TRANSACTION_START && !kstrtou32(reply->body, 10, &id)) {
		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (t) {
			t->id = id;
			list_add(&t->list, &file->txs);
		}
	} else if (type == XS_TRANSACTION_END) {
		list_for_each_entry_safe(t, tmp, &file->txs, list) {
			if (t->id == tx) {
				list_del(&t->list);
				kfree(t);
			}
		}
	}
}

static int xenpv_xs_dev_forward(struct xenpv_xs_dev *file)
{
	struct xsd_sockmsg *hdr = &file->in.hdr;
	struct xenpv_xs_msg *reply;
	int rc;

	rc = xenpv_xs_talk(hdr->type, hdr->tx_id,
			   file->in.buf + sizeof(*hdr), hdr->len, &reply);
	if (rc)
		return rc;
	xenpv_xs_dev_track_tx(file, hdr->type, hdr->tx_id, reply);
	rc = xenpv_xs_dev_queue(file, reply->hdr.type, hdr->req_id,
				reply->hdr.tx_id, reply->body, reply->hdr.len,
				false);
	xenpv_xs_msg_free(reply);
	return rc;
}

static int xenpv_xs_dev_handle(struct xenpv_xs_dev *file)
{
	int rc;

	switch (file->in.hdr.type) {
	case XS_WATCH:
	case XS_UNWATCH:
		rc = xenpv_xs_dev_watch_msg(file);
		break;
	case XS_RESET_WATCHES:		/* would take the kernel's watches too */
	case XS_WATCH_EVENT:
	case XS_ERROR:
		rc = -EACCES;
		break;
	default:
		rc = xenpv_xs_dev_forward(file);
		break;
	}
	return rc ? xenpv_xs_dev_error(file, rc) : 0;
}

static ssize_t xenpv_xs_dev_write(struct file *filp, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct xenpv_xs_dev *file = filp->private_data;
	const size_t hdr_len = sizeof(file->in.hdr);
	size_t done = 0, want, n;
	int rc = 0;

	mutex_lock(&file->lock);
	while (done < len && !rc) {
		/* The header first; its length, once checked, says the rest. */
		want = hdr_len;
		if (file->in_len >= hdr_len)
			want += file->in.hdr.len;
		n = min(want - file->in_len, len - done);
		if (copy_from_user(file->in.buf + file->in_len, ubuf + done,
				   n)) {
			rc = -EFAULT;
			break;
		}
		file->in_len += n;
		done += n;
		if (file->in_len == hdr_len &&
		    xenpv_xs_check_header(&file->in.hdr)) {
			file->in_len = 0;
			rc = -EINVAL;
		} else if (file->in_len == hdr_len + file->in.hdr.len) {
			rc = xenpv_xs_dev_handle(file);
			file->in_len = 0;
		}
	}
	mutex_unlock(&file->lock);
	return rc ? rc : done;
}

static ssize_t xenpv_xs_dev_read(struct file *filp, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct xenpv_xs_dev *file = filp->private_data;
	struct xenpv_xs_dev_chunk *chunk;
	size_t done = 0, n;
	int rc;

	if (mutex_lock_interruptible(&file->read_lock))
		return -ERESTARTSYS;
	rc = wait_event_interruptible(file->out_waitq,
				      !list_empty(&file->out));
	if (rc)
		goto out;
	spin_lock(&file->out_lock);
	while (done < len && !list_empty(&file->out)) {
		chunk = list_first_entry(&file->out, struct xenpv_xs_dev_chunk,
					 list);
		n = min_t(size_t, chunk->len - chunk->off, len - done);
		spin_unlock(&file->out_lock);
		/* read_lock: no one else consumes chunks meanwhile. */
		if (copy_to_user(ubuf + done, chunk->data + chunk->off, n)) {
			rc = -EFAULT;
			goto out;
		}
		spin_lock(&file->out_lock);
		chunk->off += n;
		done += n;
		if (chunk->off == chunk->len) {
			list_del(&chunk->list);
			file->out_bytes -= chunk->len;
			kfree(chunk);
		}
	}
	spin_unlock(&file->out_lock);
out:
	mutex_unlock(&file->read_lock);
	return done ?: rc;
}

static __poll_t xenpv_xs_dev_poll(struct file *filp, poll_table *wait)
{
	struct xenpv_xs_dev *file = filp->private_data;

	poll_wait(filp, &file->out_waitq, wait);
	if (!list_empty(&file->out))
		return EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;
	return EPOLLOUT | EPOLLWRNORM;
}

static int xenpv_xs_dev_open(struct inode *inode, struct file *filp)
{
	struct xenpv_xs_dev *file = kvzalloc(sizeof(*file), GFP_KERNEL);

	if (!file)
		return -ENOMEM;
	mutex_init(&file->lock);
	INIT_LIST_HEAD(&file->watches);
	INIT_LIST_HEAD(&file->txs);
	mutex_init(&file->read_lock);
	spin_lock_init(&file->out_lock);
	INIT_LIST_HEAD(&file->out);
	init_waitqueue_head(&file->out_waitq);
	filp->private_data = file;
	return stream_open(inode, filp);
}

static int xenpv_xs_dev_release(struct inode *inode, struct file *filp)
{
	struct xenpv_xs_dev *file = filp->private_data;
	struct xenpv_xs_dev_chunk *chunk, *ctmp;
	struct xenpv_xs_dev_watch *w, *wtmp;
	struct xenpv_xs_dev_tx *t, *ttmp;

	list_for_each_entry_safe(w, wtmp, &file->watches, list) {
		xenpv_xs_watch_unregister(&w->watch);
		xenpv_xs_dev_watch_free(w);
	}
	list_for_each_entry_safe(t, ttmp, &file->txs, list) {
		xenpv_xs_transaction_end(t->id, true);
		kfree(t);
	}
	list_for_each_entry_safe(chunk, ctmp, &file->out, list)
		kfree(chunk);
	kvfree(file);
	return 0;
}

static const struct file_operations xenpv_xs_dev_fops = {
	.owner = THIS_MODULE,
	.open = xenpv_xs_dev_open,
	.release = xenpv_xs_dev_release,
	.read = xenpv_xs_dev_read,
	.write = xenpv_xs_dev_write,
	.poll = xenpv_xs_dev_poll,
	/* No .llseek: stream_open() makes the file unseekable. */
};

static struct miscdevice xenpv_xs_dev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/xenbus",
	.fops = &xenpv_xs_dev_fops,
};

int xenpv_xs_dev_init(void)
{
	int rc = misc_register(&xenpv_xs_dev_misc);

	if (rc)
		pr_err("registering /dev/xen/xenbus failed: %d\n", rc);
	return rc;
}

void xenpv_xs_dev_exit(void)
{
	misc_deregister(&xenpv_xs_dev_misc);
}
