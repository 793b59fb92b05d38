/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels xenpv builds for, in one place.  Each
 * shim rests on a compile probe (include/probes/), never on a version
 * number; the drivers use the shims and stay free of #if.
 */
#ifndef XENPV_COMPAT_H
#define XENPV_COMPAT_H

#include <linux/device.h>

/* cpuid(): in <asm/processor.h>, later <asm/cpuid.h>, then <asm/cpuid/api.h> */
#if defined(XENPV_HAVE_ASM_CPUID_API_H)
#include <asm/cpuid/api.h>
#elif defined(XENPV_HAVE_ASM_CPUID_H)
#include <asm/cpuid.h>
#else
#include <asm/processor.h>
#endif

/* The device a bus_type's uevent() is given. */
#ifdef XENPV_HAVE_BUS_UEVENT_CONST
#define XENPV_UEVENT_DEV const struct device
#else
#define XENPV_UEVENT_DEV struct device
#endif

/* The driver a bus_type's match() is given. */
#ifdef XENPV_HAVE_BUS_MATCH_CONST
#define XENPV_MATCH_DRV const struct device_driver
#else
#define XENPV_MATCH_DRV struct device_driver
#endif

/*
 * A bus_type's remove() returns void; where it still returned int, wrap a
 * void one: .remove = XENPV_BUS_REMOVE(fn) after XENPV_DEFINE_BUS_REMOVE(fn).
 */
#ifdef XENPV_HAVE_BUS_REMOVE_VOID
#define XENPV_DEFINE_BUS_REMOVE(fn)
#define XENPV_BUS_REMOVE(fn) fn
#else
#define XENPV_DEFINE_BUS_REMOVE(fn)				\
	static int fn##_int(struct device *dev)			\
	{							\
		fn(dev);					\
		return 0;					\
	}
#define XENPV_BUS_REMOVE(fn) fn##_int
#endif

/* Timers' newer names, on kernels that only have the old ones. */
#include <linux/timer.h>
#ifndef XENPV_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync del_timer_sync
#endif
#ifndef XENPV_HAVE_TIMER_CONTAINER_OF
#define timer_container_of from_timer
#endif

/*
 * A kernel built with Xen support registers its own "xen" bus at boot,
 * even when xen_nopv leaves it idle, so there ours is "xenpv".  This is a
 * question of configuration, not of version.
 */
#ifdef CONFIG_XEN
#define XENPV_BUS_NAME "xenpv"
#else
#define XENPV_BUS_NAME "xen"
#endif

#endif /* XENPV_COMPAT_H */
