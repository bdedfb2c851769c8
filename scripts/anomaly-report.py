#!/usr/bin/env python3
"""Anomaly detection report (`make anomaly-report`): which injected behaviours the learned model caught,
and how many anomaly alerts a benign day produced.

  anomaly-report.py --manifest M.json --benign B.json --attack A.json [--entries E.txt] [--timings T]
      M.json: scripts/anomaly-days.py's manifest of the attacked 8th day (behaviours: name, kind
      injected/intrusion, expected detector types, the realtimes of their entries).
      B.json, A.json: `cordon replay --model STATE -o json` of the benign and of the attacked 8th day.
      E.txt: "journal entries" lines; T: "name=seconds,..." (both only printed).
      --whole W.json: `cordon replay` (no --model) of the learning days and the attacked day in one directory.

Anomaly alerts are the alerts whose CORDON_CORRELATION_TYPE is rare_category, category_rate,
rare_process or rare_login. A behaviour is detected when an anomaly alert of a type it expects has
CORDON_SOURCE_REALTIME equal to one of the behaviour's entries (every entry's realtime is unique in
the generated journals, so an alert on the background is never credited to a behaviour). Anomaly
alerts of other types on its entries are listed too, and alerts of the expected type within 10
minutes after the behaviour but on other entries are shown as "near" (not counted).
Targets (exit 1 when missed): every injected behaviour detected; fewer than 5 anomaly alerts on the
benign day. With --whole it also reports (without gating) whether the 8th day's anomaly alerts (time,
type, value) are the same as with --model. gen_journal's own intrusion steps are reported alongside, not gated.
Python 3 standard library only.
"""
import argparse
import collections
import importlib.util
import json
import os
import sys
import time

# The alert reader of the detection report (its JSON lines, with `_t` the source entry's time).
_spec = importlib.util.spec_from_file_location("detect_report", os.path.join(os.path.dirname(os.path.abspath(__file__)), "detect-report.py"))
_detect_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_detect_report)
load_alerts = _detect_report.load_alerts

TYPES = ("rare_category", "category_rate", "rare_process", "rare_login")
BENIGN_LIMIT = 5
NEAR_US = 600_000_000


def anomalies(alerts):
    return sorted((a for a in alerts if a.get("CORDON_CORRELATION_TYPE") in TYPES), key=lambda a: a["_t"])


def clock(us):
    return time.strftime("%H:%M:%S", time.gmtime(us // 1_000_000)) + ".%03d" % (us // 1000 % 1000)


def one_line(text, width=160):
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def describe(a):
    return "%s %s [%s] %s" % (a["CORDON_CORRELATION_TYPE"], one_line(a.get("CORDON_ANOMALY_VALUE", "?"), 70),
                              a.get("CORDON_LEVEL", "?"), one_line(a.get("MESSAGE", ""), 140))


def delay(seconds):
    return "%+.1f s" % seconds if abs(seconds) < 600 else "%+.1f min" % (seconds / 60)


def judge(behaviours, alerts):
    """Per behaviour: (detecting alerts, other anomaly alerts on its entries, near alerts); and the alerts on no behaviour."""
    by_time = collections.defaultdict(list)
    for a in alerts:
        by_time[a["_t"]].append(a)
    credited = set()
    results = []
    for b in behaviours:
        times = set(b["times"])
        on = [a for t in sorted(times) for a in by_time.get(t, [])]
        hits = [a for a in on if a["CORDON_CORRELATION_TYPE"] in b["expect"]]
        others = [a for a in on if a["CORDON_CORRELATION_TYPE"] not in b["expect"]]
        credited.update(id(a) for a in on)
        near = []
        if b["start"] is not None:
            near = [a for a in alerts if b["start"] <= a["_t"] <= b["end"] + NEAR_US and a["_t"] not in times
                    and a["CORDON_CORRELATION_TYPE"] in b["expect"]]
        results.append((b, hits, others, near))
    rest = [a for a in alerts if id(a) not in credited]
    return results, rest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--benign", required=True, help="replay JSON of the benign 8th day")
    ap.add_argument("--attack", required=True, help="replay JSON of the attacked 8th day")
    ap.add_argument("--whole", help="replay JSON, without --model, of the learning days and the attacked 8th day together")
    ap.add_argument("--entries", help="'journal entries' lines to print")
    ap.add_argument("--timings", help="'name=seconds,...' to print")
    ap.add_argument("--journals", help="where the journals are (printed)")
    ap.add_argument("--learn-log", help="`cordon learn`'s output (its first line is printed)")
    args = ap.parse_args()

    with open(args.manifest) as f:
        manifest = json.load(f)
    behaviours = manifest["behaviours"]
    benign_all, attack_all = load_alerts(args.benign), load_alerts(args.attack)
    benign, attack = anomalies(benign_all), anomalies(attack_all)

    print("anomaly-report: learned on 7 benign days, replayed the 8th (%s) benign and attacked" %
          time.strftime("%Y-%m-%d", time.gmtime(manifest["time_range"][0] // 1_000_000)))
    if args.entries:
        rows = [l.split() for l in open(args.entries) if l.strip()]
        learn = sum(int(n) for name, n in rows if name.startswith("learn/"))
        print("entries: learning %d (%s); %s" % (learn, ", ".join(n for name, n in rows if name.startswith("learn/")),
                                                 "; ".join("%s %s" % (name, n) for name, n in rows if not name.startswith("learn/"))))
    if args.timings:
        print("timings: " + ", ".join("%s %s s" % tuple(kv.split("=", 1)) for kv in args.timings.split(",")))
    if args.journals:
        print("journals: %s" % args.journals)
    if args.learn_log:
        with open(args.learn_log, errors="replace") as f:
            print("learn: %s" % one_line(f.readline(), 200))
    print("alerts: benign day %d (%d anomaly), attacked day %d (%d anomaly)" % (
        len(benign_all), len(benign), len(attack_all), len(attack)))

    results, rest = judge(behaviours, attack)
    print()
    print("== behaviours of the attacked day (detected: an anomaly alert of an expected type on the behaviour's entries)")
    missed_injected = []
    intrusions = [0, 0]
    for b, hits, others, near in results:
        found = bool(hits)
        if b["kind"] == "injected" and not found:
            missed_injected.append(b["name"])
        if b["kind"] == "intrusion":
            intrusions[0] += found
            intrusions[1] += 1
        print("%-3s %s" % ("YES" if found else "NO", b["name"]))
        print("      %s..%s, %d entries; expects %s" % (clock(b["start"]), clock(b["end"]), b["entries"], ", ".join(b["expect"])))
        for a in hits:
            print("      by   %s (%s)" % (describe(a), delay((a["_t"] - b["start"]) / 1e6)))
        for a in others:
            print("      also %s (%s)" % (describe(a), delay((a["_t"] - b["start"]) / 1e6)))
        for a in near[:3]:
            print("      near %s (%s, not on its entries)" % (describe(a), delay((a["_t"] - b["start"]) / 1e6)))
        if not found and b.get("sample"):
            print("      e.g. %s" % one_line(b["sample"][0], 150))
    if rest:
        print("anomaly alerts of the attacked day on no behaviour's entries: %d" % len(rest))
        for a in rest[:20]:
            print("      %s %s" % (clock(a["_t"]), describe(a)))
        if len(rest) > 20:
            print("      ... %d more" % (len(rest) - 20))

    print()
    counts = collections.Counter(a["CORDON_CORRELATION_TYPE"] for a in benign)
    print("== benign 8th day: %d anomaly alerts (%s)" % (
        len(benign), ", ".join("%s %d" % (t, counts[t]) for t in TYPES)))
    for a in benign[:50]:
        print("      %s %s" % (clock(a["_t"]), describe(a)))
    if len(benign) > 50:
        print("      ... %d more" % (len(benign) - 50))

    ok_whole = True
    if args.whole:
        day_start = manifest["time_range"][0] - manifest["time_range"][0] % 86_400_000_000
        whole = [a for a in anomalies(load_alerts(args.whole)) if a["_t"] >= day_start]
        key = lambda a: (a["_t"], a["CORDON_CORRELATION_TYPE"], a.get("CORDON_ANOMALY_VALUE", ""))
        only_whole = sorted(set(map(key, whole)) - set(map(key, attack)))
        only_model = sorted(set(map(key, attack)) - set(map(key, whole)))
        ok_whole = not only_whole and not only_model
        print()
        print("== cross-check: replay without --model of the 7 learning days + the attacked 8th: %d anomaly alerts on the 8th, %s" % (
            len(whole), "the same as with --model" if ok_whole else "DIFFERENT from --model (%d only here, %d only with --model)" % (
                len(only_whole), len(only_model))))
        for label, keys in (("only without --model", only_whole), ("only with --model", only_model)):
            for t, typ, value in keys[:10]:
                print("      %s: %s %s %s" % (label, clock(t), typ, one_line(value, 100)))

    injected = sum(1 for b in behaviours if b["kind"] == "injected")
    ok_injected = not missed_injected
    ok_benign = len(benign) < BENIGN_LIMIT
    print()
    print("injected behaviours detected: %d/%d%s" % (injected - len(missed_injected), injected,
                                                     "" if ok_injected else " (missed: %s)" % "; ".join(missed_injected)))
    print("gen_journal intrusion steps detected: %d/%d (reported, not a target)" % tuple(intrusions))
    print("anomaly alerts on the benign day: %d (target < %d)" % (len(benign), BENIGN_LIMIT))
    if args.whole:
        print("cross-check, replay without --model equals --model: %s (reported, not a target)" % ("yes" if ok_whole else "NO"))
    status = ok_injected and ok_benign
    print("anomaly-report: %s" % ("PASS" if status else "FAIL"))
    return 0 if status else 1


if __name__ == "__main__":
    sys.exit(main())
