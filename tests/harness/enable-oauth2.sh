#!/bin/bash
# Turn on OAuth2 logins on a server started by start-mailserver.sh: SASL XOAUTH2 and OAUTHBEARER for IMAP and,
# through Dovecot's auth socket, for Postfix submission/SMTPS. Tokens are checked by POSTing `token=…` to
# INTROSPECTION_URL (RFC 7662), which must answer {"active": true, "username": "USER"} for a valid token.
# Password logins keep working (the oauth2 passdb only serves the two token mechanisms).
# usage: enable-oauth2.sh WORKDIR INTROSPECTION_URL   (run again after start-mailserver.sh rewrote dovecot.conf)
set -euo pipefail
W=$(realpath -m "${1:?usage: $0 WORKDIR INTROSPECTION_URL}"); URL=${2:?usage: $0 WORKDIR INTROSPECTION_URL}
C=$W/dovecot.conf
[ -f "$C" ] || { echo "enable-oauth2.sh: no $C: start the server first" >&2; exit 1; }
cat > "$W/dovecot-oauth2.conf.ext" <<CONF
introspection_mode = post
introspection_url = $URL
username_attribute = username
active_attribute = active
active_value = true
CONF
chmod 644 "$W/dovecot-oauth2.conf.ext"
if ! grep -q 'driver = oauth2' "$C"; then
  sed -i 's/^auth_mechanisms = .*/& xoauth2 oauthbearer/' "$C"
  # The oauth2 passdb goes first: for its mechanisms it is the only one asked.
  sed -i "0,/^passdb {/s||passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = $W/dovecot-oauth2.conf.ext\n}\n&|" "$C"
  # Tests refuse tokens on purpose, in parallel, all from 127.0.0.1: no growing delay
  # (up to 15 s) after each failure (the auth penalty; auth_failure_delay is 0 already).
  printf 'service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n' >> "$C"
fi
pid=$(cat "$W/run/master.pid")
grep -qsaF -- "$W/" "/proc/$pid/cmdline" || { echo "enable-oauth2.sh: Dovecot of $W is not running" >&2; exit 1; }
# Restart Dovecot alone (Postfix reconnects to its auth socket by itself).
kill "$pid"
for i in $(seq 100); do
  ps -o stat= -p "$pid" | grep -qv Z || break
  sleep 0.05
done
rm -f "$W/run/master.pid"
dovecot -c "$C" </dev/null >/dev/null 2>&1 || { echo "enable-oauth2.sh: dovecot failed; see $W/dovecot.log" >&2; exit 1; }
IMAPS=$(sed -n '/inet_listener imaps/,/}/s/ *port = //p' "$C")
for i in $(seq 100); do   # wait (max 5 s) until IMAPS listens again
  (($(ss -Hltn "( sport = :$IMAPS )" | wc -l) == 1)) && exit 0
  sleep 0.05
done
echo "enable-oauth2.sh: Dovecot did not come back; see $W/dovecot.log" >&2
exit 1
