// SPDX-License-Identifier: GPL-2.0
/*
 * An irq with a vector of its own allocated straight from the x86
 * vector domain by a module, and Xen's per-vCPU upcall vector in the
 * Xen headers (Debian's 6.1 and later; its 5.10 has neither)
 * exports: __irq_domain_alloc_irqs irq_dispose_mapping x86_vector_domain irqd_cfg
 */
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/numa.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <asm/xen/cpuid.h>
#include <xen/interface/hvm/hvm_op.h>

static int __maybe_unused probe_vector_irq(void)
{
	struct xen_hvm_evtchn_upcall_vector op = {
		.vcpu = 0, .vector = HVMOP_set_evtchn_upcall_vector,
	};
	struct irq_alloc_info info = { .mask = NULL };
	int irq = irq_domain_alloc_irqs(x86_vector_domain, 1, NUMA_NO_NODE,
					&info);

	if (irq > 0) {
		op.vector = irqd_cfg(irq_get_irq_data(irq))->vector;
		irq_dispose_mapping(irq);
	}
	return op.vector & XEN_HVM_CPUID_UPCALL_VECTOR;
}
