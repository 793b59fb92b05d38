// SPDX-License-Identifier: GPL-2.0
/*
 * The toolstack's requests: control/shutdown and control/sysrq.
 *
 * Once a guest has PV drivers (HVM_PARAM_CALLBACK_IRQ is set), libxl
 * stops pressing the virtual ACPI power button for `xl shutdown` and
 * `xl reboot`: it writes "poweroff" or "reboot" to control/shutdown and
 * leaves the rest to the guest.  `xl sysrq` writes a key to control/sysrq.
 * Without this file such a guest would ignore them.
 *
 * A request is taken by clearing its key in the transaction that read it,
 * so a watch that fires twice never runs one request twice, and the
 * toolstack sees it acknowledged.  Poweroff and reboot then go the
 * orderly way, through the kernel's poweroff and reboot helpers, as if
 * the administrator had typed them.
 *
 * "suspend" (xl save, xl migrate) is taken only when every bound PV
 * driver can resume (suspend.c); otherwise it is left in place and the
 * toolstack gives up on it after its timeout, instead of waiting on a
 * guest that would acknowledge it and never suspend.
 *
 * control/feature-* tell the toolstack which requests we understand
 * (XAPI reads them before it offers a clean shutdown or a migration).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/reboot.h>
#include <linux/sysrq.h>

#include "core.h"

#define XENPV_CONTROL	"control"

enum xenpv_shutdown_action {
	XENPV_SHUTDOWN_NONE,
	XENPV_SHUTDOWN_POWEROFF,
	XENPV_SHUTDOWN_REBOOT,
	XENPV_SHUTDOWN_SUSPEND,
	XENPV_SHUTDOWN_UNSUPPORTED,
};

static const struct {
	const char *request;
	enum xenpv_shutdown_action action;
} xenpv_shutdown_requests[] = {
	{ "poweroff", XENPV_SHUTDOWN_POWEROFF },
	{ "halt", XENPV_SHUTDOWN_POWEROFF },
	{ "reboot", XENPV_SHUTDOWN_REBOOT },
	{ "suspend", XENPV_SHUTDOWN_SUSPEND },
};

/* The control/feature-* keys we set to "1", where the toolstack has them. */
static const char *const xenpv_control_features[] = {
	"feature-poweroff", "feature-halt", "feature-reboot", "feature-sysrq",
	"feature-suspend",
};

struct xenpv_shutdown_take {
	bool can_suspend;	/* in: the bus is held for a suspend */
	enum xenpv_shutdown_action action;
	char request[16];	/* as read, for the log */
};

static enum xenpv_shutdown_action xenpv_shutdown_action(const char *request)
{
	unsigned int i;

	if (!request[0])
		return XENPV_SHUTDOWN_NONE;
	for (i = 0; i < ARRAY_SIZE(xenpv_shutdown_requests); i++)
		if (!strcmp(request, xenpv_shutdown_requests[i].request))
			return xenpv_shutdown_requests[i].action;
	return XENPV_SHUTDOWN_UNSUPPORTED;
}

/* Transaction body: read control/shutdown, and clear it if we act on it. */
static int xenpv_shutdown_take(u32 tx, void *arg)
{
	struct xenpv_shutdown_take *take = arg;
	char *request;

	request = xenpv_xs_read(tx, XENPV_CONTROL, "shutdown", NULL);
	if (IS_ERR(request)) {
		take->action = XENPV_SHUTDOWN_NONE;
		return PTR_ERR(request) == -ENOENT ? 0 : PTR_ERR(request);
	}
	take->action = xenpv_shutdown_action(request);
	strscpy(take->request, request, sizeof(take->request));
	kfree(request);
	if (take->action == XENPV_SHUTDOWN_SUSPEND && !take->can_suspend)
		take->action = XENPV_SHUTDOWN_UNSUPPORTED;
	if (take->action == XENPV_SHUTDOWN_NONE ||
	    take->action == XENPV_SHUTDOWN_UNSUPPORTED)
		return 0;
	return xenpv_xs_write(tx, XENPV_CONTROL, "shutdown", "");
}

/* Whether control/shutdown asks for a suspend, outside a transaction. */
static bool xenpv_suspend_requested(void)
{
	char *request = xenpv_xs_read(XENPV_XS_NO_TX, XENPV_CONTROL,
				      "shutdown", NULL);
	bool suspend;

	if (IS_ERR(request))
		return false;
	suspend = xenpv_shutdown_action(request) == XENPV_SHUTDOWN_SUSPEND;
	kfree(request);
	return suspend;
}

static void xenpv_shutdown_changed(struct xenpv_xs_watch *watch,
				   const char *path)
{
	struct xenpv_shutdown_take take = { };
	int rc;

	/* The bus is held before the request is taken: the answer holds. */
	take.can_suspend = xenpv_suspend_requested() && xenpv_suspend_prepare();
	rc = xenpv_xs_transact(xenpv_shutdown_take, &take);
	if (take.can_suspend && (rc || take.action != XENPV_SHUTDOWN_SUSPEND))
		xenpv_suspend_abandon();
	if (rc) {
		pr_err("reading control/shutdown failed: %d\n", rc);
		return;
	}
	switch (take.action) {
	case XENPV_SHUTDOWN_POWEROFF:
		pr_info("the toolstack asks for a power-off (control/shutdown = %s)\n",
			take.request);
		orderly_poweroff(false);
		break;
	case XENPV_SHUTDOWN_REBOOT:
		pr_info("the toolstack asks for a reboot (control/shutdown = %s)\n",
			take.request);
		orderly_reboot();
		break;
	case XENPV_SHUTDOWN_SUSPEND:
		xenpv_suspend();
		break;
	case XENPV_SHUTDOWN_UNSUPPORTED:
		pr_warn("control/shutdown = \"%s\" is not supported now; the toolstack will time out\n",
			take.request);
		break;
	case XENPV_SHUTDOWN_NONE:
		break;
	}
}

static struct xenpv_xs_watch xenpv_shutdown_watch = {
	.path = XENPV_CONTROL "/shutdown",
	.callback = xenpv_shutdown_changed,
};

/* Transaction body: read control/sysrq, and clear it if it holds a key. */
static int xenpv_sysrq_take(u32 tx, void *arg)
{
	char *key = arg;
	char *value;

	value = xenpv_xs_read(tx, XENPV_CONTROL, "sysrq", NULL);
	if (IS_ERR(value)) {
		*key = '\0';
		return PTR_ERR(value) == -ENOENT ? 0 : PTR_ERR(value);
	}
	*key = value[0];
	kfree(value);
	if (!*key)
		return 0;
	return xenpv_xs_write(tx, XENPV_CONTROL, "sysrq", "");
}

static void xenpv_sysrq_changed(struct xenpv_xs_watch *watch,
				const char *path)
{
	char key;
	int rc;

	rc = xenpv_xs_transact(xenpv_sysrq_take, &key);
	if (rc) {
		pr_err("reading control/sysrq failed: %d\n", rc);
		return;
	}
	/* handle_sysrq() honours the kernel.sysrq setting. */
	if (key)
		handle_sysrq(key);
}

static struct xenpv_xs_watch xenpv_sysrq_watch = {
	.path = XENPV_CONTROL "/sysrq",
	.callback = xenpv_sysrq_changed,
};

static bool xenpv_control_watching;

/*
 * Only the keys the toolstack made are set: the guest may write those,
 * but not create new ones under control/ (libxl makes feature-poweroff
 * and feature-reboot, and no feature-sysrq).
 */
static void xenpv_control_advertise(const char *value)
{
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(xenpv_control_features); i++) {
		if (!xenpv_xs_exists(XENPV_XS_NO_TX, XENPV_CONTROL,
				     xenpv_control_features[i]))
			continue;
		rc = xenpv_xs_write(XENPV_XS_NO_TX, XENPV_CONTROL,
				    xenpv_control_features[i], value);
		if (rc)
			pr_warn("writing control/%s failed: %d\n",
				xenpv_control_features[i], rc);
	}
}

/*
 * A toolstack that never made control/ (not libxl, say) sends no
 * requests either: that is not an error.
 */
int xenpv_control_init(void)
{
	int rc;

	if (!xenpv_xs_exists(XENPV_XS_NO_TX, XENPV_CONTROL, "")) {
		pr_info("no control/ node in xenstore: shutdown requests from the toolstack are not watched\n");
		return 0;
	}
	rc = xenpv_xs_watch_register(&xenpv_shutdown_watch);
	if (rc)
		return rc;
	rc = xenpv_xs_watch_register(&xenpv_sysrq_watch);
	if (rc) {
		xenpv_xs_watch_unregister(&xenpv_shutdown_watch);
		return rc;
	}
	xenpv_control_advertise("1");
	xenpv_control_watching = true;
	return 0;
}

void xenpv_control_exit(void)
{
	if (!xenpv_control_watching)
		return;
	xenpv_control_watching = false;
	/* Gone with us: the toolstack goes back to ACPI. */
	xenpv_control_advertise("");
	xenpv_xs_watch_unregister(&xenpv_sysrq_watch);
	xenpv_xs_watch_unregister(&xenpv_shutdown_watch);
}
