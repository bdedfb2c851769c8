#!/usr/bin/env python3
"""Cardinality benchmark journal: N sshd failed-login entries, each from a different source
address (IPv4 from 10.0.0.0/8 upwards, then IPv6 in 2001:db8::/32), 10,000 entries per second of
entry time, with one ordinary brute force hidden in the middle: 30 failures for root from
203.0.113.77, one a second. Writes systemd journal export format on stdout, trusted sshd fields
as a real sshd's entries carry them.

Usage: gen_cardinality.py -n 10000000 | systemd-journal-remote --output=DIR/card.journal -
"""
import argparse
import ipaddress
import sys

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000_000, help="entries (default 10,000,000)")
    parser.add_argument("--start", type=int, default=1_764_000_000_000_000, help="first entry time, µs")
    args = parser.parse_args()
    out = sys.stdout.buffer
    boot = b"6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"
    fixed = (b"_BOOT_ID=" + boot + b"\n_HOSTNAME=card01\n_TRANSPORT=syslog\nSYSLOG_IDENTIFIER=sshd\n"
             b"_COMM=sshd\n_EXE=/usr/sbin/sshd\n_UID=0\nSYSLOG_FACILITY=10\nPRIORITY=5\n")
    brute_start = args.n // 2
    brute_every = 10_000  # one attempt a second at 10,000 entries a second
    brute_count = 30
    base4 = int(ipaddress.IPv4Address("10.0.0.0"))
    base6 = int(ipaddress.IPv6Address("2001:db8::"))
    chunk = []
    for index in range(args.n):
        offset = index - brute_start
        if 0 <= offset < brute_every * brute_count and offset % brute_every == 0:
            address, user = "203.0.113.77", "root"
        elif index < (1 << 24):
            address, user = str(ipaddress.IPv4Address(base4 + index)), "admin"
        else:
            address, user = str(ipaddress.IPv6Address(base6 + index)), "admin"
        realtime = args.start + index * 100
        pid = 1000 + index % 30000
        message = "Failed password for %s from %s port %d ssh2" % (user, address, 1024 + index % 60000)
        chunk.append(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n%s_PID=%d\nMESSAGE=%s\n\n" % (
            realtime, realtime - args.start + 1_000_000, fixed, pid, message.encode()))
        if len(chunk) >= 10_000:
            out.write(b"".join(chunk))
            chunk.clear()
    out.write(b"".join(chunk))

if __name__ == "__main__":
    main()
