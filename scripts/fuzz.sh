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

swift build -c release --scratch-path .build/fuzz --product cordon-fuzz \
    --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld

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
  CORDON_FUZZ_TARGET="$target" CORDON_FUZZ_RULES="$PWD/rules" "$binary" "$work/corpus" "${dictionary[@]}" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=16384 \
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
