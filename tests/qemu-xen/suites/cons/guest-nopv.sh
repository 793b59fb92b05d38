#!/bin/bash
# The cons suite, guest part (xen_nopv guest, xencons): hvc0 as the
# domain's console with a getty that dom0 logs in to (a command, Ctrl-C,
# 1 MiB out, 64 KiB in), kernel messages through console=hvc0, an extra
# console (an xl channel) as hvc1 carrying raw bytes both ways, a clean
# unload, and the primary console again as xvc0.  dom0's part
# (dom0-nopv.sh with console.py) is the far end of each console.
# shellcheck source=../../guest/lib.sh
. /opt/xenpv/guest/lib.sh

# is_tty NAME MAJOR:MINOR (hex, as stat prints them)
is_tty() { [ -c "/dev/$1" ] && [ "$(stat -c %t:%T "/dev/$1")" = "$2" ]; }
loaded() { grep -q '^xencons ' /proc/modules; }
start_getty() { setsid -f agetty -L "$1" 38400 vt100 < /dev/null > /dev/null 2>&1; }
stop_getty() { pkill -x agetty; pkill -x login; sleep 1; }

wait_dom0 channel-added 300 > /dev/null
tap_check "cons: udev loaded xencons for device/console/1 (xen:console)" \
	wait_for 60 loaded
loaded || modprobe xencons
tap_check "cons: /dev/hvc0 is the primary console, char 229:0" \
	wait_for 30 is_tty hvc0 e5:0
tap_check "cons: xencons says hvc0 is the domain's console" \
	dmesg_has "hvc0 is the domain's console"
tap_check "cons: the channel is /dev/hvc1, char 229:1" \
	wait_for 60 is_tty hvc1 e5:1

# Kernel messages reach dom0 (the guest booted with console=hvc0).
marker="xencons-kmsg-$RANDOM$RANDOM"
echo "<2>$marker" > /dev/kmsg
tell_dom0 kmsg "$marker"

# A getty on hvc0 for dom0 to log in to, and 1 MiB for it to cat.
echo root:xenpv | chpasswd
head -c 1048576 /dev/urandom | base64 -w 76 > /tmp/big.b64
tell_dom0 big-sha "$(sha256sum < /tmp/big.b64 | cut -d' ' -f1)"
start_getty hvc0
tell_dom0 getty-hvc0 1
wait_dom0 login-done-hvc0 900 > /dev/null ||
	tap_not_ok "cons: dom0 finished its session on hvc0"
stop_getty

# hvc1, raw: dom0 sends 8 KiB, then we send 8 KiB.  (Without the device,
# <> would make a plain file of that name.)
is_tty hvc1 e5:1 && exec 3<> /dev/hvc1 && stty raw -echo <&3 &&
	tell_dom0 hvc1-ready 1
if is_tty hvc1 e5:1 && want=$(wait_dom0 hvc1-in-sha 120); then
	got=$(timeout 120 head -c 8192 <&3 | sha256sum | cut -d' ' -f1)
	tap_check "cons: 8 KiB dom0 wrote into the channel arrive intact on hvc1" \
		test "$got" = "$want"
	head -c 8192 /dev/urandom > /tmp/hvc1.out
	tell_dom0 hvc1-out-sha "$(sha256sum < /tmp/hvc1.out | cut -d' ' -f1)"
	cat /tmp/hvc1.out >&3
	wait_dom0 hvc1-done 180 > /dev/null
else
	tap_not_ok "cons: hvc1 carries data both ways (no hvc1, or dom0 sent nothing)"
fi
exec 3>&-

# Unload with consoles that were in use, then the classic name.
tap_check "cons: xencons unloads" rmmod xencons
tap_check "cons: hvc0 and hvc1 are gone with it" \
	test ! -e /dev/hvc0 -a ! -e /dev/hvc1
tap_check "cons: xencons loads again with primary=xvc0" \
	modprobe xencons primary=xvc0
tap_check "cons: /dev/xvc0 is the primary console, char 204:191" \
	wait_for 30 is_tty xvc0 cc:bf
tap_check "cons: hvc1 comes back: the channel reconnects" \
	wait_for 60 is_tty hvc1 e5:1
start_getty xvc0
tell_dom0 getty-xvc0 1
wait_dom0 login-done-xvc0 300 > /dev/null ||
	tap_not_ok "cons: dom0 finished its session on xvc0"
stop_getty
tap_check "cons: xencons unloads again" rmmod xencons
