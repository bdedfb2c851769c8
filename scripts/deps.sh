#!/usr/bin/env bash
# Installs the Debian packages Cordon needs to build, run and test, if any is missing.
# Usage: scripts/deps.sh [build|test|bench|demo]
set -euo pipefail
need=(libsystemd-dev libpcre2-dev pkg-config systemd systemd-journal-remote util-linux)
case "${1:-build}" in
  test)  need+=(iproute2 openssh-server openssh-client sshpass auditd nftables curl netcat-openbsd
               systemd-container debootstrap passwd python3) ;;
  # make bench: python3-systemd for fail2ban-regex's journal backend and live-bench.py's reader
  # (fail2ban itself is unpacked into .cache by bench.sh, not installed: installing it would start
  # its banning service).
  bench) need+=(gcc python3 python3-systemd) ;;
  # make demo (scripts/demo.sh): a real sshd and sudo on a host in a network namespace, the
  # attacker's sshpass and nc, nftables for the isolation hook, auditd for kernel auditing.
  demo)  need+=(iproute2 openssh-server openssh-client sshpass sudo auditd nftables netcat-openbsd
               passwd procps) ;;
esac
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "cordon: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 69
  fi
  echo "cordon: installing ${missing[*]}" >&2
  # Update the package lists only when they are missing or a first install attempt fails.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
if ! command -v swift >/dev/null 2>&1; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do [ -x "$d/swift" ] && { echo "cordon: add $d to PATH" >&2; break; }; done
  echo "cordon: the Swift 6 toolchain is not on PATH; install it (swift.org or swiftly) and retry" >&2
  exit 69
fi
