#!/usr/bin/env python3
"""The chaos soak's verdict (scripts/chaos.sh): expected against live alerts and actions.

    scripts/chaos-check.py WORK FINAL_SEQNUM ACTION_RULE_ID

WORK/expected.json  `cordon replay -o json` over every journal file the soak produced
WORK/live.json      the alert entries the live daemon wrote (journalctl -o json)
WORK/hook-runs.log  one `start TIME VERB ACTION_ID RULE_ID CURSOR DAEMON_PID` and one `end TIME VERB
                    ACTION_ID RESULT` line per hook run (no end: the run was cut off)
WORK/state/actions  the daemon's action ledger (intents and outcomes)

Alerts are keyed by (rule id, source entry cursor). Only alerts whose source entry's seqnum is at or
before FINAL_SEQNUM (the last checkpoint: what the live daemon had processed when it was stopped) are
expected. An expected action is an expected trusted alert of ACTION_RULE_ID (each has its own
SourceIp, so no guardrail holds it back); it is done when a run of its hook ended. A run repeated
for an action id by the next daemon process while the ledger has no outcome for it is the design
(an interrupted run is run again, with the same id); a second run by the same process, or one after
the outcome was recorded, is a duplicate. Prints the figures; exit 1 if anything is missing or twice.
"""
import collections
import json
import re
import sys

SEQNUM = re.compile(r";i=([0-9a-f]+);")


def text(value):
    """journalctl -o json gives a byte array for values that are not UTF-8 text."""
    if isinstance(value, list):
        return bytes(value).decode("utf-8", "replace")
    return value or ""


def seqnum(cursor):
    match = SEQNUM.search(cursor)
    return int(match.group(1), 16) if match else -1


def read_alerts(path):
    alerts = []
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            line = line.strip()
            if line:
                entry = json.loads(line)
                alerts.append((text(entry.get("CORDON_RULE_ID")), text(entry.get("CORDON_SOURCE_CURSOR")),
                               text(entry.get("CORDON_TRUSTED"))))
    return alerts


def show(title, keys, limit=5):
    for rule, cursor in sorted(keys, key=lambda key: seqnum(key[1]))[:limit]:
        print("      %s %s %s" % (title, rule, cursor))


def main():
    work, final, action_rule = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    replayed = read_alerts(work + "/expected.json")
    expected_all = collections.Counter((rule, cursor) for rule, cursor, _ in replayed)
    expected = {key for key in expected_all if seqnum(key[1]) <= final}
    beyond = len(expected_all) - len(expected)
    twice_in_replay = sum(1 for key, n in expected_all.items() if n > 1)
    live = collections.Counter((rule, cursor) for rule, cursor, _ in read_alerts(work + "/live.json"))
    missing = expected - set(live)
    duplicate = {key for key, n in live.items() if n > 1}
    unexpected = set(live) - expected

    print("  alerts                 expected %d, live %d (%d entries), missing %d, duplicate %d, unexpected %d"
          % (len(expected), len(live), sum(live.values()), len(missing), len(duplicate), len(unexpected)))
    print("                         (%d replayed alerts for entries after the last checkpoint not compared; "
          "%d twice in the replay)" % (beyond, twice_in_replay))
    by_rule = collections.Counter(rule for rule, _ in expected)
    print("                         by rule: " + ", ".join("%s %d" % (rule[:8], n) for rule, n in by_rule.most_common(8)))
    show("missing", missing)
    show("duplicate", duplicate)
    show("unexpected", unexpected)

    expected_actions = {(rule, cursor) for rule, cursor, trusted in replayed
                        if rule == action_rule and trusted == "1" and (rule, cursor) in expected}
    outcomes = {}   # action id -> when its first apply outcome was recorded (s)
    try:
        with open(work + "/state/actions") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("kind") == "outcome" and record.get("verb") == "apply" and record.get("id") not in outcomes:
                    outcomes[record.get("id")] = record.get("at", 0) / 1e6
    except FileNotFoundError:
        pass
    starts = collections.defaultdict(list)   # action id -> [(start time, daemon pid)]
    key_of = {}
    ended = set()
    runs = 0
    ends = 0
    try:
        with open(work + "/hook-runs.log") as lines:
            for line in lines:
                fields = line.split()
                if len(fields) >= 7 and fields[0] == "start" and fields[2] == "apply":
                    runs += 1
                    starts[fields[3]].append((float(fields[1]), fields[6]))
                    key_of[fields[3]] = (fields[4], fields[5])
                elif len(fields) >= 5 and fields[0] == "end" and fields[2] == "apply":
                    ended.add(fields[3])
                    ends += 1
    except FileNotFoundError:
        pass
    # The daemon runs an action once when it decides it, and once more after each restart while
    # its intent has no outcome. A second run by the same daemon process, or any run after the
    # outcome was recorded, is a duplicate.
    reruns = 0
    duplicate_runs = set()
    for action, action_runs in starts.items():
        action_runs.sort()
        daemons = [daemon for _, daemon in action_runs]
        late = [time for time, _ in action_runs if action in outcomes and time > outcomes[action]]
        if late or len(set(daemons)) < len(daemons):
            duplicate_runs.add(key_of[action])
        else:
            reruns += len(action_runs) - 1
    done = collections.Counter(key_of[action] for action in ended)
    twice = {key for key, n in done.items() if n > 1} | duplicate_runs
    missing_actions = expected_actions - set(done)
    unexpected_actions = set(done) - expected_actions
    print("  actions                expected %d, done %d, missing %d, duplicate %d, unexpected %d"
          % (len(expected_actions), len(done), len(missing_actions), len(twice), len(unexpected_actions)))
    print("                         (%d hook runs, %d of them cut off by a kill or stop; %d re-runs of an interrupted "
          "action by the next daemon, as designed)" % (runs, runs - ends, reruns))
    show("missing action", missing_actions)
    show("duplicate action", twice)
    show("unexpected action", unexpected_actions)

    # Each SIGHUP must end in a "reloaded" entry, unless a kill or stop came first.
    events = []
    with open(work + "/events.log") as lines:
        for line in lines:
            fields = line.split()
            if len(fields) >= 2:
                events.append((float(fields[0]), fields[1]))
    reloaded = []
    with open(work + "/reloaded.log") as lines:
        for line in lines:
            try:
                reloaded.append(float(line.split()[0]))
            except (IndexError, ValueError):
                pass
    confirmed = cut = lost = 0
    for index, (time, event) in enumerate(events):
        if event != "reload":
            continue
        # Two SIGHUPs close together may make one reload.
        following = [t for t, e in events[index + 1:] if e in ("sigkill", "sigterm")]
        until = following[0] if following else float("inf")
        if any(time <= t < until for t in reloaded):
            confirmed += 1
        elif following and following[0] - time < 10:
            cut += 1
        else:
            lost += 1
    print("  reloads                %d confirmed by a 'reloaded' entry, %d cut off by a kill or stop first, %d lost"
          % (confirmed, cut, lost))

    bad = lost or missing or duplicate or unexpected or missing_actions or twice or unexpected_actions or not expected
    print("chaos: %s" % ("FAIL" if bad else "PASS: 0 missed, 0 duplicate alerts and actions"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
