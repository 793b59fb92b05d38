// SPDX-License-Identifier: GPL-2.0
/*
 * The upcall: how Xen tells a vCPU that events are pending for it.
 *
 * Xen raises a vCPU's upcall in one of two ways, and both end in that
 * vCPU's dispatch (evtchn.c):
 *  - for vCPU 0 only, the platform device's INTx (HVM_PARAM_CALLBACK_IRQ),
 *    which every Xen offers.  It goes through the emulated IOAPIC as a
 *    level-triggered interrupt, so each one also costs a TMR read and an
 *    EOI trapped to Xen, and Xen's IOAPIC re-checks the line at that EOI;
 *  - for any vCPU, a local APIC vector of our own on that vCPU's CPU
 *    (HVMOP_set_evtchn_upcall_vector, one call per vCPU), which Xen 4.17
 *    announces in CPUID: raised straight on the local APIC, one trapped
 *    EOI, no IOAPIC.  Used when the kernel lets a module have a vector
 *    (include/xenpv/apic_compat.h).
 *
 * With vectors every online CPU takes its own vCPU's events, and the
 * frontends spread their queues' ports over them (evtchn.c), as Linux's
 * own Xen code does; with the INTx alone every port stays on vCPU 0.  A
 * CPU going offline first hands its ports to another, then gives its
 * vector back; one coming online gets a vector again (the CPU hotplug
 * state "xenpv/upcall:online", whose callbacks run on the CPU itself).
 *
 * The INTx stays requested, and set as the callback, while vectors are
 * in use: Xen prefers the vector for vCPU 0; libxl takes a non-zero
 * callback to mean the guest has PV drivers (and will answer
 * control/shutdown); and Xen does not carry vectors over a save and
 * restore, so a restored domain gets vCPU 0's events by INTx until
 * resume sets the vectors again.
 *
 * Xen has no way to unset a vector (it takes none below 0x10).  A vector
 * is given back only once no port is bound to its vCPU, or at exit, when
 * every port is masked and nothing is pending (evtchn.c): Xen has
 * nothing left to raise it for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/interrupt.h>
#include <linux/seq_file.h>
#include <xen/interface/hvm/params.h>
#include <xenpv/apic_compat.h>

#include "core.h"

/* A CPU's upcall vector. */
struct xenpv_upcall_cpu {
	unsigned int cpu;
	u32 vcpu_id;
	int irq;		/* the vector's irq, -1 without one */
	u8 vector;
	bool vector_set;	/* Xen raises it, as far as we know */
};

static DEFINE_PER_CPU(struct xenpv_upcall_cpu, xenpv_upcall_cpus) = {
	.irq = -1,
};

/* Serialises vectors coming and going with xenpv_upcall_sync(). */
static DEFINE_MUTEX(xenpv_upcall_mutex);
static int xenpv_intx_irq = -1;
static u64 xenpv_callback;		/* HVM_PARAM_CALLBACK_IRQ's value */
static int xenpv_hotplug_state = -1;

/* vCPU 0's, wherever the IOAPIC delivers it. */
static irqreturn_t xenpv_intx_handler(int irq, void *dev_id)
{
	return xenpv_evtchn_upcall_vcpu0();
}

/* Always on the vector's own CPU. */
static irqreturn_t xenpv_vector_handler(int irq, void *dev_id)
{
	struct xenpv_upcall_cpu *uc = dev_id;

	return xenpv_evtchn_upcall(uc->cpu);
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
	rc = request_irq(pdev->irq, xenpv_intx_handler, IRQF_SHARED,
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

static bool xenpv_vectors_offered(void)
{
	return xenpv_hvm_features() & XENPV_HVM_CPUID_UPCALL_VECTOR;
}

/*
 * A vector of our own on @uc's CPU.  The irq's affinity is fixed before
 * it is requested, and the kernel and user space may not move it
 * (IRQF_NOBALANCING): moved, it would change vector behind Xen's back.
 */
static int xenpv_vector_request(struct xenpv_upcall_cpu *uc)
{
	int irq, rc;

	irq = xenpv_vector_irq_alloc(uc->cpu);
	if (irq < 0)
		return irq;
	rc = irq_set_affinity(irq, cpumask_of(uc->cpu));
	if (!rc)
		rc = request_irq(irq, xenpv_vector_handler, IRQF_NOBALANCING,
				 "xenpv-upcall", uc);
	if (rc) {
		xenpv_vector_irq_free(irq);
		return rc;
	}
	uc->irq = irq;
	uc->vector = xenpv_vector_irq_vector(irq);
	return 0;
}

static void xenpv_vector_release(struct xenpv_upcall_cpu *uc)
{
	free_irq(uc->irq, uc);
	xenpv_vector_irq_free(uc->irq);
	uc->irq = -1;
	uc->vector_set = false;
}

/* Tells Xen to raise @uc's vCPU's upcall as its vector. */
static long xenpv_vector_set(struct xenpv_upcall_cpu *uc)
{
	return xenpv_set_upcall_vector(xenpv_hvm_op, uc->vcpu_id, uc->vector);
}

/* On @uc's CPU: a vector there, known to Xen.  Logged when not. */
static int xenpv_vector_init(struct xenpv_upcall_cpu *uc)
{
	long rc;

	mutex_lock(&xenpv_upcall_mutex);
	rc = xenpv_vector_request(uc);
	if (rc) {
		pr_warn("CPU %u: no vector for vCPU %u's upcall: %ld\n",
			uc->cpu, uc->vcpu_id, rc);
		goto out;
	}
	rc = xenpv_vector_set(uc);
	if (rc) {
		pr_warn("CPU %u: HVMOP_set_evtchn_upcall_vector(vCPU %u, %#x) failed: %ld\n",
			uc->cpu, uc->vcpu_id, uc->vector, rc);
		xenpv_vector_release(uc);
		goto out;
	}
	uc->vector_set = true;
out:
	mutex_unlock(&xenpv_upcall_mutex);
	return rc;
}

/*
 * The hotplug state's startup, on @cpu itself: its vCPU takes events by
 * a vector, or by the INTx for vCPU 0, or not at all (logged).  Never
 * fails, so a CPU comes online whatever Xen says.
 */
static int xenpv_upcall_cpu_online(unsigned int cpu)
{
	struct xenpv_upcall_cpu *uc = per_cpu_ptr(&xenpv_upcall_cpus, cpu);
	bool by_vector;

	uc->cpu = cpu;
	uc->vcpu_id = xenpv_this_vcpu_id();
	by_vector = xenpv_vectors_offered() && !xenpv_vector_init(uc);
	if (by_vector || uc->vcpu_id == 0)
		xenpv_evtchn_cpu_online(cpu, uc->vcpu_id);
	return 0;
}

/* The hotplug state's teardown, on @cpu itself: its ports go first. */
static int xenpv_upcall_cpu_offline(unsigned int cpu)
{
	struct xenpv_upcall_cpu *uc = per_cpu_ptr(&xenpv_upcall_cpus, cpu);

	xenpv_evtchn_cpu_offline(cpu);
	mutex_lock(&xenpv_upcall_mutex);
	if (uc->irq >= 0)
		xenpv_vector_release(uc);
	mutex_unlock(&xenpv_upcall_mutex);
	return 0;
}

/* The summary line: how this guest's events arrive. */
static void xenpv_upcall_log(struct pci_dev *pdev)
{
	unsigned int cpu, vectors = 0;

	for_each_online_cpu(cpu)
		vectors += per_cpu_ptr(&xenpv_upcall_cpus, cpu)->vector_set;
	if (vectors)
		dev_info(&pdev->dev, "events by vector on %u of %u CPUs\n",
			 vectors, num_online_cpus());
	else
		dev_info(&pdev->dev, "events by INTx (irq %d), all on vCPU 0: %s\n",
			 xenpv_intx_irq, !XENPV_HVM_CPUID_UPCALL_VECTOR ?
			 "this kernel gives modules no vector of their own" :
			 xenpv_vectors_offered() ?
			 "no vector could be set" :
			 "Xen offers no per-vCPU upcall vector");
}

/**
 * xenpv_upcall_init() - take the upcall, by vectors if possible
 * @pdev: the platform device, whose INTx carries vCPU 0's upcall otherwise
 *
 * Events may arrive (at xenpv_evtchn_upcall()) as soon as this returns.
 *
 * Return: 0, or a negative errno (logged) when not even INTx is possible.
 */
int xenpv_upcall_init(struct pci_dev *pdev)
{
	int rc = xenpv_intx_init(pdev);

	if (rc)
		return rc;
	rc = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "xenpv/upcall:online",
			       xenpv_upcall_cpu_online,
			       xenpv_upcall_cpu_offline);
	if (rc < 0) {
		dev_err(&pdev->dev, "registering for CPU hotplug failed: %d\n",
			rc);
		xenpv_upcall_exit(pdev);
		return rc;
	}
	xenpv_hotplug_state = rc;
	xenpv_upcall_log(pdev);
	return 0;
}

void xenpv_upcall_exit(struct pci_dev *pdev)
{
	/* Via 0: Xen stops raising the INTx. */
	xenpv_hvm_set_param(HVM_PARAM_CALLBACK_IRQ, 0);
	if (xenpv_hotplug_state >= 0)
		cpuhp_remove_state(xenpv_hotplug_state);
	xenpv_hotplug_state = -1;
	free_irq(xenpv_intx_irq, pdev);
	xenpv_intx_irq = -1;
}

/*
 * In a restored domain, on CPU 0 with the others stopped and interrupts
 * off: Xen knows neither our callback nor our vectors.  A vCPU whose
 * vector Xen refuses now takes no events (its ports were the old
 * domain's; the drivers bind new ones elsewhere), but vCPU 0's INTx
 * serves it.
 */
void xenpv_upcall_resume_noirq(void)
{
	struct xenpv_upcall_cpu *uc;
	unsigned int cpu;
	long rc;

	rc = xenpv_hvm_set_param(HVM_PARAM_CALLBACK_IRQ, xenpv_callback);
	if (rc)
		pr_err("resume: setting HVM_PARAM_CALLBACK_IRQ failed: %ld\n",
		       rc);
	for_each_online_cpu(cpu) {
		uc = per_cpu_ptr(&xenpv_upcall_cpus, cpu);
		if (uc->irq < 0)
			continue;
		rc = xenpv_vector_set(uc);
		uc->vector_set = !rc;
		if (!rc)
			continue;
		pr_warn("resume: HVMOP_set_evtchn_upcall_vector(vCPU %u, %#x) failed: %ld\n",
			uc->vcpu_id, uc->vector, rc);
		if (uc->vcpu_id)
			xenpv_evtchn_cpu_lost_noirq(cpu);
	}
}

/*
 * Waits for a dispatch running on any upcall interrupt to finish.
 * May sleep.
 */
void xenpv_upcall_sync(void)
{
	unsigned int cpu;
	int irq;

	synchronize_irq(xenpv_intx_irq);
	mutex_lock(&xenpv_upcall_mutex);
	for_each_possible_cpu(cpu) {
		irq = per_cpu_ptr(&xenpv_upcall_cpus, cpu)->irq;
		if (irq >= 0)
			synchronize_irq(irq);
	}
	mutex_unlock(&xenpv_upcall_mutex);
}

/*
 * Holds upcalls back (selftest.c), until xenpv_upcall_release(); CPUs
 * may not come or go meanwhile.
 */
void xenpv_upcall_hold(void)
{
	unsigned int cpu;
	int irq;

	cpus_read_lock();
	mutex_lock(&xenpv_upcall_mutex);
	disable_irq(xenpv_intx_irq);
	for_each_possible_cpu(cpu) {
		irq = per_cpu_ptr(&xenpv_upcall_cpus, cpu)->irq;
		if (irq >= 0)
			disable_irq(irq);
	}
}

void xenpv_upcall_release(void)
{
	unsigned int cpu;
	int irq;

	for_each_possible_cpu(cpu) {
		irq = per_cpu_ptr(&xenpv_upcall_cpus, cpu)->irq;
		if (irq >= 0)
			enable_irq(irq);
	}
	enable_irq(xenpv_intx_irq);
	mutex_unlock(&xenpv_upcall_mutex);
	cpus_read_unlock();
}

/*
 * For debugfs: a line per online CPU, "vector 0xVV cpu C vcpu V", or
 * "intx cpu C vcpu 0" where vCPU 0's events come by the INTx, or
 * "none cpu C vcpu V" where the CPU takes no events.
 */
void xenpv_upcall_show(struct seq_file *m)
{
	struct xenpv_upcall_cpu *uc;
	unsigned int cpu;

	mutex_lock(&xenpv_upcall_mutex);
	for_each_online_cpu(cpu) {
		uc = per_cpu_ptr(&xenpv_upcall_cpus, cpu);
		if (uc->vector_set)
			seq_printf(m, "vector %#x", uc->vector);
		else
			seq_puts(m, uc->vcpu_id ? "none" : "intx");
		seq_printf(m, " cpu %u vcpu %u\n", cpu, uc->vcpu_id);
	}
	mutex_unlock(&xenpv_upcall_mutex);
}
