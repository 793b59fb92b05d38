#!/bin/bash
# blk-trace, dom0 part for the pv guest: see dom0.sh.
# shellcheck source=dom0.sh
. "$(dirname "$0")/dom0.sh"
