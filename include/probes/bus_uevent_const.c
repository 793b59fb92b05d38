// SPDX-License-Identifier: GPL-2.0
/* bus_type.uevent takes a const struct device (Linux 6.3) */
#include <linux/device.h>

static int probe_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	return 0;
}

static struct bus_type probe_bus __maybe_unused = { .uevent = probe_uevent };
