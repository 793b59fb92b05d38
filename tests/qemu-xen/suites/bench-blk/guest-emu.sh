#!/bin/bash
# The block benchmark in a emu guest: see measure.sh.
# shellcheck source=measure.sh
. "$(dirname "$0")/measure.sh"
