// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/devices/system/xen_memory/xen_memory0/, with the files Linux's own
 * balloon driver has there, so that tools and documentation apply:
 *   target_kb, target		the target (KiB, bytes); writable
 *   info/current_kb		the guest's RAM now
 *   info/low_kb, info/high_kb	what is ballooned (x86-64: all "low")
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/mm.h>

#include "xenballoon.h"

#define PAGES_TO_KIB(p)	((unsigned long long)(p) << (PAGE_SHIFT - 10))

static struct bus_type xenballoon_subsys = {
	.name = "xen_memory",
	.dev_name = "xen_memory",
};

static unsigned long xenballoon_read(unsigned long *field)
{
	unsigned long v;

	mutex_lock(&xenballoon.lock);
	v = *field;
	mutex_unlock(&xenballoon.lock);
	return v;
}

static ssize_t target_kb_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  PAGES_TO_KIB(xenballoon_read(&xenballoon.target_pages)));
}

static ssize_t target_kb_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	unsigned long long kib;
	int rc = kstrtoull(buf, 0, &kib);

	if (rc)
		return rc;
	xenballoon_set_target(kib >> (PAGE_SHIFT - 10), "sysfs target_kb");
	return count;
}
static DEVICE_ATTR_RW(target_kb);

static ssize_t target_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (unsigned long long)xenballoon_read(&xenballoon.target_pages)
			  << PAGE_SHIFT);
}

static ssize_t target_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	unsigned long long bytes;
	int rc = kstrtoull(buf, 0, &bytes);

	if (rc)
		return rc;
	xenballoon_set_target(bytes >> PAGE_SHIFT, "sysfs target");
	return count;
}
static DEVICE_ATTR_RW(target);

static struct attribute *xenballoon_attrs[] = {
	&dev_attr_target_kb.attr,
	&dev_attr_target.attr,
	NULL,
};

static const struct attribute_group xenballoon_group = {
	.attrs = xenballoon_attrs,
};

static ssize_t current_kb_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  PAGES_TO_KIB(xenballoon_read(&xenballoon.current_pages)));
}
static DEVICE_ATTR_RO(current_kb);

static ssize_t low_kb_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  PAGES_TO_KIB(xenballoon_read(&xenballoon.nr_ballooned)));
}
static DEVICE_ATTR_RO(low_kb);

static ssize_t high_kb_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "0\n");
}
static DEVICE_ATTR_RO(high_kb);

static struct attribute *xenballoon_info_attrs[] = {
	&dev_attr_current_kb.attr,
	&dev_attr_low_kb.attr,
	&dev_attr_high_kb.attr,
	NULL,
};

static const struct attribute_group xenballoon_info_group = {
	.name = "info",
	.attrs = xenballoon_info_attrs,
};

static const struct attribute_group *xenballoon_groups[] = {
	&xenballoon_group,
	&xenballoon_info_group,
	NULL,
};

static void xenballoon_dev_release(struct device *dev)
{
}

static struct device xenballoon_dev = {
	.id = 0,
	.bus = &xenballoon_subsys,
	.groups = xenballoon_groups,
	.release = xenballoon_dev_release,
};

int xenballoon_sysfs_init(void)
{
	int rc = subsys_system_register(&xenballoon_subsys, NULL);

	if (rc) {
		pr_err("registering /sys/devices/system/xen_memory failed: %d\n",
		       rc);
		return rc;
	}
	rc = device_register(&xenballoon_dev);
	if (rc) {
		pr_err("registering xen_memory0 failed: %d\n", rc);
		put_device(&xenballoon_dev);
		bus_unregister(&xenballoon_subsys);
	}
	return rc;
}

void xenballoon_sysfs_exit(void)
{
	device_unregister(&xenballoon_dev);
	bus_unregister(&xenballoon_subsys);
}
