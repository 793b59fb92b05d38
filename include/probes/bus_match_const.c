// SPDX-License-Identifier: GPL-2.0
/* bus_type.match takes a const struct device_driver (Linux 6.11) */
#include <linux/device.h>

static int probe_match(struct device *dev, const struct device_driver *drv)
{
	return 0;
}

static struct bus_type probe_bus __maybe_unused = { .match = probe_match };
