// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore wire format (xen/interface/io/xs_wire.h): ring index
 * arithmetic, message header checks, error strings and the NUL-separated
 * payloads of directory listings and watch events.
 *
 * Nothing read from the ring or a reply is trusted: indexes that claim
 * more than a ring's worth of data, lengths past XENSTORE_PAYLOAD_MAX,
 * unknown types and unterminated strings are all refused here.
 */
#include "xs_proto.h"

/**
 * xenpv_xs_ring_used() - bytes between consumer and producer
 * @prod: producer index (free-running)
 * @cons: consumer index (free-running)
 *
 * Return: 0..XENSTORE_RING_SIZE, or -EIO when the indexes are more than a
 * ring apart, which no honest peer can produce.
 */
int xenpv_xs_ring_used(XENSTORE_RING_IDX prod, XENSTORE_RING_IDX cons)
{
	XENSTORE_RING_IDX used = prod - cons;

	if (used > XENSTORE_RING_SIZE)
		return -EIO;
	return used;
}

/*
 * How many of @len bytes fit in @avail (never more than a ring), where in
 * the ring they start, and how many come before the ring wraps.
 */
static unsigned int xenpv_xs_ring_span(XENSTORE_RING_IDX idx,
				       unsigned int avail, unsigned int len,
				       unsigned int *off, unsigned int *first)
{
	unsigned int n = len < avail ? len : avail;

	if (n > XENSTORE_RING_SIZE)
		n = XENSTORE_RING_SIZE;
	*off = MASK_XENSTORE_IDX(idx);
	*first = XENSTORE_RING_SIZE - *off;
	if (*first > n)
		*first = n;
	return n;
}

/**
 * xenpv_xs_ring_get() - copy bytes out of a ring
 * @ring: the ring's XENSTORE_RING_SIZE bytes
 * @cons: consumer index
 * @used: bytes available, from xenpv_xs_ring_used()
 * @dst: destination
 * @len: bytes wanted
 *
 * Return: bytes copied, min(@len, @used); the caller advances @cons.
 */
unsigned int xenpv_xs_ring_get(const char *ring, XENSTORE_RING_IDX cons,
			       unsigned int used, void *dst, unsigned int len)
{
	unsigned int off, first;
	unsigned int n = xenpv_xs_ring_span(cons, used, len, &off, &first);

	memcpy(dst, ring + off, first);
	memcpy((char *)dst + first, ring, n - first);
	return n;
}

/**
 * xenpv_xs_ring_put() - copy bytes into a ring
 * @ring: the ring's XENSTORE_RING_SIZE bytes
 * @prod: producer index
 * @space: free bytes, XENSTORE_RING_SIZE - used
 * @src: source
 * @len: bytes to write
 *
 * Return: bytes copied, min(@len, @space); the caller advances @prod.
 */
unsigned int xenpv_xs_ring_put(char *ring, XENSTORE_RING_IDX prod,
			       unsigned int space, const void *src,
			       unsigned int len)
{
	unsigned int off, first;
	unsigned int n = xenpv_xs_ring_span(prod, space, len, &off, &first);

	memcpy(ring + off, src, first);
	memcpy(ring, (const char *)src + first, n - first);
	return n;
}

/* Return: 0 for a header we can read the body of, else -EIO. */
int xenpv_xs_check_header(const struct xsd_sockmsg *hdr)
{
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -EIO;
	if (hdr->type > XENPV_XS_TYPE_MAX)
		return -EIO;
	return 0;
}

/**
 * xenpv_xs_error_errno() - the errno an XS_ERROR reply names
 * @body: the reply's payload ("ENOENT\0")
 * @len: its length
 *
 * Return: a negative errno; -EIO for a name not in Xen's list.
 */
int xenpv_xs_error_errno(const char *body, unsigned int len)
{
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(xsd_errors); i++) {
		n = strlen(xsd_errors[i].errstring);
		if ((len == n || (len == n + 1 && body[n] == '\0')) &&
		    !memcmp(body, xsd_errors[i].errstring, n))
			return -xsd_errors[i].errnum;
	}
	return -EIO;
}

/**
 * xenpv_xs_split() - split a payload of NUL-terminated strings
 * @body: the payload
 * @len: its length; every string in it, the last one too, must end in NUL
 * @strs: where to store pointers into @body, or NULL to only count
 * @max: room in @strs
 *
 * Return: the number of strings, or -EINVAL for a malformed payload or
 * more than @max strings.
 */
int xenpv_xs_split(const char *body, unsigned int len, const char **strs,
		   unsigned int max)
{
	unsigned int off = 0, n = 0, slen;

	if (len && body[len - 1] != '\0')
		return -EINVAL;
	while (off < len) {
		slen = strnlen(body + off, len - off);
		if (strs) {
			if (n >= max)
				return -EINVAL;
			strs[n] = body + off;
		}
		n++;
		off += slen + 1;
	}
	return n;
}

/* An XS_WATCH_EVENT payload is "path\0token\0". */
int xenpv_xs_parse_watch_event(const char *body, unsigned int len,
			       const char **path, const char **token)
{
	const char *strs[2];

	if (xenpv_xs_split(body, len, strs, 2) != 2 || !strs[0][0])
		return -EINVAL;
	*path = strs[0];
	*token = strs[1];
	return 0;
}
