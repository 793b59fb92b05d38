// SPDX-License-Identifier: GPL-2.0
/* tty_operations.write takes a size_t and returns ssize_t (Linux 6.6) */
#include <linux/tty.h>
#include <linux/tty_driver.h>

static ssize_t probe_write(struct tty_struct *tty, const u8 *buf, size_t count)
{
	return count;
}

static const struct tty_operations probe_ops __maybe_unused = {
	.write = probe_write,
};
