// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xencons' ring (xencons/ring.c) against a simulated
 * backend: a well-behaved one that moves bytes both ways across the
 * 2^32 wrap of the indexes, and a hostile one that writes impossible
 * indexes or rewrites ours in the shared page.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ring.h"

static struct xencons_interface page;
static struct xencons_ring ring;

/* The backend's side: consume all output into @out, return how much. */
static size_t backend_drain(u8 *out, size_t len)
{
	size_t n = 0;

	while (page.out_cons != page.out_prod && n < len) {
		out[n++] = page.out[MASK_XENCONS_IDX(page.out_cons, page.out)];
		page.out_cons++;
	}
	return n;
}

/* The backend's side: queue input, as much as fits; return how much. */
static size_t backend_type(const u8 *in, size_t len)
{
	size_t n = 0;

	while (n < len && page.in_prod - page.in_cons < sizeof(page.in)) {
		page.in[MASK_XENCONS_IDX(page.in_prod, page.in)] = in[n++];
		page.in_prod++;
	}
	return n;
}

static void fresh(XENCONS_RING_IDX start)
{
	memset(&page, 0, sizeof(page));
	page.out_cons = start;
	page.out_prod = start;
	page.in_cons = start;
	page.in_prod = start;
	xencons_ring_init(&ring, &page, true);
}

static void fill(u8 *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed * 131 + i * 7 + (i >> 8));
}

/* 64 KiB each way, in odd-sized pieces, with the indexes wrapping. */
static void test_stream(XENCONS_RING_IDX start, const char *what)
{
	enum { TOTAL = 65536 };
	static u8 src[TOTAL], dst[TOTAL];
	size_t sent = 0, got = 0, typed = 0, read = 0;
	bool ok = true;
	int n;

	fresh(start);
	fill(src, TOTAL, start);
	while (got < TOTAL && ok) {
		n = xencons_ring_write(&ring, src + sent,
				       TOTAL - sent < 777 ? TOTAL - sent : 777);
		ok = n >= 0;
		sent += n > 0 ? n : 0;
		got += backend_drain(dst + got, 500);
	}
	TAP_CHECK(ok && got == TOTAL && !memcmp(src, dst, TOTAL),
		  "%s: 64 KiB of output arrive intact", what);

	memset(dst, 0, TOTAL);
	ok = true;
	while (read < TOTAL && ok) {
		typed += backend_type(src + typed, TOTAL - typed < 300 ?
				      TOTAL - typed : 300);
		n = xencons_ring_read(&ring, dst + read, 613);
		ok = n >= 0;
		read += n > 0 ? n : 0;
	}
	TAP_CHECK(ok && read == TOTAL && !memcmp(src, dst, TOTAL),
		  "%s: 64 KiB of input arrive intact", what);
}

static void test_backpressure(void)
{
	u8 buf[4096];
	int n;

	fresh(0);
	fill(buf, sizeof(buf), 1);
	n = xencons_ring_write(&ring, buf, sizeof(buf));
	TAP_CHECK(n == (int)XENCONS_OUT_SIZE,
		  "a write larger than the ring queues exactly the ring (%d)", n);
	TAP_CHECK(xencons_ring_write(&ring, buf, 1) == 0,
		  "a full ring takes nothing more, without error");
	TAP_CHECK(xencons_ring_out_used(&ring) == (int)XENCONS_OUT_SIZE,
		  "a full ring reports all of it in use");
	TAP_CHECK(!xencons_ring_out_progress(&ring),
		  "no progress while the backend consumed nothing");
	page.out_cons += 100;
	TAP_CHECK(xencons_ring_out_progress(&ring),
		  "the backend consuming output is progress");
	TAP_CHECK(xencons_ring_write(&ring, buf, sizeof(buf)) == 100,
		  "room the backend freed is used again, and no more");
	TAP_CHECK(xencons_ring_read(&ring, buf, sizeof(buf)) == 0,
		  "no input: a read takes nothing");
}

static void test_hostile_out_cons(void)
{
	u8 buf[16] = "hello";

	fresh(1000);
	xencons_ring_write(&ring, buf, 5);
	page.out_cons = 1000 + 6;		/* beyond what we produced */
	TAP_CHECK(xencons_ring_write(&ring, buf, 5) == -EPROTO,
		  "out_cons ahead of out_prod breaks the ring");
	page.out_cons = 1005;			/* a later honest value */
	TAP_CHECK(xencons_ring_write(&ring, buf, 5) == -EPROTO &&
		  xencons_ring_read(&ring, buf, 5) == -EPROTO &&
		  xencons_ring_out_used(&ring) == -EPROTO,
		  "a broken ring stays broken for every call");

	fresh(1000);
	xencons_ring_write(&ring, buf, 5);
	page.out_cons = 1005 - 2048 - 1;	/* further back than a ring */
	TAP_CHECK(xencons_ring_out_used(&ring) == -EPROTO,
		  "out_cons more than a ring behind breaks the ring");
}

static void test_hostile_in_prod(void)
{
	u8 buf[2048];
	int n;

	fresh(5);
	page.in_prod = 5 + 1025;		/* more than the ring holds */
	n = xencons_ring_read(&ring, buf, sizeof(buf));
	TAP_CHECK(n == -EPROTO && page.in_cons == 5,
		  "in_prod more than a ring ahead is refused, nothing read");

	fresh(5);
	page.in_prod = 4;			/* behind our consumer */
	TAP_CHECK(xencons_ring_in_avail(&ring) == -EPROTO,
		  "in_prod behind in_cons breaks the ring");

	fresh(0xfffffff0u);
	page.in_prod = 0xfffffff0u + 1024;	/* full, across the wrap */
	n = xencons_ring_read(&ring, buf, sizeof(buf));
	TAP_CHECK(n == 1024, "a full input ring across the wrap is read whole");
}

/* Our indexes live in struct xencons_ring; what the page says of them is ignored. */
static void test_our_indexes_are_ours(void)
{
	u8 buf[8] = "abcdefg", out[8];

	fresh(0);
	xencons_ring_write(&ring, buf, 3);
	page.out_prod = 2000;			/* the backend scribbles */
	TAP_CHECK(xencons_ring_out_used(&ring) == 3,
		  "a rewritten out_prod in the page does not move ours");
	xencons_ring_write(&ring, buf + 3, 3);
	TAP_CHECK(page.out_prod == 6 && backend_drain(out, 8) == 6 &&
		  !memcmp(out, "abcdef", 6),
		  "the next write republishes our out_prod and the bytes");

	backend_type((const u8 *)"xy", 2);
	page.in_cons = 1;			/* the backend scribbles */
	TAP_CHECK(xencons_ring_read(&ring, out, 8) == 2 && out[0] == 'x',
		  "a rewritten in_cons in the page does not move ours");
}

static void test_adopt(void)
{
	struct xencons_ring r;

	memset(&page, 0, sizeof(page));
	page.out_cons = 100;
	page.out_prod = 120;
	page.in_cons = 7;
	page.in_prod = 9;
	TAP_CHECK(xencons_ring_init(&r, &page, true) == 0 &&
		  r.out_prod == 120 && r.in_cons == 7 &&
		  xencons_ring_out_used(&r) == 20,
		  "an adopted page carries on from its indexes");

	page.out_prod = 100 + 4096;
	TAP_CHECK(xencons_ring_init(&r, &page, true) == -EPROTO && r.broken,
		  "an adopted page with impossible indexes is refused");

	memset(&page, 0, sizeof(page));
	page.in_prod = 3000;
	TAP_CHECK(xencons_ring_init(&r, &page, false) == -EPROTO,
		  "a fresh page the backend already overfilled is refused");
	page.in_prod = 3;
	TAP_CHECK(xencons_ring_init(&r, &page, false) == 0 &&
		  xencons_ring_in_avail(&r) == 3,
		  "a fresh page starts from zero");
}

/* Random backend behaviour, honest or not: never out of bounds, never stuck. */
static void test_random_backend(void)
{
	u8 buf[4096];
	unsigned int i, broken = 0, bad_count = 0;

	srand(42);
	for (i = 0; i < 20000; i++) {
		int n;

		if (i % 50 == 0)
			fresh((XENCONS_RING_IDX)rand() * 2654435761u);
		switch (rand() % 6) {
		case 0:
			page.out_cons = (XENCONS_RING_IDX)rand();
			break;
		case 1:
			page.in_prod += rand() % 1500;
			break;
		default:
			backend_type(buf, rand() % 300);
			backend_drain(buf, rand() % 300);
		}
		n = xencons_ring_write(&ring, buf, rand() % 3000);
		if (n > (int)XENCONS_OUT_SIZE || (n < 0 && n != -EPROTO))
			bad_count++;
		n = xencons_ring_read(&ring, buf, rand() % 1500);
		if (n > (int)XENCONS_IN_SIZE || (n < 0 && n != -EPROTO))
			bad_count++;
		broken += ring.broken;
	}
	TAP_CHECK(bad_count == 0,
		  "20000 rounds of a random backend: every result in bounds");
	TAP_CHECK(broken > 0, "and the random backend was caught (%u rounds)",
		  broken);
}

int main(void)
{
	test_stream(0, "from 0");
	test_stream(0xffffff00u, "across the 2^32 wrap");
	test_backpressure();
	test_hostile_out_cons();
	test_hostile_in_prod();
	test_our_indexes_are_ours();
	test_adopt();
	test_random_backend();
	return tap_done("xencons_ring");
}
