// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for xenblk's response checks: the input is a stream
 * of responses (id, operation, status) as a hostile backend could write
 * them, against a ring whose requests the first bytes put in flight.
 * The target plays the driver: a response judged valid completes its
 * request.  It aborts if a response is ever taken for an id out of
 * range, for a request not in flight (so one completed twice), or with
 * an operation or status that is not the request's.  The bytes are also
 * read as virtual-device numbers, whose disk names must fit and be
 * well formed.  Run by "make -C tests/unit fuzz FUZZ_SECONDS=N".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define DEPTH	64U

/* A response as the ring holds it: id, operation, status. */
#define RSP_BYTES	(8 + 1 + 2)

struct rsp {
	uint64_t id;
	uint8_t op;
	int16_t status;
};

static void fail(const char *why)
{
	fprintf(stderr, "xenblk: %s\n", why);
	abort();
}

static void check_name(unsigned int vdev)
{
	struct xenblk_vdev v;
	char name[16];
	size_t len;

	if (xenblk_decode_vdev(vdev, &v))
		return;
	if (v.index >= XENBLK_MAX_DISKS || v.partition >= XENBLK_PARTS_PER_DISK)
		fail("a disk beyond the xvd major's minors");
	if (xenblk_disk_name(&v, name, sizeof(name)))
		return;
	len = strlen(name);
	if (len < 4 || strncmp(name, "xvd", 3) || name[3] < 'a' ||
	    name[3] > 'z')
		fail("a disk name not xvd<letters>[partition]");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xenblk_tag tags[DEPTH];
	struct rsp r;
	enum xenblk_verdict v;
	unsigned int i;

	if (size < DEPTH)
		return 0;
	/* Each id: free, in flight or answered, with some operation. */
	for (i = 0; i < DEPTH; i++) {
		tags[i].state = data[i] % 3;
		tags[i].op = (data[i] >> 2) & 7;
		tags[i].indirect = data[i] & 0x20;
	}
	for (i = 0; i + 4 <= size; i += 4) {
		unsigned int vdev;

		memcpy(&vdev, data + i, sizeof(vdev));
		check_name(vdev);
	}
	data += DEPTH;
	size -= DEPTH;

	for (; size >= RSP_BYTES; data += RSP_BYTES, size -= RSP_BYTES) {
		memcpy(&r.id, data, sizeof(r.id));
		r.op = data[8];
		memcpy(&r.status, data + 9, sizeof(r.status));
		v = xenblk_check_response(r.id, r.op, r.status, tags, DEPTH);
		xenblk_verdict_str(v);
		if (v != XENBLK_RSP_VALID)
			continue;
		if (r.id >= DEPTH)
			fail("a response for an id out of range is taken");
		if (tags[r.id].state != XENBLK_TAG_INFLIGHT)
			fail("a response for a request not in flight is taken");
		if (r.op != tags[r.id].op &&
		    !(tags[r.id].indirect && r.op == XENBLK_OP_INDIRECT))
			fail("a response with another operation is taken");
		if (r.status != XENBLK_RSP_OKAY &&
		    r.status != XENBLK_RSP_ERROR &&
		    r.status != XENBLK_RSP_EOPNOTSUPP)
			fail("a response with an unknown status is taken");
		/* As the driver does: answered now, until completed. */
		tags[r.id].state = XENBLK_TAG_DONE;
	}
	return 0;
}
