#!/usr/bin/env bash
# A throwaway Debian bookworm system with systemd as its PID 1, for tests that need a real service
# manager, logind and /etc/passwd that are not this machine's (hooks/stop-unit, hooks/lock-account).
#
# Usage:
#   scripts/container.sh rootfs                      build the cached root file system once; print its path
#   scripts/container.sh boot [--owner PID] [--lifetime SECONDS] [--no-hooks] [--bind HOST:CONTAINER]...
#                                                    boot a container; print its PID 1 once systemd is up
#   scripts/container.sh exec PID1 COMMAND [ARG...]  run a command inside (nsenter -t PID1 -a)
#   scripts/container.sh stop PID1                   power it off (SIGTERM to its nspawn, SIGKILL after 15 s)
#   scripts/container.sh list                        the PID 1 of every container this script booted
#
# boot: the rootfs is mounted read-only under a tmpfs overlay (--volatile=overlay), so whatever a test
# changes inside is gone when the container stops, the cached rootfs is never modified and any number
# of containers can run at once. The repository's hooks/ is bound read-only at /usr/lib/cordon/hooks
# (--no-hooks: not, for a package that installs them there, scripts/system-test.sh).
# The network is private (only lo). --owner PID: a watchdog stops the container when process PID exits
# (a test run that crashes or is killed leaks nothing). --lifetime: nspawn is killed after this many
# seconds whatever happens (default 1800). --bind: a directory of this machine, read-write inside the
# container (scripts/chaos.sh keeps the container's journal on disk with it, not in the overlay's tmpfs).
#
# Environment: CORDON_TEST_ROOTFS (default .cache/container-rootfs in the repository), CORDON_TEST_MIRROR (default:
# the Debian mirror this machine's own apt sources name). Needs root, systemd-container and debootstrap
# (scripts/deps.sh test). Never boots systemd against this machine's own root.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOTFS=${CORDON_TEST_ROOTFS:-$REPO/.cache/container-rootfs}
RUN_DIR=/run/cordon-test/containers
# Bump when the package list or the configuration below changes: a stale cached rootfs is rebuilt.
# The second line: what the Cordon package depends on and recommends (curl, for webhook), a real
# sshd to attack and a listener for webhook's POST (system-test.sh).
INCLUDE=systemd,systemd-sysv,dbus,libpam-systemd,login,passwd,procps,nftables,iproute2,\
libsystemd0,libpcre2-8-0,libxml2,libstdc++6,libgcc-s1,util-linux,curl,openssh-server,openssh-client,sshpass,netcat-openbsd
STAMP="cordon-rootfs 3 bookworm $INCLUDE"

die() { echo "container.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, systemd-nspawn, nsenter)"

# Close every descriptor but 0-2 (and bash's own 255) before anything starts in the background.
# Foundation's Process (the Swift tests) notices that a child exited when a socket it hands down is
# closed; a container or watchdog that inherited it would keep `boot`'s caller waiting forever.
for fd in "/proc/$$/fd/"*; do
    fd=${fd##*/}
    case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done

# The first http(s) Debian mirror of this machine's enabled apt sources (one-line .list files and
# deb822 .sources files; renamed files such as *.list.disabled-by-farm are not sources).
mirror() {
    if [ -n "${CORDON_TEST_MIRROR:-}" ]; then echo "$CORDON_TEST_MIRROR"; return; fi
    local file uri
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        uri=$(sed -E -n 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' "$file" |
              grep -m1 -E '^https?://[^ ]*/debian/?$' || true)
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$file" |
              grep -m1 -E '^https?://[^ ]*/debian/?$' || true)
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    die "no Debian mirror in /etc/apt/sources.list*; set CORDON_TEST_MIRROR"
}

rootfs_ready() { [ -f "$ROOTFS/.cordon-rootfs" ] && [ "$(cat "$ROOTFS/.cordon-rootfs")" = "$STAMP" ]; }

# Builds the rootfs into a temporary directory beside it and renames it into place, under a lock,
# so concurrent callers wait for one build and never see a half-built tree.
build_rootfs() {
    rootfs_ready && return 0
    command -v debootstrap >/dev/null || die "debootstrap is missing: scripts/deps.sh test"
    mkdir -p "$(dirname "$ROOTFS")"
    exec 9>"$ROOTFS.lock"
    flock -w 900 9 || die "timed out waiting for another build of $ROOTFS"
    if rootfs_ready; then exec 9>&-; return 0; fi
    local new="$ROOTFS.new" url start
    url=$(mirror)
    start=$(date +%s)
    echo "container.sh: building $ROOTFS from $url (once; about a minute)" >&2
    rm -rf "$new"
    if ! debootstrap --variant=minbase --include="$INCLUDE" bookworm "$new" "$url" >"$ROOTFS.log" 2>&1; then
        tail -5 "$ROOTFS.log" >&2
        die "debootstrap failed; the whole log is $ROOTFS.log"
    fi
    echo cordon-test >"$new/etc/hostname"
    # Each boot makes its own machine id (the overlay is writable; the cached tree stays as it is).
    : >"$new/etc/machine-id"
    # Nothing that slows a boot or runs on its own during a test: no gettys on the pipe console,
    # no apt timers.
    local unit
    for unit in console-getty.service getty@.service apt-daily.timer apt-daily-upgrade.timer \
                systemd-networkd-wait-online.service e2scrub_all.timer e2scrub_reap.service; do
        ln -sf /dev/null "$new/etc/systemd/system/$unit"
    done
    rm -f "$new"/var/cache/apt/archives/*.deb "$new"/var/lib/apt/lists/*_Packages
    echo "$STAMP" >"$new/.cordon-rootfs"
    if [ -e "$ROOTFS" ]; then rm -rf "$ROOTFS.old"; mv "$ROOTFS" "$ROOTFS.old"; fi
    mv "$new" "$ROOTFS"
    rm -rf "$ROOTFS.old"
    echo "container.sh: built $ROOTFS in $(( $(date +%s) - start )) s" >&2
    exec 9>&-
}

# The nspawn process of a container given by its PID 1, or nothing.
nspawn_of() {
    local parent
    parent=$(awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 0
    [ -n "$parent" ] && [ "$(cat "/proc/$parent/comm" 2>/dev/null)" = systemd-nspawn ] && echo "$parent"
    return 0
}

valid_pid() { [[ "$1" =~ ^[1-9][0-9]{0,9}$ ]] || die "not a process id: '$1'"; }

boot() {
    local owner="" lifetime=1800 hooks=(--bind-ro="$REPO/hooks:/usr/lib/cordon/hooks") binds=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --no-hooks) hooks=(); shift ;;
            --owner) owner=$2; valid_pid "$owner"; shift 2 ;;
            --lifetime) lifetime=$2; [[ "$lifetime" =~ ^[1-9][0-9]{0,5}$ ]] || die "bad --lifetime"; shift 2 ;;
            --bind) [[ "$2" =~ ^/[^:]*:/[^:]*$ ]] || die "--bind takes HOST:CONTAINER, both absolute"; binds+=(--bind="$2"); shift 2 ;;
            *) die "boot: unknown option '$1'" ;;
        esac
    done
    command -v systemd-nspawn >/dev/null || die "systemd-nspawn is missing: scripts/deps.sh test"
    build_rootfs
    [ "$(realpath "$ROOTFS")" != / ] || die "refusing to boot the host's own root"
    mkdir -p "$RUN_DIR"
    local log launcher nspawn="" pid1="" state=""
    log=$(mktemp "$RUN_DIR/nspawn.XXXXXX")
    # timeout is the safety net; setsid keeps the test's terminal and signals away from the container.
    setsid timeout --kill-after=10 "$lifetime" systemd-nspawn -q -D "$ROOTFS" \
        --volatile=overlay --read-only --register=no --keep-unit --private-network --console=pipe \
        --link-journal=no --resolv-conf=off --timezone=off --machine="cordon-test-${log##*.}" \
        "${hooks[@]}" ${binds[@]+"${binds[@]}"} -b </dev/null >"$log" 2>&1 &
    launcher=$!
    for _ in $(seq 600); do
        kill -0 "$launcher" 2>/dev/null || { cat "$log" >&2; die "systemd-nspawn exited while booting"; }
        [ -n "$nspawn" ] || nspawn=$(pgrep -P "$launcher" -x systemd-nspawn || true)
        if [ -n "$nspawn" ] && [ -z "$pid1" ]; then
            pid1=$(pgrep -P "$nspawn" -x systemd || true)
        fi
        if [ -n "$pid1" ]; then
            state=$(nsenter -t "$pid1" -a systemctl is-system-running 2>/dev/null || true)
            case "$state" in running|degraded) break ;; esac
        fi
        sleep 0.1
    done
    case "$state" in
        running|degraded) ;;
        *) [ -n "$pid1" ] && stop "$pid1"; cat "$log" >&2; die "systemd in the container did not come up (state '$state')" ;;
    esac
    echo "$pid1" >"$RUN_DIR/$pid1"
    rm -f "$log"
    if [ -n "$owner" ]; then
        setsid "$REPO/scripts/container.sh" watch "$owner" "$pid1" </dev/null >/dev/null 2>&1 &
    fi
    echo "$pid1"
}

# Stops container PID1 once process OWNER is gone (or returns when the container already is).
watch() {
    local owner=$1 pid1=$2 nspawn
    valid_pid "$owner"; valid_pid "$pid1"
    nspawn=$(nspawn_of "$pid1")
    [ -n "$nspawn" ] || return 0
    while kill -0 "$owner" 2>/dev/null; do
        [ "$(nspawn_of "$pid1")" = "$nspawn" ] || return 0
        sleep 1
    done
    stop "$pid1"
}

stop() {
    local pid1=$1 nspawn
    valid_pid "$pid1"
    nspawn=$(nspawn_of "$pid1")
    rm -f "$RUN_DIR/$pid1"
    [ -n "$nspawn" ] || return 0    # already gone
    # nspawn turns SIGTERM into a clean poweroff of the container.
    kill -TERM "$nspawn" 2>/dev/null || true
    for _ in $(seq 150); do
        kill -0 "$nspawn" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid1" "$nspawn" 2>/dev/null || true
}

run_inside() {
    local pid1=$1; shift
    valid_pid "$pid1"
    [ -n "$(nspawn_of "$pid1")" ] || die "no container with PID 1 $pid1"
    exec nsenter -t "$pid1" -a "$@"
}

list() {
    local file pid1
    for file in "$RUN_DIR"/*; do
        [ -f "$file" ] || continue
        pid1=${file##*/}
        [[ "$pid1" =~ ^[0-9]+$ ]] || continue
        if [ -n "$(nspawn_of "$pid1")" ]; then echo "$pid1"; else rm -f "$file"; fi
    done
}

case "${1:-}" in
    rootfs) build_rootfs; echo "$ROOTFS" ;;
    boot) shift; boot "$@" ;;
    stop) [ $# -eq 2 ] || die "usage: $0 stop PID1"; stop "$2" ;;
    exec) [ $# -ge 3 ] || die "usage: $0 exec PID1 COMMAND [ARG...]"; shift; run_inside "$@" ;;
    watch) [ $# -eq 3 ] || die "usage: $0 watch OWNER PID1"; watch "$2" "$3" ;;
    list) list ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 64 ;;
esac
