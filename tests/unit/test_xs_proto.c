// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the xenstore wire format (xenbus/xs_proto.c): ring index
 * arithmetic, header checks and payload parsing, including what a broken
 * or hostile xenstored could send.  Rings and payloads are heap buffers
 * of their exact size, so AddressSanitizer catches any access outside.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xs_proto.h"

static void test_ring_used(void)
{
	TAP_CHECK(xenpv_xs_ring_used(0, 0) == 0, "empty ring");
	TAP_CHECK(xenpv_xs_ring_used(1024, 0) == 1024, "full ring");
	TAP_CHECK(xenpv_xs_ring_used(1025, 0) == -EIO,
		  "producer more than a ring ahead is refused");
	TAP_CHECK(xenpv_xs_ring_used(5, 0xfffffffeU) == 7,
		  "indexes wrapping around 2^32 still count right");
	TAP_CHECK(xenpv_xs_ring_used(0, 1) == -EIO,
		  "producer behind the consumer is refused");
	TAP_CHECK(xenpv_xs_ring_used(0x80000000U, 0) == -EIO,
		  "producer half the index space ahead is refused");
}

/* Every length at every offset, across the wrap point, round trips. */
static void test_ring_roundtrip(void)
{
	char *ring = malloc(XENSTORE_RING_SIZE);
	unsigned char in[XENSTORE_RING_SIZE], out[XENSTORE_RING_SIZE];
	unsigned int step, len, i, bad = 0;
	XENSTORE_RING_IDX prod, cons;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	/* Starts from a ring below 2^32 to a ring above it (mod 2^32). */
	for (step = 0; step < 2 * XENSTORE_RING_SIZE; step += 61) {
		for (len = 0; len <= XENSTORE_RING_SIZE; len += 37) {
			prod = 0xfffffc00U + step;
			cons = prod;
			prod += xenpv_xs_ring_put(ring, prod, XENSTORE_RING_SIZE,
						  in, len);
			cons += xenpv_xs_ring_get(ring, cons,
						  xenpv_xs_ring_used(prod, cons),
						  out, len);
			if (prod != cons || memcmp(in, out, len))
				bad++;
		}
	}
	TAP_CHECK(bad == 0, "put/get round trip at every offset and length");

	prod = 1000;
	TAP_CHECK(xenpv_xs_ring_put(ring, prod, 10, in, 100) == 10,
		  "put stops at the free space");
	TAP_CHECK(xenpv_xs_ring_get(ring, prod, 10, out, 100) == 10,
		  "get stops at the data available");
	TAP_CHECK(xenpv_xs_ring_get(ring, prod, 5000, out, 5000) ==
		  XENSTORE_RING_SIZE,
		  "a caller's bogus length never reads past the ring");
	free(ring);
}

static void test_header(void)
{
	struct xsd_sockmsg hdr = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX };

	TAP_CHECK(xenpv_xs_check_header(&hdr) == 0, "payload of 4096 is fine");
	hdr.len++;
	TAP_CHECK(xenpv_xs_check_header(&hdr) == -EIO,
		  "payload over XENSTORE_PAYLOAD_MAX is refused");
	hdr.len = 0xffffffffU;
	TAP_CHECK(xenpv_xs_check_header(&hdr) == -EIO,
		  "a 4 GiB payload length is refused");
	hdr.len = 0;
	hdr.type = XENPV_XS_TYPE_MAX;
	TAP_CHECK(xenpv_xs_check_header(&hdr) == 0,
		  "the newest type (XS_DIRECTORY_PART) is fine");
	hdr.type = XENPV_XS_TYPE_MAX + 1;
	TAP_CHECK(xenpv_xs_check_header(&hdr) == -EIO, "unknown type refused");
	hdr.type = XS_INVALID;
	TAP_CHECK(xenpv_xs_check_header(&hdr) == -EIO, "XS_INVALID refused");
}

/* The payload as its own heap buffer of exactly @len bytes. */
static char *payload(const char *bytes, unsigned int len)
{
	char *p = malloc(len ? len : 1);

	memcpy(p, bytes, len);
	return p;
}

static int error_of(const char *bytes, unsigned int len)
{
	char *p = payload(bytes, len);
	int rc = xenpv_xs_error_errno(p, len);

	free(p);
	return rc;
}

static void test_errors(void)
{
	TAP_CHECK(error_of("ENOENT", 7) == -ENOENT, "ENOENT with its NUL");
	TAP_CHECK(error_of("ENOENT", 6) == -ENOENT, "ENOENT without a NUL");
	TAP_CHECK(error_of("EAGAIN", 7) == -EAGAIN, "EAGAIN");
	TAP_CHECK(error_of("E2BIG", 6) == -E2BIG, "E2BIG, the last of the list");
	TAP_CHECK(error_of("ENOENTX", 8) == -EIO, "a longer name is not ENOENT");
	TAP_CHECK(error_of("ENOEN", 6) == -EIO, "a prefix is not ENOENT");
	TAP_CHECK(error_of("", 0) == -EIO, "an empty error is EIO");
	TAP_CHECK(error_of("ENOENT\0junk", 11) == -EIO,
		  "trailing bytes make it unknown");
}

static int split_of(const char *bytes, unsigned int len, const char **strs,
		    unsigned int max)
{
	char *p = payload(bytes, len);
	int n = xenpv_xs_split(p, len, strs, max);

	/* Pointers must point into the payload. */
	for (int i = 0; strs && i < n; i++)
		if (strs[i] < p || strs[i] >= p + len)
			n = -1000;
	free(p);
	return n;
}

static void test_split(void)
{
	const char *strs[4];

	TAP_CHECK(split_of("a\0bc\0", 5, strs, 4) == 2, "two strings");
	TAP_CHECK(split_of("", 0, NULL, 0) == 0, "empty directory");
	TAP_CHECK(split_of("a\0b", 3, strs, 4) == -EINVAL,
		  "an unterminated last string is refused");
	TAP_CHECK(split_of("abc", 3, NULL, 0) == -EINVAL,
		  "no terminator at all is refused");
	TAP_CHECK(split_of("\0\0\0", 3, strs, 4) == 3, "empty names count");
	TAP_CHECK(split_of("a\0b\0c\0d\0e\0", 10, strs, 4) == -EINVAL,
		  "more strings than room is refused");
	TAP_CHECK(split_of("a\0b\0c\0d\0e\0", 10, NULL, 0) == 5,
		  "counting needs no room");
}

static int watch_of(const char *bytes, unsigned int len, const char **path,
		    const char **token)
{
	char *p = payload(bytes, len);
	int rc = xenpv_xs_parse_watch_event(p, len, path, token);

	if (!rc && (strcmp(*path, "device/vbd") || strcmp(*token, "xenpv-1")))
		rc = -1000;
	free(p);
	return rc;
}

static void test_watch_event(void)
{
	const char *path, *token;

	TAP_CHECK(watch_of("device/vbd\0xenpv-1\0", 19, &path, &token) == 0,
		  "a watch event parses into path and token");
	TAP_CHECK(watch_of("device/vbd\0", 11, &path, &token) == -EINVAL,
		  "an event without a token is refused");
	TAP_CHECK(watch_of("\0xenpv-1\0", 9, &path, &token) == -EINVAL,
		  "an event with an empty path is refused");
	TAP_CHECK(watch_of("device/vbd\0xenpv-1", 18, &path, &token) == -EINVAL,
		  "an unterminated token is refused");
	TAP_CHECK(watch_of("a\0b\0c\0", 6, &path, &token) == -EINVAL,
		  "extra strings are refused");
}

int main(void)
{
	test_ring_used();
	test_ring_roundtrip();
	test_header();
	test_errors();
	test_split();
	test_watch_event();
	return tap_done("xs_proto");
}
