#!/bin/bash
# The block benchmark in a nopv guest: see measure.sh.
# shellcheck source=measure.sh
. "$(dirname "$0")/measure.sh"
