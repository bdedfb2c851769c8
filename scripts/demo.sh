#!/usr/bin/env bash
# make demo: an SSH intrusion on a host in a network namespace, detected and contained by Cordon.
#
#   scripts/demo.sh              as root; `make demo` installs what it needs and builds first
#   scripts/demo.sh clean        removes what an interrupted run left behind (kill -9, power cut)
#
# Environment: CORDON (the binary, default .build/release/cordon), RULES (rule directory, default
# rules), AUDIT_RULES (audit rules file, default RULES/audit/cordon.rules), AUDIT_KEYS (which of its
# rules to load, by key; default "audit_tools audit_config"; "all": every rule, including every exec
# and connect), KEEP_TMP=1 (keep the temporary directory: configuration, daemon log, attacker output).
#
# The stage (nothing of it touches this machine's own network):
#
#   cd-sw   a switch: the bridge br0
#   cd-host 198.51.100.1   the "health host": a real sshd (this machine's /usr/sbin/sshd, PAM, sudo)
#                          with a planted account carer / Summer2024 in the sudo group, and Cordon
#   cd-atk  198.51.100.66  the attacker: sshpass, ssh, nc
#   cd-adm  198.51.100.10  the management host: the isolation leaves it reachable
#
# Processes in cd-host share this machine's file system, users and journal: sshd and sudo log to
# the one journald (its sockets are Unix sockets, which network namespaces do not separate), and
# Cordon reads that journal. Cordon itself runs in cd-host (`ip netns exec cd-host cordon run`), so
# the hooks it starts inherit that namespace: isolate-nftables writes table `inet cordon` into
# cd-host's ruleset, and this machine's own ruleset stays as it was.
#
# The attack: a brute force of carer's SSH password from a wordlist (in parallel batches: each wrong
# password costs sshd's 2-3 s PAM delay), a login with the found password, a root shell through
# `sudo -S -i`, then `sudo service auditd stop; sudo auditctl -e 0`. Cordon alerts at each stage.
# The demo configuration isolates the host on the defence-evasion rules (auditd_stopped,
# audit_disabled) rather than on the critical login-after-brute-force alert, so that the attack runs
# to its end before the host is cut off (the shipped cordon.yaml isolates at the login already).
# Rules are found by their `name:` in RULES, so the demo follows the rule pack as it changes.
#
# Every wait has a time limit. A trap tears everything down on exit, failure or Ctrl-C: processes
# started here (by pid), the namespaces (and with them the nft table), the planted account, the
# audit state (rules loaded here removed, settings and auditd as they were), the temporary directory.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CORDON=${CORDON:-$REPO/.build/release/cordon}
RULES=${RULES:-$REPO/rules}
case $RULES in /*) ;; *) RULES=$REPO/$RULES ;; esac
case $CORDON in /*) ;; *) CORDON=$REPO/$CORDON ;; esac
AUDIT_RULES=${AUDIT_RULES:-$RULES/audit/cordon.rules}
[ -f "$AUDIT_RULES" ] || AUDIT_RULES=$REPO/rules/audit/cordon.rules
AUDIT_KEYS=${AUDIT_KEYS:-audit_tools audit_config}

NS_SW=cd-sw NS_HOST=cd-host NS_ATK=cd-atk NS_ADM=cd-adm
HOST_IP=198.51.100.1 ATK_IP=198.51.100.66 ADM_IP=198.51.100.10
VICTIM=carer VICTIM_PASSWORD=Summer2024
VICTIM_GECOS="Cordon demo account (scripts/demo.sh)"

ALERT=fd6124ceebc04ab88e3c90e4716a16b1
STARTED=b1ff8caa526343b3990ec5a5a631d34f
APPLIED=68d48963563642d290e27ebcda5fe625
WOULD_RUN=3be7751b0c454a2f935ca5b633836300
ACTION_FAILED=9c83352d3e9f4f43ad221c3fd1434d1c
SKIPPED=86c28cdd6cdf49829d3c28eefe39b820

# (ssh takes the first value given for an option: LogLevel comes before these where it is set.)
SSH_OPTIONS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
             -o PubkeyAuthentication=no -o GSSAPIAuthentication=no -o PreferredAuthentications=password
             -o NumberOfPasswordPrompts=1 -o ConnectTimeout=5 -o ServerAliveInterval=2 -o ServerAliveCountMax=2)

# --- output --------------------------------------------------------------------------------------
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    B=$'\e[1m' DIM=$'\e[2m' RED=$'\e[31m' GRN=$'\e[32m' YEL=$'\e[33m' CYA=$'\e[36m' R=$'\e[0m'
else
    B='' DIM='' RED='' GRN='' YEL='' CYA='' R=''
fi
started_at=$(date +%s)
elapsed() { printf '%3ds' $(( $(date +%s) - started_at )); }
stage()    { printf '\n%s━━ %s ━━%s\n' "$B" "$*" "$R"; }
say()      { printf '%s %s\n' "$(elapsed)" "$*"; }
attacker() { printf '%s %s[attacker %s]%s %s\n' "$(elapsed)" "$RED" "$ATK_IP" "$R" "$*"; }
admin()    { printf '%s %s[admin %s]%s %s\n' "$(elapsed)" "$GRN" "$ADM_IP" "$R" "$*"; }
cordon_says() { printf '%s %s[cordon]%s %s\n' "$(elapsed)" "$CYA" "$R" "$*"; }
note()     { printf '%s     %s%s%s\n' "$(elapsed)" "$DIM" "$*" "$R"; }
warn()     { printf '%s %s!! %s%s\n' "$(elapsed)" "$YEL" "$*" "$R"; }
die()      { printf 'demo: %s\n' "$*" >&2; exit 1; }

# --- teardown ------------------------------------------------------------------------------------
TMP=""
cordon_pid=""
auditd_started=""          # the pid of the auditd started here
auditd_before=""           # the pid of an auditd that ran before the demo
audit_saved=""             # `auditctl -s` before the demo
audit_rules_loaded=""      # the rules loaded here (to delete them again)
user_created=""
run_cordon_created=""
run_sshd_created=""
background_pids=()

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

# Ends the processes inside one of the demo's namespaces (all of them were started here), by pid.
kill_namespace_processes() {
    local ns=$1 pids round
    ns_exists "$ns" || return 0
    for round in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        [ -n "${pids// /}" ] || return 0
        if [ "$round" -le 5 ]; then kill -TERM $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
        sleep 0.3
    done
}

# The kernel's audit settings as `auditctl -s` printed them: the value of one key.
audit_value() { printf '%s\n' "$1" | awk -v k="$2" '$1 == k { print $2; exit }'; }

restore_audit() {
    [ -n "$audit_saved" ] || return 0
    local pid
    pid=$(auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }')
    if [ -n "$auditd_started" ] && [ "$pid" = "$auditd_started" ]; then
        timeout 40 start-stop-daemon --stop --quiet --retry=TERM/30/KILL/5 --pid "$auditd_started" >/dev/null 2>&1 ||
            kill -KILL "$auditd_started" 2>/dev/null || true
        rm -f /var/run/auditd.pid
    fi
    if [ -n "$auditd_before" ] && ! kill -0 "$auditd_before" 2>/dev/null; then
        timeout 60 service auditd start >/dev/null 2>&1 || echo "demo: could not start auditd again (it ran before the demo): service auditd start" >&2
    fi
    if [ -n "$audit_rules_loaded" ] && [ -f "$audit_rules_loaded" ]; then
        # -w PATH … becomes -W PATH …, -a LIST,ACTION … becomes -d LIST,ACTION …; settings are restored below.
        { echo "-i"; sed -n -e 's/^-w /-W /p' -e 's/^-a /-d /p' -e 's/^-A /-d /p' "$audit_rules_loaded"; } > "$audit_rules_loaded.delete"
        auditctl -R "$audit_rules_loaded.delete" >/dev/null 2>&1 || true
    fi
    auditctl -b "$(audit_value "$audit_saved" backlog_limit)" >/dev/null 2>&1 || true
    auditctl --backlog_wait_time "$(audit_value "$audit_saved" backlog_wait_time)" >/dev/null 2>&1 || true
    auditctl -r "$(audit_value "$audit_saved" rate_limit)" >/dev/null 2>&1 || true
    auditctl -f "$(audit_value "$audit_saved" failure)" >/dev/null 2>&1 || true
    auditctl -e "$(audit_value "$audit_saved" enabled)" >/dev/null 2>&1 || true
}

remove_user() {
    getent passwd "$VICTIM" >/dev/null || return 0
    [ "$(getent passwd "$VICTIM" | cut -d: -f5)" = "$VICTIM_GECOS" ] || return 0
    local pids
    pids=$(pgrep -u "$VICTIM" 2>/dev/null | tr '\n' ' ' || true)   # the sessions of the planted account only
    [ -z "${pids// /}" ] || { kill -KILL $pids 2>/dev/null || true; sleep 0.3; }
    userdel -r "$VICTIM" >/dev/null 2>&1 || userdel -f -r "$VICTIM" >/dev/null 2>&1 || true
    rm -f "/var/lib/sudo/lectured/$VICTIM" "/run/sudo/ts/$VICTIM"
}

teardown() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    [ -n "$TMP" ] && printf '\n%s━━ teardown ━━%s\n' "$B" "$R"
    local pid
    for pid in "${background_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    if [ -n "$cordon_pid" ] && kill -0 "$cordon_pid" 2>/dev/null; then
        kill -TERM "$cordon_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$cordon_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$cordon_pid" 2>/dev/null
    fi
    for ns in $NS_ATK $NS_ADM $NS_HOST $NS_SW; do kill_namespace_processes "$ns"; done
    for pid in "${background_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    for ns in $NS_ATK $NS_ADM $NS_HOST $NS_SW; do ns_exists "$ns" && ip netns del "$ns"; done
    [ "$user_created" = yes ] && remove_user
    restore_audit
    [ "$run_sshd_created" = yes ] && rmdir /run/sshd 2>/dev/null
    if [ "$run_cordon_created" = yes ]; then rm -f /run/cordon/nftables.lock; rmdir /run/cordon/hooks /run/cordon 2>/dev/null; fi
    if [ -n "$TMP" ] && [ -d "$TMP" ]; then
        if [ "${KEEP_TMP:-0}" = 1 ]; then echo "demo: kept $TMP"; else rm -rf "$TMP"; fi
    fi
    [ -n "$TMP" ] && say "namespaces, sshd, cordon, auditd, audit rules, account $VICTIM and temporary files removed"
    exit "$status"
}

# `scripts/demo.sh clean`: what a run killed with SIGKILL left (no audit state is known then).
if [ "${1:-}" = clean ]; then
    [ "$(id -u)" -eq 0 ] || die "needs root"
    for ns in $NS_ATK $NS_ADM $NS_HOST $NS_SW; do kill_namespace_processes "$ns"; ns_exists "$ns" && ip netns del "$ns"; done
    remove_user
    # The audit state a killed run saved: its rules removed, settings and auditd as they were.
    for dir in /tmp/cordon-demo.*; do
        [ -f "$dir/audit.saved" ] || continue
        audit_saved=$(cat "$dir/audit.saved")
        read -r auditd_started auditd_before < "$dir/auditd.pids" || true
        [ "$auditd_started" != - ] || auditd_started=""
        [ "$auditd_before" != - ] || auditd_before=""
        audit_rules_loaded=$dir/audit.rules
        restore_audit
        echo "demo: audit state restored from $dir"
    done
    rm -rf /tmp/cordon-demo.*
    echo "demo: removed the namespaces $NS_SW $NS_HOST $NS_ATK $NS_ADM, the account $VICTIM and /tmp/cordon-demo.* if they existed"
    exit 0
fi

# --- waiting for Cordon --------------------------------------------------------------------------
# The ids of the rules with these `name:`s in $RULES (a rule file may hold several documents).
rule_ids() {
    find "$RULES" \( -name '*.yml' -o -name '*.yaml' \) ! -name '*.test.yml' ! -name '*.test.yaml' -print0 2>/dev/null |
        xargs -0 -r awk -v names=" $* " '
            function flush() { if (n != "" && id != "" && index(names, " " n " ")) print id; n = ""; id = "" }
            FNR == 1 { flush() }
            /^---/ { flush(); next }
            /^name:/ { v = $2; gsub(/["\047]/, "", v); n = v }
            /^id:/ { v = $2; gsub(/["\047]/, "", v); id = v }
            END { flush() }' | sort -u
}

# The MESSAGE of this run's alerts (written by our daemon) of the given rule ids.
alerts_of() {
    local matches=() id
    for id in "$@"; do matches+=("CORDON_RULE_ID=$id"); done
    journalctl -q --no-pager -o cat MESSAGE_ID=$ALERT _PID="$cordon_pid" "${matches[@]}" 2>/dev/null || true
}

# Waits up to SECONDS for an alert of each of the rules NAME... and prints each as it comes (the
# first of a rule). Returns 0 when all came; 1 on a timeout (it says which did not); 2 when none of
# the names is a rule in $RULES (it says so: that stage cannot alert until the pack has the rule).
wait_alert() {
    local seconds=$1 deadline name id line pending=() missing=()
    shift
    for name in "$@"; do
        if [ -n "$(rule_ids "$name")" ]; then pending+=("$name"); else missing+=("$name"); fi
    done
    [ ${#missing[@]} -eq 0 ] || warn "no rule named ${missing[*]} in $RULES: it cannot alert until the rule pack has it"
    [ ${#pending[@]} -gt 0 ] || return 2
    deadline=$(( $(date +%s) + seconds ))
    while [ ${#pending[@]} -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
        local still=()
        for name in "${pending[@]}"; do
            # shellcheck disable=SC2046 # one argument per rule id
            line=$(alerts_of $(rule_ids "$name") | head -n 1)
            if [ -n "$line" ]; then cordon_says "${YEL}ALERT${R} ${line#cordon: }"; else still+=("$name"); fi
        done
        pending=("${still[@]}")
        [ ${#pending[@]} -eq 0 ] || sleep 0.5
    done
    [ ${#pending[@]} -eq 0 ] && return 0
    warn "no alert of ${pending[*]} within $seconds s"
    return 1
}

# Waits up to SECONDS for an action entry (MESSAGE_ID one of applied/would run/failed/skipped) of
# action NAME from our daemon; prints it with the hook's output. Returns 1 on timeout.
wait_action() {
    local seconds=$1 name=$2 deadline out
    deadline=$(( $(date +%s) + seconds ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        out=$(journalctl -q --no-pager -o cat _PID="$cordon_pid" CORDON_ACTION_NAME="$name" \
                  MESSAGE_ID=$APPLIED MESSAGE_ID=$WOULD_RUN MESSAGE_ID=$ACTION_FAILED MESSAGE_ID=$SKIPPED 2>/dev/null | head -n 1 || true)
        if [ -n "$out" ]; then
            cordon_says "${B}ACTION${R} $out"
            journalctl -q --no-pager -o cat --output-fields=CORDON_ACTION_STDOUT,CORDON_ACTION_STDERR \
                _PID="$cordon_pid" CORDON_ACTION_NAME="$name" MESSAGE_ID=$APPLIED MESSAGE_ID=$ACTION_FAILED 2>/dev/null |
                sed -e 's/\\n$//' -e 's/\\n/; /g' | grep -v '^$' | head -n 4 | while IFS= read -r l; do note "hook: $l"; done
            return 0
        fi
        sleep 0.5
    done
    warn "no decision of action $name within $seconds s"
    return 1
}

# Runs a command in a namespace with a time limit.
in_ns() { local ns=$1 seconds=$2; shift 2; timeout "$seconds" ip netns exec "$ns" "$@"; }
# One SSH login attempt as the victim from the attacker; its exit status.
ssh_try() { in_ns $NS_ATK 20 sshpass -p "$1" ssh -o LogLevel=ERROR "${SSH_OPTIONS[@]}" "$VICTIM@$HOST_IP" "${@:2}"; }
# The first line sshd sends (its banner), from namespace $1, or nothing within 5 s.
banner() { in_ns "$1" 8 nc -w 5 -q 1 $HOST_IP 22 </dev/null 2>/dev/null | head -n 1 | tr -d '\r' || true; }

# --- checks before anything changes --------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, sshd, nftables, audit); try: sudo make demo"
[ -x "$CORDON" ] || die "$CORDON is missing: make release (or CORDON=/path/to/cordon)"
[ -d "$RULES" ] || die "RULES=$RULES is not a directory"
for tool in ip nft sshd sshpass ssh nc sudo auditctl auditd journalctl useradd start-stop-daemon; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || [ -x "/sbin/$tool" ] ||
        die "$tool is missing: scripts/deps.sh demo (make demo does it)"
done
for ns in $NS_SW $NS_HOST $NS_ATK $NS_ADM; do
    ns_exists "$ns" && die "network namespace $ns exists (an earlier run was killed?): scripts/demo.sh clean"
done
if getent passwd "$VICTIM" >/dev/null; then
    [ "$(getent passwd "$VICTIM" | cut -d: -f5)" = "$VICTIM_GECOS" ] &&
        die "the account $VICTIM of an earlier run exists: scripts/demo.sh clean"
    die "an account $VICTIM exists on this machine; the demo plants one of that name and will not touch yours"
fi
audit_status=$(auditctl -s 2>/dev/null) || die "auditctl -s fails: kernel auditing is not available here"
[ "$(audit_value "$audit_status" enabled)" != 2 ] || die "kernel auditing is locked (enabled 2, auditctl -e 2): the demo cannot turn it on and off"

trap teardown EXIT
trap 'exit 130' INT TERM
TMP=$(mktemp -d /tmp/cordon-demo.XXXXXX)
root_ruleset_before=$(nft list ruleset 2>/dev/null | sha256sum)
since=$(date '+%Y-%m-%d %H:%M:%S')

printf '%sCordon demo%s: an SSH intrusion on a health host, detected and contained.\n' "$B" "$R"
printf 'Rules: %s   binary: %s\n' "$RULES" "$CORDON"
absent=""
for name in sshd_brute_force sshd_login_after_brute_force sudo_root_shell auditd_stopped audit_disabled; do
    [ -n "$(rule_ids $name)" ] || absent+=" $name"
done
[ -z "$absent" ] || warn "not in $RULES yet:$absent (their stages will not alert)"

# --- stage 0: the set ----------------------------------------------------------------------------
stage "0. The set: a switch, a health host, an attacker and a management host (network namespaces)"
"$REPO/scripts/journald.sh"
ip netns add $NS_SW
ip -n $NS_SW link add br0 type bridge
ip -n $NS_SW link set br0 up
for pair in "$NS_HOST:$HOST_IP:host" "$NS_ATK:$ATK_IP:atk" "$NS_ADM:$ADM_IP:adm"; do
    ns=${pair%%:*} rest=${pair#*:}; address=${rest%%:*} short=${rest#*:}
    ip netns add "$ns"
    # Both ends are made inside the namespaces: no interface ever appears in this machine's own.
    ip -n $NS_SW link add "v-$short" type veth peer name eth0 netns "$ns"
    ip -n $NS_SW link set "v-$short" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
done
say "$NS_HOST $HOST_IP (health host), $NS_ATK $ATK_IP (attacker), $NS_ADM $ADM_IP (management), bridged in $NS_SW"

# The planted account: a weak password, in the sudo group.
useradd -m -s /bin/bash -c "$VICTIM_GECOS" -G sudo "$VICTIM"
user_created=yes
echo "$VICTIM:$VICTIM_PASSWORD" | chpasswd
say "account $VICTIM (password $VICTIM_PASSWORD, group sudo) on the host"

# A real sshd of this machine, listening only on the host's address inside cd-host.
ssh-keygen -q -t ed25519 -N '' -C cordon-demo -f "$TMP/ssh_host_ed25519_key"
cat > "$TMP/sshd_config" <<EOF
# Written by scripts/demo.sh
ListenAddress $HOST_IP
Port 22
HostKey $TMP/ssh_host_ed25519_key
PidFile $TMP/sshd.pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM yes
PermitRootLogin no
MaxStartups 20:30:60
ClientAliveInterval 5
ClientAliveCountMax 2
PrintMotd no
SyslogFacility AUTH
LogLevel INFO
EOF
[ -d /run/sshd ] || { mkdir -p /run/sshd; chmod 755 /run/sshd; run_sshd_created=yes; }
sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
"$sshd_bin" -t -f "$TMP/sshd_config" || die "sshd -t refuses the demo configuration"
setsid ip netns exec $NS_HOST "$sshd_bin" -D -f "$TMP/sshd_config" </dev/null >"$TMP/sshd.log" 2>&1 &
background_pids+=($!)
for _ in $(seq 50); do in_ns $NS_ADM 3 nc -z -w 2 $HOST_IP 22 2>/dev/null && break; sleep 0.2; done
[ -n "$(banner $NS_ADM)" ] || die "sshd does not answer on $HOST_IP:22: $(cat "$TMP/sshd.log")"
say "sshd listens on $HOST_IP:22 ($(banner $NS_ADM))"

# Kernel auditing on, with auditd running: the attacker will want both off.
audit_saved=$audit_status
auditd_before=$(audit_value "$audit_status" pid)
[ "$auditd_before" != 0 ] || auditd_before=""
if [ -z "$auditd_before" ]; then
    rm -f /var/run/auditd.pid
    /sbin/auditd >/dev/null 2>&1 || die "auditd does not start"
    for _ in $(seq 50); do
        auditd_started=$(auditctl -s | awk '$1 == "pid" { print $2 }')
        [ "$auditd_started" != 0 ] && break; sleep 0.1
    done
    [ "$auditd_started" != 0 ] || { auditd_started=$(cat /var/run/auditd.pid 2>/dev/null || true); die "auditd started but did not register with the kernel"; }
fi
# For `scripts/demo.sh clean` after a kill -9 (this directory stays then).
printf '%s\n' "$audit_saved" > "$TMP/audit.saved"
printf '%s %s\n' "${auditd_started:--}" "${auditd_before:--}" > "$TMP/auditd.pids"
# The audit rules of the story's keys from the shipped file (or all of it: AUDIT_KEYS=all). The
# kernel logs CONFIG_CHANGE records (auditd gone: audit_pid=0; auditctl -e 0: audit_enabled=0)
# without any rule; these add the execs of the audit tools and writes to their configuration.
if [ "$AUDIT_KEYS" = all ]; then
    grep -E '^-[wWaA] ' "$AUDIT_RULES" > "$TMP/audit.rules" || true
else
    : > "$TMP/audit.rules"
    for key in $AUDIT_KEYS; do grep -E "^-[wa] .* -k $key\$" "$AUDIT_RULES" >> "$TMP/audit.rules" || true; done
fi
audit_rules_loaded=$TMP/audit.rules
{ echo "-i"; cat "$TMP/audit.rules"; } > "$TMP/audit.load"
auditctl -R "$TMP/audit.load" >/dev/null 2>&1 || true
auditctl -e 1 >/dev/null
# journald reads the kernel's audit records itself; make sure they arrive before counting on them.
probe=cordon-demo-probe-$RANDOM$RANDOM
auditctl -m "$probe" >/dev/null 2>&1 || true
for _ in $(seq 50); do
    # (grep -c reads to the end: with -q, journalctl could die of SIGPIPE and pipefail fail the test)
    [ "$(journalctl -q --no-pager -o cat --since "$since" _TRANSPORT=audit _AUDIT_TYPE_NAME=USER 2>/dev/null |
         grep -c "text=$probe")" != 0 ] && { probe=ok; break; }
    sleep 0.2
done
if [ "$probe" != ok ]; then
    die "journald does not receive the kernel's audit records (auditctl -m $probe never reached the journal).
      A systemd-journald started by hand (scripts/journald.sh) reads audit on its own socket, with the
      default receive buffer; when a burst overflows it, journald logs 'Got invalid event from epoll for
      datagram fd: 9' (EPOLLIN|EPOLLERR) and stops reading audit until it restarts. Restart it (kill the systemd-journald process,
      then scripts/journald.sh) and run the demo again."
fi
say "kernel auditing on (auditctl -e 1), auditd running (pid $(audit_value "$(auditctl -s)" pid)), $(grep -c . "$TMP/audit.rules") audit rules (keys: $AUDIT_KEYS), records reach the journal"

# Cordon: enforce mode, the rule pack, isolation on defence evasion, in cd-host.
mkdir -p "$TMP/state"
[ -d /run/cordon ] || run_cordon_created=yes
cat > "$TMP/cordon.yaml" <<EOF
# Written by scripts/demo.sh
rules:
  - $RULES
state_directory: $TMP/state
response:
  mode: enforce
  hooks_directory: $REPO/hooks
  budget: 10
  allowlist:
    addresses: [$ADM_IP]
  actions:
    # Shown, not done: blocking the attacker's address after the brute force would end the story
    # before the login. A real host enforces it (config/cordon.yaml).
    - name: block-ssh-source
      hook: block-source
      when:
        rules: [sshd_brute_force, sshd_password_spray]
      mode: dry-run
      key: SourceIp
      ttl: 1h
      settings:
        address: {field: SourceIp}
        management: [$ADM_IP]
    # Cut the host off but for the management host once the attacker blinds auditing. (The shipped
    # configuration isolates already at the login after the brute force.)
    - name: isolate-host
      hook: isolate-nftables
      when:
        rules: [auditd_stopped, audit_disabled]
      cooldown: 1h
      settings:
        management: [$ADM_IP]
EOF
"$CORDON" check --config "$TMP/cordon.yaml" >"$TMP/check.log" 2>&1 || { cat "$TMP/check.log" >&2; die "cordon check refuses the demo configuration"; }
setsid ip netns exec $NS_HOST "$CORDON" run --config "$TMP/cordon.yaml" </dev/null >"$TMP/cordon.log" 2>&1 &
cordon_pid=$!
background_pids+=("$cordon_pid")
ready=""
for _ in $(seq 150); do
    kill -0 "$cordon_pid" 2>/dev/null || break
    [ "$(journalctl -q --no-pager -o cat MESSAGE_ID=$STARTED _PID="$cordon_pid" 2>/dev/null | grep -c .)" != 0 ] && { ready=yes; break; }
    sleep 0.2
done
[ -n "$ready" ] || die "cordon did not start within 30 s: $(tail -n 5 "$TMP/cordon.log")"
say "cordon run (pid $cordon_pid) in $NS_HOST, enforce mode, $("$CORDON" check "$RULES" 2>&1 | grep -o '^[0-9]* rules OK' || echo 'rules loaded')"
note "config: isolate-host (isolate-nftables, management $ADM_IP) on auditd_stopped / audit_disabled;"
note "        block-ssh-source on sshd_brute_force in dry-run, so the attack can go on"
{ grep -i warning "$TMP/cordon.log" || true; } | head -n 3 | while IFS= read -r l; do note "cordon: $l"; done

# --- stage 1: brute force ------------------------------------------------------------------------
stage "1. Credential access: the attacker brute-forces SSH (T1110.001)"
wordlist=(123456 password 12345678 qwerty letmein welcome admin 111111 iloveyou monkey dragon
          football abc123 Password1 sunshine princess baseball shadow master "$VICTIM_PASSWORD"
          Winter2024 trustno1 superman)
found=""
tried=0
for ((start = 0; start < ${#wordlist[@]} && ${#found} == 0; start += 8)); do
    batch=("${wordlist[@]:start:8}")
    attacker "sshpass: ${#batch[@]} passwords for $VICTIM@$HOST_IP in parallel: ${batch[*]}"
    pids=()
    for password in "${batch[@]}"; do
        ( ssh_try "$password" true >/dev/null 2>&1 && echo "$password" > "$TMP/found.$BASHPID" ) &
        pids+=($!)
    done
    wait "${pids[@]}" 2>/dev/null || true
    tried=$((tried + ${#batch[@]}))
    found=$(cat "$TMP"/found.* 2>/dev/null | head -n 1 || true)
done
[ -n "$found" ] || die "the attacker did not find the password (sshd log: $(tail -n 3 "$TMP/sshd.log"))"
attacker "${RED}password found after $tried tries: $VICTIM / $found${R}"
wait_alert 30 "sshd_brute_force" || true
wait_action 15 block-ssh-source || true

# --- stage 2: login ------------------------------------------------------------------------------
stage "2. Initial access: the attacker logs in with the guessed password (T1078)"
attacker "ssh $VICTIM@$HOST_IP: $(ssh_try "$found" 'echo "$(id -un)@$(hostname): $(id)"' 2>&1 | head -n 1)"
wait_alert 30 "sshd_login_after_brute_force" || true
note "the single wrong passwords raise no alert of their own: they are the building blocks of the"
note "brute force (sshd_failed_password), whose alert points at the first and last ten (CORDON_EVIDENCE)"
note "critical: the shipped config/cordon.yaml isolates the host right here; this demo waits for the"
note "defence-evasion stage so that you can watch the rest of the attack"

# The attacker keeps a session open, printing a heartbeat every second: after the isolation it stops.
attacker "keeps a second session open (a heartbeat every second)"
setsid ip netns exec $NS_ATK sshpass -p "$found" ssh -o LogLevel=INFO "${SSH_OPTIONS[@]}" \
    "$VICTIM@$HOST_IP" 'while :; do date +%T; sleep 1; done' </dev/null >"$TMP/session.out" 2>"$TMP/session.err" &
session_pid=$!
background_pids+=("$session_pid")
for _ in $(seq 50); do [ -s "$TMP/session.out" ] && break; sleep 0.2; done

# --- stage 3: privilege escalation ---------------------------------------------------------------
stage "3. Privilege escalation: a root shell with sudo (T1548.003)"
attacker "ssh $VICTIM@$HOST_IP 'sudo -S -i'  (the password on stdin, then: id)"
out=$(printf '%s\nid\n' "$found" | ssh_try "$found" 'sudo -S -p "" -i' 2>&1 | tail -n 1)
attacker "root shell: $out"
wait_alert 20 "sudo_root_shell" || true

# --- stage 4: defence evasion --------------------------------------------------------------------
stage "4. Defence evasion: the attacker stops auditd and turns kernel auditing off (T1562.012)"
attacker "ssh $VICTIM@$HOST_IP 'sudo service auditd stop; sudo auditctl -e 0'  (the password on stdin for each)"
# One command line: both commands are on the host before Cordon reacts, so the attack completes
# whatever the timing of the isolation (which may cut the attacker off before the output comes back).
ssh_try "$found" "echo '$found' | sudo -S -p '' service auditd stop; echo '$found' | sudo -S -p '' auditctl -e 0" 2>&1 </dev/null |
    tr -d '\r' | grep -v '^$' | while IFS= read -r l; do attacker "$l"; done || true
status=$(auditctl -s 2>/dev/null || true)
say "on the host now: auditd $( [ "$(audit_value "$status" pid)" = 0 ] && echo "not running" || echo "still running"), kernel auditing $( [ "$(audit_value "$status" enabled)" = 0 ] && echo off || echo on) (auditctl -s)"
isolation_at=""
rc=0; wait_alert 30 auditd_stopped audit_disabled || rc=$?
evasion_rules=1; [ $rc != 2 ] || evasion_rules=0     # 2: neither rule is in $RULES
if [ $evasion_rules = 0 ]; then
    warn "no rule to isolate on: the host stays open"
elif wait_action 30 isolate-host; then
    isolation_at=$(journalctl -q --no-pager -o short-iso _PID="$cordon_pid" CORDON_ACTION_NAME=isolate-host MESSAGE_ID=$APPLIED 2>/dev/null |
                   head -n 1 | sed -n 's/^[^T]*T\([0-9:]*\).*/\1/p' || true)
    isolation_at=${isolation_at:-yes}
fi

# --- stage 5: containment ------------------------------------------------------------------------
stage "5. Containment: the host is isolated, but for its management host"
if ip netns exec $NS_HOST nft list table inet cordon >"$TMP/nft.txt" 2>/dev/null; then
    cordon_says "table inet cordon in $NS_HOST (isolate_input/output/forward, policy drop):"
    grep -E 'elements|policy|saddr @management4|daddr @management4' "$TMP/nft.txt" | sed 's/^[[:space:]]*//' | head -n 8 |
        while IFS= read -r l; do note "$l"; done || true
else
    warn "no table inet cordon in $NS_HOST: the host was not isolated"
fi
# The open session: its heartbeat stops and ssh gives up (ServerAliveInterval 2 s × 2).
[ -z "$isolation_at" ] || for _ in $(seq 60); do kill -0 "$session_pid" 2>/dev/null || break; sleep 0.25; done
last=$(tail -n 1 "$TMP/session.out" 2>/dev/null || true)
if kill -0 "$session_pid" 2>/dev/null; then
    warn "the attacker's open session still runs (last heartbeat $last)"
else
    attacker "open session cut: last heartbeat $last${isolation_at:+ (isolated at $isolation_at)}; ssh: $(tr -d '\r' <"$TMP/session.err" | grep -v '^$' | tail -n 1)"
fi
atk_banner=$(banner $NS_ATK)
if [ -z "$atk_banner" ]; then attacker "nc $HOST_IP 22: ${RED}no answer${R} (timed out)"; else warn "the attacker still reaches sshd: $atk_banner"; fi
if out=$(ssh_try "$found" true 2>&1); then warn "the attacker can still log in"; else attacker "ssh $VICTIM@$HOST_IP: ${out:-failed}"; fi
adm_banner=$(banner $NS_ADM)
if [ -n "$adm_banner" ]; then admin "nc $HOST_IP 22: $adm_banner  (management still works)"; else warn "the management host cannot reach the host"; fi
root_ruleset_now=$(nft list ruleset 2>/dev/null | sha256sum)
if [ "$root_ruleset_now" = "$root_ruleset_before" ]; then say "this machine's own nftables ruleset is unchanged (the table is in $NS_HOST only)"; else warn "this machine's own nftables ruleset changed"; fi

# --- stage 6: the story --------------------------------------------------------------------------
stage "6. The story, as an operator reads it"
story_rules=()
for id in $(rule_ids sshd_brute_force sshd_login_after_brute_force sudo_root_shell auditd_stopped audit_disabled); do
    story_rules+=(--rule "$id")
done
echo "\$ cordon alerts --since '$since' ${story_rules[*]}"
"$CORDON" alerts --since "$since" "${story_rules[@]}" --color never 2>/dev/null | cut -c1-220 || true
echo
echo "\$ cordon alerts --since '$since' --level medium --trusted     # everything of medium and above"
"$CORDON" alerts --since "$since" --level medium --trusted --color never 2>/dev/null | cut -c1-220 || true
echo
echo "\$ cordon actions --state-dir $TMP/state"
"$CORDON" actions --state-dir "$TMP/state" 2>/dev/null | cut -c1-200 || true

ok=yes
[ -n "$isolation_at" ] && [ -z "$atk_banner" ] && [ -n "$adm_banner" ] || ok=no
[ "$root_ruleset_now" = "$root_ruleset_before" ] || ok=no
echo
if [ $ok = yes ]; then
    say "${GRN}${B}demo complete${R}: attack detected at every stage, host isolated, management kept"
else
    say "${YEL}${B}demo incomplete${R}: see the warnings above (KEEP_TMP=1 keeps the daemon log, configuration and attacker output)"
    exit 1
fi
