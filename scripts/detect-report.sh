#!/usr/bin/env bash
# make detect-report: detection quality of the rules on two journals, each replayed with `cordon replay -o json`
# and reported by scripts/detect-report.py:
#   1. the scenario corpus: scripts/scenarios.py (gen_journal's background + scripted ATT&CK steps), generated
#      into CACHE/scenarios only when missing or when a generator (scenarios.py, audit-export.py,
#      gen_journal.py) changed (their hash is kept in CACHE/scenarios/generator.sha256);
#   2. gen_journal's own journal, the one `make bench` uses (CACHE/bench-N, same cache, made here if missing).
# Exit 1 when either report fails (recall < 100 %, or a high/critical alert on benign entries).
# CORDON=path runs another binary (default .build/release/cordon); SCENARIOS_N (default 1000000) sizes the corpus.
set -euo pipefail
shared=$1 cache=$2 rules=$3 n=${4:-1000000}
cordon=${CORDON:-.build/release/cordon}
scen_n=${SCENARIOS_N:-1000000}
remote=/lib/systemd/systemd-journal-remote
export SHARED=$shared
mkdir -p "$cache"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

dir=$cache/scenarios
hash=$(cat scripts/scenarios.py scripts/audit-export.py "$shared/bench/gen_journal.py" | sha256sum | cut -d' ' -f1)-$scen_n
if [ ! -f "$dir/.done" ] || [ "$(cat "$dir/generator.sha256" 2>/dev/null)" != "$hash" ]; then
  echo "detect-report: generating the scenario corpus ($scen_n entries) into $dir" >&2
  rm -rf "$dir"; mkdir -p "$dir/journal"
  t=$(now)
  python3 scripts/scenarios.py -n "$scen_n" --seed 42 --manifest "$dir/manifest.json" \
    | "$remote" --output="$dir/journal/scenarios.journal" - 2>"$cache/journal-remote.log"
  echo "detect-report: corpus generated in $(secs "$t" "$(now)") s" >&2
  echo "$hash" >"$dir/generator.sha256"
  touch "$dir/.done"
fi
t=$(now)
"$cordon" replay --rules "$rules" -o json "$dir/journal" >"$dir/alerts.json"
echo "detect-report: corpus replayed in $(secs "$t" "$(now)") s" >&2
status=0
python3 scripts/detect-report.py corpus --manifest "$dir/manifest.json" --alerts "$dir/alerts.json" --rules "$rules" || status=1

journal=$cache/bench-$n
if [ ! -f "$journal/.done" ]; then
  echo "detect-report: generating $n entries (seed 42) into $journal" >&2
  rm -rf "$journal"; mkdir -p "$journal"
  python3 "$shared/bench/gen_journal.py" -n "$n" --seed 42 2>/dev/null \
    | "$remote" --output="$journal/bench.journal" - 2>"$cache/journal-remote.log"
  touch "$journal/.done"
fi
t=$(now)
"$cordon" replay --rules "$rules" -o json "$journal" >"$cache/bench-$n.alerts.json"
echo "detect-report: gen_journal journal replayed in $(secs "$t" "$(now)") s" >&2
python3 scripts/detect-report.py bench --alerts "$cache/bench-$n.alerts.json" -n "$n" --seed 42 --rules "$rules" || status=1
exit $status
