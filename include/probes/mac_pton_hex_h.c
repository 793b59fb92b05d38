// SPDX-License-Identifier: GPL-2.0
/* mac_pton() is declared in <linux/hex.h> (before: <linux/kernel.h>) */
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/hex.h>

static bool __maybe_unused probe_mac_pton(const char *s, u8 *mac)
{
	return mac_pton(s, mac);
}
