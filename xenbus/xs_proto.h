/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenstore wire format, as pure functions of their arguments: no
 * locking, no allocation, no kernel services.  tests/unit builds this file
 * in userspace and feeds it hostile input.
 */
#ifndef XENPV_XS_PROTO_H
#define XENPV_XS_PROTO_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#include <xen/interface/io/xs_wire.h>

/*
 * The highest message type: XS_DIRECTORY_PART.  Older kernels' copies of
 * xs_wire.h end at XS_RESET_WATCHES and have no XS_TYPE_COUNT.
 */
#define XENPV_XS_TYPE_MAX	(XS_RESET_WATCHES + 1)

/* Xen's limit on absolute paths; missing from older kernels' copies. */
#ifndef XENSTORE_ABS_PATH_MAX
#define XENSTORE_ABS_PATH_MAX	3072
#endif

int xenpv_xs_ring_used(XENSTORE_RING_IDX prod, XENSTORE_RING_IDX cons);
unsigned int xenpv_xs_ring_get(const char *ring, XENSTORE_RING_IDX cons,
			       unsigned int used, void *dst, unsigned int len);
unsigned int xenpv_xs_ring_put(char *ring, XENSTORE_RING_IDX prod,
			       unsigned int space, const void *src,
			       unsigned int len);
int xenpv_xs_check_header(const struct xsd_sockmsg *hdr);
int xenpv_xs_error_errno(const char *body, unsigned int len);
int xenpv_xs_split(const char *body, unsigned int len, const char **strs,
		   unsigned int max);
int xenpv_xs_parse_watch_event(const char *body, unsigned int len,
			       const char **path, const char **token);

#endif /* XENPV_XS_PROTO_H */
