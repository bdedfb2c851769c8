#!/usr/bin/env bash
# make chaos: a bounded soak of the release binary against a real journald while it is killed,
# restarted, reloaded and its journal rotated and vacuumed; at the end every alert and every action
# must be there exactly once.
#
#   scripts/chaos.sh [CORDON_BINARY]        (default .build/release/cordon; root)
#   CHAOS_SECONDS (600)  how long the writer writes; the checks take a minute or two more
#   CHAOS_SEED (1)       the stream (scripts/chaos-stream.py) and the chaos schedule
#   CHAOS_RATE (2000)    entries a second the writer aims at
#   CHAOS_KEEP=1         keep the work directory (journal, logs) even when everything passed
#
# Where: a throwaway container with systemd as PID 1 and its own journald (scripts/container.sh),
# so the rotations and vacuums never touch this machine's journald, which the test suites share.
# The container's /var/log/journal is a directory of this machine (--bind), on disk rather than in
# the overlay's tmpfs, so this script can link the journal files aside before a vacuum deletes them.
# journald there has no rate limit and no vacuum of its own; it rotates by itself too, when a file
# fills (about 18 MiB at this rate: its hash tables, not the 64 MiB limit).
#
# What runs inside:
# - cordon.service (written here, Type=notify, not the hardened packaged unit): `cordon run --from-start`
#   with the shipped rules/ plus Tests/Fixtures/per-entry-rules (an alert for every failed SSH password),
#   and one enforcing action: every sshd_brute_force alert runs hooks, a script that logs each run and
#   applies idempotently (a directory per CORDON_ACTION_ID), as the hook contract asks; it takes 0.1 s,
#   so kills and stops catch some runs. The unit is named cordon.service so that the shipped
#   cordon_stopped rules see the kills too, and keeps systemd's default KillMode (control-group), as
#   the packaged unit does: a stop sends SIGTERM to running hooks too.
# - the writer (scripts/chaos-writer.pl; the root file system has perl but no Python) as ssh.service,
#   so journald stamps _SYSTEMD_UNIT=ssh.service _UID=0 and the sshd log source trusts the entries
#   (actions need trusted alerts). Its input is a seeded stream (scripts/chaos-stream.py): benign
#   lines, single failed passwords, bursts of 10-14 failures per new address (one brute-force
#   correlation alert and one action each, often across a kill), logins after a burst.
#
# Chaos, at seeded random intervals of 0.5-4 s while the writer runs: SIGKILL of the main process
# (then restarted after 0-2 s), systemctl stop (SIGTERM, graceful) and start, `journalctl --rotate`,
# `journalctl --vacuum-files=N`, and SIGHUP with the configuration switched between two equal copies
# of the rules (rules-a, rules-b). A vacuum deletes only archived files whose last entry is at or
# before Cordon's saved checkpoint (read from its state directory), so it never deletes an entry
# Cordon has not read; every archived file is hard-linked into saved/ before any vacuum.
#
# The check (scripts/chaos-check.py), after the writer's last entry is checkpointed and Cordon is
# stopped: the expected alerts are `cordon replay` over saved/ (every entry that was ever in the
# journal; replay equals live), the live ones are the alert entries cordon.service wrote; both keyed
# by (rule id, source entry cursor), up to the last checkpoint. Expected actions are the expected
# trusted sshd_brute_force alerts; done ones are the hook's finished runs. A run repeated by the next
# daemon process while the ledger has no outcome for it (an interrupted run, same CORDON_ACTION_ID) is
# the design; a second run by the same process or one after the outcome is a duplicate. Every SIGHUP
# must end in a "reloaded" entry unless a kill or stop came first. Exit 1 if anything is missing or
# twice, 2 if the soak itself broke.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BINARY=${1:-$REPO/.build/release/cordon}
DURATION=${CHAOS_SECONDS:-600}
SEED=${CHAOS_SEED:-1}
RATE=${CHAOS_RATE:-2000}
BRUTE_FORCE_RULE=3f8b2c61-9e4d-4a7b-b1f5-6c0d2e9a8b14
# Cordon's alert entries: rule alerts, tampering signs, the correlation state-cap warning.
ALERT=fd6124ceebc04ab88e3c90e4716a16b1
TAMPERING=29478e7a3a054ce39312c24915419051
STATE_EVICTED=cfc100c7f633440a8bd4fcd0e9de56e0
RELOADED=b825c25396af4da69f582d33090c6650

die() { echo "chaos: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (systemd-nspawn)"
[ -x "$BINARY" ] || die "$BINARY is missing: make release"
for value in "$DURATION" "$SEED" "$RATE"; do [[ "$value" =~ ^[1-9][0-9]{0,6}$ ]] || die "not a positive number: '$value'"; done

start_time=$(date +%s)
pid1=""
WORK=$(mktemp -d /var/tmp/cordon-chaos.XXXXXX)
status=2

cleanup() {
    [ -z "$pid1" ] || "$REPO/scripts/container.sh" stop "$pid1" || true
    if [ "$status" -eq 0 ] && [ -z "${CHAOS_KEEP:-}" ]; then
        rm -rf "$WORK"
    else
        echo "chaos: the journal, hook runs and logs are in $WORK (delete it when done)"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "chaos: $(date -u +%H:%M:%S) $*"; }
inside() { timeout 300 nsenter -t "$pid1" -a "$@"; }
sh_in() { inside /bin/sh -c "$1"; }
events() { echo "$(date +%s.%N) $*" >>"$WORK/events.log"; }

# --- the work directory: binary, rules, configuration, hook, stream --------------------------
mkdir -p "$WORK"/{journal,saved,state,applied,bin,journald.conf.d}
cp "$BINARY" "$WORK/bin/cordon"
cp "$REPO/scripts/chaos-writer.pl" "$WORK/writer.pl"
for copy in rules-a rules-b; do
    mkdir -p "$WORK/$copy/per-entry"
    cp -r "$REPO/rules" "$WORK/$copy/shipped"
    cp "$REPO/Tests/Fixtures/per-entry-rules/ssh-password-failed.yml" "$WORK/$copy/per-entry/"
done

# The configuration, naming the rules copy $1; replaced by rename, so a reload reads it whole.
write_configuration() {
    cat >"$WORK/cordon.yaml.new" <<EOF
# Written by scripts/chaos.sh.
rules:
  - /chaos/$1
state_directory: /chaos/state
checkpoint:
  interval_ms: 1000
  entries: 10000
journal_tampering: true
correlation:
  max_groups: 50000
response:
  mode: enforce
  hooks_directory: /chaos
  max_concurrent: 4
  max_queued: 10000
  timeout: 30s
  budget: 1000000
  actions:
    - name: chaos-block
      hook: /chaos/hook
      when:
        rules: [$BRUTE_FORCE_RULE]
      key: SourceIp
      settings:
        address: {field: SourceIp}
EOF
    mv "$WORK/cordon.yaml.new" "$WORK/cordon.yaml"
}
write_configuration rules-a

# The hook: a line per run (start, with the daemon's pid, and end), and the action applied once per
# CORDON_ACTION_ID. It takes a tenth of a second, so that kills and stops catch some runs.
cat >"$WORK/hook" <<'EOF'
#!/bin/sh
cat >/dev/null
echo "start $(date +%s.%N) $CORDON_VERB $CORDON_ACTION_ID $CORDON_RULE_ID $CORDON_SOURCE_CURSOR $PPID" >>/chaos/hook-runs.log
sleep 0.1
if mkdir "/chaos/applied/$CORDON_ACTION_ID" 2>/dev/null; then result=applied; else result=already; fi
echo "end $(date +%s.%N) $CORDON_VERB $CORDON_ACTION_ID $result" >>/chaos/hook-runs.log
EOF
chmod 0755 "$WORK/hook"

cat >"$WORK/journald.conf.d/chaos.conf" <<'EOF'
# Written by scripts/chaos.sh: every entry kept (no rate limit, no vacuum by size or age);
# journald rotates by itself when a file fills, besides the requested rotations.
[Journal]
Storage=persistent
RateLimitIntervalSec=0
SystemMaxUse=32G
SystemKeepFree=1G
SystemMaxFileSize=64M
SystemMaxFiles=1000000
MaxRetentionSec=0
MaxFileSec=0
EOF

count=$((RATE * DURATION))
log "writing the stream: seed $SEED, $count entries"
python3 "$REPO/scripts/chaos-stream.py" "$SEED" "$count" >"$WORK/stream.tsv"

# --- the container -------------------------------------------------------------------------------
log "booting a container (the first run builds the rootfs, about a minute)"
pid1=$("$REPO/scripts/container.sh" boot --owner $$ --lifetime $((DURATION + 3600)) \
    --bind "$WORK:/chaos" --bind "$WORK/journal:/var/log/journal" \
    --bind "$WORK/journald.conf.d:/etc/systemd/journald.conf.d")
log "container PID 1 is $pid1"
sh_in 'systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1; journalctl --flush' || true
sh_in "cat >/etc/systemd/system/cordon.service" <<'EOF'
[Unit]
Description=Cordon (chaos soak)
After=systemd-journald.service systemd-journal-flush.service
[Service]
Type=notify
NotifyAccess=main
ExecStart=/chaos/bin/cordon run --config /chaos/cordon.yaml --from-start
ExecReload=/bin/kill -HUP $MAINPID
TimeoutStopSec=60s
Restart=no
EOF
sh_in 'mkdir -p /run/systemd/system/ssh.service.d && cat >/run/systemd/system/ssh.service.d/chaos.conf' <<EOF
[Unit]
ConditionPathExists=
[Service]
Type=exec
EnvironmentFile=
ExecStartPre=
ExecStart=
ExecStart=/usr/bin/perl /chaos/writer.pl /chaos/stream.tsv $RATE $DURATION /chaos/writer.done
ExecReload=
Restart=no
EOF
sh_in 'systemctl daemon-reload'

journal_directory() { local dir; for dir in "$WORK"/journal/*/; do [ -d "$dir" ] && echo "$dir"; return 0; done; }
# The archived files in the journal directory, oldest first (the names hold the head seqnum in hex).
archived_files() { local dir; dir=$(journal_directory); [ -n "$dir" ] || return 0; find "$dir" -maxdepth 1 -name 'system@*.journal' | sort; }

# The seqnum of Cordon's saved checkpoint (everything up to it is done), or 0.
checkpoint_seqnum() {
    local line
    line=$(sed -n 2p "$WORK/state/checkpoint" 2>/dev/null || true)
    case "$line" in
        "cursor "*) ;;
        "at "*) ;;   # read again from this entry: everything before it is done
        *) echo 0; return ;;
    esac
    local hex
    hex=$(sed -E -n 's/.*;i=([0-9a-f]+);.*/\1/p' <<<"$line")
    if [ -z "$hex" ]; then echo 0
    elif [ "${line%% *}" = at ]; then echo $((16#$hex - 1))
    else echo $((16#$hex)); fi
}

# Links every archived journal file into saved/ (an archived file is never written again).
save_archived() {
    local file dir
    dir=$(journal_directory)
    [ -n "$dir" ] || return 0
    for file in "$dir"system@*.journal; do
        [ -f "$file" ] || continue
        [ -e "$WORK/saved/${file##*/}" ] || ln "$file" "$WORK/saved/${file##*/}"
    done
}

kills=0; terms=0; restarts=0; rotations=0; vacuums=0; vacuumed_files=0; vacuum_skipped=0; reloads=0; failed_starts=0; unsafe_vacuums=0

start_cordon() {
    sh_in 'systemctl reset-failed cordon.service 2>/dev/null; systemctl start cordon.service' >/dev/null 2>&1 && return 0
    failed_starts=$((failed_starts + 1))
    events "failed-start"
    log "cordon.service did not start: $(sh_in 'journalctl -q --no-pager -u cordon.service -n 5 -o cat' | tr '\n' ' ')"
    return 1
}

stopped_cordon() {   # after a kill or stop: wait until the unit is inactive, then restart it
    for _ in $(seq 300); do
        sh_in 'systemctl is-active --quiet cordon.service' || break
        sleep 0.1
    done
    sleep "$((RANDOM % 3)).$((RANDOM % 10))"
    start_cordon && restarts=$((restarts + 1))
}

vacuum() {
    save_archived
    local dir done_up_to files=() passed=() file tail remove keep active
    dir=$(journal_directory)
    done_up_to=$(checkpoint_seqnum)
    mapfile -t files < <(archived_files)
    for file in "${files[@]}"; do
        tail=$(journalctl --header --file="$file" 2>/dev/null | sed -n -E 's/^Tail sequential number: ([0-9]+).*/\1/p')
        [ -n "$tail" ] && [ "$tail" -le "$done_up_to" ] || break
        passed+=("$file")
    done
    # --vacuum-files=N deletes the oldest archived files until N files are left, the active ones
    # (system.journal) counted. One file fewer than were passed: journald may rotate a full file
    # between this count and the vacuum, and the vacuum then deletes one more.
    active=$(find "$dir" -maxdepth 1 -name '*.journal' ! -name '*@*' | wc -l)
    remove=$(( ${#passed[@]} > 1 ? 1 + RANDOM % (${#passed[@]} - 1) : 0 ))
    keep=$(( ${#files[@]} - remove + active ))
    if [ "$remove" -eq 0 ]; then
        vacuum_skipped=$((vacuum_skipped + 1)); events "vacuum-skipped passed=${#passed[@]} archived=${#files[@]}"
        return 0
    fi
    sh_in "journalctl --vacuum-files=$keep" >/dev/null 2>&1 || true
    local removed=0 unsafe=0
    for file in "${files[@]}"; do
        [ ! -e "$file" ] || continue
        removed=$((removed + 1))
        [[ " ${passed[*]} " == *" $file "* ]] || unsafe=$((unsafe + 1))
    done
    vacuums=$((vacuums + 1)); vacuumed_files=$((vacuumed_files + removed))
    [ "$unsafe" -eq 0 ] || { unsafe_vacuums=$((unsafe_vacuums + 1)); events "unsafe-vacuum $unsafe"; }
    events "vacuum keep=$keep removed=$removed planned=$remove passed=${#passed[@]} checkpoint=$done_up_to"
}

reload() {
    if [ $((reloads % 2)) -eq 0 ]; then write_configuration rules-b; else write_configuration rules-a; fi
    sh_in 'systemctl reload cordon.service' >/dev/null 2>&1 && { reloads=$((reloads + 1)); events "reload"; }
}

# --- the soak ------------------------------------------------------------------------------------
start_cordon || die "cordon.service does not start"
events "start"
sh_in 'systemctl start ssh.service' || die "the writer (ssh.service) does not start"
log "writer started: $RATE entries/s for $DURATION s; chaos every 0.5-4 s"
RANDOM=$SEED
soak_start=$(date +%s)
while [ ! -f "$WORK/writer.done" ]; do
    sleep "$((RANDOM % 4)).$((RANDOM % 10))5"
    [ -f "$WORK/writer.done" ] && break
    if ! sh_in 'systemctl is-active --quiet ssh.service'; then
        sleep 1; [ -f "$WORK/writer.done" ] && break
        die "the writer stopped early: $(sh_in 'journalctl -q --no-pager -u ssh.service -n 5 -o cat' | tr '\n' ' ')"
    fi
    save_archived
    roll=$((RANDOM % 100))
    if [ "$roll" -lt 30 ]; then
        events "sigkill"
        sh_in 'systemctl kill --kill-whom=main --signal=SIGKILL cordon.service' >/dev/null 2>&1 || true
        kills=$((kills + 1))
        stopped_cordon
    elif [ "$roll" -lt 40 ]; then
        events "sigterm"
        sh_in 'systemctl stop cordon.service' >/dev/null 2>&1 || true
        terms=$((terms + 1))
        stopped_cordon
    elif [ "$roll" -lt 60 ]; then
        sh_in 'journalctl --rotate' >/dev/null 2>&1 && { rotations=$((rotations + 1)); events "rotate"; }
    elif [ "$roll" -lt 75 ]; then
        vacuum
    else
        reload
    fi
    if [ $(( $(date +%s) - soak_start )) -gt $((DURATION + 600)) ]; then die "the writer did not finish"; fi
done
written=$(cat "$WORK/writer.done")
soak_seconds=$(( $(date +%s) - soak_start ))
log "writer done: $written entries in $soak_seconds s; $kills SIGKILL, $terms SIGTERM, $restarts restarts, $rotations rotations, $vacuums vacuums, $reloads reloads"

# --- drain, stop, collect --------------------------------------------------------------------------
sh_in 'systemctl is-active --quiet cordon.service' || start_cordon || die "cordon.service does not start for the drain"
end_seqnum=""
for _ in $(seq 100); do
    end_seqnum=$(sh_in 'journalctl -q --no-pager -o export SYSLOG_IDENTIFIER=chaos-writer' 2>/dev/null | sed -n -E 's/^__CURSOR=.*;i=([0-9a-f]+);.*/\1/p' | head -n 1)
    [ -n "$end_seqnum" ] && break
    sleep 0.2
done
[ -n "$end_seqnum" ] || die "the writer's last entry is not in the journal"
end_seqnum=$((16#$end_seqnum))
log "waiting for Cordon to checkpoint the writer's last entry (seqnum $end_seqnum)"
drain_start=$(date +%s)
until [ "$(checkpoint_seqnum)" -ge "$end_seqnum" ]; do
    [ $(( $(date +%s) - drain_start )) -lt 600 ] || die "Cordon did not reach the writer's last entry in 600 s"
    sleep 1
done
# Hook runs still queued or running when Cordon stops run at its next start, which this soak does
# not have: wait until every recorded intent has its outcome.
open_intents() {
    python3 - "$WORK/state/actions" <<'PY'
import json, sys
state = {}
for line in open(sys.argv[1], errors="replace"):
    try:
        record = json.loads(line)
    except ValueError:
        continue
    if record.get("verb") == "apply":
        state[record.get("id")] = record.get("kind")
print(sum(1 for kind in state.values() if kind == "intent"))
PY
}
until [ "$(open_intents)" -eq 0 ]; do
    [ $(( $(date +%s) - drain_start )) -lt 900 ] || die "hook runs still open after 900 s"
    sleep 1
done
sh_in 'systemctl stop cordon.service' || true
sh_in 'journalctl --rotate' >/dev/null 2>&1 || true
save_archived
log "Cordon drained in $(( $(date +%s) - drain_start )) s; replaying saved/ ($(ls "$WORK/saved" | wc -l) files, $(du -sh "$WORK/saved" | cut -f1))"
sh_in 'cd /chaos/saved && /chaos/bin/cordon replay --config /chaos/cordon.yaml -o json *.journal >/chaos/expected.json 2>/chaos/replay.err' ||
    die "cordon replay failed: $(tail -n 5 "$WORK/replay.err")"
sh_in "cd /chaos/saved && journalctl -q --no-pager -o json --output-fields=CORDON_RULE_ID,CORDON_SOURCE_CURSOR,CORDON_TRUSTED,_SYSTEMD_UNIT \
    \$(for f in *.journal; do printf -- '--file=%s ' \"\$f\"; done) _SYSTEMD_UNIT=cordon.service \
    MESSAGE_ID=$ALERT MESSAGE_ID=$TAMPERING MESSAGE_ID=$STATE_EVICTED >/chaos/live.json"
sh_in "cd /chaos/saved && journalctl -q --no-pager -o short-unix \$(for f in *.journal; do printf -- '--file=%s ' \"\$f\"; done) \
    MESSAGE_ID=$RELOADED >/chaos/reloaded.log"
confirmed_reloads=$(grep -c . "$WORK/reloaded.log" || true)
final_seqnum=$(checkpoint_seqnum)

echo
echo "chaos: seed $SEED, rate $RATE/s, $soak_seconds s of writing, $(( $(date +%s) - start_time )) s in all"
echo "  entries written        $written"
echo "  SIGKILL / SIGTERM      $kills / $terms (restarts $restarts, failed starts $failed_starts)"
echo "  rotations              $rotations requested, $(ls "$WORK/saved" | wc -l) journal files in all (journald rotates full files itself)"
echo "  vacuums                $vacuums ($vacuumed_files archived files deleted, $unsafe_vacuums past the checkpoint; $vacuum_skipped skipped: nothing checkpointed to delete)"
echo "  SIGHUP                 $reloads reloads requested, $confirmed_reloads 'reloaded' entries in the journal"
status=0
python3 "$REPO/scripts/chaos-check.py" "$WORK" "$final_seqnum" "$BRUTE_FORCE_RULE" || status=$?
[ "$failed_starts" -eq 0 ] && [ "$unsafe_vacuums" -eq 0 ] || status=1
exit "$status"
