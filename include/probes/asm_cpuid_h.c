// SPDX-License-Identifier: GPL-2.0
/* cpuid() is declared in <asm/cpuid.h> (Linux 6.12) */
#include <linux/compiler.h>
#include <asm/cpuid.h>

static void __maybe_unused probe_cpuid(void)
{
	unsigned int a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
}
