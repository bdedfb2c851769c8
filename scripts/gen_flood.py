#!/usr/bin/env python3
"""Message flood benchmark journal: N entries from one source (ehr-api.service, the health
application's unit, trusted fields as journald sets them), each a message of random words and
numbers that no other entry shares, 1,000 entries per second of entry time. Every message is a new
template for the anomaly model: its categories of that source, of all sources, and the parse tree
must stay within their caps. Writes systemd journal export format on stdout.

Usage: gen_flood.py -n 1000000 | systemd-journal-remote --output=DIR/flood.journal -
"""
import argparse
import random
import sys

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
         "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
         "xray", "yankee", "zulu", "error", "failed", "connection", "patient", "record", "timeout", "queue", "worker"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="entries (default 1,000,000)")
    parser.add_argument("--start", type=int, default=1_764_000_000_000_000, help="first entry time, µs")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    fixed = (b"_BOOT_ID=7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a\n_HOSTNAME=flood01\n_TRANSPORT=stdout\n"
             b"SYSLOG_IDENTIFIER=ehr-api\n_COMM=java\n_EXE=/usr/bin/java\n_UID=998\n"
             b"_SYSTEMD_UNIT=ehr-api.service\nPRIORITY=3\n")
    chunk = []
    for index in range(args.n):
        # Random words (the first differs, so the tree fans out) and a random length: no two alike.
        words = [rng.choice(WORDS) + rng.choice(WORDS) for _ in range(rng.randint(3, 14))]
        message = " ".join(words) + " #" + format(index, "x")
        realtime = args.start + index * 1000
        chunk.append(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n" % (realtime, realtime - args.start + 1_000_000))
        chunk.append(fixed)
        chunk.append(b"MESSAGE=" + message.encode() + b"\n\n")
        if len(chunk) >= 3000:
            out.write(b"".join(chunk))
            chunk.clear()
    out.write(b"".join(chunk))
    out.flush()


if __name__ == "__main__":
    main()
