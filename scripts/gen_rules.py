#!/usr/bin/env python3
"""Deterministic generator of synthetic but realistic Sigma rules for benchmarks.

Usage:
    python3 scripts/gen_rules.py -n 1000 --seed 42 --out DIR [--without re] [--without cidr]

Writes DIR/synthetic-0001.yml ... one rule per file. Rule i is the same whatever -n is, so the
10-rule set is the first 10 rules of the 1,000-rule set.

The rules look like a big Linux rule pack: log sources sshd, sudo, auth, syslog, cron and plain
`product: linux`; trusted-field selections (_EXE, _SYSTEMD_UNIT, _COMM) as Cordon's own rules
write them; MESSAGE and _CMDLINE/_EXE matched with contains, startswith, endswith, contains|all,
wildcards and keyword lists; some |re and some |cidr; conditions with `and`, `not`, `1 of x*` and
`all of x*`. Literals are plausible attacker strings with random parts, so nearly all rules never
match the bench journal (shared/bench/gen_journal.py); every 50th rule (3, 53, 103, ...) uses a
literal that the journal does hold, so a few alerts come out.

--without re / --without cidr write the selection that would use that modifier with a plain
substring or prefix instead (for an engine that does not support it yet); the count of such rules
goes to stderr.
"""
import argparse
import os
import random
import sys
import uuid

TOOLS = ["xmrig", "kinsing", "kdevtmpfsi", "linpeas", "pspy64", "chisel", "ngrok", "gsocket", "tsunami",
         "mimipenguin", "lazagne", "sliver", "merlin-agent", "pupy", "meterpreter", "reptile", "diamorphine",
         "bpfdoor", "ebury", "xorddos", "mirai", "gafgyt", "tinyshell", "prism", "azazel", "jynx2", "suterusu"]
COMMANDS = ["bash -i >& /dev/tcp/", "nc -e /bin/sh ", "python3 -c 'import pty;pty.spawn", "base64 -d | sh",
            "curl -fsSL http://", "wget -q -O- http://", "chmod 777 /dev/shm/", "chattr +i /etc/",
            "iptables -F", "setenforce 0", "history -c", "unset HISTFILE", "insmod /tmp/", "echo ssh-rsa AAAA",
            "crontab -r", "useradd -o -u 0 ", "passwd --stdin ", "LD_PRELOAD=/tmp/", "/etc/ld.so.preload",
            "systemctl disable --now auditd", "rm -rf /var/log/", "tar czf /tmp/.", "openssl enc -aes-256-cbc -in ",
            "socat TCP4:", "perl -e 'use Socket;", "php -r '$sock=fsockopen(", "awk 'BEGIN {s = \"/inet/tcp/0/"]
USER_NAMES = ["svc_backup2", "oracle_adm", "sapadm", "nagios2", "zabbix_agent", "helpdesk01", "it_support",
              "temp_admin", "jenkins_ci", "ansible_run", "vagrant", "kali", "pentest", "scanner", "dbadmin9"]
TLDS = ["xyz", "top", "ru", "cn", "tk", "pw", "cc", "su", "onion.ly", "duckdns.org", "ngrok.io"]
LEVELS = ["low", "medium", "medium", "high", "high", "critical"]
TECHNIQUES = ["t1110.001", "t1078.003", "t1548.003", "t1053.003", "t1059.004", "t1070.002", "t1098.004",
              "t1105", "t1136.001", "t1222.002", "t1562.001", "t1574.006", "t1014", "t1496", "t1021.004"]

# Strings the bench journal holds, few times each (the scripted intrusions, rare sudo/su events,
# some sshd noise): a rule using one raises a handful to a few thousand alerts.
PRESENT = {
    "sshd": ["maximum authentication attempts exceeded", "Unable to negotiate with ", "Accepted password for root"],
    "sudo": ["user NOT in sudoers", "COMMAND=/usr/bin/cat /etc/shadow"],
    "auth": ["FAILED SU (to root)"],
    "syslog": ["rootkit", "--vacuum-time", "/tmp/.x"],
    "cron": ["/opt/ehr/bin/export-hl7.sh"],
    "linux": ["usermod -aG sudo", "useradd -m -s /bin/bash"],
}


def quote(text):
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def yaml_list(values, indent):
    pad = " " * indent
    return "".join("\n%s- %s" % (pad, quote(v)) for v in values)


class Rules:
    def __init__(self, seed, without):
        self.seed = seed
        self.without = without
        self.substituted = {"re": 0, "cidr": 0}

    # ---------- literals ----------
    def token(self, r, n=6):
        return "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))

    def ip(self, r):
        return "%d.%d.%d.%d" % (r.choice([5, 31, 45, 62, 79, 91, 103, 141, 176, 185, 193, 194, 212]),
                                r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))

    def absent(self, r):
        """A plausible attacker string with a random part: never in the bench journal."""
        k = r.random()
        if k < 0.25:
            return r.choice(COMMANDS) + self.token(r, 5)
        if k < 0.45:
            return "/%s/.%s/%s" % (r.choice(["tmp", "dev/shm", "var/tmp", "run/user/0"]), self.token(r, 4), r.choice(TOOLS))
        if k < 0.6:
            return "%s.%s" % (self.token(r, 8), r.choice(TLDS))
        if k < 0.75:
            return "%s-%s" % (r.choice(TOOLS), self.token(r, 4))
        if k < 0.9:
            return " from %s port " % self.ip(r)
        return "%s%d" % (r.choice(USER_NAMES), r.randint(10, 99))

    def literals(self, r, lo, hi):
        return [self.absent(r) for _ in range(r.randint(lo, hi))]

    # ---------- selections ----------
    def trusted(self, family, r):
        """The selection that says which program wrote the entry, by fields journald sets."""
        if family == "sshd":
            return "    sshd:\n        - _EXE: /usr/sbin/sshd\n        - _SYSTEMD_UNIT:\n              - ssh.service\n              - sshd.service\n", "sshd"
        if family == "sudo":
            return "    sudo:\n        _EXE: /usr/bin/sudo\n", "sudo"
        if family == "cron":
            return ("    cron:\n        _COMM: cron\n" if r.random() < 0.5 else "    cron:\n        _SYSTEMD_UNIT: cron.service\n"), "cron"
        return "", None

    def regex(self, r, present):
        """A |re selection over MESSAGE, or its substring stand-in."""
        if present:
            pattern, plain = r"Unable to negotiate with [0-9.]+ port [0-9]+", "Unable to negotiate with "
        else:
            user = r.choice(USER_NAMES)
            pattern = r"(Failed|Accepted) (password|publickey) for (invalid user )?%s[0-9]{2} from [0-9.]+" % user
            plain = "for %s%d from " % (user, r.randint(10, 99))
        if "re" in self.without:
            self.substituted["re"] += 1
            return "    selection_re:\n        MESSAGE|contains: %s\n" % quote(plain)
        return "    selection_re:\n        MESSAGE|re: %s\n" % quote(pattern)

    def cidr(self, r):
        """A |cidr selection over the parsed source address, or its prefix stand-in over MESSAGE."""
        networks = []
        for _ in range(r.randint(1, 4)):
            a, b = r.choice([5, 31, 45, 62, 79, 91, 103, 141, 176, 185, 193, 194, 212]), r.randint(0, 255)
            networks.append("%d.%d.0.0/16" % (a, b) if r.random() < 0.5 else "%d.%d.%d.0/24" % (a, b, r.randint(0, 255)))
        if "cidr" in self.without:
            self.substituted["cidr"] += 1
            prefixes = [" from " + ".".join(n.split("/")[0].split(".")[: (2 if n.endswith("/16") else 3)]) + "." for n in networks]
            return "    selection_source:\n        MESSAGE|contains:%s\n" % yaml_list(prefixes, 12)
        return "    selection_source:\n        SourceIp|cidr:%s\n" % yaml_list(networks, 12)

    # ---------- rules ----------
    def detection(self, family, r, present):
        """The detection block (indented under `detection:`) and a short description."""
        trusted, name = self.trusted(family, r)
        hit = r.choice(PRESENT[family]) if present else None
        body = trusted
        k = r.random()
        if family == "sshd":
            if k < 0.12:
                body += self.regex(r, present)
                return body + "    condition: sshd and selection_re\n", "sshd message by regex"
            if k < 0.22 and not present:
                body += "    selection_failed:\n        MESSAGE|startswith:\n            - 'Failed password for '\n            - 'Invalid user '\n"
                body += self.cidr(r)
                return body + "    condition: sshd and selection_failed and selection_source\n", "sshd failures from listed networks"
            prefix = r.choice(["Failed password for ", "Accepted publickey for ", "Accepted password for ",
                               "Invalid user ", "Connection closed by ", "Disconnected from "])
            values = self.literals(r, 1, 6)
            if hit:
                prefix, values = "", [hit]
            body += "    selection:\n"
            if prefix:
                body += "        MESSAGE|startswith: %s\n" % quote(prefix)
            body += "        MESSAGE|contains:%s\n" % yaml_list(values, 12)
            if r.random() < 0.3:
                body += "    filter_admin:\n        MESSAGE|contains: ' from 10.20.'\n"
                return body + "    condition: sshd and selection and not filter_admin\n", "sshd message with attacker strings"
            return body + "    condition: sshd and selection\n", "sshd message with attacker strings"
        if family == "sudo":
            values = [hit, " ; USER=root ; "] if hit else [" : TTY=", " ; COMMAND="] + self.literals(r, 1, 2)
            body += "    selection:\n        MESSAGE|contains|all:%s\n" % yaml_list(values, 12)
            return body + "    condition: sudo and selection\n", "sudo command line with attacker strings"
        if family == "auth":
            values = [hit] if hit else ["user=%s%d" % (r.choice(USER_NAMES), r.randint(10, 99)) for _ in range(r.randint(1, 5))]
            body += "    selection_pam:\n        SYSLOG_FACILITY:\n            - '4'\n            - '10'\n"
            if hit:
                body += "    selection_user:\n        MESSAGE|contains:%s\n" % yaml_list(values, 12)
            else:
                body += "        MESSAGE|contains: 'authentication failure'\n"
                body += "    selection_user:\n        MESSAGE|endswith:%s\n" % yaml_list(values, 12)
            return body + "    condition: all of selection_*\n", "PAM failure for listed accounts"
        if family == "syslog":
            values = [hit] if hit else self.literals(r, 2, 8)
            if not hit and r.random() < 0.3:
                values[0] = "*%s*%s*" % (r.choice(TOOLS), self.token(r, 4))
            body += "    keywords:%s\n" % yaml_list(values, 8)
            return body + "    condition: keywords\n", "attacker strings anywhere in a message"
        if family == "cron":
            values = [hit] if hit else self.literals(r, 1, 4)
            body += "    selection:\n        MESSAGE|contains: ' CMD ('\n"
            body += "    suspicious:\n        MESSAGE|contains:%s\n" % yaml_list(values, 12)
            return body + "    condition: cron and selection and suspicious\n", "cron job running attacker commands"
        # product: linux, process-like fields journald sets.
        if hit:
            body += "    selection_cmd:\n        _CMDLINE|contains: %s\n" % quote(hit)
            return body + "    condition: selection_cmd\n", "account changes by command line"
        body += "    selection_exe:\n        _EXE|endswith:%s\n" % yaml_list(["/" + t for t in r.sample(TOOLS, r.randint(1, 5))], 12)
        body += "    selection_cmd:\n        _CMDLINE|contains:%s\n" % yaml_list(self.literals(r, 1, 5), 12)
        if k < 0.3:
            body += "    selection_tmp:\n        _EXE|startswith:\n            - '/tmp/'\n            - '/dev/shm/'\n"
            return body + "    condition: 1 of selection_*\n", "programs run from attacker paths"
        if k < 0.6:
            body += "    filter_root:\n        _UID: '0'\n"
            return body + "    condition: (selection_exe or selection_cmd) and not filter_root\n", "attacker tools run by users"
        return body + "    condition: 1 of selection_*\n", "attacker tools by name or command line"

    def rule(self, index):
        # One generator per rule: rule i does not depend on how many rules come before or after.
        r = random.Random("%d/%d" % (self.seed, index))
        family = r.choice(["sshd", "sshd", "sshd", "sudo", "auth", "syslog", "syslog", "cron", "linux", "linux"])
        present = index % 50 == 3
        detection, what = self.detection(family, r, present)
        service = {"sshd": "sshd", "sudo": "sudo", "auth": "auth", "syslog": "syslog", "cron": "cron"}.get(family)
        logsource = "    product: linux\n" + ("    service: %s\n" % service if service else "")
        return (
            "title: Synthetic %s %04d\n" % (what, index)
            + "id: %s\n" % uuid.UUID(int=r.getrandbits(128), version=4)
            + "status: experimental\n"
            + "description: Generated by scripts/gen_rules.py (seed %d) for benchmarks; not a detection.\n" % self.seed
            + "author: Cordon bench\n"
            + "date: 2026-11-26\n"
            + "tags:\n    - attack.%s\n" % r.choice(TECHNIQUES)
            + "logsource:\n" + logsource
            + "detection:\n" + detection
            + "level: %s\n" % r.choice(LEVELS)
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, required=True, help="number of rules")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True, help="directory to write the rules into (created)")
    ap.add_argument("--without", action="append", default=[], choices=["re", "cidr"],
                    help="write selections that would use this modifier without it")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rules = Rules(a.seed, set(a.without))
    for index in range(1, a.n + 1):
        with open(os.path.join(a.out, "synthetic-%04d.yml" % index), "w") as f:
            f.write(rules.rule(index))
    if any(rules.substituted.values()):
        sys.stderr.write("gen_rules: %d rules; written without: %s\n" % (
            a.n, ", ".join("|%s in %d" % (k, v) for k, v in rules.substituted.items() if v)))


if __name__ == "__main__":
    main()
