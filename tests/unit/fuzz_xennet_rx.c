// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for xennet's receive path: the input is a run of rx
 * ring slots as a hostile backend could write them, with the ring
 * position and the caller's fragment limit.  Beyond the sanitizers, it
 * aborts when xennet_rx_parse() accepts a packet the driver could not
 * take safely: more slots than were produced or than any packet has,
 * more fragments than allowed, a fragment outside its page or its run,
 * or a length that does not add up.  Run by
 * "make -C tests/unit fuzz FUZZ_SECONDS=N".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define RING_SIZE	256U

static void fail(const char *why)
{
	fprintf(stderr, "xennet rx: %s\n", why);
	abort();
}

static void check_packet(const union xennet_rx_slot *run, unsigned int avail,
			 unsigned int max_frags,
			 const struct xennet_rx_pkt *pkt)
{
	unsigned int i, len = 0, last_slot = 0;

	if (pkt->nr_slots < 1 || pkt->nr_slots > avail ||
	    pkt->nr_slots > XENNET_MAX_RUN)
		fail("slot count out of range");
	if (pkt->nr_frags > max_frags || pkt->nr_frags > XENNET_MAX_DATA_SLOTS)
		fail("more fragments than allowed");
	if (pkt->len < XENNET_ETH_HLEN)
		fail("a packet shorter than an Ethernet header");
	for (i = 0; i < pkt->nr_frags; i++) {
		if (pkt->frag[i].slot >= pkt->nr_slots ||
		    (i && pkt->frag[i].slot <= last_slot))
			fail("fragment slot out of order or outside the run");
		if (!pkt->frag[i].len ||
		    pkt->frag[i].offset + pkt->frag[i].len > XENNET_PAGE_SIZE)
			fail("fragment outside its page");
		if (run[pkt->frag[i].slot].rsp.status != pkt->frag[i].len)
			fail("fragment length not the slot's");
		last_slot = pkt->frag[i].slot;
		len += pkt->frag[i].len;
	}
	if (len != pkt->len)
		fail("fragment lengths do not add up");
	if (pkt->gso_size && pkt->gso_type != XENNET_GSO_TYPE_TCPV4 &&
	    pkt->gso_type != XENNET_GSO_TYPE_TCPV6)
		fail("GSO of an unknown type");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union xennet_rx_slot *run;
	struct xennet_rx_pkt pkt;
	enum xennet_rx_verdict v;
	unsigned int avail, first_pos, max_frags, i;
	bool inflight[RING_SIZE];
	u16 id;

	if (size < 2)
		return 0;
	first_pos = data[0];
	max_frags = 1 + data[1] % XENNET_MAX_DATA_SLOTS;
	data += 2;
	size -= 2;
	avail = size / sizeof(*run);
	/* An exact-size copy: ASan sees any read past the produced slots. */
	run = malloc(avail ? avail * sizeof(*run) : 1);
	memcpy(run, data, avail * sizeof(*run));

	v = xennet_rx_parse(run, avail, first_pos, RING_SIZE - 1, max_frags,
			    &pkt);
	if (v == XENNET_RX_OK)
		check_packet(run, avail, max_frags, &pkt);
	else if (!xennet_rx_verdict_fatal(v) && v != XENNET_RX_INCOMPLETE &&
		 (pkt.nr_slots < 1 || pkt.nr_slots > avail))
		fail("a dropped packet consumes slots that are not there");
	xennet_rx_verdict_str(v);

	/*
	 * The same bytes as transmit responses against an in-flight map; a
	 * response taken ends its request, so a repeated id must be refused.
	 */
	memset(inflight, 0, sizeof(inflight));
	for (i = 0; i < size; i++)
		inflight[data[i] % RING_SIZE] = data[i] & 1;
	for (i = 0; i < avail; i++) {
		id = run[i].rsp.id;
		if (xennet_tx_judge(id, run[i].rsp.status, inflight,
				    RING_SIZE) != XENNET_TX_VALID)
			continue;
		if (id >= RING_SIZE || !inflight[id])
			fail("tx: a response for an id not in flight is taken");
		inflight[id] = false;
	}
	free(run);
	return 0;
}
