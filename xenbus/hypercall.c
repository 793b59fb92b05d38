// SPDX-License-Identifier: GPL-2.0
/*
 * Finding Xen, and talking to it.
 *
 * Xen announces itself in a block of CPUID leaves starting at a multiple of
 * 0x100 in 0x40000000..0x4000ff00 (after Viridian's, when the guest has
 * Hyper-V enlightenments).  Hypercalls are made with the instruction the
 * CPU's virtualisation extension traps, VMCALL on Intel and VMMCALL on AMD,
 * never through a hypercall page: its speculative-execution hazards are
 * XSA-466, and using the instruction directly needs no page at all.
 *
 * 64-bit HVM hypercall ABI: number in RAX, arguments in RDI, RSI, RDX, R10,
 * R8, result in RAX.  Xen may clobber the argument registers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jump_label.h>
#include <asm/processor.h>
#include <xen/interface/xen.h>
#include <xen/interface/version.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/sched.h>

#include "core.h"

#define XENPV_CPUID_FIRST	0x40000000
#define XENPV_CPUID_LAST	0x4000ff00
#define XENPV_CPUID_STEP	0x100

static DEFINE_STATIC_KEY_FALSE(xenpv_use_vmmcall);
static unsigned int xenpv_cpuid_base;
static unsigned int xenpv_version_major, xenpv_version_minor;

static long xenpv_hypercall(unsigned int op, unsigned long a1,
			    unsigned long a2, unsigned long a3)
{
	register unsigned long rdi asm("rdi") = a1;
	register unsigned long rsi asm("rsi") = a2;
	register unsigned long rdx asm("rdx") = a3;
	long ret;

	if (static_branch_likely(&xenpv_use_vmmcall))
		asm volatile("vmmcall"
			     : "=a" (ret), "+r" (rdi), "+r" (rsi), "+r" (rdx)
			     : "0" ((unsigned long)op)
			     : "r8", "r10", "memory");
	else
		asm volatile("vmcall"
			     : "=a" (ret), "+r" (rdi), "+r" (rsi), "+r" (rdx)
			     : "0" ((unsigned long)op)
			     : "r8", "r10", "memory");
	return ret;
}

static unsigned int xenpv_find_cpuid_base(void)
{
	unsigned int base, eax, sig[3];

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return 0;
	for (base = XENPV_CPUID_FIRST; base <= XENPV_CPUID_LAST;
	     base += XENPV_CPUID_STEP) {
		cpuid(base, &eax, &sig[0], &sig[1], &sig[2]);
		/* Xen's block has at least leaves base+1 and base+2. */
		if (!memcmp("XenVMMXenVMM", sig, sizeof(sig)) &&
		    eax - base >= 2)
			return base;
	}
	return 0;
}

/**
 * xenpv_hypercall_init() - find Xen and choose the hypercall instruction
 *
 * Return: 0, or -ENODEV (with the reason logged) when this is not a Xen
 * HVM guest.
 */
int xenpv_hypercall_init(void)
{
	unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;

	xenpv_cpuid_base = xenpv_find_cpuid_base();
	if (!xenpv_cpuid_base) {
		pr_err("not running on Xen (no Xen CPUID leaves); not loading\n");
		return -ENODEV;
	}
	cpuid(xenpv_cpuid_base + 1, &eax, &ebx, &ecx, &edx);
	xenpv_version_major = eax >> 16;
	xenpv_version_minor = eax & 0xffff;

	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		static_branch_enable(&xenpv_use_vmmcall);
	return 0;
}

void xenpv_xen_version(unsigned int *major, unsigned int *minor)
{
	*major = xenpv_version_major;
	*minor = xenpv_version_minor;
}
EXPORT_SYMBOL_GPL(xenpv_xen_version);

/* Xen's extra version string ("-pre", ".5"), for the log. */
const char *xenpv_xen_extraversion(char *buf, size_t size)
{
	struct xen_extraversion extra = { };

	if (xenpv_hypercall(__HYPERVISOR_xen_version, XENVER_extraversion,
			    (unsigned long)&extra, 0) < 0)
		extra.extraversion[0] = '\0';
	strscpy(buf, extra.extraversion,
		min(size, sizeof(extra.extraversion)));
	return buf;
}

bool xenpv_hypercall_uses_vmmcall(void)
{
	return static_branch_likely(&xenpv_use_vmmcall);
}

long xenpv_memory_op(unsigned int cmd, void *arg)
{
	return xenpv_hypercall(__HYPERVISOR_memory_op, cmd,
			       (unsigned long)arg, 0);
}

/* XENMEM_decrease_reservation or _populate_physmap of single pages. */
static long xenpv_reservation_op(unsigned int cmd, xen_pfn_t *gfns,
				 unsigned int nr)
{
	struct xen_memory_reservation res = {
		.nr_extents = nr,
		.extent_order = 0,
		.domid = DOMID_SELF,
	};

	set_xen_guest_handle(res.extent_start, gfns);
	return xenpv_memory_op(cmd, &res);
}

/**
 * xenpv_memory_release() - give guest frames back to Xen
 * @gfns: the frames; the caller owns their pages and keeps them unused
 * @nr: how many
 *
 * Return: how many Xen took (from the start of @gfns), or a negative errno.
 */
long xenpv_memory_release(xen_pfn_t *gfns, unsigned int nr)
{
	return xenpv_reservation_op(XENMEM_decrease_reservation, gfns, nr);
}
EXPORT_SYMBOL_GPL(xenpv_memory_release);

/**
 * xenpv_memory_populate() - have Xen back guest frames with memory again
 * @gfns: frames given back with xenpv_memory_release()
 * @nr: how many
 *
 * Return: how many Xen backed (from the start of @gfns), or a negative
 * errno.  Fewer than @nr when Xen is short of memory or the domain is at
 * its maximum.
 */
long xenpv_memory_populate(xen_pfn_t *gfns, unsigned int nr)
{
	return xenpv_reservation_op(XENMEM_populate_physmap, gfns, nr);
}
EXPORT_SYMBOL_GPL(xenpv_memory_populate);

long xenpv_event_channel_op(unsigned int cmd, void *arg)
{
	return xenpv_hypercall(__HYPERVISOR_event_channel_op, cmd,
			       (unsigned long)arg, 0);
}

long xenpv_grant_table_op(unsigned int cmd, void *arg, unsigned int count)
{
	return xenpv_hypercall(__HYPERVISOR_grant_table_op, cmd,
			       (unsigned long)arg, count);
}

long xenpv_hvm_op(unsigned int op, void *arg)
{
	return xenpv_hypercall(__HYPERVISOR_hvm_op, op, (unsigned long)arg, 0);
}

int xenpv_hvm_get_param(unsigned int index, u64 *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	long rc;

	rc = xenpv_hvm_op(HVMOP_get_param, &p);
	if (rc < 0)
		return rc;
	*value = p.value;
	return 0;
}
EXPORT_SYMBOL_GPL(xenpv_hvm_get_param);

/*
 * The HVM features leaf (base + 4) in EAX, 0 when Xen has no such leaf.
 * Its bits are the XEN_HVM_CPUID_* of the Xen headers' cpuid.h.
 */
u32 xenpv_hvm_features(void)
{
	unsigned int eax, ebx, ecx, edx;

	cpuid(xenpv_cpuid_base, &eax, &ebx, &ecx, &edx);
	if (eax < xenpv_cpuid_base + 4)
		return 0;
	cpuid(xenpv_cpuid_base + 4, &eax, &ebx, &ecx, &edx);
	return eax;
}

/*
 * Xen's id for the vCPU this runs on, which the hypercalls that name a
 * vCPU want.  Xen offers it in EBX of the HVM features leaf; without it
 * (Xen before 4.6) Linux's own code takes the CPU's number, and so do we.
 */
u32 xenpv_this_vcpu_id(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!(xenpv_hvm_features() & XENPV_HVM_CPUID_VCPU_ID_PRESENT))
		return smp_processor_id();
	cpuid(xenpv_cpuid_base + 4, &eax, &ebx, &ecx, &edx);
	return ebx;
}

int xenpv_hvm_set_param(unsigned int index, u64 value)
{
	struct xen_hvm_param p = {
		.domid = DOMID_SELF, .index = index, .value = value,
	};

	return xenpv_hvm_op(HVMOP_set_param, &p);
}

/*
 * SCHEDOP_shutdown(SHUTDOWN_suspend): the toolstack saves the domain while
 * we are in here.  Return: 0 in the restored domain, 1 when the save was
 * cancelled (or was a checkpoint) and this domain carries on, or an
 * errno from Xen.
 */
long xenpv_sched_suspend(void)
{
	struct sched_shutdown shutdown = { .reason = SHUTDOWN_suspend };

	return xenpv_hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
			       (unsigned long)&shutdown, 0);
}

/* Put Xen's page @idx of kind @space (shared_info, grant frame) at @gfn. */
int xenpv_map_gfn(unsigned int space, unsigned long idx, unsigned long gfn)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = space,
		.idx = idx,
		.gpfn = gfn,
	};

	return xenpv_memory_op(XENMEM_add_to_physmap, &xatp);
}
