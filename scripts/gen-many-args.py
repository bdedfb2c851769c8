#!/usr/bin/env python3
"""Writes Tests/Fixtures/audit/many-args.log: one execve with 10,000 arguments, recorded the way the
kernel does it (kernel/auditsc.c audit_log_execve_info, MAX_EXECVE_AUDIT_LEN 7500): EXECVE records of
at most ~7500 bytes of arguments each; an argument that does not fit in the 7500-byte buffer is
hex-encoded and split as `aN_len=FULL aN[0]=… aN[1]=…`, possibly across records; records after the
first start with a space (`audit(…):  a123=…`). Python 3 standard library only; deterministic.
Usage: scripts/gen-many-args.py [output-file]
"""

import os
import sys

MAX_EXECVE_AUDIT_LEN = 7500
ABUF = 96  # sizeof(abuf) in audit_log_execve_info


def contains_control(data):
    """kernel/audit.c audit_string_contains_control."""
    return any(c == 0x22 or c < 0x21 or c > 0x7E for c in data)


def execve_bodies(argv):
    """The bodies of the EXECVE records for argv (list of bytes): a line-for-line port of the loop."""
    records = []
    current = "argc=%d" % len(argv)
    len_max = MAX_EXECVE_AUDIT_LEN
    len_rem = len_max
    len_buf = 0
    len_full = 0
    len_abuf = 0
    require_data = True
    encode = False
    iteration = 0
    arg = 0
    pos = 0          # read position inside argv[arg] (the user pointer p)
    buf = b""        # bytes fetched but not yet logged
    while True:
        data = argv[arg]
        if len_full == 0:
            len_full = len(data) - pos  # strnlen_user(p) - 1
        if require_data:
            avail = len_max - len_buf
            remaining = len(data) - pos
            if remaining >= avail:  # strncpy_from_user found no NUL in `avail` bytes
                len_tmp = avail
                require_data = True
                encode = True
                len_full = len_full * 2
                buf += data[pos:pos + len_tmp]
                pos += len_tmp
            else:
                len_tmp = remaining
                require_data = False
                buf += data[pos:pos + len_tmp]
                if not encode:
                    encode = contains_control(buf)
                if len_full < len_max:
                    len_full = len_tmp * 2 if encode else len_tmp
                pos += len_tmp + 1
            len_buf += len_tmp
            len_abuf = len_buf * 2 if encode else len_buf + 2
        if len_buf >= 0:
            if ABUF + 8 > len_rem:
                len_rem = len_max
                records.append(current)
                current = ""
            if require_data or iteration > 0 or (len_abuf + ABUF) > len_rem:
                label = ""
                if iteration == 0:
                    label += " a%d_len=%d" % (arg, len_full)
                label += " a%d[%d]=" % (arg, iteration)
                iteration += 1
            else:
                label = " a%d=" % arg
            current += label
            len_rem -= len(label)
            len_tmp = len_buf
            if encode:
                if len_abuf > len_rem:
                    len_tmp = len_rem // 2
                current += buf[:len_tmp].hex().upper()
                len_rem -= len_tmp * 2
                len_abuf -= len_tmp * 2
            else:
                if len_abuf > len_rem:
                    len_tmp = len_rem - 2
                current += '"' + buf[:len_tmp].decode("ascii") + '"'
                len_rem -= len_tmp + 2
                len_abuf -= len_tmp
            len_buf -= len_tmp
            buf = buf[len_tmp:]
        if len_buf == 0 and not require_data:
            arg += 1
            iteration = 0
            len_full = 0
            require_data = True
            encode = False
            pos = 0
        if arg >= len(argv):
            break
    records.append(current)
    return records


def untrusted(data):
    """kernel/audit.c audit_log_n_untrustedstring: hex if any control/space/quote/high byte, else quoted."""
    return data.hex().upper() if contains_control(data) else '"%s"' % data.decode("ascii")


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "audit", "many-args.log")
    # xargs runs grep with a 9,000-byte pattern (longer than the 7500-byte buffer) and 9,996 files.
    words = ["w%04d" % i for i in range(1500)]
    pattern = ("(" + "|".join(words) + ")").encode()[:9000]
    files = [b"/srv/www/uploads/2025/11/img_%05d.php" % i for i in range(9996)]
    argv = [b"grep", b"-l", b"-E", pattern] + files
    assert len(argv) == 10000
    stamp = "audit(1764158400.512:12001)"
    task = ("ppid=3300 pid=3301 auid=1000 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 "
            "tty=(none) ses=4294967295 comm=\"grep\" exe=\"/usr/bin/grep\" subj=unconfined key=\"exec\"")
    task = task.replace("auid=1000", "auid=4294967295")
    lines = [
        "# many-args: xargs (pid 3300, www-data, no login session) runs grep -l -E PATTERN FILE... with 10,000 arguments;",
        "# the 9,000-byte pattern is split as a3_len/a3[0]/a3[1] (hex, since it spans buffers), and the arguments fill",
        "# several EXECVE records of at most MAX_EXECVE_AUDIT_LEN (7500) bytes. Generated by scripts/gen-many-args.py.",
        "# audit rules: -a always,exit -F arch=b64 -S execve -k exec",
        "type=SYSCALL msg=%s: arch=c000003e syscall=59 success=yes exit=0 a0=55b0e4c1a2d0 a1=7f3c2a1ff010 "
        "a2=55b0e4c19e40 a3=7f3c2a1ff010 items=2 %s" % (stamp, task),
    ]
    lines += ["type=EXECVE msg=%s: %s" % (stamp, body) for body in execve_bodies(argv)]
    lines += [
        'type=CWD msg=%s: cwd="/srv/www"' % stamp,
        'type=PATH msg=%s: item=0 name="/usr/bin/grep" inode=1835702 dev=08:01 mode=0100755 ouid=0 ogid=0 '
        "rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0" % stamp,
        'type=PATH msg=%s: item=1 name="/lib64/ld-linux-x86-64.so.2" inode=1835321 dev=08:01 mode=0100755 '
        "ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0" % stamp,
        # get_cmdline() is cut at MAX_PROCTITLE_AUDIT_LEN (128) bytes; trailing non-printables trimmed
        "type=PROCTITLE msg=%s: proctitle=%s" % (stamp, untrusted(b"\0".join(argv)[:128].rstrip(b"\0"))),
        "type=EOE msg=%s: " % stamp,
    ]
    with open(output, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
