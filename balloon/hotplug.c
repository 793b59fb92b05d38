// SPDX-License-Identifier: GPL-2.0
/*
 * Growing past the RAM the guest booted with, when maxmem allows: memory
 * hotplug.
 *
 * When the target is above all the guest has (RAM and balloon), the worker
 * asks for more guest-physical address space: whole memory blocks above
 * everything else, added as driver-managed "System RAM (xenballoon)".  Xen
 * has backed none of it, so none of its pages may reach the allocator
 * before XENMEM_populate_physmap did.  The kernel onlines such blocks only
 * when told (auto_online_blocks, a udev rule, or writing "online" to the
 * block's state), and onlining passes every page through the online-page
 * callback: ours keeps the pages of our blocks, unbacked, in the balloon,
 * and deflating backs them and gives them to the allocator like any other.
 *
 * A block added and not yet onlined, or a page of one still unbacked,
 * would fault if anyone but us onlined it, so the module stays loaded
 * (holds a reference to itself) until there is none.  Kernels built
 * without memory hotplug stop at the RAM they booted with, and say so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ioport.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include "xenballoon.h"

#ifdef CONFIG_MEMORY_HOTPLUG

#define XENBALLOON_HOT_RANGES	16
#define XENBALLOON_HOT_NAME	"System RAM (xenballoon)"

/* The guest-physical ranges we added, for the online-page callback. */
static struct range xenballoon_hot[XENBALLOON_HOT_RANGES];
static unsigned int xenballoon_nr_hot;	/* under xenballoon.lock */
static bool xenballoon_hot_ready;	/* the callback is ours */
static bool xenballoon_pinned;		/* we hold a module reference */

static bool xenballoon_is_hot(u64 addr)
{
	unsigned int i;

	for (i = 0; i < READ_ONCE(xenballoon_nr_hot); i++)
		if (addr >= xenballoon_hot[i].start &&
		    addr <= xenballoon_hot[i].end)
			return true;
	return false;
}

/*
 * Pages of our blocks being onlined: into the balloon, unbacked.  Called
 * by the memory hotplug core, never with xenballoon.lock held (blocks are
 * added outside it).
 */
static void xenballoon_online_page(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page), i;

	if (!xenballoon_is_hot(PFN_PHYS(pfn))) {
		generic_online_page(page, order);
		return;
	}
	mutex_lock(&xenballoon.lock);
	for (i = 0; i < (1UL << order); i++)
		list_add_tail(&pfn_to_page(pfn + i)->lru, &xenballoon.unbacked);
	xenballoon.nr_ballooned += 1UL << order;
	xenballoon.nr_unbacked += 1UL << order;
	xenballoon.hot_pending -= min(xenballoon.hot_pending, 1UL << order);
	mod_delayed_work(system_freezable_wq, &xenballoon.work, 0);
	mutex_unlock(&xenballoon.lock);
}

/* Free guest-physical space for @size bytes, block-aligned, from 4 GiB up. */
static int xenballoon_find_room(u64 size, u64 *start)
{
	struct resource probe = { .name = XENBALLOON_HOT_NAME,
				  .flags = IORESOURCE_SYSTEM_RAM };
	u64 max = (1ULL << boot_cpu_data.x86_phys_bits) - 1;
	int rc;

	rc = allocate_resource(&iomem_resource, &probe, size, SZ_4G, max,
			       memory_block_size_bytes(), NULL, NULL);
	if (rc)
		return rc;
	*start = probe.start;
	release_resource(&probe);
	return 0;
}

/**
 * xenballoon_hotplug_add() - more guest-physical memory, to be backed
 * @pages: how many pages the target is above all the guest has
 *
 * Adds whole memory blocks, unbacked; they join the balloon when onlined.
 * Called by the worker without xenballoon.lock (onlining may take it).
 */
void xenballoon_hotplug_add(unsigned long pages)
{
	u64 block = memory_block_size_bytes();
	u64 size = round_up((u64)pages << PAGE_SHIFT, block);
	u64 start;
	int rc, nid;

	if (!xenballoon_hot_ready)
		return;
	if (xenballoon_nr_hot == XENBALLOON_HOT_RANGES) {
		pr_warn("%u memory ranges hot-added already; adding no more\n",
			XENBALLOON_HOT_RANGES);
		mutex_lock(&xenballoon.lock);
		xenballoon.hot_failed = true;
		mutex_unlock(&xenballoon.lock);
		return;
	}
	rc = xenballoon_find_room(size, &start);
	if (rc) {
		pr_err("no guest-physical room for %llu MiB of hot-added memory: %d\n",
		       size >> 20, rc);
		return;
	}
	mutex_lock(&xenballoon.lock);
	/*
	 * The reference first: once rmmod has begun, try_module_get() fails
	 * and nothing is added that the module's exit would leave behind.
	 */
	if (!xenballoon_pinned) {
		if (xenballoon.stopping || !try_module_get(THIS_MODULE)) {
			mutex_unlock(&xenballoon.lock);
			return;
		}
		xenballoon_pinned = true;
	}
	/* Before the kernel may online it (auto_online_blocks). */
	xenballoon_hot[xenballoon_nr_hot] =
		(struct range){ .start = start, .end = start + size - 1 };
	WRITE_ONCE(xenballoon_nr_hot, xenballoon_nr_hot + 1);
	xenballoon.hot_pending += size >> PAGE_SHIFT;
	mutex_unlock(&xenballoon.lock);

	nid = memory_add_physaddr_to_nid(start);
	rc = add_memory_driver_managed(nid, start, size, XENBALLOON_HOT_NAME,
				       MHP_NONE);
	mutex_lock(&xenballoon.lock);
	if (rc) {
		pr_err("adding %llu MiB of memory at %#llx failed: %d; staying at %lu MiB\n",
		       size >> 20, start, rc,
		       (xenballoon.current_pages + xenballoon.nr_ballooned) >>
		       (20 - PAGE_SHIFT));
		xenballoon.hot_pending -= size >> PAGE_SHIFT;
		WRITE_ONCE(xenballoon_nr_hot, xenballoon_nr_hot - 1);
		xenballoon.hot_failed = true;
	} else {
		pr_info("hot-added %llu MiB at %#llx; it fills once onlined (auto_online_blocks, or \"online\" into the state of its blocks under /sys/devices/system/memory)\n",
			size >> 20, start);
	}
	mutex_unlock(&xenballoon.lock);
	xenballoon_hotplug_unpin();
}

/**
 * xenballoon_hotplug_unpin() - let the module go once nothing needs it
 *
 * Drops the module's reference to itself once no hot-added block waits
 * to be onlined and every page of ours is backed.  Called without
 * xenballoon.lock, from the worker or after adding.
 */
void xenballoon_hotplug_unpin(void)
{
	bool unpin;

	mutex_lock(&xenballoon.lock);
	unpin = xenballoon_pinned && !xenballoon.hot_pending &&
		!xenballoon.nr_unbacked;
	if (unpin)
		xenballoon_pinned = false;
	mutex_unlock(&xenballoon.lock);
	if (unpin)
		module_put(THIS_MODULE);
}

/* Whether the target may go past the RAM the guest booted with. */
bool xenballoon_hotplug_enabled(void)
{
	return xenballoon_hot_ready && !xenballoon.hot_failed;
}

void xenballoon_hotplug_init(void)
{
	int rc = set_online_page_callback(xenballoon_online_page);

	if (rc) {
		pr_warn("another driver handles memory onlining (%d); no growing past the RAM the guest booted with\n",
			rc);
		return;
	}
	xenballoon_hot_ready = true;
}

void xenballoon_hotplug_exit(void)
{
	if (xenballoon_hot_ready)
		restore_online_page_callback(xenballoon_online_page);
}

#else /* !CONFIG_MEMORY_HOTPLUG */

void xenballoon_hotplug_add(unsigned long pages)
{
}

void xenballoon_hotplug_unpin(void)
{
}

bool xenballoon_hotplug_enabled(void)
{
	return false;
}

void xenballoon_hotplug_init(void)
{
	pr_info("this kernel has no memory hotplug: no growing past the RAM the guest booted with\n");
}

void xenballoon_hotplug_exit(void)
{
}

#endif /* CONFIG_MEMORY_HOTPLUG */
