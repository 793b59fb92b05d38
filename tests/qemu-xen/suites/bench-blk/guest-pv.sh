#!/bin/bash
# The block benchmark in a pv guest: see measure.sh.
# shellcheck source=measure.sh
. "$(dirname "$0")/measure.sh"
