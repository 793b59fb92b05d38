#!/bin/bash
# The net benchmark in a emu guest, dom0 part: see dom0.sh.
# shellcheck source=dom0.sh
. "$(dirname "$0")/dom0.sh"
