// SPDX-License-Identifier: GPL-2.0
/* bus_type.remove returns void (Linux 5.15) */
#include <linux/device.h>

static void probe_remove(struct device *dev)
{
}

static struct bus_type probe_bus __maybe_unused = { .remove = probe_remove };
