#!/usr/bin/env bash
# Makes sure a systemd-journald runs. On a normal systemd host it already does and nothing is
# touched. Where none runs (a container, CI), it starts one from the recipe in RECIPES.md, with
# journald's per-service rate limit off (tests write thousands of entries a second; a real host
# keeps its own journald.conf).
set -euo pipefail
# Alive means accepting connections, not just a process or a socket file (a stale one stays behind).
alive() { pgrep -x systemd-journal >/dev/null 2>&1 && systemd-cat -t cordon-probe true 2>/dev/null; }
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
for _ in $(seq 50); do pgrep -x systemd-journal >/dev/null 2>&1 || break; sleep 0.1; done
pgrep -x systemd-journal >/dev/null 2>&1 && { echo "cordon: a systemd-journald runs but does not answer; stop it and retry" >&2; exit 71; }
setsid /lib/systemd/systemd-journald >/dev/null 2>&1 < /dev/null &
for _ in $(seq 100); do alive && break; sleep 0.1; done
alive || { echo "cordon: systemd-journald did not start" >&2; exit 71; }
[ -e /dev/log ] || ln -sf /run/systemd/journal/dev-log /dev/log
echo "cordon: started systemd-journald (pid $(pgrep -x systemd-journal | head -1))" >&2
