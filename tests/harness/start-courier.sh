#!/bin/bash
# Throwaway Courier IMAP 5.0 on 127.0.0.1 for tests, beside the Dovecot of start-mailserver.sh.
# usage: start-courier.sh WORKDIR BASEPORT   (stop with stop-imapserver.sh WORKDIR)
# ports: IMAP B+143 (plaintext, loopback only), IMAPS B+993 (couriertls)
# users: WORKDIR/passwd ("user:password" lines); TLS: WORKDIR/cert.pem + WORKDIR/key.pem (copied in by the caller)
# Courier's own binaries are unpacked (they conflict with Dovecot) by scripts/install-test-deps.sh into
# $PIM_TEST_SERVERS_ROOT (default /opt/pim-test-servers); courier-authlib is installed normally. authlib's
# paths are compiled in (/etc/courier, /run/courier/authdaemon), so authdaemond and couriertcpd run in a
# private mount namespace where those two paths are this WORKDIR's: nothing system-wide is touched.
# Layout as Debian ships it: personal folders under "INBOX." with '.'; UIDPLUS and IDLE, no MOVE.
# IDLE: Debian's default IMAP_ENHANCEDIDLE=0 looks for new mail every IMAP_IDLE_TIMEOUT (60 s);
# PIM_COURIER_ENHANCEDIDLE=1 uses FAM (gamin) instead: notices within a second.
set -euo pipefail
W=$(realpath -m "${1:?usage: $0 WORKDIR BASEPORT}"); B=${2:?}
R=${PIM_TEST_SERVERS_ROOT:-/opt/pim-test-servers}
IMAP=$((B+143)) IMAPS=$((B+993))
die() { echo "$1" >&2; exit 1; }
[ -x "$R/usr/bin/imapd" ] || die "start-courier.sh: no Courier under $R: run scripts/install-test-deps.sh as root"
for bin in /usr/lib/courier/courier-authlib/authdaemond /usr/sbin/userdb /usr/sbin/makeuserdb unshare; do
  command -v "$bin" >/dev/null || die "start-courier.sh: '$bin' not found: run scripts/install-test-deps.sh as root"
done
[ -d /etc/courier ] || die "start-courier.sh: /etc/courier missing (courier-authlib): run scripts/install-test-deps.sh"
mkdir -p "$W"/{etc,run,home,tls}
[ -f "$W/passwd" ] || echo 'test:secret' > "$W/passwd"
cat "$W/key.pem" "$W/cert.pem" > "$W/tls/imapd.pem"; chmod 600 "$W/tls/imapd.pem"
cat > "$W/etc/authdaemonrc" <<CONF
authmodulelist="authuserdb"
daemons=3
authdaemonvar=/run/courier/authdaemon
DEBUG_LOGIN=0
DEFAULTOPTIONS=""
LOGGEROPTS=""
CONF
# IMAP settings: Debian's /etc/courier/imapd defaults, minus system paths.
cat > "$W/imapd.env" <<CONF
export LD_LIBRARY_PATH=$R/usr/lib/x86_64-linux-gnu
export IMAP_CAPABILITY="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE"
export IMAP_CAPABILITY_TLS="\$IMAP_CAPABILITY AUTH=PLAIN"
export IMAP_KEYWORDS=1 IMAP_ACL=1 IMAP_PROXY=0 IMAP_IDLE_TIMEOUT=60 IMAP_MAILBOX_SANITY_CHECK=1
export IMAP_DISABLETHREADSORT=0 IMAP_CHECK_ALL_FOLDERS=0 IMAP_OBSOLETE_CLIENT=0 IMAP_UMASK=022
export IMAP_ULIMITD=131072 IMAP_USELOCKS=1 IMAP_ENHANCEDIDLE=${PIM_COURIER_ENHANCEDIDLE:-0} IMAP_TRASHFOLDERNAME=Trash
export IMAP_EMPTYTRASH=Trash:7 IMAP_MOVE_EXPUNGE_TO_TRASH=0 IMAP_SHAREDINDEXFILE=$W/etc/shared-index
export IMAP_STARTTLS=YES IMAP_TLS_REQUIRED=0 COURIERTLS=$R/usr/bin/couriertls
export TLS_CERTFILE=$W/tls/imapd.pem TLS_VERIFYPEER=NONE TLS_CACHEFILE=$W/tls/cache TLS_CACHESIZE=524288
export HEADERFROM=X-IMAP-Sender SENDMAIL=/bin/false
CONF

# One process tree in a private mount namespace: authdaemond + both couriertcpd listeners.
export PIM_TEST_WORKDIR=$W/   # lets stop-imapserver.sh recognise authdaemond (its command line names no path)
unshare --mount --propagation private /bin/bash -euo pipefail -c '
W=$1 R=$2 IMAP=$3 IMAPS=$4
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/courier/authdaemon
mount --bind "$W/etc" /etc/courier
# users: one Maildir each, owned by nobody; userdb maps them to it.
while IFS=: read -r user pass; do
  [ -n "$user" ] || continue
  h=$W/home/$user
  mkdir -p "$h"; [ -d "$h/Maildir" ] || LD_LIBRARY_PATH=$R/usr/lib/x86_64-linux-gnu "$R/usr/bin/maildirmake.courier" "$h/Maildir"
  chown -R nobody:nogroup "$h"
  /usr/sbin/userdb "$user" set uid=65534 gid=65534 home="$h" mail="$h/Maildir"
  echo "$pass" | /usr/sbin/userdbpw -md5 | /usr/sbin/userdb "$user" set systempw
done < "$W/passwd"
/usr/sbin/makeuserdb
setsid /usr/lib/courier/courier-authlib/authdaemond </dev/null >"$W/authdaemond.log" 2>&1 &
echo $! > "$W/run/authdaemond.pid"
. "$W/imapd.env"
common="-address=127.0.0.1 -maxprocs=60 -maxperip=60 -nodnslookup -noidentlookup"
setsid "$R/usr/sbin/couriertcpd" $common $IMAP \
  "$R/usr/lib/courier/courier/imaplogin" "$R/usr/bin/imapd" Maildir </dev/null >"$W/imap.log" 2>&1 &
echo $! > "$W/run/imap.pid"
IMAP_TLS=1 setsid "$R/usr/sbin/couriertcpd" $common $IMAPS \
  "$COURIERTLS" -server -tcpd "$R/usr/lib/courier/courier/imaplogin" "$R/usr/bin/imapd" Maildir \
  </dev/null >"$W/imaps.log" 2>&1 &
echo $! > "$W/run/imaps.pid"
' courier-ns "$W" "$R" "$IMAP" "$IMAPS"
for i in $(seq 100); do   # wait (max 5 s) until both ports listen
  (($(ss -Hltn "( sport = :$IMAP or sport = :$IMAPS )" | wc -l) == 2)) && break
  ((i < 100)) || die "courier did not come up; see $W/*.log"
  sleep 0.05
done
echo "IMAP_PORT=$IMAP IMAPS_PORT=$IMAPS"
