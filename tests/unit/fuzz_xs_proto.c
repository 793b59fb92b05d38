// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the xenstore wire format: the input is what a
 * hostile xenstored could put in the response ring (indexes, a header and
 * a payload).  Run by "make -C tests/unit fuzz FUZZ_SECONDS=N".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xs_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	XENSTORE_RING_IDX idx[2];
	struct xsd_sockmsg hdr;
	const char *strs[8], *path, *token;
	char *ring, *body, out[XENSTORE_RING_SIZE];
	int used;

	if (size < sizeof(idx) + sizeof(hdr))
		return 0;
	memcpy(idx, data, sizeof(idx));
	memcpy(&hdr, data + sizeof(idx), sizeof(hdr));
	data += sizeof(idx) + sizeof(hdr);
	size -= sizeof(idx) + sizeof(hdr);

	/* A ring with hostile indexes: reads stay inside it. */
	ring = malloc(XENSTORE_RING_SIZE);
	memset(ring, 0, XENSTORE_RING_SIZE);
	memcpy(ring, data, size < XENSTORE_RING_SIZE ? size : XENSTORE_RING_SIZE);
	used = xenpv_xs_ring_used(idx[0], idx[1]);
	if (used >= 0)
		xenpv_xs_ring_get(ring, idx[1], used, out, hdr.len);
	free(ring);

	/* The body is only read when the header passed. */
	if (xenpv_xs_check_header(&hdr) || hdr.len > size)
		return 0;
	body = malloc(hdr.len ? hdr.len : 1);
	memcpy(body, data, hdr.len);
	xenpv_xs_error_errno(body, hdr.len);
	xenpv_xs_split(body, hdr.len, NULL, 0);
	xenpv_xs_split(body, hdr.len, strs, 8);
	xenpv_xs_parse_watch_event(body, hdr.len, &path, &token);
	free(body);
	return 0;
}
