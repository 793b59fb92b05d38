// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xenblk's pure protocol logic (xenblk/proto.c): disk names
 * from every virtual-device encoding Xen defines, and the checks that
 * stand between a hostile backend's responses and the block layer.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "proto.h"

static const char *name_of(unsigned int vdev)
{
	static char buf[32];
	struct xenblk_vdev v;

	if (xenblk_decode_vdev(vdev, &v) ||
	    xenblk_disk_name(&v, buf, sizeof(buf)))
		return "(invalid)";
	return buf;
}

static void test_vdev_names(void)
{
	/* docs/misc/vbd-interface.txt: xvd major 202, 16 minors a disk. */
	TAP_CHECK(!strcmp(name_of(202 << 8), "xvda"), "51712 is xvda");
	TAP_CHECK(!strcmp(name_of((202 << 8) | 16), "xvdb"), "51728 is xvdb");
	TAP_CHECK(!strcmp(name_of((202 << 8) | 17), "xvdb1"),
		  "51729 is partition 1 of xvdb");
	TAP_CHECK(!strcmp(name_of((202 << 8) | (15 << 4)), "xvdp"),
		  "the 16th xvd disk is xvdp");
	/* IDE: hda = 3:0 = 768, hdb = 3:64, hdc = 22:0. */
	TAP_CHECK(!strcmp(name_of(768), "xvda"), "hda (768) is xvda");
	TAP_CHECK(!strcmp(name_of(768 + 64), "xvdb"), "hdb (832) is xvdb");
	TAP_CHECK(!strcmp(name_of(22 << 8), "xvdc"), "hdc (5632) is xvdc");
	TAP_CHECK(!strcmp(name_of(768 + 128), "(invalid)"),
		  "an IDE minor beyond the major's two disks is refused");
	/* SCSI: sda = 8:0 = 2048, sdq = 65:0. */
	TAP_CHECK(!strcmp(name_of(2048), "xvda"), "sda (2048) is xvda");
	TAP_CHECK(!strcmp(name_of(2048 + 16), "xvdb"), "sdb is xvdb");
	TAP_CHECK(!strcmp(name_of(65 << 8), "xvdq"), "sdq (65:0) is xvdq");
	/* Extended: 1<<28 | disk<<8 | partition. */
	TAP_CHECK(!strcmp(name_of((1 << 28) | (26 << 8)), "xvdaa"),
		  "extended disk 26 is xvdaa");
	TAP_CHECK(!strcmp(name_of((1 << 28) | (701 << 8)), "xvdzz"),
		  "extended disk 701 is xvdzz");
	TAP_CHECK(!strcmp(name_of((1 << 28) | (702 << 8)), "xvdaaa"),
		  "extended disk 702 is xvdaaa");
	TAP_CHECK(!strcmp(name_of((1 << 28) | (70000 << 8)), "(invalid)"),
		  "an extended disk beyond the minors we have is refused");
	TAP_CHECK(!strcmp(name_of((1 << 28) | 16), "(invalid)"),
		  "an extended partition beyond 15 is refused");
	TAP_CHECK(!strcmp(name_of(7 << 8), "(invalid)"),
		  "a major no encoding defines is refused");
	TAP_CHECK(!strcmp(name_of(0x40000000), "(invalid)"),
		  "bits above the extended flag are refused");
	TAP_CHECK(!strcmp(name_of(0x10000), "(invalid)"),
		  "a non-extended number above 16 bits is refused");
}

static void test_name_buffer(void)
{
	struct xenblk_vdev v = { .index = 702, .partition = 3 };
	char buf[8];

	TAP_CHECK(xenblk_disk_name(&v, buf, sizeof(buf)) == 0 &&
		  !strcmp(buf, "xvdaaa3"), "a name that just fits");
	TAP_CHECK(xenblk_disk_name(&v, buf, 7) == -ENAMETOOLONG,
		  "a name that does not fit is refused, not cut");
}

/* Response checks, against a ring of 4 ids in every state. */
static void test_responses(void)
{
	struct xenblk_tag *tags = calloc(4, sizeof(*tags));

	tags[0] = (struct xenblk_tag){ XENBLK_TAG_INFLIGHT, 0, false };
	tags[1] = (struct xenblk_tag){ XENBLK_TAG_INFLIGHT, 1, true };
	tags[2] = (struct xenblk_tag){ XENBLK_TAG_DONE, 1, false };
	tags[3] = (struct xenblk_tag){ XENBLK_TAG_FREE, 0, false };

	TAP_CHECK(xenblk_check_response(0, 0, 0, tags, 4) == XENBLK_RSP_VALID,
		  "a read answered with its id, op and OKAY is valid");
	TAP_CHECK(xenblk_check_response(0, 0, -1, tags, 4) == XENBLK_RSP_VALID,
		  "ERROR is a status blkif defines");
	TAP_CHECK(xenblk_check_response(0, 0, -2, tags, 4) == XENBLK_RSP_VALID,
		  "EOPNOTSUPP is a status blkif defines");
	TAP_CHECK(xenblk_check_response(4, 0, 0, tags, 4) == XENBLK_RSP_BAD_ID,
		  "id == depth is out of range");
	TAP_CHECK(xenblk_check_response(~0ULL, 0, 0, tags, 4) ==
		  XENBLK_RSP_BAD_ID, "id 2^64-1 is out of range");
	TAP_CHECK(xenblk_check_response(1ULL << 32, 0, 0, tags, 4) ==
		  XENBLK_RSP_BAD_ID,
		  "an id that is in range only when truncated to 32 bits is refused");
	TAP_CHECK(xenblk_check_response(2, 1, 0, tags, 4) ==
		  XENBLK_RSP_NOT_INFLIGHT, "a second answer to a request is refused");
	TAP_CHECK(xenblk_check_response(3, 0, 0, tags, 4) ==
		  XENBLK_RSP_NOT_INFLIGHT, "an answer to an unused id is refused");
	TAP_CHECK(xenblk_check_response(0, 1, 0, tags, 4) == XENBLK_RSP_BAD_OP,
		  "a write answer to a read is refused");
	TAP_CHECK(xenblk_check_response(1, 1, 0, tags, 4) == XENBLK_RSP_VALID,
		  "an indirect write answered as a write is valid");
	TAP_CHECK(xenblk_check_response(1, XENBLK_OP_INDIRECT, 0, tags, 4) ==
		  XENBLK_RSP_VALID, "an indirect write answered as INDIRECT is valid");
	TAP_CHECK(xenblk_check_response(0, XENBLK_OP_INDIRECT, 0, tags, 4) ==
		  XENBLK_RSP_BAD_OP, "INDIRECT for a direct request is refused");
	TAP_CHECK(xenblk_check_response(0, 0, 1, tags, 4) ==
		  XENBLK_RSP_BAD_STATUS, "status 1 is refused");
	TAP_CHECK(xenblk_check_response(0, 0, -32768, tags, 4) ==
		  XENBLK_RSP_BAD_STATUS, "status -32768 is refused");
	TAP_CHECK(xenblk_check_response(0, 0, 0, tags, 0) == XENBLK_RSP_BAD_ID,
		  "a ring with no ids accepts nothing");
	TAP_CHECK(strcmp(xenblk_verdict_str(XENBLK_RSP_BAD_OP), "?") &&
		  !strcmp(xenblk_verdict_str((enum xenblk_verdict)99), "?"),
		  "every verdict has words, and an unknown one does not crash");
	free(tags);
}

int main(void)
{
	test_vdev_names();
	test_name_buffer();
	test_responses();
	return tap_done("xenblk_proto");
}
