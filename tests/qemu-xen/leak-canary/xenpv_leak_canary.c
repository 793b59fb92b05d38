// SPDX-License-Identifier: GPL-2.0
/*
 * The leaks suite's canary, a test module that is never shipped.
 *
 * It leaks on purpose: at load it allocates a few objects and keeps no
 * pointer to them.  The suite loads it after the last reload of our
 * modules and before kmemleak's scans, which must then report those
 * objects with a frame in this module.  That shows kmemleak is on and
 * scanning, so that its finding nothing of ours means something.
 *
 * The allocation is not in the init function: init text is freed after
 * loading, and a frame there would print as a bare address instead of
 * naming this module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

/*
 * Several objects: a stale copy of a pointer left in a stack or a
 * register that kmemleak scans can hide one of them, not all.
 */
#define CANARY_OBJECTS	8
#define CANARY_SIZE	712

static noinline unsigned int canary_leak(void)
{
	unsigned int i, leaked = 0;
	char *obj;

	for (i = 0; i < CANARY_OBJECTS; i++) {
		/* Zeroed: contents that point at nothing, not even another. */
		obj = kzalloc(CANARY_SIZE, GFP_KERNEL);
		if (!obj)
			break;
		leaked++;
	}
	return leaked;
}

static int __init canary_init(void)
{
	pr_info("leaked %u objects of %u bytes on purpose, for kmemleak\n",
		canary_leak(), CANARY_SIZE);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("xenpv test: a deliberate leak that kmemleak must find");
MODULE_LICENSE("GPL");
