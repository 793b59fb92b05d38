// SPDX-License-Identifier: GPL-2.0
/*
 * A self-test of the API that frontends use, against the Xen we run on:
 * reading /sys/kernel/debug/xenpv/selftest runs it and returns TAP lines.
 *
 *  - event channels: a loopback pair (a port bound to another of our own),
 *    so notify, mask, unmask, unbind and close are exercised for real;
 *    unbind is done while another thread floods the pair with events;
 *  - xenstore: transactions that abort and commit, directories, watches;
 *  - grants: granting and ending access.
 *
 * Nothing here runs unless asked; the test bed asks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "core.h"

#define XENPV_ST_DIR	"data/xenpv-selftest"

struct xenpv_st_port {
	atomic_t events;
	struct completion fired;
	int cpu;			/* where the handler last ran */
};

static DEFINE_MUTEX(xenpv_st_lock);

static void xenpv_st_report(struct seq_file *m, bool ok, const char *what)
{
	seq_printf(m, "%s - %s\n", ok ? "ok" : "not ok", what);
}

static irqreturn_t xenpv_st_handler(evtchn_port_t port, void *data)
{
	struct xenpv_st_port *p = data;

	WRITE_ONCE(p->cpu, raw_smp_processor_id());
	atomic_inc(&p->events);
	complete(&p->fired);
	return IRQ_HANDLED;
}

/* Two ports of ours joined to each other: events sent on @b arrive on @a. */
static int xenpv_st_loopback(evtchn_port_t *a, evtchn_port_t *b)
{
	struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF };
	int rc;

	rc = xenpv_evtchn_alloc_unbound(DOMID_SELF, a);
	if (rc)
		return rc;
	bind.remote_port = *a;
	rc = xenpv_event_channel_op(EVTCHNOP_bind_interdomain, &bind);
	if (rc) {
		xenpv_evtchn_close(*a);
		return rc;
	}
	*b = bind.local_port;
	return 0;
}

static bool xenpv_st_wait(struct xenpv_st_port *p)
{
	return wait_for_completion_timeout(&p->fired, HZ * 5) > 0;
}

struct xenpv_st_flood {
	evtchn_port_t port;
	atomic_t sent;
};

static int xenpv_st_flood_fn(void *data)
{
	struct xenpv_st_flood *flood = data;

	while (!kthread_should_stop()) {
		xenpv_evtchn_notify(flood->port);
		atomic_inc(&flood->sent);
		cond_resched();
	}
	return 0;
}

/* Unbinding while events pour in: the handler must never run after. */
static bool xenpv_st_unbind_under_flood(evtchn_port_t a, evtchn_port_t b,
					struct xenpv_st_port *p)
{
	struct xenpv_st_flood flood = { .port = b };
	struct task_struct *task;
	int after;

	task = kthread_run(xenpv_st_flood_fn, &flood, "xenpv-selftest");
	if (IS_ERR(task))
		return false;
	while (atomic_read(&flood.sent) < 2000)
		usleep_range(1000, 2000);
	xenpv_evtchn_unbind(a);
	after = atomic_read(&p->events);
	msleep(50);
	kthread_stop(task);
	return atomic_read(&p->events) == after;
}

static void xenpv_st_evtchn(struct seq_file *m)
{
	struct xenpv_st_port *p = kzalloc(sizeof(*p), GFP_KERNEL);
	evtchn_port_t a, b;
	int before, rc;

	if (!p)
		return;
	init_completion(&p->fired);
	rc = xenpv_st_loopback(&a, &b);
	xenpv_st_report(m, !rc, "evtchn: alloc_unbound and bind_interdomain make a loopback pair");
	if (rc)
		goto out;
	rc = xenpv_evtchn_bind(a, xenpv_st_handler, p, "selftest");
	xenpv_st_report(m, !rc, "evtchn: bind a handler");
	xenpv_st_report(m, xenpv_evtchn_bind(a, xenpv_st_handler, p,
					     "selftest") == -EBUSY,
			"evtchn: binding a bound port again is refused");

	xenpv_evtchn_notify(b);
	xenpv_st_report(m, xenpv_st_wait(p), "evtchn: notify reaches the handler");

	xenpv_evtchn_mask(a);
	reinit_completion(&p->fired);
	before = atomic_read(&p->events);
	xenpv_evtchn_notify(b);
	msleep(100);
	xenpv_st_report(m, atomic_read(&p->events) == before,
			"evtchn: a masked port's handler does not run");
	xenpv_evtchn_unmask(a);
	xenpv_st_report(m, xenpv_st_wait(p),
			"evtchn: the event sent while masked arrives on unmask");

	xenpv_st_report(m, xenpv_st_unbind_under_flood(a, b, p),
			"evtchn: no handler runs after unbind, even under an event flood");
	xenpv_evtchn_close(a);
	xenpv_evtchn_close(b);
	xenpv_st_report(m, true, "evtchn: close both ends");
out:
	kfree(p);
}

/*
 * A port bound for each queue of a device with as many queues as CPUs
 * take events: each fires on a CPU of its own.
 */
static void xenpv_st_queues(struct seq_file *m)
{
	unsigned int nr = xenpv_evtchn_event_cpus(), q, fired = 0;
	struct xenpv_st_port p = {};
	evtchn_port_t a, b;
	cpumask_var_t seen;
	char what[128];

	if (!zalloc_cpumask_var(&seen, GFP_KERNEL)) {
		xenpv_st_report(m, false, "evtchn: ports bound for queues (no memory)");
		return;
	}
	for (q = 0; q < nr; q++) {
		init_completion(&p.fired);
		WRITE_ONCE(p.cpu, -1);
		if (xenpv_st_loopback(&a, &b))
			break;
		if (!xenpv_evtchn_bind_queue(a, xenpv_st_handler, &p,
					     "selftest", q)) {
			xenpv_evtchn_notify(b);
			if (xenpv_st_wait(&p) && READ_ONCE(p.cpu) >= 0) {
				fired++;
				cpumask_set_cpu(READ_ONCE(p.cpu), seen);
			}
		}
		xenpv_evtchn_close(a);
		xenpv_evtchn_close(b);
	}
	snprintf(what, sizeof(what),
		 "evtchn: ports bound for queues 0-%u fire (%u) on as many CPUs (%u)",
		 nr - 1, fired, cpumask_weight(seen));
	xenpv_st_report(m, nr && fired == nr && cpumask_weight(seen) == nr,
			what);
	free_cpumask_var(seen);
}

#define XENPV_ST_PAIRS	300	/* more pending ports than one upcall takes */

/*
 * Hold the upcall interrupt off while an event is sent on every pair, so
 * one upcall finds more than its budget pending: it must hand the rest
 * back to Xen, and every event must still arrive.
 */
static void xenpv_st_budget(struct seq_file *m)
{
	evtchn_port_t (*ports)[2];
	struct xenpv_st_port *p;
	unsigned int i, n = 0, fired = 0, hand_backs;
	unsigned long deadline;

	ports = kcalloc(XENPV_ST_PAIRS, sizeof(*ports), GFP_KERNEL);
	p = kcalloc(XENPV_ST_PAIRS, sizeof(*p), GFP_KERNEL);
	if (!ports || !p)
		goto out;
	for (; n < XENPV_ST_PAIRS; n++) {
		init_completion(&p[n].fired);
		if (xenpv_st_loopback(&ports[n][0], &ports[n][1]))
			break;
		if (xenpv_evtchn_bind(ports[n][0], xenpv_st_handler, &p[n],
				      "selftest")) {
			xenpv_evtchn_close(ports[n][0]);
			xenpv_evtchn_close(ports[n][1]);
			break;
		}
	}
	hand_backs = xenpv_evtchn_hand_backs();
	xenpv_upcall_hold();
	for (i = 0; i < n; i++)
		xenpv_evtchn_notify(ports[i][1]);
	xenpv_upcall_release();

	deadline = jiffies + 5 * HZ;
	for (i = 0; i < n; i++) {
		long left = max_t(long, (long)(deadline - jiffies), 1);

		fired += wait_for_completion_timeout(&p[i].fired, left) > 0;
	}
	seq_printf(m, "%s - evtchn: %u events pending at once, more than an upcall's budget: all delivered (%u), the rest handed back to Xen (%u times)\n",
		   n == XENPV_ST_PAIRS && fired == n &&
		   xenpv_evtchn_hand_backs() > hand_backs ? "ok" : "not ok",
		   n, fired, xenpv_evtchn_hand_backs() - hand_backs);
	for (i = 0; i < n; i++) {
		xenpv_evtchn_close(ports[i][0]);
		xenpv_evtchn_close(ports[i][1]);
	}
out:
	kfree(p);
	kfree(ports);
}

static bool xenpv_st_read_is(u32 tx, const char *node, const char *want)
{
	char *val = xenpv_xs_read(tx, XENPV_ST_DIR, node, NULL);
	bool same;

	if (IS_ERR(val))
		return !want && PTR_ERR(val) == -ENOENT;
	same = want && !strcmp(val, want);
	kfree(val);
	return same;
}

static void xenpv_st_transactions(struct seq_file *m)
{
	u32 tx;
	int rc;

	xenpv_xs_rm(XENPV_XS_NO_TX, XENPV_ST_DIR, "");
	rc = xenpv_xs_transaction_start(&tx);
	xenpv_st_report(m, !rc && tx, "xenstore: transaction start");
	if (rc)
		return;
	xenpv_xs_write(tx, XENPV_ST_DIR, "aborted", "1");
	xenpv_st_report(m, xenpv_st_read_is(tx, "aborted", "1"),
			"xenstore: a transaction sees its own write");
	xenpv_st_report(m, xenpv_st_read_is(XENPV_XS_NO_TX, "aborted", NULL),
			"xenstore: others do not see it before the end");
	xenpv_st_report(m, !xenpv_xs_transaction_end(tx, true) &&
			xenpv_st_read_is(XENPV_XS_NO_TX, "aborted", NULL),
			"xenstore: an aborted transaction leaves nothing");

	rc = xenpv_xs_transaction_start(&tx);
	if (!rc) {
		xenpv_xs_write(tx, XENPV_ST_DIR, "committed", "2");
		rc = xenpv_xs_transaction_end(tx, false);
	}
	xenpv_st_report(m, !rc && xenpv_st_read_is(XENPV_XS_NO_TX,
						   "committed", "2"),
			"xenstore: a committed transaction's write is there");
	rc = xenpv_xs_transaction_end(tx, false);
	seq_printf(m, "%s - xenstore: ending a finished transaction fails (%d)\n",
		   rc < 0 ? "ok" : "not ok", rc);
}

static void xenpv_st_directory(struct seq_file *m)
{
	unsigned int n = 0;
	char **names;
	bool ok;

	xenpv_xs_write(XENPV_XS_NO_TX, XENPV_ST_DIR, "b", "");
	names = xenpv_xs_directory(XENPV_XS_NO_TX, XENPV_ST_DIR, "", &n);
	ok = !IS_ERR(names) && n == 2 &&
	     ((!strcmp(names[0], "b") && !strcmp(names[1], "committed")) ||
	      (!strcmp(names[1], "b") && !strcmp(names[0], "committed")));
	if (!IS_ERR(names))
		kfree(names);
	xenpv_st_report(m, ok, "xenstore: directory lists the children");
	xenpv_st_report(m, IS_ERR(xenpv_xs_directory(XENPV_XS_NO_TX,
						     XENPV_ST_DIR, "nothing",
						     &n)),
			"xenstore: directory of a missing node fails");
}

struct xenpv_st_watch {
	struct xenpv_xs_watch watch;
	atomic_t fired;
	struct completion done;
};

static void xenpv_st_watch_fired(struct xenpv_xs_watch *watch,
				 const char *path)
{
	struct xenpv_st_watch *w = container_of(watch, struct xenpv_st_watch,
						watch);

	atomic_inc(&w->fired);
	complete(&w->done);
}

static void xenpv_st_watches(struct seq_file *m)
{
	struct xenpv_st_watch w = {
		.watch.path = XENPV_ST_DIR "/watched",
		.watch.callback = xenpv_st_watch_fired,
	};
	int after;

	init_completion(&w.done);
	xenpv_st_report(m, !xenpv_xs_watch_register(&w.watch) &&
			wait_for_completion_timeout(&w.done, HZ * 5),
			"xenstore: a new watch fires once at once");
	reinit_completion(&w.done);
	xenpv_xs_write(XENPV_XS_NO_TX, XENPV_ST_DIR, "watched", "x");
	xenpv_st_report(m, wait_for_completion_timeout(&w.done, HZ * 5),
			"xenstore: a watch fires on a write");
	xenpv_xs_watch_unregister(&w.watch);
	after = atomic_read(&w.fired);
	xenpv_xs_write(XENPV_XS_NO_TX, XENPV_ST_DIR, "watched", "y");
	msleep(200);
	xenpv_st_report(m, atomic_read(&w.fired) == after,
			"xenstore: an unregistered watch stays silent");
	xenpv_xs_rm(XENPV_XS_NO_TX, XENPV_ST_DIR, "");
}

#define XENPV_ST_FLOOD		600	/* more events than a watch may queue */

struct xenpv_st_slow_watch {
	struct xenpv_xs_watch watch;
	atomic_t calls;
	struct completion entered, release;
};

/* The first call blocks until released, so events pile up meanwhile. */
static void xenpv_st_slow_fired(struct xenpv_xs_watch *watch,
				const char *path)
{
	struct xenpv_st_slow_watch *w =
		container_of(watch, struct xenpv_st_slow_watch, watch);

	if (atomic_inc_return(&w->calls) == 1) {
		complete(&w->entered);
		wait_for_completion(&w->release);
	}
}

/* Writes @count nodes (@distinct) or one node @count times under @dir. */
static void xenpv_st_write_many(const char *dir, unsigned int count,
				bool distinct)
{
	char node[16];
	unsigned int i;

	for (i = 0; i < count; i++) {
		snprintf(node, sizeof(node), "n%u", distinct ? i : 0);
		xenpv_xs_printf(XENPV_XS_NO_TX, dir, node, "%u", i);
	}
}

/*
 * XSA-349: events for a watch whose callback is stuck are bounded and
 * coalesced, not queued without end.
 */
static void xenpv_st_watch_bounds(struct seq_file *m, bool distinct)
{
	struct xenpv_st_slow_watch w = {
		.watch.path = XENPV_ST_DIR "/flood",
		.watch.callback = xenpv_st_slow_fired,
		.watch.max_pending = 64,
	};
	unsigned int calls;

	init_completion(&w.entered);
	init_completion(&w.release);
	xenpv_xs_rm(XENPV_XS_NO_TX, XENPV_ST_DIR, "flood");
	if (xenpv_xs_watch_register(&w.watch)) {
		seq_puts(m, "not ok - xenstore: register the flooded watch\n");
		return;
	}
	/* The first (registration) event parks the watch thread. */
	wait_for_completion_timeout(&w.entered, HZ * 5);
	xenpv_st_write_many(XENPV_ST_DIR "/flood", XENPV_ST_FLOOD, distinct);
	msleep(500);
	complete(&w.release);
	msleep(1000);
	xenpv_xs_watch_unregister(&w.watch);
	calls = atomic_read(&w.calls);
	if (distinct)
		seq_printf(m, "%s - xenstore: %u events for a stuck watch are cut to its bound of 64 (%u calls)\n",
			   calls > 1 && calls <= 1 + 64 ? "ok" : "not ok",
			   XENPV_ST_FLOOD, calls);
	else
		seq_printf(m, "%s - xenstore: %u writes to one node while its watch is stuck coalesce (%u calls)\n",
			   calls > 1 && calls <= 3 ? "ok" : "not ok",
			   XENPV_ST_FLOOD, calls);
	xenpv_xs_rm(XENPV_XS_NO_TX, XENPV_ST_DIR, "flood");
}

#define XENPV_ST_THREADS	4
#define XENPV_ST_ROUNDS		50

struct xenpv_st_worker {
	unsigned int id;
	atomic_t *wrong;
	struct completion done;
};

/* Writes and reads back its own node: every reply must be its own. */
static int xenpv_st_worker_fn(void *data)
{
	struct xenpv_st_worker *w = data;
	char node[16], want[16];
	unsigned int round;

	snprintf(node, sizeof(node), "c%u", w->id);
	for (round = 0; round < XENPV_ST_ROUNDS; round++) {
		snprintf(want, sizeof(want), "%u-%u", w->id, round);
		if (xenpv_xs_write(XENPV_XS_NO_TX, XENPV_ST_DIR, node, want) ||
		    !xenpv_st_read_is(XENPV_XS_NO_TX, node, want))
			atomic_inc(w->wrong);
	}
	complete(&w->done);
	return 0;
}

static void xenpv_st_concurrency(struct seq_file *m)
{
	struct xenpv_st_worker w[XENPV_ST_THREADS];
	atomic_t wrong = ATOMIC_INIT(0);
	unsigned int i, started = 0;

	for (i = 0; i < XENPV_ST_THREADS; i++) {
		w[i].id = i;
		w[i].wrong = &wrong;
		init_completion(&w[i].done);
		if (!IS_ERR(kthread_run(xenpv_st_worker_fn, &w[i],
					"xenpv-st-%u", i)))
			started++;
		else
			complete(&w[i].done);
	}
	for (i = 0; i < XENPV_ST_THREADS; i++)
		wait_for_completion(&w[i].done);
	seq_printf(m, "%s - xenstore: %u threads x %u write+read each, every reply their own (%d wrong)\n",
		   started == XENPV_ST_THREADS && !atomic_read(&wrong) ?
		   "ok" : "not ok", started, XENPV_ST_ROUNDS,
		   atomic_read(&wrong));
	xenpv_xs_rm(XENPV_XS_NO_TX, XENPV_ST_DIR, "");
}

static void xenpv_st_grants(struct seq_file *m)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int ref;

	if (!page)
		return;
	ref = xenpv_gnttab_grant(XENPV_DOMID_DOM0, page_to_pfn(page), true);
	xenpv_st_report(m, ref >= 8,
			"grant: a grant's reference is past the reserved ones");
	if (ref < 0) {
		__free_page(page);
		return;
	}
	xenpv_st_report(m, xenpv_gnttab_end(ref),
			"grant: ending a grant nobody mapped succeeds");
	ref = xenpv_gnttab_grant(XENPV_DOMID_DOM0, page_to_pfn(page), false);
	xenpv_gnttab_end_and_free(ref, page);
	xenpv_st_report(m, ref >= 0, "grant: end_and_free releases a grant and its page");
}

static int xenpv_st_show(struct seq_file *m, void *unused)
{
	mutex_lock(&xenpv_st_lock);
	xenpv_st_evtchn(m);
	xenpv_st_queues(m);
	xenpv_st_budget(m);
	xenpv_st_transactions(m);
	xenpv_st_directory(m);
	xenpv_st_watches(m);
	xenpv_st_watch_bounds(m, true);
	xenpv_st_watch_bounds(m, false);
	xenpv_st_concurrency(m);
	xenpv_st_grants(m);
	mutex_unlock(&xenpv_st_lock);
	return 0;
}

/* One buffer large enough that seq_file never reruns the tests. */
static int xenpv_st_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, xenpv_st_show, NULL, 16384);
}

static const struct file_operations xenpv_st_fops = {
	.owner = THIS_MODULE,
	.open = xenpv_st_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

void xenpv_selftest_init(struct dentry *dir)
{
	debugfs_create_file("selftest", 0400, dir, NULL, &xenpv_st_fops);
}
