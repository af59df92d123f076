#!/bin/bash
# Installs what pim's test suite needs on a fresh Debian 12 machine (run as root; idempotent).
#   - Dovecot (IMAP, LMTP) + Postfix + openssl: the real mail server the mail/sync tests start
#     on loopback via tests/harness/start-mailserver.sh
#   - Cyrus IMAP and Courier IMAP for tests/servers.rs (tests/harness/start-cyrus.sh and
#     start-courier.sh): both conflict with Dovecot as packages (all three provide
#     imap-server), so their .debs are unpacked into $PIM_TEST_SERVERS_ROOT
#     (default /opt/pim-test-servers) and run from there; the libraries they link and the
#     non-conflicting helpers (Cyrus SASL tools, courier-authlib, gamin) are installed normally
#   - tmux: the end-to-end TUI test
#   - Python packages used as third-party peers in interop tests
# Add packages to the lists below; keep it runnable twice in a row. Runs as root, or via sudo
# when something is missing (nothing needs root when everything is installed already).
set -euo pipefail
SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null && SUDO=sudo
fi
as_root() {
  if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then $SUDO "$@"; else
    echo "install-test-deps.sh: '$1' needs root: run as root or install sudo" >&2; exit 1
  fi
}

APT_PACKAGES=(dovecot-imapd dovecot-lmtpd postfix openssl tmux jq
  # for the unpacked Cyrus and Courier (what their binaries link, found with ldd)
  sasl2-bin libsasl2-modules libsasl2-modules-db courier-authlib courier-authlib-userdb courier-authdaemon gamin
  libcourier-unicode4 libcom-err2 libgamin0 libgdbm6 libgnutls30 libical3 libicu72 libidn12
  libjansson4 libkrb5-3 libldap-2.5-0 libpcre3 libpq5 libsasl2-2 libsqlite3-0 libssl3 libwrap0
  libxapian30 libxml2)
UNPACKED=(cyrus-imapd cyrus-common courier-imap courier-base)
SERVERS_ROOT=${PIM_TEST_SERVERS_ROOT:-/opt/pim-test-servers}
# A Python with pip: use the one on PATH when there is one (e.g. pyenv), else Debian's.
python3 -m pip --version >/dev/null 2>&1 || APT_PACKAGES+=(python3 python3-pip)
PIP_PACKAGES=(icalendar recurring-ical-events x-wr-timezone khal khard)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  # Postfix asks a question on install; answer it up front (no system mail configuration:
  # the tests run their own Postfix from their own config directory).
  echo 'postfix postfix/main_mailer_type select No configuration' | as_root debconf-set-selections
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
# Cyrus and Courier: unpacked, never installed (see above). Redone when a version changes.
want=$(apt-cache policy "${UNPACKED[@]}" | awk '/^[a-z]/{p=$1} /Candidate:/{print p $2}' | tr '\n' ' ')
if [ "$(cat "$SERVERS_ROOT/.unpacked" 2>/dev/null)" != "$want" ]; then
  dl=$(mktemp -d); chmod 755 "$dl"
  (cd "$dl" && as_root apt-get download "${UNPACKED[@]}")
  as_root rm -rf "$SERVERS_ROOT"; as_root mkdir -p "$SERVERS_ROOT"
  for deb in "$dl"/*.deb; do as_root dpkg -x "$deb" "$SERVERS_ROOT"; done
  echo "$want" | as_root tee "$SERVERS_ROOT/.unpacked" >/dev/null
  rm -rf "$dl"
fi
# The packages start system-wide daemons on install; the tests do not use them.
for svc in dovecot postfix courier-authdaemon; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    as_root systemctl stop "$svc" || true
    as_root systemctl disable "$svc" 2>/dev/null || true
  fi
done

need_pip=()
for p in "${PIP_PACKAGES[@]}"; do
  python3 -m pip show -q "$p" >/dev/null 2>&1 || need_pip+=("$p")
done
if ((${#need_pip[@]})); then
  # Debian 12 marks the system Python as externally managed; these are test-only tools.
  python3 -m pip install --quiet --break-system-packages "${need_pip[@]}" ||
    python3 -m pip install --quiet "${need_pip[@]}"
fi
echo "install-test-deps: ok"
