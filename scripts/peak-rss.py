#!/usr/bin/env python3
"""Runs a command and prints its peak resident set size in MiB on stderr (after the command's
own output): `peak-rss.py cordon replay …`. Standard output and error pass through.

The peak is split in two, sampled from /proc/PID/status every 10 ms while the command runs:
anonymous memory (RssAnon: the heap, stacks — what the program itself allocated) and file pages
(RssFile: mostly the journal files libsystemd maps to read them, the same pages any reader of
those files maps, and which the kernel reclaims under pressure). The total is getrusage's maximum.
"""
import resource
import subprocess
import sys
import time


def sample(pid):
    values = {}
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                name, _, rest = line.partition(":")
                if name in ("RssAnon", "RssFile"):
                    values[name] = int(rest.split()[0])
    except OSError:
        pass
    return values


process = subprocess.Popen(sys.argv[1:])
peak = {"RssAnon": 0, "RssFile": 0}
while process.poll() is None:
    for name, value in sample(process.pid).items():
        peak[name] = max(peak[name], value)
    time.sleep(0.01)
total = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("peak RSS: %.0f MiB (anonymous %.1f MiB, file-backed %.0f MiB)"
      % (total, peak["RssAnon"] / 1024, peak["RssFile"] / 1024), file=sys.stderr)
sys.exit(process.returncode)
