#!/bin/bash
# blk-trace in a pv guest: see trace.sh.
# shellcheck source=trace.sh
. "$(dirname "$0")/trace.sh"
