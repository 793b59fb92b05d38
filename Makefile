# SPDX-License-Identifier: GPL-2.0
#
# For people: "make dkms-install" (or "make", "make install"), and "make
# check".  Kbuild (the file next
# to this one) is what the kernel's build system reads.

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
# The release of the kernel in KDIR (which may not be the running one),
# as its modules directory is named: UTS_RELEASE.  (Debian's
# include/config/kernel.release holds the upstream version instead.)
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
INSTALL_MOD_DIR ?= updates/xenpv

.PHONY: all modules install clean check unit qemu-test demo style sparse \
	dkms-install dkms-remove dist deb rpm

all: modules

modules:
	@test -f $(KDIR)/Makefile || { echo "No kernel build tree at $(KDIR): install linux-headers-$(KERNELRELEASE) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KREL)

# DKMS: the source as /usr/src/xenpv-VERSION, the modules built for this
# kernel (and by DKMS for each later one), the initramfs rebuilt to hold
# them.  dkms-remove undoes it all.
dkms-install:
	KERNELRELEASE=$(KERNELRELEASE) scripts/dkms-install install

dkms-remove:
	KERNELRELEASE=$(KERNELRELEASE) scripts/dkms-install remove

# Packages of the DKMS source, into dist/.
dist deb rpm:
	scripts/build-packages $@

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf .probes dist
	$(MAKE) -C tests/unit clean

# Everything: userspace unit tests, then the Xen-in-QEMU suites.
check:
	scripts/check

unit:
	$(MAKE) -C tests/unit check

qemu-test:
	tests/qemu-xen/run

# Xen in QEMU, a xen_nopv guest with xenpv, and what it looks like.
demo:
	tests/qemu-xen/run --guest-script tests/qemu-xen/demo.sh

# Kernel style and static checks (W=1 and sparse through kbuild).
style:
	scripts/style-check

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF=-D__CHECK_ENDIAN__ W=1 modules
