#!/usr/bin/env bash
# make anomaly-report: learned anomaly detection on eight days of the health host's journal
# (scripts/anomaly-days.py on gen_journal.py), reported by scripts/anomaly-report.py:
#   1. days 0-6 (2024-03-01..07, benign) into CACHE/anomaly/learn/, one journal file a day;
#      day 7 (2024-03-08) twice: benign (CACHE/anomaly/day8-benign) and with gen_journal's intrusion and
#      the injected behaviours (CACHE/anomaly/day8-attack, its manifest CACHE/anomaly/manifest.json).
#      Generated only when missing or when a generator (anomaly-days.py, scenarios.py, audit-export.py,
#      gen_journal.py) changed (their hash is kept in CACHE/anomaly/generator.sha256);
#   2. `cordon learn` of the seven days into a fresh state directory (CACHE/anomaly/state);
#   3. `cordon replay --model` of each 8th day; the report reads their JSON alerts;
#   4. a cross-check: `cordon replay` without --model of the 7 learning days and the attacked 8th together
#      (hard links in CACHE/anomaly/all-attack) should give the same anomaly alerts on the 8th day (reported).
# Exit 1 when an injected behaviour goes undetected or the benign day has 5 anomaly alerts or more.
# CORDON=path runs another binary (default .build/release/cordon); ANOMALY_TIME_SCALE (default 4) sets
# how quiet the host is (gen_journal's gaps stretched that many times: ~300,000 entries a day).
set -euo pipefail
shared=$1 cache=$2 rules=$3
cordon=${CORDON:-.build/release/cordon}
scale=${ANOMALY_TIME_SCALE:-4}
remote=/lib/systemd/systemd-journal-remote
export SHARED=$shared
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

dir=$cache/anomaly
hash=$(cat scripts/anomaly-days.py scripts/scenarios.py scripts/audit-export.py "$shared/bench/gen_journal.py" \
  | sha256sum | cut -d' ' -f1)-$scale
# day NUMBER MODE OUTPUT-DIRECTORY [MANIFEST]: one day's journal; its generator's summary in $dir/log/.
day() {
  local k=$1 mode=$2 out=$3 manifest=${4:-}
  mkdir -p "$out"
  python3 scripts/anomaly-days.py --day "$k" "--$mode" --time-scale "$scale" ${manifest:+--manifest "$manifest"} \
    2>"$dir/log/$(basename "$out").day$k.log" | "$remote" --output="$out/day$k.journal" - 2>>"$dir/log/journal-remote.log"
}
if [ ! -f "$dir/.done" ] || [ "$(cat "$dir/generator.sha256" 2>/dev/null)" != "$hash" ]; then
  echo "anomaly-report: generating 7 learning days and the 8th day twice into $dir (two at a time)" >&2
  rm -rf "$dir"; mkdir -p "$dir/log"
  t=$(now)
  day 0 benign "$dir/learn" & day 1 benign "$dir/learn"; wait $!
  day 2 benign "$dir/learn" & day 3 benign "$dir/learn"; wait $!
  day 4 benign "$dir/learn" & day 5 benign "$dir/learn"; wait $!
  day 6 benign "$dir/learn" & day 7 benign "$dir/day8-benign"; wait $!
  day 7 inject "$dir/day8-attack" "$dir/manifest.json"
  for f in "$dir"/log/*.day*.log; do
    grep -q ' entries' "$f" || { cat "$f" >&2; echo "anomaly-report: generating $(basename "$f" .log) failed" >&2; exit 1; }
    echo "$(basename "$f" .log | tr . /) $(sed -n 's/.*: \([0-9]*\) entries.*/\1/p' "$f")"
  done >"$dir/entries.txt"
  secs "$t" "$(now)" >"$dir/generation.seconds"
  echo "$hash" >"$dir/generator.sha256"
  touch "$dir/.done"
fi
generated="generation=$(cat "$dir/generation.seconds")"
[ -n "${t:-}" ] || generated="generation (cached; when made)=$(cat "$dir/generation.seconds")"
rm -rf "$dir/state"; mkdir -p "$dir/state"
t=$(now)
"$cordon" learn --state-dir "$dir/state" --rules "$rules" --directory "$dir/learn" >"$dir/learn.log" 2>&1 \
  || { cat "$dir/learn.log" >&2; echo "anomaly-report: cordon learn failed" >&2; exit 1; }
learned=$(secs "$t" "$(now)")
t=$(now)
"$cordon" replay --model "$dir/state" --rules "$rules" -o json "$dir/day8-benign" >"$dir/day8-benign.alerts.json"
benign=$(secs "$t" "$(now)")
t=$(now)
"$cordon" replay --model "$dir/state" --rules "$rules" -o json "$dir/day8-attack" >"$dir/day8-attack.alerts.json"
attack=$(secs "$t" "$(now)")
# Cross-check (replay equals live): one replay without --model over the 8 attacked days learns the first 7 itself;
# its anomaly alerts on the 8th should be the --model replay's.
rm -rf "$dir/all-attack"; mkdir -p "$dir/all-attack"
ln -f "$dir"/learn/*.journal "$dir"/day8-attack/*.journal "$dir/all-attack/"   # journal-remote rotates: day7@….journal too
t=$(now)
"$cordon" replay --rules "$rules" -o json "$dir/all-attack" >"$dir/all-attack.alerts.json"
whole=$(secs "$t" "$(now)")
exec python3 scripts/anomaly-report.py --manifest "$dir/manifest.json" --benign "$dir/day8-benign.alerts.json" \
  --attack "$dir/day8-attack.alerts.json" --whole "$dir/all-attack.alerts.json" --entries "$dir/entries.txt" --journals "$dir" --learn-log "$dir/learn.log" \
  --timings "$generated,learn=$learned,replay benign day=$benign,replay attacked day=$attack,replay of all 8 days without --model=$whole"
