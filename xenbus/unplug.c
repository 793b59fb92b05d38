// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated-device unplug protocol (Xen's docs/misc/
 * hvm-emulated-unplug.pandoc), spoken through I/O ports 0x10 and 0x12 of
 * the device model:
 *
 *  1. 0x10 reads 0x49d2 (the magic) when the protocol is there;
 *  2. 0x12 reads its version; from version 1 on, the driver writes its
 *     product number to 0x12 and its build number to 0x10, and the device
 *     model may answer by no longer showing the magic: blacklisted;
 *  3. writing a mask to 0x10 unplugs those emulated devices, so the guest
 *     does not see each disk and NIC twice, once emulated and once PV.
 *
 * Linux's own Xen support unplugs before the PCI bus is scanned; a module
 * comes later, when the emulated NICs are already struct pci_devs.  After
 * the unplug their slots are empty, so they are removed from Linux's PCI
 * tree too; otherwise e1000 would bind an empty slot and read all-ones.
 *
 * Unplugging a disk that ata_piix already drives would yank it from under
 * a mounted filesystem: load xenpv before the emulated drivers (the
 * initramfs integration does).  If it comes too late, the devices a driver
 * already holds are left plugged, and the log says why.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/string.h>

#include "core.h"

#define XENPV_IOPORT_MAGIC	0x10	/* 16-bit read */
#define XENPV_IOPORT_UNPLUG	0x10	/* 16-bit write */
#define XENPV_IOPORT_BUILD	0x10	/* 32-bit write */
#define XENPV_IOPORT_PROTOVER	0x12	/* 8-bit read */
#define XENPV_IOPORT_PRODUCT	0x12	/* 16-bit write */
#define XENPV_UNPLUG_MAGIC	0x49d2
/* Xen's registry of PV driver products (public/hvm/pvdrivers.h). */
#define XENPV_PRODUCT_LINUX	0x0003
#define XENPV_BUILD		0x00010000

#define XENPV_UNPLUG_IDE_DISKS	BIT(0)	/* and SCSI disks */
#define XENPV_UNPLUG_NICS	BIT(1)
#define XENPV_UNPLUG_AUX_IDE	BIT(2)	/* all but the primary master */

static char *unplug = "all";
module_param(unplug, charp, 0444);
MODULE_PARM_DESC(unplug, "Emulated devices to unplug, as Linux's xen_emul_unplug: all, ide-disks, aux-ide-disks, nics, never (comma-separated; default all)");

static bool xenpv_unplug_supported;

static int xenpv_unplug_mask(void)
{
	static const struct { const char *name; int mask; } words[] = {
		{ "all", XENPV_UNPLUG_IDE_DISKS | XENPV_UNPLUG_NICS |
			 XENPV_UNPLUG_AUX_IDE },
		{ "ide-disks", XENPV_UNPLUG_IDE_DISKS },
		{ "aux-ide-disks", XENPV_UNPLUG_AUX_IDE },
		{ "nics", XENPV_UNPLUG_NICS },
		{ "never", 0 },
	};
	char *list, *cur, *word;
	int mask = 0;
	unsigned int i;

	list = kstrdup(unplug, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while ((word = strsep(&cur, ","))) {
		for (i = 0; i < ARRAY_SIZE(words); i++)
			if (!strcmp(word, words[i].name))
				break;
		if (i == ARRAY_SIZE(words)) {
			pr_err("unplug=%s: unknown word \"%s\"\n", unplug, word);
			kfree(list);
			return -EINVAL;
		}
		mask |= words[i].mask;
	}
	kfree(list);
	return mask;
}

/**
 * xenpv_unplug_check() - introduce ourselves to the device model
 *
 * Return: 0, -EINVAL for a bad unplug= parameter, or -EPERM when the
 * device model blacklists this driver.
 */
int xenpv_unplug_check(void)
{
	int mask = xenpv_unplug_mask();
	u16 magic = inw(XENPV_IOPORT_MAGIC);
	u8 version;

	if (mask < 0)
		return mask;
	if (magic != XENPV_UNPLUG_MAGIC) {
		pr_info("device model has no unplug protocol (port 0x10 reads %#x); emulated devices stay\n",
			magic);
		return 0;
	}
	version = inb(XENPV_IOPORT_PROTOVER);
	if (version >= 1) {
		outw(XENPV_PRODUCT_LINUX, XENPV_IOPORT_PRODUCT);
		outl(XENPV_BUILD, XENPV_IOPORT_BUILD);
		if (inw(XENPV_IOPORT_MAGIC) != XENPV_UNPLUG_MAGIC) {
			pr_err("the device model blacklists these PV drivers; not loading\n");
			return -EPERM;
		}
	}
	xenpv_unplug_supported = true;
	return 0;
}

/* Is an emulated device of @class already driven?  Names it if so. */
static const char *xenpv_class_driven(unsigned int class, unsigned int shift)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, pdev))) {
		if (pdev->vendor == XENPV_PCI_VENDOR)
			continue;
		if ((pdev->class >> shift) == class && pdev->dev.driver) {
			const char *name = pdev->dev.driver->name;

			pci_dev_put(pdev);
			return name;
		}
	}
	return NULL;
}

static int xenpv_drop_if_driven(int mask, int bits, unsigned int class,
				unsigned int shift, const char *what)
{
	const char *driver;

	if (!(mask & bits))
		return mask;
	driver = xenpv_class_driven(class, shift);
	if (!driver)
		return mask;
	pr_warn("emulated %s already driven by %s: leaving them plugged (load xenpv first, e.g. from the initramfs)\n",
		what, driver);
	return mask & ~bits;
}

/* Remove the NICs whose slot the unplug emptied (config reads ~0). */
static void xenpv_remove_vanished_nics(void)
{
	struct pci_dev *pdev = NULL, *gone[8];
	unsigned int i, n = 0;
	u16 vendor;

	while (n < ARRAY_SIZE(gone) &&
	       (pdev = pci_get_class(PCI_CLASS_NETWORK_ETHERNET << 8, pdev))) {
		if (pdev->vendor == XENPV_PCI_VENDOR || pdev->dev.driver)
			continue;
		if (pci_read_config_word(pdev, PCI_VENDOR_ID, &vendor) ||
		    vendor == 0xffff)
			gone[n++] = pci_dev_get(pdev);
	}
	pci_dev_put(pdev);
	for (i = 0; i < n; i++) {
		pci_info(gone[i], "emulated NIC unplugged: removing its device\n");
		pci_stop_and_remove_bus_device_locked(gone[i]);
		pci_dev_put(gone[i]);
	}
}

void xenpv_unplug_emulated(void)
{
	int mask = xenpv_unplug_mask();

	if (!xenpv_unplug_supported || mask <= 0)
		return;
	mask = xenpv_drop_if_driven(mask, XENPV_UNPLUG_IDE_DISKS |
				    XENPV_UNPLUG_AUX_IDE,
				    PCI_CLASS_STORAGE_IDE, 8, "IDE disks");
	mask = xenpv_drop_if_driven(mask, XENPV_UNPLUG_NICS,
				    PCI_BASE_CLASS_NETWORK, 16, "NICs");
	if (!mask)
		return;
	outw(mask, XENPV_IOPORT_UNPLUG);
	if (mask & XENPV_UNPLUG_NICS)
		xenpv_remove_vanished_nics();
	pr_info("unplugged emulated devices:%s%s\n",
		mask & XENPV_UNPLUG_IDE_DISKS ? " IDE disks" :
		mask & XENPV_UNPLUG_AUX_IDE ? " IDE disks but the first" : "",
		mask & XENPV_UNPLUG_NICS ? " NICs" : "");
}
