// SPDX-License-Identifier: GPL-2.0
/* tty_operations.write_room returns unsigned int (Linux 5.14) */
#include <linux/tty.h>
#include <linux/tty_driver.h>

static unsigned int probe_write_room(struct tty_struct *tty)
{
	return 0;
}

static const struct tty_operations probe_ops __maybe_unused = {
	.write_room = probe_write_room,
	.chars_in_buffer = probe_write_room,
};
