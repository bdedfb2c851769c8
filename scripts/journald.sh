#!/usr/bin/env bash
# Makes sure a systemd-journald runs. On a normal systemd host it already does and nothing is
# touched. Where none runs (a container, CI), it starts one from the recipe in RECIPES.md, with
# journald's per-service rate limit off (tests write thousands of entries a second; a real host
# keeps its own journald.conf).
set -euo pipefail
if pgrep -x systemd-journal >/dev/null 2>&1 && [ -S /run/systemd/journal/socket ]; then
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
setsid /lib/systemd/systemd-journald >/dev/null 2>&1 < /dev/null &
for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
[ -S /run/systemd/journal/socket ] || { echo "cordon: systemd-journald did not start" >&2; exit 71; }
[ -e /dev/log ] || ln -sf /run/systemd/journal/dev-log /dev/log
echo "cordon: started systemd-journald (pid $(pgrep -x systemd-journal | head -1))" >&2
