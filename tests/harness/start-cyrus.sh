#!/bin/bash
# Throwaway Cyrus IMAP 3.6 on 127.0.0.1 for tests, beside the Dovecot of start-mailserver.sh.
# usage: start-cyrus.sh WORKDIR BASEPORT LAYOUT   (stop with stop-cyrus.sh WORKDIR)
#   LAYOUT alt:   altnamespace + unixhierarchysep (top-level folders, '/': the Fastmail layout)
#   LAYOUT inbox: the older layout (everything under "INBOX.", '.' separator)
# ports: IMAP B+143 (plaintext, loopback only), IMAPS B+993
# users: WORKDIR/passwd ("user:password" lines); TLS: WORKDIR/cert.pem + WORKDIR/key.pem (copied in by the caller)
# Binaries: unpacked (not installed: they conflict with Dovecot) by scripts/install-test-deps.sh
# into $PIM_TEST_SERVERS_ROOT (default /opt/pim-test-servers). Runs as root; Cyrus itself as nobody.
set -euo pipefail
W=$(realpath -m "${1:?usage: $0 WORKDIR BASEPORT alt|inbox}"); B=${2:?}; LAYOUT=${3:?}
R=${PIM_TEST_SERVERS_ROOT:-/opt/pim-test-servers}
IMAP=$((B+143)) IMAPS=$((B+993))
die() { echo "$1" >&2; exit 1; }
[ -x "$R/usr/lib/cyrus/bin/master" ] || die "start-cyrus.sh: no Cyrus under $R: run scripts/install-test-deps.sh as root"
command -v saslpasswd2 >/dev/null || die "start-cyrus.sh: saslpasswd2 not found: run scripts/install-test-deps.sh as root"
((${#W} <= 70)) || die "WORKDIR too long for unix socket paths: $W"
case $LAYOUT in alt) ALT=yes ;; inbox) ALT=no ;; *) die "LAYOUT must be alt or inbox" ;; esac
export LD_LIBRARY_PATH=$R/usr/lib/x86_64-linux-gnu
mkdir -p "$W"/{conf/socket,spool,run/proc,run/lock}   # IDLE clients bind conf/socket/idle.PID
[ -f "$W/passwd" ] || echo 'test:secret' > "$W/passwd"

cat > "$W/imapd.conf" <<CONF
configdirectory: $W/conf
partition-default: $W/spool
defaultpartition: default
servername: localhost
cyrus_user: nobody
altnamespace: $ALT
unixhierarchysep: $ALT
autocreate_quota: 0
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $W/sasldb2
sasl_mech_list: PLAIN LOGIN
tls_server_cert: $W/cert.pem
tls_server_key: $W/key.pem
mboxname_lockpath: $W/run/lock
proc_path: $W/run/proc
statuscache: no
syslog_prefix: cyrus-test-$B
CONF
cat > "$W/cyrus.conf" <<CONF
START {
  recover cmd="$R/usr/lib/cyrus/bin/ctl_cyrusdb -C $W/imapd.conf -r"
}
SERVICES {
  imap  cmd="$R/usr/lib/cyrus/bin/imapd -C $W/imapd.conf" listen="127.0.0.1:$IMAP" prefork=1 maxchild=100
  imaps cmd="$R/usr/lib/cyrus/bin/imapd -s -C $W/imapd.conf" listen="127.0.0.1:$IMAPS" prefork=1 maxchild=100
}
EVENTS {
}
DAEMON {
  idled cmd="$R/usr/lib/cyrus/bin/idled -C $W/imapd.conf"
}
CONF
while IFS=: read -r user pass; do
  [ -n "$user" ] && echo -n "$pass" | saslpasswd2 -p -f "$W/sasldb2" -c -u localhost "$user"
done < "$W/passwd"
chown -R nobody:nogroup "$W"/{conf,spool,run,sasldb2}
chmod 644 "$W"/{cert.pem,key.pem,imapd.conf,cyrus.conf}

"$R/usr/lib/cyrus/bin/master" -C "$W/imapd.conf" -M "$W/cyrus.conf" -p "$W/run/master.pid" -d \
  </dev/null >"$W/cyrus.out" 2>&1 || die "cyrus master failed; see $W/cyrus.out"
for i in $(seq 100); do   # wait (max 5 s) until both ports listen
  (($(ss -Hltn "( sport = :$IMAP or sport = :$IMAPS )" | wc -l) == 2)) && break
  ((i < 100)) || die "cyrus did not come up; see $W/cyrus.out"
  sleep 0.05
done
echo "IMAP_PORT=$IMAP IMAPS_PORT=$IMAPS"
