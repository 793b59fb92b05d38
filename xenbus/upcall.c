// SPDX-License-Identifier: GPL-2.0
/*
 * The upcall: how Xen tells this guest that events are pending.
 *
 * Xen can raise vCPU 0's upcall in two ways, and both end in the same
 * dispatch (evtchn.c):
 *  - the platform device's INTx (HVM_PARAM_CALLBACK_IRQ), which every Xen
 *    offers.  It goes through the emulated IOAPIC as a level-triggered
 *    interrupt, so each one also costs a TMR read and an EOI trapped to
 *    Xen, and Xen's IOAPIC re-checks the line at that EOI;
 *  - a local APIC vector of our own on CPU 0
 *    (HVMOP_set_evtchn_upcall_vector), which Xen 4.17 announces in CPUID:
 *    raised straight on the local APIC, one trapped EOI, no IOAPIC.  Used
 *    when the kernel lets a module have a vector (include/xenpv/apic_compat.h).
 *
 * The INTx stays requested, and set as the callback, while the vector is
 * in use: Xen prefers the vector for vCPU 0; libxl takes a non-zero
 * callback to mean the guest has PV drivers (and will answer
 * control/shutdown); and Xen does not carry the vector over a save and
 * restore, so a restored domain gets its events by INTx until resume sets
 * the vector again.
 *
 * Xen has no way to unset a vector (it takes none below 0x10).  At exit
 * every port is masked and nothing is pending (evtchn.c) before the vector
 * is freed, so Xen has nothing left to raise it for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <xen/interface/hvm/params.h>
#include <xenpv/apic_compat.h>

#include "core.h"

static int xenpv_intx_irq = -1;
static int xenpv_vector_irq = -1;
static u8 xenpv_vector;
static bool xenpv_vector_in_use;	/* Xen raises it, as far as we know */
static u64 xenpv_callback;		/* HVM_PARAM_CALLBACK_IRQ's value */

static irqreturn_t xenpv_upcall_handler(int irq, void *dev_id)
{
	return xenpv_evtchn_upcall();
}

/* The INTx "via" value of HVM_PARAM_CALLBACK_IRQ for @pdev. */
static u64 xenpv_callback_via(struct pci_dev *pdev)
{
	return ((u64)HVM_PARAM_CALLBACK_TYPE_PCI_INTX << 56) |
	       ((u64)pci_domain_nr(pdev->bus) << 32) |
	       ((u64)pdev->bus->number << 16) |
	       ((u64)pdev->devfn << 8) |
	       (u64)((pdev->pin - 1) & 3);
}

static int xenpv_intx_init(struct pci_dev *pdev)
{
	int rc;

	if (!pdev->pin) {
		dev_err(&pdev->dev, "platform device has no INTx pin\n");
		return -ENODEV;
	}
	rc = request_irq(pdev->irq, xenpv_upcall_handler, IRQF_SHARED,
			 "xenpv", pdev);
	if (rc) {
		dev_err(&pdev->dev, "request_irq(%d) failed: %d\n",
			pdev->irq, rc);
		return rc;
	}
	xenpv_intx_irq = pdev->irq;
	xenpv_callback = xenpv_callback_via(pdev);
	rc = xenpv_hvm_set_param(HVM_PARAM_CALLBACK_IRQ, xenpv_callback);
	if (rc) {
		dev_err(&pdev->dev, "setting HVM_PARAM_CALLBACK_IRQ failed: %d\n",
			rc);
		free_irq(pdev->irq, pdev);
		xenpv_intx_irq = -1;
	}
	return rc;
}

/* Tells Xen to raise vCPU 0's upcall as our vector on CPU 0. */
static long xenpv_vector_set(void)
{
	return xenpv_set_upcall_vector(xenpv_hvm_op, 0, xenpv_vector);
}

/*
 * A vector of our own on CPU 0, which is vCPU 0 (the boot CPU) to Xen.
 * The irq's affinity is fixed before it is requested, and the kernel and
 * user space may not move it (IRQF_NOBALANCING): moved, it would change
 * vector behind Xen's back.
 */
static int xenpv_vector_request(struct pci_dev *pdev)
{
	int irq, rc;

	irq = xenpv_vector_irq_alloc(0);
	if (irq < 0)
		return irq;
	rc = irq_set_affinity(irq, cpumask_of(0));
	if (!rc)
		rc = request_irq(irq, xenpv_upcall_handler, IRQF_NOBALANCING,
				 "xenpv-upcall", pdev);
	if (rc) {
		xenpv_vector_irq_free(irq);
		return rc;
	}
	xenpv_vector_irq = irq;
	xenpv_vector = xenpv_vector_irq_vector(irq);
	return 0;
}

static void xenpv_vector_release(struct pci_dev *pdev)
{
	free_irq(xenpv_vector_irq, pdev);
	xenpv_vector_irq_free(xenpv_vector_irq);
	xenpv_vector_irq = -1;
	xenpv_vector_in_use = false;
}

/* Moves the upcall to a vector where Xen and the kernel allow; else INTx. */
static void xenpv_vector_init(struct pci_dev *pdev)
{
	long rc;

	if (!(xenpv_hvm_features() & XENPV_HVM_CPUID_UPCALL_VECTOR)) {
		dev_info(&pdev->dev, "events by INTx (irq %d): %s\n",
			 xenpv_intx_irq, XENPV_HVM_CPUID_UPCALL_VECTOR ?
			 "Xen offers no per-vCPU upcall vector" :
			 "this kernel gives modules no vector of their own");
		return;
	}
	rc = xenpv_vector_request(pdev);
	if (rc) {
		dev_warn(&pdev->dev, "events by INTx (irq %d): no vector for the upcall: %ld\n",
			 xenpv_intx_irq, rc);
		return;
	}
	rc = xenpv_vector_set();
	if (rc) {
		dev_warn(&pdev->dev, "events by INTx (irq %d): HVMOP_set_evtchn_upcall_vector(%#x) failed: %ld\n",
			 xenpv_intx_irq, xenpv_vector, rc);
		xenpv_vector_release(pdev);
		return;
	}
	xenpv_vector_in_use = true;
	dev_info(&pdev->dev, "events by vector %#x on CPU 0 (irq %d)\n",
		 xenpv_vector, xenpv_vector_irq);
}

/**
 * xenpv_upcall_init() - take the upcall, by vector if possible
 * @pdev: the platform device, whose INTx carries the upcall otherwise
 *
 * Events may arrive (at xenpv_evtchn_upcall()) as soon as this returns.
 *
 * Return: 0, or a negative errno (logged) when not even INTx is possible.
 */
int xenpv_upcall_init(struct pci_dev *pdev)
{
	int rc = xenpv_intx_init(pdev);

	if (!rc)
		xenpv_vector_init(pdev);
	return rc;
}

void xenpv_upcall_exit(struct pci_dev *pdev)
{
	/* Via 0: Xen stops raising the INTx. */
	xenpv_hvm_set_param(HVM_PARAM_CALLBACK_IRQ, 0);
	if (xenpv_vector_irq >= 0)
		xenpv_vector_release(pdev);
	free_irq(xenpv_intx_irq, pdev);
	xenpv_intx_irq = -1;
}

/*
 * In a restored domain, with interrupts off: Xen knows neither our
 * callback nor our vector.  Without the vector the INTx serves.
 */
void xenpv_upcall_resume_noirq(void)
{
	long rc;

	rc = xenpv_hvm_set_param(HVM_PARAM_CALLBACK_IRQ, xenpv_callback);
	if (rc)
		pr_err("resume: setting HVM_PARAM_CALLBACK_IRQ failed: %ld\n",
		       rc);
	if (xenpv_vector_irq < 0)
		return;
	rc = xenpv_vector_set();
	xenpv_vector_in_use = !rc;
	if (rc)
		pr_warn("resume: HVMOP_set_evtchn_upcall_vector(%#x) failed: %ld; events by INTx\n",
			xenpv_vector, rc);
}

/* Waits for a dispatch running on either interrupt to finish. */
void xenpv_upcall_sync(void)
{
	synchronize_irq(xenpv_intx_irq);
	if (xenpv_vector_irq >= 0)
		synchronize_irq(xenpv_vector_irq);
}

/* Holds upcalls back (selftest.c), until xenpv_upcall_release(). */
void xenpv_upcall_hold(void)
{
	disable_irq(xenpv_intx_irq);
	if (xenpv_vector_irq >= 0)
		disable_irq(xenpv_vector_irq);
}

void xenpv_upcall_release(void)
{
	if (xenpv_vector_irq >= 0)
		enable_irq(xenpv_vector_irq);
	enable_irq(xenpv_intx_irq);
}

/* The vector the upcall arrives on, 0 when it comes by INTx. */
u8 xenpv_upcall_vector(void)
{
	return xenpv_vector_in_use ? xenpv_vector : 0;
}
