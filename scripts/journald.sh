#!/usr/bin/env bash
# Makes sure a systemd-journald runs. On a normal systemd host it already does and nothing is
# touched. Where none runs (a container, CI), it starts one from the recipe in RECIPES.md, with
# journald's per-service rate limit off (tests write thousands of entries a second; a real host
# keeps its own journald.conf).
set -euo pipefail
# A journald of this machine, not one inside a container (systemd-nspawn tests boot their own).
ours() {
  local p self; self=$(readlink /proc/self/ns/mnt)
  for p in $(pgrep -x systemd-journal); do [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$self" ] && return 0; done
  return 1
}
# Alive means accepting connections, not just a process or a socket file (a stale one stays behind).
alive() { ours && systemd-cat -t cordon-probe true 2>/dev/null; }
if alive; then
  [ -e /dev/log ] || ln -sf /run/systemd/journal/dev-log /dev/log
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "cordon: no systemd-journald is running and only root can start one; run as root" >&2
  exit 77
fi
mkdir -p /etc/systemd/journald.conf.d
cat > /etc/systemd/journald.conf.d/90-cordon-test.conf <<'CONF'
# Written by Cordon's scripts/journald.sh for a journald it started itself (no systemd PID 1).
[Journal]
RateLimitIntervalSec=0
RateLimitBurst=0
CONF
# One that is still shutting down must be gone before a new one opens the same files.
for _ in $(seq 50); do ours || break; sleep 0.1; done
ours && { echo "cordon: a systemd-journald runs but does not answer; stop it and retry" >&2; exit 71; }
setsid /lib/systemd/systemd-journald >/dev/null 2>&1 < /dev/null &
started=$!
for _ in $(seq 100); do alive && break; sleep 0.1; done
alive || { echo "cordon: systemd-journald did not start" >&2; exit 71; }
[ -e /dev/log ] || ln -sf /run/systemd/journal/dev-log /dev/log
echo "cordon: started systemd-journald (pid $started)" >&2
