/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the files of the xenpv module.  Frontends
 * use include/xenpv/xenpv.h instead.
 */
#ifndef XENPV_CORE_H
#define XENPV_CORE_H

#include <linux/interrupt.h>
#include <linux/pci.h>
#include <xenpv/compat.h>
#include <xenpv/xenpv.h>
#include <xen/interface/io/xs_wire.h>

/* The Xen platform PCI device, through which an HVM guest reaches Xen. */
#define XENPV_PCI_VENDOR	0x5853
#define XENPV_PCI_DEVICE	0x0001

struct seq_file;

/* hypercall.c */
int xenpv_hypercall_init(void);
long xenpv_memory_op(unsigned int cmd, void *arg);
long xenpv_event_channel_op(unsigned int cmd, void *arg);
long xenpv_grant_table_op(unsigned int cmd, void *arg, unsigned int count);
int xenpv_hvm_set_param(unsigned int index, u64 value);
long xenpv_hvm_op(unsigned int op, void *arg);
u32 xenpv_hvm_features(void);
u32 xenpv_this_vcpu_id(void);
/* XEN_HVM_CPUID_VCPU_ID_PRESENT of Xen's public arch-x86/cpuid.h */
#define XENPV_HVM_CPUID_VCPU_ID_PRESENT	BIT(3)
int xenpv_map_gfn(unsigned int space, unsigned long idx, unsigned long gfn);
long xenpv_sched_suspend(void);
const char *xenpv_xen_extraversion(char *buf, size_t size);
bool xenpv_hypercall_uses_vmmcall(void);

/* main.c: frames of the platform device's MMIO BAR, for Xen's pages */
unsigned long xenpv_mmio_alloc(unsigned int nr_frames);

/* evtchn.c */
int xenpv_evtchn_init(struct pci_dev *pdev);
void xenpv_evtchn_exit(struct pci_dev *pdev);
irqreturn_t xenpv_evtchn_upcall(unsigned int cpu);
irqreturn_t xenpv_evtchn_upcall_vcpu0(void);
void xenpv_evtchn_cpu_online(unsigned int cpu, u32 vcpu_id);
void xenpv_evtchn_cpu_offline(unsigned int cpu);
void xenpv_evtchn_cpu_lost_noirq(unsigned int cpu);
void xenpv_evtchn_show(struct seq_file *m);
unsigned int xenpv_evtchn_event_cpus(void);
unsigned int xenpv_evtchn_hand_backs(void);
void xenpv_evtchn_resume_noirq(void);
void xenpv_evtchn_forget_all(void);
unsigned int xenpv_evtchn_bound_count(void);

/* upcall.c */
int xenpv_upcall_init(struct pci_dev *pdev);
void xenpv_upcall_exit(struct pci_dev *pdev);
void xenpv_upcall_resume_noirq(void);
void xenpv_upcall_sync(void);
void xenpv_upcall_hold(void);
void xenpv_upcall_release(void);
void xenpv_upcall_show(struct seq_file *m);

/* grant.c */
int xenpv_gnttab_init(void);
void xenpv_gnttab_exit(void);
void xenpv_gnttab_resume_noirq(void);
void xenpv_gnttab_counts(unsigned int *in_use, unsigned int *deferred);

/* xs_ring.c: the byte stream to and from xenstored */
struct xenpv_xs_msg;
int xenpv_xs_ring_init(void (*deliver)(struct xenpv_xs_msg *msg));
void xenpv_xs_ring_exit(void);
int xenpv_xs_ring_send(const struct xsd_sockmsg *hdr, const void *body);
bool xenpv_xs_ring_broken(void);
unsigned long xenpv_xs_timeout(void);
int xenpv_xs_ring_resume(void);

/* xs.c */
struct xenpv_xs_msg {
	struct xsd_sockmsg hdr;
	char *body;			/* hdr.len bytes plus a NUL */
	struct list_head list;
};

int xenpv_xs_init(void);
void xenpv_xs_exit(void);
int xenpv_xs_talk(u32 type, u32 tx, const void *body, unsigned int len,
		  struct xenpv_xs_msg **reply);
void xenpv_xs_msg_free(struct xenpv_xs_msg *msg);
bool xenpv_in_watch_thread(void);
int xenpv_xs_suspend(void);
void xenpv_xs_resume(bool cancelled);

/* xs_dev.c */
int xenpv_xs_dev_init(void);
void xenpv_xs_dev_exit(void);

/* bus.c */
int xenpv_bus_init(void);
void xenpv_bus_exit(void);
int xenpv_bus_suspend_prepare(void);
void xenpv_bus_resume(bool cancelled);

/* control.c */
int xenpv_control_init(void);
void xenpv_control_exit(void);

/* suspend.c */
bool xenpv_suspend_prepare(void);
void xenpv_suspend_abandon(void);
void xenpv_suspend(void);

/* debugfs.c */
void xenpv_debugfs_init(void);
void xenpv_debugfs_exit(void);

/* selftest.c */
struct dentry;
void xenpv_selftest_init(struct dentry *dir);

/* unplug.c */
int xenpv_unplug_check(void);
void xenpv_unplug_emulated(void);

#endif /* XENPV_CORE_H */
