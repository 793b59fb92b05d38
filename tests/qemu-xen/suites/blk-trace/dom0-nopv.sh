#!/bin/bash
# blk-trace, dom0 part for the nopv guest: see dom0.sh.
# shellcheck source=dom0.sh
. "$(dirname "$0")/dom0.sh"
