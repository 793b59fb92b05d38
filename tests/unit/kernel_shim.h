/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel primitives that the ring code of the modules uses, for
 * building it in userspace.  The barriers are at least as strong as the
 * kernel's virt_*() ones on x86, which is what the tests need: one thread
 * plays both ends, so they only have to compile to something correct.
 */
#ifndef XENPV_KERNEL_SHIM_H
#define XENPV_KERNEL_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define u8 uint8_t

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/* Orders all accesses, as the kernel's virt_mb(). */
#define virt_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
/* Orders reads before later accesses, as virt_rmb() at least. */
#define virt_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Orders earlier accesses before writes, as virt_wmb() at least. */
#define virt_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

#endif /* XENPV_KERNEL_SHIM_H */
