#!/usr/bin/env bash
# make fuzz: builds cordon-fuzz with libFuzzer and AddressSanitizer (release, -DFUZZING, in
# .build/fuzz) and runs each target for SECONDS, from its seed corpus (Tests/Fuzz/Corpus/TARGET)
# plus what earlier runs added (CACHE/fuzz/TARGET/corpus; the repository is never written).
# Prints per target the executions, exec/s and the outcome; exits 1 when a target crashed,
# naming the input (CACHE/fuzz/TARGET/crash-…) and how to reproduce it.
# Usage: scripts/fuzz.sh CACHE SECONDS [TARGET...]   (targets: rules parsers pipeline)
set -euo pipefail
cache="$1"; seconds="$2"; shift 2
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(rules parsers pipeline)
binary=.build/fuzz/release/cordon-fuzz

# The coverage libFuzzer needs, spelled out: swiftc -wmo -sanitize=fuzzer alone emits none.
build() {
  swift build -c release --scratch-path .build/fuzz --product cordon-fuzz \
      --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
      -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
}
# The coverage counters in the binary (libFuzzer prints them as it starts).
counters() {
  CORDON_FUZZ_TARGET=parsers "$binary" -runs=0 2>&1 | sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline.*/\1/p' | head -1
}
build
# An incremental release build may leave Swift objects without coverage (seen with Swift 6.3.1
# when sources changed): then the fuzzer is blind. Built from scratch, the modules have ~57,000.
count=$(counters)
if [ "${count:-0}" -lt 20000 ]; then
  echo "fuzz: the binary has only ${count:-no} coverage counters; rebuilding .build/fuzz from scratch" >&2
  rm -rf .build/fuzz/x86_64-unknown-linux-gnu .build/fuzz/release.yaml .build/fuzz/build.db
  build
  count=$(counters)
  [ "${count:-0}" -ge 20000 ] || { echo "fuzz: the Swift code has no coverage instrumentation (${count:-no} counters)" >&2; exit 70; }
fi

failed=()
summary=()
for target in "${targets[@]}"; do
  seeds="Tests/Fuzz/Corpus/$target"
  [ -d "$seeds" ] || { echo "fuzz: no seed corpus $seeds; targets: rules parsers pipeline" >&2; exit 64; }
  work="$cache/fuzz/$target"
  mkdir -p "$work/corpus"
  cp "$seeds"/* "$work/corpus/"
  dictionary=()
  [ -f "Tests/Fuzz/$target.dict" ] && dictionary=("-dict=Tests/Fuzz/$target.dict")
  echo "fuzz: $target for ${seconds}s (log: $work/fuzz.log)"
  status=0
  # 2 GiB of memory, 10 s per input: a bigger or slower input is a finding too (oom-…, timeout-…).
  # No leak detection: LeakSanitizer cannot see Swift references kept in enum payloads (spare
  # bits), so it reports the loaded rules' objects as leaked (per input, and again at exit:
  # ASAN_OPTIONS); growth still hits -rss_limit_mb.
  ASAN_OPTIONS=detect_leaks=0 CORDON_FUZZ_TARGET="$target" CORDON_FUZZ_RULES="$PWD/rules" "$binary" "$work/corpus" "${dictionary[@]}" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=16384 -detect_leaks=0 \
      -artifact_prefix="$work/" -print_final_stats=1 >"$work/fuzz.log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -1)
  elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$work/fuzz.log" | tail -1)
  if [ "$status" -eq 0 ]; then
    line="$target: ${runs:-?} executions in ${elapsed:-$seconds} s, ${rate:-?} exec/s, no crash"
  else
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/fuzz.log" | tail -1)
    line="$target: CRASHED (status $status) after ${runs:-?} executions: ${artifact:-see $work/fuzz.log}"
    line+=$'\n'"  reproduce: swift run cordon-fuzz $target ${artifact:-INPUT}; then keep it in Tests/Fuzz/Crashes/$target/"
    failed+=("$target")
  fi
  echo "fuzz: $line"
  summary+=("$line")
done
echo
printf 'fuzz: %s\n' "${summary[@]}"
[ ${#failed[@]} -eq 0 ] || exit 1
