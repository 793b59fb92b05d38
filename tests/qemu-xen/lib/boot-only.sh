#!/bin/sh
# For measure-flake: a guest that got here booted and loaded xenpv.
grep -qw xenpv /proc/modules
