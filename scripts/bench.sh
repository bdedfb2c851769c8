#!/usr/bin/env bash
# make bench: the 1M-entry journal from shared/bench/gen_journal.py, replayed by libsystemd's C read
# loop (the limit) and by `cordon replay` with the shipped rules, in the same run; prints the ratio.
set -euo pipefail
shared=$1 cache=$2 n=$3 rules=$4
journal="$cache/bench-$n"
mkdir -p "$cache"
if [ ! -f "$journal/.done" ]; then
  echo "bench: generating $n entries (seed 42) into $journal" >&2
  rm -rf "$journal"; mkdir -p "$journal"
  python3 "$shared/bench/gen_journal.py" -n "$n" --seed 42 2>/dev/null \
    | /lib/systemd/systemd-journal-remote --output="$journal/bench.journal" - 2>"$cache/journal-remote.log"
  touch "$journal/.done"
fi
gcc -O2 -o "$cache/c_iter" "$shared/bench/c_iter.c" $(pkg-config --cflags --libs libsystemd libpcre2-8)

c_rate() { grep -oE 'entries_per_s=[0-9]+' | cut -d= -f2; }
cordon_rate() { grep -oE '[0-9]+ entries/s' | grep -oE '^[0-9]+'; }
runs=${BENCH_RUNS:-3}
c_rates=(); cordon_rates=()
for i in $(seq "$runs"); do
  # Alternate the two readers so drift on a shared machine hits both alike.
  c_rates+=("$("$cache/c_iter" "$journal" | c_rate)")
  cordon_rates+=("$(.build/release/cordon replay --rules "$rules" --stats -o json "$journal" 2>&1 >/dev/null | cordon_rate)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(median "${c_rates[@]}"); k=$(median "${cordon_rates[@]}")
alerts=$(.build/release/cordon replay --rules "$rules" -o json "$journal" | wc -l)
echo
printf '%-42s %12s %10s\n' "reader ($n entries, median of $runs)" "entries/s" "x C loop"
printf '%-42s %12d %10.2f\n' "c_iter (libsystemd read limit)" "$c" 1
printf '%-42s %12d %10.2f\n' "cordon replay, rules/ ($alerts alerts)" "$k" "$(echo "$k $c" | awk '{printf "%.2f", $1/$2}')"
