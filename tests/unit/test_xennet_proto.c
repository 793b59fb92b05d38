// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xennet's pure protocol logic (xennet/proto.c): the checks
 * every transmit response and every run of receive slots pass before the
 * driver trusts them, fed what a hostile backend could write.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "proto.h"

#define NR_IDS	256
#define ID_MASK	(NR_IDS - 1)

static void test_tx_judge(void)
{
	bool inflight[NR_IDS] = { false };

	inflight[7] = true;
	TAP_CHECK(xennet_tx_judge(7, XENNET_RSP_OKAY, inflight, NR_IDS) ==
		  XENNET_TX_VALID, "tx: an in-flight id with OKAY is valid");
	TAP_CHECK(xennet_tx_judge(7, XENNET_RSP_ERROR, inflight, NR_IDS) ==
		  XENNET_TX_VALID, "tx: ERROR is a status the protocol has");
	TAP_CHECK(xennet_tx_judge(7, XENNET_RSP_DROPPED, inflight, NR_IDS) ==
		  XENNET_TX_VALID, "tx: DROPPED is a status the protocol has");
	TAP_CHECK(xennet_tx_judge(9999 & 0xffff, XENNET_RSP_NULL, inflight,
				  NR_IDS) == XENNET_TX_SKIP,
		  "tx: an extra-info answer (NULL) is skipped, id unread");
	TAP_CHECK(xennet_tx_judge(NR_IDS, XENNET_RSP_OKAY, inflight, NR_IDS) ==
		  XENNET_TX_BAD_ID, "tx: id one past the table is refused");
	TAP_CHECK(xennet_tx_judge(0xffff, XENNET_RSP_OKAY, inflight, NR_IDS) ==
		  XENNET_TX_BAD_ID, "tx: id 0xffff is refused");
	TAP_CHECK(xennet_tx_judge(8, XENNET_RSP_OKAY, inflight, NR_IDS) ==
		  XENNET_TX_NOT_INFLIGHT,
		  "tx: an id not in flight (a repeated answer) is refused");
	TAP_CHECK(xennet_tx_judge(7, 5, inflight, NR_IDS) ==
		  XENNET_TX_BAD_STATUS, "tx: status 5 is unknown");
	TAP_CHECK(xennet_tx_judge(7, -32768, inflight, NR_IDS) ==
		  XENNET_TX_BAD_STATUS, "tx: status -32768 is unknown");
}

/* A run of slots as a hostile backend might write it, kept to @n slots. */
struct run {
	union xennet_rx_slot *slot;
	unsigned int n;
};

static struct run run_new(unsigned int n)
{
	struct run r = { calloc(n, sizeof(*r.slot)), n };

	if (!r.slot)
		abort();
	return r;
}

static void data(struct run *r, unsigned int i, unsigned int pos, u16 off,
		 s16 status, u16 flags)
{
	r->slot[i].rsp = (struct xennet_rx_rsp){
		.id = (pos + i) & ID_MASK, .offset = off,
		.status = status, .flags = flags,
	};
}

static void gso(struct run *r, unsigned int i, u8 type, u16 size, u8 flags)
{
	r->slot[i].extra = (struct xennet_extra){
		.type = XENNET_EXTRA_TYPE_GSO, .flags = flags,
		.gso = { .size = size, .type = type },
	};
}

static enum xennet_rx_verdict parse(struct run *r, unsigned int pos,
				    struct xennet_rx_pkt *pkt)
{
	return xennet_rx_parse(r->slot, r->n, pos, ID_MASK,
			       XENNET_MAX_DATA_SLOTS, pkt);
}

static void test_rx_simple(void)
{
	struct xennet_rx_pkt pkt;
	struct run r = run_new(1);

	data(&r, 0, 10, 0, 1514, 0);
	TAP_CHECK(parse(&r, 10, &pkt) == XENNET_RX_OK && pkt.nr_slots == 1 &&
		  pkt.nr_frags == 1 && pkt.len == 1514,
		  "rx: a one-slot frame is taken whole");
	data(&r, 0, 10, 0, 13, 0);
	TAP_CHECK(parse(&r, 10, &pkt) == XENNET_RX_TOO_SHORT &&
		  pkt.nr_slots == 1,
		  "rx: 13 bytes is no Ethernet frame; its slot is consumed");
	data(&r, 0, 10, 0, 0, 0);
	TAP_CHECK(parse(&r, 10, &pkt) == XENNET_RX_BAD_STATUS &&
		  pkt.nr_slots == 1, "rx: an empty first slot is dropped");
	data(&r, 0, 10, 0, XENNET_RSP_ERROR, 0);
	TAP_CHECK(parse(&r, 10, &pkt) == XENNET_RX_BAD_STATUS &&
		  pkt.nr_slots == 1, "rx: an ERROR slot is dropped");
	data(&r, 0, 10, 4000, 200, 0);
	TAP_CHECK(parse(&r, 10, &pkt) == XENNET_RX_BAD_RANGE &&
		  pkt.nr_slots == 1 && pkt.nr_frags == 0,
		  "rx: offset 4000 + 200 bytes runs off the page: dropped");
	data(&r, 0, 10, 0xffff, 0x7fff, 0);
	TAP_CHECK(parse(&r, 10, &pkt) == XENNET_RX_BAD_RANGE,
		  "rx: offset and length at their maxima do not wrap");
	data(&r, 0, 10, 0, 1514, 0);
	r.slot[0].rsp.id = 11;
	TAP_CHECK(parse(&r, 10, &pkt) == XENNET_RX_BAD_ID &&
		  xennet_rx_verdict_fatal(XENNET_RX_BAD_ID),
		  "rx: an id not the slot's own stops the device");
	TAP_CHECK(xennet_rx_parse(r.slot, 0, 10, ID_MASK,
				  XENNET_MAX_DATA_SLOTS, &pkt) ==
		  XENNET_RX_INCOMPLETE, "rx: no slot yet is incomplete");
	free(r.slot);
}

static void test_rx_multi(void)
{
	struct xennet_rx_pkt pkt;
	struct run r = run_new(4);

	/* The ring wraps inside the packet: ids 254, 255, 0. */
	data(&r, 0, 254, 0, 4096, XENNET_RXF_MORE_DATA);
	data(&r, 1, 254, 0, 0, XENNET_RXF_MORE_DATA);
	data(&r, 2, 254, 100, 1000, 0);
	r.n = 3;
	TAP_CHECK(parse(&r, 254, &pkt) == XENNET_RX_OK && pkt.nr_slots == 3 &&
		  pkt.nr_frags == 2 && pkt.len == 5096 &&
		  pkt.frag[1].slot == 2 && pkt.frag[1].offset == 100,
		  "rx: three slots across the ring's wrap, an empty one between");
	r.n = 2;
	TAP_CHECK(parse(&r, 254, &pkt) == XENNET_RX_INCOMPLETE,
		  "rx: more data announced but not produced yet: incomplete");
	r.n = 3;
	r.slot[2].rsp.id = 7;
	TAP_CHECK(parse(&r, 254, &pkt) == XENNET_RX_BAD_ID,
		  "rx: a wrong id in a later slot stops the device");
	data(&r, 2, 254, 0, XENNET_RSP_ERROR, 0);
	TAP_CHECK(parse(&r, 254, &pkt) == XENNET_RX_BAD_STATUS &&
		  pkt.nr_slots == 3,
		  "rx: a failed later slot drops the packet, all its slots consumed");
	data(&r, 0, 254, 0, 1514, XENNET_RXF_MORE_DATA);
	data(&r, 1, 254, 0, 1514, XENNET_RXF_MORE_DATA);
	data(&r, 2, 254, 0, 1514, 0);
	TAP_CHECK(xennet_rx_parse(r.slot, 3, 254, ID_MASK, 2, &pkt) ==
		  XENNET_RX_TOO_MANY_FRAGS && pkt.nr_slots == 3,
		  "rx: more data slots than the caller takes: dropped whole");
	free(r.slot);
}

static void test_rx_extras(void)
{
	struct xennet_rx_pkt pkt;
	struct run r = run_new(4);

	data(&r, 0, 0, 0, 4096,
	     XENNET_RXF_EXTRA_INFO | XENNET_RXF_MORE_DATA);
	gso(&r, 1, XENNET_GSO_TYPE_TCPV6, 1440, 0);
	data(&r, 2, 0, 0, 3000, 0);
	r.n = 3;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_OK && pkt.nr_slots == 3 &&
		  pkt.nr_frags == 2 && pkt.gso_size == 1440 &&
		  pkt.gso_type == XENNET_GSO_TYPE_TCPV6 &&
		  pkt.frag[1].slot == 2,
		  "rx: a TCPv6 GSO packet: first slot, extra, data");
	gso(&r, 1, 3, 1440, 0);
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_BAD_EXTRA &&
		  pkt.nr_slots == 3, "rx: an unknown GSO type drops the packet");
	gso(&r, 1, XENNET_GSO_TYPE_TCPV4, 0, 0);
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_BAD_EXTRA,
		  "rx: a GSO size of 0 drops the packet");
	r.slot[1].extra.type = 0;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_BAD_EXTRA &&
		  pkt.nr_slots == 3, "rx: extra type 0 drops the packet");
	r.slot[1].extra.type = XENNET_EXTRA_TYPE_MAX;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_BAD_EXTRA,
		  "rx: an extra type past the protocol's last drops the packet");
	/* Two extras chained by FLAG_MORE, then the last data slot. */
	data(&r, 0, 0, 0, 4096,
	     XENNET_RXF_EXTRA_INFO | XENNET_RXF_MORE_DATA);
	gso(&r, 1, XENNET_GSO_TYPE_TCPV4, 1448, XENNET_EXTRA_FLAG_MORE);
	r.slot[2].extra = (struct xennet_extra){ .type = 4 /* hash */ };
	data(&r, 3, 0, 0, 100, 0);
	r.n = 4;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_OK && pkt.nr_slots == 4 &&
		  pkt.nr_frags == 2 && pkt.len == 4196 && pkt.gso_size == 1448,
		  "rx: chained extras are all consumed, then the data");
	r.n = 2;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_INCOMPLETE,
		  "rx: a chain of extras cut short is incomplete");
	free(r.slot);
}

static void test_rx_hash(void)
{
	struct xennet_rx_pkt pkt;
	struct run r = run_new(2);

	data(&r, 0, 0, 0, 1514, XENNET_RXF_EXTRA_INFO);
	r.slot[1].extra = (struct xennet_extra){
		.type = XENNET_EXTRA_TYPE_HASH,
		.hash = { .type = XENNET_HASH_TYPE_IPV4_TCP,
			  .alg = XENNET_HASH_ALG_TOEPLITZ,
			  .value = { 0x78, 0x56, 0x34, 0x12 } },
	};
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_OK && pkt.nr_slots == 2 &&
		  pkt.has_hash && pkt.hash_l4 && pkt.hash == 0x12345678,
		  "rx: a Toeplitz TCP hash is taken, little-endian");
	r.slot[1].extra.hash.type = XENNET_HASH_TYPE_IPV6;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_OK && pkt.has_hash &&
		  !pkt.hash_l4, "rx: an IPv6 address hash is an L3 hash");
	r.slot[1].extra.hash.alg = 7;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_OK && !pkt.has_hash,
		  "rx: a hash by an unknown algorithm is left out, the packet kept");
	r.slot[1].extra.hash.alg = XENNET_HASH_ALG_TOEPLITZ;
	r.slot[1].extra.hash.type = 9;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_OK && !pkt.has_hash,
		  "rx: a hash of an unknown type is left out, the packet kept");
	free(r.slot);
}

/* Slots that always announce another must not be followed forever. */
static void test_rx_endless(void)
{
	struct xennet_rx_pkt pkt;
	struct run r = run_new(256);
	unsigned int i;

	for (i = 0; i < r.n; i++)
		data(&r, i, 0, 0, 64, XENNET_RXF_MORE_DATA);
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_RUN_TOO_LONG &&
		  xennet_rx_verdict_fatal(XENNET_RX_RUN_TOO_LONG),
		  "rx: an endless MORE_DATA chain stops the device");
	data(&r, 0, 0, 0, 64, XENNET_RXF_EXTRA_INFO);
	for (i = 1; i < r.n; i++)
		gso(&r, i, XENNET_GSO_TYPE_TCPV4, 1448,
		    XENNET_EXTRA_FLAG_MORE);
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_RUN_TOO_LONG,
		  "rx: an endless chain of extras stops the device");
	free(r.slot);
}

/*
 * The longest packet there is: a first slot, one extra of each type,
 * then data up to the slot limit.  It fills the run exactly and is kept;
 * one more data slot makes it no packet.
 */
static void test_rx_longest(void)
{
	struct run r = run_new(XENNET_MAX_RUN + 1);
	struct xennet_rx_pkt pkt;
	unsigned int i;

	data(&r, 0, 0, 0, 64, XENNET_RXF_EXTRA_INFO | XENNET_RXF_MORE_DATA);
	for (i = 1; i <= XENNET_MAX_EXTRAS; i++)
		r.slot[i].extra = (struct xennet_extra){
			.type = XENNET_EXTRA_TYPE_HASH,
			.flags = i < XENNET_MAX_EXTRAS ?
				 XENNET_EXTRA_FLAG_MORE : 0,
		};
	for (; i < XENNET_MAX_RUN; i++)
		data(&r, i, 0, 0, 64,
		     i + 1 < XENNET_MAX_RUN ? XENNET_RXF_MORE_DATA : 0);
	r.n = XENNET_MAX_RUN;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_OK &&
		  pkt.nr_slots == XENNET_MAX_RUN &&
		  pkt.nr_frags == XENNET_MAX_DATA_SLOTS,
		  "rx: a packet of %u slots, %u of them data, fills the run and is kept",
		  XENNET_MAX_RUN, XENNET_MAX_DATA_SLOTS);
	data(&r, XENNET_MAX_RUN - 1, 0, 0, 64, XENNET_RXF_MORE_DATA);
	data(&r, XENNET_MAX_RUN, 0, 0, 64, 0);
	r.n = XENNET_MAX_RUN + 1;
	TAP_CHECK(parse(&r, 0, &pkt) == XENNET_RX_RUN_TOO_LONG,
		  "rx: one slot more than the longest packet stops the device");
	free(r.slot);
}

/*
 * Random runs, each in an allocation of exactly the produced slots so
 * AddressSanitizer sees any read past them.  Whatever the input, what
 * parse accepts must describe data inside its pages and inside the run.
 */
static void test_rx_random(void)
{
	unsigned int round, bad = 0, ok = 0;
	struct xennet_rx_pkt pkt;

	srand(20261122);
	for (round = 0; round < 200000; round++) {
		struct run r = run_new(1 + rand() % 30);
		unsigned int pos = rand() % NR_IDS, i, sum = 0;
		enum xennet_rx_verdict v;

		for (i = 0; i < r.n; i++) {
			data(&r, i, pos, rand() % 4200, rand() % 4200 - 50,
			     rand() & (XENNET_RXF_MORE_DATA |
				       XENNET_RXF_EXTRA_INFO));
			if (rand() % 64 == 0)
				r.slot[i].rsp.id ^= 1;
		}
		v = parse(&r, pos, &pkt);
		if (v == XENNET_RX_INCOMPLETE || xennet_rx_verdict_fatal(v)) {
			free(r.slot);
			continue;
		}
		for (i = 0; i < pkt.nr_frags; i++) {
			sum += pkt.frag[i].len;
			if (pkt.frag[i].offset + pkt.frag[i].len >
			    XENNET_PAGE_SIZE || pkt.frag[i].slot >= pkt.nr_slots)
				bad++;
		}
		if (pkt.nr_slots == 0 || pkt.nr_slots > r.n ||
		    (v == XENNET_RX_OK && sum != pkt.len))
			bad++;
		ok += v == XENNET_RX_OK;
		free(r.slot);
	}
	TAP_CHECK(bad == 0 && ok > 0,
		  "rx: 200000 random runs: every accepted packet lies inside its pages and its run (%u accepted)",
		  ok);
}

static void test_slots_for(void)
{
	TAP_CHECK(xennet_slots_for(0, 0) == 0, "slots: nothing needs none");
	TAP_CHECK(xennet_slots_for(0, 1) == 1, "slots: one byte needs one");
	TAP_CHECK(xennet_slots_for(0, 4096) == 1, "slots: a full page is one");
	TAP_CHECK(xennet_slots_for(4095, 2) == 2,
		  "slots: two bytes across a page boundary are two");
	TAP_CHECK(xennet_slots_for(4096 + 100, 4000) == 2,
		  "slots: an offset beyond a page counts from its own page");
	TAP_CHECK(xennet_slots_for(1, 65536) == 17,
		  "slots: 64 KiB off by one byte spans 17 pages");
}

/*
 * The tx event index: with n answers outstanding it lies 1..n past the
 * consumer (1 when none are), so the last answer always raises an event,
 * also where the free-running indexes wrap.
 */
static void test_tx_event_index(void)
{
	static const u32 starts[4] = { 0, 1000, 0xffffff00u, 0xfffffffeu };
	bool within = true, halves = true;
	unsigned int s, n;
	u32 ev;

	for (s = 0; s < 4; s++) {
		for (n = 0; n <= NR_IDS; n++) {
			ev = xennet_tx_event_index(starts[s], starts[s] + n);
			if (ev - starts[s] < 1 || ev - starts[s] > (n ? n : 1))
				within = false;
			if (n >= 2 && ev - starts[s] > n / 2 + 1)
				halves = false;
		}
	}
	TAP_CHECK(within,
		  "tx event: 1..n past the consumer for n in flight, also across the wrap");
	TAP_CHECK(halves,
		  "tx event: no later than half of those in flight answered");
	TAP_CHECK(xennet_tx_event_index(5, 5) == 6,
		  "tx event: with nothing in flight, at the next answer");
	TAP_CHECK(xennet_tx_event_index(0xffffffffu, 0xffffffffu + 2) == 1,
		  "tx event: two in flight across the wrap, at the second");
}

int main(void)
{
	test_tx_judge();
	test_tx_event_index();
	test_rx_simple();
	test_rx_multi();
	test_rx_extras();
	test_rx_hash();
	test_rx_endless();
	test_rx_longest();
	test_rx_random();
	test_slots_for();
	return tap_done("xennet_proto");
}
