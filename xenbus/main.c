// SPDX-License-Identifier: GPL-2.0
/*
 * xenpv: Xen platform support for HVM guests whose kernel does not use
 * Xen itself, either because it has no Xen support or because it was
 * booted with xen_nopv.
 *
 * Loading checks that this is a Xen guest whose kernel leaves Xen alone,
 * then binds the Xen platform PCI device (5853:0001) and brings up, in
 * order:
 *
 *   shared_info and event channels  (evtchn.c, upcall on the device's INTx)
 *   grant tables                    (grant.c)
 *   the xenstore connection          (xs_ring.c, xs.c) and /dev/xen/xenbus
 *   the "xen" bus of PV devices      (bus.c) for the frontend modules
 *   the toolstack's requests         (control.c) shutdown, reboot, sysrq,
 *                                    and suspend for a save (suspend.c)
 *   unplugging the emulated devices  (unplug.c) the PV ones replace
 *
 * Unloading undoes it in reverse, once every frontend module is gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <xen/xen.h>

#include "core.h"

#define XENPV_MMIO_BAR	1

static unsigned long xenpv_mmio_start, xenpv_mmio_frames, xenpv_mmio_used;
static int xenpv_probe_rc = -ENODEV;

/*
 * Frames of the platform device's MMIO BAR, where Xen's own pages
 * (shared_info, grant table frames) are mapped: nothing else uses that
 * space, and no RAM is given up for them.
 *
 * Return: the first gfn of @nr_frames, or 0 when the BAR is full.
 */
unsigned long xenpv_mmio_alloc(unsigned int nr_frames)
{
	unsigned long gfn;

	if (xenpv_mmio_frames - xenpv_mmio_used < nr_frames) {
		pr_err("platform MMIO BAR too small for %u more frames\n",
		       nr_frames);
		return 0;
	}
	gfn = PFN_DOWN(xenpv_mmio_start) + xenpv_mmio_used;
	xenpv_mmio_used += nr_frames;
	return gfn;
}

static void xenpv_log_version(struct pci_dev *pdev)
{
	unsigned int major, minor;
	char extra[16];

	xenpv_xen_version(&major, &minor);
	dev_info(&pdev->dev, "Xen %u.%u%s, hypercalls by %s\n", major, minor,
		 xenpv_xen_extraversion(extra, sizeof(extra)),
		 xenpv_hypercall_uses_vmmcall() ? "vmmcall" : "vmcall");
}

static int xenpv_pci_probe(struct pci_dev *pdev,
			   const struct pci_device_id *id)
{
	int rc;

	rc = pci_enable_device(pdev);
	if (rc)
		goto out;
	rc = pci_request_region(pdev, XENPV_MMIO_BAR, "xenpv");
	if (rc) {
		dev_err(&pdev->dev, "cannot claim MMIO BAR %d: %d\n",
			XENPV_MMIO_BAR, rc);
		goto err_disable;
	}
	xenpv_mmio_start = pci_resource_start(pdev, XENPV_MMIO_BAR);
	xenpv_mmio_frames = pci_resource_len(pdev, XENPV_MMIO_BAR) >> PAGE_SHIFT;
	xenpv_mmio_used = 0;
	xenpv_log_version(pdev);

	rc = xenpv_evtchn_init(pdev);
	if (rc)
		goto err_release;
	rc = xenpv_gnttab_init();
	if (rc)
		goto err_evtchn;
	rc = xenpv_xs_init();
	if (rc)
		goto err_gnttab;
	rc = xenpv_xs_dev_init();
	if (rc)
		goto err_xs;
	rc = xenpv_bus_init();
	if (rc)
		goto err_xs_dev;
	rc = xenpv_control_init();
	if (rc)
		goto err_bus;
	xenpv_unplug_emulated();
	xenpv_debugfs_init();
	goto out;

err_bus:
	xenpv_bus_exit();
err_xs_dev:
	xenpv_xs_dev_exit();
err_xs:
	xenpv_xs_exit();
err_gnttab:
	xenpv_gnttab_exit();
err_evtchn:
	xenpv_evtchn_exit(pdev);
err_release:
	pci_release_region(pdev, XENPV_MMIO_BAR);
err_disable:
	pci_disable_device(pdev);
out:
	xenpv_probe_rc = rc;
	if (rc)
		dev_err(&pdev->dev, "bring-up failed: %d\n", rc);
	return rc;
}

static void xenpv_pci_remove(struct pci_dev *pdev)
{
	xenpv_debugfs_exit();
	xenpv_control_exit();
	xenpv_bus_exit();
	xenpv_xs_dev_exit();
	xenpv_xs_exit();
	xenpv_gnttab_exit();
	xenpv_evtchn_exit(pdev);
	pci_release_region(pdev, XENPV_MMIO_BAR);
	pci_disable_device(pdev);
}

static const struct pci_device_id xenpv_pci_ids[] = {
	{ PCI_DEVICE(XENPV_PCI_VENDOR, XENPV_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, xenpv_pci_ids);

static struct pci_driver xenpv_pci_driver = {
	.name = "xenpv",
	.id_table = xenpv_pci_ids,
	.probe = xenpv_pci_probe,
	.remove = xenpv_pci_remove,
	/*
	 * Only unloading, which waits for every frontend module to go, may
	 * take the platform away: no unbind through sysfs under their feet.
	 */
	.driver.suppress_bind_attrs = true,
};

/* The platform device, if no one drives it yet; else why not, logged. */
static int xenpv_check_platform_device(void)
{
	struct pci_dev *pdev;
	int rc = 0;

	pdev = pci_get_device(XENPV_PCI_VENDOR, XENPV_PCI_DEVICE, NULL);
	if (!pdev) {
		pr_err("no Xen platform PCI device (5853:0001); is xen_platform_pci=0 in the guest's config?\n");
		return -ENODEV;
	}
	if (pdev->dev.driver) {
		pr_err("the Xen platform device is already driven by %s; not loading\n",
		       pdev->dev.driver->name);
		rc = -EBUSY;
	}
	pci_dev_put(pdev);
	return rc;
}

static int __init xenpv_init(void)
{
	int rc;

	rc = xenpv_hypercall_init();
	if (rc)
		return rc;
	if (xen_domain()) {
		pr_notice("the kernel's own Xen support is active (boot with xen_nopv to use xenpv); not loading\n");
		return -ENODEV;
	}
	rc = xenpv_check_platform_device();
	if (rc)
		return rc;
	rc = xenpv_unplug_check();
	if (rc)
		return rc;
	rc = pci_register_driver(&xenpv_pci_driver);
	if (rc)
		return rc;
	/* A module whose bring-up failed would only offer a dead API. */
	if (xenpv_probe_rc) {
		pci_unregister_driver(&xenpv_pci_driver);
		return xenpv_probe_rc;
	}
	return 0;
}

static void __exit xenpv_exit(void)
{
	pci_unregister_driver(&xenpv_pci_driver);
}

module_init(xenpv_init);
module_exit(xenpv_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xen platform support (event channels, grants, xenstore, xen bus) for HVM guests without kernel Xen support");
MODULE_VERSION(XENPV_VERSION);
