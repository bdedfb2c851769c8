#!/usr/bin/env python3
"""Runs a command and prints its peak resident set size in MiB on stderr (after the command's
own output): `peak-rss.py cordon replay …`. Standard output and error pass through."""
import resource
import subprocess
import sys

status = subprocess.call(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("peak RSS: %.0f MiB" % peak, file=sys.stderr)
sys.exit(status)
