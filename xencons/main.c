// SPDX-License-Identifier: GPL-2.0
/*
 * xencons: the Xen PV console, for guests whose kernel's own Xen support
 * is absent or switched off (xen_nopv).
 *
 * The consoles:
 *   primary	the domain's console, which the toolstack made before the
 *		guest booted (HVM_PARAM_CONSOLE_PFN and _EVTCHN) and which
 *		xenconsoled serves: `xl console` in dom0.  It is hvc0, or
 *		xvc0 with xencons.primary=xvc0, and also a kernel console of
 *		that name (console=hvc0).
 *   extras	device/console/<n> for n > 0 (an xl `channel`, served by
 *		qemu): hvc<n>, set up by front.c like any PV frontend.
 *
 * tty.c is the tty side of all of them, ring.c the ring itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/module.h>
#include <linux/pfn.h>
#include <xen/interface/hvm/params.h>

#include "xencons.h"

static char *xencons_primary_name = "hvc0";
module_param_named(primary, xencons_primary_name, charp, 0444);
MODULE_PARM_DESC(primary, "The primary console's tty: hvc0 (default; major 229) or xvc0 (major 204, minor 191, as in Xen's classic Linux kernels)");

static struct xencons *xencons_primary;
static struct xencons_interface *xencons_primary_intf;

/* A restore gives the domain's console a new event channel. */
static void xencons_primary_resume(struct xenpv_resume_hook *hook)
{
	u64 evtchn = 0;
	int rc;

	rc = xenpv_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &evtchn);
	if (rc || !evtchn) {
		pr_err("%s: no console event channel after a restore (HVM_PARAM_CONSOLE_EVTCHN %llu, error %d)\n",
		       xencons_primary->name, evtchn, rc);
		return;
	}
	xencons_reattach(xencons_primary, evtchn);
}

static struct xenpv_resume_hook xencons_primary_hook = {
	.resume = xencons_primary_resume,
};

/* The domain's console, from the HVM parameters the toolstack set. */
static int xencons_primary_init(void)
{
	u64 pfn = 0, evtchn = 0;
	struct xencons *cons;
	int rc;

	rc = xenpv_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn);
	if (!rc)
		rc = xenpv_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &evtchn);
	if (rc || !pfn || !evtchn) {
		pr_info("the domain has no PV console (HVM_PARAM_CONSOLE_PFN %llu, _EVTCHN %llu, error %d); only extra consoles\n",
			pfn, evtchn, rc);
		return 0;
	}

	xencons_primary_intf = memremap(PFN_PHYS(pfn), PAGE_SIZE,
					MEMREMAP_WB);
	if (!xencons_primary_intf) {
		pr_err("mapping the console page (pfn %#llx) failed\n", pfn);
		return -ENOMEM;
	}
	cons = xencons_alloc(0);
	if (IS_ERR(cons)) {
		rc = PTR_ERR(cons);
		goto err_unmap;
	}
	rc = xencons_attach(cons, xencons_primary_intf, true, evtchn, NULL);
	if (rc) {
		xencons_put(cons);
		goto err_unmap;
	}
	xencons_primary = cons;
	xencons_console_register(cons);
	xenpv_resume_hook_add(&xencons_primary_hook);
	pr_info("%s is the domain's console (event channel %llu)\n",
		cons->name, evtchn);
	return 0;

err_unmap:
	memunmap(xencons_primary_intf);
	return rc;
}

static void xencons_primary_exit(void)
{
	if (!xencons_primary)
		return;
	xenpv_resume_hook_del(&xencons_primary_hook);
	xencons_console_unregister();
	xencons_detach(xencons_primary);
	xencons_put(xencons_primary);
	xencons_primary = NULL;
	memunmap(xencons_primary_intf);
}

static int __init xencons_init(void)
{
	bool xvc;
	int rc;

	if (!strcmp(xencons_primary_name, "xvc0")) {
		xvc = true;
	} else if (!strcmp(xencons_primary_name, "hvc0")) {
		xvc = false;
	} else {
		pr_err("primary=%s: the primary console is hvc0 or xvc0\n",
		       xencons_primary_name);
		return -EINVAL;
	}

	rc = xencons_tty_init(xvc);
	if (rc)
		return rc;
	rc = xencons_primary_init();
	if (rc)
		goto err_tty;
	rc = xencons_front_init();
	if (rc)
		goto err_primary;
	return 0;

err_primary:
	xencons_primary_exit();
err_tty:
	xencons_tty_exit();
	return rc;
}

static void __exit xencons_exit(void)
{
	xencons_front_exit();
	xencons_primary_exit();
	xencons_tty_exit();
}

module_init(xencons_init);
module_exit(xencons_exit);

MODULE_DESCRIPTION("Xen PV console (hvc0, xvc0) for guests without the kernel's Xen support");
MODULE_LICENSE("GPL");
MODULE_VERSION(XENPV_VERSION);
MODULE_ALIAS("xen:console");
MODULE_SOFTDEP("pre: xenpv");
