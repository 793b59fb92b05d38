/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A local APIC vector of xenpv's own, for Xen's per-vCPU event upcall.
 *
 * The kernel's own Xen code has a fixed IDT gate for its upcall, which a
 * module cannot add.  What a module can have is an ordinary interrupt
 * allocated straight from the x86 vector domain: the kernel picks a free
 * vector on the CPU asked for, routes it to the irq, and the edge flow
 * acknowledges it with one local APIC EOI.  Kernels that do not export
 * that domain's allocator (5.10), or whose Xen headers lack the
 * per-vCPU upcall, get -EOPNOTSUPP and xenpv stays on the platform
 * device's INTx.  Probe: include/probes/x86_vector_irq.c.
 */
#ifndef XENPV_APIC_COMPAT_H
#define XENPV_APIC_COMPAT_H

#include <linux/errno.h>
#include <linux/irq.h>

#ifdef XENPV_HAVE_X86_VECTOR_IRQ
#include <linux/irqdomain.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <asm/xen/cpuid.h>
#include <xen/interface/hvm/hvm_op.h>

#define XENPV_HVM_CPUID_UPCALL_VECTOR	XEN_HVM_CPUID_UPCALL_VECTOR

/*
 * An edge-triggered irq whose vector lives on @cpu alone.  Return: the
 * irq, or a negative errno.
 */
static inline int xenpv_vector_irq_alloc(unsigned int cpu)
{
	struct irq_alloc_info info = { .mask = cpumask_of(cpu) };
	int irq;

	irq = irq_domain_alloc_irqs(x86_vector_domain, 1, cpu_to_node(cpu),
				    &info);
	if (irq < 0)
		return irq;
	irq_set_handler(irq, handle_edge_irq);
	return irq;
}

/* The vector @irq arrives on, once it is requested (activated). */
static inline u8 xenpv_vector_irq_vector(int irq)
{
	return irqd_cfg(irq_get_irq_data(irq))->vector;
}

static inline void xenpv_vector_irq_free(int irq)
{
	irq_dispose_mapping(irq);
}

/*
 * HVMOP_set_evtchn_upcall_vector through @hvm_op (xenpv's hypercall):
 * Xen raises @vector on @vcpu's local APIC for that vCPU's events.
 */
static inline long xenpv_set_upcall_vector(long (*hvm_op)(unsigned int op,
							  void *arg),
					   u32 vcpu, u8 vector)
{
	struct xen_hvm_evtchn_upcall_vector op = {
		.vcpu = vcpu, .vector = vector,
	};

	return hvm_op(HVMOP_set_evtchn_upcall_vector, &op);
}

#else /* !XENPV_HAVE_X86_VECTOR_IRQ */

#define XENPV_HVM_CPUID_UPCALL_VECTOR	0

static inline int xenpv_vector_irq_alloc(unsigned int cpu)
{
	return -EOPNOTSUPP;
}

static inline u8 xenpv_vector_irq_vector(int irq)
{
	return 0;
}

static inline void xenpv_vector_irq_free(int irq)
{
}

static inline long xenpv_set_upcall_vector(long (*hvm_op)(unsigned int op,
							  void *arg),
					   u32 vcpu, u8 vector)
{
	return -EOPNOTSUPP;
}

#endif /* XENPV_HAVE_X86_VECTOR_IRQ */

#endif /* XENPV_APIC_COMPAT_H */
