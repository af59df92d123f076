#!/bin/bash
# Throwaway real mail server on 127.0.0.1 for tests: Dovecot (IMAP, IMAPS, LMTP, SASL) + Postfix (SMTP).
# usage: start-mailserver.sh WORKDIR BASEPORT   -> prints the ports once all listen; stop with stop-mailserver.sh WORKDIR
# ports: IMAP B+143, IMAPS B+993, SMTP B+25 (no AUTH needed), submission B+587 (STARTTLS) and SMTPS B+465: AUTH required
# users: WORKDIR/passwd, lines "user:password" (default test:secret). Write it before starting; Dovecot re-reads it
#   at most once a second, so after editing it on a running server wait >1 s before that user logs in.
# Mail to ANY address lands in the INBOX of the Dovecot user named by its local part (bob@x.test -> bob).
# Running it again on a stopped WORKDIR restarts with the same mail and certificates.
# needs, once, as root (Debian 12): scripts/install-test-deps.sh (dovecot-imapd dovecot-lmtpd postfix openssl)
# Adapted from a recipe verified on Debian 12 (Dovecot 2.3, Postfix 3.7).
set -euo pipefail
W=$(realpath -m "${1:?usage: $0 WORKDIR BASEPORT}"); B=${2:?usage: $0 WORKDIR BASEPORT}
IMAP=$((B+143)) IMAPS=$((B+993)) SMTP=$((B+25)) SUBMISSION=$((B+587)) SMTPS=$((B+465))
die() { echo "$1" >&2; exit 1; }
for bin in dovecot /usr/lib/postfix/sbin/master openssl ss setpriv; do
  command -v "$bin" >/dev/null || die "start-mailserver.sh: '$bin' not found: run scripts/install-test-deps.sh as root"
done
((${#W} <= 70)) || die "WORKDIR too long for unix socket paths: $W"
Q=$W/postfix/queue
mkdir -p "$W"/{run,state,mail,postfix/etc,postfix/data} "$Q"/{active,bounce,corrupt,defer,deferred,flush,hold,incoming,private,saved,trace,maildrop,public,pid}
chmod 755 "$W"; chown nobody:nogroup "$W/mail"   # mail is stored as nobody; postfix daemons run as postfix
chown postfix "$Q"/* "$W/postfix/data"; chown root "$Q/pid"; chgrp postdrop "$Q"/{maildrop,public}
chmod 700 "$Q"/* "$W/postfix/data"; chmod 755 "$Q/pid"; chmod 730 "$Q/maildrop"; chmod 710 "$Q/public"
setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$W/run" ||
  die "other users cannot reach $W: make its parent directories world-searchable (mktemp -d gives 0700: chmod 711)"
[ -f "$W/passwd" ] || echo 'test:secret' > "$W/passwd"
chmod 644 "$W/passwd"   # read by the dovecot auth process (user dovecot)

# Throwaway CA + leaf, EC P-256 (~10 ms); clients trust $W/ca.pem. (rustls rejects a self-signed CA:TRUE server cert.)
ossl() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 "$@" 2>/dev/null; }
[ -f "$W/cert.pem" ] || {
  ossl -subj /CN=mailtest-ca -keyout "$W/ca.key" -out "$W/ca.pem"
  ossl -subj /CN=localhost -CA "$W/ca.pem" -CAkey "$W/ca.key" -keyout "$W/key.pem" -out "$W/cert.pem" \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth
}

cat > "$W/dovecot.conf" <<EOF
base_dir = $W/run
state_dir = $W/state
instance_name = mailtest-$B
log_path = $W/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <$W/cert.pem
ssl_key = <$W/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
auth_failure_delay = 0
mail_max_userip_connections = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN $W/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$W/mail/%u allow_all_users=yes
}
mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {
  inbox = yes
  separator = ${PIM_TEST_SEPARATOR:-/}
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    port = $IMAP
  }
  inet_listener imaps {
    port = $IMAPS
    ssl = yes
  }
}
service auth {
  unix_listener auth-client {
    mode = 0666
  }
}
EOF

cat > "$W/postfix/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $Q
data_directory = $W/postfix/data
maillog_file = $W/postfix.log
maillog_file_prefixes = $W
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = localhost
mydestination =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, reject
default_transport = lmtp:unix:$W/run/lmtp
service_throttle_time = 1s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtpd_sasl_type = dovecot
smtpd_sasl_path = $W/run/auth-client
smtpd_tls_security_level = may
smtpd_tls_cert_file = $W/cert.pem
smtpd_tls_key_file = $W/key.pem
EOF
auth_only='-o smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject'
cat > "$W/postfix/etc/master.cf" <<EOF
127.0.0.1:$SMTP inet n - n - - smtpd
127.0.0.1:$SUBMISSION inet n - n - - smtpd $auth_only
127.0.0.1:$SMTPS inet n - n - - smtpd $auth_only -o smtpd_tls_wrappermode=yes
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
lmtp      unix  - - n -  - lmtp
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
tlsmgr    unix  - - n 1000? 1 tlsmgr
postlog   unix-dgram n - n - 1 postlogd
EOF
touch -d '-1 min' "$W"/postfix/etc/*.cf   # Postfix stalls ~2 s on config files only seconds old

# Both daemonize; keep their stdio off our stdout (a caller reading our output to EOF would hang).
dovecot -c "$W/dovecot.conf" </dev/null >/dev/null 2>&1 || die "dovecot failed (already running there?); see $W/dovecot.log"
fail() { "$(dirname "$0")/stop-mailserver.sh" "$W"; die "$1"; }   # from here on, stop what we started
/usr/lib/postfix/sbin/master -c "$W/postfix/etc" -w </dev/null >/dev/null 2>&1 || fail "postfix failed; see $W/postfix.log"
for i in $(seq 100); do   # wait (max 5 s) until all five ports listen
  (($(ss -Hltn "( sport = :$IMAP or sport = :$IMAPS or sport = :$SMTP or sport = :$SUBMISSION or sport = :$SMTPS )" | wc -l) == 5)) && break
  ((i < 100)) || fail "mail server did not come up; see $W/dovecot.log $W/postfix.log"
  sleep 0.05
done
echo "IMAP_PORT=$IMAP IMAPS_PORT=$IMAPS SMTP_PORT=$SMTP SUBMISSION_PORT=$SUBMISSION SMTPS_PORT=$SMTPS CA_FILE=$W/ca.pem"
