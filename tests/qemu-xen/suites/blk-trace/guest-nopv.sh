#!/bin/bash
# blk-trace in a nopv guest: see trace.sh.
# shellcheck source=trace.sh
. "$(dirname "$0")/trace.sh"
