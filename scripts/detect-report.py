#!/usr/bin/env python3
"""Detection quality report: which scripted steps the rules caught, and what they alerted on besides.

  detect-report.py corpus --manifest M.json --alerts A.json [--rules DIR]...
      A.json: `cordon replay -o json` of the journal scripts/scenarios.py wrote with manifest M.json.
      Prints recall per rule name (every step expecting it: detected or not), overall recall, every
      unexpected alert (outside steps and noise, or of a rule the step does not expect or allow), the
      benign rates (high+critical must be 0; low+medium per million benign entries, target < 10;
      informational apart) and a summary of the alerts on gen_journal's noise.
      Exit 1 when recall < 100 % or any high/critical alert is on the benign background.

  detect-report.py bench --alerts A.json [-n 1000000] [--seed 42] [--rules DIR]...
      A.json: `cordon replay -o json` of gen_journal.py's journal (`make bench`'s .cache/bench-N). Re-runs
      gen_journal's generator with the same arguments (output discarded) in a subclass that records the
      time ranges of its scripted intrusions and of its internet SSH noise, brute-force bursts and
      NOT-in-sudoers line, and splits the alerts by level between those and the benign rest.
      Exit 1 when a high/critical alert is on the benign rest.

A step detects a rule when an alert of that rule has CORDON_SOURCE_REALTIME within [step start,
step end + 10 min]. Rule ids map to names through the `id:`/`name:` lines of the rule files
(rules/**/*.yml); a rule without `name:` is named by its file (sshd-root-login.yml ->
sshd_root_login) when the file has one document, else by its id; built-in ids (cordon-journal-*) name
themselves. A base rule that only correlations use without `generate: true` never alerts on its own:
it is reported as such and left out of recall. Python 3 standard library only.
"""
import argparse
import bisect
import collections
import importlib.util
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LEVELS = ["informational", "low", "medium", "high", "critical"]
PER_RULE_LINES = 20


# ---------------------------------------------------------------- rules
def _value(line):
    v = line.split(":", 1)[1]
    v = re.sub(r"\s+#.*$", "", v).strip()
    return v.strip("'\"")


def load_rules(paths):
    """Returns (id -> name, names, level by name, silent base names)."""
    files = []
    for p in paths:
        if os.path.isfile(p):
            files.append(p)
        for d, _, fs in os.walk(p):
            files += [os.path.join(d, f) for f in sorted(fs)
                      if f.endswith((".yml", ".yaml")) and not f.endswith((".test.yml", ".test.yaml"))]
    id_name, levels = {}, {}
    refs = []            # (referenced id or name, generate)
    for f in sorted(set(files)):
        try:
            text = open(f, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        docs = re.split(r"(?m)^---\s*$", text)
        docs = [d for d in docs if re.search(r"(?m)^(id|name):", d)]
        for doc in docs:
            rid = name = level = None
            generate = False
            lines = doc.splitlines()
            for line in lines:
                if line.startswith("id:"):
                    rid = _value(line)
                elif line.startswith("name:"):
                    name = _value(line)
                elif line.startswith("level:"):
                    level = _value(line)
                elif re.match(r"^\s*generate:\s*true\b", line):
                    generate = True
            if name is None and rid is not None and len(docs) == 1:
                name = re.sub(r"\.ya?ml$", "", os.path.basename(f)).replace("-", "_")
            if rid is None:
                rid = name
            if rid is None:
                continue
            id_name[rid] = name or rid
            id_name.setdefault(name or rid, name or rid)
            levels[name or rid] = level or "medium"
            if re.search(r"(?m)^(correlation|detector):", doc):
                for i, line in enumerate(lines):
                    m = re.match(r"^(\s+)rules:\s*(.*)$", line)
                    if not m:
                        continue
                    rest = re.sub(r"\s+#.*$", "", m.group(2)).strip()
                    if rest.startswith("["):
                        for x in rest.strip("[]").split(","):
                            if x.strip():
                                refs.append((x.strip().strip("'\""), generate))
                        continue
                    for nxt in lines[i + 1:]:
                        mm = re.match(r"^(\s*)-\s*(\S+)", nxt)
                        if not mm or len(mm.group(1)) < len(m.group(1)):
                            if nxt.strip() and not nxt.strip().startswith("#"):
                                break
                            continue
                        refs.append((mm.group(2).strip("'\""), generate))
    referenced = collections.defaultdict(list)
    for ref, generate in refs:
        referenced[id_name.get(ref, ref)].append(generate)
    silent = {n for n, gens in referenced.items() if not any(gens)}
    return id_name, set(levels), levels, silent


def rule_name(alert, id_name):
    rid = alert.get("CORDON_RULE_ID", "?")
    return id_name.get(rid, rid)


def load_alerts(path):
    alerts = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                a = json.loads(line)
            except ValueError:
                continue
            try:
                a["_t"] = int(a.get("CORDON_SOURCE_REALTIME", "0"))
            except ValueError:
                a["_t"] = 0
            alerts.append(a)
    return alerts


def iso(us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 1_000_000)) + ".%06dZ" % (us % 1_000_000)


def message(a):
    m = a.get("CORDON_FIELD_MESSAGE") or a.get("MESSAGE", "")
    return m if len(m) <= 300 else m[:297] + "..."


def alert_line(a, name, where=""):
    return "  %s %-32s %-13s trusted=%s %s%s" % (iso(a["_t"]), name, a.get("CORDON_LEVEL", "?"), a.get("CORDON_TRUSTED", "?"),
                                                 where, message(a))


class Ranges:
    """Half-open [start, end) ranges, sorted and disjoint."""

    def __init__(self, ranges):
        ranges = sorted(ranges)
        self.starts = [r[0] for r in ranges]
        self.ends = [r[1] for r in ranges]

    def __contains__(self, t):
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]


def print_unexpected(title, items, limit=PER_RULE_LINES):
    """items: [(alert, name, where)]: informational summarised by rule, the rest listed (capped per rule)."""
    print("\n%s: %d" % (title, len(items)))
    by_rule = collections.defaultdict(list)
    for a, name, where in items:
        by_rule[(a.get("CORDON_LEVEL", "?"), name)].append((a, where))
    order = sorted(by_rule, key=lambda k: (-LEVELS.index(k[0]) if k[0] in LEVELS else 1, k[1]))
    for level, name in order:
        rows = by_rule[(level, name)]
        if level == "informational":
            a, where = rows[0]
            print("  %-32s informational  %d alerts, e.g. %s %s%s" % (name, len(rows), iso(a["_t"]), where, message(a)))
            continue
        for a, where in rows[:limit]:
            print(alert_line(a, name, where))
        if len(rows) > limit:
            print("  ... %s: %d more %s alerts (--all lists them)" % (name, len(rows) - limit, level))


def level_counts(items):
    c = collections.Counter(a.get("CORDON_LEVEL", "?") for a, *_ in items)
    return c


# ---------------------------------------------------------------- corpus mode
def report_corpus(args):
    manifest = json.load(open(args.manifest))
    id_name, names, levels, silent = load_rules(args.rules)
    alerts = load_alerts(args.alerts)
    tail = manifest.get("tail_us", 600_000_000)
    steps = manifest["steps"]
    noise = [(n["kind"], set(n["rules"]), Ranges(n["ranges"])) for n in manifest["noise"]]
    by_name = collections.defaultdict(list)
    for a in alerts:
        a["_name"] = rule_name(a, id_name)
        by_name[a["_name"]].append(a["_t"])
    for v in by_name.values():
        v.sort()

    print("Detection report: %s (%d entries: %d benign, %d in %d steps, %d gen_journal noise), %d alerts, %d rules loaded" % (
        args.manifest, manifest["entries"]["total"], manifest["entries"]["benign"], manifest["entries"]["chain"], len(steps),
        manifest["entries"]["noise"], len(alerts), len(names)))

    # recall
    expected = collections.defaultdict(list)     # rule -> [(step, detected)]
    for s in steps:
        for r in s["expect"]:
            ts = by_name.get(r, [])
            i = bisect.bisect_left(ts, s["start"])
            hit = i < len(ts) and ts[i] <= s["end"] + tail
            expected[r].append((s, hit))
    print("\nRecall per rule name (step: detected within [start, end + %d min]):" % (tail // 60_000_000))
    total = got = 0
    missing_rules, missed = [], []
    groups = list(manifest["catalogue"].items())
    listed = {x for _, v in groups for x in v}
    extra = sorted(set(expected) - listed)
    if extra:
        groups.append(("not in the catalogue", extra))
    for tactic, rules in groups:
        print(" %s" % tactic)
        for r in rules:
            cases = expected.get(r, [])
            if r not in names:
                state = "MISSING RULE (no loaded rule has this name)"
                total += len(cases)
                missing_rules.append(r)
                missed += [(s, r) for s, _ in cases]
            elif r in silent and not by_name.get(r):
                state = "base rule without alerts of its own (correlations use it, generate: false): not counted"
            else:
                n_hit = sum(1 for _, h in cases if h)
                total += len(cases)
                got += n_hit
                missed += [(s, r) for s, h in cases if not h]
                state = "%d/%d" % (n_hit, len(cases))
            detail = " ".join("%s%s" % (s["id"], "+" if h else "-") for s, h in cases)
            print("  %-32s %-8s %s  [%s]" % (r, levels.get(r, "-"), state, detail or "no step"))
    recall = 100.0 * got / total if total else 0.0
    print("\nOverall recall: %d/%d expected detections = %.1f%%" % (got, total, recall))
    if missed:
        print("\nMissed (step, rule): what the step emitted, and where that rule alerted instead:")
        for s, r in missed:
            ts = by_name.get(r, [])
            near = ""
            if ts:
                i = bisect.bisect_left(ts, s["start"])
                cands = [ts[j] for j in (i - 1, i) if 0 <= j < len(ts)]
                tn = min(cands, key=lambda x: abs(x - s["start"]))
                near = "; nearest %s alert at %s (%+.0f s from the step start)" % (r, iso(tn), (tn - s["start"]) / 1e6)
            else:
                near = "; %s never alerted" % r if r in names else "; no loaded rule is named %s" % r
            print("  %s %-30s step %s [%s .. %s] %s (%s)%s" % (
                "MISSING" if r in missing_rules else "missed ", r, s["id"], iso(s["start"]), iso(s["end"]), s["name"],
                s["technique"], near))
            for line in s.get("sample", [])[:args.sample]:
                print("      | %s" % line[:240])

    # classification of every alert
    in_step, on_noise, unexpected_step, benign = [], [], [], []
    windows = sorted(((s["start"], s["end"] + tail, s) for s in steps), key=lambda w: w[0])
    wstarts = [w[0] for w in windows]
    for a in alerts:
        t, r = a["_t"], a["_name"]
        j = bisect.bisect_right(wstarts, t)
        here = [w[2] for w in windows[:j] if w[1] >= t]
        if any(r in s["expect"] or r in s["allow"] for s in here):
            in_step.append((a, r, ""))
            continue
        kinds = [k for k, rules, rg in noise if r in rules and t in rg]
        if kinds:
            on_noise.append((a, r, kinds[0]))
            continue
        if here:
            unexpected_step.append((a, r, "[in step %s] " % ",".join(s["id"] for s in here)))
        else:
            benign.append((a, r, ""))
    print("\nAlerts: %d on steps (expected or allowed), %d on gen_journal noise, %d unexpected within steps, %d on the benign background"
          % (len(in_step), len(on_noise), len(unexpected_step), len(benign)))
    limit = sys.maxsize if args.all else PER_RULE_LINES
    print_unexpected("Unexpected alerts within step windows (rule neither expected nor allowed there)", unexpected_step, limit)
    print_unexpected("Unexpected alerts on the benign background", benign, limit)
    c = level_counts(benign)
    hc = c["high"] + c["critical"]
    lm = c["low"] + c["medium"]
    nb = max(1, manifest["entries"]["benign"])
    print("\nBenign background (%d entries): high+critical %d (must be 0); low+medium %d = %.1f per million entries (target < 10); "
          "informational %d" % (nb, hc, lm, lm * 1e6 / nb, c["informational"]))
    print("\nOn gen_journal's noise (internet SSH, brute-force bursts, NOT-in-sudoers line):")
    nc = collections.Counter((k, r, a.get("CORDON_LEVEL", "?")) for a, r, k in on_noise)
    for (k, r, lv), v in sorted(nc.items()):
        print("  %-20s %-32s %-13s %d" % (k, r, lv, v))
    if not nc:
        print("  none")
    ok = recall >= 100.0 and hc == 0
    print("\nRESULT: %s (recall %.1f%%, benign high/critical %d)" % ("PASS" if ok else "FAIL", recall, hc))
    return 0 if ok else 1


# ---------------------------------------------------------------- bench mode
def load_module(name, path):
    if not os.path.exists(path):
        sys.exit("detect-report: %s not found (set SHARED or --gen-journal)" % path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_windows(gen_journal, n, seed, start):
    """gen_journal's own run, output discarded, with the time ranges of its intrusions and noise."""
    gj = load_module("gen_journal", gen_journal)

    class Recorder(gj.Gen):
        def __init__(self, *a):
            super().__init__(*a)
            self.win = {"intrusion": [], "noise": []}
            self.entries = collections.Counter()

        def _rec(self, kind, fn, *args, check=None):
            start, count, mark = self.rt, self.count, len(self.out)
            fn(*args)
            if check and not any(check in e for e in self.out[mark:]):
                return
            w = self.win[kind]
            if w and w[-1][1] == start:
                w[-1][1] = self.rt
            else:
                w.append([start, self.rt])
            self.entries[kind] += self.count - count

        def ev_attack(self):
            self._rec("intrusion", super().ev_attack)

        def ev_sshd_noise(self):
            self._rec("noise", super().ev_sshd_noise)

        def ev_burst_step(self):
            self._rec("noise", super().ev_burst_step)

        def ev_sudo(self, u=None, uid=None, s=None):
            self._rec("noise", super().ev_sudo, u, uid, s, check=b"user NOT in sudoers")

    g = Recorder(seed, n, start)
    g.run(lambda b: None)
    return g


def report_bench(args):
    id_name, names, levels, silent = load_rules(args.rules)
    alerts = load_alerts(args.alerts)
    t0 = time.time()
    g = bench_windows(args.gen_journal or os.path.join(os.environ.get("SHARED") or os.path.join(ROOT, "..", "shared"),
                                                       "bench", "gen_journal.py"), args.n, args.seed, args.start)
    tail = 600_000_000
    intr = Ranges(g.win["intrusion"])
    intr_tail = Ranges([[a, b + tail] for a, b in g.win["intrusion"]])
    noise = Ranges(g.win["noise"])
    buckets = {"intrusion": [], "noise": [], "benign": []}
    for a in alerts:
        r = rule_name(a, id_name)
        t = a["_t"]
        # the intrusion's own entries, then noise, then the 10 minutes after an intrusion (correlations)
        b = "intrusion" if t in intr else "noise" if t in noise else "intrusion" if t in intr_tail else "benign"
        buckets[b].append((a, r, ""))
    nb = g.count - g.entries["intrusion"] - g.entries["noise"]
    print("\ngen_journal bench journal (-n %d --seed %d): %d alerts, %d rules loaded; %d scripted intrusions (%d entries), "
          "noise %d entries, benign rest %d entries (windows recomputed in %.0f s)" % (
              args.n, args.seed, len(alerts), len(names), getattr(g, "n_attacks", 0), g.entries["intrusion"], g.entries["noise"],
              nb, time.time() - t0))
    labels = {"intrusion": "on gen_journal's scripted intrusions (+10 min)", "noise": "on internet noise/bursts (and the NOT-in-sudoers line)",
              "benign": "on the rest (benign)"}
    print("  %-58s %s" % ("", " ".join("%13s" % lv for lv in LEVELS)))
    for b in ("intrusion", "noise", "benign"):
        c = level_counts(buckets[b])
        print("  %-58s %s" % (labels[b], " ".join("%13d" % c[lv] for lv in LEVELS)))
    print("\nRules alerting on gen_journal's scripted intrusions:")
    c = collections.Counter((r, a.get("CORDON_LEVEL")) for a, r, _ in buckets["intrusion"])
    for (r, lv), v in sorted(c.items()):
        print("  %-32s %-13s %d" % (r, lv, v))
    print("\nRules alerting on noise:")
    c = collections.Counter((r, a.get("CORDON_LEVEL")) for a, r, _ in buckets["noise"])
    for (r, lv), v in sorted(c.items()):
        print("  %-32s %-13s %d" % (r, lv, v))
    print_unexpected("Alerts on the benign rest", buckets["benign"], sys.maxsize if args.all else PER_RULE_LINES)
    c = level_counts(buckets["benign"])
    hc, lm = c["high"] + c["critical"], c["low"] + c["medium"]
    print("\nBenign rest: high+critical %d (must be 0); low+medium %.1f per million entries (target < 10); informational %d" % (
        hc, lm * 1e6 / max(1, nb), c["informational"]))
    print("RESULT: %s" % ("PASS" if hc == 0 else "FAIL"))
    return 0 if hc == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("corpus", help="the scenario corpus of scripts/scenarios.py")
    c.add_argument("--manifest", required=True)
    c.add_argument("--alerts", required=True, help="cordon replay -o json output")
    c.add_argument("--rules", action="append", help="rule files or directories (default: rules)")
    c.add_argument("--sample", type=int, default=3, help="entries of a missed step to show (default 3)")
    c.add_argument("--all", action="store_true", help="list every unexpected alert (default: %d per rule and level)" % PER_RULE_LINES)
    b = sub.add_parser("bench", help="gen_journal's own journal (make bench's .cache/bench-N)")
    b.add_argument("--alerts", required=True, help="cordon replay -o json output")
    b.add_argument("--rules", action="append", help="rule files or directories (default: rules)")
    b.add_argument("-n", type=int, default=1_000_000)
    b.add_argument("--seed", type=int, default=42)
    b.add_argument("--start", type=int, default=1709251200)
    b.add_argument("--all", action="store_true", help="list every alert on the benign rest (default: %d per rule and level)" % PER_RULE_LINES)
    b.add_argument("--gen-journal", help="gen_journal.py (default $SHARED/bench/gen_journal.py, SHARED=../shared)")
    args = ap.parse_args()
    args.rules = args.rules or [os.path.join(ROOT, "rules") if not os.path.isdir("rules") else "rules"]
    sys.exit(report_corpus(args) if args.mode == "corpus" else report_bench(args))


if __name__ == "__main__":
    main()
