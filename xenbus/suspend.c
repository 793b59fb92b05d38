// SPDX-License-Identifier: GPL-2.0
/*
 * Save, restore and migration: the toolstack writes "suspend" to
 * control/shutdown (control.c), and the domain suspends itself with
 * SCHEDOP_shutdown(SHUTDOWN_suspend).  The hypercall returns either in
 * the same domain, when the save was cancelled or was a checkpoint, or
 * in the domain a restore made, on this host or another, where nothing
 * of Xen's side is left: no event channel of ours, an empty grant table,
 * a shared_info page not mapped, xenstore a new connection.
 *
 * In order:
 *   prepare      the bus holds probe and remove off; every bound driver
 *                must have resume() or the request is left unanswered
 *   xenstore     open transactions end, then requests wait (xs.c)
 *   the call     on CPU 0 with the others stopped: the kernel's syscore
 *                suspend (timekeeping counts the time away), the
 *                hypercall, and in a new domain shared_info, the upcall
 *                and the grant frames mapped again before anything else
 *                runs
 *   after        in a new domain: bindings forgotten, xenstore rebound and
 *                its watches sent again, each driver and hook resumed
 *
 * Emulated devices are the device model's business: QEMU saves and
 * restores them itself, so no device of the kernel's is suspended here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/stop_machine.h>
#include <linux/syscore_ops.h>

#include "core.h"

struct xenpv_suspend_call {
	long result;		/* of the hypercall: 0 resumed, 1 cancelled */
	int syscore_rc;
};

/* On CPU 0, every other CPU stopped, interrupts off. */
static int xenpv_suspend_on_cpu0(void *data)
{
	struct xenpv_suspend_call *call = data;

	call->syscore_rc = syscore_suspend();
	if (call->syscore_rc)
		return call->syscore_rc;
	call->result = xenpv_sched_suspend();
	if (call->result == 0) {
		xenpv_evtchn_resume_noirq();
		xenpv_gnttab_resume_noirq();
	}
	syscore_resume();
	return 0;
}

/**
 * xenpv_suspend_prepare() - may the domain suspend now?
 *
 * Return: true with the bus held for xenpv_suspend() or
 * xenpv_suspend_abandon(); false, logged, when a bound driver could not
 * resume.
 */
bool xenpv_suspend_prepare(void)
{
	return !xenpv_bus_suspend_prepare();
}

void xenpv_suspend_abandon(void)
{
	xenpv_bus_resume(true);
}

/* Bad news is logged here; the return says whether a new domain runs us. */
static bool xenpv_suspend_call(void)
{
	struct xenpv_suspend_call call = { .result = 1 };
	int rc;

	rc = stop_machine(xenpv_suspend_on_cpu0, &call, cpumask_of(0));
	if (call.syscore_rc) {
		pr_err("suspend: syscore suspend failed: %d; not suspending\n",
		       call.syscore_rc);
		return false;
	}
	if (rc) {
		pr_err("suspend: stopping the other CPUs failed: %d; not suspending\n",
		       rc);
		return false;
	}
	if (call.result < 0) {
		pr_err("suspend: SCHEDOP_shutdown(SHUTDOWN_suspend) failed: %ld\n",
		       call.result);
		return false;
	}
	return call.result == 0;
}

/**
 * xenpv_suspend() - suspend for the toolstack, and resume
 *
 * After xenpv_suspend_prepare() said yes, in the watch thread.  Returns
 * in the restored domain, or in this one if the save was cancelled.
 */
void xenpv_suspend(void)
{
	bool restored = false;

	pr_info("suspending for the toolstack (save or migration)\n");
	if (!xenpv_xs_suspend()) {
		restored = xenpv_suspend_call();
		if (restored)
			xenpv_evtchn_forget_all();
		xenpv_xs_resume(!restored);
	}
	xenpv_bus_resume(!restored);
	if (restored)
		pr_info("resumed in a restored domain; PV devices reconnected\n");
	else
		pr_info("suspend cancelled or refused; carrying on as before\n");
}
