#!/usr/bin/env bash
# Installs or removes Cordon: `make install` and `make uninstall` (the Makefile sets the variables).
#
#   scripts/install.sh install     binary (stripped), unit, message catalog, hooks, docs; the default
#                                  configuration and rules only where none are (else beside as .dist)
#   scripts/install.sh uninstall   all of that but /etc/cordon (configuration, rules) and /var/lib/cordon
#
# Environment: DESTDIR (staging root, default none), BINDIR, HOOKDIR, DOCDIR, CATALOGDIR, UNITDIR,
# CONFDIR, HOOKS. The unit's ExecStart and the configuration's hooks_directory are rewritten to
# BINDIR and HOOKDIR. With DESTDIR empty: `journalctl --update-catalog`, and `systemctl daemon-reload`
# where systemd runs.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${BINDIR:?}" "${HOOKDIR:?}" "${DOCDIR:?}" "${CATALOGDIR:?}" "${UNITDIR:?}" "${CONFDIR:?}" "${HOOKS:?}"
DESTDIR=${DESTDIR:-}
binary=.build/release/cordon
say() { echo "install: $*"; }

live() { [ -z "$DESTDIR" ]; }
systemd_running() { live && [ -d /run/systemd/system ]; }

# The shipped texts name /usr/bin/cordon, /usr/lib/cordon/hooks and /usr/share/doc/cordon
# (PREFIX=/usr); these become the real paths.
rewrite() {
    sed -e "s|/usr/bin/cordon|$BINDIR/cordon|g" \
        -e "s|/usr/lib/cordon/hooks|$HOOKDIR|g" \
        -e "s|/usr/share/doc/cordon|$DOCDIR|g" "$1"
}

install_text() {   # SOURCE TARGET MODE: rewritten, written whole
    local target=$DESTDIR$2
    install -d "$(dirname "$target")"
    rewrite "$1" >"$target.tmp"
    chmod "$3" "$target.tmp"
    mv -f "$target.tmp" "$target"
}

install_all() {
    [ -x "$binary" ] || { echo "install: $binary is missing; run make release" >&2; exit 1; }
    install -d "$DESTDIR$BINDIR"
    install -m 0755 "$binary" "$DESTDIR$BINDIR/cordon.new"
    strip "$DESTDIR$BINDIR/cordon.new" 2>/dev/null || true
    mv -f "$DESTDIR$BINDIR/cordon.new" "$DESTDIR$BINDIR/cordon"
    say "$BINDIR/cordon"

    install_text systemd/cordon.service "$UNITDIR/cordon.service" 0644
    say "$UNITDIR/cordon.service"
    install_text systemd/cordon.catalog "$CATALOGDIR/cordon.catalog" 0644
    say "$CATALOGDIR/cordon.catalog"

    install -d "$DESTDIR$HOOKDIR"
    local hook
    for hook in $HOOKS; do install -m 0755 "hooks/$hook" "$DESTDIR$HOOKDIR/$hook"; done
    say "$HOOKDIR/{${HOOKS// /,}}"

    install -d "$DESTDIR$DOCDIR/hooks" "$DESTDIR$DOCDIR/systemd" "$DESTDIR$DOCDIR/rules"
    install -m 0644 README.md "$DESTDIR$DOCDIR/README.md"
    install -m 0644 hooks/README.md "$DESTDIR$DOCDIR/hooks/README.md"
    install -m 0644 systemd/README.md "$DESTDIR$DOCDIR/systemd/README.md"
    install -m 0644 rules/*.md "$DESTDIR$DOCDIR/rules/"
    say "$DOCDIR"

    # Configuration and rules are the operator's: never overwritten.
    install -d -m 0755 "$DESTDIR$CONFDIR"
    if [ -e "$DESTDIR$CONFDIR/cordon.yaml" ]; then
        install_text config/cordon.yaml "$CONFDIR/cordon.yaml.dist" 0644
        say "$CONFDIR/cordon.yaml exists, kept; the shipped one is $CONFDIR/cordon.yaml.dist"
    else
        install_text config/cordon.yaml "$CONFDIR/cordon.yaml" 0644
        say "$CONFDIR/cordon.yaml"
    fi
    local rules=$CONFDIR/rules
    if [ -e "$DESTDIR$rules" ]; then
        rules=$CONFDIR/rules.dist
        rm -rf -- "$DESTDIR$rules"
    fi
    # Every rule, rule test and log source mapping (and the audit rules); the .md files are docs.
    (cd rules && find . -type f ! -name '*.md' -print0) | while IFS= read -r -d '' file; do
        install -D -m 0644 "rules/$file" "$DESTDIR$rules/${file#./}"
    done
    if [ "$rules" = "$CONFDIR/rules" ]; then
        say "$rules/"
    else
        say "$CONFDIR/rules exists, kept; the shipped rules are in $rules/ (not loaded: compare and copy what you want)"
    fi

    if live; then
        journalctl --update-catalog || say "journalctl --update-catalog failed; run it by hand"
        if systemd_running; then
            systemctl daemon-reload
            say "next: systemctl enable --now cordon   (after reading $CONFDIR/cordon.yaml)"
        fi
    fi
}

uninstall_all() {
    if systemd_running && systemctl cat cordon.service >/dev/null 2>&1; then
        systemctl disable --now cordon.service || true
    fi
    rm -f "$DESTDIR$BINDIR/cordon" "$DESTDIR$UNITDIR/cordon.service" "$DESTDIR$CATALOGDIR/cordon.catalog"
    local hook
    for hook in $HOOKS; do rm -f "$DESTDIR$HOOKDIR/$hook"; done
    rmdir "$DESTDIR$HOOKDIR" "$(dirname "$DESTDIR$HOOKDIR")" 2>/dev/null || true
    rm -rf -- "$DESTDIR$DOCDIR"
    say "removed $BINDIR/cordon, $UNITDIR/cordon.service, $CATALOGDIR/cordon.catalog, $HOOKDIR, $DOCDIR"
    if live; then
        journalctl --update-catalog || true
        if systemd_running; then systemctl daemon-reload; fi
    fi
    say "kept $CONFDIR (configuration, rules) and /var/lib/cordon (checkpoint, action ledger); remove them by hand"
}

case "${1:-}" in
    install) install_all ;;
    uninstall) uninstall_all ;;
    *) echo "usage: $0 install|uninstall (make install, make uninstall)" >&2; exit 64 ;;
esac
