#!/usr/bin/env bash
# Installs what pim's test suite needs on a fresh Debian machine (idempotent).
# Runs as root, or through sudo.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(dovecot-imapd dovecot-lmtpd postfix openssl tmux socat)
PIP_PACKAGES=(icalendar recurring-ical-events x-wr-timezone khal khard)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  # Postfix asks what kind of mail setup this is: none (the tests bring their own config).
  echo 'postfix postfix/main_mailer_type select No configuration' | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The system-wide daemons are not needed: each test starts its own on loopback.
for svc in dovecot postfix; do
  $SUDO systemctl stop "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
done

PY=${PYTHON:-python3}
if ! $PY -c 'import icalendar, recurring_ical_events, x_wr_timezone' >/dev/null 2>&1 \
   || ! command -v khal >/dev/null || ! command -v khard >/dev/null; then
  echo "installing Python packages: ${PIP_PACKAGES[*]}"
  $PY -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
fi
echo "test dependencies ready"
