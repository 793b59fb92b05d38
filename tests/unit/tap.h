/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal TAP producer for the unit tests. */
#ifndef XENPV_TAP_H
#define XENPV_TAP_H

#include <stdio.h>

static unsigned int tap_n, tap_failed;

#define TAP_CHECK(cond, ...) do {					\
	int tap_ok_ = !!(cond);						\
	tap_n++;							\
	tap_failed += !tap_ok_;						\
	printf("%s %u - ", tap_ok_ ? "ok" : "not ok", tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!tap_ok_)							\
		printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
} while (0)

static inline int tap_done(const char *what)
{
	printf("1..%u\n%s: %u passed, %u failed\n", tap_n, what,
	       tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
