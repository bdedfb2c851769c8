#!/usr/bin/env bash
# Builds the Debian package with dpkg-deb (no debhelper): `make deb`.
#
#   scripts/deb.sh OUTDIR     stage `make install PREFIX=/usr` and write OUTDIR/cordon_VERSION_ARCH.deb
#   scripts/deb.sh version    print the version (Sources/Daemon/CordonVersion.swift)
#
# The package: /usr/bin/cordon, /lib/systemd/system/cordon.service, /usr/lib/systemd/catalog/,
# /usr/lib/cordon/hooks/, /usr/share/doc/cordon/, and /etc/cordon/{cordon.yaml,rules/} as conffiles
# (dpkg asks before replacing one the operator changed). postinst updates the message catalog,
# enables and starts (on upgrade: restarts) the unit; prerm stops it; postrm disables it, and purge
# removes /var/lib/cordon. Without a running systemd (a chroot, an image build) only the catalog and
# the enablement links are handled. Needs the release binary (make release).
set -euo pipefail
cd "$(dirname "$0")/.."

version() { sed -n 's/.*static let string = "\(.*\)".*/\1/p' Sources/Daemon/CordonVersion.swift; }

if [ "${1:-}" = version ]; then version; exit 0; fi
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR | version" >&2; exit 64; }
out=$1
VERSION=$(version)
[ -n "$VERSION" ] || { echo "deb.sh: no version in Sources/Daemon/CordonVersion.swift" >&2; exit 1; }
ARCH=$(dpkg --print-architecture)
stage=.build/deb/cordon
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$out"

make --no-print-directory install DESTDIR="$PWD/$stage" PREFIX=/usr UNITDIR=/lib/systemd/system >/dev/null

(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"

installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: cordon
Version: $VERSION
Architecture: $ARCH
Maintainer: Cordon maintainers <root@localhost>
Installed-Size: $installed_size
Depends: libc6, libgcc-s1, libstdc++6, libsystemd0, libpcre2-8-0, libxml2, systemd, nftables, passwd, procps, util-linux
Recommends: curl
Section: admin
Priority: optional
Description: Sigma rules on the systemd journal, alerts and responses
 Cordon watches the systemd journal, runs Sigma rules on it, writes each alert
 back into the journal as a structured entry and, when a trusted alert fires,
 runs the response the operator chose (block an address, isolate the host,
 stop a unit, lock an account, call a webhook). Responses are dry-run until
 the configuration says enforce.
EOF

cat >"$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
unit=cordon.service
case "$1" in
    configure|abort-upgrade|abort-deconfigure|abort-remove)
        journalctl --update-catalog >/dev/null 2>&1 || true
        # Enable (the links, also in a chroot); a unit the admin disabled stays disabled on upgrade.
        if command -v deb-systemd-helper >/dev/null 2>&1; then
            deb-systemd-helper unmask "$unit" >/dev/null || true
            if deb-systemd-helper --quiet was-enabled "$unit"; then
                deb-systemd-helper enable "$unit" >/dev/null || true
            else
                deb-systemd-helper update-state "$unit" >/dev/null || true
            fi
        elif [ -z "$2" ]; then
            systemctl --no-reload enable "$unit" >/dev/null 2>&1 || true
        fi
        # Start (restart on upgrade) only where systemd runs.
        if [ -d /run/systemd/system ]; then
            systemctl --system daemon-reload >/dev/null || true
            if [ -n "$2" ]; then action=restart; else action=start; fi
            if command -v deb-systemd-invoke >/dev/null 2>&1; then
                deb-systemd-invoke "$action" "$unit" || true
            else
                systemctl "$action" "$unit" || true
            fi
        fi
        ;;
esac
exit 0
EOF

cat >"$stage/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
unit=cordon.service
if [ -d /run/systemd/system ]; then
    case "$1" in
        remove|upgrade|deconfigure)
            if command -v deb-systemd-invoke >/dev/null 2>&1; then
                deb-systemd-invoke stop "$unit" >/dev/null || true
            else
                systemctl stop "$unit" >/dev/null 2>&1 || true
            fi
            ;;
    esac
fi
exit 0
EOF

cat >"$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
unit=cordon.service
case "$1" in
    remove|purge)
        if command -v deb-systemd-helper >/dev/null 2>&1; then
            if [ "$1" = purge ]; then
                deb-systemd-helper purge "$unit" >/dev/null || true
            else
                deb-systemd-helper disable "$unit" >/dev/null || true
            fi
        fi
        # The unit file is gone now; its enablement links too.
        rm -f "/etc/systemd/system/multi-user.target.wants/$unit"
        journalctl --update-catalog >/dev/null 2>&1 || true
        if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
        ;;
esac
if [ "$1" = purge ]; then
    # State: the checkpoint, the action ledger, the hooks' records. Applied actions stay applied.
    rm -rf /var/lib/cordon /run/cordon
fi
exit 0
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

deb="$out/cordon_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
