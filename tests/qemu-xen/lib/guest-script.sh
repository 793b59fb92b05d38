#!/bin/bash
# Runs the file given to "run --guest-script" as root in a xen_nopv guest
# with our modules loaded; its exit status is one test, its output shown.
# shellcheck source=../guest/lib.sh
. /opt/xenpv/guest/lib.sh
script=/opt/xenpv/suites/script/user-script
chmod +x "$script"
out=/tmp/user-script.out
"$script" > "$out" 2>&1
rc=$?
sed 's/^/XENPV-TAP # /' "$out" > /dev/ttyS0
if [ $rc = 0 ]; then
	tap_ok "guest-script: $(cat /opt/xenpv/suites/script/name) exited 0"
else
	tap_not_ok "guest-script: $(cat /opt/xenpv/suites/script/name) exited $rc"
fi
