#!/usr/bin/env bash
# make verify-unit: systemd-analyze verify and security of systemd/cordon.service.
#
#   scripts/verify-unit.sh BINARY
#
# verify needs every binary the unit runs to exist, so it checks a temporary copy of the unit whose
# /usr/bin/cordon is BINARY (what `make install` does with the installed path). security must
# report an overall exposure of at most 4.0 (systemd/README.md explains every remaining item).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:?usage: $0 BINARY}")
[ -x "$binary" ] || { echo "verify-unit: $binary is not an executable; make release" >&2; exit 66; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/bin/cordon|$binary|g" systemd/cordon.service >"$dir/cordon.service"
systemd-analyze verify "$dir/cordon.service"
echo "systemd-analyze verify: OK"
systemd-analyze security --offline=true --threshold=40 systemd/cordon.service | grep -E '✗|Overall'
